// ValidationJob against the fake Jama server over real loopback sockets (http and https).
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "FakeJamaServer.h"
#include "Log.h"
#include "MemorySecretStore.h"
#include "UrlNormalizer.h"
#include "ValidationJob.h"
#include "ValidationQueue.h"
#include "jama/JamaProvider.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QProcess>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using cd::ValidationJob;
using cd::ValidationRequest;
using cd::ValidationResult;
using cd::ValidationStatus;
using cd::fake::Behaviour;
using cd::fake::FakeJamaServer;
using Failure = ValidationResult::Failure;

Q_DECLARE_METATYPE(Failure)
Q_DECLARE_METATYPE(ValidationStatus)

namespace {

QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &msg)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log << QString::fromLatin1(context.category ? context.category : "") + QLatin1Char(' ')
                + msg;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, msg);
}

} // namespace

class TestValidationJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void outcomes_data();
    void outcomes();
    void legacyTokenFormat();
    void wrongContextPath_data();
    void wrongContextPath();
    void unauthorizedIsNeverRetried_data();
    void unauthorizedIsNeverRetried();
    void statusSequence();
    void throttledThenSuccess();
    void throttledExhausted();
    void oversizedBody_data();
    void oversizedBody();
    void malformedAnswer();
    void neverAnswersTimesOut();
    void tlsHandshakeStallTimesOut();
    void slowAnswerWithinTimeout();
    void cancelWhileRunning();
    void cancelWhileBackingOff();
    void destructorEmitsNothing();
    void invalidUrlFinishesAsynchronously();
    void hostNotFound();
    void connectionRefused();
    void proxyFailure();
    void tls_data();
    void tls();
    void redirects_data();
    void redirects();
    void redirectToOtherHostSendsNoCredentials_data();
    void redirectToOtherHostSendsNoCredentials();
    void secretsNeverLogged();
    void transientFailures_data();
    void transientFailures();
    void fingerprintText();
    // One QNetworkAccessManager shared by checks, in sequence: no TLS decision carries over.
    void sharedManagerIsolation_data();
    void sharedManagerIsolation();
    void sharedManagerTestThenQueue();
    void oneConnectionPerCheck_data();
    void oneConnectionPerCheck();
    void pinRestrictsTrustedChain();
    void pinHoldsWithVerifyOff();
    void retryAfterHonoured();
    void retryAfterTooLongFailsWithRetryTime();
    void retryAfterParsing_data();
    void retryAfterParsing();
    void ipv6Literal();
    void serverTextIsInert();
    void plainHttpOnHttpsUrl();
    void retryAfterZeroIsNoTightLoop();
    void standaloneServer();

private:
    // Starts the job and waits (bounded) for its one finished signal.
    bool run(ValidationJob &job, int timeoutMs = 20000);
    ValidationRequest request(const FakeJamaServer &server, QString type, const QString &user,
        const QString &secret = QString()) const;
    static QString clientSecretOf(const QString &user) { return user + QStringLiteral("-secret"); }

    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<FakeJamaServer> m_http;
    std::unique_ptr<FakeJamaServer> m_tlsA; // certificates are made once per run
    std::unique_ptr<FakeJamaServer> m_tlsB;
    std::unique_ptr<QSignalSpy> m_finished;
};

void TestValidationJob::initTestCase()
{
    qRegisterMetaType<cd::ValidationResult>();
    m_tlsA = std::make_unique<FakeJamaServer>();
    m_tlsB = std::make_unique<FakeJamaServer>();
    QVERIFY2(m_tlsA->enableTls(), qPrintable(m_tlsA->errorString()));
    QVERIFY2(m_tlsB->enableTls(), qPrintable(m_tlsB->errorString()));
    QVERIFY(m_tlsA->listen());
    QVERIFY(m_tlsB->listen());
    QCOMPARE(m_tlsA->certificateSha256().size(), 32);
    QVERIFY(m_tlsA->certificateSha256() != m_tlsB->certificateSha256());
}

void TestValidationJob::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_http = std::make_unique<FakeJamaServer>();
    QVERIFY2(m_http->listen(), qPrintable(m_http->errorString()));
    for (FakeJamaServer *s : { m_tlsA.get(), m_tlsB.get() }) {
        s->clearRequests();
        s->setBehaviour(Behaviour::Normal);
        s->setThrottleCount(0);
        s->setContextPath(QString());
        s->setStallTlsHandshake(false);
    }
}

void TestValidationJob::cleanup()
{
    m_finished.reset();
    m_http.reset();
    m_nam.reset();
}

bool TestValidationJob::run(ValidationJob &job, int timeoutMs)
{
    m_finished = std::make_unique<QSignalSpy>(&job, &ValidationJob::finished);
    job.start();
    if (m_finished->count() != 0) {
        qWarning("finished was emitted from inside start()");
        return false;
    }
    return QTest::qWaitFor([this] { return m_finished->count() > 0; }, timeoutMs)
        && m_finished->count() == 1 && job.status() == ValidationJob::Status::Finished;
}

ValidationRequest TestValidationJob::request(
    const FakeJamaServer &server, QString type, const QString &user, const QString &secret) const
{
    ValidationRequest r;
    r.baseUrl = server.baseUrl();
    r.authType = type;
    if (type == QStringLiteral("oauth")) {
        r.identity = user + QStringLiteral("-client");
        r.secret = secret.isEmpty() ? clientSecretOf(user) : secret;
    } else {
        r.identity = user;
        r.secret = secret.isEmpty() ? QStringLiteral("password") : secret;
    }
    return r;
}

