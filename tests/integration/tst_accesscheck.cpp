// The access check: the checklist a check answers (reachable, secure connection, credentials,
// account, license, API access, projects visible, each scoped project, write access, admin),
// against the fake Jama and the fake Jira over real loopback sockets, and Jama's throttle of
// 10 calls per second per instance held by many checks of one instance together.
#include "Check.h"
#include "FakeJamaServer.h"
#include "FakeJiraServer.h"
#include "RequestPacer.h"
#include "Text.h"
#include "ValidationJob.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>
#include <functional>
#include <memory>
#include <vector>

using cd::CheckItem;
using cd::CheckStatus;
using cd::ValidationJob;
using cd::ValidationRequest;
using cd::ValidationResult;
using cd::ValidationStatus;
using cd::fake::FakeJamaServer;
using cd::fake::FakeJiraServer;
using cd::fake::JiraAccount;
using cd::fake::JiraFlavour;
using Failure = ValidationResult::Failure;

namespace {

// "id=status" for every step of a checklist, in order: what a failure message shows.
QString summary(const QList<CheckItem> &checks)
{
    QStringList parts;
    for (const CheckItem &c : checks)
        parts << c.id + QLatin1Char('=') + cd::checkStatusId(c.status);
    return parts.join(QLatin1Char(' '));
}

const CheckItem *find(const QList<CheckItem> &checks, const QString &id)
{
    for (const CheckItem &c : checks) {
        if (c.id == id)
            return &c;
    }
    return nullptr;
}

// The status of step `id`; fails the test (with the whole checklist) when there is none.
#define CHECK_STATUS(result, id, expected)                                                         \
    do {                                                                                           \
        const CheckItem *item_ = find((result).checks, QString::fromLatin1(id));                   \
        QVERIFY2(item_,                                                                            \
            qPrintable(QStringLiteral("no step %1 in: %2")                                         \
                           .arg(QString::fromLatin1(id), summary((result).checks))));              \
        QVERIFY2(item_->status == (expected),                                                      \
            qPrintable(QStringLiteral("%1 is %2 (%3) in: %4")                                      \
                           .arg(QString::fromLatin1(id), cd::checkStatusId(item_->status),         \
                               item_->message, summary((result).checks))));                        \
        QVERIFY2(!item_->message.isEmpty(), "every step says one sentence");                       \
        QVERIFY2(!item_->label.isEmpty(), "every step has a label");                               \
        QVERIFY(cd::Text::firstControl(item_->message) == 0);                                      \
    } while (false)

// A Jama that answers by script: for the answers the fake never gives (a 401 once signed in,
// paging that lies, odd ids). One request per connection.
class ScriptedJama : public QObject
{
public:
    // path (without query) and query → status and JSON body
    using Script = std::function<QPair<int, QByteArray>(const QString &path, const QUrlQuery &q)>;
    explicit ScriptedJama(Script script)
        : m_script(std::move(script))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    const QByteArray head = socket->peek(64 * 1024);
                    if (!head.contains("\r\n\r\n"))
                        return;
                    const QByteArray line = head.left(head.indexOf("\r\n"));
                    const QUrl target(QString::fromLatin1(line.split(' ').value(1)));
                    const QString path = target.path();
                    m_paths << path
                            + (target.hasQuery() ? QLatin1Char('?') + target.query() : QString());
                    QPair<int, QByteArray> answer { 404, QByteArrayLiteral("{}") };
                    if (path == QLatin1String("/rest/v1/users/current"))
                        answer = {
                            200,
                            R"({"meta":{"status":"OK"},"data":{"id":5,"username":"named",)"
                            R"("firstName":"N","lastName":"U","licenseType":"NAMED","active":true}})"
                        };
                    else
                        answer = m_script(path, QUrlQuery(target));
                    socket->readAll();
                    socket->write("HTTP/1.1 " + QByteArray::number(answer.first)
                        + " X\r\nContent-Type: application/json\r\nContent-Length: "
                        + QByteArray::number(answer.second.size()) + "\r\nConnection: close\r\n\r\n"
                        + answer.second);
                    socket->disconnectFromHost();
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }
    QUrl baseUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    QStringList paths() const { return m_paths; }
    int count(const QString &prefix) const
    {
        int n = 0;
        for (const QString &p : m_paths)
            n += p.startsWith(prefix);
        return n;
    }

private:
    QTcpServer m_server;
    Script m_script;
    QStringList m_paths;
};

// A page of Jama's project list.
QByteArray projectsPage(const QJsonArray &data, int startIndex, int total)
{
    QJsonObject pageInfo { { QStringLiteral("startIndex"), startIndex },
        { QStringLiteral("resultCount"), int(data.size()) } };
    if (total >= 0)
        pageInfo.insert(QStringLiteral("totalResults"), total);
    return QJsonDocument(
        QJsonObject { { QStringLiteral("meta"),
                          QJsonObject { { QStringLiteral("status"), QStringLiteral("OK") },
                              { QStringLiteral("pageInfo"), pageInfo } } },
            { QStringLiteral("data"), data } })
        .toJson(QJsonDocument::Compact);
}

QJsonObject project(const QJsonValue &id, const QString &key)
{
    return { { QStringLiteral("id"), id }, { QStringLiteral("projectKey"), key },
        { QStringLiteral("isFolder"), false },
        { QStringLiteral("fields"), QJsonObject { { QStringLiteral("name"), key } } } };
}

