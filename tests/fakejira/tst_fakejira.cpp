// The fake Jira server itself, through a real QNetworkAccessManager over loopback: the Jira
// connectors' tests rely on it answering the way /work/shared/jira-rest.md says Jira does.
#include "FakeJiraServer.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QTest>

using cd::fake::FakeJiraServer;
using cd::fake::JiraAccount;
using cd::fake::JiraBehaviour;
using cd::fake::JiraFlavour;

namespace {

struct Answer
{
    int status = 0; // 0: no HTTP answer
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
};

// permissions.KEY.havePermission of a mypermissions answer (undefined when missing).
QJsonValue havePermission(const Answer &a, const char *key)
{
    return a.object()
        .value("permissions")
        .toObject()
        .value(QLatin1String(key))
        .toObject()
        .value("havePermission");
}

QByteArray basic(const QString &user, const QString &secret)
{
    return "Basic " + (user + QLatin1Char(':') + secret).toUtf8().toBase64();
}

QByteArray bearer(const QString &token)
{
    return "Bearer " + token.toUtf8();
}

} // namespace

class TestFakeJira : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void httpsWithTrustedCa();
    void cloudMyself();
    void dataCenterMyselfWithContextPath();
    void dataCenterPersonalAccessToken();
    void badCredentials();
    void captchaAfterFailedLogins();
    void captchaAccount();
    void seraphDenied();
    void accountBehaviours();
    void throttle();
    void myPermissions();
    void myPermissionsForProject();
    void projects();
    void projectSearchPaging();
    void projectSearchVisibility();
    void projectSearchNotOnDataCenter();
    void rateLimit();
    void unknownPaths();
    void slowAndHang();
    void accountsFile();

private:
    // GET server's base URL + path, with an Authorization header unless empty.
    Answer get(const FakeJiraServer &server, const QString &path,
        const QByteArray &authorization = {}, int timeoutMs = 5000);
    Answer get(const QNetworkRequest &request, const QByteArray &authorization, int timeoutMs)
    {
        return get(m_nam, request, authorization, timeoutMs);
    }
    static Answer get(QNetworkAccessManager &nam, QNetworkRequest request,
        const QByteArray &authorization, int timeoutMs);

    QNetworkAccessManager m_nam;
    FakeJiraServer m_cloud;
    FakeJiraServer m_dc; // context path /jira
};

Answer TestFakeJira::get(const FakeJiraServer &server, const QString &path,
    const QByteArray &authorization, int timeoutMs)
{
    return get(QNetworkRequest(QUrl(server.baseUrl().toString() + path)), authorization, timeoutMs);
}

Answer TestFakeJira::get(QNetworkAccessManager &nam, QNetworkRequest request,
    const QByteArray &authorization, int timeoutMs)
{
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = nam.get(request);
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Answer a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.error = reply->error();
    for (const auto &h : reply->rawHeaderPairs())
        a.headers.insert(h.first.toLower(), h.second);
    if (reply->isOpen()) // not after a transfer timeout
        a.body = reply->readAll();
    reply->deleteLater();
    return a;
}

void TestFakeJira::initTestCase()
{
    m_dc.setFlavour(JiraFlavour::DataCenter);
    m_dc.setContextPath(QStringLiteral("/jira"));
    QVERIFY2(m_cloud.listen(), qPrintable(m_cloud.errorString()));
    QVERIFY2(m_dc.listen(), qPrintable(m_dc.errorString()));
}