void TestValidationJob::outcomes_data()
{
    QTest::addColumn<QString>("contextPath");
    QTest::addColumn<QString>("authType");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("secret"); // empty: the right one
    QTest::addColumn<ValidationStatus>("status");
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("license"); // empty: users/current gave no account
    QTest::addColumn<QString>("messagePart");

    const QString admin = QStringLiteral("Admin privileges cannot be confirmed");
    struct Row
    {
        const char *name;
        const char *user;
        const char *secret;
        ValidationStatus status;
        Failure failure;
        int http;
        const char *license;
        QString part;
    };
    const Row rows[] = {
        { "named", "named", "", ValidationStatus::Verified, Failure::None, 200, "NAMED", admin },
        { "floating", "floating", "", ValidationStatus::Warning, Failure::None, 200, "FLOATING",
            QStringLiteral("only Named Creator accounts may use the REST API") },
        { "stakeholder", "stakeholder", "", ValidationStatus::Failed, Failure::License, 200,
            "STAKEHOLDER", QStringLiteral("Creator license") },
        { "collaborator", "collaborator", "", ValidationStatus::Failed, Failure::License, 200,
            "FLOATING_COLLABORATOR", admin },
        { "reviewer", "reviewer", "", ValidationStatus::Failed, Failure::License, 200,
            "NAMED_REVIEWER", QStringLiteral("Creator license") },
        { "inactive", "inactive", "", ValidationStatus::Failed, Failure::Inactive, 200, "NAMED",
            QStringLiteral("deactivated") },
        { "forbidden", "forbidden", "", ValidationStatus::Failed, Failure::Forbidden, 403, "",
            QStringLiteral("This user is not permitted to use the API") },
        { "server error", "broken", "", ValidationStatus::Failed, Failure::ServerError, 500, "",
            QStringLiteral("HTTP 500") },
        { "html page", "html", "", ValidationStatus::Failed, Failure::NoApi, 200, "",
            QStringLiteral("Check the URL and the context path") },
    };
    for (const char *ctx : { "", "/contour" }) {
        for (QString type : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
            const QByteArray prefix
                = QByteArray(type == QStringLiteral("basic") ? "basic " : "oauth ")
                + (*ctx ? "ctx " : "");
            for (const Row &r : rows) {
                QTest::newRow((prefix + r.name).constData())
                    << QString::fromLatin1(ctx) << type << QString::fromLatin1(r.user)
                    << QString::fromLatin1(r.secret) << r.status << r.failure << r.http
                    << QString::fromLatin1(r.license) << r.part;
            }
            QTest::newRow((prefix + "bad credentials").constData())
                << QString::fromLatin1(ctx) << type << QStringLiteral("named")
                << QStringLiteral("wrong-one") << ValidationStatus::Failed
                << Failure::CredentialsRejected << 401 << QString()
                << (type == QStringLiteral("basic")
                           ? QStringLiteral("Username or password rejected")
                           : QStringLiteral("Client ID or Client Secret rejected"));
        }
    }
}

void TestValidationJob::outcomes()
{
    QFETCH(QString, contextPath);
    QFETCH(QString, authType);
    QFETCH(QString, user);
    QFETCH(QString, secret);
    QFETCH(ValidationStatus, status);
    QFETCH(Failure, failure);
    QFETCH(int, httpStatus);
    QFETCH(QString, license);
    QFETCH(QString, messagePart);

    m_http->setContextPath(contextPath);
    ValidationJob job(m_nam.get(), request(*m_http, authType, user, secret));
    QVERIFY(job.result().message.isEmpty());
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.message.contains(messagePart), qPrintable(r.message));
    QCOMPARE(r.failure, failure);
    QCOMPARE(r.status, status);
    QCOMPARE(r.httpStatus, httpStatus);
    QCOMPARE(r.credentialsRejected(), failure == Failure::CredentialsRejected);
    QVERIFY(!r.certificate.has_value());
    QCOMPARE(m_finished->first().first().value<ValidationResult>().message, r.message);
    if (!license.isEmpty()) {
        QCOMPARE(r.account.username, user);
        QCOMPARE(r.account.licenseType, license);
        QCOMPARE(
            r.account.displayName, user.left(1).toUpper() + user.mid(1) + QStringLiteral(" User"));
        QVERIFY2(r.message.contains(QStringLiteral("Admin privileges cannot be confirmed")),
            qPrintable(r.message));
    } else {
        QCOMPARE(r.account, cd::AccountInfo());
    }
    // Every request went to the right place with credentials, each exactly once.
    const auto requests = m_http->requests();
    QVERIFY(!requests.isEmpty());
    for (const auto &req : requests) {
        QVERIFY2(req.path.startsWith(contextPath + QStringLiteral("/rest/")), qPrintable(req.path));
        QVERIFY(req.hadAuthorization);
    }
    // With oAuth the fake's per-account server error and HTML page already hit the token call.
    const bool tokenFails = authType == QStringLiteral("oauth")
        && (failure == Failure::CredentialsRejected || user == QLatin1String("broken")
            || user == QLatin1String("html"));
    if (authType == QStringLiteral("oauth")) {
        QCOMPARE(requests.first().path, contextPath + QStringLiteral("/rest/oauth/token"));
        QCOMPARE(requests.first().method, QByteArray("POST"));
        QCOMPARE(requests.first().authScheme, QByteArray("Basic"));
        QCOMPARE(m_http->requestCount(QStringLiteral("/rest/oauth/token")), 1);
        if (!tokenFails)
            QCOMPARE(requests.last().authScheme, QByteArray("Bearer"));
    } else {
        QCOMPARE(requests.first().authScheme, QByteArray("Basic"));
    }
    QCOMPARE(m_http->requestCount(QStringLiteral("/rest/v1/users/current")), tokenFails ? 0 : 1);
}

void TestValidationJob::legacyTokenFormat()
{
    m_http->setLegacyTokenFormat(true);
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("oauth"), QStringLiteral("named")));
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::None);
    QCOMPARE(job.result().status, ValidationStatus::Verified);
    QCOMPARE(m_http->requests().last().authScheme, QByteArray("Bearer"));
}

void TestValidationJob::wrongContextPath_data()
{
    QTest::addColumn<QString>("serverContext");
    QTest::addColumn<QString>("clientContext");
    QTest::addColumn<int>("unknownStatus");
    QTest::addColumn<int>("httpStatus");
    QTest::newRow("context missing, login page") << "/contour"
                                                 << "" << 200 << 200;
    QTest::newRow("context missing, 404") << "/contour"
                                          << "" << 404 << 404;
    QTest::newRow("context wrong, login page") << "/contour"
                                               << "/jama" << 200 << 200;
    QTest::newRow("context extra, 404") << ""
                                        << "/contour" << 404 << 404;
}

void TestValidationJob::wrongContextPath()
{
    QFETCH(QString, serverContext);
    QFETCH(QString, clientContext);
    QFETCH(int, unknownStatus);
    QFETCH(int, httpStatus);
    m_http->setContextPath(serverContext);
    m_http->setUnknownPathStatus(unknownStatus);
    for (QString type : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
        ValidationRequest req = request(*m_http, type, QStringLiteral("named"));
        req.baseUrl.setPath(clientContext);
        ValidationJob job(m_nam.get(), req);
        QVERIFY(run(job));
        QCOMPARE(job.result().failure, Failure::NoApi);
        QCOMPARE(job.result().httpStatus, httpStatus);
        QVERIFY(job.result().message.contains(QStringLiteral("No Jama REST API at this URL")));
    }
}

void TestValidationJob::unauthorizedIsNeverRetried_data()
{
    QTest::addColumn<QString>("authType");
    QTest::addColumn<bool>("tls");
    QTest::newRow("basic") << QStringLiteral("basic") << false;
    QTest::newRow("oauth") << QStringLiteral("oauth") << false;
    QTest::newRow("basic tls") << QStringLiteral("basic") << true;
    QTest::newRow("oauth tls") << QStringLiteral("oauth") << true;
}

