// "Change Password…" (Client Secret, Token): one new secret for the selected connectors of
// one account, all or nothing, through the real widgets (offscreen): the selection by mouse,
// the dialog by keyboard, a keychain that fails half-way, hostile names.
#include "ChangeSecretDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "FaultySecretStore.h"
#include "GuiTestSupport.h"
#include "HeaderBar.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "MemorySecretStore.h"
#include "PlainText.h"
#include "SecretLineEdit.h"
#include "TestSupport.h"
#include "Text.h"

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace cd;
using namespace cd::ui;
using cd::test::child;

namespace {

const QString kJama = QStringLiteral("jama-connect");

// A Connectors page over a repository of its own whose keychain can be told to fail
// (FaultySecretStore over a MemorySecretStore): no validator is connected.
struct PageFixture
{
    QTemporaryDir dir;
    ConnectorStore store { dir.path() };
    MemorySecretStore memory;
    FaultySecretStore faulty { &memory };
    ConnectorRepository repository { &store, &faulty };
    std::unique_ptr<ConnectorsPage> page;

    bool open()
    {
        QString error;
        if (!repository.load(&error)) {
            test::fail(QStringLiteral("load: %1").arg(error));
            return false;
        }
        page = std::make_unique<ConnectorsPage>(&repository);
        page->setObjectName(QStringLiteral("connectorsPage"));
        page->resize(1000, 640);
        page->show();
        return QTest::qWaitForWindowExposed(page.get()) && test::activate(page.get());
    }
    QString secretOf(const QUuid &id) const
    {
        const std::optional<Connector> c = repository.find(id);
        return c ? memory.contents().value(secretKey(*c)) : QString();
    }
};

QList<QUuid> sorted(QList<QUuid> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}

void type(const QString &text)
{
    QTest::keyClicks(QApplication::focusWidget(), text);
}

void key(Qt::Key k, Qt::KeyboardModifiers m = Qt::NoModifier)
{
    QTest::keyClick(QApplication::focusWidget(), k, m);
}

// Types `secret` in the focused field, Tab, and the same in the next (New, then Confirm).
void typeTwice(const QString &secret)
{
    type(secret);
    key(Qt::Key_Tab);
    type(secret);
}

} // namespace

class TestChangeSecret : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void actionFollowsMouseSelection_data();
    void actionFollowsMouseSelection();
    void differentAccountsDisable();
    void tokensNameNoAccount();
    void targetIsPure();
    void changeByKeyboardInWindow();
    void mismatchAndEmptyCallNothing();
    void progressWhileChanging();
    void failedWriteChangesNothing();
    void accessibleNamesAndHostileText();
    void removedMeanwhileSaysSo();
    void changedElsewhereMeanwhileRefuses();
    void blockedStoreSaysSo();
    void throughTheKeychain();

private:
    // Three connectors of one application and method; their names sort in this order.
    QList<QUuid> addThree(ConnectorRepository *repository, const QString &application,
        const QString &authType, const QStringList &identities, const QString &host);
    // Click the first row, Shift+click the row `last`: rows 0..last, as a user selects them.
    static void selectByMouse(ConnectorsPage *page, int last);
    static QPoint cell(ConnectorsPage *page, int row);
    // Right-click on `row`, then the mnemonic H in the context menu.
    static ChangeSecretDialog *openFromContextMenu(ConnectorsPage *page, int row);

    std::unique_ptr<PageFixture> m_fx;
};

void TestChangeSecret::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDeskTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_changesecret"));
}

void TestChangeSecret::init()
{
    m_fx = std::make_unique<PageFixture>();
    QVERIFY(m_fx->open());
}

void TestChangeSecret::cleanup()
{
    m_fx.reset();
}

QList<QUuid> TestChangeSecret::addThree(ConnectorRepository *repository, const QString &application,
    const QString &authType, const QStringList &identities, const QString &host)
{
    QList<QUuid> ids;
    const QStringList names { QStringLiteral("A first"), QStringLiteral("B second"),
        QStringLiteral("C third") };
    for (int i = 0; i < 3; ++i) {
        const QString url = QStringLiteral("https://%1%2").arg(host).arg(i);
        ids << test::addConnector(repository,
            test::makeConnector(names.at(i), url, authType, identities.at(i), application),
            QStringLiteral("old-") + names.at(i));
    }
    return ids;
}

