// Produces the README's screenshots from the real widgets: the empty state, the list with a
// few connectors, the Add New Connector dialog with Basic and with oAuth, and (given a fake
// Jama's URL) the checklist of a Test Connection of a scoped connector.
// Usage: screenshot-tour OUTPUT_DIR [FAKE_JAMA_URL]   (run under Xvfb by scripts/screenshots,
// which starts the fake Jama with the accounts of the checklist shot)
#include "AuthEditor.h"
#include "ChangeSecretDialog.h"
#include "ChecklistView.h"
#include "ConnectorDialog.h"
#include "ConnectorRepository.h"
#include "ConnectorsPage.h"
#include "Exchange.h"
#include "GuiTestSupport.h"
#include "ImportDialog.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "PreferencesDialog.h"
#include "SecretLineEdit.h"
#include "TrayController.h"
#include "ValidationQueue.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPalette>
#include <QPushButton>
#include <QTest>
#include <QUrl>
#include <functional>

using namespace cd;

static QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe8, 0xea, 0xed);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa6));
    p.setColor(QPalette::Highlight, QColor(0x3b, 0x82, 0xf6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x8a, 0xb4, 0xf8));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    return p;
}

static void save(QWidget *w, const QString &path);

// Waits (events running) until `done`, or dies saying what did not happen.
static void waitUntil(const std::function<bool()> &done, const char *what)
{
    if (!QTest::qWaitFor(done, 30000))
        qFatal("timed out: %s", what);
}

// Add New Connector after Test Connection of a connector scoped to two projects, one
// readable and one not, against the fake Jama at `jama` (https, self-signed: trusted in the
// dialog, as a user would), with the projects loaded for completion.
static void checklistShot(ui::ConnectorsPage *page, const QUrl &jama, const QString &out)
{
    ui::ConnectorDialog *dialog = page->openAddDialog();
    if (!dialog || !QTest::qWaitForWindowExposed(dialog))
        qFatal("dialog not shown");
    dialog->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"))
        ->setText(QStringLiteral("Globex Production"));
    dialog->findChild<QLineEdit *>(QStringLiteral("urlLineEdit"))->setText(jama.toString());
    dialog->currentAuthEditor()->identityEdit()->setText(
        QStringLiteral("InterchangeServiceAccount"));
    dialog->currentAuthEditor()->secretEdit()->setText(QStringLiteral("correct horse battery"));
    dialog->findChild<QLineEdit *>(QStringLiteral("projectsLineEdit"))
        ->setText(QStringLiteral("GLX, OPS"));
    auto *test = dialog->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton"));
    test->click();
    waitUntil([dialog] { return !dialog->isTesting(); }, "Test Connection");
    if (auto *trust
        = dialog->findChild<QPushButton *>(QStringLiteral("trustCertificatePushButton"))) {
        trust->click();
        waitUntil([dialog] { return !dialog->isTesting(); }, "Test Connection (trusted)");
    }
    auto *checklist = dialog->findChild<ui::ChecklistView *>(QStringLiteral("checklistView"));
    if (!checklist || checklist->checks().isEmpty())
        qFatal("no checklist");
    dialog->findChild<QPushButton *>(QStringLiteral("loadProjectsButton"))->click();
    waitUntil([dialog] { return !dialog->isLoadingProjects(); }, "Load Projects");
    dialog->resize(660, dialog->sizeHint().height());
    save(dialog, out + QStringLiteral("/checklist.png"));
    dialog->reject();
}

static void save(QWidget *w, const QString &path)
{
    QApplication::processEvents();
    QTest::qWait(150);
    if (!w->grab().save(path))
        qFatal("cannot write %s", qPrintable(path));
    qInfo("wrote %s", qPrintable(path));
}

// The connectors shown, each with the result of its last check.
struct Demo
{
    const char *application, *name, *url, *authType, *identity;
    ValidationStatus status;
    const char *message;
    int minutesAgo;
};

