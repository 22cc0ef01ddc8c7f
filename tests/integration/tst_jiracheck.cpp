// The Jira Cloud and Jira Data Center checks (JiraCheck through ValidationJob) against the fake
// Jira server over real loopback sockets, http and https, for every auth method.
#include "Check.h"
#include "FakeJiraServer.h"
#include "Text.h"
#include "ValidationJob.h"
#include "jira/JiraCheck.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>
#include <memory>
#include <vector>

using cd::ValidationJob;
using cd::ValidationRequest;
using cd::ValidationResult;
using cd::ValidationStatus;
using cd::fake::FakeJiraServer;
using cd::fake::JiraAccount;
using cd::fake::JiraBehaviour;
using cd::fake::JiraFlavour;
using Failure = ValidationResult::Failure;

Q_DECLARE_METATYPE(Failure)
Q_DECLARE_METATYPE(ValidationStatus)
Q_DECLARE_METATYPE(JiraBehaviour)

namespace {

const QString kContextPath = QStringLiteral("/jira"); // of every Data Center server
const QString kPermissionsAsked = QStringLiteral("BROWSE_PROJECTS,CREATE_ISSUES,EDIT_ISSUES");

// One way to reach Jira: flavour, auth method, http or https.
struct Variant
{
    const char *name;
    bool cloud;
    const char *authType;
    bool tls;
};

const Variant kVariants[] = {
    { "cloud api-token http", true, "api-token", false },
    { "cloud api-token https", true, "api-token", true },
    { "dc basic http", false, "basic", false },
    { "dc basic https", false, "basic", true },
    { "dc pat http", false, "pat", false },
    { "dc pat https", false, "pat", true },
};

void addVariantColumns()
{
    QTest::addColumn<bool>("cloud");
    QTest::addColumn<QString>("authType");
    QTest::addColumn<bool>("tls");
}

// Columns of a flavour and auth method, one row each (for tests that run http and https
// together).
void addMethodColumns()
{
    QTest::addColumn<bool>("cloud");
    QTest::addColumn<QString>("authType");
    QTest::newRow("cloud api-token") << true << QStringLiteral("api-token");
    QTest::newRow("dc basic") << false << QStringLiteral("basic");
    QTest::newRow("dc pat") << false << QStringLiteral("pat");
}

// A row "<what> / <variant>" with the variant's columns filled in; add the rest.
QTestData &variantRow(const QString &what, const Variant &v)
{
    return QTest::newRow(qPrintable(QStringLiteral("%1 / %2").arg(what, QLatin1String(v.name))))
        << v.cloud << QString::fromLatin1(v.authType) << v.tls;
}

// No control character (C0, DEL, C1, bidi) survives in text shown to the user.
bool isInert(const QString &text)
{
    return cd::Text::firstControl(text) == 0;
}

} // namespace

class TestJiraCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void loginUrlOnlyOfThisInstance_data();
    void loginUrlOnlyOfThisInstance();
    void initTestCase();
    void init();
    void cleanup();

    void verified_data();
    void verified();
    void authorizationHeader_data();
    void authorizationHeader();
    void rejectedOnce_data();
    void rejectedOnce();
    void captchaAfterWrongPasswords_data();
    void captchaAfterWrongPasswords();
    void notJira_data();
    void notJira();
    void inactive_data();
    void inactive();
    void serverError_data();
    void serverError();
    void hangTimesOut_data();
    void hangTimesOut();
    void throttledFailsWithRetryAt_data();
    void throttledFailsWithRetryAt();
    void throttledThenVerified_data();
    void throttledThenVerified();
    void missingPermissions_data();
    void missingPermissions();
    void serverTextIsInert_data();
    void serverTextIsInert();
    void secretNeverInMessage_data();
    void secretNeverInMessage();
    void trustedCaChain_data();
    void trustedCaChain();