// First, with managers of its own that are gone when it ends: the HTTP thread of a manager
// that did TLS holds OpenSSL state that the thread's exit frees, and a thread still exiting
// while the process does would show as a leak under LeakSanitizer.
void TestFakeJira::httpsWithTrustedCa()
{
    FakeJiraServer server;
    server.setFlavour(JiraFlavour::DataCenter);
    QVERIFY2(server.enableTlsSignedByCa(), qPrintable(server.errorString()));
    QVERIFY2(server.listen(), qPrintable(server.errorString()));
    QCOMPARE(server.baseUrl().scheme(), QStringLiteral("https"));
    QCOMPARE(server.certificateSha256().size(), 32);

    // Without the CA the chain is not trusted. (A manager of its own: a manager keeps what it
    // settled for a host with its connections.)
    {
        QNetworkAccessManager nam;
        QNetworkRequest untrusted(QUrl(server.baseUrl().toString() + "/rest/api/2/myself"));
        QCOMPARE(get(nam, untrusted, bearer("verified-pat"), 5000).error,
            QNetworkReply::SslHandshakeFailedError);
    }

    QNetworkAccessManager nam;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.addCaCertificate(server.caCertificate());
    for (const QString &host : { QStringLiteral("127.0.0.1"), QStringLiteral("localhost") }) {
        QNetworkRequest request(QUrl(server.baseUrl(host).toString() + "/rest/api/2/myself"));
        request.setSslConfiguration(ssl);
        const Answer a = get(nam, request, bearer("verified-pat"), 5000);
        QCOMPARE(a.error, QNetworkReply::NoError);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.object().value("name").toString(), QStringLiteral("verified"));
        QCOMPARE(server.requests().constLast().host, host);
    }
}

void TestFakeJira::cloudMyself()
{
    m_cloud.clearRequests();
    const QByteArray auth = basic(QStringLiteral("verified@example.com"), "verified-token");
    for (const char *path : { "/rest/api/3/myself", "/rest/api/2/myself" }) {
        const Answer a = get(m_cloud, QString::fromLatin1(path), auth);
        QCOMPARE(a.status, 200);
        QVERIFY(a.header("content-type").startsWith("application/json"));
        const QJsonObject o = a.object();
        QVERIFY(!o.value("accountId").toString().isEmpty());
        QCOMPARE(o.value("emailAddress").toString(), QStringLiteral("verified@example.com"));
        QCOMPARE(o.value("displayName").toString(), QStringLiteral("Verified User"));
        QCOMPARE(o.value("active").toBool(false), true);
        QVERIFY(o.value("self").toString().startsWith(m_cloud.baseUrl().toString()));
        QVERIFY(o.contains("timeZone"));
        QVERIFY(!o.contains("key"));
    }
    QCOMPARE(m_cloud.requestCount(QStringLiteral("/myself")), 2);
    const cd::fake::RecordedRequest r = m_cloud.requests().constLast();
    QCOMPARE(r.method, QByteArray("GET"));
    QCOMPARE(r.path, QStringLiteral("/rest/api/2/myself"));
    QCOMPARE(r.host, QStringLiteral("127.0.0.1"));
    QVERIFY(r.hadAuthorization);
    QCOMPARE(r.authScheme, QByteArray("Basic"));
    QCOMPARE(r.status, 200);

    // Cloud has no username-and-password logins: a password is a wrong API token.
    QCOMPARE(get(m_cloud, QStringLiteral("/rest/api/3/myself"),
                 basic(QStringLiteral("verified@example.com"), QStringLiteral("password")))
                 .status,
        401);
}

void TestFakeJira::dataCenterMyselfWithContextPath()
{
    QCOMPARE(m_dc.baseUrl().path(), QStringLiteral("/jira"));
    const Answer a = get(m_dc, QStringLiteral("/rest/api/2/myself"),
        basic(QStringLiteral("verified"), QStringLiteral("password")));
    QCOMPARE(a.status, 200);
    const QJsonObject o = a.object();
    QCOMPARE(o.value("name").toString(), QStringLiteral("verified"));
    QVERIFY(o.value("key").toString().startsWith(QLatin1String("JIRAUSER")));
    QCOMPARE(o.value("emailAddress").toString(), QStringLiteral("verified@example.com"));
    QCOMPARE(o.value("active").toBool(false), true);
    QVERIFY(!o.contains("accountId"));
    QVERIFY(o.value("self").toString().startsWith(m_dc.baseUrl().toString() + "/rest/api/2/"));

    // Data Center has no /rest/api/3; without the context path the URL is a web page.
    QCOMPARE(get(m_dc, QStringLiteral("/rest/api/3/myself"),
                 basic(QStringLiteral("verified"), QStringLiteral("password")))
                 .status,
        404);
    QNetworkRequest noContext(m_dc.baseUrl().resolved(QUrl(QStringLiteral("/rest/api/2/myself"))));
    const Answer page = get(noContext, basic(QStringLiteral("verified"), "password"), 5000);
    QCOMPARE(page.status, 200);
    QVERIFY(page.header("content-type").startsWith("text/html"));
    // Anonymous: /myself needs a user.
    QCOMPARE(get(m_dc, QStringLiteral("/rest/api/2/myself")).status, 401);
}