QPoint TestChangeSecret::cell(ConnectorsPage *page, int row)
{
    auto *view = child<QTableView>(page, "connectorsTableView");
    return view->visualRect(view->model()->index(row, ConnectorListModel::UrlColumn)).center();
}

void TestChangeSecret::selectByMouse(ConnectorsPage *page, int last)
{
    auto *view = child<QTableView>(page, "connectorsTableView");
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell(page, 0));
    if (last > 0)
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ShiftModifier, cell(page, last));
}

ChangeSecretDialog *TestChangeSecret::openFromContextMenu(ConnectorsPage *page, int row)
{
    auto *view = child<QTableView>(page, "connectorsTableView");
    const QPoint at = cell(page, row);
    QContextMenuEvent event(
        QContextMenuEvent::Mouse, at, view->viewport()->mapToGlobal(at), Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &event);
    QMenu *menu = test::waitForChild<QMenu>(page, QStringLiteral("connectorContextMenu"));
    if (!menu)
        return nullptr;
    QTest::keyClick(menu, Qt::Key_H); // C&hange …
    return test::waitForModal<ChangeSecretDialog>();
}

void TestChangeSecret::actionFollowsMouseSelection_data()
{
    QTest::addColumn<QString>("application");
    QTest::addColumn<QString>("authType");
    QTest::addColumn<QStringList>("identities");
    QTest::addColumn<QString>("text");
    // The identity compared as import compares it: case and surrounding spaces aside.
    QTest::newRow("Jama Basic") << kJama << QStringLiteral("basic")
                                << QStringList { QStringLiteral("svc"), QStringLiteral("SVC"),
                                       QStringLiteral(" svc ") }
                                << QStringLiteral("C&hange Password…");
    QTest::newRow("Jama oAuth") << kJama << QStringLiteral("oauth")
                                << QStringList(3, QStringLiteral("client-1"))
                                << QStringLiteral("C&hange Client Secret…");
    QTest::newRow("Jira Cloud API token")
        << QStringLiteral("jira-cloud") << QStringLiteral("api-token")
        << QStringList(3, QStringLiteral("svc@example.com")) << QStringLiteral("C&hange Token…");
    QTest::newRow("Jira Data Center Basic")
        << QStringLiteral("jira-data-center") << QStringLiteral("basic")
        << QStringList(3, QStringLiteral("svc")) << QStringLiteral("C&hange Password…");
}

void TestChangeSecret::actionFollowsMouseSelection()
{
    QFETCH(QString, application);
    QFETCH(QString, authType);
    QFETCH(QStringList, identities);
    QFETCH(QString, text);
    const QList<QUuid> ids
        = addThree(&m_fx->repository, application, authType, identities, QStringLiteral("h"));
    ConnectorsPage *page = m_fx->page.get();
    QAction *action = page->changeSecretAction();
    QVERIFY(!action->isEnabled()); // nothing selected
    QVERIFY(!action->toolTip().isEmpty());

    selectByMouse(page, 2);
    QCOMPARE(page->selectedIds(), ids);
    QVERIFY2(action->isEnabled(), qPrintable(action->toolTip()));
    QCOMPARE(action->text(), text);

    // One alone, too (Ctrl+click two of them away).
    auto *view = child<QTableView>(page, "connectorsTableView");
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, cell(page, 0));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, cell(page, 2));
    QCOMPARE(page->selectedIds(), QList<QUuid> { ids.at(1) });
    QVERIFY(action->isEnabled());
    QCOMPARE(action->text(), text);

    // In the context menu, at the row the user right-clicked (one of the selected).
    auto *dialog = openFromContextMenu(page, 1);
    QVERIFY(dialog);
    QCOMPARE(dialog->currentTarget().connectors.size(), 1);
    QCOMPARE(dialog->windowTitle(), QString(text).remove(QLatin1Char('&')).chopped(1));
    key(Qt::Key_Escape);
    QTRY_VERIFY(!QApplication::activeModalWidget());
}

