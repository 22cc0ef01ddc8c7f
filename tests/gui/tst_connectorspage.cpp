// The Connectors page and the Add New Connector dialog, driven through the real widgets
// (offscreen), by keyboard where a user would use it.
#include "AuthEditor.h"
#include "ConnectorDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorsPage.h"
#include "GuiTestSupport.h"
#include "HeaderBar.h"
#include "ImportDialog.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "MemorySecretStore.h"
#include "NetworkStatus.h"
#include "SecretLineEdit.h"
#include "TestSupport.h"
#include "ValidationJob.h"
#include "ValidationQueue.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

using namespace cd;
using namespace cd::ui;
using cd::test::child;

class TestConnectorsPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void addBasicByKeyboard();
    void addOAuthByKeyboard();
    void accessibleNamesAndBuddies();
    void authSwitchShowsHidesAndClears();
    void submitGating();
    void inlineErrors_data();
    void inlineErrors();
    void duplicateInstanceNotice();
    void saveErrorStaysInDialog();
    void editKeepsUnchangedSecret();
    void revealReadsSecretOnlyOnRequest();
    void deleteAndUndo();
    void searchFilters();
    void modelTester();
    void unreadableFileOffersChoices_data();
    void unreadableFileOffersChoices();
    void mouseSelectionDrivesActions();
    void messagesReplaceTheirButtons();
    void noDuplicateMnemonics();
    void keyboardPaths();
    void copyDiagnostics();
    void smallWindowLayout();
    void multiSelectByMouse();
    void statusFilter();
    void failingSinceAndHistory();

private:
    static ConnectorDialog *waitForDialog() { return test::waitForModal<ConnectorDialog>(); }
    QUuid addDirect(
        const QString &name, const QString &url, QString type = QStringLiteral("basic"));
    // A connector as an import makes it: no secret ("Needs secret").
    QUuid addImported(const QString &name, const QString &url);
    MainWindow *window() const { return m_app->window(); }
    MemorySecretStore *secrets() const { return m_app->secrets(); }
    static void type(const QString &text) { QTest::keyClicks(QApplication::focusWidget(), text); }
    static void key(Qt::Key k, Qt::KeyboardModifiers m = Qt::NoModifier)
    {
        QTest::keyClick(QApplication::focusWidget(), k, m);
    }

    // The connectors here point at made-up hosts: the window is offline (nothing may go out).
    std::unique_ptr<test::MainWindowFixture> m_app;
};

void TestConnectorsPage::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDeskTest"));
}

void TestConnectorsPage::init()
{
    m_app = std::make_unique<test::MainWindowFixture>();
    QVERIFY(m_app->open());
}

void TestConnectorsPage::cleanup()
{
    m_app.reset();
}

QUuid TestConnectorsPage::addImported(const QString &name, const QString &url)
{
    return test::addWithoutSecret(window()->repository(),
        test::makeConnector(name, url, QStringLiteral("basic"), QStringLiteral("svc")));
}

QUuid TestConnectorsPage::addDirect(const QString &name, const QString &url, QString type)
{
    return test::addConnector(window()->repository(),
        test::makeConnector(name, url, type, QStringLiteral("svc")),
        QStringLiteral("secret-of-") + name);
}

void TestConnectorsPage::addBasicByKeyboard()
{
    QTest::keyClick(window(), Qt::Key_N, Qt::ControlModifier);
    ConnectorDialog *dialog = waitForDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->windowTitle(), QStringLiteral("Add New Connector"));
    QVERIFY(dialog->isModal());
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "nameLineEdit"));
    QVERIFY(!dialog->submitButton()->isEnabled());

    type(QStringLiteral("Acme Production"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "urlLineEdit"));
    type(QStringLiteral("ACME.jamacloud.com/rest/v1/"));
    key(Qt::Key_Tab); // leaving the field normalises it
    QCOMPARE(child<QLineEdit>(dialog, "urlLineEdit")->text(),
        QStringLiteral("https://acme.jamacloud.com"));
    QCOMPARE(QApplication::focusWidget(), child<QCheckBox>(dialog, "verifySslCheckBox"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QComboBox>(dialog, "authTypeComboBox"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "usernameLineEdit"));
    type(QStringLiteral("InterchangeServiceAccount"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "passwordLineEdit"));
    type(QStringLiteral("hunter2-basic"));
    QVERIFY(dialog->submitButton()->isEnabled());
    key(Qt::Key_Return); // the default button: Submit

    QPointer<ConnectorDialog> closing(dialog); // deletes itself on close
    QTRY_COMPARE(window()->repository()->connectors().size(), 1);
    QTRY_VERIFY(!closing);
    const Connector c = window()->repository()->connectors().first();
    QCOMPARE(c.name, QStringLiteral("Acme Production"));
    QCOMPARE(c.url, QStringLiteral("https://acme.jamacloud.com"));
    QCOMPARE(c.authType, QStringLiteral("basic"));
    QCOMPARE(c.identity, QStringLiteral("InterchangeServiceAccount"));
    QVERIFY(c.verifySsl);
    QCOMPARE(secrets()->contents().value(
                 secretKey(c.id, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("hunter2-basic"));
    // The list replaced the empty state and shows the new connector, selected.
    auto *page = window()->connectorsPage();
    QTRY_VERIFY(child<QTableView>(page, "connectorsTableView")->isVisible());
    QCOMPARE(page->selectedId(), c.id);
}

void TestConnectorsPage::addOAuthByKeyboard()
{
    QTest::keyClick(window(), Qt::Key_N, Qt::ControlModifier);
    ConnectorDialog *dialog = waitForDialog();
    QVERIFY(dialog);
    type(QStringLiteral("SAML instance"));
    key(Qt::Key_Tab);
    type(QStringLiteral("https://saml.jamacloud.com"));
    key(Qt::Key_Tab);
    key(Qt::Key_Tab); // past Verify SSL
    QCOMPARE(QApplication::focusWidget(), child<QComboBox>(dialog, "authTypeComboBox"));
    key(Qt::Key_Down);
    QCOMPARE(child<QComboBox>(dialog, "authTypeComboBox")->currentText(), QStringLiteral("oAuth"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "clientIdLineEdit"));
    type(QStringLiteral("client-123"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "clientSecretLineEdit"));
    type(QStringLiteral("oauth-secret"));
    key(Qt::Key_Tab);
    // One Tab stop for the help link (a visible button), then Projects and Load Projects,
    // then Test Connection, then Submit.
    auto *help = child<QAbstractButton>(dialog, "credentialsHelpButton");
    QCOMPARE(QApplication::focusWidget(), help);
    QVERIFY(help->isVisible());
    QCOMPARE(help->accessibleName(), help->text());
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(dialog, "projectsLineEdit"));
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QPushButton>(dialog, "loadProjectsButton"));
    auto *test = child<QPushButton>(dialog, "testConnectionPushButton");
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), test);
    key(Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), dialog->submitButton());
    key(Qt::Key_Space);
    QTRY_COMPARE(window()->repository()->connectors().size(), 1);
    const Connector c = window()->repository()->connectors().first();
    QCOMPARE(c.authType, QStringLiteral("oauth"));
    QCOMPARE(c.identity, QStringLiteral("client-123"));
    QCOMPARE(secrets()->contents().value(
                 secretKey(c.id, QStringLiteral("jama-connect"), QStringLiteral("oauth"))),
        QStringLiteral("oauth-secret"));
    QVERIFY(!secrets()->contents().contains(
        secretKey(c.id, QStringLiteral("jama-connect"), QStringLiteral("basic"))));
}