private:
    FakeJiraServer &server(bool cloud, bool tls);
    // The request of `name`'s built-in account (right secret unless `secret` is given).
    static ValidationRequest request(const FakeJiraServer &server, bool cloud,
        const QString &authType, const QString &name, const QString &secret = QString());
    // Starts the job and waits (bounded) for its one finished signal.
    bool run(ValidationJob &job, int timeoutMs = 20000);
    // Starts the jobs together and waits (bounded) until each has finished once.
    static bool runAll(
        const std::vector<std::unique_ptr<ValidationJob>> &jobs, int timeoutMs = 20000);

    std::unique_ptr<QNetworkAccessManager> m_nam;
    // Made once (the certificates come from openssl); reset before every test.
    std::unique_ptr<FakeJiraServer> m_servers[2][2]; // [cloud][tls]
    std::unique_ptr<FakeJiraServer> m_trusted; // signed by its own CA; made when first needed
    std::unique_ptr<QSignalSpy> m_finished;
};

void TestJiraCheck::initTestCase()
{
    qRegisterMetaType<cd::ValidationResult>();
    for (const bool cloud : { false, true }) {
        for (const bool tls : { false, true }) {
            auto s = std::make_unique<FakeJiraServer>();
            s->setFlavour(cloud ? JiraFlavour::Cloud : JiraFlavour::DataCenter);
            if (!cloud)
                s->setContextPath(kContextPath);
            if (tls)
                QVERIFY2(s->enableTls(), qPrintable(s->errorString()));
            QVERIFY2(s->listen(), qPrintable(s->errorString()));
            if (tls)
                QCOMPARE(s->certificateSha256().size(), 32);
            m_servers[cloud][tls] = std::move(s);
        }
    }
}

void TestJiraCheck::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    for (auto &row : m_servers) {
        for (auto &s : row) {
            s->setAccounts(FakeJiraServer::builtInAccounts());
            s->setBehaviour(JiraBehaviour::Normal);
            s->setThrottleCount(0);
            s->setRetryAfter("1");
            s->setCaptchaThreshold(3);
            s->resetFailedLogins();
            s->clearRequests();
        }
    }
}

void TestJiraCheck::cleanup()
{
    m_finished.reset();
    m_nam.reset();
}

FakeJiraServer &TestJiraCheck::server(bool cloud, bool tls)
{
    return *m_servers[cloud][tls];
}

ValidationRequest TestJiraCheck::request(const FakeJiraServer &server, bool cloud,
    const QString &authType, const QString &name, const QString &secret)
{
    ValidationRequest r;
    r.baseUrl = server.baseUrl();
    r.application = cloud ? QStringLiteral("jira-cloud") : QStringLiteral("jira-data-center");
    r.authType = authType;
    if (cloud) {
        r.identity = name + QStringLiteral("@example.com");
        r.secret = name + QStringLiteral("-token");
    } else if (authType == QLatin1String("pat")) {
        r.secret = name + QStringLiteral("-pat"); // a token names its owner: no identity
    } else {
        r.identity = name;
        r.secret = QStringLiteral("password");
    }
    if (!secret.isEmpty())
        r.secret = secret;
    if (server.isTls())
        r.pinnedSha256 = server.certificateSha256();
    return r;
}

bool TestJiraCheck::run(ValidationJob &job, int timeoutMs)
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

bool TestJiraCheck::runAll(const std::vector<std::unique_ptr<ValidationJob>> &jobs, int timeoutMs)
{
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (const auto &job : jobs)
        spies.push_back(std::make_unique<QSignalSpy>(job.get(), &ValidationJob::finished));
    for (const auto &job : jobs)
        job->start();
    const auto allDone = [&] {
        for (const auto &spy : spies) {
            if (spy->count() == 0)
                return false;
        }
        return true;
    };
    if (!QTest::qWaitFor(allDone, timeoutMs))
        return false;
    for (const auto &spy : spies) {
        if (spy->count() != 1)
            return false;
    }
    return true;
}

void TestJiraCheck::verified_data()
{
    addVariantColumns();
    for (const Variant &v : kVariants)
        variantRow(QStringLiteral("verified"), v);
}