void TestChangeSecret::differentAccountsDisable()
{
    const QList<QUuid> ids = addThree(&m_fx->repository, kJama, QStringLiteral("basic"),
        { QStringLiteral("svc"), QStringLiteral("svc"), QStringLiteral("someone-else") },
        QStringLiteral("d"));
    ConnectorsPage *page = m_fx->page.get();
    QAction *action = page->changeSecretAction();
    auto *view = child<QTableView>(page, "connectorsTableView");
    selectByMouse(page, 2);
    QCOMPARE(page->selectedIds().size(), 3);
    QVERIFY(!action->isEnabled());
    QCOMPARE(action->toolTip(), QStringLiteral("The selected connectors use different accounts."));
    QCOMPARE(action->text(), QStringLiteral("C&hange Password…")); // they share the method
    // The other account's connector Ctrl+clicked away: the two left share one.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, cell(page, 2));
    QCOMPARE(page->selectedIds(), ids.mid(0, 2));
    QVERIFY(action->isEnabled());

    // Another method: the reason says so, and the text is the neutral one.
    const QUuid oauth = test::addConnector(&m_fx->repository,
        test::makeConnector(QStringLiteral("D fourth"), QStringLiteral("https://d4"),
            QStringLiteral("oauth"), QStringLiteral("svc")),
        QStringLiteral("x"));
    QVERIFY(!oauth.isNull());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, cell(page, 3));
    QCOMPARE(page->selectedIds().size(), 3);
    QVERIFY(!action->isEnabled());
    QCOMPARE(action->toolTip(),
        QStringLiteral("The selected connectors use different authentication types."));
    QCOMPARE(action->text(), QStringLiteral("C&hange Secret…"));
}

void TestChangeSecret::tokensNameNoAccount()
{
    // A personal access token names no account: several only when checks found the same one.
    const QString dc = QStringLiteral("jira-data-center");
    const QList<QUuid> ids = addThree(&m_fx->repository, dc, QStringLiteral("pat"),
        QStringList(3, QString()), QStringLiteral("p"));
    ConnectorsPage *page = m_fx->page.get();
    QAction *action = page->changeSecretAction();
    selectByMouse(page, 2);
    QCOMPARE(page->selectedIds().size(), 3);
    QVERIFY(!action->isEnabled());
    QVERIFY2(action->toolTip().contains(QStringLiteral("names no account")),
        qPrintable(action->toolTip()));
    QCOMPARE(action->text(), QStringLiteral("C&hange Token…"));
    selectByMouse(page, 0); // one alone
    QVERIFY(action->isEnabled());

    for (const QUuid &id : ids) {
        ValidationState checked;
        checked.status = ValidationStatus::Verified;
        checked.account.username = QStringLiteral("svc");
        QVERIFY(m_fx->repository.recordValidation(id, checked));
    }
    selectByMouse(page, 2);
    QVERIFY2(action->isEnabled(), qPrintable(action->toolTip()));
}

void TestChangeSecret::targetIsPure()
{
    Connector a = test::makeConnector(QStringLiteral("a"), QStringLiteral("https://a"));
    Connector b = a;
    b.name = QStringLiteral("b");
    QVERIFY(ChangeSecretDialog::target({ a, b }).ok());
    QCOMPARE(ChangeSecretDialog::target({ a, b }).account, QStringLiteral("jdoe"));
    b.application = QStringLiteral("jira-data-center");
    QCOMPARE(ChangeSecretDialog::target({ a, b }).problem,
        QStringLiteral("The selected connectors are for different applications."));
    QVERIFY(!ChangeSecretDialog::target({}).ok());
    Connector future = a;
    future.application = QStringLiteral("from-the-future");
    QVERIFY(ChangeSecretDialog::target({ future }).problem.contains(QStringLiteral("newer")));
    QCOMPARE(ChangeSecretDialog::secretKind(nullptr), ChangeSecretDialog::SecretKind::Secret);
}

