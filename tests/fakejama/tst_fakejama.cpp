// The fake Jama server's projects, items and rate limit, through a real QNetworkAccessManager
// over loopback: the access check's tests rely on it answering the way
// /work/shared/jama-rest.md ("Projects and access", "Envelopes and errors") says Jama does.
#include "FakeJamaServer.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using cd::fake::Behaviour;
using cd::fake::FakeAccount;
using cd::fake::FakeHttpServer;
using cd::fake::FakeJamaServer;
using cd::fake::FakeProject;

namespace {

struct Answer
{
    int status = 0; // 0: no HTTP answer
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
    QJsonObject meta() const { return object().value("meta").toObject(); }
    QJsonObject pageInfo() const { return meta().value("pageInfo").toObject(); }
    QJsonArray list() const { return object().value("data").toArray(); }
    QJsonObject data() const { return object().value("data").toObject(); }
};

Answer answerOf(QNetworkReply *reply)
{
    Answer a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.error = reply->error();
    for (const auto &h : reply->rawHeaderPairs())
        a.headers.insert(h.first.toLower(), h.second);
    if (reply->isOpen())
        a.body = reply->readAll();
    return a;
}

QByteArray basic(const QString &user, const QString &secret)
{
    return "Basic " + (user + QLatin1Char(':') + secret).toUtf8().toBase64();
}

const QByteArray kNamed = basic(QStringLiteral("named"), QStringLiteral("password"));

// The projectKeys of a projects list, in order.
QStringList keysOf(const Answer &a)
{
    QStringList keys;
    for (const QJsonValue &v : a.list())
        keys << v.toObject().value("projectKey").toString();
    return keys;
}

} // namespace

class TestFakeJama : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void projectsPagination();
    void projectShape();
    void projectsVisibility();
    void projectByIdHiddenAndMissingAlike();
    void items();
    void itemsErrors();
    void basicAndBearerAuth();
    void behavioursOnProjects();
    void rateLimit();
    void rateLimitBeforeAuthentication();
    void receivedTimes();
    void maxWithinWindow_data();
    void maxWithinWindow();
    void accountsFile();
    void keepAlive_data();
    void keepAlive();

private:
    Answer get(const QString &pathAndQuery, const QByteArray &authorization = kNamed);
    QByteArray bearerFor(const QString &clientId, const QString &clientSecret);
    // n GETs at once (not one after the other); their statuses, in no particular order.
    QList<int> burst(int n, const QString &path, const QByteArray &authorization = kNamed);

    QNetworkAccessManager m_nam;
    FakeJamaServer m_server;
};

Answer TestFakeJama::get(const QString &pathAndQuery, const QByteArray &authorization)
{
    QNetworkRequest request(QUrl(m_server.baseUrl().toString() + pathAndQuery));
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    request.setTransferTimeout(5000);
    QNetworkReply *reply = m_nam.get(request);
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const Answer a = answerOf(reply);
    reply->deleteLater();
    return a;
}

QByteArray TestFakeJama::bearerFor(const QString &clientId, const QString &clientSecret)
{
    QNetworkRequest request(QUrl(m_server.baseUrl().toString() + "/rest/oauth/token"));
    request.setRawHeader("Authorization", basic(clientId, clientSecret));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded");
    request.setTransferTimeout(5000);
    QNetworkReply *reply = m_nam.post(request, QByteArray("grant_type=client_credentials"));
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const Answer a = answerOf(reply);
    reply->deleteLater();
    if (a.status != 200)
        return QByteArray();
    return "Bearer " + a.object().value("access_token").toString().toLatin1();
}

QList<int> TestFakeJama::burst(int n, const QString &path, const QByteArray &authorization)
{
    QList<int> statuses;
    QEventLoop loop;
    for (int i = 0; i < n; ++i) {
        QNetworkRequest request(QUrl(m_server.baseUrl().toString() + path));
        request.setRawHeader("Authorization", authorization);
        request.setTransferTimeout(5000);
        QNetworkReply *reply = m_nam.get(request);
        connect(reply, &QNetworkReply::finished, &loop, [&, reply, n] {
            statuses << answerOf(reply).status;
            reply->deleteLater();
            if (statuses.size() == n)
                loop.quit();
        });
    }
    loop.exec();
    return statuses;
}