void TestJiraCheck::verified()
{
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    FakeJiraServer &s = server(cloud, tls);
    ValidationJob job(m_nam.get(), request(s, cloud, authType, QStringLiteral("verified")));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.status == ValidationStatus::Verified, qPrintable(r.message));
    QCOMPARE(r.failure, Failure::None);
    QCOMPARE(r.httpStatus, 200);
    QVERIFY2(r.message.contains(QStringLiteral("Verified User")), qPrintable(r.message));
    QCOMPARE(r.account.displayName, QStringLiteral("Verified User"));
    QCOMPARE(r.account.username,
        cloud ? QStringLiteral("verified@example.com") : QStringLiteral("verified"));
    QVERIFY(r.account.licenseType.isEmpty());

    const QList<cd::fake::RecordedRequest> seen = s.requests();
    QCOMPARE(seen.size(), 3); // myself, mypermissions, the projects list
    const QString api = cloud ? QString() : kContextPath;
    QCOMPARE(seen.at(0).method, QByteArray("GET"));
    QCOMPARE(seen.at(0).path,
        api
            + (cloud ? QStringLiteral("/rest/api/3/myself")
                     : QStringLiteral("/rest/api/2/myself")));
    QCOMPARE(seen.at(0).status, 200);
    QCOMPARE(seen.at(1).method, QByteArray("GET"));
    QCOMPARE(seen.at(1).path, api + QStringLiteral("/rest/api/2/mypermissions"));
    QCOMPARE(QUrlQuery(seen.at(1).query).queryItemValue(QStringLiteral("permissions")),
        kPermissionsAsked);
    QCOMPARE(seen.at(1).status, 200);
    QCOMPARE(seen.at(2).path,
        api
            + (cloud ? QStringLiteral("/rest/api/3/project/search")
                     : QStringLiteral("/rest/api/2/project")));
    QCOMPARE(seen.at(2).status, 200);
    const QByteArray scheme = authType == QLatin1String("pat") ? "Bearer" : "Basic";
    for (const cd::fake::RecordedRequest &one : seen) {
        QVERIFY(one.hadAuthorization);
        QCOMPARE(one.authScheme, scheme);
    }
}

void TestJiraCheck::authorizationHeader_data()
{
    // What goes on the wire: Basic email:token (Cloud), Basic user:password, or only the
    // personal access token as Bearer (an identity in the request is not sent along).
    QTest::addColumn<QString>("application");
    QTest::addColumn<QString>("authType");
    QTest::addColumn<QString>("identity");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("contextPath");
    QTest::addColumn<QByteArray>("requestLine");
    QTest::addColumn<QByteArray>("authorization");
    QTest::newRow("cloud api-token")
        << QStringLiteral("jira-cloud") << QStringLiteral("api-token")
        << QStringLiteral("verified@example.com") << QStringLiteral("verified-token") << QString()
        << QByteArray("GET /rest/api/3/myself HTTP/1.1")
        << QByteArray("Basic " + QByteArray("verified@example.com:verified-token").toBase64());
    QTest::newRow("dc basic") << QStringLiteral("jira-data-center") << QStringLiteral("basic")
                              << QStringLiteral("verified") << QStringLiteral("password")
                              << kContextPath << QByteArray("GET /jira/rest/api/2/myself HTTP/1.1")
                              << QByteArray("Basic " + QByteArray("verified:password").toBase64());
    QTest::newRow("dc pat") << QStringLiteral("jira-data-center") << QStringLiteral("pat")
                            << QStringLiteral("verified") << QStringLiteral("verified-pat")
                            << kContextPath << QByteArray("GET /jira/rest/api/2/myself HTTP/1.1")
                            << QByteArray("Bearer verified-pat");
}

void TestJiraCheck::authorizationHeader()
{
    QFETCH(QString, application);
    QFETCH(QString, authType);
    QFETCH(QString, identity);
    QFETCH(QString, secret);
    QFETCH(QString, contextPath);
    QFETCH(QByteArray, requestLine);
    QFETCH(QByteArray, authorization);

    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost));
    QByteArray received;
    connect(&raw, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = raw.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [socket, &received] {
                received += socket->readAll();
                if (received.contains("\r\n\r\n")) {
                    socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
                    socket->disconnectFromHost();
                }
            });
        }
    });
    ValidationRequest req;
    req.baseUrl
        = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(raw.serverPort()).arg(contextPath));
    req.application = application;
    req.authType = authType;
    req.identity = identity;
    req.secret = secret;
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QCOMPARE(job.result().failure, Failure::CredentialsRejected);

    const QList<QByteArray> lines = received.left(received.indexOf("\r\n\r\n")).split('\n');
    QCOMPARE(lines.value(0).trimmed(), requestLine);
    QList<QByteArray> sent;
    for (const QByteArray &line : lines) {
        if (line.toLower().startsWith("authorization:"))
            sent << line.mid(int(qstrlen("authorization:"))).trimmed();
    }
    QCOMPARE(sent, QList<QByteArray> { authorization });
}