void TestChangeSecret::changeByKeyboardInWindow()
{
    // The window: its validator takes validateRequested (offline: nothing goes out).
    test::MainWindowFixture app;
    QVERIFY(app.open());
    ConnectorRepository *repository = app.window()->repository();
    const QList<QUuid> ids = addThree(repository, kJama, QStringLiteral("basic"),
        QStringList(3, QStringLiteral("svc")), QStringLiteral("k"));
    ValidationState rejected;
    rejected.status = ValidationStatus::Failed;
    rejected.message = QStringLiteral("The server rejected the username or password.");
    rejected.credentialsRejected = true;
    QVERIFY(repository->recordValidation(ids.at(1), rejected));
    ConnectorsPage *page = app.window()->connectorsPage();

    // In the window's menu next to the page's other secret command, with a mnemonic that
    // clashes with nothing there.
    const QList<QAction *> menu = app.window()->headerBar()->menu()->actions();
    QCOMPARE(
        menu.indexOf(page->changeSecretAction()), menu.indexOf(page->enterSecretsAction()) + 1);
    selectByMouse(page, 2);
    QCOMPARE(page->selectedIds(), ids);
    QCOMPARE(page->changeSecretAction()->text(), QStringLiteral("C&hange Password…"));
    const QStringList clashes = test::duplicateMnemonics(app.window(), QStringLiteral("window"));
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));

    QSignalSpy validate(page, &ConnectorsPage::validateRequested);
    QPointer<ChangeSecretDialog> dialog = openFromContextMenu(page, 1);
    QVERIFY(dialog);
    QCOMPARE(page->selectedIds(), ids); // the right-click kept the selection
    QVERIFY(dialog->isModal());
    QCOMPARE(QApplication::focusWidget(), dialog->newSecretEdit());
    QVERIFY(!dialog->changeButton()->isEnabled());
    QCOMPARE(dialog->changeButton()->text(), QStringLiteral("C&hange Password"));
    auto *list = child<QListWidget>(dialog, "connectorsListWidget");
    QCOMPARE(list->count(), 3);
    QVERIFY(list->item(1)->text().startsWith(QStringLiteral("B second")));
    QVERIFY(child<QLabel>(dialog, "accountValueLabel")->text().startsWith(QStringLiteral("svc")));

    const QString secret = QStringLiteral("N3w-secret!");
    type(secret);
    key(Qt::Key_Return); // on to the confirm field
    QCOMPARE(QApplication::focusWidget(), dialog->confirmSecretEdit());
    type(secret);
    QVERIFY(dialog->changeButton()->isEnabled());
    key(Qt::Key_Return);
    QTRY_VERIFY(!dialog);

    for (const QUuid &id : ids) {
        const std::optional<Connector> c = repository->find(id);
        QVERIFY(c);
        QCOMPARE(app.secrets()->contents().value(secretKey(*c)), secret);
        QVERIFY(!c->validation.credentialsRejected);
        QVERIFY(!c->needsSecret);
    }
    QTRY_COMPARE(validate.size(), 3);
    QList<QUuid> asked;
    for (const QList<QVariant> &args : std::as_const(validate))
        asked << args.at(0).toUuid();
    QCOMPARE(sorted(asked), sorted(ids));
    QCOMPARE(page->pageMessage()->text(),
        QStringLiteral("Changed the password of 3 connectors; checking them again."));
    QCOMPARE(page->pageMessage()->kind(), InlineMessage::Kind::Success);
}

void TestChangeSecret::mismatchAndEmptyCallNothing()
{
    const QList<QUuid> ids = addThree(&m_fx->repository, kJama, QStringLiteral("basic"),
        QStringList(3, QStringLiteral("svc")), QStringLiteral("m"));
    ConnectorsPage *page = m_fx->page.get();
    selectByMouse(page, 2);
    m_fx->faulty.reset();
    const int calls = m_fx->memory.callCount();
    QSignalSpy updated(&m_fx->repository, &ConnectorRepository::connectorUpdated);
    QSignalSpy changed(page, &ConnectorsPage::validateRequested);

    QPointer<ChangeSecretDialog> dialog = openFromContextMenu(page, 0);
    QVERIFY(dialog);
    InlineMessage *error = dialog->secretMessage();
    QVERIFY(!error->isVisible());
    key(Qt::Key_Return); // nothing typed
    QVERIFY(error->isVisible());
    QCOMPARE(error->text(), QStringLiteral("Enter the new password."));
    QCOMPARE(error->kind(), InlineMessage::Kind::Error);
    QVERIFY(dialog->isVisible());

    type(QStringLiteral("abc"));
    QVERIFY(!error->isVisible()); // corrected
    key(Qt::Key_Tab);
    key(Qt::Key_Return); // confirm empty
    QCOMPARE(error->text(), QStringLiteral("Enter the new password again to confirm it."));
    type(QStringLiteral("abd"));
    key(Qt::Key_Return);
    QCOMPARE(error->text(),
        QStringLiteral("The two entries differ: type the same password in both fields."));
    QVERIFY(!dialog->changeButton()->isEnabled());
    dialog->startChange(); // even asked for directly: nothing
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->isChanging());
    QTest::qWait(50);
    QCOMPARE(m_fx->memory.callCount(), calls);
    QCOMPARE(m_fx->faulty.writes(), 0);
    QVERIFY(!m_fx->repository.isBusy());
    QCOMPARE(updated.size(), 0);
    QCOMPARE(changed.size(), 0);
    for (const QUuid &id : ids)
        QCOMPARE(m_fx->secretOf(id), QStringLiteral("old-") + m_fx->repository.find(id)->name);

    key(Qt::Key_Backspace);
    type(QStringLiteral("c"));
    QVERIFY(!error->isVisible());
    QVERIFY(dialog->changeButton()->isEnabled());
    // Closing clears both fields (no secret stays in a closed dialog's widgets).
    QString left = QStringLiteral("not closed");
    connect(dialog, &QDialog::finished, this,
        [&] { left = dialog->newSecretEdit()->text() + dialog->confirmSecretEdit()->text(); });
    key(Qt::Key_Escape);
    QTRY_VERIFY(!dialog);
    QCOMPARE(left, QString());
    QCOMPARE(m_fx->faulty.writes(), 0);
}

