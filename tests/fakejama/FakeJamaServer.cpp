#include "FakeJamaServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QUuid>
#include <algorithm>
#include <functional>

namespace cd::fake {

// The ids of accounts files (behaviourId, behaviourFromId).
template<> struct EnumIds<Behaviour>
{
    static constexpr EnumId<Behaviour> table[] = {
        { Behaviour::Normal, "normal" },
        { Behaviour::Forbidden, "forbidden" },
        { Behaviour::Throttle, "throttle" },
        { Behaviour::ServerError, "server-error" },
        { Behaviour::Slow, "slow" },
        { Behaviour::NeverAnswer, "never-answer" },
        { Behaviour::Oversized, "oversized" },
        { Behaviour::Html, "html" },
        { Behaviour::Malformed, "malformed" },
        { Behaviour::NotFound, "not-found" },
        { Behaviour::RedirectHttp, "redirect-http" },
        { Behaviour::RedirectOtherHost, "redirect-other-host" },
        { Behaviour::RedirectSameHost, "redirect-same-host" },
    };
};

namespace {

QByteArray metaError(int status, const QString &message)
{
    return json({ { "meta",
        QJsonObject {
            { "status", QString::fromLatin1(reasonPhrase(status)) }, { "message", message } } } });
}

// Jama's envelope around an answer: meta (plus pageInfo for a list), links, data.
QByteArray envelope(const QJsonValue &data, const QJsonObject &pageInfo = QJsonObject())
{
    QJsonObject meta { { "status", "OK" }, { "timestamp", "2024-05-02T10:00:00.000+0000" } };
    if (!pageInfo.isEmpty())
        meta.insert("pageInfo", pageInfo);
    return json({ { "meta", meta }, { "links", QJsonObject() }, { "data", data } });
}

// A page of a list: rows [startAt, startAt + maxResults) of `total`, made by `row(i)`.
QByteArray listEnvelope(
    int startAt, int maxResults, int total, const std::function<QJsonObject(int)> &row)
{
    QJsonArray data;
    for (int i = startAt; i < total && data.size() < maxResults; ++i)
        data.append(row(i));
    return envelope(data,
        { { "startIndex", startAt }, { "resultCount", int(data.size()) },
            { "totalResults", total } });
}

QJsonObject projectJson(const FakeProject &p)
{
    return { { "id", p.id }, { "projectKey", p.key }, { "isFolder", p.isFolder },
        { "fields", QJsonObject { { "name", p.name }, { "projectKey", p.key } } },
        { "type", "projects" } };
}

// Item n (from 1) of a project: ids and document keys that say which project they are from.
QJsonObject itemJson(const FakeProject &p, int n)
{
    return { { "id", qint64(p.id) * 1000 + n },
        { "documentKey", QStringLiteral("%1-REQ-%2").arg(p.key).arg(n) }, { "project", p.id },
        { "itemType", 24 },
        { "fields", QJsonObject { { "name", QStringLiteral("Item %1").arg(n) } } },
        { "type", "items" } };
}

const QByteArray kJson = "application/json";
const QByteArray kHtml = "text/html;charset=UTF-8";
const QByteArray kTooManyRequests = "<html><body>Too Many Requests</body></html>";

const QByteArray kLoginPage
    = "<!DOCTYPE html>\n<html><head><title>Jama Connect | Login</title>"
      "</head><body><form method=\"post\" action=\"j_acegi_security_check\">"
      "<input name=\"j_username\"><input name=\"j_password\" "
      "type=\"password\"><button>Log in</button></form></body></html>\n";

} // namespace

QString behaviourId(Behaviour b)
{
    return enumId(b);
}

bool behaviourFromId(const QString &id, Behaviour *b)
{
    return enumFromId(id, b);
}

FakeJamaServer::FakeJamaServer(QObject *parent)
    : FakeHttpServer(QStringLiteral("Fake Jama Test CA"), parent)
    , m_accounts(builtInAccounts())
    , m_projects(builtInProjects())
{ }

QList<FakeAccount> FakeJamaServer::builtInAccounts()
{
    struct Row
    {
        const char *username;
        const char *license;
        bool active;
        Behaviour behaviour;
        const char *visible = nullptr; // comma-separated project keys; nullptr: every project
        const char *unreadable = "";
    };
    static const Row rows[] = {
        { "named", "NAMED", true, Behaviour::Normal },
        { "floating", "FLOATING", true, Behaviour::Normal },
        { "stakeholder", "STAKEHOLDER", true, Behaviour::Normal },
        { "collaborator", "FLOATING_COLLABORATOR", true, Behaviour::Normal },
        { "reviewer", "NAMED_REVIEWER", true, Behaviour::Normal },
        { "inactive", "NAMED", false, Behaviour::Normal },
        { "forbidden", "NAMED", true, Behaviour::Forbidden },
        { "throttled", "NAMED", true, Behaviour::Throttle },
        { "broken", "NAMED", true, Behaviour::ServerError },
        { "slow", "NAMED", true, Behaviour::Slow },
        { "silent", "NAMED", true, Behaviour::NeverAnswer },
        { "huge", "NAMED", true, Behaviour::Oversized },
        { "html", "NAMED", true, Behaviour::Html },
        { "malformed", "NAMED", true, Behaviour::Malformed },
        { "redirect-http", "NAMED", true, Behaviour::RedirectHttp },
        { "redirect-other-host", "NAMED", true, Behaviour::RedirectOtherHost },
        { "redirect-same-host", "NAMED", true, Behaviour::RedirectSameHost },
        // For the access check: what the account may see and read.
        { "no-projects", "NAMED", true, Behaviour::Normal, "" },
        { "demo-only", "NAMED", true, Behaviour::Normal, "DEMO" },
        { "unreadable", "NAMED", true, Behaviour::Normal, nullptr, "TEST" },
    };
    QList<FakeAccount> out;
    for (const Row &r : rows) {
        FakeAccount a;
        a.username = QString::fromLatin1(r.username);
        a.password = QStringLiteral("password");
        a.clientId = a.username + QStringLiteral("-client");
        a.clientSecret = a.username + QStringLiteral("-secret");
        a.firstName = a.username.left(1).toUpper() + a.username.mid(1);
        a.lastName = QStringLiteral("User");
        a.licenseType = QString::fromLatin1(r.license);
        a.active = r.active;
        a.behaviour = r.behaviour;
        if (r.visible)
            a.visibleProjects
                = QString::fromLatin1(r.visible).split(QLatin1Char(','), Qt::SkipEmptyParts);
        a.unreadableProjects
            = QString::fromLatin1(r.unreadable).split(QLatin1Char(','), Qt::SkipEmptyParts);
        out << a;
    }
    return out;
}

QList<FakeProject> FakeJamaServer::builtInProjects()
{
    return { { 20, QStringLiteral("DEMO"), QStringLiteral("Demo project") },
        { 21, QStringLiteral("TEST"), QStringLiteral("Test project") } };
}

QList<FakeProject> FakeJamaServer::generatedProjects(int n, int firstId)
{
    QList<FakeProject> out;
    for (int i = 1; i <= n; ++i) {
        FakeProject p;
        p.id = firstId + i - 1;
        p.key = QStringLiteral("P%1").arg(i, 3, 10, QLatin1Char('0'));
        p.name = QStringLiteral("Project %1").arg(i);
        out << p;
    }
    return out;
}

void FakeJamaServer::setAccounts(const QList<FakeAccount> &accounts)
{
    m_accounts = accounts;
}

void FakeJamaServer::addAccount(const FakeAccount &account)
{
    m_accounts.append(account);
}

bool FakeJamaServer::loadAccounts(const QString &fileName, QString *error)
{
    QJsonArray array;
    QJsonObject document;
    if (!readAccountsFile(fileName, &array, error, &document))
        return false;
    QList<FakeAccount> accounts;
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        FakeAccount a;
        a.username = o.value("username").toString();
        if (a.username.isEmpty()) {
            *error = QStringLiteral("%1: every account needs a \"username\"").arg(fileName);
            return false;
        }
        a.password = o.value("password").toString();
        a.clientId = o.value("clientId").toString();
        a.clientSecret = o.value("clientSecret").toString();
        a.firstName = o.value("firstName").toString();
        a.lastName = o.value("lastName").toString();
        a.licenseType = o.value("licenseType").toString(QStringLiteral("NAMED"));
        a.active = o.value("active").toBool(true);
        const QString behaviour = o.value("behaviour").toString(QStringLiteral("normal"));
        if (!behaviourFromId(behaviour, &a.behaviour)) {
            *error = QStringLiteral("%1: unknown behaviour \"%2\"").arg(fileName, behaviour);
            return false;
        }
        if (o.contains("projects"))
            a.visibleProjects = o.value("projects").toVariant().toStringList();
        a.unreadableProjects = o.value("unreadableProjects").toVariant().toStringList();
        accounts << a;
    }
    const bool hasProjects = document.contains("projects");
    QList<FakeProject> projects;
    QSet<int> ids;
    for (const QJsonValue &v : document.value("projects").toArray()) {
        const QJsonObject o = v.toObject();
        FakeProject p;
        p.id = o.value("id").toInt();
        p.key = o.value("key").toString();
        if (p.id <= 0 || p.key.isEmpty()) {
            *error = QStringLiteral("%1: every project needs an \"id\" above 0 and a \"key\"")
                         .arg(fileName);
            return false;
        }
        if (ids.contains(p.id)) {
            *error = QStringLiteral("%1: two projects with the id %2").arg(fileName).arg(p.id);
            return false;
        }
        ids.insert(p.id);
        p.name = o.value("name").toString(p.key);
        p.isFolder = o.value("isFolder").toBool(false);
        p.itemCount = o.value("items").toInt(3);
        if (p.itemCount < 0) {
            *error = QStringLiteral("%1: project %2 has a negative \"items\"").arg(fileName, p.key);
            return false;
        }
        projects << p;
    }
    m_accounts = accounts;
    if (hasProjects)
        m_projects = projects;
    return true;
}