void TestValidationJob::unauthorizedIsNeverRetried()
{
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    FakeJamaServer &server = tls ? *m_tlsA : *m_http;
    ValidationRequest req
        = request(server, authType, QStringLiteral("named"), QStringLiteral("nope"));
    req.pinnedSha256 = server.certificateSha256();
    ValidationJob job(m_nam.get(), req);
    job.setBackoffSchedule({ 1, 1, 1 });
    QVERIFY(run(job));
    QVERIFY(job.result().credentialsRejected());
    QCOMPARE(job.result().httpStatus, 401);
    QVERIFY(!job.result().isTransient());
    QCOMPARE(server.requestCount(), 1);
}

void TestValidationJob::statusSequence()
{
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("oauth"), QStringLiteral("named")));
    QSignalSpy status(&job, &ValidationJob::statusChanged);
    QCOMPARE(job.status(), ValidationJob::Status::Idle);
    QVERIFY(run(job));
    QList<ValidationJob::Status> seen;
    for (const auto &args : status)
        seen << args.first().value<ValidationJob::Status>();
    const QList<ValidationJob::Status> expected { ValidationJob::Status::RequestingToken,
        ValidationJob::Status::RequestingUser, ValidationJob::Status::RequestingProjects,
        ValidationJob::Status::Finished };
    QCOMPARE(seen, expected);
    job.start(); // a finished job does not start again
    job.cancel(); // nor finish again
    QCOMPARE(m_finished->count(), 1);
    QCOMPARE(job.result().status, ValidationStatus::Verified);
}

void TestValidationJob::throttledThenSuccess()
{
    for (QString type : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
        m_http->clearRequests();
        m_http->setThrottleCount(2);
        ValidationJob job(m_nam.get(), request(*m_http, type, QStringLiteral("named")));
        job.setBackoffSchedule({ 20, 40, 60, 80 });
        QSignalSpy status(&job, &ValidationJob::statusChanged);
        QVERIFY(run(job));
        QCOMPARE(job.result().failure, Failure::None);
        QCOMPARE(job.result().status, ValidationStatus::Verified);
        // + the projects list after the account
        QCOMPARE(m_http->requestCount(), type == QStringLiteral("oauth") ? 5 : 4);
        int backingOff = 0;
        for (const auto &args : status)
            backingOff
                += args.first().value<ValidationJob::Status>() == ValidationJob::Status::BackingOff;
        QCOMPARE(backingOff, 2);
    }
}

void TestValidationJob::throttledExhausted()
{
    QElapsedTimer clock;
    clock.start();
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("throttled")));
    job.setBackoffSchedule({ 30, 50, 80, 130 });
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::Throttled);
    QCOMPARE(job.result().httpStatus, 429);
    QVERIFY(job.result().isTransient());
    QVERIFY2(job.result().message.contains(
                 QStringLiteral("Jama is throttling requests or under maintenance")),
        qPrintable(job.result().message));
    QCOMPARE(m_http->requestCount(), 5); // the first try and one after each of 4 back-offs
    QVERIFY(clock.elapsed() >= 250); // it really waited
}

void TestValidationJob::oversizedBody_data()
{
    QTest::addColumn<bool>("withLength");
    QTest::newRow("streamed") << false;
    QTest::newRow("content-length") << true;
}

void TestValidationJob::oversizedBody()
{
    QFETCH(bool, withLength);
    m_http->setOversizedWithLength(withLength);
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("huge")));
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::BadAnswer);
    QVERIFY2(
        job.result().message.contains(QStringLiteral("1 MiB")), qPrintable(job.result().message));
    QCOMPARE(job.result().httpStatus, 200);
    QVERIFY(!job.result().isTransient());
}

void TestValidationJob::malformedAnswer()
{
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("malformed")));
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::BadAnswer);
    QCOMPARE(job.result().status, ValidationStatus::Failed);
    QVERIFY(job.result().message.contains(QStringLiteral("could not be understood")));
}

void TestValidationJob::neverAnswersTimesOut()
{
    QElapsedTimer clock;
    clock.start();
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("silent")));
    job.setTimeouts(10000, 400);
    QVERIFY(run(job, 10000));
    QCOMPARE(job.result().failure, Failure::Timeout);
    QVERIFY(job.result().isTransient());
    QVERIFY2(job.result().message.contains(QStringLiteral("did not answer within")),
        qPrintable(job.result().message));
    QVERIFY(clock.elapsed() >= 350); // timers may fire a little early
    QVERIFY(clock.elapsed() < 5000);
    QCOMPARE(m_http->requestCount(), 1);
}

void TestValidationJob::tlsHandshakeStallTimesOut()
{
    m_tlsA->setStallTlsHandshake(true);
    QElapsedTimer clock;
    clock.start();
    ValidationRequest req = request(*m_tlsA, QStringLiteral("basic"), QStringLiteral("named"));
    req.pinnedSha256 = m_tlsA->certificateSha256();
    ValidationJob job(m_nam.get(), req);
    job.setTimeouts(300, 20000);
    QVERIFY(run(job, 10000));
    QCOMPARE(job.result().failure, Failure::Timeout);
    QVERIFY2(job.result().message.contains(QStringLiteral("TLS handshake")),
        qPrintable(job.result().message));
    QVERIFY(clock.elapsed() < 5000);
    QCOMPARE(m_tlsA->requestCount(), 0);
}

void TestValidationJob::slowAnswerWithinTimeout()
{
    m_http->setDelayMs(300);
    QElapsedTimer clock;
    clock.start();
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("slow")));
    job.setTimeouts(200, 5000); // the connection is up quickly; the answer may take longer
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::None);
    QCOMPARE(job.result().status, ValidationStatus::Verified);
    QVERIFY(clock.elapsed() >= 250);

    m_http->setDelayMs(3000);
    ValidationJob late(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("slow")));
    late.setTimeouts(200, 500);
    QVERIFY(run(late));
    QCOMPARE(late.result().failure, Failure::Timeout);
}

void TestValidationJob::cancelWhileRunning()
{
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("silent")));
    QSignalSpy finished(&job, &ValidationJob::finished);
    job.start();
    QTRY_COMPARE(m_http->requestCount(), 1);
    QCOMPARE(job.status(), ValidationJob::Status::RequestingUser);
    job.cancel();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(job.status(), ValidationJob::Status::Finished);
    QCOMPARE(job.result().failure, Failure::Cancelled);
    QCOMPARE(job.result().status, ValidationStatus::Failed);
    QVERIFY(!job.result().message.isEmpty());
    job.cancel();
    for (int i = 0; i < 10; ++i) // deliver anything still queued: it must not emit again
        QCoreApplication::processEvents();
    QCOMPARE(finished.count(), 1);
}