void TestChangeSecret::progressWhileChanging()
{
    const QList<QUuid> ids = addThree(&m_fx->repository, kJama, QStringLiteral("basic"),
        QStringList(3, QStringLiteral("svc")), QStringLiteral("p"));
    ConnectorsPage *page = m_fx->page.get();
    selectByMouse(page, 2);
    QSignalSpy validate(page, &ConnectorsPage::validateRequested);
    QPointer<ChangeSecretDialog> dialog = openFromContextMenu(page, 2);
    QVERIFY(dialog);
    m_fx->memory.setDelay(100); // a slow keychain
    typeTwice(QStringLiteral("slow"));
    key(Qt::Key_Return);
    QVERIFY(dialog->isChanging());
    QVERIFY(!dialog->newSecretEdit()->isEnabled());
    QVERIFY(!dialog->confirmSecretEdit()->isEnabled());
    QVERIFY(!dialog->changeButton()->isEnabled());
    QVERIFY(!dialog->cancelButton()->isEnabled());
    QCOMPARE(
        dialog->changeMessage()->text(), QStringLiteral("Changing the password of 3 connectors…"));
    dialog->reject(); // Esc waits for the keychain
    QVERIFY(dialog && dialog->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog, 10000);
    for (const QUuid &id : ids)
        QCOMPARE(m_fx->secretOf(id), QStringLiteral("slow"));
    QCOMPARE(validate.size(), 3);
    // No validator on this page: the message does not promise a check.
    QCOMPARE(page->pageMessage()->text(),
        QStringLiteral("Changed the password of 3 connectors: they are not verified until they "
                       "are checked again."));
}

