// The connector's scope and the checklist of a check, through the real widgets against the
// fake servers on loopback ports: the Projects field and Load Projects (completion of keys)
// in the dialog, the checklist of Test Connection (keyboard and mouse), the checklist and the
// projects in Details and in Copy Diagnostics, editing the projects, hostile server text,
// and the dialog's mnemonics for every application.
#include "AuthEditor.h"
#include "ChecklistView.h"
#include "ConnectorDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "FakeJamaServer.h"
#include "FakeJiraServer.h"
#include "GuiTestSupport.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "NetworkStatus.h"
#include "ProjectCompleter.h"
#include "SecretLineEdit.h"
#include "Text.h"
#include "ValidationQueue.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QContextMenuEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

Q_DECLARE_METATYPE(cd::fake::Behaviour)

using namespace cd;
using namespace cd::ui;
using cd::test::child;

namespace {
const QString kSecret = QStringLiteral("s3cret-Pa55-only-here");

QString withoutMnemonic(QString text)
{
    return text.remove(QLatin1Char('&'));
}

// The status of the checklist step `id` ("project:DEMO"), or "absent".
QString statusOf(const QList<CheckItem> &checks, const QString &id)
{
    for (const CheckItem &c : checks) {
        if (c.id == id)
            return checkStatusId(c.status);
    }
    return QStringLiteral("absent");
}

QStringList idsOf(const QList<CheckItem> &checks)
{
    QStringList ids;
    for (const CheckItem &c : checks)
        ids << c.id;
    return ids;
}
} // namespace

class TestChecklist : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void statusTexts();
    void keyboardTestShowsChecklist();
    void checkingProjectsIsShown();
    void mouseTestAndLoadProjects();
    void cancelLoading_data();
    void cancelLoading();
    void closingWhileLoadingCancels();
    void loadFailureSaysWhatToDo();
    void invalidProjectsAreNotTested();
    void hostileServerTextStaysInert();
    void detailsAndDiagnostics();
    void editShowsAndSavesProjects();
    void loadWithStoredSecret();
    void jiraChecklist();
    void noDuplicateMnemonics_data();
    void noDuplicateMnemonics();

private:
    MainWindow *window() const { return m_app->window(); }
    // Add New Connector, by Ctrl+N, as the modal window.
    ConnectorDialog *openDialog();
    // Types into the fields of `dialog` (Jama Connect, Basic).
    void fill(ConnectorDialog *dialog, const QString &user, const QString &password,
        const QString &projects);
    static ChecklistView *checklistOf(ConnectorDialog *dialog)
    {
        return child<ChecklistView>(dialog, QStringLiteral("checklistView"));
    }
    static QLineEdit *projectsOf(ConnectorDialog *dialog)
    {
        return child<QLineEdit>(dialog, QStringLiteral("projectsLineEdit"));
    }
    static QPushButton *loadButtonOf(ConnectorDialog *dialog)
    {
        return child<QPushButton>(dialog, QStringLiteral("loadProjectsButton"));
    }
    QString listStatus(const QUuid &id) const;

    std::unique_ptr<fake::FakeJamaServer> m_server;
    std::unique_ptr<test::MainWindowFixture> m_app;
};

void TestChecklist::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestChecklist::init()
{
    m_server = std::make_unique<fake::FakeJamaServer>();
    // An account that sees DEMO only, with a secret found nowhere else.
    fake::FakeAccount scoped;
    scoped.username = QStringLiteral("scoped");
    scoped.password = kSecret;
    scoped.firstName = QStringLiteral("Scoped");
    scoped.lastName = QStringLiteral("Service");
    scoped.visibleProjects = QStringList { QStringLiteral("DEMO") };
    m_server->addAccount(scoped);
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));
    test::MainWindowFixture::Options options;
    options.network = NetworkStatus::State::Online;
    m_app = std::make_unique<test::MainWindowFixture>(options);
    QVERIFY(m_app->open());
}

void TestChecklist::cleanup()
{
    if (m_app)
        m_app->close(); // the window before the server it talks to
    m_app.reset();
    m_server.reset();
}

ConnectorDialog *TestChecklist::openDialog()
{
    QApplication::setActiveWindow(window());
    QTest::keyClick(window(), Qt::Key_N, Qt::ControlModifier);
    return test::waitForModal<ConnectorDialog>();
}

void TestChecklist::fill(
    ConnectorDialog *dialog, const QString &user, const QString &password, const QString &projects)
{
    QTest::keyClicks(child<QLineEdit>(dialog, "nameLineEdit"), QStringLiteral("Scoped Jama"));
    QTest::keyClicks(child<QLineEdit>(dialog, "urlLineEdit"), m_server->baseUrl().toString());
    QTest::keyClicks(dialog->currentAuthEditor()->identityEdit(), user);
    QTest::keyClicks(dialog->currentAuthEditor()->secretEdit(), password);
    QTest::keyClicks(projectsOf(dialog), projects);
}

