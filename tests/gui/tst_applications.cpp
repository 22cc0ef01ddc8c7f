// Applications as providers: the dialog follows the application and the auth method (by
// keyboard and by mouse), and a throwaway third application, registered here only, goes
// through the dialog, the store, the export and the command line without any change to
// the app's files.
#include "AppContext.h"
#include "ApplicationProvider.h"
#include "Applications.h"
#include "AuthEditor.h"
#include "Check.h"
#include "CommandLine.h"
#include "ConnectorDialog.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "Exchange.h"
#include "FakeJiraServer.h"
#include "GuiTestSupport.h"
#include "InlineMessage.h"
#include "MemorySecretStore.h"
#include "SecretLineEdit.h"
#include "TestSupport.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <QToolButton>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace cd;
using namespace cd::ui;

namespace {

// ---- the throwaway application ---------------------------------------------------------

// "Acme Tracker": one method, an account name and an access key sent as a Bearer token to
// GET {base}/rest/api/2/myself (the fake Jira answers it for a personal access token).
class AcmeCheck final : public CheckProtocol
{
public:
    explicit AcmeCheck(const ValidationRequest &r)
        : m_secret(r.secret)
    { }
    QString productName() const override { return QStringLiteral("Acme"); }
    CheckStep first() override
    {
        CheckStep s;
        s.path = QStringLiteral("/rest/api/2/myself");
        s.authorization = bearerAuthorization(m_secret);
        return s;
    }
    CheckOutcome answer(const CheckAnswer &a) override
    {
        if (a.httpStatus == 401)
            return CheckOutcome::fail(
                ValidationResult::Failure::CredentialsRejected, QStringLiteral("Acme said no."));
        if (a.httpStatus != 200)
            return CheckOutcome::commonRules();
        ValidationResult r;
        r.status = ValidationStatus::Verified;
        r.message = QStringLiteral("Acme knows %1.")
                        .arg(a.jsonObject()
                                 .value_or(QJsonObject())
                                 .value(QLatin1String("name"))
                                 .toString());
        return CheckOutcome::finish(r);
    }
    QString noApiMessage(const QUrl &) const override { return QStringLiteral("No Acme here."); }

private:
    QString m_secret;
};

class AcmeProvider final : public ApplicationProvider
{
public:
    AcmeProvider()
    {
        AuthMethod key;
        key.id = QStringLiteral("key");
        key.displayName = QStringLiteral("Access key");
        key.identityKey = QStringLiteral("account");
        key.identityOption = QStringLiteral("account");
        key.identityLabel = QStringLiteral("Acc&ount");
        key.identityMissing = QStringLiteral("Enter the account.");
        key.secretKeySuffix = QStringLiteral("access-key");
        key.secretLabel = QStringLiteral("Access &key");
        key.secretMissing = QStringLiteral("Enter the access key.");
        m_methods = { key };
    }
    QString id() const override { return QStringLiteral("acme-tracker"); }
    QString displayName() const override { return QStringLiteral("Acme Tracker"); }
    QString productName() const override { return QStringLiteral("Acme"); }
    QString urlPlaceholder() const override { return QStringLiteral("https://acme.example"); }
    NormalizedUrl normalizeUrl(const QString &input) const override
    {
        UrlRules rules;
        rules.emptyMessage = QStringLiteral("Enter the Acme URL.");
        rules.example = QStringLiteral("https://acme.example");
        return normalizeBaseUrl(input, rules);
    }
    const QList<AuthMethod> &authMethods() const override { return m_methods; }
    QString accountNote() const override { return QStringLiteral("Any Acme account will do."); }
    QString vendorSupport() const override { return QStringLiteral("Acme Support"); }
    std::unique_ptr<CheckProtocol> createCheck(const ValidationRequest &r) const override
    {
        return std::make_unique<AcmeCheck>(r);
    }

private:
    QList<AuthMethod> m_methods;
};

// Runs the command line in this process (the registered provider is there), with `input`
// on stdin; returns what it printed on stdout.
QByteArray runCli(const QStringList &args, const QByteArray &input, int *exitCode)
{
    QTemporaryFile in, out;
    if (!in.open() || !out.open())
        return {};
    in.write(input);
    in.flush();
    std::fflush(stdout);
    const int savedIn = dup(0), savedOut = dup(1);
    const int inFd = ::open(in.fileName().toLocal8Bit().constData(), O_RDONLY);
    dup2(inFd, 0);
    dup2(out.handle(), 1);
    *exitCode = cli::runConsole(QStringList { QStringLiteral("connector-desk") } + args);
    std::fflush(stdout);
    dup2(savedIn, 0);
    dup2(savedOut, 1);
    ::close(inFd);
    ::close(savedIn);
    ::close(savedOut);
    out.seek(0);
    return out.readAll();
}

// The buddy label of `field` in `dialog`, or nullptr.
QLabel *labelOf(QWidget *dialog, QWidget *field)
{
    for (QLabel *l : dialog->findChildren<QLabel *>()) {
        if (l->buddy() == field)
            return l;
    }
    return nullptr;
}

QString withoutMnemonic(QString text)
{
    return text.remove(QLatin1Char('&'));
}

} // namespace