void TestChangeSecret::failedWriteChangesNothing()
{
    const QList<QUuid> ids = addThree(&m_fx->repository, kJama, QStringLiteral("basic"),
        QStringList(3, QStringLiteral("svc")), QStringLiteral("f"));
    ValidationState rejected;
    rejected.status = ValidationStatus::Failed;
    rejected.message = QStringLiteral("Rejected.");
    rejected.credentialsRejected = true;
    QVERIFY(m_fx->repository.recordValidation(ids.at(0), rejected));
    QList<Connector> before;
    for (const QUuid &id : ids)
        before << *m_fx->repository.find(id);
    ConnectorsPage *page = m_fx->page.get();
    selectByMouse(page, 2);
    QSignalSpy validate(page, &ConnectorsPage::validateRequested);
    QPointer<ChangeSecretDialog> dialog = openFromContextMenu(page, 0);
    QVERIFY(dialog);
    m_fx->faulty.reset();
    m_fx->faulty.failWrite(2); // the second connector's

    const QString secret = QStringLiteral("never-stored");
    typeTwice(secret);
    key(Qt::Key_Return);
    QTRY_VERIFY(!dialog->isChanging());
    QVERIFY(dialog->isVisible());
    InlineMessage *message = dialog->changeMessage();
    QCOMPARE(message->kind(), InlineMessage::Kind::Error);
    QVERIFY2(message->text().contains(QStringLiteral("“B second”")), qPrintable(message->text()));
    QVERIFY2(message->text().startsWith(QStringLiteral("Nothing was changed.")),
        qPrintable(message->text()));
    // The one whose write failed is pointed at.
    QCOMPARE(child<QListWidget>(dialog, "connectorsListWidget")->currentRow(), 1);
    // Nothing lost: the inputs are enabled again with what was typed.
    QVERIFY(dialog->newSecretEdit()->isEnabled());
    QVERIFY(dialog->confirmSecretEdit()->isEnabled());
    QVERIFY(dialog->cancelButton()->isEnabled());
    QCOMPARE(dialog->newSecretEdit()->text(), secret);
    QCOMPARE(dialog->confirmSecretEdit()->text(), secret);
    QVERIFY(dialog->changeButton()->isEnabled());
    // Every old secret is intact, and the connectors are as they were (still rejected).
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(m_fx->secretOf(ids.at(i)), QStringLiteral("old-") + before.at(i).name);
        QVERIFY(*m_fx->repository.find(ids.at(i)) == before.at(i));
    }
    QCOMPARE(validate.size(), 0);

    // Again, with the keychain working: Enter in the dialog.
    m_fx->faulty.reset();
    QCOMPARE(QApplication::focusWidget(), dialog->newSecretEdit());
    key(Qt::Key_Return);
    QTRY_VERIFY(!dialog);
    for (const QUuid &id : ids)
        QCOMPARE(m_fx->secretOf(id), secret);
    QVERIFY(!m_fx->repository.find(ids.at(0))->validation.credentialsRejected);
    QCOMPARE(validate.size(), 3);
}

void TestChangeSecret::accessibleNamesAndHostileText()
{
    const QStringList names { QStringLiteral("<b>x</b>"),
        QStringLiteral("Bell\aand\x1b[31mred\x1b]52;c;AAAA\a"),
        QStringLiteral("Over\u202Eride\nline") };
    QList<QUuid> ids;
    for (int i = 0; i < names.size(); ++i)
        ids << test::addConnector(&m_fx->repository,
            test::makeConnector(names.at(i), QStringLiteral("https://e%1").arg(i),
                QStringLiteral("oauth"), QStringLiteral("<i>client</i>")),
            QStringLiteral("old"));
    ConnectorsPage *page = m_fx->page.get();
    page->selectConnectors(ids);
    QVERIFY(page->changeSecretAction()->isEnabled());
    page->changeSecretAction()->trigger();
    QPointer<ChangeSecretDialog> dialog = test::waitForModal<ChangeSecretDialog>();
    QVERIFY(dialog);

    // Every input is named as its label reads; the labels lead to them.
    for (const QString &field : { QStringLiteral("newSecret"), QStringLiteral("confirmSecret") }) {
        auto *label = child<QLabel>(dialog, field + QStringLiteral("Label"));
        auto *edit = child<SecretLineEdit>(dialog, field + QStringLiteral("LineEdit"));
        QVERIFY(label && edit);
        QCOMPARE(label->buddy(), edit);
        QCOMPARE(edit->accessibleName(), QString(label->text()).remove(QLatin1Char('&')));
        QCOMPARE(edit->echoMode(), QLineEdit::Password);
    }
    QCOMPARE(child<QLabel>(dialog, "newSecretLabel")->text(), QStringLiteral("&New client secret"));
    QCOMPARE(dialog->changeButton()->accessibleName(),
        QString(dialog->changeButton()->text()).remove(QLatin1Char('&')));
    // The show/hide toggle of secret fields elsewhere (Ctrl+H).
    key(Qt::Key_H, Qt::ControlModifier);
    QCOMPARE(dialog->newSecretEdit()->echoMode(), QLineEdit::Normal);
    key(Qt::Key_H, Qt::ControlModifier);
    QCOMPARE(dialog->newSecretEdit()->echoMode(), QLineEdit::Password);
    const QStringList clashes = test::duplicateMnemonics(dialog, QStringLiteral("dialog"));
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));

    // Names and the account shown inert, as plain text: no markup, no control character.
    auto *list = child<QListWidget>(dialog, "connectorsListWidget");
    QCOMPARE(list->count(), 3);
    QSet<QString> shown;
    for (int row = 0; row < list->count(); ++row) {
        const QString text = list->item(row)->text();
        QCOMPARE(Text::firstControl(text), char32_t(0));
        shown.insert(text.section(QStringLiteral(" — "), 0, 0));
        // A tool tip would guess the format: it is handed over as plain text.
        const QString tip = list->item(row)->toolTip();
        QVERIFY2(!tip.contains(QStringLiteral("<b>x</b>")), qPrintable(tip));
    }
    QSet<QString> expected;
    for (const QString &name : names)
        expected.insert(Text::inert(name));
    QCOMPARE(shown, expected);
    QVERIFY(shown.contains(QStringLiteral("<b>x</b>"))); // shown as written
    auto *account = child<QLabel>(dialog, "accountValueLabel");
    QCOMPARE(account->textFormat(), Qt::PlainText);
    QVERIFY(account->text().startsWith(QStringLiteral("<i>client</i>")));
    QCOMPARE(child<QLabel>(dialog, "introLabel")->textFormat(), Qt::PlainText);
    key(Qt::Key_Escape);
    QTRY_VERIFY(!dialog);

    // One connector: its name in the progress and in the page's message, inert.
    page->selectConnectors({ ids.at(1) });
    page->changeSecretAction()->trigger();
    dialog = test::waitForModal<ChangeSecretDialog>();
    QVERIFY(dialog);
    QCOMPARE(child<QListWidget>(dialog, "connectorsListWidget")->count(), 1);
    typeTwice(QStringLiteral("s"));
    key(Qt::Key_Return);
    QTRY_VERIFY(!dialog);
    const QString text = page->pageMessage()->text();
    QCOMPARE(page->pageMessage()->label()->textFormat(), Qt::PlainText);
    QCOMPARE(Text::firstControl(text), char32_t(0));
    QVERIFY2(text.contains(Text::inert(names.at(1))), qPrintable(text));
    QVERIFY(text.startsWith(QStringLiteral("Changed the client secret of “")));
}