void TestFakeJira::dataCenterPersonalAccessToken()
{
    m_dc.clearRequests();
    const Answer a = get(m_dc, QStringLiteral("/rest/api/2/myself"), bearer("no-edit-pat"));
    QCOMPARE(a.status, 200);
    QCOMPARE(a.object().value("name").toString(), QStringLiteral("no-edit"));
    QCOMPARE(m_dc.requests().constLast().authScheme, QByteArray("Bearer"));

    QCOMPARE(get(m_dc, QStringLiteral("/rest/api/2/myself"), bearer("not-a-token")).status, 401);
    // Cloud takes no API token as a Bearer token.
    QCOMPARE(
        get(m_cloud, QStringLiteral("/rest/api/3/myself"), bearer("verified-token")).status, 401);
}

void TestFakeJira::badCredentials()
{
    const Answer cloud = get(m_cloud, QStringLiteral("/rest/api/3/myself"),
        basic(QStringLiteral("verified@example.com"), QStringLiteral("wrong")));
    QCOMPARE(cloud.status, 401);
    QCOMPARE(cloud.header("www-authenticate"), QByteArray("Basic realm=\"protected-area\""));
    QVERIFY(!cloud.headers.contains("x-seraph-loginreason"));

    const Answer dc = get(m_dc, QStringLiteral("/rest/api/2/myself"),
        basic(QStringLiteral("nobody"), QStringLiteral("password")));
    QCOMPARE(dc.status, 401);
    QCOMPARE(dc.header("www-authenticate"), QByteArray("Basic realm=\"protected-area\""));
    QCOMPARE(dc.header("x-seraph-loginreason"), QByteArray("AUTHENTICATED_FAILED"));

    // The `unauthorized` account is refused even with the right secret, on every API path.
    QCOMPARE(get(m_dc, QStringLiteral("/rest/api/2/myself"),
                 basic(QStringLiteral("unauthorized"), QStringLiteral("password")))
                 .status,
        401);
    QCOMPARE(get(m_cloud, QStringLiteral("/rest/api/2/project"),
                 basic(QStringLiteral("unauthorized@example.com"), "unauthorized-token"))
                 .status,
        401);
}

void TestFakeJira::captchaAfterFailedLogins()
{
    m_dc.resetFailedLogins();
    const QString path = QStringLiteral("/rest/api/2/myself");
    for (int i = 0; i < 3; ++i)
        QCOMPARE(get(m_dc, path, basic(QStringLiteral("read-only"), "wrong")).status, 401);
    QCOMPARE(m_dc.failedLogins(QStringLiteral("read-only")), 3);
    // Now even the right password is refused until someone logs in through the web UI.
    const Answer a = get(m_dc, path, basic(QStringLiteral("read-only"), "password"));
    QCOMPARE(a.status, 403);
    QCOMPARE(a.header("x-authentication-denied-reason"),
        "CAPTCHA_CHALLENGE; login-url=" + m_dc.baseUrl().toString().toUtf8() + "/login.jsp");
    // A personal access token is not behind the login gate; other users are not affected.
    QCOMPARE(get(m_dc, path, bearer("read-only-pat")).status, 200);
    QCOMPARE(get(m_dc, path, basic(QStringLiteral("verified"), "password")).status, 200);

    m_dc.resetFailedLogins();
    QCOMPARE(get(m_dc, path, basic(QStringLiteral("read-only"), "password")).status, 200);

    // A right password resets the count; the threshold is settable.
    m_dc.setCaptchaThreshold(1);
    QCOMPARE(get(m_dc, path, basic(QStringLiteral("read-only"), "wrong")).status, 401);
    QCOMPARE(get(m_dc, path, basic(QStringLiteral("read-only"), "password")).status, 403);
    m_dc.setCaptchaThreshold(3);
    m_dc.resetFailedLogins();
}

