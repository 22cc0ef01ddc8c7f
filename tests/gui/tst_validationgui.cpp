// Validation in the app, against the local fake Jama server on a loopback port: a connector
// added through the dialog becomes "Verified" (or "Failed" with the server's reason) without
// freezing the window; Test Connection checks typed values without saving; a self-signed
// certificate can be trusted (pinned) from the dialog.
#include "AuthEditor.h"
#include "ConnectorDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "FakeJamaServer.h"
#include "GuiTestSupport.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "MemorySecretStore.h"
#include "NetworkStatus.h"
#include "SecretLineEdit.h"
#include "ValidationQueue.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace cd;
using namespace cd::ui;
using cd::test::child;

class TestValidationGui : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void submitValidatesInBackground_data();
    void submitValidatesInBackground();
    void validateNowAfterServerChange();
    void testConnectionDoesNotSave();
    void testConnectionCanBeCancelled();
    void trustCertificateFromDialog();
    void trustChangedCertificate_data();
    void trustChangedCertificate();
    void submitReusesTestResult();
    void hostileNameStaysText();
    void testResultGoesWhenInputChanges();
    void validateAllEndsWithSummary();
    void quitWhileValidatingDoesNotHang();
    void quitWhileSavingFinishesTheSaveFirst();

private:
    ConnectorDialog *fillDialog(
        const QString &name, const QUrl &url, const QString &user, const QString &password);
    QString statusOf(const QUuid &id, int role = Qt::DisplayRole) const;
    // Clicks Submit and waits until the connector the dialog adds is saved (the only one).
    // Its id, or a null id after failing the test.
    QUuid submitAndWait(ConnectorDialog *dialog);
    // Clicks Test Connection; the message in which the dialog shows the result.
    static InlineMessage *testConnection(ConnectorDialog *dialog)
    {
        child<QPushButton>(dialog, "testConnectionPushButton")->click();
        return child<InlineMessage>(dialog, "testMessage");
    }
    // A new window, with the fake server speaking https (a self-signed certificate).
    void restartWithTlsServer();
    MainWindow *window() const { return m_app->window(); }
    MemorySecretStore *secrets() const { return m_app->secrets(); }

    std::unique_ptr<fake::FakeJamaServer> m_server;
    std::unique_ptr<test::MainWindowFixture> m_app; // online: the fake server is on loopback
};

void TestValidationGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestValidationGui::init()
{
    m_server = std::make_unique<fake::FakeJamaServer>();
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));
    test::MainWindowFixture::Options options;
    options.network = NetworkStatus::State::Online;
    options.activate = false;
    m_app = std::make_unique<test::MainWindowFixture>(options);
    QVERIFY(m_app->open());
}

void TestValidationGui::cleanup()
{
    if (m_app)
        m_app->close(); // the window before the server it talks to
    m_server.reset();
    m_app.reset();
}

void TestValidationGui::restartWithTlsServer()
{
    m_app->close();
    m_server = std::make_unique<fake::FakeJamaServer>();
    QVERIFY2(m_server->enableTls(), qPrintable(m_server->errorString()));
    QVERIFY(m_server->listen());
    QVERIFY(m_app->open());
}

QString TestValidationGui::statusOf(const QUuid &id, int role) const
{
    ConnectorListModel *model = window()->connectorsPage()->model();
    return model->index(model->rowOf(id), ConnectorListModel::StatusColumn).data(role).toString();
}

QUuid TestValidationGui::submitAndWait(ConnectorDialog *dialog)
{
    dialog->submitButton()->click();
    const QList<Connector> &saved = window()->repository()->connectors();
    if (QTest::qWaitFor([&] { return saved.size() == 1; }))
        return saved.first().id;
    test::fail(QStringLiteral("%1 connectors saved, not 1").arg(saved.size()));
    return {};
}