void TestConnectorsPage::accessibleNamesAndBuddies()
{
    ConnectorDialog *dialog = window()->connectorsPage()->openAddDialog();
    QVERIFY(waitForDialog());
    const QList<QPair<const char *, QString>> inputs {
        { "applicationComboBox", "Application" },
        { "nameLineEdit", "Name" },
        { "urlLineEdit", "URL" },
        { "verifySslCheckBox", "Verify SSL" },
        { "authTypeComboBox", "Authentication Type" },
        { "usernameLineEdit", "Username" },
        { "passwordLineEdit", "Password" },
        { "clientIdLineEdit", "Client ID" },
        { "clientSecretLineEdit", "Client Secret" },
        { "projectsLineEdit", "Projects" },
        { "loadProjectsButton", "Load Projects" },
        { "checklistView", "Checklist" },
        { "submitPushButton", "Submit" },
        { "cancelPushButton", "Cancel" },
    };
    for (const auto &[name, accessible] : inputs) {
        QWidget *w = child<QWidget>(dialog, name);
        QVERIFY2(w, name);
        QCOMPARE(w->accessibleName(), accessible);
    }
    // Each label is the buddy of its field and shows the same text (mnemonic aside).
    for (QLabel *label : dialog->findChildren<QLabel *>()) {
        if (!label->buddy())
            continue;
        QCOMPARE(label->text().remove(QLatin1Char('&')), label->buddy()->accessibleName());
        QVERIFY2(label->text().contains(QLatin1Char('&')), qPrintable(label->text()));
    }
    QCOMPARE(child<QTableView>(window(), "connectorsTableView")->accessibleName(),
        QStringLiteral("Connectors"));
    QCOMPARE(child<QLineEdit>(window(), "searchLineEdit")->accessibleName(),
        QStringLiteral("Search connectors"));
    QCOMPARE(child<QPushButton>(window(), "addConnectorPushButton")->accessibleName(),
        QStringLiteral("Add Connector"));
    dialog->reject();
}

void TestConnectorsPage::authSwitchShowsHidesAndClears()
{
    ConnectorDialog *dialog = window()->connectorsPage()->openAddDialog();
    QVERIFY(waitForDialog());
    auto *username = child<QLineEdit>(dialog, "usernameLineEdit");
    auto *password = child<SecretLineEdit>(dialog, "passwordLineEdit");
    auto *clientId = child<QLineEdit>(dialog, "clientIdLineEdit");
    auto *clientSecret = child<SecretLineEdit>(dialog, "clientSecretLineEdit");
    auto *authType = child<QComboBox>(dialog, "authTypeComboBox");
    QVERIFY(username->isVisible() && password->isVisible());
    QVERIFY(!clientId->isVisible() && !clientSecret->isVisible());
    QCOMPARE(password->echoMode(), QLineEdit::Password);

    QTest::keyClicks(username, QStringLiteral("svc"));
    QTest::keyClicks(password, QStringLiteral("basic-pw"));
    authType->setCurrentIndex(1);
    QVERIFY(!username->isVisible() && !password->isVisible());
    QVERIFY(clientId->isVisible() && clientSecret->isVisible());
    QVERIFY(username->text().isEmpty()); // the page left behind is cleared
    QVERIFY(password->text().isEmpty());
    QTest::keyClicks(clientSecret, QStringLiteral("oauth-pw"));
    authType->setCurrentIndex(0);
    QVERIFY(clientSecret->text().isEmpty());
    QCOMPARE(dialog->draft().secret, QString());

    // Show/hide toggle.
    QTest::keyClicks(password, QStringLiteral("visible?"));
    password->toggleAction()->trigger();
    QCOMPARE(password->echoMode(), QLineEdit::Normal);
    password->toggleAction()->trigger();
    QCOMPARE(password->echoMode(), QLineEdit::Password);
    dialog->reject();
}

void TestConnectorsPage::submitGating()
{
    ConnectorDialog *dialog = window()->connectorsPage()->openAddDialog();
    QVERIFY(waitForDialog());
    QPushButton *submit = dialog->submitButton();
    auto fill = [&](const char *name, const QString &text) {
        auto *edit = child<QLineEdit>(dialog, name);
        edit->clear();
        QTest::keyClicks(edit, text);
    };
    QVERIFY(!submit->isEnabled());
    fill("nameLineEdit", QStringLiteral("A"));
    QVERIFY(!submit->isEnabled());
    fill("urlLineEdit", QStringLiteral("a.jamacloud.com"));
    QVERIFY(!submit->isEnabled());
    fill("usernameLineEdit", QStringLiteral("svc"));
    QVERIFY(!submit->isEnabled());
    fill("passwordLineEdit", QStringLiteral("pw"));
    QVERIFY(submit->isEnabled());
    fill("urlLineEdit", QStringLiteral("ftp://a"));
    QVERIFY(!submit->isEnabled());
    fill("urlLineEdit", QStringLiteral("https://a.jamacloud.com"));
    QVERIFY(submit->isEnabled());
    child<QLineEdit>(dialog, "passwordLineEdit")->clear();
    QVERIFY(!submit->isEnabled());
    // Enter on an invalid form saves nothing.
    QTest::keyClick(child<QLineEdit>(dialog, "nameLineEdit"), Qt::Key_Return);
    QTest::qWait(50);
    QVERIFY(window()->repository()->connectors().isEmpty());
    QVERIFY(dialog->isVisible());
    dialog->reject();
}

void TestConnectorsPage::inlineErrors_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("expected");
    QTest::newRow("name empty") << "nameLineEdit"
                                << ""
                                << "nameMessage"
                                << "Enter a name";
    QTest::newRow("name taken") << "nameLineEdit"
                                << "EXISTING"
                                << "nameMessage"
                                << "already exists";
    QTest::newRow("name too long")
        << "nameLineEdit" << QString(101, QLatin1Char('x')) << "nameMessage"
        << "at most 100";
    QTest::newRow("url empty") << "urlLineEdit"
                               << ""
                               << "urlMessage"
                               << "Enter the URL";
    QTest::newRow("url password") << "urlLineEdit"
                                  << "https://u:p@h.com"
                                  << "urlMessage"
                                  << "user name and password";
    QTest::newRow("url scheme") << "urlLineEdit"
                                << "ftp://h.com"
                                << "urlMessage"
                                << "not supported";
    QTest::newRow("url http warns") << "urlLineEdit"
                                    << "http://h.com"
                                    << "urlMessage"
                                    << "plain http";
    QTest::newRow("username empty") << "usernameLineEdit"
                                    << ""
                                    << "usernameMessage"
                                    << "username";
    QTest::newRow("password empty") << "passwordLineEdit"
                                    << ""
                                    << "passwordMessage"
                                    << "password";
}