void TestFakeJira::captchaAccount()
{
    for (FakeJiraServer *server : { &m_cloud, &m_dc }) {
        const bool cloud = server == &m_cloud;
        const Answer a = get(*server, QStringLiteral("/rest/api/2/myself"),
            cloud ? basic(QStringLiteral("captcha@example.com"), "captcha-token")
                  : basic(QStringLiteral("captcha"), "password"));
        QCOMPARE(a.status, 403);
        QVERIFY(
            a.header("x-authentication-denied-reason").startsWith("CAPTCHA_CHALLENGE; login-url="));
        QVERIFY(a.header("x-authentication-denied-reason").endsWith("/login.jsp"));
    }
}

void TestFakeJira::seraphDenied()
{
    const Answer a = get(m_dc, QStringLiteral("/rest/api/2/myself"),
        basic(QStringLiteral("seraph-denied"), QStringLiteral("password")));
    QCOMPARE(a.status, 200);
    QCOMPARE(a.header("x-seraph-loginreason"), QByteArray("AUTHENTICATION_DENIED"));
    const QJsonObject o = a.object();
    QVERIFY(o.contains("self"));
    QVERIFY(!o.contains("key"));
    QVERIFY(!o.contains("accountId"));
    QVERIFY(!o.contains("name"));
    // Elsewhere too it is answered as the anonymous user.
    const Answer perms
        = get(m_cloud, QStringLiteral("/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS"),
            basic(QStringLiteral("seraph-denied@example.com"), "seraph-denied-token"));
    QCOMPARE(perms.status, 200);
    QCOMPARE(perms.header("x-seraph-loginreason"), QByteArray("AUTHENTICATION_DENIED"));
    QCOMPARE(havePermission(perms, "BROWSE_PROJECTS").toBool(true), false);
}

void TestFakeJira::accountBehaviours()
{
    const auto dc = [this](const char *name) {
        return get(m_dc, QStringLiteral("/rest/api/2/myself"),
            basic(QString::fromLatin1(name), QStringLiteral("password")));
    };
    const Answer inactive = dc("inactive");
    QCOMPARE(inactive.status, 200);
    QCOMPARE(inactive.object().value("active").toBool(true), false);

    QCOMPARE(dc("broken").status, 500);

    const Answer html = dc("html");
    QCOMPARE(html.status, 200);
    QVERIFY(html.header("content-type").startsWith("text/html"));
    QVERIFY(html.body.contains("<form"));

    const Answer notJira = dc("not-jira");
    QCOMPARE(notJira.status, 200);
    QVERIFY(notJira.header("content-type").startsWith("application/json"));
    QCOMPARE(notJira.object(), QJsonObject({ { "status", "ok" }, { "version", "1.0" } }));

    // A behaviour set for the whole server applies to every account.
    m_dc.setBehaviour(JiraBehaviour::ServerError);
    QCOMPARE(dc("verified").status, 500);
    m_dc.setBehaviour(JiraBehaviour::Normal);
    QCOMPARE(dc("verified").status, 200);
}

void TestFakeJira::throttle()
{
    const Answer a = get(m_cloud, QStringLiteral("/rest/api/3/myself"),
        basic(QStringLiteral("throttled@example.com"), QStringLiteral("throttled-token")));
    QCOMPARE(a.status, 429);
    QCOMPARE(a.header("retry-after"), QByteArray("1"));
    QVERIFY(QDateTime::fromString(QString::fromLatin1(a.header("x-ratelimit-reset")), Qt::ISODate)
                .isValid());

    // "n times, then normal", with a Retry-After of one's choosing.
    m_cloud.setThrottleCount(2);
    m_cloud.setRetryAfter("7");
    const QByteArray auth = basic(QStringLiteral("verified@example.com"), "verified-token");
    const Answer first = get(m_cloud, QStringLiteral("/rest/api/3/myself"), auth);
    QCOMPARE(first.status, 429);
    QCOMPARE(first.header("retry-after"), QByteArray("7"));
    QCOMPARE(get(m_cloud, QStringLiteral("/rest/api/3/myself"), auth).status, 429);
    QCOMPARE(get(m_cloud, QStringLiteral("/rest/api/3/myself"), auth).status, 200);
    m_cloud.setRetryAfter("1");
}