void TestChangeSecret::removedMeanwhileSaysSo()
{
    const QList<QUuid> ids = addThree(&m_fx->repository, kJama, QStringLiteral("basic"),
        QStringList(3, QStringLiteral("svc")), QStringLiteral("r"));
    ConnectorsPage *page = m_fx->page.get();
    selectByMouse(page, 2);
    QPointer<ChangeSecretDialog> dialog = openFromContextMenu(page, 0);
    QVERIFY(dialog);
    typeTwice(QStringLiteral("new"));
    // Deleted (in another window, say) while the dialog is open: removed just before.
    bool removed = false;
    m_fx->repository.remove(ids.at(1), [&](const RepositoryResult &r) { removed = r.ok; });
    key(Qt::Key_Return);
    QTRY_VERIFY(removed);
    QTRY_VERIFY(!dialog->isChanging());
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->changeMessage()->text().contains(QStringLiteral("no longer exists")),
        qPrintable(dialog->changeMessage()->text()));
    for (const QUuid &id : { ids.at(0), ids.at(2) })
        QCOMPARE(m_fx->secretOf(id), QStringLiteral("old-") + m_fx->repository.find(id)->name);
    key(Qt::Key_Escape);
    QTRY_VERIFY(!dialog);
}

void TestChangeSecret::changedElsewhereMeanwhileRefuses()
{
    const QList<QUuid> ids = addThree(&m_fx->repository, kJama, QStringLiteral("basic"),
        QStringList(3, QStringLiteral("svc")), QStringLiteral("m"));
    ConnectorsPage *page = m_fx->page.get();
    selectByMouse(page, 2);
    QPointer<ChangeSecretDialog> dialog = openFromContextMenu(page, 0);
    QVERIFY(dialog);
    typeTwice(QStringLiteral("new"));
    // Another process moves the second connector to another account while the dialog is
    // open: the new password must not go to it (nor to the others: all or nothing).
    {
        ConnectorStore other(m_fx->dir.path());
        QList<Connector> loaded;
        QString error;
        QVERIFY2(other.load(&loaded, &error), qPrintable(error));
        Connector c = *m_fx->repository.find(ids.at(1));
        c.identity = QStringLiteral("someone-else");
        c.updatedAt = c.updatedAt.addSecs(5);
        QVERIFY2(other.update(c, &error), qPrintable(error));
    }
    key(Qt::Key_Return);
    QTRY_VERIFY(!dialog->isChanging());
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->changeMessage()->text().contains(QStringLiteral("changed meanwhile")),
        qPrintable(dialog->changeMessage()->text()));
    QCOMPARE(m_fx->repository.find(ids.at(1))->identity, QStringLiteral("someone-else"));
    for (const QUuid &id : ids)
        QCOMPARE(m_fx->secretOf(id), QStringLiteral("old-") + m_fx->repository.find(id)->name);
    key(Qt::Key_Escape);
    QTRY_VERIFY(!dialog);
}