void TestValidationJob::cancelWhileBackingOff()
{
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("throttled")));
    job.setBackoffSchedule({ 60000 });
    job.setTimeouts(15000, 120000); // the wait fits in the check
    QSignalSpy finished(&job, &ValidationJob::finished);
    job.start();
    QTRY_COMPARE(job.status(), ValidationJob::Status::BackingOff);
    job.cancel();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(job.result().failure, Failure::Cancelled);
    QCOMPARE(m_http->requestCount(), 1);
}

void TestValidationJob::destructorEmitsNothing()
{
    auto job = std::make_unique<ValidationJob>(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("silent")));
    QSignalSpy finished(job.get(), &ValidationJob::finished);
    job->start();
    QTRY_COMPARE(m_http->requestCount(), 1);
    job.reset();
    QCOMPARE(finished.count(), 0);
}

void TestValidationJob::invalidUrlFinishesAsynchronously()
{
    ValidationRequest req;
    req.baseUrl = QUrl(QStringLiteral("ftp://jama.example.com"));
    req.identity = QStringLiteral("u");
    req.secret = QStringLiteral("p");
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job)); // run() also checks that nothing was emitted inside start()
    QCOMPARE(job.result().status, ValidationStatus::Failed);
    QVERIFY(!job.result().message.isEmpty());

    req.baseUrl = QUrl(QStringLiteral("https://user:pw@jama.example.com"));
    ValidationJob withUserInfo(m_nam.get(), req);
    QVERIFY(run(withUserInfo));
    QCOMPARE(withUserInfo.result().status, ValidationStatus::Failed);
    QVERIFY(withUserInfo.result().message.contains(QStringLiteral("user name or password")));
}

void TestValidationJob::hostNotFound()
{
    ValidationRequest req;
    req.baseUrl = QUrl(QStringLiteral("https://nonexistent.invalid"));
    req.identity = QStringLiteral("u");
    req.secret = QStringLiteral("p");
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::HostNotFound);
    QVERIFY(!job.result().isTransient()); // a typo or a VPN, not an outage
    QVERIFY(job.result().message.contains(QStringLiteral("nonexistent.invalid")));
}

void TestValidationJob::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    } // closed: nothing listens there now
    for (const char *scheme : { "http", "https" }) {
        ValidationRequest req;
        req.baseUrl
            = QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(QLatin1String(scheme)).arg(port));
        req.identity = QStringLiteral("u");
        req.secret = QStringLiteral("p");
        ValidationJob job(m_nam.get(), req);
        QVERIFY(run(job));
        QCOMPARE(job.result().failure, Failure::ConnectionRefused);
        QVERIFY(job.result().isTransient());
    }
}

void TestValidationJob::proxyFailure()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    // The job uses whatever proxy the shared manager has (the system's, in the app).
    m_nam->setProxy(QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), port));
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("named")));
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::Proxy);
    QVERIFY(job.result().isTransient());
    QVERIFY2(
        job.result().message.contains(QStringLiteral("proxy")), qPrintable(job.result().message));
    QCOMPARE(m_http->requestCount(), 0);
}

void TestValidationJob::tls_data()
{
    QTest::addColumn<QString>("authType");
    QTest::addColumn<QString>("user");
    QTest::addColumn<bool>("verify");
    QTest::addColumn<QString>("pin"); // "", "A" (the server's own) or "B" (another certificate)
    QTest::addColumn<ValidationStatus>("status");
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<bool>("hasCertificate");
    QTest::addColumn<QString>("messagePart");

    for (QString type : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
        const QByteArray p = type == QStringLiteral("basic") ? "basic " : "oauth ";
        QTest::newRow((p + QByteArray("verify on, untrusted")).constData())
            << type << "named" << true << "" << ValidationStatus::Failed << Failure::Tls << true
            << "Trust this certificate";
        QTest::newRow((p + QByteArray("verify on, pinned")).constData())
            << type << "named" << true << "A" << ValidationStatus::Verified << Failure::None
            << false << "Named Creator";
        QTest::newRow((p + QByteArray("verify on, pinned another certificate")).constData())
            << type << "named" << true << "B" << ValidationStatus::Failed << Failure::Tls << true
            << "The certificate changed";
        QTest::newRow((p + QByteArray("verify off")).constData())
            << type << "named" << false << "" << ValidationStatus::Warning << Failure::None << true
            << "Certificate verification is off";
        QTest::newRow((p + QByteArray("verify off, floating")).constData())
            << type << "floating" << false << "" << ValidationStatus::Warning << Failure::None
            << true << "Certificate verification is off";
        QTest::newRow((p + QByteArray("verify off, stakeholder")).constData())
            << type << "stakeholder" << false << "" << ValidationStatus::Failed << Failure::License
            << true << "Certificate verification is off";
    }
}

void TestValidationJob::tls()
{
    QFETCH(QString, authType);
    QFETCH(QString, user);
    QFETCH(bool, verify);
    QFETCH(QString, pin);
    QFETCH(ValidationStatus, status);
    QFETCH(Failure, failure);
    QFETCH(bool, hasCertificate);
    QFETCH(QString, messagePart);

    ValidationRequest req = request(*m_tlsA, authType, user);
    QCOMPARE(req.baseUrl.scheme(), QStringLiteral("https"));
    req.verifySsl = verify;
    if (pin == QLatin1String("A"))
        req.pinnedSha256 = m_tlsA->certificateSha256();
    else if (pin == QLatin1String("B"))
        req.pinnedSha256 = m_tlsB->certificateSha256();
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.message.contains(messagePart), qPrintable(r.message));
    QCOMPARE(r.failure, failure);
    QCOMPARE(r.status, status);
    QCOMPARE(r.certificate.has_value(), hasCertificate);
    if (hasCertificate) {
        QCOMPARE(r.certificate->sha256, m_tlsA->certificateSha256());
        QVERIFY(r.certificate->subject.contains(QStringLiteral("CN=127.0.0.1")));
        QVERIFY(r.certificate->issuer.contains(QStringLiteral("CN=127.0.0.1")));
        QVERIFY(r.certificate->notBefore.isValid());
        QVERIFY(r.certificate->notAfter > QDateTime::currentDateTimeUtc());
        QVERIFY(!r.certificate->errors.isEmpty());
    }
    if (failure == Failure::Tls) {
        QVERIFY(r.message.contains(r.certificate->fingerprintText()));
        QCOMPARE(m_tlsA->requestCount(), 0); // nothing, credentials included, was sent
    } else {
        QCOMPARE(r.account.username, user);
        // token (oAuth), users/current, then the projects list unless the license failed
        QCOMPARE(m_tlsA->requestCount(),
            (authType == QStringLiteral("oauth") ? 2 : 1) + (failure == Failure::License ? 0 : 1));
    }
}