class TestApplications : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void switchApplicationAndAuth_data();
    void switchApplicationAndAuth();
    void editKeepsItsOwnApplication();
    void thirdApplicationEndToEnd();

private:
    // Chooses `row` of `combo` by keyboard (focus, then Down/Up) or by mouse (the popup).
    static void choose(QComboBox *combo, int row, bool mouse);
    // The visible credential fields (identity, secret) of the dialog's current page.
    QStringList visibleFields() const;
    void checkLabels(const QString &where);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MemorySecretStore> m_secrets;
    std::unique_ptr<AppContext> m_context;
    std::unique_ptr<ConnectorDialog> m_dialog;
};

void TestApplications::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_secrets = std::make_unique<MemorySecretStore>();
    m_context
        = std::make_unique<AppContext>(m_dir->path(), AppContext::Mode::Window, m_secrets.get());
    QString error;
    QVERIFY2(m_context->repository()->load(&error), qPrintable(error));
    m_dialog = std::make_unique<ConnectorDialog>(m_context->repository());
    m_dialog->setNetworkAccessManager(m_context->network());
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
}

void TestApplications::cleanup()
{
    m_dialog.reset();
    m_context.reset();
    m_secrets.reset();
    m_dir.reset();
    Applications::remove(QStringLiteral("acme-tracker"));
}

void TestApplications::choose(QComboBox *combo, int row, bool mouse)
{
    if (!mouse) {
        combo->setFocus(Qt::TabFocusReason);
        QTRY_VERIFY(combo->hasFocus());
        while (combo->currentIndex() < row)
            QTest::keyClick(combo, Qt::Key_Down);
        while (combo->currentIndex() > row)
            QTest::keyClick(combo, Qt::Key_Up);
        return;
    }
    QTest::mouseClick(combo, Qt::LeftButton);
    QAbstractItemView *view = combo->view();
    QTRY_VERIFY(view->isVisible());
    // The popup ignores a release within a double-click interval of opening (the release of
    // the click that opened it): a user's second click comes later.
    QTest::qWait(QApplication::doubleClickInterval() + 100);
    const QRect rect = view->visualRect(view->model()->index(row, 0));
    // Inside the item and the popup (which may be narrower than the item's rect says).
    const QPoint at(qMin(rect.center().x(), view->viewport()->width() / 2), rect.center().y());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTRY_VERIFY2(!view->isVisible(),
        qPrintable(QStringLiteral("%1: row %2 at %3,%4 %5x%6 of %7x%8")
                       .arg(combo->objectName())
                       .arg(row)
                       .arg(rect.x())
                       .arg(rect.y())
                       .arg(rect.width())
                       .arg(rect.height())
                       .arg(view->viewport()->width())
                       .arg(view->viewport()->height())));
}

QStringList TestApplications::visibleFields() const
{
    QStringList names;
    for (QLineEdit *e : m_dialog->findChildren<QLineEdit *>()) {
        if (e->isVisibleTo(m_dialog.get()) && e->objectName() != QLatin1String("nameLineEdit")
            && e->objectName() != QLatin1String("urlLineEdit")
            && e->objectName() != QLatin1String("projectsLineEdit") // the scope, every page's
            && !qobject_cast<QComboBox *>(e->parentWidget()))
            names << e->objectName();
    }
    names.sort();
    return names;
}