const QByteArray kOneItem = R"({"meta":{"status":"OK"},"data":[{"id":1}]})";
const QByteArray kProject = R"({"meta":{"status":"OK"},"data":{"id":7,"fields":{"name":"P"}}})";

} // namespace

class TestAccessCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void unscopedChecklist_data();
    void unscopedChecklist();
    void scopedProjects_data();
    void scopedProjects();
    void pagination_data();
    void pagination();
    void listAllProjects();
    void hostileProjectNames();
    void stoppedEarly();
    void unreachable();
    void throttleHeldByManyChecks();
    void throttleHeldByOneCheck();
    void pacer();
    void unauthorizedOnceSignedIn();
    void pacingWaitIsNotATimeout();
    void pagingThatLies_data();
    void pagingThatLies();
    void oddIds();
    void listingFails();
    void jiraProjects_data();
    void jiraProjects();
    void jiraPermissionsMissingOneByOne_data();
    void jiraPermissionsMissingOneByOne();
    void jiraCloudPagination();

private:
    ValidationRequest jama(const QString &user, const QStringList &projects,
        const QString &authType = QStringLiteral("basic")) const;
    bool run(ValidationJob &job);
    // The same at another server (a scripted one).
    static ValidationRequest jamaAt(const QUrl &base, const QString &user,
        const QStringList &projects, const QString &authType = QStringLiteral("basic"));

    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<FakeJamaServer> m_jama;
};

void TestAccessCheck::initTestCase()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
}

void TestAccessCheck::init()
{
    // A fresh server per test: its own port, so the pacer's slots of the last test do not
    // delay this one.
    m_jama = std::make_unique<FakeJamaServer>();
    QVERIFY(m_jama->listen());
}

ValidationRequest TestAccessCheck::jama(
    const QString &user, const QStringList &projects, const QString &authType) const
{
    return jamaAt(m_jama->baseUrl(), user, projects, authType);
}

ValidationRequest TestAccessCheck::jamaAt(
    const QUrl &base, const QString &user, const QStringList &projects, const QString &authType)
{
    ValidationRequest r;
    r.baseUrl = base;
    r.application = QStringLiteral("jama-connect");
    r.authType = authType;
    if (authType == QLatin1String("oauth")) {
        r.identity = user + QStringLiteral("-client");
        r.secret = user + QStringLiteral("-secret");
    } else {
        r.identity = user;
        r.secret = QStringLiteral("password");
    }
    r.projects = projects;
    return r;
}

bool TestAccessCheck::run(ValidationJob &job)
{
    QSignalSpy finished(&job, &ValidationJob::finished);
    job.start();
    return finished.wait(40000) && finished.count() == 1;
}

void TestAccessCheck::unscopedChecklist_data()
{
    QTest::addColumn<QString>("authType");
    QTest::newRow("basic") << QStringLiteral("basic");
    QTest::newRow("oauth") << QStringLiteral("oauth");
}

void TestAccessCheck::unscopedChecklist()
{
    QFETCH(QString, authType);
    ValidationJob job(m_nam.get(), jama(QStringLiteral("named"), {}, authType));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QVERIFY2(r.status == ValidationStatus::Verified, qPrintable(r.message));
    QStringList ids;
    for (const CheckItem &c : r.checks)
        ids << c.id;
    QCOMPARE(ids,
        QStringList({ "reachable", "secure-connection", "credentials", "account-active", "license",
            "api-access", "projects-visible", "write-access", "admin" }));
    CHECK_STATUS(r, "reachable", CheckStatus::Pass);
    CHECK_STATUS(r, "secure-connection", CheckStatus::Warn); // plain http
    CHECK_STATUS(r, "credentials", CheckStatus::Pass);
    CHECK_STATUS(r, "account-active", CheckStatus::Pass);
    CHECK_STATUS(r, "license", CheckStatus::Pass);
    CHECK_STATUS(r, "api-access", CheckStatus::Pass);
    CHECK_STATUS(r, "projects-visible", CheckStatus::Pass);
    QVERIFY2(
        find(r.checks, QStringLiteral("projects-visible"))->message.contains(QLatin1String("2")),
        "the count of visible projects is said");
    // Said plainly, never guessed.
    CHECK_STATUS(r, "write-access", CheckStatus::Unknown);
    QVERIFY(find(r.checks, QStringLiteral("write-access"))
                ->message.contains(QLatin1String("without writing")));
    CHECK_STATUS(r, "admin", CheckStatus::Unknown);
    QVERIFY(find(r.checks, QStringLiteral("admin"))
                ->message.contains(QLatin1String("cannot be confirmed")));
    // One page of projects is enough for the count: nothing else is asked.
    QCOMPARE(m_jama->requestCount(QStringLiteral("/rest/v1/projects")), 1);
}