ConnectorDialog *TestValidationGui::fillDialog(
    const QString &name, const QUrl &url, const QString &user, const QString &password)
{
    ConnectorDialog *dialog = window()->connectorsPage()->openAddDialog();
    if (!QTest::qWaitForWindowExposed(dialog))
        return nullptr;
    QTest::keyClicks(child<QLineEdit>(dialog, "nameLineEdit"), name);
    QTest::keyClicks(child<QLineEdit>(dialog, "urlLineEdit"), url.toString());
    QTest::keyClicks(dialog->currentAuthEditor()->identityEdit(), user);
    QTest::keyClicks(dialog->currentAuthEditor()->secretEdit(), password);
    return dialog;
}

void TestValidationGui::submitValidatesInBackground_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("tooltip");
    QTest::newRow("named") << "named"
                           << "password"
                           << "Verified"
                           << "Named Creator";
    QTest::newRow("wrong password") << "named"
                                    << "wrong"
                                    << "Failed"
                                    << "rejected";
    QTest::newRow("floating") << "floating"
                              << "password"
                              << "Warning"
                              << "loating";
}

void TestValidationGui::submitValidatesInBackground()
{
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, status);
    QFETCH(QString, tooltip);
    ConnectorDialog *dialog
        = fillDialog(QStringLiteral("Local Jama"), m_server->baseUrl(), user, password);
    QVERIFY(dialog);
    QSignalSpy started(window()->validationQueue(), &ValidationQueue::started);
    const QUuid id = submitAndWait(dialog);
    QVERIFY(!id.isNull());
    QTRY_COMPARE(started.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), status, 15000);
    QVERIFY2(
        statusOf(id, Qt::ToolTipRole).contains(tooltip), qPrintable(statusOf(id, Qt::ToolTipRole)));
    const Connector c = *window()->repository()->find(id);
    QVERIFY(c.validation.checkedAt.isValid());
    QCOMPARE(c.validation.credentialsRejected, password == QLatin1String("wrong"));
    if (status != QLatin1String("Failed"))
        QCOMPARE(c.validation.account.username, user);
    // A 401 is never retried.
    if (password == QLatin1String("wrong"))
        QCOMPARE(m_server->requestCount(QStringLiteral("/users/current")), 1);
}

void TestValidationGui::validateNowAfterServerChange()
{
    ConnectorDialog *dialog = fillDialog(QStringLiteral("F5"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("password"));
    QVERIFY(dialog);
    const QUuid id = submitAndWait(dialog);
    QVERIFY(!id.isNull());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("Verified"), 15000);
    m_server->setBehaviour(fake::Behaviour::Forbidden);
    window()->connectorsPage()->selectConnector(id);
    window()->activateWindow();
    QVERIFY(test::activate(window()));
    QTest::keyClick(window(), Qt::Key_F5);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("Failed"), 15000);
    QVERIFY(statusOf(id, Qt::ToolTipRole).contains(QLatin1String("not permitted to use the API")));
}