QString TestChecklist::listStatus(const QUuid &id) const
{
    ConnectorListModel *model = window()->connectorsPage()->model();
    return model->index(model->rowOf(id), ConnectorListModel::StatusColumn).data().toString();
}

void TestChecklist::statusTexts()
{
    QCOMPARE(ConnectorDialog::statusText(ValidationJob::Status::RequestingProjects, "h"),
        QStringLiteral("Checking projects…"));
    QCOMPARE(ConnectorDialog::statusText(ValidationJob::Status::Idle, QStringLiteral("acme")),
        QStringLiteral("Connecting to acme…"));
    QVERIFY(ConnectorDialog::statusText(ValidationJob::Status::Finished, "h").isEmpty());
    // One row as copied, and as a screen reader says it.
    CheckItem item { QStringLiteral("credentials"), CheckStatus::Pass,
        QStringLiteral("Credentials"), QStringLiteral("Accepted: signed in as Jo.") };
    QCOMPARE(ChecklistView::lines({ item }).value(0),
        QStringLiteral("[pass] Credentials: Accepted: signed in as Jo."));
    QCOMPARE(ChecklistView::accessibleText(item),
        QStringLiteral("Pass: Credentials — Accepted: signed in as Jo."));
    // The completer's token: what follows the last separator.
    QCOMPARE(ProjectCompleter::headOf(QStringLiteral("DEMO, P11")), QStringLiteral("DEMO, "));
    QCOMPARE(ProjectCompleter::tailOf(QStringLiteral("DEMO, P11")), QStringLiteral("P11"));
    QCOMPARE(ProjectCompleter::tailOf(QStringLiteral("DEMO;OPS")), QStringLiteral("OPS"));
    QCOMPARE(ProjectCompleter::headOf(QStringLiteral("P1")), QString());
}

void TestChecklist::keyboardTestShowsChecklist()
{
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    const auto key = [](Qt::Key k, Qt::KeyboardModifiers m = Qt::NoModifier) {
        QTest::keyClick(QApplication::focusWidget(), k, m);
    };
    const auto type
        = [](const QString &text) { QTest::keyClicks(QApplication::focusWidget(), text); };
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "nameLineEdit"));
    type(QStringLiteral("Scoped by keyboard"));
    key(Qt::Key_Tab);
    type(m_server->baseUrl().toString());
    key(Qt::Key_Tab); // Verify SSL
    key(Qt::Key_Tab); // Authentication Type
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), dialog->currentAuthEditor()->identityEdit());
    type(QStringLiteral("named"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), dialog->currentAuthEditor()->secretEdit());
    type(QStringLiteral("password"));
    // After the credentials: Projects, then Load Projects, then Test Connection.
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), projectsOf(dialog));
    type(QStringLiteral("DEMO, NOPE"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), loadButtonOf(dialog));
    key(Qt::Key_Tab);
    auto *test = child<QPushButton>(dialog, "testConnectionPushButton");
    QCOMPARE(QApplication::focusWidget(), test);
    key(Qt::Key_Space);
    QVERIFY(dialog->isTesting());

    ChecklistView *view = checklistOf(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isTesting(), 15000);
    QVERIFY(view->isVisible());
    const QList<CheckItem> checks = view->checks();
    QCOMPARE(statusOf(checks, "reachable"), QStringLiteral("pass"));
    QCOMPARE(statusOf(checks, "credentials"), QStringLiteral("pass"));
    QCOMPARE(statusOf(checks, "project:DEMO"), QStringLiteral("pass"));
    QCOMPARE(statusOf(checks, "project:NOPE"), QStringLiteral("fail"));
    QCOMPARE(statusOf(checks, "write-access"), QStringLiteral("unknown"));
    QCOMPARE(statusOf(checks, "admin"), QStringLiteral("unknown"));
    // The overall message stays, and says it failed (a project cannot be read).
    auto *msg = child<InlineMessage>(dialog, "testMessage");
    QVERIFY(msg->isVisible());
    QCOMPARE(msg->kind(), InlineMessage::Kind::Error);
    QVERIFY2(msg->text().contains(QLatin1String("NOPE")), qPrintable(msg->text()));

    // One row per step, each said as "<status>: <label> — <message>".
    QCOMPARE(view->topLevelItemCount(), checks.size());
    for (int row = 0; row < checks.size(); ++row) {
        const CheckItem &c = checks.at(row);
        QTreeWidgetItem *item = view->topLevelItem(row);
        QCOMPARE(item->text(ChecklistView::CheckColumn), c.label);
        QCOMPARE(item->text(ChecklistView::ResultColumn), c.message);
        QVERIFY(!item->icon(ChecklistView::CheckColumn).isNull());
        QCOMPARE(item->data(ChecklistView::CheckColumn, Qt::AccessibleTextRole).toString(),
            QStringLiteral("%1: %2 — %3")
                .arg(checkStatusDisplayName(c.status), c.label, c.message));
        QVERIFY(!(item->flags() & Qt::ItemIsEditable));
    }
    const int demo = int(idsOf(checks).indexOf(QStringLiteral("project:DEMO")));
    QVERIFY(view->topLevelItem(demo)
                ->data(ChecklistView::ResultColumn, Qt::AccessibleTextRole)
                .toString()
                .startsWith(QStringLiteral("Pass: Project DEMO — ")));
    const int nope = int(idsOf(checks).indexOf(QStringLiteral("project:NOPE")));
    QVERIFY(view->topLevelItem(nope)
                ->data(ChecklistView::CheckColumn, Qt::AccessibleTextRole)
                .toString()
                .startsWith(QStringLiteral("Failed: Project NOPE — ")));

    // The list is a Tab stop (before Test Connection); Ctrl+C copies every row.
    QCOMPARE(QApplication::focusWidget(), test);
    key(Qt::Key_Backtab);
    QCOMPARE(QApplication::focusWidget(), view);
    QApplication::clipboard()->clear();
    key(Qt::Key_C, Qt::ControlModifier);
    const QStringList lines
        = QApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), checks.size());
    QCOMPARE(lines, ChecklistView::lines(checks));
    QVERIFY2(lines.contains(QStringLiteral("[pass] Project DEMO: ") + checks.at(demo).message),
        qPrintable(lines.join(QLatin1Char('\n'))));
    QVERIFY(lines.at(nope).startsWith(QStringLiteral("[fail] Project NOPE: ")));
    QVERIFY(std::any_of(lines.cbegin(), lines.cend(),
        [](const QString &l) { return l.startsWith(QStringLiteral("[unknown] Write access: ")); }));
    QVERIFY(!QApplication::clipboard()->text().contains(QLatin1String("password")));
    dialog->reject();
}