void TestAccessCheck::scopedProjects_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("projects");
    QTest::addColumn<ValidationStatus>("status");
    QTest::addColumn<QStringList>("passing");
    QTest::addColumn<QStringList>("failing");

    QTest::newRow("sees all") << "named" << QStringList { "DEMO", "TEST" }
                              << ValidationStatus::Verified << QStringList { "DEMO", "TEST" }
                              << QStringList();
    QTest::newRow("sees some") << "demo-only" << QStringList { "DEMO", "TEST" }
                               << ValidationStatus::Failed << QStringList { "DEMO" }
                               << QStringList { "TEST" };
    QTest::newRow("sees none") << "no-projects" << QStringList { "DEMO", "TEST" }
                               << ValidationStatus::Failed << QStringList()
                               << QStringList { "DEMO", "TEST" };
    QTest::newRow("exists but hidden")
        << "demo-only" << QStringList { "TEST" } << ValidationStatus::Failed << QStringList()
        << QStringList { "TEST" };
    QTest::newRow("does not exist") << "named" << QStringList { "NOPE" } << ValidationStatus::Failed
                                    << QStringList() << QStringList { "NOPE" };
    QTest::newRow("by id") << "named" << QStringList { "20" } << ValidationStatus::Verified
                           << QStringList { "20" } << QStringList();
    QTest::newRow("hidden id") << "demo-only" << QStringList { "21" } << ValidationStatus::Failed
                               << QStringList() << QStringList { "21" };
    QTest::newRow("missing id") << "named" << QStringList { "999" } << ValidationStatus::Failed
                                << QStringList() << QStringList { "999" };
    QTest::newRow("items unreadable")
        << "unreadable" << QStringList { "DEMO", "TEST" } << ValidationStatus::Failed
        << QStringList { "DEMO" } << QStringList { "TEST" };
    QTest::newRow("key in other case")
        << "named" << QStringList { "demo" } << ValidationStatus::Verified << QStringList { "demo" }
        << QStringList();
    QTest::newRow("floating, all readable")
        << "floating" << QStringList { "DEMO" } << ValidationStatus::Warning
        << QStringList { "DEMO" } << QStringList();
}

void TestAccessCheck::scopedProjects()
{
    QFETCH(QString, user);
    QFETCH(QStringList, projects);
    QFETCH(ValidationStatus, status);
    QFETCH(QStringList, passing);
    QFETCH(QStringList, failing);
    for (const QString &authType : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
        m_jama->clearRequests();
        ValidationJob job(m_nam.get(), jama(user, projects, authType));
        QVERIFY(run(job));
        const ValidationResult &r = job.result();
        QVERIFY2(r.status == status, qPrintable(authType + QLatin1String(": ") + r.message));
        QCOMPARE(r.failure, failing.isEmpty() ? Failure::None : Failure::ProjectAccess);
        CHECK_STATUS(r, "credentials", CheckStatus::Pass);
        for (const QString &key : passing) {
            const CheckItem *item = find(r.checks, QStringLiteral("project:") + key);
            QVERIFY2(item && item->status == CheckStatus::Pass, qPrintable(summary(r.checks)));
            QVERIFY(item->label.contains(key));
        }
        for (const QString &key : failing) {
            const CheckItem *item = find(r.checks, QStringLiteral("project:") + key);
            QVERIFY2(item && item->status == CheckStatus::Fail, qPrintable(summary(r.checks)));
            // The message of the whole check names it: what `validate` prints.
            QVERIFY2(r.message.contains(key), qPrintable(r.message));
        }
        // The scoped projects come in the order given, between the count and write access.
        QStringList order;
        for (const CheckItem &c : r.checks) {
            if (c.id.startsWith(QLatin1String("project:")))
                order << c.id.mid(8);
        }
        QCOMPARE(order, projects);
        CHECK_STATUS(r, "write-access", CheckStatus::Unknown);
        CHECK_STATUS(r, "admin", CheckStatus::Unknown);
        // Each readable project cost its project and one item, nothing more.
        for (const cd::fake::RecordedRequest &req : m_jama->requests()) {
            if (req.path.endsWith(QLatin1String("/rest/v1/items"))) {
                QCOMPARE(QUrlQuery(req.query).queryItemValue(QStringLiteral("maxResults")),
                    QStringLiteral("1"));
            }
        }
        QVERIFY(m_jama->requestCount(QStringLiteral("/rest/v1/items")) <= projects.size());
    }
}

void TestAccessCheck::pagination_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("pages");
    QTest::addColumn<bool>("found");
    QTest::newRow("first page") << "P010" << 1 << true;
    QTest::newRow("second page") << "P075" << 2 << true;
    QTest::newRow("third page") << "P110" << 3 << true;
    QTest::newRow("last one") << "P120" << 3 << true;
    QTest::newRow("not there") << "P121" << 3 << false;
}

void TestAccessCheck::pagination()
{
    QFETCH(QString, key);
    QFETCH(int, pages);
    QFETCH(bool, found);
    m_jama->setProjects(FakeJamaServer::generatedProjects(120));
    ValidationJob job(m_nam.get(), jama(QStringLiteral("named"), { key }));
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    CHECK_STATUS(r, "projects-visible", CheckStatus::Pass);
    QVERIFY2(
        find(r.checks, QStringLiteral("projects-visible"))->message.contains(QLatin1String("120")),
        qPrintable(find(r.checks, QStringLiteral("projects-visible"))->message));
    CHECK_STATUS(r, qPrintable(QLatin1String("project:") + key),
        found ? CheckStatus::Pass : CheckStatus::Fail);
    // Pages of at most 50, walked until the key is found: never one page assumed.
    QCOMPARE(m_jama->requestCount(QStringLiteral("/rest/v1/projects")), pages);
    int startAt = 0;
    for (const cd::fake::RecordedRequest &req : m_jama->requests()) {
        if (!req.path.endsWith(QLatin1String("/rest/v1/projects")))
            continue;
        const QUrlQuery q(req.query);
        QCOMPARE(q.queryItemValue(QStringLiteral("maxResults")), QStringLiteral("50"));
        QCOMPARE(q.queryItemValue(QStringLiteral("startAt")).toInt(), startAt);
        startAt += 50;
    }
}