void TestValidationJob::redirects_data()
{
    QTest::addColumn<QString>("authType");
    QTest::addColumn<QString>("user");
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<QString>("messagePart");
    QTest::addColumn<int>("requests");
    for (QString type : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
        const QByteArray p = type == QStringLiteral("basic") ? "basic " : "oauth ";
        QTest::newRow((p + QByteArray("same host https")).constData())
            << type << "redirect-same-host" << Failure::None
            << "Named Creator"
            // every request is redirected once: + the projects list and its redirect
            << (type == QStringLiteral("oauth") ? 6 : 4);
        QTest::newRow((p + QByteArray("to http")).constData())
            << type << "redirect-http" << Failure::Redirect << "insecure address http://" << 1;
        QTest::newRow((p + QByteArray("to another host")).constData())
            << type << "redirect-other-host" << Failure::Redirect << "another host" << 1;
    }
}

void TestValidationJob::redirects()
{
    QFETCH(QString, authType);
    QFETCH(QString, user);
    QFETCH(Failure, failure);
    QFETCH(QString, messagePart);
    QFETCH(int, requests);
    ValidationRequest req = request(*m_tlsA, authType, user);
    req.pinnedSha256 = m_tlsA->certificateSha256();
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QVERIFY2(job.result().message.contains(messagePart), qPrintable(job.result().message));
    QCOMPARE(job.result().failure, failure);
    QCOMPARE(m_tlsA->requestCount(), requests);
    QCOMPARE(m_tlsA->requestCountForHost(QStringLiteral("localhost")), 0);
}

void TestValidationJob::redirectToOtherHostSendsNoCredentials_data()
{
    QTest::addColumn<QString>("authType");
    QTest::addColumn<QString>("fromHost");
    QTest::newRow("basic 127.0.0.1 to localhost") << QStringLiteral("basic") << "127.0.0.1";
    QTest::newRow("oauth 127.0.0.1 to localhost") << QStringLiteral("oauth") << "127.0.0.1";
    QTest::newRow("basic localhost to 127.0.0.1") << QStringLiteral("basic") << "localhost";
}

void TestValidationJob::redirectToOtherHostSendsNoCredentials()
{
    QFETCH(QString, authType);
    QFETCH(QString, fromHost);
    const QString otherHost = fromHost == QLatin1String("localhost") ? QStringLiteral("127.0.0.1")
                                                                     : QStringLiteral("localhost");
    m_tlsA->setBehaviour(Behaviour::RedirectOtherHost);
    ValidationRequest req = request(*m_tlsA, authType, QStringLiteral("named"));
    req.baseUrl = m_tlsA->baseUrl(fromHost);
    req.verifySsl = false; // so a followed redirect would really reach the other host
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::Redirect);
    QCOMPARE(job.result().httpStatus, 307);
    QCOMPARE(m_tlsA->authorizedRequestCountForHost(fromHost), 1);
    QCOMPARE(m_tlsA->requestCountForHost(otherHost), 0);
    QCOMPARE(m_tlsA->authorizedRequestCountForHost(otherHost), 0);
}

void TestValidationJob::secretsNeverLogged()
{
    const QString password = QStringLiteral("S3cret-Basic-pw");
    const QString clientSecret = QStringLiteral("S3cret-oauth-client");
    cd::fake::FakeAccount account;
    account.username = QStringLiteral("logcheck");
    account.password = password;
    account.clientId = QStringLiteral("logcheck-client");
    account.clientSecret = clientSecret;
    account.firstName = QStringLiteral("Log");
    account.lastName = QStringLiteral("Check");
    m_http->addAccount(account);
    m_tlsA->addAccount(account);

    {
        QMutexLocker lock(&g_logMutex);
        g_log.clear();
    }
    QLoggingCategory::setFilterRules(QStringLiteral("connectordesk.*=true"));
    g_previousHandler = qInstallMessageHandler(captureMessages);
    auto restore = qScopeGuard([] {
        qInstallMessageHandler(g_previousHandler);
        g_previousHandler = nullptr;
        QLoggingCategory::setFilterRules(QString());
    });

    struct Case
    {
        FakeJamaServer *server;
        QString type;
        QString secret;
        bool verify;
    };
    const Case cases[] = {
        { m_http.get(), QStringLiteral("basic"), password, true },
        { m_http.get(), QStringLiteral("basic"), password + QStringLiteral("x"), true },
        { m_http.get(), QStringLiteral("oauth"), clientSecret, true },
        { m_http.get(), QStringLiteral("oauth"), clientSecret + QStringLiteral("x"), true },
        { m_tlsA.get(), QStringLiteral("basic"), password, true },
        { m_tlsA.get(), QStringLiteral("oauth"), clientSecret, false },
    };
    QStringList forbidden;
    for (const Case &c : cases) {
        ValidationRequest req = request(*c.server, c.type, QStringLiteral("logcheck"), c.secret);
        req.verifySsl = c.verify;
        ValidationJob job(m_nam.get(), req);
        QVERIFY(run(job));
        forbidden << c.secret
                  << QString::fromLatin1(
                         (req.identity + QLatin1Char(':') + c.secret).toUtf8().toBase64());
    }
    const QString log = [] {
        QMutexLocker lock(&g_logMutex);
        return g_log.join(QLatin1Char('\n'));
    }();
    QVERIFY2(log.contains(QStringLiteral("connectordesk.net")),
        "nothing was logged: the test proves nothing");
    QVERIFY(log.contains(QStringLiteral("validation:")));
    for (const QString &secret : forbidden)
        QVERIFY2(!log.contains(secret), qPrintable(QStringLiteral("secret in log: ") + secret));
    QVERIFY(!log.contains(QStringLiteral("Authorization"), Qt::CaseInsensitive));
    QVERIFY(!log.contains(QStringLiteral("fake."))); // the fake server's access tokens
}

void TestValidationJob::transientFailures_data()
{
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<bool>("transient");
    QTest::newRow("none") << Failure::None << false;
    QTest::newRow("cancelled") << Failure::Cancelled << false;
    QTest::newRow("host") << Failure::HostNotFound << false;
    QTest::newRow("refused") << Failure::ConnectionRefused << true;
    QTest::newRow("timeout") << Failure::Timeout << true;
    QTest::newRow("proxy") << Failure::Proxy << true;
    QTest::newRow("tls") << Failure::Tls << false;
    QTest::newRow("credentials") << Failure::CredentialsRejected << false;
    QTest::newRow("forbidden") << Failure::Forbidden << false;
    QTest::newRow("not jama") << Failure::NoApi << false;
    QTest::newRow("throttled") << Failure::Throttled << true;
    QTest::newRow("server") << Failure::ServerError << false;
    QTest::newRow("bad answer") << Failure::BadAnswer << false;
    QTest::newRow("redirect") << Failure::Redirect << false;
    QTest::newRow("inactive") << Failure::Inactive << false;
    QTest::newRow("license") << Failure::License << false;
    QTest::newRow("network") << Failure::Network << true;
}