void TestFakeJira::myPermissions()
{
    const QString path = QStringLiteral(
        "/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS,CREATE_ISSUES,EDIT_ISSUES");
    const Answer a
        = get(m_cloud, path, basic(QStringLiteral("no-create@example.com"), "no-create-token"));
    QCOMPARE(a.status, 200);
    const QJsonObject permissions = a.object().value("permissions").toObject();
    QCOMPARE(
        permissions.keys(), QStringList({ "BROWSE_PROJECTS", "CREATE_ISSUES", "EDIT_ISSUES" }));
    const QJsonObject browse = permissions.value("BROWSE_PROJECTS").toObject();
    QCOMPARE(browse.value("id").toString(), QStringLiteral("10"));
    QCOMPARE(browse.value("key").toString(), QStringLiteral("BROWSE_PROJECTS"));
    QCOMPARE(browse.value("name").toString(), QStringLiteral("Browse Projects"));
    QCOMPARE(browse.value("type").toString(), QStringLiteral("PROJECT"));
    QVERIFY(!browse.value("description").toString().isEmpty());
    QCOMPARE(browse.value("havePermission").toBool(false), true);
    QCOMPARE(
        permissions.value("CREATE_ISSUES").toObject().value("havePermission").toBool(true), false);
    QCOMPARE(
        permissions.value("EDIT_ISSUES").toObject().value("havePermission").toBool(false), true);
    QCOMPARE(m_cloud.requests().constLast().query,
        QStringLiteral("permissions=BROWSE_PROJECTS,CREATE_ISSUES,EDIT_ISSUES"));

    // Exactly the keys asked for.
    const Answer one
        = get(m_dc, QStringLiteral("/rest/api/2/mypermissions?permissions=EDIT_ISSUES"),
            bearer("read-only-pat"));
    QCOMPARE(one.status, 200);
    QCOMPARE(one.object().value("permissions").toObject().keys(), QStringList { "EDIT_ISSUES" });
    QCOMPARE(havePermission(one, "EDIT_ISSUES").toBool(true), false);

    // Recent Jira wants the parameter.
    const Answer none
        = get(m_dc, QStringLiteral("/rest/api/2/mypermissions"), bearer("verified-pat"));
    QCOMPARE(none.status, 400);
    QCOMPARE(none.object().value("errorMessages").toArray(),
        QJsonArray { QStringLiteral("The 'permissions' query parameter is required.") });
}

void TestFakeJira::myPermissionsForProject()
{
    JiraAccount scoped;
    scoped.name = QStringLiteral("scoped");
    scoped.emailAddress = QStringLiteral("scoped@example.com");
    scoped.apiToken = QStringLiteral("scoped-token");
    scoped.visibleProjects = QStringList { QStringLiteral("DEMO"), QStringLiteral("TEST") };
    scoped.projectPermissions.insert(QStringLiteral("TEST"), { cd::fake::kBrowseProjects });
    m_cloud.addAccount(scoped);
    const QByteArray auth = basic(scoped.emailAddress, scoped.apiToken);
    const QString path = QStringLiteral(
        "/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS,CREATE_ISSUES&projectKey=");

    const Answer demo = get(m_cloud, path + "DEMO", auth);
    QCOMPARE(demo.status, 200);
    QCOMPARE(havePermission(demo, "CREATE_ISSUES").toBool(false), true);
    const Answer test = get(m_cloud, path + "TEST", auth);
    QCOMPARE(test.status, 200);
    QCOMPARE(havePermission(test, "BROWSE_PROJECTS").toBool(false), true);
    QCOMPARE(havePermission(test, "CREATE_ISSUES").toBool(true), false);

    const Answer unknown = get(m_cloud, path + "NOPE", auth);
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.object().value("errorMessages").toArray().first().toString(),
        QStringLiteral("No project could be found with key 'NOPE'."));
    m_cloud.setAccounts(FakeJiraServer::builtInAccounts());
}

