// Produces the README's screenshots from the real widgets: the empty state, the list with a
// few connectors, and the Add New Connector dialog with Basic and with oAuth.
// Usage: screenshot-tour OUTPUT_DIR   (run under Xvfb by scripts/screenshots)
#include "AuthEditor.h"
#include "ConnectorDialog.h"
#include "ConnectorRepository.h"
#include "ConnectorsPage.h"
#include "MainWindow.h"
#include "SecretLineEdit.h"
#include "SecretStore.h"
#include "ValidationQueue.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>

using namespace cd;

static void save(QWidget *w, const QString &path)
{
    QApplication::processEvents();
    QTest::qWait(150);
    if (!w->grab().save(path))
        qFatal("cannot write %s", qPrintable(path));
    qInfo("wrote %s", qPrintable(path));
}

static void addConnector(ConnectorRepository *repo, const QString &name, const QString &url,
    AuthType type, const QString &identity, ValidationStatus status, const QString &message,
    int minutesAgo)
{
    Connector c;
    c.name = name;
    c.url = url;
    c.authType = type;
    c.identity = identity;
    bool done = false;
    QUuid id;
    repo->add(c, QStringLiteral("demo-secret"), [&](const RepositoryResult &r) {
        done = true;
        id = r.id;
    });
    if (!QTest::qWaitFor([&] { return done; }, 30000))
        qFatal("the repository did not answer");
    if (status != ValidationStatus::NotVerified) {
        ValidationState v;
        v.status = status;
        v.message = message;
        v.checkedAt = QDateTime::currentDateTimeUtc().addSecs(-60 * minutesAgo);
        v.account = { QStringLiteral("Interchange Service"), identity, QStringLiteral("NAMED") };
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
    QTemporaryDir data;
    MemorySecretStore secrets;

    ui::MainWindow window(data.path(), &secrets);
    // Made-up hosts: keep the validator from going to the network.
    window.validationQueue()->setNetworkAvailable(false);
    window.resize(1040, 640);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        qFatal("window not exposed");
    save(&window, out + QStringLiteral("/empty-state.png"));

    ConnectorRepository *repo = window.repository();
    addConnector(repo, QStringLiteral("Acme Production"),
        QStringLiteral("https://acme.jamacloud.com"), AuthType::OAuth,
        QStringLiteral("c6f1e3a0-interchange"), ValidationStatus::Verified,
        QStringLiteral("Named Creator license: the account may use the REST API. Admin privileges "
                       "cannot be confirmed through the API."),
        12);
    addConnector(repo, QStringLiteral("Acme Sandbox"),
        QStringLiteral("https://acme-sandbox.jamacloud.com"), AuthType::Basic,
        QStringLiteral("InterchangeServiceAccount"), ValidationStatus::Warning,
        QStringLiteral("Floating Creator license: since Jama Connect 9.28, only Named Creator "
                       "accounts may use the REST API."),
        180);
    addConnector(repo, QStringLiteral("Medical Devices (on-prem)"),
        QStringLiteral("https://jama.example.com/contour"), AuthType::Basic,
        QStringLiteral("svc-interchange"), ValidationStatus::Failed,
        QStringLiteral("The username or password was rejected (HTTP 401). Check them, then edit "
                       "the connector."),
        60 * 30);
    addConnector(repo, QStringLiteral("Customer site — Lab"),
        QStringLiteral("https://10.20.0.15:8443/jama"), AuthType::Basic,
        QStringLiteral("InterchangeServiceAccount"), ValidationStatus::NotVerified, {}, 0);
    window.connectorsPage()->selectConnector(repo->connectors().first().id);
    save(&window, out + QStringLiteral("/connectors.png"));

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
    dialog->reject();
    return 0;
}