void TestAccessCheck::listAllProjects()
{
    m_jama->setProjects(FakeJamaServer::generatedProjects(120));
    ValidationRequest req = jama(QStringLiteral("named"), {});
    req.listProjects = true;
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.visibleProjects.size(), 120);
    QCOMPARE(r.visibleProjects.first().key, QStringLiteral("P001"));
    QCOMPARE(r.visibleProjects.last().key, QStringLiteral("P120"));
    QVERIFY(!r.visibleProjects.first().name.isEmpty());
    QCOMPARE(m_jama->requestCount(QStringLiteral("/rest/v1/projects")), 3);

    // What an account cannot see is not listed.
    ValidationRequest limited = jama(QStringLiteral("no-projects"), {});
    limited.listProjects = true;
    ValidationJob none(m_nam.get(), limited);
    QVERIFY(run(none));
    QVERIFY(none.result().visibleProjects.isEmpty());
    CHECK_STATUS(none.result(), "projects-visible", CheckStatus::Warn);
    QCOMPARE(none.result().status, ValidationStatus::Warning);
}

void TestAccessCheck::hostileProjectNames()
{
    m_jama->setProjects({ { 30, QStringLiteral("EVIL"),
        QStringLiteral("<b>bold</b>\x1b[31mred\x07\u202Eevil\nline") } });
    ValidationRequest req = jama(QStringLiteral("named"), { QStringLiteral("EVIL") });
    req.listProjects = true;
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.visibleProjects.size(), 1);
    QCOMPARE(cd::Text::firstControl(r.visibleProjects.first().name), char32_t(0));
    CHECK_STATUS(r, "project:EVIL", CheckStatus::Pass);
    for (const CheckItem &c : r.checks)
        QCOMPARE(cd::Text::firstControl(c.message), char32_t(0));
    // The secret is in no step.
    for (const CheckItem &c : r.checks)
        QVERIFY(!c.message.contains(QLatin1String("password")));
}

void TestAccessCheck::stoppedEarly()
{
    // Rejected: the steps after the credentials are not checked, and say so.
    ValidationRequest req = jama(QStringLiteral("named"), { QStringLiteral("DEMO") });
    req.secret = QStringLiteral("wrong");
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.failure, Failure::CredentialsRejected);
    CHECK_STATUS(r, "reachable", CheckStatus::Pass);
    CHECK_STATUS(r, "credentials", CheckStatus::Fail);
    for (const char *id : { "account-active", "license", "projects-visible", "project:DEMO",
             "write-access", "admin" }) {
        const CheckItem *item = find(r.checks, QString::fromLatin1(id));
        QVERIFY2(item, id);
        QCOMPARE(item->status, CheckStatus::Unknown);
        QVERIFY2(item->message.startsWith(QLatin1String("Not checked")), qPrintable(item->message));
    }
    QCOMPARE(m_jama->requestCount(), 1); // never re-sent, no project asked

    // Not allowed to use the API: credentials accepted, API access failed.
    ValidationJob forbidden(m_nam.get(), jama(QStringLiteral("forbidden"), {}));
    QVERIFY(run(forbidden));
    CHECK_STATUS(forbidden.result(), "api-access", CheckStatus::Fail);
    CHECK_STATUS(forbidden.result(), "credentials", CheckStatus::Pass);

    // Another license: no project is asked.
    m_jama->clearRequests();
    ValidationJob stakeholder(m_nam.get(), jama(QStringLiteral("stakeholder"), { "DEMO" }));
    QVERIFY(run(stakeholder));
    CHECK_STATUS(stakeholder.result(), "license", CheckStatus::Fail);
    QCOMPARE(m_jama->requestCount(QStringLiteral("/rest/v1/projects")), 0);

    // Inactive.
    ValidationJob inactive(m_nam.get(), jama(QStringLiteral("inactive"), {}));
    QVERIFY(run(inactive));
    CHECK_STATUS(inactive.result(), "account-active", CheckStatus::Fail);

    // A server error on the list of projects: the projects are unknown, not failed.
    m_jama->clearRequests();
    ValidationJob broken(m_nam.get(), jama(QStringLiteral("broken"), { "DEMO" }));
    QVERIFY(run(broken));
    QCOMPARE(broken.result().failure, Failure::ServerError); // users/current itself fails
    CHECK_STATUS(broken.result(), "project:DEMO", CheckStatus::Unknown);
}