void TestConnectorsPage::inlineErrors()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, message);
    QFETCH(QString, expected);
    addDirect(QStringLiteral("Existing"), QStringLiteral("https://existing.jamacloud.com"));
    ConnectorDialog *dialog = window()->connectorsPage()->openAddDialog();
    QVERIFY(waitForDialog());
    auto *edit = child<QLineEdit>(dialog, field);
    auto *msg = child<InlineMessage>(dialog, message);
    QVERIFY(edit && msg);
    QVERIFY(!msg->isVisible()); // nothing shouted before the user touched the field
    edit->setFocus();
    QTest::keyClicks(edit, value);
    Q_EMIT edit->editingFinished(); // as when focus leaves the field
    QTRY_VERIFY(msg->isVisible());
    QVERIFY2(msg->text().contains(expected, Qt::CaseInsensitive), qPrintable(msg->text()));
    dialog->reject();
}

void TestConnectorsPage::duplicateInstanceNotice()
{
    addDirect(QStringLiteral("Acme"), QStringLiteral("https://acme.jamacloud.com"));
    ConnectorDialog *dialog = window()->connectorsPage()->openAddDialog();
    QVERIFY(waitForDialog());
    QTest::keyClicks(
        child<QLineEdit>(dialog, "urlLineEdit"), QStringLiteral("acme.jamacloud.com/login.req"));
    auto *notice = child<InlineMessage>(dialog, "duplicateMessage");
    QTRY_VERIFY(notice->isVisible());
    QVERIFY(notice->text().contains(QLatin1String("“Acme”"))
        || notice->text().contains(QLatin1String("\"Acme\"")));
    // A notice, not an error: the form can still be submitted.
    QTest::keyClicks(
        child<QLineEdit>(dialog, "nameLineEdit"), QStringLiteral("Acme second account"));
    QTest::keyClicks(child<QLineEdit>(dialog, "usernameLineEdit"), QStringLiteral("svc2"));
    QTest::keyClicks(child<QLineEdit>(dialog, "passwordLineEdit"), QStringLiteral("pw"));
    QVERIFY(dialog->submitButton()->isEnabled());
    dialog->reject();
}

void TestConnectorsPage::saveErrorStaysInDialog()
{
    secrets()->setMode(MemorySecretStore::Mode::Failing);
    ConnectorDialog *dialog = window()->connectorsPage()->openAddDialog();
    QVERIFY(waitForDialog());
    QTest::keyClicks(child<QLineEdit>(dialog, "nameLineEdit"), QStringLiteral("Will fail"));
    QTest::keyClicks(child<QLineEdit>(dialog, "urlLineEdit"), QStringLiteral("fail.jamacloud.com"));
    QTest::keyClicks(child<QLineEdit>(dialog, "usernameLineEdit"), QStringLiteral("svc"));
    QTest::keyClicks(child<QLineEdit>(dialog, "passwordLineEdit"), QStringLiteral("kept-pw"));
    dialog->submitButton()->click();
    auto *msg = child<InlineMessage>(dialog, "saveMessage");
    QTRY_VERIFY(msg->kind() == InlineMessage::Kind::Error && msg->isVisible());
    QVERIFY(msg->text().contains(QLatin1String("keychain")));
    QVERIFY(dialog->isVisible());
    // Nothing typed was lost.
    QCOMPARE(child<QLineEdit>(dialog, "nameLineEdit")->text(), QStringLiteral("Will fail"));
    QCOMPARE(child<QLineEdit>(dialog, "passwordLineEdit")->text(), QStringLiteral("kept-pw"));
    QVERIFY(dialog->submitButton()->isEnabled());
    QVERIFY(window()->repository()->connectors().isEmpty());
    dialog->reject();
}

void TestConnectorsPage::editKeepsUnchangedSecret()
{
    const QUuid id
        = addDirect(QStringLiteral("Editable"), QStringLiteral("https://edit.jamacloud.com"));
    const int callsBefore = secrets()->callCount();
    auto *page = window()->connectorsPage();
    page->selectConnector(id);
    auto *view = child<QTableView>(page, "connectorsTableView");
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Return); // Enter edits
    ConnectorDialog *dialog = waitForDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->windowTitle(), QStringLiteral("Edit Connector"));
    auto *password = child<SecretLineEdit>(dialog, "passwordLineEdit");
    QVERIFY(password->text().isEmpty());
    QCOMPARE(password->placeholderText(), QStringLiteral("Unchanged"));
    QCOMPARE(secrets()->callCount(), callsBefore); // the secret was not read
    QVERIFY(dialog->submitButton()->isEnabled());
    auto *name = child<QLineEdit>(dialog, "nameLineEdit");
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("Edited"));
    dialog->submitButton()->click();
    QTRY_COMPARE(window()->repository()->find(id)->name, QStringLiteral("Edited"));
    QCOMPARE(secrets()->contents().value(
                 secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("secret-of-Editable"));
}

void TestConnectorsPage::revealReadsSecretOnlyOnRequest()
{
    const QUuid id
        = addDirect(QStringLiteral("Reveal"), QStringLiteral("https://reveal.jamacloud.com"));
    ConnectorDialog *dialog = window()->connectorsPage()->openEditDialog(id);
    QVERIFY(waitForDialog());
    auto *password = child<SecretLineEdit>(dialog, "passwordLineEdit");
    password->toggleAction()->trigger();
    QTRY_COMPARE(password->text(), QStringLiteral("secret-of-Reveal"));
    QCOMPARE(password->echoMode(), QLineEdit::Normal);
    QVERIFY(!password->newSecret().has_value()); // revealed, not changed
    dialog->reject();
}

void TestConnectorsPage::deleteAndUndo()
{
    const QUuid keep
        = addDirect(QStringLiteral("Keep"), QStringLiteral("https://keep.jamacloud.com"));
    const QUuid id
        = addDirect(QStringLiteral("Doomed"), QStringLiteral("https://doomed.jamacloud.com"));
    Q_UNUSED(keep);
    const Connector before = *window()->repository()->find(id);
    auto *page = window()->connectorsPage();
    page->selectConnector(id);
    auto *view = child<QTableView>(page, "connectorsTableView");
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Delete);
    auto *box = test::waitForChild<QMessageBox>(window(), "deleteMessageBox");
    QVERIFY(box);
    QVERIFY(box->text().contains(QLatin1String("Doomed")));
    child<QPushButton>(box, "confirmDeletePushButton")->click();
    QTRY_COMPARE(window()->repository()->connectors().size(), 1);
    QVERIFY(!secrets()->contents().contains(
        secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))));
    QTRY_VERIFY(page->undoAction()->isEnabled());
    QVERIFY(child<InlineMessage>(page, "pageMessage")->text().contains(QLatin1String("Doomed")));

    QTRY_VERIFY(!window()->findChild<QMessageBox *>(QStringLiteral("deleteMessageBox")));
    window()->activateWindow();
    QVERIFY(test::activate(window()));
    QTest::keyClick(window(), Qt::Key_Z, Qt::ControlModifier);
    QTRY_COMPARE(window()->repository()->connectors().size(), 2);
    QCOMPARE(*window()->repository()->find(id), before);
    QCOMPARE(secrets()->contents().value(
                 secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("secret-of-Doomed"));
    QTRY_VERIFY(!page->undoAction()->isEnabled());
}