const FakeAccount *FakeJamaServer::accountFor(const Request &request, bool *credentialsOk) const
{
    *credentialsOk = false;
    const bool token = request.path == contextPath() + QStringLiteral("/rest/oauth/token");
    QString user;
    QString secret;
    if (basicCredentials(request, &user, &secret)) {
        for (const FakeAccount &a : m_accounts) {
            if (token ? (!a.clientId.isEmpty() && a.clientId == user) : a.username == user) {
                *credentialsOk = token ? a.clientSecret == secret : a.password == secret;
                return &a;
            }
        }
    } else if (request.headers.value("authorization").startsWith("Bearer ") && !token) {
        const QString owner = m_tokens.value(bearerToken(request));
        for (const FakeAccount &a : m_accounts) {
            if (!owner.isEmpty() && a.username == owner) {
                *credentialsOk = true;
                return &a;
            }
        }
    }
    return nullptr;
}

void FakeJamaServer::handle(QTcpSocket *socket, const Request &request, int index)
{
    // The instance's throttle comes first, before authentication, and is a bare 429: Jama
    // sends neither Retry-After nor rate-limit headers with it.
    if (isApiPath(request.path) && overRateLimit()) {
        respond(socket, index, 429, kHtml, kTooManyRequests);
        return;
    }
    bool credentialsOk = false;
    const FakeAccount *account = accountFor(request, &credentialsOk);
    Behaviour behaviour = m_behaviour;
    if (behaviour == Behaviour::Normal && account)
        behaviour = account->behaviour;
    const bool api = isApiPath(request.path);
    const bool tokenPath = request.path == contextPath() + QStringLiteral("/rest/oauth/token");

    Headers throttleHeaders;
    if (!retryAfter().isEmpty())
        throttleHeaders.append({ QByteArrayLiteral("Retry-After"), retryAfter() });
    if (api && takeThrottle()) {
        respond(socket, index, 429, kHtml, kTooManyRequests, throttleHeaders);
        return;
    }
    const QString scheme = isTls() ? QStringLiteral("https") : QStringLiteral("http");
    const QString pathAndQuery
        = request.query.isEmpty() ? request.path : request.path + QLatin1Char('?') + request.query;
    switch (behaviour) {
    case Behaviour::Normal:
        break;
    case Behaviour::Forbidden:
        if (api && !tokenPath) {
            respond(socket, index, 403, kJson,
                metaError(403, QStringLiteral("This user is not permitted to use the API")));
            return;
        }
        break;
    case Behaviour::Throttle:
        respond(socket, index, 429, kHtml, kTooManyRequests, throttleHeaders);
        return;
    case Behaviour::ServerError:
        respond(socket, index, 500, kJson,
            metaError(500, QStringLiteral("An unexpected error occurred")));
        return;
    case Behaviour::Slow:
        answerLater(socket, [this, request, index](QTcpSocket *s) { route(s, request, index); });
        return;
    case Behaviour::NeverAnswer:
        return;
    case Behaviour::Oversized: {
        QByteArray body = R"({"meta":{"status":"OK"},"data":{"username":"huge","padding":")";
        body += QByteArray(1536 * 1024, 'x');
        body += "\"}}";
        QByteArray head
            = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n";
        if (m_oversizedWithLength)
            head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        head += "\r\n";
        writeResponse(socket, index, 200, head + body);
        return;
    }
    case Behaviour::Html:
        respond(socket, index, 200, kHtml, kLoginPage);
        return;
    case Behaviour::Malformed:
        respond(socket, index, 200, kJson, R"({"meta":{"status":"OK"},"data":{"username":)");
        return;
    case Behaviour::NotFound:
        respond(socket, index, 404, kHtml, "<html><body>Not Found</body></html>");
        return;
    case Behaviour::RedirectHttp:
        respond(socket, index, 301, kHtml, QByteArray(),
            { { "Location",
                QStringLiteral("http://%1:%2%3")
                    .arg(request.host)
                    .arg(port())
                    .arg(pathAndQuery)
                    .toUtf8() } });
        return;
    case Behaviour::RedirectOtherHost: {
        const QString other = request.host == QLatin1String("localhost")
            ? QStringLiteral("127.0.0.1")
            : QStringLiteral("localhost");
        respond(socket, index, 307, kHtml, QByteArray(),
            { { "Location",
                QStringLiteral("%1://%2:%3%4")
                    .arg(scheme, other)
                    .arg(port())
                    .arg(pathAndQuery)
                    .toUtf8() } });
        return;
    }
    case Behaviour::RedirectSameHost:
        if (!QUrlQuery(request.query).hasQueryItem(QStringLiteral("redirected"))) {
            respond(socket, index, 307, kHtml, QByteArray(),
                { { "Location",
                    QStringLiteral("https://%1:%2%3?redirected=1")
                        .arg(request.host)
                        .arg(port())
                        .arg(request.path)
                        .toUtf8() } });
            return;
        }
        break;
    }
    route(socket, request, index);
}