void TestFakeJama::initTestCase()
{
    QVERIFY2(m_server.listen(), qPrintable(m_server.errorString()));
}

void TestFakeJama::init()
{
    m_server.setAccounts(FakeJamaServer::builtInAccounts());
    m_server.setProjects(FakeJamaServer::builtInProjects());
    m_server.setBehaviour(Behaviour::Normal);
    m_server.setRateLimit(0);
    m_server.setRetryAfter(QByteArray());
    m_server.clearRequests();
}

void TestFakeJama::projectsPagination()
{
    m_server.setProjects(FakeJamaServer::generatedProjects(120));
    QList<int> ids;
    for (const int startAt : { 0, 50, 100 }) {
        const Answer page
            = get(QStringLiteral("/rest/v1/projects?startAt=%1&maxResults=50").arg(startAt));
        QCOMPARE(page.status, 200);
        QCOMPARE(page.meta().value("status").toString(), QStringLiteral("OK"));
        const int expected = startAt < 100 ? 50 : 20;
        QCOMPARE(page.list().size(), expected);
        QCOMPARE(page.pageInfo(),
            QJsonObject({ { "startIndex", startAt }, { "resultCount", expected },
                { "totalResults", 120 } }));
        for (const QJsonValue &v : page.list())
            ids << v.toObject().value("id").toInt();
    }
    // Every project once, in id order.
    QCOMPARE(ids.size(), 120);
    for (int i = 0; i < ids.size(); ++i)
        QCOMPARE(ids.at(i), 100 + i);

    // At most 50 per page, whatever is asked; 20 without maxResults.
    const Answer capped = get(QStringLiteral("/rest/v1/projects?maxResults=100"));
    QCOMPARE(capped.list().size(), 50);
    QCOMPARE(capped.pageInfo().value("resultCount").toInt(), 50);
    const Answer byDefault = get(QStringLiteral("/rest/v1/projects"));
    QCOMPARE(byDefault.list().size(), 20);
    QCOMPARE(byDefault.pageInfo().value("startIndex").toInt(-1), 0);
    // Past the end: an empty page that still tells the total.
    const Answer past = get(QStringLiteral("/rest/v1/projects?startAt=200"));
    QCOMPARE(past.status, 200);
    QCOMPARE(past.list().size(), 0);
    QCOMPARE(past.pageInfo(),
        QJsonObject({ { "startIndex", 200 }, { "resultCount", 0 }, { "totalResults", 120 } }));

    const Answer bad = get(QStringLiteral("/rest/v1/projects?maxResults=lots"));
    QCOMPARE(bad.status, 400);
    QCOMPARE(bad.meta().value("status").toString(), QStringLiteral("Bad Request"));
    QVERIFY(!bad.meta().value("message").toString().isEmpty());
}

void TestFakeJama::projectShape()
{
    const Answer list = get(QStringLiteral("/rest/v1/projects"));
    QCOMPARE(list.status, 200);
    QVERIFY(list.header("content-type").startsWith("application/json"));
    QCOMPARE(list.object().value("links").toObject(), QJsonObject());
    QVERIFY(list.meta().value("timestamp").toString().endsWith(QLatin1String("+0000")));
    QCOMPARE(keysOf(list), QStringList({ "DEMO", "TEST" }));
    const QJsonObject demo { { "id", 20 }, { "projectKey", "DEMO" }, { "isFolder", false },
        { "fields", QJsonObject { { "name", "Demo project" }, { "projectKey", "DEMO" } } },
        { "type", "projects" } };
    QCOMPARE(list.list().first().toObject(), demo);

    const Answer one = get(QStringLiteral("/rest/v1/projects/20"));
    QCOMPARE(one.status, 200);
    QCOMPARE(one.data(), demo);
    QCOMPARE(one.meta().value("status").toString(), QStringLiteral("OK"));
    QVERIFY(!one.meta().contains("pageInfo"));

    // A folder says so; the list is in id order, not in the order the projects were set.
    m_server.setProjects({ { 31, QStringLiteral("ZED"), QStringLiteral("Zed"), false, 0 },
        { 30, QStringLiteral("FOLD"), QStringLiteral("A folder"), true, 0 } });
    const Answer folders = get(QStringLiteral("/rest/v1/projects"));
    QCOMPARE(keysOf(folders), QStringList({ "FOLD", "ZED" }));
    QCOMPARE(folders.list().first().toObject().value("isFolder").toBool(false), true);
}