void TestChecklist::checkingProjectsIsShown()
{
    // Every answer takes a while: the steps can be watched as they go.
    m_server->setBehaviour(fake::Behaviour::Slow);
    m_server->setDelayMs(400);
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("named"), QStringLiteral("password"), QStringLiteral("DEMO"));
    child<QPushButton>(dialog, "testConnectionPushButton")->click();
    auto *msg = child<InlineMessage>(dialog, "testMessage");
    QTRY_COMPARE_WITH_TIMEOUT(msg->text(), QStringLiteral("Checking projects…"), 10000);
    QCOMPARE(msg->kind(), InlineMessage::Kind::Information);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isTesting(), 15000);
    QCOMPARE(msg->kind(), InlineMessage::Kind::Success);
    QCOMPARE(statusOf(checklistOf(dialog)->checks(), "project:DEMO"), QStringLiteral("pass"));
    dialog->reject();
}

void TestChecklist::mouseTestAndLoadProjects()
{
    QList<fake::FakeProject> projects = fake::FakeJamaServer::generatedProjects(120);
    projects.prepend({ 20, QStringLiteral("DEMO"), QStringLiteral("Demo project") });
    m_server->setProjects(projects);
    auto *add = child<QPushButton>(window()->connectorsPage(), "emptyAddConnectorPushButton");
    QVERIFY(add->isVisible());
    QTest::mouseClick(add, Qt::LeftButton);
    ConnectorDialog *dialog = test::waitForModal<ConnectorDialog>();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("named"), QStringLiteral("password"), QStringLiteral("DEMO, NOPE"));

    // Test Connection by mouse: the checklist.
    auto *test = child<QPushButton>(dialog, "testConnectionPushButton");
    QTest::mouseClick(test, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isTesting(), 15000);
    ChecklistView *view = checklistOf(dialog);
    QVERIFY(view->isVisible());
    QCOMPARE(statusOf(view->checks(), "project:DEMO"), QStringLiteral("pass"));
    QCOMPARE(statusOf(view->checks(), "project:NOPE"), QStringLiteral("fail"));
    QCOMPARE(statusOf(view->checks(), "write-access"), QStringLiteral("unknown"));
    QCOMPARE(statusOf(view->checks(), "admin"), QStringLiteral("unknown"));

    // Copy from the context menu, by mouse.
    const QPoint at = view->visualItemRect(view->topLevelItem(0)).center();
    QContextMenuEvent event(
        QContextMenuEvent::Mouse, at, view->viewport()->mapToGlobal(at), Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &event);
    QPointer<QMenu> menu = test::waitForChild<QMenu>(view, QStringLiteral("checklistContextMenu"));
    QVERIFY(menu);
    QAction *copy = view->copyAction();
    QVERIFY(menu->actions().contains(copy));
    QCOMPARE(copy->text(), QStringLiteral("&Copy"));
    QApplication::clipboard()->clear();
    QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(copy).center());
    QTRY_COMPARE(QApplication::clipboard()->text(),
        ChecklistView::lines(view->checks()).join(QLatin1Char('\n')) + QLatin1Char('\n'));
    QTRY_VERIFY(!menu); // closed, and gone
    // (The offscreen platform leaves no window active once a popup window goes; a desktop
    // gives the dialog back its activation.)
    dialog->activateWindow();
    QVERIFY(test::activate(dialog));

    // Load Projects by mouse: 121 projects, in three pages, and a note.
    QPushButton *load = loadButtonOf(dialog);
    QVERIFY(load->isVisible());
    QVERIFY(load->isEnabled());
    QTest::mouseClick(load, Qt::LeftButton);
    QVERIFY(dialog->isLoadingProjects());
    QCOMPARE(load->text(), QStringLiteral("Cancel &Loading"));
    auto *note = child<InlineMessage>(dialog, "projectsLoadMessage");
    QVERIFY(note->text().startsWith(QStringLiteral("Loading projects")));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isLoadingProjects(), 15000);
    QCOMPARE(load->text(), QStringLiteral("&Load Projects"));
    QCOMPARE(note->text(), QStringLiteral("121 projects loaded: type to complete."));
    QCOMPARE(note->kind(), InlineMessage::Kind::Success);
    QLineEdit *field = projectsOf(dialog);
    QCompleter *completer = field->completer();
    QVERIFY(completer);
    QCOMPARE(completer, dialog->projectCompleter());
    QCOMPARE(completer->model()->rowCount(), 121);
    QCOMPARE(completer->caseSensitivity(), Qt::CaseInsensitive);

    // "DEMO, p11" offers P110 … P119, shown as "KEY — Name".
    QTest::mouseClick(field, Qt::LeftButton);
    field->selectAll();
    QTest::keyClick(field, Qt::Key_Delete);
    QTest::keyClicks(field, QStringLiteral("DEMO, p11"));
    QAbstractItemView *popup = completer->popup();
    QTRY_VERIFY(popup->isVisible());
    QCOMPARE(completer->completionCount(), 10);
    QStringList offered;
    for (int row = 0; row < popup->model()->rowCount(); ++row)
        offered << popup->model()->index(row, 0).data(ProjectCompleter::KeyRole).toString();
    QStringList expected;
    for (int n = 110; n < 120; ++n)
        expected << QStringLiteral("P%1").arg(n);
    QCOMPARE(offered, expected);
    QCOMPARE(popup->model()->index(2, 0).data().toString(), QStringLiteral("P112 — Project 112"));
    // Chosen by mouse: the key replaces what was typed after the comma, "DEMO, " stays.
    const QRect third = popup->visualRect(popup->model()->index(2, 0));
    // (The pointer comes over the popup first, as a user's does: a press elsewhere closes it.)
    QTest::mouseMove(popup->viewport(), third.center());
    QTRY_VERIFY(popup->underMouse());
    QTest::mouseClick(popup->viewport(), Qt::LeftButton, {}, third.center());
    QTRY_VERIFY(!popup->isVisible());
    QCOMPARE(field->text(), QStringLiteral("DEMO, P112"));
    // Changing the projects makes the test result go: it no longer describes them.
    QVERIFY(!view->isVisible());
    QVERIFY(!dialog->reusableTestResult().has_value());

    // Submit by mouse saves the scope, normalised.
    QSignalSpy saved(dialog, &ConnectorDialog::saved);
    QTest::mouseClick(dialog->submitButton(), Qt::LeftButton);
    QTRY_COMPARE(saved.count(), 1);
    const QUuid id = saved.at(0).at(0).toUuid();
    QCOMPARE(window()->repository()->find(id)->projects,
        (QStringList { QStringLiteral("DEMO"), QStringLiteral("P112") }));
}