void TestAccessCheck::unreachable()
{
    // A port nothing listens on.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    ValidationRequest req = jama(QStringLiteral("named"), { QStringLiteral("DEMO") });
    req.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.failure, Failure::ConnectionRefused);
    CHECK_STATUS(r, "reachable", CheckStatus::Fail);
    CHECK_STATUS(r, "credentials", CheckStatus::Unknown);
    CHECK_STATUS(r, "project:DEMO", CheckStatus::Unknown);

    // https with the pinned certificate: secure connection passes.
    FakeJamaServer tls;
    QVERIFY2(tls.enableTls(), qPrintable(tls.errorString()));
    QVERIFY(tls.listen());
    ValidationRequest pinned = jama(QStringLiteral("named"), {});
    pinned.baseUrl = tls.baseUrl();
    pinned.pinnedSha256 = tls.certificateSha256();
    ValidationJob secure(m_nam.get(), pinned);
    QVERIFY(run(secure));
    CHECK_STATUS(secure.result(), "secure-connection", CheckStatus::Pass);
    // ... and a certificate that is not the pinned one fails it, with nothing sent.
    pinned.pinnedSha256 = QByteArray(32, 'x');
    ValidationJob changed(m_nam.get(), pinned);
    QVERIFY(run(changed));
    CHECK_STATUS(changed.result(), "secure-connection", CheckStatus::Fail);
    CHECK_STATUS(changed.result(), "reachable", CheckStatus::Pass);
    // Verify SSL off: a warning.
    ValidationRequest off = jama(QStringLiteral("named"), {});
    off.baseUrl = tls.baseUrl();
    off.verifySsl = false;
    ValidationJob loose(m_nam.get(), off);
    QVERIFY(run(loose));
    CHECK_STATUS(loose.result(), "secure-connection", CheckStatus::Warn);
}

void TestAccessCheck::throttleHeldByManyChecks()
{
    // Jama throttles at about 10 calls per second per instance and answers 429 over it:
    // the fake does the same, and counts what arrives.
    m_jama->setRateLimit(10);
    std::vector<std::unique_ptr<ValidationJob>> jobs;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 20; ++i) {
        jobs.push_back(std::make_unique<ValidationJob>(
            m_nam.get(), jama(QStringLiteral("named"), { QStringLiteral("DEMO") })));
        spies.push_back(std::make_unique<QSignalSpy>(jobs.back().get(), &ValidationJob::finished));
    }
    for (auto &job : jobs)
        job->start(); // all at once
    const auto allDone = [&] {
        for (const auto &s : spies) {
            if (s->count() != 1)
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allDone(), 60000);
    for (auto &job : jobs)
        QVERIFY2(
            job->result().status == ValidationStatus::Verified, qPrintable(job->result().message));
    // 20 checks of 4 calls each (users/current, projects, the project, one item).
    QCOMPARE(m_jama->requestCount(), 80);
    QCOMPARE(m_jama->rateLimitedCount(), 0);
    QVERIFY2(m_jama->maxRequestsWithin(1000) <= 10,
        qPrintable(
            QStringLiteral("%1 requests within one second").arg(m_jama->maxRequestsWithin(1000))));
}

void TestAccessCheck::throttleHeldByOneCheck()
{
    // One check of a scoped connector over many pages: its own calls are paced too.
    m_jama->setRateLimit(10);
    m_jama->setProjects(FakeJamaServer::generatedProjects(120));
    ValidationRequest req = jama(QStringLiteral("named"),
        { QStringLiteral("P120"), QStringLiteral("P119"), QStringLiteral("P118"),
            QStringLiteral("P117"), QStringLiteral("P116") },
        QStringLiteral("oauth"));
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    QVERIFY2(job.result().status == ValidationStatus::Verified, qPrintable(job.result().message));
    // token, users/current, 3 pages, 5 x (project + item)
    QCOMPARE(m_jama->requestCount(), 15);
    QCOMPARE(m_jama->rateLimitedCount(), 0);
    QVERIFY(m_jama->maxRequestsWithin(1000) <= 10);
}

void TestAccessCheck::pacer()
{
    cd::RequestPacer &pacer = cd::RequestPacer::instance();
    const QString key = QStringLiteral("pacer.test");
    const int allowed = cd::RequestPacer::callsPerWindow(10);
    QCOMPARE(allowed, 8); // two calls of headroom below Jama's 10
    // When each reserved call goes, on this test's clock (the pacer's runs at the same rate).
    QElapsedTimer clock;
    clock.start();
    QList<qint64> at;
    for (int i = 0; i < 30; ++i)
        at << clock.elapsed() + pacer.reserve(key, 10);
    // The first `allowed` go now; then at most `allowed` in any window.
    for (int i = 0; i < allowed; ++i)
        QVERIFY2(at.at(i) < 200, qPrintable(QString::number(at.at(i))));
    // (the two clocks are read a moment apart: a few ms of slack)
    QVERIFY2(at.at(allowed) >= cd::RequestPacer::WindowMs - 20,
        qPrintable(QString::number(at.at(allowed))));
    for (int i = allowed; i < at.size(); ++i)
        QVERIFY2(at.at(i) - at.at(i - allowed) >= cd::RequestPacer::WindowMs - 50,
            qPrintable(
                QStringLiteral("%1: %2 after %3").arg(i).arg(at.at(i)).arg(at.at(i - allowed))));
    // Another instance is not delayed by this one; no rate means no pacing.
    QCOMPARE(pacer.reserve(QStringLiteral("other.test"), 10), qint64(0));
    QCOMPARE(pacer.reserve(key, 0), qint64(0));
    // One server is one instance, whatever the scheme or port.
    QCOMPARE(cd::RequestPacer::instanceKey(QUrl(QStringLiteral("HTTPS://Jama.Example.com/x"))),
        cd::RequestPacer::instanceKey(QUrl(QStringLiteral("http://jama.example.com:8080"))));
}