void FakeJamaServer::route(QTcpSocket *socket, const Request &request, int index)
{
    const QString tokenPath = contextPath() + QStringLiteral("/rest/oauth/token");
    const QString userPath = contextPath() + QStringLiteral("/rest/v1/users/current");
    const Headers challenge { { "WWW-Authenticate", "Basic realm=\"Jama\"" } };
    bool credentialsOk = false;
    const FakeAccount *account = accountFor(request, &credentialsOk);

    if (request.path == tokenPath) {
        if (request.method != "POST") {
            respond(socket, index, 405, kJson, metaError(405, QStringLiteral("Use POST")));
            return;
        }
        if (!account || !credentialsOk) {
            respond(socket, index, 401, kJson,
                R"({"error":"unauthorized","error_description":"Bad credentials"})", challenge);
            return;
        }
        const QUrlQuery form(QString::fromUtf8(request.body));
        if (!request.headers.value("content-type").startsWith("application/x-www-form-urlencoded")
            || form.queryItemValue(QStringLiteral("grant_type"))
                != QLatin1String("client_credentials")) {
            respond(socket, index, 400, kJson,
                R"({"error":"unsupported_grant_type","error_description":"Unsupported grant type"})");
            return;
        }
        const QByteArray token = "fake." + QUuid::createUuid().toByteArray(QUuid::Id128) + ".jwt";
        m_tokens.insert(token, account->username);
        QJsonObject o { { "access_token", QString::fromLatin1(token) },
            { "token_type", m_legacyToken ? "bearer" : "Bearer" }, { "expires_in", 3599 } };
        if (m_legacyToken) {
            o.insert("scope", "read write");
            o.insert("application_data", QJsonObject { { "JAMA_CORE", account->username } });
            o.insert("tenant", "default");
            o.insert("jti", QUuid::createUuid().toString(QUuid::WithoutBraces));
        }
        respond(socket, index, 200, kJson, json(o));
        return;
    }
    // {ctx}/rest/v1/{resource}: users/current, projects, projects/{id}, items.
    const QString v1 = contextPath() + QStringLiteral("/rest/v1/");
    const QString resource = request.path.startsWith(v1) ? request.path.mid(v1.size()) : QString();
    const QStringList parts = resource.split(QLatin1Char('/'));
    const bool projects = parts.value(0) == QLatin1String("projects")
        && (parts.size() == 1 || (parts.size() == 2 && !parts.at(1).isEmpty()));
    const bool items = resource == QLatin1String("items");
    if (request.path == userPath || projects || items) {
        if (request.method != "GET") {
            respond(socket, index, 405, kJson, metaError(405, QStringLiteral("Use GET")));
            return;
        }
        if (!account || !credentialsOk) {
            respond(socket, index, 401, kJson,
                metaError(401, QStringLiteral("Full authentication is required")), challenge);
            return;
        }
    }
    if (projects) {
        answerProjects(socket, request, index, *account, parts.value(1));
        return;
    }
    if (items) {
        answerItems(socket, request, index, *account);
        return;
    }
    if (request.path == userPath) {
        const int id = int(account - m_accounts.constData()) + 1;
        QJsonObject data { { "id", id }, { "username", account->username },
            { "firstName", account->firstName }, { "lastName", account->lastName },
            { "email", account->username + QStringLiteral("@example.com") }, { "phone", "" },
            { "title", "" }, { "location", "" }, { "licenseType", account->licenseType },
            { "active", account->active }, { "type", "users" } };
        respond(socket, index, 200, kJson, envelope(data));
        return;
    }
    if (isApiPath(request.path)) {
        respond(socket, index, 404, kJson, metaError(404, QStringLiteral("Resource not found")));
        return;
    }
    if (m_unknownStatus == 404)
        respond(socket, index, 404, kHtml, "<html><body><h1>404 Not Found</h1></body></html>");
    else
        respond(socket, index, 200, kHtml, kLoginPage);
}