void TestApplications::checkLabels(const QString &where)
{
    // Every input has a buddy label, and an accessible name equal to that label.
    for (QLineEdit *e : m_dialog->findChildren<QLineEdit *>()) {
        if (!e->isVisibleTo(m_dialog.get()) || qobject_cast<QComboBox *>(e->parentWidget()))
            continue;
        QLabel *label = labelOf(m_dialog.get(), e);
        QVERIFY2(label, qPrintable(where + QStringLiteral(": no label for ") + e->objectName()));
        QCOMPARE(e->accessibleName(), withoutMnemonic(label->text()));
    }
    const QStringList clashes = test::duplicateMnemonics(m_dialog.get(), where);
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));
}

void TestApplications::switchApplicationAndAuth_data()
{
    QTest::addColumn<bool>("mouse");
    QTest::newRow("keyboard") << false;
    QTest::newRow("mouse") << true;
}

void TestApplications::switchApplicationAndAuth()
{
    QFETCH(bool, mouse);
    auto *application = m_dialog->findChild<QComboBox *>(QStringLiteral("applicationComboBox"));
    auto *auth = m_dialog->findChild<QComboBox *>(QStringLiteral("authTypeComboBox"));
    auto *url = m_dialog->findChild<QLineEdit *>(QStringLiteral("urlLineEdit"));
    auto *hint = m_dialog->findChild<QLabel *>(QStringLiteral("authHintLabel"));
    QVERIFY(application && auth && url && hint);
    QCOMPARE(application->count(), 3);
    QCOMPARE(application->itemText(0), QStringLiteral("Jama Connect"));
    QCOMPARE(application->itemText(1), QStringLiteral("Jira Cloud"));
    QCOMPARE(application->itemText(2), QStringLiteral("Jira Data Center"));

    // Jama Connect, Basic: something typed that must not survive a switch.
    QCOMPARE(visibleFields(), (QStringList { "passwordLineEdit", "usernameLineEdit" }));
    QVERIFY(hint->isVisible());
    QVERIFY(hint->text().contains(QLatin1String("SAML")));
    checkLabels(QStringLiteral("Jama, Basic"));
    m_dialog->findChild<QLineEdit *>(QStringLiteral("usernameLineEdit"))
        ->setText(QStringLiteral("jama-user"));
    m_dialog->findChild<QLineEdit *>(QStringLiteral("passwordLineEdit"))
        ->setText(QStringLiteral("jama-secret"));

    // Jira Cloud: Email + API token, one method (nothing to choose), no SAML hint.
    choose(application, 1, mouse);
    QCOMPARE(application->currentIndex(), 1);
    QCOMPARE(visibleFields(), (QStringList { "apiTokenLineEdit", "emailLineEdit" }));
    QCOMPARE(auth->count(), 1);
    QCOMPARE(auth->currentText(), QStringLiteral("API token"));
    QVERIFY(auth->isEnabled()); // a Tab stop that says which method, Alt+T lands there
    QVERIFY(!hint->isVisible());
    QVERIFY(url->placeholderText().contains(QLatin1String("atlassian.net")));
    auto *help = m_dialog->findChild<QToolButton *>(QStringLiteral("credentialsHelpButton"));
    QVERIFY(help && help->isVisible());
    QCOMPARE(help->text(), QStringLiteral("How do I create an API token?"));
    QCOMPARE(m_dialog->findChild<QLineEdit *>(QStringLiteral("emailLineEdit"))->text(), QString());
    QVERIFY(m_dialog->findChild<SecretLineEdit *>(QStringLiteral("apiTokenLineEdit"))
                ->newSecret()
                .value_or(QString())
                .isEmpty());
    checkLabels(QStringLiteral("Jira Cloud"));
    // The Jama page's fields are gone with their text: nothing hidden holds a secret.
    QVERIFY(!m_dialog->findChild<QLineEdit *>(QStringLiteral("passwordLineEdit")));
    for (QLineEdit *e : m_dialog->findChildren<QLineEdit *>())
        QVERIFY2(!e->text().contains(QLatin1String("jama-")), qPrintable(e->objectName()));
    m_dialog->findChild<QLineEdit *>(QStringLiteral("emailLineEdit"))
        ->setText(QStringLiteral("me@example.com"));
    QCOMPARE(m_dialog->draft().authType, QStringLiteral("api-token"));
    QCOMPARE(m_dialog->draft().identity, QStringLiteral("me@example.com"));

    // Jira Data Center: Basic or a personal access token.
    choose(application, 2, mouse);
    QCOMPARE(auth->count(), 2);
    QVERIFY(auth->isEnabled());
    QCOMPARE(auth->itemText(0), QStringLiteral("Basic"));
    QCOMPARE(auth->itemText(1), QStringLiteral("Personal access token"));
    // Jira's password has a keychain key of its own, and its field is named after it.
    QCOMPARE(visibleFields(), (QStringList { "jiraPasswordLineEdit", "usernameLineEdit" }));
    QVERIFY(hint->isVisible());
    QVERIFY(hint->text().contains(QLatin1String("Personal access token")));
    QCOMPARE(
        m_dialog->findChild<QLineEdit *>(QStringLiteral("usernameLineEdit"))->text(), QString());
    checkLabels(QStringLiteral("Jira Data Center, Basic"));
    m_dialog->findChild<QLineEdit *>(QStringLiteral("usernameLineEdit"))
        ->setText(QStringLiteral("dc-user"));

    // A personal access token has no identity field at all.
    choose(auth, 1, mouse);
    QCOMPARE(visibleFields(), QStringList { "tokenLineEdit" });
    QVERIFY(!m_dialog->currentAuthEditor()->identityEdit());
    QCOMPARE(
        labelOf(m_dialog.get(), m_dialog->findChild<QLineEdit *>(QStringLiteral("tokenLineEdit")))
            ->text(),
        QStringLiteral("T&oken"));
    checkLabels(QStringLiteral("Jira Data Center, PAT"));
    QCOMPARE(m_dialog->draft().authType, QStringLiteral("pat"));
    QCOMPARE(m_dialog->draft().identity, QString());
    m_dialog->findChild<QLineEdit *>(QStringLiteral("tokenLineEdit"))
        ->setText(QStringLiteral("dc-token"));

    // Back to Basic: what was typed there went when the page was left.
    choose(auth, 0, mouse);
    QCOMPARE(
        m_dialog->findChild<QLineEdit *>(QStringLiteral("usernameLineEdit"))->text(), QString());
    choose(auth, 1, mouse);
    QVERIFY(m_dialog->findChild<SecretLineEdit *>(QStringLiteral("tokenLineEdit"))
                ->newSecret()
                .value_or(QString())
                .isEmpty());

    // Back to Jama: its two methods and the SAML hint again, and empty fields.
    choose(application, 0, mouse);
    QCOMPARE(auth->count(), 2);
    QCOMPARE(auth->itemText(1), QStringLiteral("oAuth"));
    QCOMPARE(visibleFields(), (QStringList { "passwordLineEdit", "usernameLineEdit" }));
    QCOMPARE(
        m_dialog->findChild<QLineEdit *>(QStringLiteral("usernameLineEdit"))->text(), QString());
    choose(auth, 1, mouse);
    QCOMPARE(visibleFields(), (QStringList { "clientIdLineEdit", "clientSecretLineEdit" }));
    checkLabels(QStringLiteral("Jama, oAuth"));
    // The Tab order runs through the current page only, then the projects, and ends at the
    // buttons.
    QWidget *w = m_dialog->findChild<QComboBox *>(QStringLiteral("authTypeComboBox"));
    QStringList order;
    for (int i = 0; i < 6; ++i) {
        w = w->nextInFocusChain();
        while (!(w->focusPolicy() & Qt::TabFocus) || !w->isVisibleTo(m_dialog.get()))
            w = w->nextInFocusChain();
        order << w->objectName();
    }
    QCOMPARE(order,
        (QStringList { "clientIdLineEdit", "clientSecretLineEdit", "credentialsHelpButton",
            "projectsLineEdit", "loadProjectsButton", "testConnectionPushButton" }));

    // Typed on the second page, then another application: every page goes, cleared, while
    // the dialog keeps working (a page cleared after another was deleted once crashed).
    QTest::keyClicks(m_dialog->findChild<QLineEdit *>(QStringLiteral("clientIdLineEdit")), "id");
    QTest::keyClicks(
        m_dialog->findChild<QLineEdit *>(QStringLiteral("clientSecretLineEdit")), "secret");
    choose(application, 1, mouse);
    QCOMPARE(visibleFields(), (QStringList { "apiTokenLineEdit", "emailLineEdit" }));
    QVERIFY(!m_dialog->findChild<QLineEdit *>(QStringLiteral("clientSecretLineEdit")));
}