void TestValidationGui::testConnectionDoesNotSave()
{
    ConnectorDialog *dialog = fillDialog(QStringLiteral("Test only"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("password"));
    QVERIFY(dialog);
    auto *test = child<QPushButton>(dialog, "testConnectionPushButton");
    QVERIFY(test->isVisible());
    QVERIFY(test->isEnabled());
    test->click();
    auto *msg = child<InlineMessage>(dialog, "testMessage");
    QTRY_COMPARE_WITH_TIMEOUT(msg->kind(), InlineMessage::Kind::Success, 15000);
    QVERIFY(msg->isVisible());
    QVERIFY(window()->repository()->connectors().isEmpty());
    QVERIFY(secrets()->contents().isEmpty());
    dialog->reject();
}

void TestValidationGui::testConnectionCanBeCancelled()
{
    m_server->setBehaviour(fake::Behaviour::NeverAnswer);
    ConnectorDialog *dialog = fillDialog(QStringLiteral("Hang"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("password"));
    QVERIFY(dialog);
    auto *test = child<QPushButton>(dialog, "testConnectionPushButton");
    test->click();
    QVERIFY(dialog->isTesting());
    QTRY_VERIFY(m_server->requestCount() >= 1);
    QVERIFY(test->text().contains(QLatin1String("Cancel")));
    test->click();
    auto *msg = child<InlineMessage>(dialog, "testMessage");
    QTRY_VERIFY(!dialog->isTesting());
    QVERIFY(msg->text().contains(QLatin1String("cancelled")));
    dialog->reject(); // closing while a test runs is clean too
}

void TestValidationGui::trustCertificateFromDialog()
{
    restartWithTlsServer();
    if (QTest::currentTestFailed())
        return;

    ConnectorDialog *dialog = fillDialog(QStringLiteral("Self-signed"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("password"));
    QVERIFY(dialog);
    QVERIFY(child<QCheckBox>(dialog, "verifySslCheckBox")->isChecked());
    auto *msg = testConnection(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(msg->kind(), InlineMessage::Kind::Error, 15000);
    QVERIFY(msg->text().contains(m_server->certificateSha256().toHex(':').toUpper().left(20)));
    auto *trust = test::waitForChild<QPushButton>(msg, "trustCertificatePushButton");
    QVERIFY(trust);
    trust->click();
    QTRY_COMPARE_WITH_TIMEOUT(msg->kind(), InlineMessage::Kind::Success, 15000);
    QCOMPARE(dialog->pendingPin(), m_server->certificateSha256());
    const QUuid id = submitAndWait(dialog);
    QVERIFY(!id.isNull());
    QCOMPARE(
        window()->repository()->find(id)->pinnedCertificateSha256, m_server->certificateSha256());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("Verified"), 15000);
}

void TestValidationGui::trustChangedCertificate_data()
{
    QTest::addColumn<bool>("mouse");
    QTest::newRow("keyboard") << false;
    QTest::newRow("mouse") << true;
}

void TestValidationGui::trustChangedCertificate()
{
    QFETCH(bool, mouse);
    restartWithTlsServer();
    if (QTest::currentTestFailed())
        return;

    // A connector pinned to a certificate the server no longer presents.
    const QByteArray oldPin(32, '\x5a');
    Connector c = test::makeConnector(QStringLiteral("Renewed"), m_server->baseUrl().toString(),
        QStringLiteral("basic"), QStringLiteral("named"));
    c.pinnedCertificateSha256 = oldPin;
    const QUuid id = test::addConnector(window()->repository(), c, QStringLiteral("password"));
    QVERIFY(!id.isNull());
    window()->validationQueue()->enqueue(id);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("Failed"), 15000);
    QCOMPARE(m_server->requestCount(), 0); // refused before anything was sent

    auto *banner = child<InlineMessage>(window()->connectorsPage(), "pageMessage");
    QTRY_VERIFY(banner->text().contains(QStringLiteral("the certificate changed")));
    auto *review = test::waitForChild<QPushButton>(banner, "trustCertificatePushButton");
    QVERIFY(review);
    QCOMPARE(
        review->text().remove(QLatin1Char('&')), QStringLiteral("Review the New Certificate…"));
    if (mouse) {
        QTest::mouseClick(review, Qt::LeftButton);
    } else {
        QApplication::setActiveWindow(window());
        review->setFocus(Qt::TabFocusReason);
        QTest::keyClick(review, Qt::Key_Space);
    }
    auto *box = test::waitForChild<QMessageBox>(window(), "trustCertificateMessageBox");
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    // Both fingerprints are shown before anything is trusted.
    CertificateInfo before;
    before.sha256 = oldPin;
    QVERIFY2(box->informativeText().contains(before.fingerprintText()),
        qPrintable(box->informativeText()));
    CertificateInfo now;
    now.sha256 = m_server->certificateSha256();
    QVERIFY(box->informativeText().contains(now.fingerprintText()));
    QVERIFY(box->text().contains(QStringLiteral("changed")));
    auto *confirm = child<QPushButton>(box, "confirmTrustPushButton");
    QVERIFY(confirm);
    QVERIFY(box->defaultButton() != confirm); // Enter alone does not trust
    if (mouse) {
        QTest::mouseClick(confirm, Qt::LeftButton);
    } else {
        QApplication::setActiveWindow(box);
        confirm->setFocus(Qt::TabFocusReason);
        QTest::keyClick(confirm, Qt::Key_Space);
    }
    QTRY_COMPARE(
        window()->repository()->find(id)->pinnedCertificateSha256, m_server->certificateSha256());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), QStringLiteral("Verified"), 15000);
}