void TestFakeJama::projectsVisibility()
{
    m_server.setProjects(FakeJamaServer::generatedProjects(60));
    FakeAccount some = FakeJamaServer::builtInAccounts().first();
    some.username = QStringLiteral("some");
    // Keys of hidden projects and of projects that do not exist at all.
    some.visibleProjects = QStringList { QStringLiteral("P060"), QStringLiteral("P002"),
        QStringLiteral("P051"), QStringLiteral("NOPE") };
    m_server.addAccount(some);

    const Answer all = get(QStringLiteral("/rest/v1/projects?maxResults=50"));
    QCOMPARE(all.pageInfo().value("totalResults").toInt(), 60);

    const Answer mine
        = get(QStringLiteral("/rest/v1/projects"), basic(some.username, some.password));
    QCOMPARE(mine.status, 200);
    QCOMPARE(keysOf(mine), QStringList({ "P002", "P051", "P060" }));
    QCOMPARE(mine.pageInfo(),
        QJsonObject({ { "startIndex", 0 }, { "resultCount", 3 }, { "totalResults", 3 } }));
    // Paging counts only what the account sees.
    const Answer second = get(QStringLiteral("/rest/v1/projects?startAt=1&maxResults=1"),
        basic(some.username, some.password));
    QCOMPARE(keysOf(second), QStringList { "P051" });
    QCOMPARE(second.pageInfo(),
        QJsonObject({ { "startIndex", 1 }, { "resultCount", 1 }, { "totalResults", 3 } }));

    // The built-in accounts for this: no-projects sees none, demo-only sees DEMO.
    m_server.setProjects(FakeJamaServer::builtInProjects());
    const Answer none = get(QStringLiteral("/rest/v1/projects"),
        basic(QStringLiteral("no-projects"), QStringLiteral("password")));
    QCOMPARE(none.status, 200);
    QCOMPARE(none.list().size(), 0);
    QCOMPARE(none.pageInfo().value("totalResults").toInt(-1), 0);
    const Answer demoOnly = get(QStringLiteral("/rest/v1/projects"),
        basic(QStringLiteral("demo-only"), QStringLiteral("password")));
    QCOMPARE(keysOf(demoOnly), QStringList { "DEMO" });
    QCOMPARE(keysOf(get(QStringLiteral("/rest/v1/projects"))), QStringList({ "DEMO", "TEST" }));
}

void TestFakeJama::projectByIdHiddenAndMissingAlike()
{
    const QByteArray demoOnly = basic(QStringLiteral("demo-only"), QStringLiteral("password"));
    QCOMPARE(get(QStringLiteral("/rest/v1/projects/20"), demoOnly).status, 200);
    QCOMPARE(get(QStringLiteral("/rest/v1/projects/21")).status, 200); // named sees it

    const Answer hidden = get(QStringLiteral("/rest/v1/projects/21"), demoOnly);
    QCOMPARE(hidden.status, 404);
    QCOMPARE(hidden.meta().value("status").toString(), QStringLiteral("Not Found"));
    QVERIFY(!hidden.meta().value("message").toString().isEmpty());
    QVERIFY(!hidden.object().contains("data"));
    const Answer hiddenToo = get(QStringLiteral("/rest/v1/projects/21"),
        basic(QStringLiteral("no-projects"), QStringLiteral("password")));
    QCOMPARE(hiddenToo.status, 404);
    QCOMPARE(hiddenToo.body, hidden.body);

    // A project that does not exist answers exactly as one that is hidden.
    m_server.setProjects({ { 20, QStringLiteral("DEMO"), QStringLiteral("Demo project") } });
    const Answer gone = get(QStringLiteral("/rest/v1/projects/21"), kNamed);
    QCOMPARE(gone.status, 404);
    QCOMPARE(gone.body, hidden.body);
    QCOMPARE(gone.headers.value("content-type"), hidden.headers.value("content-type"));
    QCOMPARE(get(QStringLiteral("/rest/v1/projects/abc")).status, 404);
}