const FakeProject *FakeJamaServer::visibleProject(const FakeAccount &account, int id) const
{
    for (const FakeProject &p : m_projects) {
        if (p.id == id) {
            if (account.visibleProjects && !account.visibleProjects->contains(p.key))
                return nullptr;
            return &p;
        }
    }
    return nullptr;
}

void FakeJamaServer::answerProjects(QTcpSocket *socket, const Request &request, int index,
    const FakeAccount &account, const QString &id)
{
    if (!id.isEmpty()) {
        // A hidden project and a missing one answer alike, so that an account cannot learn
        // which ids exist. (A non-numeric id is a path that matches nothing: 404 too.)
        bool numeric = false;
        const FakeProject *project = visibleProject(account, id.toInt(&numeric));
        if (!numeric || !project) {
            respond(socket, index, 404, kJson,
                metaError(404, QStringLiteral("No project with id %1 was found").arg(id)));
            return;
        }
        respond(socket, index, 200, kJson, envelope(projectJson(*project)));
        return;
    }
    int startAt = 0;
    int maxResults = 0;
    QString error;
    if (!pageParameters(request, 20, 50, &startAt, &maxResults, &error)) {
        respond(socket, index, 400, kJson, metaError(400, error));
        return;
    }
    QList<const FakeProject *> visible;
    for (const FakeProject &p : m_projects)
        if (visibleProject(account, p.id) == &p)
            visible << &p;
    std::sort(visible.begin(), visible.end(),
        [](const FakeProject *a, const FakeProject *b) { return a->id < b->id; });
    respond(socket, index, 200, kJson,
        listEnvelope(startAt, maxResults, int(visible.size()),
            [&](int i) { return projectJson(*visible.at(i)); }));
}