void TestChecklist::cancelLoading_data()
{
    QTest::addColumn<bool>("mouse");
    QTest::addColumn<fake::Behaviour>("behaviour");
    QTest::newRow("mouse, never answers") << true << fake::Behaviour::NeverAnswer;
    QTest::newRow("keyboard, slow") << false << fake::Behaviour::Slow;
}

void TestChecklist::cancelLoading()
{
    QFETCH(bool, mouse);
    QFETCH(fake::Behaviour, behaviour);
    m_server->setBehaviour(behaviour);
    m_server->setDelayMs(20000);
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("named"), QStringLiteral("password"), QString());
    QPushButton *load = loadButtonOf(dialog);
    const auto press = [&] {
        if (mouse) {
            QTest::mouseClick(load, Qt::LeftButton);
        } else {
            load->setFocus(Qt::TabFocusReason);
            QTest::keyClick(load, Qt::Key_Space);
        }
    };
    press();
    QVERIFY(dialog->isLoadingProjects());
    QCOMPARE(load->text(), QStringLiteral("Cancel &Loading"));
    QCOMPARE(load->accessibleName(), QStringLiteral("Cancel Loading"));
    auto *note = child<InlineMessage>(dialog, "projectsLoadMessage");
    QCOMPARE(note->text(), QStringLiteral("Loading projects…"));
    // One check at a time: no test while loading.
    QVERIFY(!child<QPushButton>(dialog, "testConnectionPushButton")->isEnabled());
    QTRY_VERIFY(m_server->requestCount() >= 1);
    press();
    QTRY_VERIFY(!dialog->isLoadingProjects());
    QCOMPARE(load->text(), QStringLiteral("&Load Projects"));
    QCOMPARE(load->accessibleName(), QStringLiteral("Load Projects"));
    QVERIFY(!note->isVisible()); // no result
    QVERIFY(!projectsOf(dialog)->completer());
    QVERIFY(child<QPushButton>(dialog, "testConnectionPushButton")->isEnabled());
    QVERIFY(dialog->isVisible());
    dialog->reject();
}