void TestFakeJira::projects()
{
    const QByteArray auth = basic(QStringLiteral("verified"), QStringLiteral("password"));
    const Answer demo = get(m_dc, QStringLiteral("/rest/api/2/project/DEMO"), auth);
    QCOMPARE(demo.status, 200);
    QCOMPARE(demo.object().value("key").toString(), QStringLiteral("DEMO"));
    QVERIFY(!demo.object().value("id").toString().isEmpty());
    QVERIFY(!demo.object().value("name").toString().isEmpty());

    const Answer missing = get(m_dc, QStringLiteral("/rest/api/2/project/NOPE"), auth);
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.object(),
        QJsonObject(
            { { "errorMessages",
                  QJsonArray { QStringLiteral("No project could be found with key 'NOPE'.") } },
                { "errors", QJsonObject() } }));

    const Answer list = get(m_dc, QStringLiteral("/rest/api/2/project"), auth);
    QCOMPARE(list.status, 200);
    QCOMPARE(QJsonDocument::fromJson(list.body).array().size(), 2);

    // Without Browse Projects, or invisible to the account, a project does not exist for it.
    QCOMPARE(
        get(m_dc, QStringLiteral("/rest/api/2/project/DEMO"), bearer("no-browse-pat")).status, 404);
    QCOMPARE(QJsonDocument::fromJson(
                 get(m_dc, QStringLiteral("/rest/api/2/project"), bearer("no-browse-pat")).body)
                 .array()
                 .size(),
        0);
    JiraAccount demoOnly = FakeJiraServer::builtInAccounts().first();
    demoOnly.name = QStringLiteral("demo-only");
    demoOnly.visibleProjects = QStringList { QStringLiteral("DEMO") };
    m_dc.addAccount(demoOnly);
    const QByteArray demoAuth = basic(demoOnly.name, demoOnly.password);
    QCOMPARE(get(m_dc, QStringLiteral("/rest/api/2/project/TEST"), demoAuth).status, 404);
    QCOMPARE(get(m_dc, QStringLiteral("/rest/api/2/project/DEMO"), demoAuth).status, 200);
    m_dc.setAccounts(FakeJiraServer::builtInAccounts());
}

void TestFakeJira::projectSearchPaging()
{
    m_cloud.setProjects(FakeJiraServer::generatedProjects(120));
    const QByteArray auth = basic(QStringLiteral("verified@example.com"), "verified-token");
    QStringList keys;
    for (const int startAt : { 0, 50, 100 }) {
        const Answer page = get(m_cloud,
            QStringLiteral("/rest/api/3/project/search?startAt=%1&maxResults=50").arg(startAt),
            auth);
        QCOMPARE(page.status, 200);
        const QJsonObject o = page.object();
        const bool last = startAt == 100;
        QCOMPARE(o.value("values").toArray().size(), last ? 20 : 50);
        QCOMPARE(o.value("startAt").toInt(-1), startAt);
        QCOMPARE(o.value("maxResults").toInt(), 50);
        QCOMPARE(o.value("total").toInt(), 120);
        QCOMPARE(o.value("isLast").toBool(!last), last);
        QCOMPARE(o.value("self").toString(),
            m_cloud.baseUrl().toString()
                + QStringLiteral("/rest/api/3/project/search?startAt=%1&maxResults=50")
                      .arg(startAt));
        QCOMPARE(o.contains("nextPage"), !last);
        if (!last)
            QVERIFY(o.value("nextPage")
                        .toString()
                        .contains(QStringLiteral("startAt=%1&").arg(startAt + 50)));
        for (const QJsonValue &v : o.value("values").toArray())
            keys << v.toObject().value("key").toString();
    }
    QCOMPARE(keys.size(), 120);
    QCOMPARE(keys.first(), QStringLiteral("P001"));
    QCOMPARE(keys.last(), QStringLiteral("P120"));
    QCOMPARE(keys.size(), QSet<QString>(keys.begin(), keys.end()).size());

    // One value is the same shape as GET project/{key}.
    const Answer first
        = get(m_cloud, QStringLiteral("/rest/api/3/project/search?maxResults=1"), auth);
    QCOMPARE(first.object().value("values").toArray().first().toObject(),
        get(m_cloud, QStringLiteral("/rest/api/3/project/P001"), auth).object());
    QCOMPARE(first.object().value("values").toArray().first().toObject(),
        QJsonObject({ { "id", "10000" }, { "key", "P001" }, { "name", "Project 1" } }));

    // 50 by default and at most; api/2 has it too on Cloud.
    const Answer capped
        = get(m_cloud, QStringLiteral("/rest/api/3/project/search?maxResults=100"), auth);
    QCOMPARE(capped.object().value("maxResults").toInt(), 50);
    QCOMPARE(capped.object().value("values").toArray().size(), 50);
    const Answer byDefault = get(m_cloud, QStringLiteral("/rest/api/2/project/search"), auth);
    QCOMPARE(byDefault.status, 200);
    QCOMPARE(byDefault.object().value("maxResults").toInt(), 50);
    QCOMPARE(byDefault.object().value("startAt").toInt(-1), 0);
    QCOMPARE(byDefault.object().value("isLast").toBool(true), false);

    const Answer bad = get(m_cloud, QStringLiteral("/rest/api/3/project/search?startAt=-5"), auth);
    QCOMPARE(bad.status, 400);
    QVERIFY(!bad.object().value("errorMessages").toArray().isEmpty());
    m_cloud.setProjects(FakeJiraServer::builtInProjects());

    // Few projects: one page, the last.
    const Answer one = get(m_cloud, QStringLiteral("/rest/api/3/project/search"), auth);
    QCOMPARE(one.object().value("total").toInt(), 2);
    QCOMPARE(one.object().value("isLast").toBool(false), true);
    QVERIFY(!one.object().contains("nextPage"));
}