void TestValidationGui::submitReusesTestResult()
{
    // A Test Connection got a 401; Submit with nothing changed records that result and does
    // not send the rejected password a second time.
    ConnectorDialog *dialog = fillDialog(QStringLiteral("Rejected"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("wrong-password"));
    QVERIFY(dialog);
    auto *msg = testConnection(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(msg->kind(), InlineMessage::Kind::Error, 15000);
    QCOMPARE(m_server->requestCount(), 1);
    QVERIFY(dialog->reusableTestResult().has_value());
    QTest::mouseClick(dialog->submitButton(), Qt::LeftButton);
    QTRY_COMPARE(window()->repository()->connectors().size(), 1);
    const QUuid id = window()->repository()->connectors().first().id;
    QTRY_COMPARE(statusOf(id), QStringLiteral("Failed"));
    QVERIFY(window()->repository()->find(id)->validation.credentialsRejected);
    QTest::qWait(300); // a check, had one been queued, would have reached the server by now
    QCOMPARE(m_server->requestCount(), 1);

    // A change after the test (here the password) makes Submit check again.
    ConnectorDialog *second = fillDialog(QStringLiteral("Corrected"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("wrong"));
    QVERIFY(second);
    auto *secondMsg = testConnection(second);
    QTRY_COMPARE_WITH_TIMEOUT(secondMsg->kind(), InlineMessage::Kind::Error, 15000);
    QTest::keyClicks(second->currentAuthEditor()->secretEdit(), QStringLiteral("-still"));
    QVERIFY(!second->reusableTestResult().has_value());
    second->reject();
}

void TestValidationGui::hostileNameStaysText()
{
    // A name with markup (it may come from an import file) is shown as written: never a link.
    const QString html = QStringLiteral("<a href=\"https://evil.example\">Click</a>");
    const QUuid id = test::addConnector(window()->repository(),
        test::makeConnector(
            html, m_server->baseUrl().toString(), QStringLiteral("basic"), QStringLiteral("named")),
        QStringLiteral("password"));
    QVERIFY(!id.isNull());
    window()->connectorsPage()->selectConnector(id);
    window()->connectorsPage()->requestDelete(id);
    auto *box = test::waitForChild<QMessageBox>(window(), "deleteMessageBox");
    QVERIFY(box);
    QCOMPARE(box->textFormat(), Qt::PlainText);
    QVERIFY(box->text().contains(html));
    child<QPushButton>(box, "confirmDeletePushButton")->click();
    auto *banner = child<InlineMessage>(window()->connectorsPage(), "pageMessage");
    QTRY_VERIFY(banner->text().contains(QStringLiteral("Deleted")));
    QCOMPARE(banner->label()->textFormat(), Qt::PlainText);
    QVERIFY(!banner->label()->openExternalLinks());
    QVERIFY(banner->text().contains(html)); // as written, not rendered
    // The undo action's text keeps the name's '&' from becoming a mnemonic.
    auto *undo = child<QAction>(window()->connectorsPage(), "undoDeleteAction");
    QVERIFY(undo);
    QVERIFY(undo->text().contains(html));
}

void TestValidationGui::testResultGoesWhenInputChanges()
{
    ConnectorDialog *dialog = fillDialog(QStringLiteral("Edited"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("wrong-password"));
    QVERIFY(dialog);
    QApplication::processEvents();
    const int before = dialog->height();
    auto *msg = testConnection(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(msg->kind(), InlineMessage::Kind::Error, 15000);
    QTRY_VERIFY(dialog->height() > before); // grew for the message
    // The user corrects the URL: the old result no longer describes anything.
    auto *url = child<QLineEdit>(dialog, "urlLineEdit");
    QTest::keyClicks(url, QStringLiteral("/contour"));
    QVERIFY(!msg->isVisible());
    QVERIFY(!dialog->reusableTestResult().has_value());
    QTRY_COMPARE(dialog->height(), before); // and the dialog shrinks back
    dialog->reject();
}

void TestValidationGui::validateAllEndsWithSummary()
{
    const QString url = m_server->baseUrl().toString();
    const auto add = [&](const QString &name, const QString &user, const QString &password) {
        return test::addConnector(window()->repository(),
            test::makeConnector(name, url, QStringLiteral("basic"), user), password);
    };
    add(QStringLiteral("Good"), QStringLiteral("named"), QStringLiteral("password"));
    add(QStringLiteral("Floating"), QStringLiteral("floating"), QStringLiteral("password"));
    add(QStringLiteral("Wrong"), QStringLiteral("named"), QStringLiteral("nope"));
    const QUuid rejected
        = add(QStringLiteral("Rejected before"), QStringLiteral("named"), QStringLiteral("old"));
    QVERIFY(!rejected.isNull());
    ValidationState v;
    v.status = ValidationStatus::Failed;
    v.credentialsRejected = true;
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(window()->repository()->recordValidation(rejected, v));
    QVERIFY(!test::addWithoutSecret(window()->repository(),
        test::makeConnector(
            QStringLiteral("Imported"), url, QStringLiteral("basic"), QStringLiteral("someone")))
                 .isNull());
    m_server->clearRequests();

    QApplication::setActiveWindow(window());
    QTest::keyClick(window(), Qt::Key_F5, Qt::ControlModifier | Qt::ShiftModifier);
    auto *banner = window()->connectorsPage()->pageMessage();
    QTRY_VERIFY(banner->text().startsWith(QStringLiteral("Validating 3 connectors")));
    QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(QStringLiteral("checked:")), 15000);
    QCOMPARE(banner->text(),
        QStringLiteral("3 checked: 1 verified, 1 with a warning, 1 failed. 2 skipped: 1 with "
                       "rejected credentials (edit them or use Validate Now), 1 needing a "
                       "secret."));
    QCOMPARE(banner->kind(), InlineMessage::Kind::Error);
    // One sign-in each (then, once signed in, the list of projects): nothing sent for the
    // rejected one.
    QCOMPARE(m_server->requestCount(QStringLiteral("/users/current")), 3);
}

void TestValidationGui::quitWhileValidatingDoesNotHang()
{
    m_server->setBehaviour(fake::Behaviour::NeverAnswer);
    ConnectorDialog *dialog = fillDialog(QStringLiteral("Hangs"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("password"));
    QVERIFY(dialog);
    const QUuid id = submitAndWait(dialog);
    QVERIFY(!id.isNull());
    QTRY_VERIFY(window()->validationQueue()->isRunning(id));
    QTRY_VERIFY(m_server->requestCount() >= 1);
    QVERIFY(window()->close()); // at once: a validation does not hold the window
    QVERIFY(!window()->isVisible());
    m_app->close();
    // Nothing lost: the connector is saved, still "Not verified", so it resumes next start.
    ConnectorStore store(m_app->dataDir());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().validation.status, ValidationStatus::NotVerified);
    QCOMPARE(secrets()->contents().size(), 1);
}

void TestValidationGui::quitWhileSavingFinishesTheSaveFirst()
{
    secrets()->setMode(MemorySecretStore::Mode::Hanging);
    secrets()->setTimeout(500);
    ConnectorDialog *dialog = fillDialog(QStringLiteral("Saving"), m_server->baseUrl(),
        QStringLiteral("named"), QStringLiteral("password"));
    QVERIFY(dialog);
    dialog->submitButton()->click();
    QVERIFY(dialog->isSaving());
    QVERIFY(window()->repository()->isBusy());
    QVERIFY(!window()->close()); // not yet: the keychain is answering
    QVERIFY(window()->isVisible());
    // The keychain times out, the save fails cleanly, then the window closes by itself.
    QTRY_VERIFY_WITH_TIMEOUT(!window()->isVisible(), 5000);
    QVERIFY(window()->repository()->connectors().isEmpty());
    ConnectorStore store(m_app->dataDir());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    QVERIFY(list.isEmpty()); // nothing half-saved
    QVERIFY(secrets()->contents().isEmpty());
}

QTEST_MAIN(TestValidationGui)
#include "tst_validationgui.moc"