void TestValidationJob::transientFailures()
{
    QFETCH(Failure, failure);
    QFETCH(bool, transient);
    ValidationResult r;
    r.failure = failure;
    QCOMPARE(r.isTransient(), transient);
}

void TestValidationJob::fingerprintText()
{
    cd::CertificateInfo info;
    info.sha256 = QByteArray::fromHex("ab01ff");
    QCOMPARE(info.fingerprintText(), QStringLiteral("AB:01:FF"));
    info.sha256 = m_tlsA->certificateSha256();
    QCOMPARE(info.fingerprintText().size(), 32 * 3 - 1);
}

void TestValidationJob::standaloneServer()
{
    QString binary = qEnvironmentVariable("FAKE_JAMA_BINARY");
    if (binary.isEmpty()) // run directly from the build tree
        binary = QCoreApplication::applicationDirPath() + QStringLiteral("/../fakejama/fake-jama");
    QVERIFY2(QFileInfo(binary).isExecutable(), qPrintable(binary + QStringLiteral(" not found")));
    QProcess server;
    server.setProgram(binary);
    server.setArguments({ QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--tls"),
        QStringLiteral("--context-path"), QStringLiteral("/contour") });
    server.start();
    QVERIFY(server.waitForStarted());
    auto stop = qScopeGuard([&server] {
        server.kill();
        server.waitForFinished();
    });
    QTRY_VERIFY_WITH_TIMEOUT(server.canReadLine(), 30000);
    const QUrl base(QString::fromUtf8(server.readLine()).trimmed());
    QCOMPARE(base.scheme(), QStringLiteral("https"));
    QCOMPARE(base.path(), QStringLiteral("/contour"));

    ValidationRequest req;
    req.baseUrl = base;
    req.identity = QStringLiteral("floating");
    req.secret = QStringLiteral("password");
    req.verifySsl = false;
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QCOMPARE(job.result().status, ValidationStatus::Warning);
    QCOMPARE(job.result().account.licenseType, QStringLiteral("FLOATING"));
}

// ---- isolation between checks on one shared QNetworkAccessManager -----------------------

void TestValidationJob::sharedManagerIsolation_data()
{
    QTest::addColumn<bool>("firstVerify");
    QTest::addColumn<QString>("firstPin"); // "", "A" (the server's), "B" (another)
    QTest::addColumn<bool>("secondVerify");
    QTest::addColumn<QString>("secondPin");
    QTest::addColumn<QString>("messagePart");

    for (const char *auth : { "basic", "oauth" }) {
        const QByteArray p = QByteArray(auth) + ' ';
        QTest::newRow((p + "verify off, then verify on").constData()) << false << "" << true << ""
                                                                      << "not trusted";
        QTest::newRow((p + "pin A, then no pin").constData()) << true << "A" << true << ""
                                                              << "not trusted";
        QTest::newRow((p + "pin A, then pin B").constData()) << true << "A" << true << "B"
                                                             << "The certificate changed";
        QTest::newRow((p + "verify off, then pin B").constData()) << false << "" << true << "B"
                                                                  << "The certificate changed";
    }
}

void TestValidationJob::sharedManagerIsolation()
{
    QFETCH(bool, firstVerify);
    QFETCH(QString, firstPin);
    QFETCH(bool, secondVerify);
    QFETCH(QString, secondPin);
    QFETCH(QString, messagePart);
    const QString type = QByteArray(QTest::currentDataTag()).startsWith("oauth")
        ? QStringLiteral("oauth")
        : QStringLiteral("basic");
    const auto pin = [this](const QString &p) {
        return p == QLatin1String("A") ? m_tlsA->certificateSha256()
            : p == QLatin1String("B")  ? m_tlsB->certificateSha256()
                                       : QByteArray();
    };
    // The first check gets through (its own decision), on the shared manager.
    ValidationRequest first = request(*m_tlsA, type, QStringLiteral("named"));
    first.verifySsl = firstVerify;
    first.pinnedSha256 = pin(firstPin);
    ValidationJob one(m_nam.get(), first);
    QVERIFY(run(one));
    QVERIFY2(one.result().status != ValidationStatus::Failed, qPrintable(one.result().message));
    QVERIFY(m_tlsA->requestCount() > 0);

    // Right after, same manager, same host and port, another connector: its own rules.
    m_tlsA->clearRequests();
    ValidationRequest second
        = request(*m_tlsA, type, QStringLiteral("named"), QStringLiteral("other-secret"));
    second.verifySsl = secondVerify;
    second.pinnedSha256 = pin(secondPin);
    ValidationJob two(m_nam.get(), second);
    QVERIFY(run(two));
    const ValidationResult &r = two.result();
    QCOMPARE(r.status, ValidationStatus::Failed);
    QCOMPARE(r.failure, Failure::Tls);
    QVERIFY2(r.message.contains(messagePart), qPrintable(r.message));
    // Nothing reached the server: no request, so no Authorization header and no password.
    QCOMPARE(m_tlsA->requestCount(), 0);
    QCOMPARE(m_tlsA->authorizedRequestCountForHost(QStringLiteral("127.0.0.1")), 0);
    if (!secondPin.isEmpty()) {
        QCOMPARE(r.expectedSha256, pin(secondPin));
        QVERIFY(r.message.contains(r.certificate->fingerprintText())); // presented
        cd::CertificateInfo trusted;
        trusted.sha256 = pin(secondPin);
        QVERIFY(r.message.contains(trusted.fingerprintText())); // and trusted
    }
}

void TestValidationJob::sharedManagerTestThenQueue()
{
    // The dialog's Test Connection (Verify SSL off) and then the queue, on one manager, as in
    // the window: the queued connector (Verify SSL on) must not ride on the test's decision.
    QTemporaryDir dir;
    cd::ConnectorStore store(dir.path());
    cd::MemorySecretStore secrets;
    cd::ConnectorRepository repository(&store, &secrets);
    QString error;
    QVERIFY(repository.load(&error));
    cd::Connector c;
    c.name = QStringLiteral("Strict");
    c.url = m_tlsA->baseUrl().toString();
    c.identity = QStringLiteral("named");
    c.verifySsl = true;
    bool added = false;
    repository.add(c, QStringLiteral("password"), [&](const cd::RepositoryResult &r) {
        added = r.ok;
        c.id = r.id;
    });
    QTRY_VERIFY(added);

    ValidationRequest test = request(*m_tlsA, QStringLiteral("basic"), QStringLiteral("named"));
    test.verifySsl = false;
    ValidationJob dialogTest(m_nam.get(), test);
    QVERIFY(run(dialogTest));
    QCOMPARE(dialogTest.result().status, ValidationStatus::Warning);

    m_tlsA->clearRequests();
    cd::ValidationQueue queue(&repository, m_nam.get());
    QSignalSpy finished(&queue, &cd::ValidationQueue::finished);
    queue.enqueue(c.id);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    const auto r = finished.at(0).at(1).value<ValidationResult>();
    QCOMPARE(r.failure, Failure::Tls);
    QCOMPARE(repository.find(c.id)->validation.status, ValidationStatus::Failed);
    QCOMPARE(m_tlsA->requestCount(), 0);
}