void TestFakeJira::projectSearchVisibility()
{
    const auto search = [this](const QByteArray &auth) {
        const Answer a = get(m_cloud, QStringLiteral("/rest/api/3/project/search"), auth);
        QStringList keys;
        for (const QJsonValue &v : a.object().value("values").toArray())
            keys << v.toObject().value("key").toString();
        return qMakePair(a, keys);
    };
    const auto all = search(basic(QStringLiteral("verified@example.com"), "verified-token"));
    QCOMPARE(all.first.status, 200);
    QCOMPARE(all.second, QStringList({ "DEMO", "TEST" }));

    // Without Browse Projects: none; anonymous: none (a 200, as Jira answers the anonymous user).
    const auto none = search(basic(QStringLiteral("no-browse@example.com"), "no-browse-token"));
    QCOMPARE(none.first.status, 200);
    QCOMPARE(none.second, QStringList());
    QCOMPARE(none.first.object().value("total").toInt(-1), 0);
    QCOMPARE(none.first.object().value("isLast").toBool(false), true);
    const auto anonymous = search(QByteArray());
    QCOMPARE(anonymous.first.status, 200);
    QCOMPARE(anonymous.second, QStringList());

    // Only the projects the account sees, and the total counts those only.
    JiraAccount testOnly = FakeJiraServer::builtInAccounts().first();
    testOnly.name = QStringLiteral("test-only");
    testOnly.emailAddress = QStringLiteral("test-only@example.com");
    testOnly.apiToken = QStringLiteral("test-only-token");
    testOnly.visibleProjects = QStringList { QStringLiteral("TEST"), QStringLiteral("NOPE") };
    m_cloud.addAccount(testOnly);
    const auto some = search(basic(testOnly.emailAddress, testOnly.apiToken));
    QCOMPARE(some.second, QStringList { "TEST" });
    QCOMPARE(some.first.object().value("total").toInt(), 1);
    QCOMPARE(some.first.object().value("values").toArray().first().toObject().value("id"),
        QJsonValue(QStringLiteral("10001")));

    // Bad credentials fail here as everywhere.
    QCOMPARE(search(basic(QStringLiteral("verified@example.com"), "wrong")).first.status, 401);
    m_cloud.setAccounts(FakeJiraServer::builtInAccounts());
}

void TestFakeJira::projectSearchNotOnDataCenter()
{
    const QByteArray auth = bearer("verified-pat");
    const Answer v3 = get(m_dc, QStringLiteral("/rest/api/3/project/search"), auth);
    QCOMPARE(v3.status, 404);
    QVERIFY(v3.object()
                .value("errorMessages")
                .toArray()
                .first()
                .toString()
                .startsWith(QLatin1String("null for uri: ")));
    // Under api/2, "search" is taken for a project key, as Data Center does.
    const Answer v2 = get(m_dc, QStringLiteral("/rest/api/2/project/search"), auth);
    QCOMPARE(v2.status, 404);
    QVERIFY(!v2.object().contains("values"));
}