void TestJiraCheck::rejectedOnce_data()
{
    // Never sent again: a 401, a login challenge, an anonymous answer. One request each.
    addVariantColumns();
    QTest::addColumn<QString>("account");
    QTest::addColumn<QString>("secret"); // empty: the right one
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("messagePart"); // "{login}": the fake's login URL
    for (const Variant &v : kVariants) {
        variantRow(QStringLiteral("wrong secret"), v)
            << QStringLiteral("verified") << QStringLiteral("not-the-secret")
            << Failure::CredentialsRejected << 401 << QStringLiteral("rejected (HTTP 401)");
        variantRow(QStringLiteral("unauthorized"), v)
            << QStringLiteral("unauthorized") << QString() << Failure::CredentialsRejected << 401
            << QStringLiteral("rejected (HTTP 401)");
        variantRow(QStringLiteral("captcha"), v)
            << QStringLiteral("captcha") << QString() << Failure::LoginChallenge << 403
            << QStringLiteral("{login}");
        variantRow(QStringLiteral("seraph-denied"), v)
            << QStringLiteral("seraph-denied") << QString() << Failure::CredentialsRejected << 200
            << QStringLiteral("anonymous");
    }
}

void TestJiraCheck::rejectedOnce()
{
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    QFETCH(QString, account);
    QFETCH(QString, secret);
    QFETCH(Failure, failure);
    QFETCH(int, httpStatus);
    QFETCH(QString, messagePart);
    FakeJiraServer &s = server(cloud, tls);
    if (messagePart == QLatin1String("{login}"))
        messagePart = s.baseUrl().toString() + QStringLiteral("/login.jsp");
    ValidationJob job(m_nam.get(), request(s, cloud, authType, account, secret));
    job.setBackoffSchedule({ 1, 1, 1 }); // a retry, if there were one, would come at once
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.status, ValidationStatus::Failed);
    QCOMPARE(r.failure, failure);
    QVERIFY(r.credentialsRejected());
    QVERIFY(!r.isTransient());
    QCOMPARE(r.httpStatus, httpStatus);
    QVERIFY2(r.message.contains(messagePart), qPrintable(r.message));
    QCOMPARE(s.requestCount(QStringLiteral("/myself")), 1);
    QCOMPARE(s.requestCount(), 1);
    QCOMPARE(s.requests().constFirst().status, httpStatus);
}

void TestJiraCheck::captchaAfterWrongPasswords_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("http") << false;
    QTest::newRow("https") << true;
}

void TestJiraCheck::captchaAfterWrongPasswords()
{
    // Data Center: three wrong passwords make Jira demand a CAPTCHA; then even the right
    // password gets a login challenge. A personal access token is not locked.
    QFETCH(bool, tls);
    FakeJiraServer &s = server(false, tls);
    const QString basic = QStringLiteral("basic");
    const QString user = QStringLiteral("verified");
    for (int i = 0; i < 3; ++i) {
        ValidationJob job(m_nam.get(), request(s, false, basic, user, QStringLiteral("wrong")));
        QVERIFY(run(job));
        QCOMPARE(job.result().failure, Failure::CredentialsRejected);
        QCOMPARE(job.result().httpStatus, 401);
    }
    QCOMPARE(s.failedLogins(user), 3);

    ValidationJob locked(m_nam.get(), request(s, false, basic, user));
    QVERIFY(run(locked));
    const ValidationResult &r = locked.result();
    QCOMPARE(r.status, ValidationStatus::Failed);
    QCOMPARE(r.failure, Failure::LoginChallenge);
    QVERIFY(r.credentialsRejected());
    QCOMPARE(r.httpStatus, 403);
    QVERIFY2(r.message.contains(s.baseUrl().toString() + QStringLiteral("/login.jsp")),
        qPrintable(r.message));
    QCOMPARE(s.requestCount(QStringLiteral("/myself")), 4); // one per check, none repeated

    ValidationJob token(m_nam.get(), request(s, false, QStringLiteral("pat"), user));
    QVERIFY(run(token));
    QVERIFY2(
        token.result().status == ValidationStatus::Verified, qPrintable(token.result().message));
}