void TestConnectorsPage::searchFilters()
{
    addDirect(QStringLiteral("Alpha"), QStringLiteral("https://alpha.jamacloud.com"));
    addDirect(QStringLiteral("Beta"), QStringLiteral("https://beta.example.com/contour"));
    addDirect(QStringLiteral("Gamma"), QStringLiteral("https://gamma.jamacloud.com"));
    auto *page = window()->connectorsPage();
    auto *search = child<QLineEdit>(page, "searchLineEdit");
    QTest::keyClick(window(), Qt::Key_F, Qt::ControlModifier);
    QCOMPARE(QApplication::focusWidget(), search);
    type(QStringLiteral("jamacloud"));
    QCOMPARE(page->proxy()->rowCount(), 2);
    search->clear();
    type(QStringLiteral("BETA"));
    QCOMPARE(page->proxy()->rowCount(), 1);
    QCOMPARE(page->proxy()->index(0, 0).data().toString(), QStringLiteral("Beta"));
    search->clear();
    type(QStringLiteral("contour"));
    QCOMPARE(page->proxy()->rowCount(), 1);
    search->clear();
    type(QStringLiteral("nothing-like-this"));
    QCOMPARE(page->proxy()->rowCount(), 0);
    QVERIFY(child<QLabel>(page, "noMatchLabel")->isVisible());
    search->clear();
    QCOMPARE(page->proxy()->rowCount(), 3);
}

void TestConnectorsPage::modelTester()
{
    auto *page = window()->connectorsPage();
    QAbstractItemModelTester tester(
        page->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(
        page->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QUuid a = addDirect(QStringLiteral("One"), QStringLiteral("https://one.jamacloud.com"));
    addDirect(QStringLiteral("Two"), QStringLiteral("https://two.jamacloud.com"));
    ValidationState v;
    v.status = ValidationStatus::Failed;
    v.message = QStringLiteral("Rejected");
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QString error;
    QVERIFY(window()->repository()->setValidation(a, v, &error));
    page->model()->setValidating(a, true);
    QCOMPARE(page->model()
                 ->index(page->model()->rowOf(a), ConnectorListModel::StatusColumn)
                 .data()
                 .toString(),
        QStringLiteral("Validating…"));
    page->model()->setValidating(a, false);
    QCOMPARE(page->model()
                 ->index(page->model()->rowOf(a), ConnectorListModel::StatusColumn)
                 .data(Qt::ToolTipRole)
                 .toString(),
        QStringLiteral("Rejected"));
    for (int column = 0; column < ConnectorListModel::ColumnCount; ++column)
        page->proxy()->sort(column, Qt::DescendingOrder);
    QVERIFY(test::waitFor([&](const RepositoryCallback &done) {
        window()->repository()->remove(a, done);
    }).ok);
    QCOMPARE(page->model()->rowCount(), 1);
}

void TestConnectorsPage::unreadableFileOffersChoices_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("bytes"); // empty: a database of a newer major version
    QTest::addColumn<int>("rowsShown");
    QTest::addColumn<QString>("problem");
    QTest::newRow("not SQLite") << "connectors.db" << QByteArray("{ not a database") << 0
                                << "not an SQLite file";
    QTest::newRow("zero bytes") << "connectors.db" << QByteArray("\0", 0) << 0 << "0 bytes";
    QTest::newRow("newer major, shown read-only")
        << "connectors.db" << QByteArray() << 1 << "newer Connector Desk";
    QTest::newRow("connectors.json to migrate, unreadable")
        << "connectors.json" << QByteArray("{ not json") << 0 << "not valid JSON";
}

void TestConnectorsPage::unreadableFileOffersChoices()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, bytes);
    QFETCH(int, rowsShown);
    QFETCH(QString, problem);
    const QString db = m_app->filePath(QStringLiteral("connectors.db"));
    if (bytes.isNull()) {
        addDirect(QStringLiteral("From the future"), QStringLiteral("https://f.jamacloud.com"));
        m_app->close();
        QVERIFY(test::SqliteConnection(db).exec(QStringLiteral("PRAGMA user_version = 2000")));
    } else {
        m_app->close();
        for (const char *suffix : { "", "-wal", "-shm" })
            QFile::remove(db + QLatin1String(suffix));
        QFile f(m_app->filePath(file));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
    }
    const QString path = m_app->filePath(file);
    const QByteArray before = [&] {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY(m_app->open()); // again, over the same folder and secrets
    auto *page = window()->connectorsPage();
    auto *msg = child<InlineMessage>(page, "storeMessage");
    QVERIFY(msg->isVisible());
    QVERIFY2(msg->text().contains(path), qPrintable(msg->text()));
    QVERIFY2(msg->text().contains(problem), qPrintable(msg->text()));
    QCOMPARE(page->model()->rowCount(), rowsShown);
    QVERIFY(!page->addConnectorAction()->isEnabled());
    QVERIFY(!child<QPushButton>(page, "emptyAddConnectorPushButton")->isEnabled());
    // Nothing was written to it.
    QFile again(path);
    QVERIFY(again.open(QIODevice::ReadOnly));
    QCOMPARE(again.readAll(), before);
    again.close();
    child<QPushButton>(page, "keepReadOnlyPushButton")->click();
    QVERIFY(msg->text().startsWith(QLatin1String("Read-only")));
    QVERIFY(!page->addConnectorAction()->isEnabled());
    child<QPushButton>(page, "moveAsidePushButton")->click();
    QVERIFY(!msg->isVisible());
    QVERIFY(page->addConnectorAction()->isEnabled());
    QCOMPARE(page->model()->rowCount(), 0);
    QVERIFY(child<InlineMessage>(page, "pageMessage")->text().contains(QLatin1String(".bad-")));
}