void TestFakeJira::rateLimit()
{
    m_dc.resetFailedLogins();
    m_dc.setRateLimit(3);
    const QString path = QStringLiteral("/rest/api/2/myself");
    QCOMPARE(get(m_dc, path, bearer("verified-pat")).status, 200);
    QCOMPARE(get(m_dc, path, bearer("verified-pat")).status, 200);
    QCOMPARE(get(m_dc, path, bearer("verified-pat")).status, 200);
    const Answer limited = get(m_dc, path, bearer("verified-pat"));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("retry-after"), QByteArray("1"));
    QVERIFY(limited.headers.contains("x-ratelimit-reset"));
    // Before authentication: a wrong password over the limit is no failed login.
    QCOMPARE(get(m_dc, path, basic(QStringLiteral("verified"), "wrong")).status, 429);
    QCOMPARE(m_dc.failedLogins(QStringLiteral("verified")), 0);
    QCOMPARE(m_dc.rateLimitedCount(), 2);
    // Pages are not the API.
    QCOMPARE(get(m_dc, QStringLiteral("/secure/Dashboard.jspa")).status, 200);

    QTest::qWait(1100);
    QCOMPARE(get(m_dc, path, bearer("verified-pat")).status, 200);
    m_dc.setRateLimit(0);
    QCOMPARE(m_dc.rateLimitedCount(), 0);
}

void TestFakeJira::unknownPaths()
{
    const Answer api
        = get(m_dc, QStringLiteral("/rest/api/2/nothing-here"), bearer("verified-pat"));
    QCOMPARE(api.status, 404);
    QVERIFY(api.header("content-type").startsWith("application/json"));
    QVERIFY(!api.object().value("errorMessages").toArray().isEmpty());

    const Answer page = get(m_cloud, QStringLiteral("/jira/software/projects/DEMO/boards/1"));
    QCOMPARE(page.status, 200);
    QVERIFY(page.header("content-type").startsWith("text/html"));
}

void TestFakeJira::slowAndHang()
{
    m_dc.setDelayMs(300);
    QElapsedTimer timer;
    timer.start();
    const Answer slow = get(m_dc, QStringLiteral("/rest/api/2/myself"), bearer("slow-pat"));
    QCOMPARE(slow.status, 200);
    QVERIFY(timer.elapsed() >= 250);

    m_dc.clearRequests();
    const Answer hang = get(m_dc, QStringLiteral("/rest/api/2/myself"), bearer("hang-pat"), 400);
    QCOMPARE(hang.status, 0);
    QCOMPARE(hang.error, QNetworkReply::OperationCanceledError); // the transfer timeout
    QCOMPARE(m_dc.requestCount(QStringLiteral("/myself")), 1);
    QCOMPARE(m_dc.requests().constFirst().status, 0);
}

void TestFakeJira::accountsFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fileName = dir.filePath(QStringLiteral("accounts.json"));
    QFile f(fileName);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"accounts":[{"name":"alice","password":"wonderland","behaviour":"normal",
        "permissions":["BROWSE_PROJECTS"],"projects":["DEMO"]},
        {"emailAddress":"bob@example.org","apiToken":"b0b","behaviour":"throttle"}]})");
    f.close();
    FakeJiraServer server;
    QString error;
    QVERIFY2(server.loadAccounts(fileName, &error), qPrintable(error));
    QCOMPARE(server.accounts().size(), 2);
    const JiraAccount alice = server.accounts().at(0);
    QCOMPARE(alice.emailAddress, QStringLiteral("alice@example.com"));
    QCOMPARE(alice.permissions, QStringList { cd::fake::kBrowseProjects });
    QCOMPARE(*alice.visibleProjects, QStringList { QStringLiteral("DEMO") });
    QCOMPARE(server.accounts().at(1).name, QStringLiteral("bob"));
    QCOMPARE(server.accounts().at(1).behaviour, JiraBehaviour::Throttle);

    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"([{"name":"carol","behaviour":"sleepy"}])");
    f.close();
    QVERIFY(!server.loadAccounts(fileName, &error));
    QVERIFY(error.contains(QLatin1String("sleepy")));
}

QTEST_GUILESS_MAIN(TestFakeJira)
#include "tst_fakejira.moc"