void FakeJamaServer::answerItems(
    QTcpSocket *socket, const Request &request, int index, const FakeAccount &account)
{
    const QString projectId = QUrlQuery(request.query).queryItemValue(QStringLiteral("project"));
    bool numeric = false;
    const int id = projectId.toInt(&numeric);
    if (projectId.isEmpty() || !numeric) {
        respond(socket, index, 400, kJson,
            metaError(400,
                projectId.isEmpty()
                    ? QStringLiteral("The project parameter is required")
                    : QStringLiteral("The project parameter must be a number (got \"%1\")")
                          .arg(projectId)));
        return;
    }
    int startAt = 0;
    int maxResults = 0;
    QString error;
    if (!pageParameters(request, 20, 50, &startAt, &maxResults, &error)) {
        respond(socket, index, 400, kJson, metaError(400, error));
        return;
    }
    const FakeProject *project = visibleProject(account, id);
    if (!project) {
        respond(socket, index, 404, kJson,
            metaError(404, QStringLiteral("No project with id %1 was found").arg(id)));
        return;
    }
    if (account.unreadableProjects.contains(project->key)) {
        respond(socket, index, 403, kJson,
            metaError(
                403, QStringLiteral("You do not have permission to access this project's items")));
        return;
    }
    respond(socket, index, 200, kJson,
        listEnvelope(startAt, maxResults, project->itemCount,
            [project](int i) { return itemJson(*project, i + 1); }));
}

} // namespace cd::fake