void TestAccessCheck::unauthorizedOnceSignedIn()
{
    // A 401 on a project (a token revoked mid-check): rejected, nothing more sent.
    ScriptedJama jama([](const QString &path, const QUrlQuery &) -> QPair<int, QByteArray> {
        if (path == QLatin1String("/rest/v1/projects"))
            return { 200,
                projectsPage(
                    { project(7, QStringLiteral("A")), project(8, QStringLiteral("B")) }, 0, 2) };
        return { 401, "{}" };
    });
    ValidationRequest req = jamaAt(
        jama.baseUrl(), QStringLiteral("named"), { QStringLiteral("A"), QStringLiteral("B") });
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    QCOMPARE(r.failure, Failure::CredentialsRejected);
    QVERIFY(r.credentialsRejected());
    QCOMPARE(r.account.username, QStringLiteral("named"));
    CHECK_STATUS(r, "credentials", CheckStatus::Fail);
    CHECK_STATUS(r, "project:A", CheckStatus::Unknown);
    CHECK_STATUS(r, "project:B", CheckStatus::Unknown);
    QCOMPARE(jama.count(QStringLiteral("/rest/v1/projects/")), 1); // B was never asked
}

void TestAccessCheck::pacingWaitIsNotATimeout()
{
    // The instance is busy with other checks' slots for about 2 s; this check's timeouts are
    // shorter. Waiting for a slot is not the server being slow: it still passes.
    const QString host = m_jama->baseUrl().host();
    for (int i = 0; i < 2 * cd::RequestPacer::callsPerWindow(10); ++i)
        cd::RequestPacer::instance().reserve(host, 10);
    ValidationJob job(m_nam.get(), jama(QStringLiteral("named"), {}));
    job.setTimeouts(1000, 1500);
    QElapsedTimer took;
    took.start();
    QVERIFY(run(job));
    QVERIFY2(job.result().status == ValidationStatus::Verified, qPrintable(job.result().message));
    QVERIFY(took.elapsed() >= 1500); // it did wait

    // Cancelled while waiting for a slot: finished once, nothing sent.
    for (int i = 0; i < 2 * cd::RequestPacer::callsPerWindow(10); ++i)
        cd::RequestPacer::instance().reserve(host, 10);
    m_jama->clearRequests();
    ValidationJob cancelled(m_nam.get(), jama(QStringLiteral("named"), {}));
    QSignalSpy finished(&cancelled, &ValidationJob::finished);
    cancelled.start();
    QTest::qWait(100);
    cancelled.cancel();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(cancelled.result().failure, Failure::Cancelled);
    QTest::qWait(300);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(m_jama->requestCount(), 0);
    CHECK_STATUS(cancelled.result(), "credentials", CheckStatus::Unknown);
    // Destroyed while waiting: nothing is sent later either.
    {
        ValidationJob gone(m_nam.get(), jama(QStringLiteral("named"), {}));
        gone.start();
    }
    QTest::qWait(300);
    QCOMPARE(m_jama->requestCount(), 0);
}

void TestAccessCheck::pagingThatLies_data()
{
    QTest::addColumn<QString>("lie");
    QTest::newRow("start index always 0") << "zero";
    QTest::newRow("no start index, no total") << "none";
    QTest::newRow("empty page, total says more") << "empty";
    QTest::newRow("same page again") << "repeat";
}

void TestAccessCheck::pagingThatLies()
{
    QFETCH(QString, lie);
    // 120 projects P1..P120, 50 a page; each lie in its own way.
    ScriptedJama jama([lie](const QString &path, const QUrlQuery &q) -> QPair<int, QByteArray> {
        if (path == QLatin1String("/rest/v1/projects")) {
            const int start = q.queryItemValue(QStringLiteral("startAt")).toInt();
            QJsonArray data;
            const int from = lie == QLatin1String("repeat") ? 0 : start;
            for (int i = from; i < qMin(from + 50, 120); ++i)
                data.append(project(100 + i, QStringLiteral("P%1").arg(i + 1)));
            if (lie == QLatin1String("empty") && start >= 50)
                data = QJsonArray();
            if (lie == QLatin1String("none"))
                return { 200, projectsPage(data, 0, -1) };
            return { 200, projectsPage(data, lie == QLatin1String("zero") ? 0 : start, 120) };
        }
        if (path.startsWith(QLatin1String("/rest/v1/projects/")))
            return { 200, kProject };
        return { 200, kOneItem };
    });
    ValidationRequest req
        = jamaAt(jama.baseUrl(), QStringLiteral("named"), { QStringLiteral("P110") });
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    // Never more pages than there are (without a total, one more shows the end), never a
    // loop on one page.
    QVERIFY2(
        jama.count(QStringLiteral("/rest/v1/projects?")) <= (lie == QLatin1String("none") ? 4 : 3),
        qPrintable(jama.paths().join(' ')));
    if (lie == QLatin1String("zero") || lie == QLatin1String("none")) {
        CHECK_STATUS(r, "project:P110", CheckStatus::Pass); // found on the third page all the same
    } else {
        // The list ended early: not "does not exist", but not known.
        CHECK_STATUS(r, "project:P110", CheckStatus::Unknown);
        QCOMPARE(r.status, ValidationStatus::Warning);
        QVERIFY(find(r.checks, QStringLiteral("projects-visible"))
                    ->message.contains(QLatin1String("at least")));
    }
}