void TestFakeJama::items()
{
    const Answer one = get(QStringLiteral("/rest/v1/items?project=20&maxResults=1"));
    QCOMPARE(one.status, 200);
    QCOMPARE(one.list().size(), 1);
    QCOMPARE(one.pageInfo(),
        QJsonObject({ { "startIndex", 0 }, { "resultCount", 1 }, { "totalResults", 3 } }));
    QCOMPARE(one.list().first().toObject(),
        QJsonObject({ { "id", 20001 }, { "documentKey", "DEMO-REQ-1" }, { "project", 20 },
            { "itemType", 24 }, { "fields", QJsonObject { { "name", "Item 1" } } },
            { "type", "items" } }));

    const Answer rest = get(QStringLiteral("/rest/v1/items?project=21&startAt=1"));
    QCOMPARE(rest.status, 200);
    QCOMPARE(rest.list().size(), 2);
    QCOMPARE(
        rest.list().at(0).toObject().value("documentKey").toString(), QStringLiteral("TEST-REQ-2"));
    QCOMPARE(rest.list().at(1).toObject().value("id").toInt(), 21003);
    QCOMPARE(rest.pageInfo().value("totalResults").toInt(), 3);

    // itemCount is per project; 50 at most per page.
    m_server.setProjects({ { 7, QStringLiteral("BIG"), QStringLiteral("Big"), false, 75 },
        { 8, QStringLiteral("EMPTY"), QStringLiteral("Empty"), false, 0 } });
    const Answer big = get(QStringLiteral("/rest/v1/items?project=7&maxResults=80"));
    QCOMPARE(big.list().size(), 50);
    QCOMPARE(big.pageInfo().value("totalResults").toInt(), 75);
    const Answer empty = get(QStringLiteral("/rest/v1/items?project=8&maxResults=1"));
    QCOMPARE(empty.status, 200);
    QCOMPARE(empty.list().size(), 0);
    QCOMPARE(empty.pageInfo().value("totalResults").toInt(-1), 0);
}

void TestFakeJama::itemsErrors()
{
    // Visible but not readable: Jama's meta envelope with 403.
    const QByteArray unreadable = basic(QStringLiteral("unreadable"), QStringLiteral("password"));
    QCOMPARE(get(QStringLiteral("/rest/v1/items?project=20&maxResults=1"), unreadable).status, 200);
    QCOMPARE(keysOf(get(QStringLiteral("/rest/v1/projects"), unreadable)),
        QStringList({ "DEMO", "TEST" }));
    QCOMPARE(get(QStringLiteral("/rest/v1/projects/21"), unreadable).status, 200);
    const Answer forbidden
        = get(QStringLiteral("/rest/v1/items?project=21&maxResults=1"), unreadable);
    QCOMPARE(forbidden.status, 403);
    QCOMPARE(forbidden.object(),
        QJsonObject({ { "meta",
            QJsonObject { { "status", "Forbidden" },
                { "message", "You do not have permission to access this project's items" } } } }));

    // Hidden or missing: 404, alike.
    const QByteArray demoOnly = basic(QStringLiteral("demo-only"), QStringLiteral("password"));
    const Answer hidden = get(QStringLiteral("/rest/v1/items?project=21&maxResults=1"), demoOnly);
    QCOMPARE(hidden.status, 404);
    QCOMPARE(hidden.meta().value("status").toString(), QStringLiteral("Not Found"));
    const Answer missing = get(QStringLiteral("/rest/v1/items?project=999&maxResults=1"));
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.meta().value("status").toString(), QStringLiteral("Not Found"));

    // No project, or not a number: 400.
    for (const char *query : { "", "?maxResults=1", "?project=", "?project=DEMO", "?project=2x",
             "?project=20&maxResults=-1" }) {
        const Answer bad = get(QStringLiteral("/rest/v1/items") + QLatin1String(query));
        QVERIFY2(bad.status == 400, query);
        QCOMPARE(bad.meta().value("status").toString(), QStringLiteral("Bad Request"));
        QVERIFY(!bad.meta().value("message").toString().isEmpty());
    }
}