void TestConnectorsPage::mouseSelectionDrivesActions()
{
    const QUuid a
        = addDirect(QStringLiteral("Alpha"), QStringLiteral("https://alpha.jamacloud.com"));
    const QUuid b = addDirect(QStringLiteral("Beta"), QStringLiteral("https://beta.jamacloud.com"));
    ConnectorsPage *page = window()->connectorsPage();
    auto *view = child<QTableView>(page, "connectorsTableView");
    auto *details = child<QGroupBox>(page, "detailGroupBox");
    auto *detailLabel = child<QLabel>(page, "detailLabel");
    page->selectConnector(QUuid()); // nothing selected
    view->selectionModel()->clearSelection();
    QTRY_VERIFY(!page->editAction()->isEnabled());

    const auto cellOf = [&](const QUuid &id, int column) {
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            const QModelIndex index = view->model()->index(row, column);
            if (index.data(ConnectorListModel::IdRole).toUuid() == id)
                return view->visualRect(index).center();
        }
        return QPoint(-1, -1);
    };
    const QList<QAction *> actions { page->editAction(), page->duplicateAction(),
        page->deleteAction(), page->validateAction() };
    for (const QUuid &id : { a, b }) {
        // A click on a cell (not on the first column: a user clicks anywhere in the row).
        QTest::mouseClick(
            view->viewport(), Qt::LeftButton, {}, cellOf(id, ConnectorListModel::UrlColumn));
        QCOMPARE(page->selectedId(), id);
        for (QAction *action : actions)
            QVERIFY2(action->isEnabled(), qPrintable(action->objectName()));
        QVERIFY(details->isVisible());
        QVERIFY(detailLabel->text().contains(window()->repository()->find(id)->name));
    }
    // Del acts on the row clicked last.
    view->setFocus(Qt::MouseFocusReason);
    QTest::keyClick(view, Qt::Key_Delete);
    auto *box = test::waitForChild<QMessageBox>(window(), "deleteMessageBox");
    QVERIFY(box);
    QVERIFY(box->text().contains(QStringLiteral("Beta")));
    box->reject();
    QTRY_VERIFY(!window()->findChild<QMessageBox *>(QStringLiteral("deleteMessageBox")));

    // A click on empty space below the rows clears the selection: actions and Details follow.
    const int below = view->verticalHeader()->length() + 10;
    QVERIFY(below < view->viewport()->height());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(20, below));
    QTRY_VERIFY(page->selectedId().isNull());
    for (QAction *action : actions)
        QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
    QVERIFY(!details->isVisible());

    // A double-click opens the connector it was on.
    // (QTest::mouseDClick sends no press of its own: press first, as a real double-click does.)
    const QPoint alpha = cellOf(a, ConnectorListModel::NameColumn);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, alpha);
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, alpha);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, alpha);
    ConnectorDialog *dialog = waitForDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->draft().name, QStringLiteral("Alpha"));
    dialog->reject();
}