void TestJiraCheck::notJira_data()
{
    addVariantColumns();
    QTest::addColumn<QString>("account");
    for (const Variant &v : kVariants) {
        variantRow(QStringLiteral("html"), v) << QStringLiteral("html");
        variantRow(QStringLiteral("not-jira json"), v) << QStringLiteral("not-jira");
    }
}

void TestJiraCheck::notJira()
{
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    QFETCH(QString, account);
    FakeJiraServer &s = server(cloud, tls);
    ValidationJob job(m_nam.get(), request(s, cloud, authType, account));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.status, ValidationStatus::Failed);
    QCOMPARE(r.failure, Failure::NoApi);
    QVERIFY2(r.message.contains(QStringLiteral("No Jira REST API")), qPrintable(r.message));
    QVERIFY(!r.credentialsRejected());
    QCOMPARE(s.requestCount(QStringLiteral("/mypermissions")), 0);
}

void TestJiraCheck::inactive_data()
{
    addVariantColumns();
    for (const Variant &v : kVariants)
        variantRow(QStringLiteral("inactive"), v);
}

void TestJiraCheck::inactive()
{
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    FakeJiraServer &s = server(cloud, tls);
    ValidationJob job(m_nam.get(), request(s, cloud, authType, QStringLiteral("inactive")));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.status, ValidationStatus::Failed);
    QCOMPARE(r.failure, Failure::Inactive);
    QCOMPARE(r.httpStatus, 200);
    QVERIFY2(r.message.contains(QStringLiteral("deactivated")), qPrintable(r.message));
    QVERIFY2(r.message.contains(QStringLiteral("Inactive User")), qPrintable(r.message));
    QCOMPARE(r.account.displayName, QStringLiteral("Inactive User"));
    QCOMPARE(s.requestCount(QStringLiteral("/mypermissions")), 0);
}

void TestJiraCheck::serverError_data()
{
    addVariantColumns();
    for (const Variant &v : kVariants)
        variantRow(QStringLiteral("broken"), v);
}

void TestJiraCheck::serverError()
{
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    FakeJiraServer &s = server(cloud, tls);
    ValidationJob job(m_nam.get(), request(s, cloud, authType, QStringLiteral("broken")));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.status, ValidationStatus::Failed);
    QCOMPARE(r.failure, Failure::ServerError);
    QCOMPARE(r.httpStatus, 500);
    QVERIFY2(r.message.contains(QStringLiteral("HTTP 500")), qPrintable(r.message));
    QCOMPARE(s.requestCount(), 1);
}

void TestJiraCheck::hangTimesOut_data()
{
    addMethodColumns();
}

void TestJiraCheck::hangTimesOut()
{
    // The server reads the request and never answers: the total timeout ends the check.
    // http and https run side by side (each against its own server) to keep the test short.
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    std::vector<std::unique_ptr<ValidationJob>> jobs;
    for (const bool tls : { false, true }) {
        jobs.push_back(std::make_unique<ValidationJob>(
            m_nam.get(), request(server(cloud, tls), cloud, authType, QStringLiteral("hang"))));
        jobs.back()->setTimeouts(300, 1500);
    }
    QElapsedTimer timer;
    timer.start();
    QVERIFY(runAll(jobs, 10000));
    for (const bool tls : { false, true }) {
        const ValidationResult &r = jobs.at(tls)->result();
        const QByteArray where = tls ? "https" : "http";
        QVERIFY2(r.failure == Failure::Timeout, where + ": " + r.message.toUtf8());
        QCOMPARE(r.status, ValidationStatus::Failed);
        QVERIFY(r.isTransient());
        QVERIFY2(r.message.contains(QStringLiteral("did not answer")), qPrintable(r.message));
        QCOMPARE(server(cloud, tls).requestCount(QStringLiteral("/myself")), 1);
        QCOMPARE(server(cloud, tls).requestCount(), 1);
    }
    QVERIFY2(timer.elapsed() >= 1000, qPrintable(QString::number(timer.elapsed())));
}

void TestJiraCheck::throttledFailsWithRetryAt_data()
{
    addVariantColumns();
    for (const Variant &v : kVariants)
        variantRow(QStringLiteral("throttled"), v);
}