void TestFakeJama::basicAndBearerAuth()
{
    const QByteArray token
        = bearerFor(QStringLiteral("demo-only-client"), QStringLiteral("demo-only-secret"));
    QVERIFY(token.startsWith("Bearer "));
    const Answer viaToken = get(QStringLiteral("/rest/v1/projects"), token);
    QCOMPARE(viaToken.status, 200);
    QCOMPARE(keysOf(viaToken), QStringList { "DEMO" }); // the token's owner's view
    QCOMPARE(m_server.requests().constLast().authScheme, QByteArray("Bearer"));
    QCOMPARE(get(QStringLiteral("/rest/v1/projects/20"), token).status, 200);
    QCOMPARE(get(QStringLiteral("/rest/v1/projects/21"), token).status, 404);
    QCOMPARE(get(QStringLiteral("/rest/v1/items?project=20&maxResults=1"), token).status, 200);

    QCOMPARE(get(QStringLiteral("/rest/v1/projects/21")).status, 200);
    QCOMPARE(m_server.requests().constLast().authScheme, QByteArray("Basic"));

    // Wrong credentials, an unknown token, none at all: 401 with the challenge, as users/current.
    const QByteArray wrong = basic(QStringLiteral("named"), QStringLiteral("wrong"));
    const QByteArray unknownToken = "Bearer fake.not-issued.jwt";
    for (const QString &path :
        { QStringLiteral("/rest/v1/projects"), QStringLiteral("/rest/v1/projects/20"),
            QStringLiteral("/rest/v1/items?project=20&maxResults=1") }) {
        for (const QByteArray &auth : { wrong, unknownToken, QByteArray() }) {
            const Answer a = get(path, auth);
            QCOMPARE(a.status, 401);
            QCOMPARE(a.header("www-authenticate"), QByteArray("Basic realm=\"Jama\""));
            QCOMPARE(a.meta().value("status").toString(), QStringLiteral("Unauthorized"));
        }
    }
    // The client's own secret is no user's password.
    QCOMPARE(get(QStringLiteral("/rest/v1/projects"),
                 basic(QStringLiteral("named-client"), QStringLiteral("named-secret")))
                 .status,
        401);
}

void TestFakeJama::behavioursOnProjects()
{
    const auto as = [](const char *user) {
        return basic(QString::fromLatin1(user), QStringLiteral("password"));
    };
    for (const QString &path :
        { QStringLiteral("/rest/v1/projects"), QStringLiteral("/rest/v1/items?project=20") }) {
        const Answer forbidden = get(path, as("forbidden"));
        QCOMPARE(forbidden.status, 403);
        QCOMPARE(forbidden.meta().value("message").toString(),
            QStringLiteral("This user is not permitted to use the API"));
        QCOMPARE(get(path, as("throttled")).status, 429);
        QCOMPARE(get(path, as("broken")).status, 500);
        const Answer html = get(path, as("html"));
        QCOMPARE(html.status, 200);
        QVERIFY(html.header("content-type").startsWith("text/html"));
    }
    m_server.setDelayMs(200);
    const Answer slow = get(QStringLiteral("/rest/v1/projects"), as("slow"));
    QCOMPARE(slow.status, 200);
    QCOMPARE(keysOf(slow), QStringList({ "DEMO", "TEST" }));
    m_server.setBehaviour(Behaviour::ServerError);
    QCOMPARE(get(QStringLiteral("/rest/v1/projects")).status, 500);
    m_server.setBehaviour(Behaviour::Normal);
    // A resource the fake does not have, under a project: the API's 404 JSON.
    const Answer unknown = get(QStringLiteral("/rest/v1/projects/20/children"));
    QCOMPARE(unknown.status, 404);
    QVERIFY(unknown.header("content-type").startsWith("application/json"));
}