void TestApplications::editKeepsItsOwnApplication()
{
    Connector c;
    c.application = QStringLiteral("jira-data-center");
    c.name = QStringLiteral("DC");
    c.url = QStringLiteral("https://jira.example.com/jira");
    c.authType = QStringLiteral("pat");
    const RepositoryResult added = test::waitFor([&](RepositoryCallback done) {
        m_context->repository()->add(c, QStringLiteral("stored-token"), std::move(done));
    });
    QVERIFY2(added.ok, qPrintable(added.error));
    c = *m_context->repository()->find(added.id);
    m_dialog->editConnector(c);
    auto *application = m_dialog->findChild<QComboBox *>(QStringLiteral("applicationComboBox"));
    QCOMPARE(application->currentText(), QStringLiteral("Jira Data Center"));
    QCOMPARE(m_dialog->draft().authType, QStringLiteral("pat"));
    auto *token = m_dialog->findChild<SecretLineEdit *>(QStringLiteral("tokenLineEdit"));
    QVERIFY(token);
    QVERIFY(!token->newSecret().has_value()); // "unchanged": the stored one stays
    QVERIFY(m_dialog->submitButton()->isEnabled());

    // Another application needs a secret of its own: the stored token is not carried over.
    choose(application, 1, false);
    QVERIFY(!m_dialog->submitButton()->isEnabled());
    QVERIFY(!m_dialog->currentCheck().secret.isEmpty());
    // Back to its own: the stored token counts again.
    choose(application, 2, false);
    QCOMPARE(m_dialog->draft().authType, QStringLiteral("pat"));
    QVERIFY(m_dialog->submitButton()->isEnabled());
}