void TestConnectorsPage::messagesReplaceTheirButtons()
{
    // Each message kind twice in a row: the buttons are those of the message shown, no more.
    InlineMessage *banner = window()->connectorsPage()->pageMessage();
    const auto buttons = [banner] { return banner->findChildren<QPushButton *>().size(); };
    const QUuid a = addDirect(QStringLiteral("One"), QStringLiteral("https://one.jamacloud.com"));
    const QUuid b = addDirect(QStringLiteral("Two"), QStringLiteral("https://two.jamacloud.com"));
    for (const QUuid &id : { a, b }) {
        window()->connectorsPage()->deleteWithoutConfirmation(id);
        QTRY_VERIFY(banner->text().startsWith(QStringLiteral("Deleted")));
        QCOMPARE(buttons(), 1); // one Undo, however many deletes
    }
    window()->connectorsPage()->undoDelete();
    QTRY_VERIFY(banner->text().startsWith(QStringLiteral("Restored")));
    QCOMPARE(buttons(), 0); // a restored connector has nothing to undo in the banner
    ValidationResult tls;
    tls.failure = ValidationResult::Failure::Tls;
    CertificateInfo cert;
    cert.sha256 = QByteArray(32, '\x11');
    tls.certificate = cert;
    for (int i = 0; i < 2; ++i) {
        window()->connectorsPage()->offerCertificateTrust(b, tls);
        QCOMPARE(buttons(), 1);
    }
    banner->showMessage(InlineMessage::Kind::Success, QStringLiteral("Something else"));
    QCOMPARE(buttons(), 0); // no "Trust" beside a later message
    // A banner can be dismissed, by mouse.
    auto *dismiss = child<QToolButton>(banner, "dismissToolButton");
    QVERIFY(dismiss && dismiss->isVisible());
    QCOMPARE(dismiss->accessibleName(), QStringLiteral("Dismiss"));
    QTest::mouseClick(dismiss, Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QVERIFY(banner->text().isEmpty());
}

void TestConnectorsPage::noDuplicateMnemonics()
{
    QStringList problems;
    ConnectorsPage *page = window()->connectorsPage();
    problems += test::duplicateMnemonics(window(), QStringLiteral("main window, empty"));
    const QUuid id
        = addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    page->selectConnector(id);
    problems += test::duplicateMnemonics(window(), QStringLiteral("main window, selected"));
    // The page banner with each of its buttons.
    ValidationResult tls;
    tls.failure = ValidationResult::Failure::Tls;
    CertificateInfo cert;
    cert.sha256 = QByteArray(32, '\x22');
    tls.certificate = cert;
    page->offerCertificateTrust(id, tls);
    problems += test::duplicateMnemonics(window(), QStringLiteral("main window, trust banner"));
    tls.expectedSha256 = QByteArray(32, '\x33');
    page->offerCertificateTrust(id, tls);
    problems
        += test::duplicateMnemonics(window(), QStringLiteral("main window, changed certificate"));
    child<QPushButton>(page, "trustCertificatePushButton")->click();
    auto *box = test::waitForChild<QMessageBox>(window(), "trustCertificateMessageBox");
    QVERIFY(box);
    problems += test::duplicateMnemonics(box, QStringLiteral("trust box"));
    box->reject();

    // The dialog, Basic and oAuth.
    QTimer::singleShot(0, page, [page] { page->openEditDialog(page->selectedId()); });
    ConnectorDialog *dialog = waitForDialog();
    QVERIFY(dialog);
    problems += test::duplicateMnemonics(dialog, QStringLiteral("dialog, Basic"));
    child<QComboBox>(dialog, "authTypeComboBox")->setCurrentIndex(1);
    problems += test::duplicateMnemonics(dialog, QStringLiteral("dialog, oAuth"));
    dialog->reject();

    // Delete: the confirmation, then the banner with Undo.
    page->requestDelete(id);
    QVERIFY((box = test::waitForChild<QMessageBox>(window(), "deleteMessageBox")));
    problems += test::duplicateMnemonics(box, QStringLiteral("delete box"));
    child<QPushButton>(box, "confirmDeletePushButton")->click();
    QTRY_VERIFY(page->pageMessage()->text().startsWith(QStringLiteral("Deleted")));
    problems += test::duplicateMnemonics(window(), QStringLiteral("main window, undo banner"));

    // The unreadable-file banner (Keep Read-Only, Move Aside and Start Empty) beside the menu.
    m_app->close();
    QFile bad(m_app->filePath(QStringLiteral("connectors.db")));
    QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
    bad.write("{ not a database");
    bad.close();
    QVERIFY(m_app->open());
    QVERIFY(child<QPushButton>(window(), "moveAsidePushButton")->isVisible());
    problems += test::duplicateMnemonics(window(), QStringLiteral("main window, unreadable file"));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestConnectorsPage::keyboardPaths()
{
    const QUuid a
        = addDirect(QStringLiteral("Alpha"), QStringLiteral("https://alpha.jamacloud.com"));
    addDirect(QStringLiteral("Beta"), QStringLiteral("https://beta.jamacloud.com"));
    ConnectorsPage *page = window()->connectorsPage();
    auto *search = child<QLineEdit>(page, "searchLineEdit");
    auto *view = child<QTableView>(page, "connectorsTableView");

    // Ctrl+F, type, Esc clears; Esc again goes back to the list.
    QTest::keyClick(window(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(search->hasFocus());
    type(QStringLiteral("alp"));
    QCOMPARE(page->proxy()->rowCount(), 1);
    key(Qt::Key_Escape);
    QVERIFY(search->text().isEmpty());
    QVERIFY(search->hasFocus());
    key(Qt::Key_Escape);
    QTRY_VERIFY(view->hasFocus());
    QVERIFY(!page->selectedId().isNull()); // and a row is selected for Enter, Del, F5

    // Down from the search field moves into the list.
    search->setFocus(Qt::ShortcutFocusReason);
    type(QStringLiteral("beta"));
    key(Qt::Key_Down);
    QTRY_VERIFY(view->hasFocus());
    QCOMPARE(window()->repository()->find(page->selectedId())->name, QStringLiteral("Beta"));
    search->clear();

    // After the dialog closes, the keyboard is back on the list: Enter edits again.
    page->selectConnector(a);
    view->setFocus(Qt::OtherFocusReason);
    key(Qt::Key_Return);
    ConnectorDialog *dialog = waitForDialog();
    QVERIFY(dialog);
    // The password eye by keyboard: Ctrl+H in the field.
    auto *secret = qobject_cast<SecretLineEdit *>(dialog->currentAuthEditor()->secretEdit());
    QVERIFY(secret);
    secret->setFocus(Qt::TabFocusReason);
    type(QStringLiteral("typed"));
    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    key(Qt::Key_H, Qt::ControlModifier);
    QCOMPARE(secret->echoMode(), QLineEdit::Normal);
    key(Qt::Key_H, Qt::ControlModifier);
    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    key(Qt::Key_Escape);
    QTRY_VERIFY(!dialog->isVisible());
    QApplication::setActiveWindow(window());
    QTRY_VERIFY(view->hasFocus());

    // The menu has the page's commands, and a list of the shortcuts made from the actions.
    QMenu *menu = window()->headerBar()->menu();
    QStringList texts;
    for (QAction *action : menu->actions())
        texts << QString(action->text()).remove(QLatin1Char('&'));
    for (const char *expected : { "Add Connector…", "Edit…", "Duplicate…", "Validate Now",
             "Delete…", "Find", "Keyboard Shortcuts" })
        QVERIFY2(texts.contains(QString::fromUtf8(expected)), expected);
    QTest::keyClick(window(), Qt::Key_Slash, Qt::ControlModifier);
    auto *box = test::waitForChild<QMessageBox>(window(), "shortcutsMessageBox");
    QVERIFY(box);
    for (const QKeySequence &k :
        { QKeySequence(QKeySequence::New), QKeySequence(QKeySequence::Find),
            QKeySequence(QKeySequence::Undo), QKeySequence(QStringLiteral("Ctrl+D")) })
        QVERIFY2(
            box->text().contains(k.toString(QKeySequence::NativeText)), qPrintable(box->text()));
    box->close();
}

void TestConnectorsPage::copyDiagnostics()
{
    const QUuid id
        = addDirect(QStringLiteral("Support me"), QStringLiteral("https://acme.jamacloud.com"));
    const QString secret = secrets()->contents().value(
        secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic")));
    QVERIFY(!secret.isEmpty());
    ConnectorsPage *page = window()->connectorsPage();
    page->selectConnector(id);
    QTRY_VERIFY(page->copyDiagnosticsAction()->isEnabled());
    QApplication::clipboard()->clear();
    QTest::keyClick(window(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    const QString text = QApplication::clipboard()->text();
    for (const QString &part : { QStringLiteral("Connector: Support me"),
             QStringLiteral("URL: https://acme.jamacloud.com"), QStringLiteral("Verify SSL: on"),
             QStringLiteral("Status: Not verified"), QStringLiteral("Qt: "),
             QStringLiteral("QtKeychain: ") })
        QVERIFY2(text.contains(part), qPrintable(text));
    QVERIFY(!text.contains(secret));
    QVERIFY(page->pageMessage()->text().contains(QStringLiteral("no secret")));
    // Details can be read and selected by keyboard too.
    auto *details = child<QLabel>(page, "detailLabel");
    QVERIFY(details->textInteractionFlags() & Qt::TextSelectableByKeyboard);
    QVERIFY(details->focusPolicy() & Qt::TabFocus);
}

void TestConnectorsPage::smallWindowLayout()
{
    QList<QUuid> ids;
    for (int i = 0; i < 12; ++i)
        ids << addDirect(QStringLiteral("Connector %1").arg(i, 2, 10, QLatin1Char('0')),
            QStringLiteral("https://site%1.jamacloud.com/contour").arg(i));
    QVERIFY(!addImported(
        QStringLiteral("Imported one"), QStringLiteral("https://imported.jamacloud.com"))
                 .isNull());
    ConnectorsPage *page = window()->connectorsPage();
    auto *view = child<QTableView>(page, "connectorsTableView");
    QHeaderView *header = view->horizontalHeader();
    const QFontMetrics fm(view->font());
    const int em = fm.horizontalAdvance(QLatin1Char('M'));

    // A useful minimum size, and a small window that still works.
    QVERIFY(window()->minimumWidth() >= em * 40);
    QVERIFY(window()->minimumHeight() >= fm.height() * 20);
    window()->resize(640, 420);
    QTRY_COMPARE(window()->size(), QSize(640, 420).expandedTo(window()->minimumSize()));
    QApplication::processEvents();
    // The URL keeps a readable width; Application gives way first.
    QVERIFY2(header->sectionSize(ConnectorListModel::UrlColumn) >= em * 10,
        qPrintable(QString::number(header->sectionSize(ConnectorListModel::UrlColumn))));
    QVERIFY(header->sectionSize(ConnectorListModel::ApplicationColumn)
        < header->sectionSize(ConnectorListModel::UrlColumn));
    // "Needs secret" is not cut.
    QVERIFY(header->sectionSize(ConnectorListModel::StatusColumn)
        >= fm.horizontalAdvance(QStringLiteral("Needs secret")) + 16);
    // Details sit in a splitter under the list, and the selected row stays in view.
    auto *splitter = child<QSplitter>(page, "detailSplitter");
    QVERIFY(splitter);
    page->selectConnector(ids.last());
    QTRY_VERIFY(child<QGroupBox>(page, "detailGroupBox")->isVisible());
    QTRY_VERIFY(view->viewport()->rect().intersects(view->visualRect(view->currentIndex())));
    // The user can give Details more room, by mouse on the handle.
    const QList<int> before = splitter->sizes();
    QSplitterHandle *handle = splitter->handle(1);
    QVERIFY(handle);
    const QPoint from = handle->rect().center();
    QTest::mousePress(handle, Qt::LeftButton, {}, from);
    QTest::mouseMove(handle, from - QPoint(0, 40));
    QTest::mouseRelease(handle, Qt::LeftButton, {}, from - QPoint(0, 40));
    QTRY_VERIFY(splitter->sizes().value(1) > before.value(1));
    QTRY_VERIFY(view->viewport()->rect().intersects(view->visualRect(view->currentIndex())));
    // The user scrolls away; a result arriving for some row does not pull the list back.
    view->scrollToTop();
    QApplication::processEvents();
    const int scrolled = view->verticalScrollBar()->value();
    ValidationState v;
    v.status = ValidationStatus::Verified;
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(window()->repository()->recordValidation(ids.first(), v));
    QVERIFY(window()->repository()->recordValidation(ids.last(), v));
    QTest::qWait(50);
    QCOMPARE(view->verticalScrollBar()->value(), scrolled);
}

void TestConnectorsPage::multiSelectByMouse()
{
    QList<QUuid> ids;
    for (const char *name : { "A one", "B two", "C three", "D four" })
        ids << addDirect(QString::fromLatin1(name),
            QStringLiteral("https://%1.jamacloud.com").arg(QString::fromLatin1(name).left(1)));
    ConnectorsPage *page = window()->connectorsPage();
    auto *view = child<QTableView>(page, "connectorsTableView");
    const auto cell = [&](int row) {
        return view->visualRect(view->model()->index(row, ConnectorListModel::UrlColumn)).center();
    };
    // Click, then Ctrl+click: two rows; Shift+click: a range.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell(0));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, cell(2));
    QCOMPARE(page->selectedIds(), (QList<QUuid> { ids.at(0), ids.at(2) }));
    QVERIFY(page->selectedId().isNull()); // not one connector
    QVERIFY(!page->editAction()->isEnabled());
    QVERIFY(!page->duplicateAction()->isEnabled());
    QVERIFY(page->deleteAction()->isEnabled());
    QVERIFY(page->validateAction()->isEnabled());
    auto *details = child<QLabel>(page, "detailLabel");
    QVERIFY2(details->text().contains(QStringLiteral("2 connectors selected")),
        qPrintable(details->text()));
    // Shift+click extends from the last clicked row: rows 2 and 3 (what the view shows
    // selected is exactly what the actions act on).
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ShiftModifier, cell(3));
    QCOMPARE(page->selectedIds().size(), view->selectionModel()->selectedRows().size());
    QVERIFY(page->selectedIds().contains(ids.at(2)));
    QVERIFY(page->selectedIds().contains(ids.at(3)));
    QVERIFY(page->selectedIds().size() >= 2);
    // Ctrl+click a selected row to drop it.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, cell(3));
    const QList<QUuid> chosen = page->selectedIds();
    QVERIFY(!chosen.contains(ids.at(3)));
    QVERIFY(!chosen.isEmpty());

    // Delete them: one confirmation naming the count, then one Undo brings all back.
    QTest::keyClick(view, Qt::Key_Delete);
    auto *box = test::waitForChild<QMessageBox>(window(), "deleteMessageBox");
    QVERIFY(box);
    if (chosen.size() > 1)
        QVERIFY2(
            box->text().contains(QStringLiteral("Delete these %1 connectors?").arg(chosen.size())),
            qPrintable(box->text()));
    for (const QUuid &id : chosen)
        QVERIFY(box->text().contains(window()->repository()->find(id)->name));
    QTest::mouseClick(child<QPushButton>(box, "confirmDeletePushButton"), Qt::LeftButton);
    QTRY_COMPARE(window()->repository()->connectors().size(), 4 - int(chosen.size()));
    QCOMPARE(secrets()->contents().size(), 4 - int(chosen.size()));
    QTRY_VERIFY(page->pageMessage()->text().startsWith(QStringLiteral("Deleted")));
    QCOMPARE(page->pageMessage()->findChildren<QPushButton *>().size(), 1);
    QTRY_VERIFY(page->undoAction()->isEnabled());
    page->undoAction()->trigger(); // one Undo
    QTRY_COMPARE(window()->repository()->connectors().size(), 4);
    QCOMPARE(secrets()->contents().size(), 4); // secrets back too
    QTRY_VERIFY(page->pageMessage()->text().startsWith(QStringLiteral("Restored")));
    QVERIFY(!page->undoAction()->isEnabled()); // nothing left to undo
    const QList<QUuid> reselected = page->selectedIds();
    QCOMPARE(QSet<QUuid>(reselected.cbegin(), reselected.cend()),
        QSet<QUuid>(chosen.cbegin(), chosen.cend())); // the restored ones, selected again
    QVERIFY(window()->exportSelectedAction()->isEnabled());
    // Export Selected writes exactly the selected ones.
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("selected.json"));
    QVERIFY(window()->exportToFile(path, true));
    QFile exported(path);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    const QByteArray data = exported.readAll();
    for (const QUuid &id : ids)
        QCOMPARE(
            data.contains(window()->repository()->find(id)->name.toUtf8()), chosen.contains(id));
    // Validate Now queues every selected one (offline here: they wait for the network).
    page->validateAction()->trigger();
    for (const QUuid &id : ids)
        QCOMPARE(window()->validationQueue()->isPending(id), chosen.contains(id));
}

void TestConnectorsPage::statusFilter()
{
    const QUuid failed
        = addDirect(QStringLiteral("Broken"), QStringLiteral("https://b.jamacloud.com"));
    const QUuid ok = addDirect(QStringLiteral("Fine"), QStringLiteral("https://f.jamacloud.com"));
    addDirect(QStringLiteral("Fresh"), QStringLiteral("https://n.jamacloud.com"));
    ValidationState v;
    v.status = ValidationStatus::Failed;
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(window()->repository()->recordValidation(failed, v));
    v.status = ValidationStatus::Verified;
    QVERIFY(window()->repository()->recordValidation(ok, v));
    QVERIFY(!addImported(QStringLiteral("Imported"), QStringLiteral("https://i.jamacloud.com"))
                 .isNull());

    ConnectorsPage *page = window()->connectorsPage();
    auto *combo = child<QComboBox>(page, "statusFilterComboBox");
    auto *label = child<QLabel>(page, "statusFilterLabel");
    QCOMPARE(label->buddy(), combo);
    QCOMPARE(label->text().remove(QLatin1Char('&')), combo->accessibleName());
    const auto shown = [page] {
        QStringList names;
        for (int row = 0; row < page->proxy()->rowCount(); ++row)
            names << page->proxy()->index(row, ConnectorListModel::NameColumn).data().toString();
        names.sort();
        return names;
    };
    QCOMPARE(shown().size(), 4);
    // By keyboard: the label's mnemonic, then arrow keys.
    QTest::keyClick(window(), Qt::Key_W, Qt::AltModifier);
    QTRY_VERIFY(combo->hasFocus());
    combo->setCurrentIndex(combo->findText(QStringLiteral("Failed")));
    QCOMPARE(shown(), QStringList { QStringLiteral("Broken") });
    combo->setCurrentIndex(combo->findText(QStringLiteral("Needs secret")));
    QCOMPARE(shown(), QStringList { QStringLiteral("Imported") });
    combo->setCurrentIndex(combo->findText(QStringLiteral("Not verified")));
    QCOMPARE(shown(), QStringList { QStringLiteral("Fresh") });
    combo->setCurrentIndex(combo->findText(QStringLiteral("Warning")));
    QCOMPARE(shown(), QStringList());
    auto *noMatch = child<QLabel>(page, "noMatchLabel");
    QVERIFY(noMatch->isVisible());
    QVERIFY2(noMatch->text().contains(QStringLiteral("Warning")), qPrintable(noMatch->text()));
    // With the search text too.
    combo->setCurrentIndex(combo->findText(QStringLiteral("Verified")));
    child<QLineEdit>(page, "searchLineEdit")->setText(QStringLiteral("fi"));
    QCOMPARE(shown(), QStringList { QStringLiteral("Fine") });
    combo->setCurrentIndex(0);
    QCOMPARE(shown(), (QStringList { QStringLiteral("Fine") }));
    child<QLineEdit>(page, "searchLineEdit")->clear();
    QCOMPARE(shown().size(), 4);
}

void TestConnectorsPage::failingSinceAndHistory()
{
    const QUuid id
        = addDirect(QStringLiteral("Flaky"), QStringLiteral("https://flaky.jamacloud.com"));
    const QUuid other
        = addDirect(QStringLiteral("Other"), QStringLiteral("https://other.jamacloud.com"));
    ConnectorsPage *page = window()->connectorsPage();
    auto *details = child<QLabel>(page, "detailLabel");
    auto *label = child<QLabel>(page, "detailHistoryLabel");
    auto *tree = child<QTreeWidget>(page, "detailHistoryTreeWidget");
    page->selectConnector(id);
    QTRY_VERIFY(details->isVisible());
    QVERIFY(!tree->isVisible()); // nothing recorded yet
    QVERIFY(!details->text().contains(QStringLiteral("since")));

    // A success, then three failures (the last one a server's hostile message), while the
    // connector is selected: Details follow each result.
    const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-3600);
    const QString hostile = QStringLiteral("<a href=\"https://evil.example\">Sign in</a><img "
                                           "src=x>\x1b[31m");
    const auto record = [&](ValidationStatus status, int minutes, const QString &message) {
        ValidationState v;
        v.status = status;
        v.message = message;
        v.checkedAt = start.addSecs(60 * minutes);
        QVERIFY(window()->repository()->recordValidation(id, v));
    };
    record(ValidationStatus::Verified, 0, QStringLiteral("Signed in as svc."));
    record(ValidationStatus::Failed, 10, QStringLiteral("Connection refused."));
    record(ValidationStatus::Failed, 20, QStringLiteral("Connection refused."));
    record(ValidationStatus::Failed, 30, hostile);
    const QString since = QLocale().toString(start.addSecs(600).toLocalTime(), QLocale::LongFormat);
    QTRY_VERIFY2(
        details->text().contains(
            QStringLiteral("Failing since %1 (3 checks in a row)").toHtmlEscaped().arg(since)),
        qPrintable(details->text()));
    // Hostile text stays text, in Details and in the list.
    QVERIFY(!details->text().contains(QStringLiteral("<a href")));
    QVERIFY(details->text().contains(QStringLiteral("&lt;a href")));
    QVERIFY(tree->isVisible());
    QVERIFY(label->isVisible());
    QCOMPARE(tree->topLevelItemCount(), 4);
    const QStringList statuses { QStringLiteral("Failed"), QStringLiteral("Failed"),
        QStringLiteral("Failed"), QStringLiteral("Verified") };
    for (int i = 0; i < 4; ++i) {
        QTreeWidgetItem *item = tree->topLevelItem(i);
        QCOMPARE(item->text(1), statuses.at(i)); // newest first
        QCOMPARE(item->text(0),
            QLocale().toString(
                start.addSecs(60 * (30 - 10 * i)).toLocalTime(), QLocale::ShortFormat));
    }
    QCOMPARE(tree->topLevelItem(0)->text(2), hostile); // as written, in a plain-text item
    QCOMPARE(tree->topLevelItem(3)->text(2), QStringLiteral("Signed in as svc."));
    QVERIFY(!tree->topLevelItem(0)->toolTip(2).contains(QStringLiteral("<a href")));

    // Accessible: the label's text is the list's name, its buddy; reached by its mnemonic and
    // by Tab; no mnemonic twice in the window.
    QCOMPARE(label->buddy(), tree);
    QCOMPARE(label->text().remove(QLatin1Char('&')), tree->accessibleName());
    QCOMPARE(tree->accessibleName(), QStringLiteral("History"));
    QVERIFY(tree->focusPolicy() & Qt::TabFocus);
    QVERIFY2(test::duplicateMnemonics(window(), QStringLiteral("history shown")).isEmpty(),
        qPrintable(test::duplicateMnemonics(window(), QStringLiteral("history shown"))
                       .join(QLatin1Char('\n'))));
    QVERIFY(test::activate(window()));
    QTest::keyClick(window(), Qt::Key_Y, Qt::AltModifier);
    QTRY_VERIFY(tree->hasFocus());
    QVERIFY(tree->topLevelItem(0)
                ->data(0, Qt::AccessibleTextRole)
                .toString()
                .contains(QStringLiteral("Failed")));

    // A success ends the run; a warning starts its own.
    record(ValidationStatus::Verified, 40, QStringLiteral("Signed in as svc."));
    QTRY_COMPARE(tree->topLevelItemCount(), 5);
    QVERIFY2(!details->text().contains(QStringLiteral("since")), qPrintable(details->text()));
    record(ValidationStatus::Warning, 50, QStringLiteral("Floating license."));
    QTRY_VERIFY2(
        details->text().contains(
            QStringLiteral("Warning since %1 (the last check only)")
                .arg(QLocale().toString(start.addSecs(3000).toLocalTime(), QLocale::LongFormat))),
        qPrintable(details->text()));

    // Another connector without results: no history shown; several selected: none either.
    page->selectConnector(other);
    QTRY_VERIFY(details->text().contains(QStringLiteral("Other")));
    QVERIFY(!tree->isVisible());
    page->selectConnectors({ id, other });
    QTRY_VERIFY(details->text().contains(QStringLiteral("2 connectors selected")));
    QVERIFY(!tree->isVisible());
}

QTEST_MAIN(TestConnectorsPage)
#include "tst_connectorspage.moc"