void TestFakeJama::rateLimit()
{
    m_server.setRateLimit(10);
    // A Retry-After set for the throttle knob does not come with the rate limit's 429s.
    m_server.setRetryAfter("3");
    QCOMPARE(m_server.rateLimit(), 10);
    QCOMPARE(m_server.rateLimitedCount(), 0);

    const QList<int> first = burst(15, QStringLiteral("/rest/v1/projects"));
    QCOMPARE(first.size(), 15);
    QCOMPARE(first.count(200), 10);
    QCOMPARE(first.count(429), 5);
    QCOMPARE(m_server.rateLimitedCount(), 5);
    QCOMPARE(m_server.maxRequestsWithin(1000), 15);

    // What a 429 of the rate limit looks like: bare, no Retry-After nor rate-limit headers.
    const Answer limited = get(QStringLiteral("/rest/v1/users/current"));
    QCOMPARE(limited.status, 429);
    QVERIFY(!limited.headers.contains("retry-after"));
    for (auto it = limited.headers.cbegin(); it != limited.headers.cend(); ++it)
        QVERIFY2(!it.key().contains("ratelimit"), it.key().constData());
    QCOMPARE(m_server.rateLimitedCount(), 6);
    // Web pages are not the API: not limited, not counted.
    QCOMPARE(get(QStringLiteral("/login.req"), QByteArray()).status, 200);
    QCOMPARE(m_server.rateLimitedCount(), 6);

    // A second later the window is empty again: ten pass, the eleventh does not.
    QTest::qWait(1100);
    const QList<int> second = burst(10, QStringLiteral("/rest/v1/users/current"));
    QCOMPARE(second.count(200), 10);
    QCOMPARE(get(QStringLiteral("/rest/v1/projects")).status, 429);
    QCOMPARE(m_server.rateLimitedCount(), 7);

    // 0: off; setting it starts afresh.
    m_server.setRateLimit(0);
    QCOMPARE(m_server.rateLimitedCount(), 0);
    QCOMPARE(burst(15, QStringLiteral("/rest/v1/projects")).count(200), 15);
    QCOMPARE(m_server.rateLimitedCount(), 0);
}

void TestFakeJama::rateLimitBeforeAuthentication()
{
    m_server.setRateLimit(2);
    // The token call counts, and over the limit even bad credentials get the 429, not a 401.
    QVERIFY(!bearerFor(QStringLiteral("named-client"), QStringLiteral("named-secret")).isEmpty());
    QCOMPARE(get(QStringLiteral("/rest/v1/projects"),
                 basic(QStringLiteral("named"), QStringLiteral("wrong")))
                 .status,
        401);
    QCOMPARE(get(QStringLiteral("/rest/v1/projects"),
                 basic(QStringLiteral("named"), QStringLiteral("wrong")))
                 .status,
        429);
    QCOMPARE(bearerFor(QStringLiteral("named-client"), QStringLiteral("named-secret")),
        QByteArray()); // 429 too
    QCOMPARE(m_server.requests().constLast().status, 429);
    QCOMPARE(m_server.rateLimitedCount(), 2);
}