void TestValidationJob::oneConnectionPerCheck_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("transport"); // http, pinned, verify-off
    QTest::addColumn<bool>("keepAlive"); // whether the server keeps connections open
    QTest::addColumn<int>("requests");
    for (const char *type : { "basic", "oauth" }) {
        for (const char *transport : { "http", "pinned", "verify-off" }) {
            for (bool keepAlive : { true, false }) {
                const QByteArray tag
                    = QByteArray(type) + ' ' + transport + (keepAlive ? " keep-alive" : " close");
                QTest::newRow(tag.constData())
                    << type << transport << keepAlive << (qstrcmp(type, "oauth") == 0 ? 3 : 2);
            }
        }
    }
}

void TestValidationJob::oneConnectionPerCheck()
{
    // Issue 15: a check's requests share its one connection (no extra connect and TLS
    // handshake per request) when the server keeps it open, and a second check on the same
    // shared manager, same host and port, never rides on it: it opens its own.
    QFETCH(QString, type);
    QFETCH(QString, transport);
    QFETCH(bool, keepAlive);
    QFETCH(int, requests);
    FakeJamaServer &server = transport == QLatin1String("http") ? *m_http : *m_tlsA;
    server.setKeepAlive(keepAlive);
    const auto restore = qScopeGuard([&] { server.setKeepAlive(true); });
    server.clearRequests();
    const auto make = [&] {
        ValidationRequest r = request(server, type, QStringLiteral("named"));
        if (transport == QLatin1String("pinned"))
            r.pinnedSha256 = server.certificateSha256();
        else if (transport == QLatin1String("verify-off"))
            r.verifySsl = false;
        return r;
    };
    ValidationJob first(m_nam.get(), make());
    QVERIFY(run(first));
    QVERIFY2(first.result().status != ValidationStatus::Failed, qPrintable(first.result().message));
    QCOMPARE(server.requestCount(), requests);
    QCOMPARE(server.connectionCount(), keepAlive ? 1 : requests);

    // The first check's connection is still open (its job lives): the second opens its own.
    ValidationJob second(m_nam.get(), make());
    QVERIFY(run(second));
    QCOMPARE(second.result().status, first.result().status);
    QCOMPARE(server.requestCount(), 2 * requests);
    QCOMPARE(server.connectionCount(), keepAlive ? 2 : 2 * requests);
}

void TestValidationJob::pinRestrictsTrustedChain()
{
    // A server whose certificate chains to a CA this process trusts (a TLS-inspecting proxy, a
    // re-issued certificate): without a pin it passes; pinned to another certificate it fails
    // before anything is sent; pinned to its own leaf it passes.
    FakeJamaServer trusted;
    QVERIFY2(trusted.enableTlsSignedByCa(), qPrintable(trusted.errorString()));
    QVERIFY(trusted.listen());
    const QSslConfiguration saved = QSslConfiguration::defaultConfiguration();
    QSslConfiguration withCa = saved;
    withCa.addCaCertificate(trusted.caCertificate());
    QSslConfiguration::setDefaultConfiguration(withCa);
    const auto restore = qScopeGuard([&] { QSslConfiguration::setDefaultConfiguration(saved); });

    for (QString type : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
        ValidationJob open(m_nam.get(), request(trusted, type, QStringLiteral("named")));
        QVERIFY(run(open));
        QVERIFY2(open.result().status == ValidationStatus::Verified,
            qPrintable(open.result().message)); // the chain is trusted

        trusted.clearRequests();
        ValidationRequest pinnedElsewhere = request(trusted, type, QStringLiteral("named"));
        pinnedElsewhere.pinnedSha256 = m_tlsA->certificateSha256();
        ValidationJob refused(m_nam.get(), pinnedElsewhere);
        QVERIFY(run(refused));
        QCOMPARE(refused.result().status, ValidationStatus::Failed);
        QCOMPARE(refused.result().failure, Failure::Tls);
        QVERIFY2(refused.result().message.contains(QStringLiteral("The certificate changed")),
            qPrintable(refused.result().message));
        QCOMPARE(refused.result().certificate->sha256,
            trusted.certificate().digest(QCryptographicHash::Sha256));
        QCOMPARE(trusted.requestCount(), 0); // nothing sent, no Authorization header

        ValidationRequest pinnedHere = request(trusted, type, QStringLiteral("named"));
        pinnedHere.pinnedSha256 = trusted.certificate().digest(QCryptographicHash::Sha256);
        ValidationJob accepted(m_nam.get(), pinnedHere);
        QVERIFY(run(accepted));
        QVERIFY2(accepted.result().status == ValidationStatus::Verified,
            qPrintable(accepted.result().message));
    }
}

void TestValidationJob::pinHoldsWithVerifyOff()
{
    // Verify SSL off does not loosen a pin: the pinned certificate and no other.
    ValidationRequest req = request(*m_tlsA, QStringLiteral("basic"), QStringLiteral("named"));
    req.verifySsl = false;
    req.pinnedSha256 = m_tlsB->certificateSha256();
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::Tls);
    QVERIFY(job.result().message.contains(QStringLiteral("The certificate changed")));
    QCOMPARE(m_tlsA->requestCount(), 0);

    req.pinnedSha256 = m_tlsA->certificateSha256();
    ValidationJob matching(m_nam.get(), req);
    QVERIFY(run(matching));
    QCOMPARE(matching.result().status, ValidationStatus::Warning); // verification is still off
    QCOMPARE(matching.result().account.username, QStringLiteral("named"));
}

void TestValidationJob::retryAfterHonoured()
{
    m_http->setThrottleCount(1);
    m_http->setRetryAfter("1");
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("named")));
    job.setBackoffSchedule({ 60000 }); // would not fit; the server's 1 s does
    QSignalSpy states(&job, &ValidationJob::statusChanged);
    QVERIFY(run(job));
    QCOMPARE(job.result().status, ValidationStatus::Verified);
    QCOMPARE(m_http->requestCount(), 3); // 429, users/current, the projects list
    bool backedOff = false;
    for (const QList<QVariant> &args : std::as_const(states))
        backedOff |= args.at(0).value<ValidationJob::Status>() == ValidationJob::Status::BackingOff;
    QVERIFY(backedOff);
}