void TestApplications::thirdApplicationEndToEnd()
{
    // Registered by this test only: no file of the app knows it.
    QVERIFY(Applications::add(std::make_unique<AcmeProvider>()));
    fake::FakeJiraServer server;
    server.setFlavour(fake::JiraFlavour::DataCenter);
    QVERIFY(server.listen());

    // The dialog lists it (reopened: the list is read when the dialog is made).
    m_dialog = std::make_unique<ConnectorDialog>(m_context->repository());
    m_dialog->setNetworkAccessManager(m_context->network());
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
    auto *application = m_dialog->findChild<QComboBox *>(QStringLiteral("applicationComboBox"));
    const int row = application->findText(QStringLiteral("Acme Tracker"));
    QVERIFY(row >= 0);
    choose(application, row, true);
    QCOMPARE(visibleFields(), (QStringList { "accessKeyLineEdit", "accountLineEdit" }));
    checkLabels(QStringLiteral("Acme"));
    m_dialog->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"))
        ->setText(QStringLiteral("Acme One"));
    m_dialog->findChild<QLineEdit *>(QStringLiteral("urlLineEdit"))
        ->setText(server.baseUrl().toString());
    m_dialog->findChild<QLineEdit *>(QStringLiteral("accountLineEdit"))
        ->setText(QStringLiteral("verified"));
    QTest::keyClicks(
        m_dialog->findChild<QLineEdit *>(QStringLiteral("accessKeyLineEdit")), "verified-pat");

    // Test Connection runs the provider's own check.
    auto *test = m_dialog->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton"));
    QTRY_VERIFY(test->isEnabled());
    QTest::mouseClick(test, Qt::LeftButton);
    auto *message = test::child<InlineMessage>(m_dialog.get(), QStringLiteral("testMessage"));
    QTRY_VERIFY2_WITH_TIMEOUT(message->text().startsWith(QLatin1String("Acme knows verified")),
        qPrintable(message->text()), 15000);
    QCOMPARE(server.requestCount(QStringLiteral("/rest/api/2/myself")), 1);

    QSignalSpy saved(m_dialog.get(), &ConnectorDialog::saved);
    QTest::mouseClick(m_dialog->submitButton(), Qt::LeftButton);
    QTRY_COMPARE(saved.count(), 1);
    const QUuid id = saved.at(0).at(0).toUuid();
    const Connector c = *m_context->repository()->find(id);
    QCOMPARE(c.application, QStringLiteral("acme-tracker"));
    QCOMPARE(c.authType, QStringLiteral("key"));
    QCOMPARE(c.identity, QStringLiteral("verified"));
    // Its secret under its method's key, and nowhere in the data folder.
    QCOMPARE(m_secrets->contents().value(
                 QStringLiteral("connector/%1/access-key").arg(id.toString(QUuid::WithoutBraces))),
        QStringLiteral("verified-pat"));
    QVERIFY(test::filesContaining(m_dir->path(), "verified-pat").isEmpty());

    // The store: another connection reads it back as it was written.
    ConnectorStore other(m_dir->path());
    QList<Connector> rows;
    QString error;
    QVERIFY2(other.load(&rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().application, QStringLiteral("acme-tracker"));
    QCOMPARE(rows.first().identity, QStringLiteral("verified"));

    // Export and import: its identity under its own key, never the secret.
    const QByteArray exported = Exchange::exportConnectors({ c });
    QVERIFY(!exported.contains("verified-pat"));
    const QJsonObject entry
        = QJsonDocument::fromJson(exported).object().value("connectors").toArray().at(0).toObject();
    QCOMPARE(entry.value("application").toString(), QStringLiteral("acme-tracker"));
    QCOMPARE(entry.value("authType").toString(), QStringLiteral("key"));
    QCOMPARE(entry.value("account").toString(), QStringLiteral("verified"));
    const Exchange::ImportPlan plan = Exchange::parseImport(exported, {});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    QCOMPARE(plan.entries.first().connector.identity, QStringLiteral("verified"));

    // The command line: its option and its JSON, from the provider (needs the Secret
    // Service of the test harness for the secret).
    if (!test::secretServiceAvailable())
        QSKIP("the command-line half needs the Secret Service (scripts/test provides one)");
    m_dialog.reset();
    m_context.reset();
    int code = -1;
    runCli({ QStringLiteral("--data-dir"), m_dir->path(), QStringLiteral("add"),
               QStringLiteral("--application"), QStringLiteral("acme-tracker"),
               QStringLiteral("--name"), QStringLiteral("Acme Two"), QStringLiteral("--url"),
               server.baseUrl().toString(), QStringLiteral("--account"), QStringLiteral("verified"),
               QStringLiteral("--secret-stdin"), QStringLiteral("--validate") },
        "verified-pat\n", &code);
    QCOMPARE(code, 0);
    const QByteArray json = runCli({ QStringLiteral("--data-dir"), m_dir->path(),
                                       QStringLiteral("list"), QStringLiteral("--json") },
        {}, &code);
    QCOMPARE(code, 0);
    const QJsonArray list = QJsonDocument::fromJson(json).array();
    QCOMPARE(list.size(), 2);
    for (const QJsonValue &v : list) {
        QCOMPARE(v.toObject().value("application").toString(), QStringLiteral("acme-tracker"));
        QCOMPARE(v.toObject().value("account").toString(), QStringLiteral("verified"));
    }
    QCOMPARE(list.at(1).toObject().value("status").toString(), QStringLiteral("verified"));
    // An option of another application's method is refused, naming the right one.
    runCli({ QStringLiteral("--data-dir"), m_dir->path(), QStringLiteral("add"),
               QStringLiteral("--application"), QStringLiteral("acme-tracker"),
               QStringLiteral("--name"), QStringLiteral("Acme Three"), QStringLiteral("--url"),
               server.baseUrl().toString(), QStringLiteral("--email"), QStringLiteral("x@y"),
               QStringLiteral("--secret-stdin") },
        "k\n", &code);
    QCOMPARE(code, 2);
    runCli({ QStringLiteral("--data-dir"), m_dir->path(), QStringLiteral("remove"),
               QStringLiteral("Acme Two") },
        {}, &code);
    QCOMPARE(code, 0);
}

QTEST_MAIN(TestApplications)
#include "tst_applications.moc"