void TestFakeJama::receivedTimes()
{
    for (int i = 0; i < 4; ++i)
        QCOMPARE(get(QStringLiteral("/rest/v1/projects")).status, 200);
    QTest::qWait(1200);
    QCOMPARE(get(QStringLiteral("/rest/v1/users/current")).status, 200);
    QCOMPARE(get(QStringLiteral("/rest/v1/users/current")).status, 200);

    const QList<cd::fake::RecordedRequest> seen = m_server.requests();
    QCOMPARE(seen.size(), 6);
    for (int i = 1; i < seen.size(); ++i)
        QVERIFY(seen.at(i).receivedMs >= seen.at(i - 1).receivedMs);
    QVERIFY(seen.at(4).receivedMs - seen.at(3).receivedMs >= 1100);
    // The four came within a second; the two later ones do not join them.
    QCOMPARE(m_server.maxRequestsWithin(1000), 4);
    QCOMPARE(m_server.maxRequestsWithin(60000), 6);
    QCOMPARE(m_server.maxRequestsWithin(1000, QStringLiteral("/rest/v1/users")), 2);
    QCOMPARE(m_server.maxRequestsWithin(1000, QStringLiteral("/rest/v1/items")), 0);
    m_server.clearRequests();
    QCOMPARE(m_server.maxRequestsWithin(1000), 0);
}

void TestFakeJama::maxWithinWindow_data()
{
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<int>("windowMs");
    QTest::addColumn<int>("expected");

    QTest::newRow("none") << QList<qint64>() << 1000 << 0;
    QTest::newRow("one") << QList<qint64> { 5 } << 1000 << 1;
    QTest::newRow("same instant") << QList<qint64> { 7, 7, 7 } << 1 << 3;
    QTest::newRow("empty window") << QList<qint64> { 7, 7 } << 0 << 0;
    // Half-open: 0 and 1000 are not within one 1000 ms window, 0 and 999 are.
    QTest::newRow("edge excluded") << QList<qint64> { 0, 1000 } << 1000 << 1;
    QTest::newRow("edge included") << QList<qint64> { 0, 999 } << 1000 << 2;
    QTest::newRow("series") << QList<qint64> { 0, 100, 200, 900, 1000, 1050, 1099, 2500 } << 1000
                            << 6; // 100 .. 1099
    QTest::newRow("unsorted") << QList<qint64> { 2500, 1099, 0, 1050, 200, 1000, 900, 100 } << 1000
                              << 6;
    QTest::newRow("small window") << QList<qint64> { 0, 100, 200, 900, 1000, 1050, 1099, 2500 }
                                  << 100 << 3; // 1000, 1050, 1099
    QTest::newRow("spread out") << QList<qint64> { 0, 1000, 2000, 3000 } << 1000 << 1;
}

void TestFakeJama::maxWithinWindow()
{
    QFETCH(QList<qint64>, times);
    QFETCH(int, windowMs);
    QFETCH(int, expected);
    QCOMPARE(FakeHttpServer::maxWithinWindow(times, windowMs), expected);
}

void TestFakeJama::accountsFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fileName = dir.filePath(QStringLiteral("accounts.json"));
    QFile f(fileName);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"accounts":[
        {"username":"alice","password":"wonderland","projects":["DEMO","OPS"],
         "unreadableProjects":["OPS"]},
        {"username":"bob","password":"builder"}],
      "projects":[{"id":20,"key":"DEMO","name":"Demo project","isFolder":false,"items":3},
        {"id":42,"key":"OPS","name":"Operations","items":1},
        {"id":43,"key":"DIR","isFolder":true}]})");
    f.close();
    FakeJamaServer server;
    QString error;
    QVERIFY2(server.loadAccounts(fileName, &error), qPrintable(error));
    QCOMPARE(server.accounts().size(), 2);
    const FakeAccount alice = server.accounts().at(0);
    QVERIFY(alice.visibleProjects.has_value());
    QCOMPARE(*alice.visibleProjects, QStringList({ "DEMO", "OPS" }));
    QCOMPARE(alice.unreadableProjects, QStringList { "OPS" });
    QVERIFY(!server.accounts().at(1).visibleProjects.has_value());
    QCOMPARE(server.accounts().at(1).unreadableProjects, QStringList());
    const QList<FakeProject> projects = server.projects();
    QCOMPARE(projects.size(), 3);
    QCOMPARE(projects.at(1).id, 42);
    QCOMPARE(projects.at(1).name, QStringLiteral("Operations"));
    QCOMPARE(projects.at(1).itemCount, 1);
    QCOMPARE(projects.at(2).name, QStringLiteral("DIR")); // the key when there is no name
    QCOMPARE(projects.at(2).isFolder, true);
    QCOMPARE(projects.at(2).itemCount, 3);

    // Without top-level projects the server keeps its own.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"([{"username":"carol","password":"x","projects":[]}])");
    f.close();
    QVERIFY2(server.loadAccounts(fileName, &error), qPrintable(error));
    QCOMPARE(server.projects().size(), 3);
    QCOMPARE(*server.accounts().at(0).visibleProjects, QStringList());

    // A bad project changes nothing.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"({"accounts":[{"username":"dave"}],"projects":[{"key":"NOID"}]})");
    f.close();
    QVERIFY(!server.loadAccounts(fileName, &error));
    QVERIFY(error.contains(QLatin1String("id")));
    QCOMPARE(server.accounts().at(0).username, QStringLiteral("carol"));
    QCOMPARE(server.projects().size(), 3);

    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"({"accounts":[],"projects":[{"id":1,"key":"A"},{"id":1,"key":"B"}]})");
    f.close();
    QVERIFY(!server.loadAccounts(fileName, &error));
    QVERIFY(error.contains(QLatin1String("two projects")));
}