void TestChangeSecret::blockedStoreSaysSo()
{
    // A database of a newer major version: shown read-only.
    test::MainWindowFixture app;
    QVERIFY(app.open());
    const QList<QUuid> ids = addThree(app.window()->repository(), kJama, QStringLiteral("basic"),
        QStringList(3, QStringLiteral("svc")), QStringLiteral("b"));
    app.close();
    QVERIFY(test::SqliteConnection(app.filePath(QStringLiteral("connectors.db")))
                .exec(QStringLiteral("PRAGMA user_version = 2000")));
    QVERIFY(app.open());
    ConnectorRepository *repository = app.window()->repository();
    QVERIFY(repository->isBlocked());
    ConnectorsPage *page = app.window()->connectorsPage();
    selectByMouse(page, 2);
    QCOMPARE(page->selectedIds().size(), 3);
    QVERIFY(!page->changeSecretAction()->isEnabled());
    QCOMPARE(page->changeSecretAction()->toolTip(),
        QStringLiteral("Connectors cannot be saved until the unreadable file is dealt with."));
    // Asked for anyway: the repository's reason is shown, and nothing is written.
    auto *dialog = new ChangeSecretDialog(repository, ids, app.window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    QPointer<ChangeSecretDialog> guard = test::waitForModal<ChangeSecretDialog>();
    QVERIFY(guard);
    const QHash<QString, QString> before = app.secrets()->contents();
    typeTwice(QStringLiteral("x"));
    key(Qt::Key_Return);
    QTRY_VERIFY(!dialog->isChanging());
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->changeMessage()->text(),
        QStringLiteral("Nothing was changed. %1").arg(repository->loadError()));
    QCOMPARE(app.secrets()->contents(), before);
    key(Qt::Key_Escape);
    QTRY_VERIFY(!guard);
}

void TestChangeSecret::throughTheKeychain()
{
    if (!test::secretServiceAvailable())
        QSKIP("needs the Secret Service (scripts/test provides one)");
    test::MainWindowFixture::Options options;
    options.osKeychain = true;
    test::MainWindowFixture app(options);
    QVERIFY(app.open());
    ConnectorRepository *repository = app.window()->repository();
    QList<QUuid> ids;
    for (const QString &name : { QStringLiteral("Keychain one"), QStringLiteral("Keychain two") })
        ids << test::addConnector(repository,
            test::makeConnector(name, QStringLiteral("https://kc.example.com/") + name.back(),
                QStringLiteral("basic"), QStringLiteral("svc")),
            QStringLiteral("old-keychain"));
    ConnectorsPage *page = app.window()->connectorsPage();
    selectByMouse(page, 1);
    QCOMPARE(sorted(page->selectedIds()), sorted(ids));
    QPointer<ChangeSecretDialog> dialog = openFromContextMenu(page, 0);
    QVERIFY(dialog);
    const QString secret = QStringLiteral("rotated-in-the-keychain");
    typeTwice(secret);
    key(Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog, 20000);
    for (const QUuid &id : ids) {
        QString read;
        bool answered = false;
        repository->readSecret(id, this, [&](const SecretResult &r) {
            read = r.secret;
            answered = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(answered, 20000);
        QCOMPARE(read, secret);
    }
    // Leaves nothing behind in the keychain.
    for (const QUuid &id : ids) {
        const RepositoryResult r
            = test::waitFor([&](RepositoryCallback done) { repository->remove(id, done); }, 20000);
        QVERIFY2(r.ok, qPrintable(r.error));
    }
}

QTEST_MAIN(TestChangeSecret)
#include "tst_changesecret.moc"