void TestJiraCheck::throttledFailsWithRetryAt()
{
    // Retry-After: 5 does not fit in a 3 s check: it fails at once as throttled, and says
    // when to try again (the server's time, not the back-off schedule's).
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    FakeJiraServer &s = server(cloud, tls);
    s.setRetryAfter("5");
    ValidationJob job(m_nam.get(), request(s, cloud, authType, QStringLiteral("throttled")));
    job.setTimeouts(2000, 3000);
    job.setBackoffSchedule({ 60000 });
    const QDateTime before = QDateTime::currentDateTimeUtc();
    QVERIFY(run(job, 10000));
    const QDateTime after = QDateTime::currentDateTimeUtc();
    const ValidationResult &r = job.result();
    QCOMPARE(r.status, ValidationStatus::Failed);
    QCOMPARE(r.failure, Failure::Throttled);
    QVERIFY(r.isTransient());
    QVERIFY(!r.credentialsRejected());
    QVERIFY(r.retryAt.isValid());
    QVERIFY2(r.retryAt >= before.addMSecs(4500) && r.retryAt <= after.addMSecs(5500),
        qPrintable(r.retryAt.toString(Qt::ISODateWithMs)));
    QVERIFY2(r.message.contains(QStringLiteral("HTTP 429")), qPrintable(r.message));
    QCOMPARE(s.requestCount(QStringLiteral("/myself")), 1);
}

void TestJiraCheck::throttledThenVerified_data()
{
    addMethodColumns();
}

void TestJiraCheck::throttledThenVerified()
{
    // One 429 with Retry-After: 1: the check waits that second, asks again and succeeds.
    // http and https run side by side (each against its own server).
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    std::vector<std::unique_ptr<ValidationJob>> jobs;
    for (const bool tls : { false, true }) {
        FakeJiraServer &s = server(cloud, tls);
        s.setThrottleCount(1);
        s.setRetryAfter("1");
        jobs.push_back(std::make_unique<ValidationJob>(
            m_nam.get(), request(s, cloud, authType, QStringLiteral("verified"))));
    }
    QElapsedTimer timer;
    timer.start();
    QVERIFY(runAll(jobs));
    QVERIFY2(timer.elapsed() >= 900, "Retry-After: 1 was not waited for");
    for (const bool tls : { false, true }) {
        const ValidationResult &r = jobs.at(tls)->result();
        QVERIFY2(r.status == ValidationStatus::Verified,
            (tls ? "https: " : "http: ") + r.message.toUtf8());
        const QList<cd::fake::RecordedRequest> seen = server(cloud, tls).requests();
        QCOMPARE(seen.size(), 4); // + the projects list
        QCOMPARE(seen.at(0).status, 429);
        QVERIFY(seen.at(0).path.endsWith(QStringLiteral("/myself")));
        QCOMPARE(seen.at(1).status, 200);
        QVERIFY(seen.at(1).path.endsWith(QStringLiteral("/myself")));
        QVERIFY(seen.at(2).path.endsWith(QStringLiteral("/mypermissions")));
        QCOMPARE(seen.at(2).status, 200);
    }
}

void TestJiraCheck::missingPermissions_data()
{
    addVariantColumns();
    QTest::addColumn<QString>("account");
    QTest::addColumn<QStringList>("missing");
    const QString browse = QStringLiteral("Browse projects");
    const QString create = QStringLiteral("Create issues");
    const QString edit = QStringLiteral("Edit issues");
    for (const Variant &v : kVariants) {
        variantRow(QStringLiteral("no-create"), v)
            << QStringLiteral("no-create") << QStringList { create };
        variantRow(QStringLiteral("no-edit"), v)
            << QStringLiteral("no-edit") << QStringList { edit };
        variantRow(QStringLiteral("no-browse"), v)
            << QStringLiteral("no-browse") << QStringList { browse };
        variantRow(QStringLiteral("read-only"), v)
            << QStringLiteral("read-only") << QStringList { create, edit };
    }
}