QTEST_GUILESS_MAIN(TestFakeJama)
#include "tst_fakejama.moc"

void TestFakeJama::keepAlive_data()
{
    QTest::addColumn<bool>("serverKeepsAlive");
    QTest::addColumn<QByteArray>("connectionHeader"); // of the requests; empty: none
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<int>("answers"); // of the two requests sent at once
    QTest::newRow("HTTP/1.1 default") << true << QByteArray() << QByteArray("HTTP/1.1") << 2;
    QTest::newRow("keep-alive asked")
        << true << QByteArray("keep-alive") << QByteArray("HTTP/1.1") << 2;
    QTest::newRow("client says close")
        << true << QByteArray("close") << QByteArray("HTTP/1.1") << 1;
    QTest::newRow("HTTP/1.0") << true << QByteArray() << QByteArray("HTTP/1.0") << 1;
    QTest::newRow("server keep-alive off") << false << QByteArray() << QByteArray("HTTP/1.1") << 1;
}

void TestFakeJama::keepAlive()
{
    // Two requests written at once on one raw connection: a keep-alive server answers both,
    // in order, each with its own Content-Length, and says "Connection: keep-alive"; otherwise
    // it answers the first with "Connection: close" and closes.
    QFETCH(bool, serverKeepsAlive);
    QFETCH(QByteArray, connectionHeader);
    QFETCH(QByteArray, version);
    QFETCH(int, answers);
    m_server.setKeepAlive(serverKeepsAlive);
    const auto restore = qScopeGuard([this] { m_server.setKeepAlive(true); });
    m_server.clearRequests();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_server.port());
    QVERIFY(socket.waitForConnected(5000));
    QByteArray requests;
    for (const char *path : { "/rest/v1/users/current", "/rest/v1/projects?maxResults=1" }) {
        requests += "GET " + QByteArray(path) + ' ' + version + "\r\nHost: 127.0.0.1\r\n"
            + "Authorization: " + kNamed + "\r\n";
        if (!connectionHeader.isEmpty())
            requests += "Connection: " + connectionHeader + "\r\n";
        requests += "\r\n";
    }
    socket.write(requests);
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            received += socket.readAll();
            return received.count("HTTP/1.1 200 OK") == answers
                && (answers == 2 || socket.state() == QAbstractSocket::UnconnectedState);
        }(),
        5000);
    QCOMPARE(m_server.connectionCount(), 1);
    QCOMPARE(m_server.requestCount(), answers);
    QCOMPARE(received.count("Connection: keep-alive"), answers == 2 ? 2 : 0);
    QCOMPARE(received.count("Connection: close"), answers == 2 ? 0 : 1);
    // Both answers whole: the second is the projects page.
    if (answers == 2) {
        QVERIFY(received.indexOf("\"username\"") < received.indexOf("\"projectKey\""));
        QTest::qWait(50);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState); // still open for more
    }
}