void TestAccessCheck::oddIds()
{
    // Ids a server should not send: huge, fractional, a path, negative. None is used.
    ScriptedJama jama([](const QString &path, const QUrlQuery &) -> QPair<int, QByteArray> {
        if (path == QLatin1String("/rest/v1/projects"))
            return { 200,
                projectsPage(
                    { project(1e300, QStringLiteral("HUGE")), project(1.5, QStringLiteral("HALF")),
                        project(QStringLiteral("../users/current"), QStringLiteral("PATH")),
                        project(-4, QStringLiteral("NEG")),
                        project(QStringLiteral("12"), QStringLiteral("TEXT")) },
                    0, 5) };
        if (path == QLatin1String("/rest/v1/projects/12"))
            return { 200, kProject };
        if (path == QLatin1String("/rest/v1/projects/30")) // a folder, named by its id
            return { 200,
                R"({"meta":{"status":"OK"},"data":{"id":30,"isFolder":true,)"
                R"("fields":{"name":"Folder"}}})" };
        if (path.startsWith(QLatin1String("/rest/v1/items")))
            return { 200, kOneItem };
        return { 404, "{}" };
    });
    ValidationRequest req = jamaAt(jama.baseUrl(), QStringLiteral("named"),
        { QStringLiteral("HUGE"), QStringLiteral("HALF"), QStringLiteral("PATH"),
            QStringLiteral("NEG"), QStringLiteral("TEXT"), QStringLiteral("30") });
    ValidationJob job(m_nam.get(), req);
    QVERIFY(run(job));
    const ValidationResult &r = job.result();
    CHECK_STATUS(r, "project:TEXT", CheckStatus::Pass); // "12" as a string is an id
    for (const char *id :
        { "project:HUGE", "project:HALF", "project:PATH", "project:NEG", "project:30" })
        CHECK_STATUS(r, id, CheckStatus::Fail);
    for (const QString &p : jama.paths())
        QVERIFY2(
            !p.contains(QLatin1String("..")) && !p.startsWith(QLatin1String("/rest/v1/projects/-")),
            qPrintable(p));
}

void TestAccessCheck::listingFails()
{
    // The list of projects fails (500) after the sign-in: projects unknown, not failed;
    // a key cannot be resolved, an id still can.
    ScriptedJama jama([](const QString &path, const QUrlQuery &) -> QPair<int, QByteArray> {
        if (path == QLatin1String("/rest/v1/projects"))
            return { 500, "{}" };
        if (path == QLatin1String("/rest/v1/projects/20"))
            return { 200, kProject };
        return { 200, kOneItem };
    });
    ValidationJob unscoped(m_nam.get(), jamaAt(jama.baseUrl(), QStringLiteral("named"), {}));
    QVERIFY(run(unscoped));
    QCOMPARE(unscoped.result().status, ValidationStatus::Warning);
    CHECK_STATUS(unscoped.result(), "projects-visible", CheckStatus::Unknown);
    ValidationJob scoped(m_nam.get(),
        jamaAt(jama.baseUrl(), QStringLiteral("named"),
            { QStringLiteral("ACME"), QStringLiteral("20") }));
    QVERIFY(run(scoped));
    QCOMPARE(scoped.result().status, ValidationStatus::Warning);
    CHECK_STATUS(scoped.result(), "project:ACME", CheckStatus::Unknown);
    CHECK_STATUS(scoped.result(), "project:20", CheckStatus::Pass);
}

void TestAccessCheck::jiraProjects_data()
{
    QTest::addColumn<bool>("cloud");
    QTest::newRow("cloud") << true;
    QTest::newRow("data center") << false;
}

void TestAccessCheck::jiraProjects()
{
    QFETCH(bool, cloud);
    FakeJiraServer jira;
    jira.setFlavour(cloud ? JiraFlavour::Cloud : JiraFlavour::DataCenter);
    QVERIFY(jira.listen());
    JiraAccount limited;
    limited.name = QStringLiteral("limited");
    limited.emailAddress = QStringLiteral("limited@example.com");
    limited.apiToken = QStringLiteral("limited-token");
    limited.password = QStringLiteral("password");
    limited.displayName = QStringLiteral("Limited User");
    limited.visibleProjects = QStringList { QStringLiteral("DEMO") };
    jira.addAccount(limited);

    ValidationRequest r;
    r.baseUrl = jira.baseUrl();
    r.application = cloud ? QStringLiteral("jira-cloud") : QStringLiteral("jira-data-center");
    r.authType = cloud ? QStringLiteral("api-token") : QStringLiteral("basic");
    r.identity = cloud ? limited.emailAddress : limited.name;
    r.secret = cloud ? limited.apiToken : limited.password;
    r.projects = { QStringLiteral("DEMO"), QStringLiteral("TEST"), QStringLiteral("NOPE") };
    ValidationJob job(m_nam.get(), r);
    QVERIFY(run(job));
    const ValidationResult &res = job.result();
    QCOMPARE(res.status, ValidationStatus::Failed);
    QCOMPARE(res.failure, Failure::ProjectAccess);
    QVERIFY2(
        res.message.contains(QLatin1String("TEST")) && res.message.contains(QLatin1String("NOPE")),
        qPrintable(res.message));
    QVERIFY2(!res.message.contains(QLatin1String("DEMO")), qPrintable(res.message));
    CHECK_STATUS(res, "credentials", CheckStatus::Pass);
    CHECK_STATUS(res, "account-active", CheckStatus::Pass);
    CHECK_STATUS(res, "projects-visible", CheckStatus::Pass);
    CHECK_STATUS(res, "project:DEMO", CheckStatus::Pass);
    CHECK_STATUS(res, "project:TEST", CheckStatus::Fail); // hidden
    CHECK_STATUS(res, "project:NOPE", CheckStatus::Fail); // does not exist
    QVERIFY(!find(res.checks, QStringLiteral("license"))); // not a Jira step
    // Each scoped project was asked with its key.
    QStringList asked;
    for (const cd::fake::RecordedRequest &req : jira.requests()) {
        const QString key = QUrlQuery(req.query).queryItemValue(QStringLiteral("projectKey"));
        if (!key.isEmpty())
            asked << key;
    }
    QCOMPARE(asked, r.projects);
}