void TestJiraCheck::missingPermissions()
{
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    QFETCH(QString, account);
    QFETCH(QStringList, missing);
    FakeJiraServer &s = server(cloud, tls);
    ValidationJob job(m_nam.get(), request(s, cloud, authType, account));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.status == ValidationStatus::Warning, qPrintable(r.message));
    QCOMPARE(r.failure, Failure::None);
    QVERIFY(!r.account.displayName.isEmpty());
    QVERIFY2(r.message.contains(r.account.displayName), qPrintable(r.message));
    // Exactly the missing ones, in the check's order, and none that is held.
    const QString list = missing.join(QStringLiteral(", "));
    QVERIFY2(r.message.contains(QStringLiteral(": ") + list + QStringLiteral(". ")),
        qPrintable(r.message));
    for (const QString &name : { QStringLiteral("Browse projects"), QStringLiteral("Create issues"),
             QStringLiteral("Edit issues") }) {
        QCOMPARE(r.message.contains(name, Qt::CaseInsensitive), missing.contains(name));
    }
    QCOMPARE(s.requestCount(QStringLiteral("/mypermissions")), 1);
}

void TestJiraCheck::serverTextIsInert_data()
{
    addVariantColumns();
    for (const Variant &v : kVariants)
        variantRow(QStringLiteral("hostile display name"), v);
}

void TestJiraCheck::serverTextIsInert()
{
    // What the server says about the account carries no control character into the result,
    // and markup stays literal text (the widgets show it as plain text).
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    FakeJiraServer &s = server(cloud, tls);
    JiraAccount evil;
    evil.name = QStringLiteral("evil");
    evil.emailAddress = QStringLiteral("evil@example.com");
    evil.apiToken = QStringLiteral("evil-token");
    evil.password = QStringLiteral("password");
    evil.personalAccessToken = QStringLiteral("evil-pat");
    evil.displayName = QStringLiteral("Eve\x1b]52;c;aGk=\x07 \u202E<b>bold</b>");
    s.addAccount(evil);
    ValidationJob job(m_nam.get(), request(s, cloud, authType, evil.name));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.status == ValidationStatus::Verified, qPrintable(r.message));
    for (const QString &text : { r.message, r.account.displayName, r.account.username })
        QVERIFY2(isInert(text), qPrintable(text));
    QCOMPARE(r.account.displayName, cd::Text::inert(evil.displayName));
    QVERIFY2(r.message.contains(cd::Text::inert(evil.displayName)), qPrintable(r.message));
    QVERIFY(r.message.contains(QStringLiteral("Eve\\x1B]52;c;aGk=\\x07 \\u202E<b>bold</b>")));
}

void TestJiraCheck::secretNeverInMessage_data()
{
    addVariantColumns();
    QTest::addColumn<JiraBehaviour>("behaviour");
    QTest::addColumn<bool>("active");
    QTest::addColumn<bool>("wrongSecret");
    const struct
    {
        const char *name;
        JiraBehaviour behaviour;
        bool active;
        bool wrong;
    } cases[] = {
        { "verified", JiraBehaviour::Normal, true, false },
        { "wrong secret", JiraBehaviour::Normal, true, true },
        { "unauthorized", JiraBehaviour::Unauthorized, true, false },
        { "captcha", JiraBehaviour::Captcha, true, false },
        { "seraph-denied", JiraBehaviour::SeraphDenied, true, false },
        { "inactive", JiraBehaviour::Normal, false, false },
        { "html", JiraBehaviour::Html, true, false },
        { "server error", JiraBehaviour::ServerError, true, false },
    };
    for (const Variant &v : kVariants) {
        for (const auto &c : cases)
            variantRow(QLatin1String(c.name), v) << c.behaviour << c.active << c.wrong;
    }
}

void TestJiraCheck::secretNeverInMessage()
{
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    QFETCH(bool, tls);
    QFETCH(JiraBehaviour, behaviour);
    QFETCH(bool, active);
    QFETCH(bool, wrongSecret);
    FakeJiraServer &s = server(cloud, tls);
    JiraAccount spy;
    spy.name = QStringLiteral("spy");
    spy.emailAddress = QStringLiteral("spy@example.com");
    spy.apiToken = QStringLiteral("Tk7fQ2spyApiToken");
    spy.password = QStringLiteral("Pw9xZ2spyPassword");
    spy.personalAccessToken = QStringLiteral("Pat4k8MspyToken");
    spy.displayName = QStringLiteral("Spy");
    spy.active = active;
    spy.behaviour = behaviour;
    s.addAccount(spy);
    ValidationRequest req = request(s, cloud, authType, spy.name);
    req.secret = wrongSecret               ? QStringLiteral("Wr0ngZq5spySecret")
        : cloud                            ? spy.apiToken
        : authType == QLatin1String("pat") ? spy.personalAccessToken
                                           : spy.password;
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY(!r.message.isEmpty());
    const QByteArray basic = (req.identity + QLatin1Char(':') + req.secret).toUtf8().toBase64();
    for (const QString &text : { r.message, r.account.displayName, r.account.username }) {
        QVERIFY2(!text.contains(req.secret), qPrintable(text));
        QVERIFY2(!text.contains(QString::fromLatin1(basic)), qPrintable(text));
    }
}