void TestChecklist::closingWhileLoadingCancels()
{
    m_server->setBehaviour(fake::Behaviour::NeverAnswer);
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("named"), QStringLiteral("password"), QString());
    QTest::mouseClick(loadButtonOf(dialog), Qt::LeftButton);
    QVERIFY(dialog->isLoadingProjects());
    QTRY_VERIFY(m_server->requestCount() >= 1);
    QPointer<ConnectorDialog> closing(dialog);
    QTest::keyClick(dialog, Qt::Key_Escape);
    QTRY_VERIFY(!closing); // closed and deleted, the load with it
    QTest::qWait(50);
    QVERIFY(window()->repository()->connectors().isEmpty());
}

void TestChecklist::loadFailureSaysWhatToDo()
{
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("named"), QStringLiteral("wrong"), QString());
    QTest::mouseClick(loadButtonOf(dialog), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isLoadingProjects(), 15000);
    auto *note = child<InlineMessage>(dialog, "projectsLoadMessage");
    QCOMPARE(note->kind(), InlineMessage::Kind::Error);
    QVERIFY2(note->text().contains(QLatin1String("rejected")), qPrintable(note->text()));
    QVERIFY(!projectsOf(dialog)->completer());
    QCOMPARE(m_server->requestCount(), 1); // a 401 is never retried
    dialog->reject();

    // An account that sees nothing: said so, not "0 projects loaded".
    dialog = openDialog();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("no-projects"), QStringLiteral("password"), QString());
    QTest::mouseClick(loadButtonOf(dialog), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isLoadingProjects(), 15000);
    note = child<InlineMessage>(dialog, "projectsLoadMessage");
    QCOMPARE(note->kind(), InlineMessage::Kind::Warning);
    QVERIFY2(note->text().contains(QLatin1String("sees no projects")), qPrintable(note->text()));
    dialog->reject();
}

void TestChecklist::invalidProjectsAreNotTested()
{
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("named"), QStringLiteral("password"),
        QStringLiteral("DEMO, <b>bad</b>"));
    auto *error = child<InlineMessage>(dialog, "projectsMessage");
    QVERIFY(!dialog->submitButton()->isEnabled());
    QTest::mouseClick(child<QPushButton>(dialog, "testConnectionPushButton"), Qt::LeftButton);
    QVERIFY(!dialog->isTesting());
    QVERIFY(error->isVisible());
    QCOMPARE(error->kind(), InlineMessage::Kind::Error);
    QVERIFY2(
        error->text().contains(QLatin1String("is not a project key")), qPrintable(error->text()));
    QCOMPARE(error->label()->textFormat(), Qt::PlainText);
    QCOMPARE(QApplication::focusWidget(), projectsOf(dialog));
    QTest::qWait(100);
    QCOMPARE(m_server->requestCount(), 0);
    // Corrected: the error goes, Submit comes back.
    QLineEdit *field = projectsOf(dialog);
    field->selectAll();
    QTest::keyClicks(field, QStringLiteral("DEMO TEST"));
    QVERIFY(!error->isVisible());
    QVERIFY(dialog->submitButton()->isEnabled());
    QCOMPARE(dialog->currentCheck().normalizedProjects,
        (QStringList { QStringLiteral("DEMO"), QStringLiteral("TEST") }));
    dialog->reject();
}