void TestAccessCheck::jiraPermissionsMissingOneByOne_data()
{
    QTest::addColumn<QString>("missing");
    QTest::addColumn<ValidationStatus>("status");
    QTest::addColumn<CheckStatus>("project");
    QTest::addColumn<CheckStatus>("write");
    QTest::newRow("none") << QString() << ValidationStatus::Verified << CheckStatus::Pass
                          << CheckStatus::Pass;
    QTest::newRow("BROWSE_PROJECTS") << cd::fake::kBrowseProjects << ValidationStatus::Failed
                                     << CheckStatus::Fail << CheckStatus::Unknown;
    QTest::newRow("CREATE_ISSUES") << cd::fake::kCreateIssues << ValidationStatus::Warning
                                   << CheckStatus::Pass << CheckStatus::Warn;
    QTest::newRow("EDIT_ISSUES") << cd::fake::kEditIssues << ValidationStatus::Warning
                                 << CheckStatus::Pass << CheckStatus::Warn;
}

void TestAccessCheck::jiraPermissionsMissingOneByOne()
{
    QFETCH(QString, missing);
    QFETCH(ValidationStatus, status);
    QFETCH(CheckStatus, project);
    QFETCH(CheckStatus, write);
    for (const bool cloud : { true, false }) {
        FakeJiraServer jira;
        jira.setFlavour(cloud ? JiraFlavour::Cloud : JiraFlavour::DataCenter);
        QVERIFY(jira.listen());
        JiraAccount a;
        a.name = QStringLiteral("scoped");
        a.emailAddress = QStringLiteral("scoped@example.com");
        a.apiToken = QStringLiteral("scoped-token");
        a.personalAccessToken = QStringLiteral("scoped-pat");
        a.displayName = QStringLiteral("Scoped User");
        QStringList held { cd::fake::kBrowseProjects, cd::fake::kCreateIssues,
            cd::fake::kEditIssues };
        held.removeAll(missing);
        a.projectPermissions.insert(QStringLiteral("DEMO"), held);
        jira.addAccount(a);
        ValidationRequest r;
        r.baseUrl = jira.baseUrl();
        r.application = cloud ? QStringLiteral("jira-cloud") : QStringLiteral("jira-data-center");
        r.authType = cloud ? QStringLiteral("api-token") : QStringLiteral("pat");
        r.identity = cloud ? a.emailAddress : QString();
        r.secret = cloud ? a.apiToken : a.personalAccessToken;
        r.projects = { QStringLiteral("DEMO") };
        ValidationJob job(m_nam.get(), r);
        QVERIFY(run(job));
        const ValidationResult &res = job.result();
        QVERIFY2(res.status == status, qPrintable(res.message));
        CHECK_STATUS(res, "project:DEMO", project);
        CHECK_STATUS(res, "write-access", write);
        if (write == CheckStatus::Warn) {
            // The lacking permission is named, with the project.
            const QString said = find(res.checks, QStringLiteral("write-access"))->message;
            QVERIFY2(said.contains(QLatin1String("DEMO")), qPrintable(said));
            QVERIFY2(said.contains(missing == cd::fake::kCreateIssues ? QLatin1String("Create")
                                                                      : QLatin1String("Edit")),
                qPrintable(said));
        }
    }
}

void TestAccessCheck::jiraCloudPagination()
{
    FakeJiraServer jira;
    jira.setFlavour(JiraFlavour::Cloud);
    jira.setProjects(FakeJiraServer::generatedProjects(120));
    QVERIFY(jira.listen());
    ValidationRequest r;
    r.baseUrl = jira.baseUrl();
    r.application = QStringLiteral("jira-cloud");
    r.authType = QStringLiteral("api-token");
    r.identity = QStringLiteral("verified@example.com");
    r.secret = QStringLiteral("verified-token");
    r.listProjects = true;
    ValidationJob job(m_nam.get(), r);
    QVERIFY(run(job));
    QVERIFY2(job.result().status == ValidationStatus::Verified, qPrintable(job.result().message));
    QCOMPARE(job.result().visibleProjects.size(), 120);
    QCOMPARE(jira.requestCount(QStringLiteral("/rest/api/3/project/search")), 3);
    CHECK_STATUS(job.result(), "projects-visible", CheckStatus::Pass);
    QVERIFY(find(job.result().checks, QStringLiteral("projects-visible"))
                ->message.contains(QLatin1String("120")));
    // Without wanting the list, the first page's total is the count.
    jira.clearRequests();
    r.listProjects = false;
    ValidationJob count(m_nam.get(), r);
    QVERIFY(run(count));
    QCOMPARE(jira.requestCount(QStringLiteral("/rest/api/3/project/search")), 1);
    QVERIFY(find(count.result().checks, QStringLiteral("projects-visible"))
                ->message.contains(QLatin1String("120")));
}

QTEST_GUILESS_MAIN(TestAccessCheck)
#include "tst_accesscheck.moc"