void TestJiraCheck::trustedCaChain_data()
{
    addMethodColumns();
}

void TestJiraCheck::trustedCaChain()
{
    // https without a pin: a certificate that chains to a trusted CA is accepted.
    QFETCH(bool, cloud);
    QFETCH(QString, authType);
    if (!m_trusted) { // one CA and certificate for every row: openssl is slow
        m_trusted = std::make_unique<FakeJiraServer>();
        QVERIFY2(m_trusted->enableTlsSignedByCa(), qPrintable(m_trusted->errorString()));
        QVERIFY(m_trusted->listen());
    }
    FakeJiraServer &trusted = *m_trusted;
    trusted.setFlavour(cloud ? JiraFlavour::Cloud : JiraFlavour::DataCenter);
    trusted.setContextPath(cloud ? QString() : kContextPath);
    trusted.clearRequests();
    const QSslConfiguration saved = QSslConfiguration::defaultConfiguration();
    QSslConfiguration withCa = saved;
    withCa.addCaCertificate(trusted.caCertificate());
    QSslConfiguration::setDefaultConfiguration(withCa);
    const auto restore = qScopeGuard([&] { QSslConfiguration::setDefaultConfiguration(saved); });

    ValidationRequest req = request(trusted, cloud, authType, QStringLiteral("verified"));
    req.pinnedSha256.clear();
    QCOMPARE(req.baseUrl.scheme(), QStringLiteral("https"));
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.status == ValidationStatus::Verified, qPrintable(r.message));
    QVERIFY(!r.certificate);
    QCOMPARE(trusted.requestCount(QStringLiteral("/mypermissions")), 1);
}

void TestJiraCheck::loginUrlOnlyOfThisInstance_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("shown");
    const QString own = QStringLiteral("https://jira.example.com/jira/login.jsp");
    QTest::newRow("its own") << QByteArray("CAPTCHA_CHALLENGE; login-url=" + own.toUtf8()) << own;
    QTest::newRow("another attribute after it")
        << QByteArray("CAPTCHA_CHALLENGE; login-url=" + own.toUtf8() + "; x=y") << own;
    // Another host: never suggested as the place to type the password.
    QTest::newRow("another host") << QByteArray(
        "CAPTCHA_CHALLENGE; login-url=https://evil.example/login.jsp")
                                  << own;
    QTest::newRow("no url") << QByteArray("CAPTCHA_CHALLENGE") << own;
    QTest::newRow("not a web address")
        << QByteArray("CAPTCHA_CHALLENGE; login-url=javascript:alert(1)") << own;
}

void TestJiraCheck::loginUrlOnlyOfThisInstance()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, shown);
    ValidationRequest request;
    request.baseUrl = QUrl(QStringLiteral("https://jira.example.com/jira"));
    request.application = QStringLiteral("jira-data-center");
    request.identity = QStringLiteral("svc");
    request.secret = QStringLiteral("pw");
    cd::jira::JiraCheck check(
        cd::jira::JiraCheck::Flavour::DataCenter, cd::jira::JiraCheck::Method::Basic, request);
    check.first();
    cd::CheckAnswer answer;
    answer.httpStatus = 403;
    answer.headers = { { QByteArrayLiteral("X-Authentication-Denied-Reason"), header } };
    const cd::CheckOutcome outcome = check.answer(answer);
    QVERIFY(outcome.result);
    QCOMPARE(outcome.result->failure, ValidationResult::Failure::LoginChallenge);
    QVERIFY2(outcome.result->message.contains(shown + QLatin1Char(',')),
        qPrintable(outcome.result->message));
    QVERIFY(!outcome.result->message.contains(QLatin1String("evil")));
    QVERIFY(!outcome.result->message.contains(QLatin1String("javascript")));
}

QTEST_GUILESS_MAIN(TestJiraCheck)
#include "tst_jiracheck.moc"