void TestValidationJob::retryAfterTooLongFailsWithRetryTime()
{
    m_http->setThrottleCount(5);
    m_http->setRetryAfter("120");
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("named")));
    const QDateTime before = QDateTime::currentDateTimeUtc();
    QVERIFY(run(job, 5000)); // fails at once, without waiting
    QCOMPARE(job.result().failure, Failure::Throttled);
    QVERIFY(job.result().isTransient());
    QCOMPARE(m_http->requestCount(), 1);
    const QDateTime at = job.result().retryAt;
    QVERIFY(at.isValid());
    QVERIFY2(qAbs(before.secsTo(at) - 120) <= 5, qPrintable(at.toString(Qt::ISODate)));
    QVERIFY2(job.result().message.contains(QStringLiteral("Check again after")),
        qPrintable(job.result().message));
    // Without Retry-After, a schedule that does not fit the total timeout fails the same way.
    m_http->setRetryAfter({});
    m_http->clearRequests();
    ValidationJob scheduled(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("named")));
    scheduled.setTimeouts(15000, 2000);
    scheduled.setBackoffSchedule({ 3000 });
    QVERIFY(run(scheduled, 5000));
    QCOMPARE(scheduled.result().failure, Failure::Throttled);
    QVERIFY(scheduled.result().retryAt.isValid());
    QCOMPARE(m_http->requestCount(), 1);
}

void TestValidationJob::retryAfterParsing_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("expectedMs"); // -1: none
    QTest::newRow("seconds") << QByteArray("7") << qint64(7000);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("padded") << QByteArray(" 3 ") << qint64(3000);
    QTest::newRow("http date") << QByteArray("Tue, 01 Dec 2026 12:00:30 GMT") << qint64(30000);
    QTest::newRow("date in the past") << QByteArray("Tue, 01 Dec 2026 11:00:00 GMT") << qint64(0);
    QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
    QTest::newRow("huge, clamped to a week")
        << QByteArray("9223372036854775807") << qint64(7) * 86400 * 1000;
    QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
    QTest::newRow("absent") << QByteArray() << qint64(-1);
}

void TestValidationJob::retryAfterParsing()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, expectedMs);
    const QDateTime now(QDate(2026, 12, 1), QTime(12, 0, 0), Qt::UTC);
    const std::optional<qint64> ms = ValidationJob::retryAfterMs(header, now);
    QCOMPARE(ms.has_value(), expectedMs >= 0);
    if (ms)
        QCOMPARE(*ms, expectedMs);
}

void TestValidationJob::ipv6Literal()
{
    const cd::NormalizedUrl n
        = cd::jama::normalizeUrl(QStringLiteral("https://[::1]:8443/rest/v1"));
    QVERIFY2(n.ok, qPrintable(n.error));
    QCOMPARE(n.url, QStringLiteral("https://[::1]:8443"));
    FakeJamaServer v6;
    if (!v6.listen(0, QHostAddress::LocalHostIPv6))
        QSKIP("No IPv6 loopback on this machine");
    const cd::NormalizedUrl url
        = cd::jama::normalizeUrl(QStringLiteral("http://[::1]:%1/").arg(v6.port()));
    QVERIFY(url.ok);
    ValidationRequest req = request(v6, QStringLiteral("basic"), QStringLiteral("named"));
    req.baseUrl = QUrl(url.url);
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QVERIFY2(job.result().status == ValidationStatus::Verified, qPrintable(job.result().message));
}

void TestValidationJob::serverTextIsInert()
{
    // What a server says (a 403's meta.message, the user's names) carries no control character
    // into messages that reach terminals and widgets.
    cd::fake::FakeAccount evil;
    evil.username = QStringLiteral("evil\x1b]52;c;aGk=\x07");
    evil.password = QStringLiteral("pw");
    evil.firstName = QStringLiteral("Eve\u202E");
    evil.lastName = QStringLiteral("<a href=\"https://x\">L</a>");
    m_http->addAccount(evil);
    ValidationRequest req = request(*m_http, QStringLiteral("basic"), evil.username, evil.password);
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.status == ValidationStatus::Verified, qPrintable(r.message));
    for (const QString &text : { r.message, r.account.username, r.account.displayName }) {
        for (const QChar ch : text)
            QVERIFY2(ch.unicode() >= 0x20 && ch.unicode() != 0x7F && ch.unicode() != 0x202E,
                qPrintable(text));
    }
    QVERIFY(r.account.username.contains(QStringLiteral("\\x1B]52")));
}

void TestValidationJob::plainHttpOnHttpsUrl()
{
    // `127.0.0.1:PORT` becomes https://..., but the server speaks plain http: say so, at once,
    // and send it nothing of the connector.
    QUrl url = m_http->baseUrl();
    url.setScheme(QStringLiteral("https"));
    ValidationRequest req = request(*m_http, QStringLiteral("basic"), QStringLiteral("named"));
    req.baseUrl = url;
    ValidationJob job(m_nam.get(), req);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(run(job));
    QVERIFY2(timer.elapsed() < 5000, "waited for a timeout instead of telling");
    const ValidationResult &r = job.result();
    QCOMPARE(r.failure, Failure::Tls);
    QVERIFY2(r.message.contains(QStringLiteral("answered in plain http")), qPrintable(r.message));
    QVERIFY2(
        r.message.contains(QStringLiteral("did you mean http://127.0.0.1:%1").arg(m_http->port())),
        qPrintable(r.message));
    QVERIFY(!r.message.contains(QStringLiteral("wrong version number")));
    for (const cd::fake::RecordedRequest &seen : m_http->requests())
        QVERIFY(!seen.hadAuthorization); // only the probe, without credentials
}

void TestValidationJob::retryAfterZeroIsNoTightLoop()
{
    // A server that always answers 429 with "Retry-After: 0" gets at most a few, spaced,
    // attempts: never a loop of sign-ins.
    m_http->setThrottleCount(1000);
    m_http->setRetryAfter("0");
    ValidationJob job(
        m_nam.get(), request(*m_http, QStringLiteral("basic"), QStringLiteral("named")));
    QVERIFY(run(job, 20000));
    QCOMPARE(job.result().failure, Failure::Throttled);
    QVERIFY2(m_http->requestCount() <= 5, qPrintable(QString::number(m_http->requestCount())));
    QVERIFY(job.result().retryAt.isValid());
}

QTEST_GUILESS_MAIN(TestValidationJob)
#include "tst_validationjob.moc"