static void addConnector(ConnectorRepository *repo, const Demo &demo)
{
    const QString identity = QString::fromUtf8(demo.identity);
    const QUuid id = test::addConnector(repo,
        test::makeConnector(QString::fromUtf8(demo.name), QString::fromUtf8(demo.url),
            QString::fromUtf8(demo.authType), identity, QString::fromUtf8(demo.application)),
        QStringLiteral("demo-secret"), 30000);
    if (id.isNull())
        qFatal("the repository did not add %s", demo.name);
    if (demo.status != ValidationStatus::NotVerified) {
        ValidationState v;
        v.status = demo.status;
        v.message = QString::fromUtf8(demo.message);
        v.checkedAt = QDateTime::currentDateTimeUtc().addSecs(-60 * demo.minutesAgo);
        const bool jama = QLatin1String(demo.application) == QLatin1String("jama-connect");
        v.account = { QStringLiteral("Interchange Service"), identity,
            jama ? QStringLiteral("NAMED") : QString() };
        QString error;
        repo->setValidation(id, v, &error);
    }
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ConnectorDeskTour"));
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("docs");
    QDir().mkpath(out);
    // The system's network state (the header shows it); the validator is kept off the network
    // instead, as the hosts are made up.
    test::MainWindowFixture::Options options;
    options.network = std::nullopt;
    // As on a desktop with a system tray (Xvfb has none): Preferences offers the tray choice.
    ui::TrayController::setAvailabilityForTesting(true);
    test::MainWindowFixture fixture(options);
    ui::MainWindow &window = *fixture.create();
    window.validationQueue()->setNetworkAvailable(false);
    window.resize(1040, 640);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        qFatal("window not exposed");
    save(&window, out + QStringLiteral("/empty-state.png"));

    ConnectorRepository *repo = window.repository();
    const Demo demos[] = {
        { "jama-connect", "Acme Production", "https://acme.jamacloud.com", "oauth",
            "c6f1e3a0-interchange", ValidationStatus::Verified,
            "Named Creator license: the account may use the REST API. Admin privileges cannot be "
            "confirmed through the API.",
            12 },
        { "jira-cloud", "Acme Jira", "https://acme.atlassian.net", "api-token",
            "integration@acme.example", ValidationStatus::Verified,
            "Signed in to Jira as Interchange Service (integration@acme.example), with "
            "permission to browse projects and to create and edit issues.",
            12 },
        { "jama-connect", "Acme Sandbox", "https://acme-sandbox.jamacloud.com", "basic",
            "InterchangeServiceAccount", ValidationStatus::Warning,
            "Floating Creator license: since Jama Connect 9.28, only Named Creator accounts may "
            "use the REST API.",
            180 },
        { "jama-connect", "Medical Devices (on-prem)", "https://jama.example.com/contour", "basic",
            "svc-interchange", ValidationStatus::Failed,
            "The username or password was rejected (HTTP 401). Check them, then edit the "
            "connector.",
            60 * 30 },
        { "jira-data-center", "Medical Devices Jira", "https://jira.example.com/jira", "pat", "",
            ValidationStatus::Warning,
            "Signed in to Jira as Interchange Service (svc-jira), but the account lacks these "
            "permissions in every project: Edit issues.",
            60 },
        { "jama-connect", "Customer site — Lab", "https://10.20.0.15:8443/jama", "basic",
            "InterchangeServiceAccount", ValidationStatus::NotVerified, "", 0 },
    };
    for (const Demo &demo : demos)
        addConnector(repo, demo);
    window.connectorsPage()->selectConnector(repo->connectors().first().id);
    window.resize(1040, 640);
    save(&window, out + QStringLiteral("/connectors.png"));
    // The sizes and palettes people use: 1280x800 and the window's minimum, light and dark.
    const QPalette light = QApplication::palette();
    for (const bool dark : { false, true }) {
        QApplication::setPalette(dark ? darkPalette() : light);
        const QString suffix = dark ? QStringLiteral("-dark") : QString();
        window.resize(1280, 800);
        save(&window, out + QStringLiteral("/connectors-1280x800%1.png").arg(suffix));
        window.resize(window.minimumSize());
        save(&window, out + QStringLiteral("/connectors-minimum%1.png").arg(suffix));
    }
    QApplication::setPalette(light);
    window.resize(1040, 640);

    ui::ConnectorDialog *dialog = window.connectorsPage()->openAddDialog();
    dialog->resize(560, dialog->sizeHint().height());
    if (!QTest::qWaitForWindowExposed(dialog))
        qFatal("window not exposed");
    dialog->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"))
        ->setText(QStringLiteral("Globex Production"));
    auto *url = dialog->findChild<QLineEdit *>(QStringLiteral("urlLineEdit"));
    url->setText(QStringLiteral("globex.jamacloud.com/login.req"));
    Q_EMIT url->editingFinished();
    dialog->currentAuthEditor()->identityEdit()->setText(
        QStringLiteral("InterchangeServiceAccount"));
    dialog->currentAuthEditor()->secretEdit()->setText(QStringLiteral("correct horse battery"));
    save(dialog, out + QStringLiteral("/dialog-basic.png"));

    dialog->findChild<QComboBox *>(QStringLiteral("authTypeComboBox"))->setCurrentIndex(1);
    dialog->currentAuthEditor()->identityEdit()->setText(
        QStringLiteral("3f2a9c1e-5b7d-4e21-9a0c-interchange"));
    dialog->currentAuthEditor()->secretEdit()->setText(QStringLiteral("a-client-secret"));
    dialog->resize(560, dialog->sizeHint().height());
    save(dialog, out + QStringLiteral("/dialog-oauth.png"));

    // The same dialog for the other side of a Jama–Jira integration.
    dialog->findChild<QComboBox *>(QStringLiteral("applicationComboBox"))->setCurrentIndex(1);
    dialog->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"))
        ->setText(QStringLiteral("Globex Jira"));
    url->setText(
        QStringLiteral("https://globex.atlassian.net/jira/software/projects/GLX/boards/1"));
    Q_EMIT url->editingFinished();
    dialog->currentAuthEditor()->identityEdit()->setText(
        QStringLiteral("integration@globex.example"));
    dialog->currentAuthEditor()->secretEdit()->setText(QStringLiteral("an-api-token"));
    dialog->resize(560, dialog->sizeHint().height());
    save(dialog, out + QStringLiteral("/dialog-jira-cloud.png"));
    dialog->reject();

    // Import of a file that would turn Verify SSL off for a connector whose secret is kept.
    QList<Connector> exported = repo->connectors();
    exported[0].verifySsl = false;
    const QString file = fixture.filePath(QStringLiteral("from-colleague.json"));
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly)
        || f.write(Exchange::exportConnectors(exported.mid(0, 2))) < 0)
        qFatal("cannot write the import file");
    f.close();
    ui::ImportDialog *import = window.importFile(file);
    if (!import || !QTest::qWaitForWindowExposed(import))
        qFatal("import dialog not shown");
    import->setDuplicateChoice(Exchange::DuplicateChoice::Replace);
    import->resize(680, import->sizeHint().height());
    save(import, out + QStringLiteral("/import-weaker.png"));
    import->reject();

    // A pinned connector whose server now presents another certificate.
    ValidationResult changed;
    changed.failure = ValidationResult::Failure::Tls;
    CertificateInfo presented;
    presented.subject = QStringLiteral("CN=jama.example.com, O=Example Medical");
    presented.issuer = QStringLiteral("CN=Example Medical Issuing CA 2");
    presented.notBefore = QDateTime::currentDateTimeUtc().addDays(-2);
    presented.notAfter = QDateTime::currentDateTimeUtc().addDays(363);
    presented.sha256
        = QByteArray::fromHex("3b7e0c55a1d2f49e8c6b07a9d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4");
    presented.errors = { QStringLiteral("The issuer certificate of a locally looked up "
                                        "certificate could not be found") };
    changed.certificate = presented;
    changed.expectedSha256
        = QByteArray::fromHex("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    const QUuid onPrem = repo->connectors().at(2).id;
    window.connectorsPage()->selectConnector(onPrem);
    window.connectorsPage()->offerCertificateTrust(onPrem, changed);
    auto *review = window.connectorsPage()->pageMessage()->findChild<QPushButton *>(
        QStringLiteral("trustCertificatePushButton"));
    if (!review)
        qFatal("no trust button");
    save(&window, out + QStringLiteral("/certificate-changed.png"));
    review->click();
    auto *box = window.findChild<QMessageBox *>(QStringLiteral("trustCertificateMessageBox"));
    if (!box || !QTest::qWaitForWindowExposed(box))
        qFatal("trust box not shown");
    save(box, out + QStringLiteral("/certificate-changed-box.png"));
    box->reject();

    // Keeping connectors healthy: Preferences, the tray's menu, rotating a shared password.
    ui::PreferencesDialog *preferences = window.openPreferences();
    if (!QTest::qWaitForWindowExposed(preferences))
        qFatal("preferences not shown");
    preferences->resize(560, preferences->sizeHint().height());
    save(preferences, out + QStringLiteral("/preferences.png"));
    preferences->reject();

    QMenu *trayMenu = window.tray()->menu();
    trayMenu->popup(window.mapToGlobal(QPoint(window.width() - 260, 60)));
    if (!QTest::qWaitForWindowExposed(trayMenu))
        qFatal("tray menu not shown");
    save(trayMenu, out + QStringLiteral("/tray-menu.png"));
    trayMenu->hide();

    QList<QUuid> shared;
    for (const Connector &c : repo->connectors()) {
        if (c.identity == QLatin1String("InterchangeServiceAccount"))
            shared << c.id;
    }
    window.connectorsPage()->selectConnectors(shared);
    QAction *change = window.connectorsPage()->changeSecretAction();
    if (!change->isEnabled())
        qFatal("Change Password is not enabled for the shared account");
    change->trigger();
    auto *rotate = window.findChild<ui::ChangeSecretDialog *>();
    if (!rotate || !QTest::qWaitForWindowExposed(rotate))
        qFatal("change password dialog not shown");
    rotate->newSecretEdit()->setText(QStringLiteral("a new password"));
    rotate->confirmSecretEdit()->setText(QStringLiteral("a new password"));
    rotate->resize(560, rotate->sizeHint().height());
    save(rotate, out + QStringLiteral("/change-password.png"));
    rotate->reject();

    if (argc > 2)
        checklistShot(window.connectorsPage(), QUrl(QString::fromLocal8Bit(argv[2])), out);
    else
        qWarning("no fake Jama URL given: checklist.png not written");
    return 0;
}