void TestChecklist::hostileServerTextStaysInert()
{
    const QString hostile = QStringLiteral("<b>Bold</b> <a href=\"https://evil.example\">x</a> "
                                           "\x1b]52;c;ZXZpbA==\x07 \u202Egnp.exe");
    m_server->setProjects({ { 20, QStringLiteral("DEMO"), hostile },
        { 21, QStringLiteral("TEST"), QStringLiteral("Test project") } });
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    fill(dialog, QStringLiteral("named"), QStringLiteral("password"), QStringLiteral("DEMO"));

    // In the completer popup.
    QTest::mouseClick(loadButtonOf(dialog), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isLoadingProjects(), 15000);
    QLineEdit *field = projectsOf(dialog);
    QVERIFY(field->completer());
    field->setFocus(Qt::MouseFocusReason);
    field->selectAll();
    QTest::keyClicks(field, QStringLiteral("de"));
    QAbstractItemView *popup = field->completer()->popup();
    QTRY_VERIFY(popup->isVisible());
    QCOMPARE(popup->model()->rowCount(), 1);
    const QString shown = popup->model()->index(0, 0).data().toString();
    QVERIFY2(shown.startsWith(QStringLiteral("DEMO — <b>Bold</b> <a href=")), qPrintable(shown));
    QCOMPARE(Text::firstControl(shown), char32_t(0));
    QVERIFY2(shown.contains(QLatin1String("\\x1B]52")), qPrintable(shown)); // visible, inert
    QVERIFY(shown.contains(QLatin1String("\\u202E")));
    QVERIFY(!popup->model()->index(0, 0).data(Qt::ToolTipRole).toString().isEmpty());
    QTest::keyClick(popup, Qt::Key_Escape);
    QTRY_VERIFY(!popup->isVisible());
    field->setText(QStringLiteral("DEMO"));

    // In the checklist: as written, plain text, and a tool tip that is not markup.
    QTest::mouseClick(child<QPushButton>(dialog, "testConnectionPushButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isTesting(), 15000);
    ChecklistView *view = checklistOf(dialog);
    const int demo = int(idsOf(view->checks()).indexOf(QStringLiteral("project:DEMO")));
    QVERIFY(demo >= 0);
    QTreeWidgetItem *item = view->topLevelItem(demo);
    const QString message = item->text(ChecklistView::ResultColumn);
    QVERIFY2(message.contains(QLatin1String("<b>Bold</b>")), qPrintable(message));
    QCOMPARE(Text::firstControl(message), char32_t(0));
    const QString tip = item->toolTip(ChecklistView::ResultColumn);
    QVERIFY2(!tip.contains(QLatin1String("<b>")) && !tip.contains(QLatin1String("<a ")),
        qPrintable(tip));
    QVERIFY(tip.contains(QLatin1String("&lt;b&gt;Bold")));
    QCOMPARE(child<InlineMessage>(dialog, "testMessage")->label()->textFormat(), Qt::PlainText);
    dialog->reject();
}

void TestChecklist::detailsAndDiagnostics()
{
    Connector scoped = test::makeConnector(QStringLiteral("Scoped"), m_server->baseUrl().toString(),
        QStringLiteral("basic"), QStringLiteral("scoped"));
    scoped.projects = QStringList { QStringLiteral("DEMO"), QStringLiteral("TEST") };
    const QUuid id = test::addConnector(window()->repository(), scoped, kSecret);
    QVERIFY(!id.isNull());
    // Never checked (it has no secret, so nothing checks it behind the test's back).
    const QUuid plain = test::addWithoutSecret(window()->repository(),
        test::makeConnector(QStringLiteral("Unscoped"), m_server->baseUrl().toString(),
            QStringLiteral("basic"), QStringLiteral("named")));
    QVERIFY(!plain.isNull());
    window()->validationQueue()->enqueue(id);
    // TEST is not visible to this account: the check fails on it.
    QTRY_COMPARE_WITH_TIMEOUT(listStatus(id), QStringLiteral("Failed"), 15000);
    const Connector stored = *window()->repository()->find(id);
    QCOMPARE(statusOf(stored.validation.checks, "project:DEMO"), QStringLiteral("pass"));
    QCOMPARE(statusOf(stored.validation.checks, "project:TEST"), QStringLiteral("fail"));

    ConnectorsPage *page = window()->connectorsPage();
    page->selectConnector(id);
    auto *details = child<QLabel>(page, "detailLabel");
    QTRY_VERIFY(details->text().contains(QStringLiteral("Projects: DEMO, TEST")));
    auto *view = child<ChecklistView>(page, "detailChecklistView");
    QTRY_VERIFY(view->isVisible());
    QCOMPARE(view->checks(), stored.validation.checks);
    QCOMPARE(view->topLevelItemCount(), stored.validation.checks.size());
    QVERIFY(view->focusPolicy() & Qt::TabFocus);
    for (int row = 0; row < view->topLevelItemCount(); ++row)
        QCOMPARE(view->topLevelItem(row)->data(0, Qt::AccessibleTextRole).toString(),
            ChecklistView::accessibleText(stored.validation.checks.at(row)));

    // Copy Diagnostics: the projects and the checklist, never the secret.
    QApplication::clipboard()->clear();
    QApplication::setActiveWindow(window());
    QTest::keyClick(window(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    const QString text = QApplication::clipboard()->text();
    QVERIFY2(text.contains(QStringLiteral("Projects: DEMO, TEST\n")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Checklist:\n")));
    for (const QString &line : ChecklistView::lines(stored.validation.checks))
        QVERIFY2(text.contains(QStringLiteral("  ") + line + QLatin1Char('\n')), qPrintable(line));
    QVERIFY(text.contains(QStringLiteral("  [pass] Project DEMO: ")));
    QVERIFY(text.contains(QStringLiteral("  [fail] Project TEST: ")));
    QVERIFY(!text.contains(kSecret));
    QCOMPARE(text, page->diagnosticsText(id));

    // Not scoped, never checked: said so, and no checklist.
    page->selectConnector(plain);
    QTRY_VERIFY(details->text().contains(QStringLiteral("Projects: none (not scoped)")));
    QVERIFY(!view->isVisible());
    const QString unscoped = page->diagnosticsText(plain);
    QVERIFY(unscoped.contains(QStringLiteral("Projects: none (not scoped)\n")));
    QVERIFY(unscoped.contains(QStringLiteral("Checklist: none\n")));

    // Search finds a connector by a project key too.
    page->proxy()->setSearchText(QStringLiteral("test"));
    QCOMPARE(page->proxy()->rowCount(), 1);
    QCOMPARE(page->proxy()->index(0, 0).data(ConnectorListModel::IdRole).toUuid(), id);
    page->proxy()->setSearchText(QString());
}

void TestChecklist::editShowsAndSavesProjects()
{
    Connector c = test::makeConnector(QStringLiteral("Edited scope"),
        m_server->baseUrl().toString(), QStringLiteral("basic"), QStringLiteral("named"));
    c.projects = QStringList { QStringLiteral("DEMO"), QStringLiteral("TEST") };
    const QUuid id = test::addConnector(window()->repository(), c, QStringLiteral("password"));
    QVERIFY(!id.isNull());
    ConnectorDialog *dialog = window()->connectorsPage()->openEditDialog(id);
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QLineEdit *field = projectsOf(dialog);
    QCOMPARE(field->text(), QStringLiteral("DEMO, TEST"));
    field->setFocus(Qt::MouseFocusReason);
    field->selectAll();
    QTest::keyClicks(field, QStringLiteral("test; ops,Ops"));
    QSignalSpy saved(dialog, &ConnectorDialog::saved);
    QTest::mouseClick(dialog->submitButton(), Qt::LeftButton);
    QTRY_COMPARE(saved.count(), 1);
    QVERIFY(saved.at(0).at(1).toBool()); // another scope: worth checking again
    const QStringList expected { QStringLiteral("test"), QStringLiteral("ops") };
    QCOMPARE(window()->repository()->find(id)->projects, expected);
    // On disk, as another connection reads it.
    ConnectorStore store(m_app->dataDir());
    QList<Connector> list;
    QString error;
    QVERIFY2(store.load(&list, &error), qPrintable(error));
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().projects, expected);

    // Opened again: the stored projects.
    dialog = window()->connectorsPage()->openEditDialog(id);
    QVERIFY(dialog);
    QCOMPARE(projectsOf(dialog)->text(), QStringLiteral("test, ops"));
    dialog->reject();
}

void TestChecklist::loadWithStoredSecret()
{
    // Editing with the secret unchanged: Load Projects reads the stored one, as Test
    // Connection does.
    const QUuid id = test::addConnector(window()->repository(),
        test::makeConnector(QStringLiteral("Stored"), m_server->baseUrl().toString(),
            QStringLiteral("basic"), QStringLiteral("scoped")),
        kSecret);
    QVERIFY(!id.isNull());
    ConnectorDialog *dialog = window()->connectorsPage()->openEditDialog(id);
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY(!dialog->currentAuthEditor()->newSecret().has_value());
    QPushButton *load = loadButtonOf(dialog);
    QVERIFY(load->isEnabled());
    QTest::mouseClick(load, Qt::LeftButton);
    auto *note = child<InlineMessage>(dialog, "projectsLoadMessage");
    QTRY_COMPARE_WITH_TIMEOUT(
        note->text(), QStringLiteral("1 project loaded: type to complete."), 15000);
    QCOMPARE(projectsOf(dialog)->completer()->model()->rowCount(), 1);
    QCOMPARE(m_server->requestCount(QStringLiteral("/users/current")), 1);
    // They are this account's projects on this instance: another URL, and they go.
    QTest::keyClicks(child<QLineEdit>(dialog, "urlLineEdit"), QStringLiteral("/contour"));
    QVERIFY(!projectsOf(dialog)->completer());
    QVERIFY(!note->isVisible());
    QCOMPARE(dialog->projectCompleter()->projectCount(), 0);
    dialog->reject();
}

void TestChecklist::jiraChecklist()
{
    fake::FakeJiraServer jira;
    QVERIFY2(jira.listen(), qPrintable(jira.errorString()));
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    auto *application = child<QComboBox>(dialog, "applicationComboBox");
    application->setCurrentIndex(application->findData(QStringLiteral("jira-cloud")));
    QTest::keyClicks(child<QLineEdit>(dialog, "nameLineEdit"), QStringLiteral("Scoped Jira"));
    QTest::keyClicks(child<QLineEdit>(dialog, "urlLineEdit"), jira.baseUrl().toString());
    QTest::keyClicks(
        dialog->currentAuthEditor()->identityEdit(), QStringLiteral("verified@example.com"));
    QTest::keyClicks(dialog->currentAuthEditor()->secretEdit(), QStringLiteral("verified-token"));
    QTest::keyClicks(projectsOf(dialog), QStringLiteral("DEMO, NOPE"));
    QTest::mouseClick(child<QPushButton>(dialog, "testConnectionPushButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isTesting(), 15000);
    const QList<CheckItem> checks = checklistOf(dialog)->checks();
    QVERIFY(checklistOf(dialog)->isVisible());
    QCOMPARE(statusOf(checks, "credentials"), QStringLiteral("pass"));
    QCOMPARE(statusOf(checks, "project:DEMO"), QStringLiteral("pass"));
    QCOMPARE(statusOf(checks, "project:NOPE"), QStringLiteral("fail"));
    for (const char *absent : { "license", "api-access", "admin" })
        QCOMPARE(statusOf(checks, QString::fromLatin1(absent)), QStringLiteral("absent"));

    // Load Projects lists Jira's projects as well.
    QTest::mouseClick(loadButtonOf(dialog), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isLoadingProjects(), 15000);
    QCOMPARE(child<InlineMessage>(dialog, "projectsLoadMessage")->text(),
        QStringLiteral("2 projects loaded: type to complete."));
    dialog->reject();
}

void TestChecklist::noDuplicateMnemonics_data()
{
    QTest::addColumn<QString>("application");
    QTest::newRow("jama-connect") << "jama-connect";
    QTest::newRow("jira-cloud") << "jira-cloud";
    QTest::newRow("jira-data-center") << "jira-data-center";
}

void TestChecklist::noDuplicateMnemonics()
{
    QFETCH(QString, application);
    m_server->setBehaviour(fake::Behaviour::NeverAnswer);
    ConnectorDialog *dialog = openDialog();
    QVERIFY(dialog);
    auto *combo = child<QComboBox>(dialog, "applicationComboBox");
    combo->setCurrentIndex(combo->findData(application));
    QCOMPARE(combo->currentData().toString(), application);
    auto *label = child<QLabel>(dialog, "projectsLabel");
    QCOMPARE(label->buddy(), projectsOf(dialog));
    QCOMPARE(projectsOf(dialog)->accessibleName(), withoutMnemonic(label->text()));
    QCOMPARE(projectsOf(dialog)->accessibleName(), QStringLiteral("Projects"));
    QCOMPARE(projectsOf(dialog)->placeholderText(),
        QStringLiteral("Project keys, separated by commas (optional)"));
    QVERIFY(projectsOf(dialog)->toolTip().contains(QLatin1String("each is checked for access")));
    QVERIFY(child<QLabel>(dialog, "projectsHintLabel")->isVisible());
    QCOMPARE(loadButtonOf(dialog)->accessibleName(), withoutMnemonic(loadButtonOf(dialog)->text()));

    QStringList problems;
    auto *auth = child<QComboBox>(dialog, "authTypeComboBox");
    for (int i = 0; i < auth->count(); ++i) {
        auth->setCurrentIndex(i);
        const QString where = application + QLatin1Char('/') + auth->itemData(i).toString();
        problems += test::duplicateMnemonics(dialog, where);
        // While projects load, the button's other text keeps its letter unique too.
        QTest::keyClicks(child<QLineEdit>(dialog, "nameLineEdit"), QStringLiteral("M"));
        child<QLineEdit>(dialog, "urlLineEdit")->setText(m_server->baseUrl().toString());
        if (QLineEdit *identity = dialog->currentAuthEditor()->identityEdit())
            identity->setText(QStringLiteral("named"));
        dialog->currentAuthEditor()->secretEdit()->setText(QStringLiteral("password"));
        loadButtonOf(dialog)->click();
        QVERIFY(dialog->isLoadingProjects());
        problems += test::duplicateMnemonics(dialog, where + QStringLiteral(", loading"));
        loadButtonOf(dialog)->click();
        QTRY_VERIFY(!dialog->isLoadingProjects());
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    dialog->reject();
}

QTEST_MAIN(TestChecklist)
#include "tst_checklist.moc"
