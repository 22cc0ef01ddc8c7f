#include "FakeJiraServer.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QTcpSocket>
#include <QUrlQuery>

namespace cd::fake {

namespace {

// The permissions mypermissions knows, with Jira's ids and wording. Other keys answer 400.
const struct
{
    const char *key;
    const char *id;
    const char *name;
    const char *type;
    const char *description;
} kPermissions[] = {
    { "BROWSE_PROJECTS", "10", "Browse Projects", "PROJECT",
        "Ability to browse projects and the issues within them." },
    { "CREATE_ISSUES", "11", "Create Issues", "PROJECT", "Ability to create issues." },
    { "EDIT_ISSUES", "12", "Edit Issues", "PROJECT", "Ability to edit issues." },
    { "ASSIGN_ISSUES", "13", "Assign Issues", "PROJECT",
        "Ability to assign issues to other people." },
    { "ADD_COMMENTS", "15", "Add Comments", "PROJECT", "Ability to comment on issues." },
    { "ADMINISTER_PROJECTS", "23", "Administer Projects", "PROJECT",
        "Ability to administer a project in Jira." },
    { "ADMINISTER", "0", "Administer Jira", "GLOBAL",
        "Create and administer projects, issue types, fields, workflows, and schemes." },
};

bool isKnownPermission(const QString &key)
{
    for (const auto &p : kPermissions)
        if (key == QLatin1String(p.key))
            return true;
    return false;
}

const QByteArray kJson = "application/json;charset=UTF-8";
const QByteArray kHtml = "text/html;charset=UTF-8";

const QByteArray kLoginPage
    = "<!DOCTYPE html>\n<html><head><title>Log in - Jira</title></head><body>"
      "<form id=\"login-form\" method=\"post\" action=\"login.jsp\">"
      "<input name=\"os_username\"><input name=\"os_password\" type=\"password\">"
      "<button>Log in</button></form></body></html>\n";

QByteArray errorMessages(const QString &message)
{
    return json({ { "errorMessages", QJsonArray { message } }, { "errors", QJsonObject() } });
}

// Cloud's account ids are opaque; a stable one per name keeps tests reproducible.
QString derivedAccountId(const QString &name)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha1).toHex().left(24));
}

QString capitalised(const QString &name)
{
    return name.left(1).toUpper() + name.mid(1);
}

} // namespace

FakeJiraServer::FakeJiraServer(QObject *parent)
    : FakeHttpServer(QStringLiteral("Fake Jira Test CA"), parent)
    , m_accounts(builtInAccounts())
    , m_projects(builtInProjects())
{
    // Jira Cloud sends a Retry-After with most 429s; a test wants a short one.
    setRetryAfter("1");
}

QList<JiraAccount> FakeJiraServer::builtInAccounts()
{
    struct Row
    {
        const char *name;
        JiraBehaviour behaviour;
        QStringList lacking; // permissions not held
    };
    const Row rows[] = {
        { "verified", JiraBehaviour::Normal, {} },
        { "inactive", JiraBehaviour::Normal, {} },
        { "captcha", JiraBehaviour::Captcha, {} },
        { "seraph-denied", JiraBehaviour::SeraphDenied, {} },
        { "unauthorized", JiraBehaviour::Unauthorized, {} },
        { "throttled", JiraBehaviour::Throttle, {} },
        { "broken", JiraBehaviour::ServerError, {} },
        { "hang", JiraBehaviour::Hang, {} },
        { "slow", JiraBehaviour::Slow, {} },
        { "html", JiraBehaviour::Html, {} },
        { "not-jira", JiraBehaviour::NotJira, {} },
        { "no-create", JiraBehaviour::Normal, { kCreateIssues } },
        { "no-edit", JiraBehaviour::Normal, { kEditIssues } },
        { "no-browse", JiraBehaviour::Normal, { kBrowseProjects } },
        { "read-only", JiraBehaviour::Normal, { kCreateIssues, kEditIssues } },
    };
    QList<JiraAccount> out;
    for (const Row &r : rows) {
        JiraAccount a;
        a.name = QString::fromLatin1(r.name);
        a.emailAddress = a.name + QStringLiteral("@example.com");
        a.apiToken = a.name + QStringLiteral("-token");
        a.password = QStringLiteral("password");
        a.personalAccessToken = a.name + QStringLiteral("-pat");
        a.displayName = capitalised(a.name) + QStringLiteral(" User");
        a.active = a.name != QLatin1String("inactive");
        a.behaviour = r.behaviour;
        for (const QString &p : r.lacking)
            a.permissions.removeAll(p);
        out << a;
    }
    return out;
}

QList<JiraProject> FakeJiraServer::builtInProjects()
{
    return { { QStringLiteral("DEMO"), QStringLiteral("Demo project"), QString() },
        { QStringLiteral("TEST"), QStringLiteral("Test project"), QString() } };
}

QList<JiraProject> FakeJiraServer::generatedProjects(int n)
{
    QList<JiraProject> out;
    for (int i = 1; i <= n; ++i)
        out.append({ QStringLiteral("P%1").arg(i, 3, 10, QLatin1Char('0')),
            QStringLiteral("Project %1").arg(i), QString() });
    return out;
}

bool FakeJiraServer::loadAccounts(const QString &fileName, QString *error)
{
    QJsonArray array;
    if (!readAccountsFile(fileName, &array, error))
        return false;
    const auto permissionsOf = [&](const QJsonValue &v, QStringList *out) {
        *out = v.toVariant().toStringList();
        for (const QString &p : std::as_const(*out)) {
            if (!isKnownPermission(p)) {
                *error = QStringLiteral("%1: unknown permission \"%2\"").arg(fileName, p);
                return false;
            }
        }
        return true;
    };
    QList<JiraAccount> accounts;
    for (const QJsonValue &v : std::as_const(array)) {
        const QJsonObject o = v.toObject();
        JiraAccount a;
        a.name = o.value("name").toString();
        a.emailAddress = o.value("emailAddress").toString();
        if (a.name.isEmpty() && a.emailAddress.isEmpty()) {
            *error = QStringLiteral("%1: every account needs a \"name\" or an \"emailAddress\"")
                         .arg(fileName);
            return false;
        }
        if (a.name.isEmpty())
            a.name = a.emailAddress.section(QLatin1Char('@'), 0, 0);
        if (a.emailAddress.isEmpty())
            a.emailAddress = a.name + QStringLiteral("@example.com");
        a.apiToken = o.value("apiToken").toString();
        a.password = o.value("password").toString();
        a.personalAccessToken = o.value("personalAccessToken").toString();
        a.displayName = o.value("displayName").toString(capitalised(a.name));
        a.accountId = o.value("accountId").toString();
        a.key = o.value("key").toString();
        a.active = o.value("active").toBool(true);
        const QString behaviour = o.value("behaviour").toString(QStringLiteral("normal"));
        if (!enumFromId(behaviour, &a.behaviour)) {
            *error = QStringLiteral("%1: unknown behaviour \"%2\"").arg(fileName, behaviour);
            return false;
        }
        if (o.contains("permissions") && !permissionsOf(o.value("permissions"), &a.permissions))
            return false;
        if (o.contains("projects"))
            a.visibleProjects = o.value("projects").toVariant().toStringList();
        const QJsonObject perProject = o.value("projectPermissions").toObject();
        for (auto it = perProject.begin(); it != perProject.end(); ++it) {
            QStringList held;
            if (!permissionsOf(it.value(), &held))
                return false;
            a.projectPermissions.insert(it.key(), held);
        }
        accounts << a;
    }
    m_accounts = accounts;
    return true;
}

int FakeJiraServer::failedLogins(const QString &username) const
{
    return m_failedLogins.value(username);
}

FakeJiraServer::Caller FakeJiraServer::identify(const Request &request)
{
    Caller caller;
    if (!request.headers.contains("authorization"))
        return caller;
    caller.credentials = Credentials::Wrong;
    const bool cloud = m_flavour == JiraFlavour::Cloud;
    QString user;
    QString secret;
    if (basicCredentials(request, &user, &secret)) {
        for (int i = 0; i < m_accounts.size(); ++i) {
            const JiraAccount &a = m_accounts.at(i);
            if (cloud ? a.emailAddress.compare(user, Qt::CaseInsensitive) != 0 : a.name != user)
                continue;
            caller.account = i;
            const QString &expected = cloud ? a.apiToken : a.password;
            const bool right = !expected.isEmpty() && secret == expected;
            if (cloud) {
                caller.credentials = right ? Credentials::Valid : Credentials::Wrong;
            } else if (m_captchaThreshold > 0
                && m_failedLogins.value(a.name) >= m_captchaThreshold) {
                // Jira's login gate: once tripped, even the right password needs the web UI.
                caller.credentials = Credentials::LockedOut;
            } else if (right) {
                m_failedLogins.remove(a.name);
                caller.credentials = Credentials::Valid;
            } else {
                ++m_failedLogins[a.name];
            }
            break;
        }
        return caller;
    }
    // Cloud takes no API token as a Bearer token (those are for OAuth apps): always wrong.
    const QByteArray token = bearerToken(request);
    if (cloud || token.isEmpty())
        return caller;
    for (int i = 0; i < m_accounts.size(); ++i) {
        const QString &pat = m_accounts.at(i).personalAccessToken;
        if (!pat.isEmpty() && pat == QString::fromUtf8(token)) {
            caller.account = i;
            caller.credentials = Credentials::Valid;
            break;
        }
    }
    return caller;
}

void FakeJiraServer::handle(QTcpSocket *socket, const Request &request, int index)
{
    if (!isApiPath(request.path)) {
        route(socket, request, index, Caller());
        return;
    }
    // A rate limit (setRateLimit) comes before authentication, so that a throttled login is
    // not counted as a failed one. Answered like Cloud's 429s: Retry-After, X-RateLimit-Reset.
    if (overRateLimit()) {
        answerThrottled(socket, index);
        return;
    }
    Caller caller = identify(request);
    if (takeThrottle()) {
        answerThrottled(socket, index);
        return;
    }
    JiraBehaviour behaviour = m_behaviour;
    if (behaviour == JiraBehaviour::Normal && caller.account >= 0)
        behaviour = m_accounts.at(caller.account).behaviour;
    switch (behaviour) {
    case JiraBehaviour::Normal:
        break;
    case JiraBehaviour::Captcha:
        answerCaptcha(socket, request, index);
        return;
    case JiraBehaviour::SeraphDenied:
        caller.seraphDenied = true;
        break;
    case JiraBehaviour::Unauthorized:
        answerUnauthorized(socket, index);
        return;
    case JiraBehaviour::Throttle:
        answerThrottled(socket, index);
        return;
    case JiraBehaviour::ServerError:
        respond(socket, index, 500, kJson, errorMessages(QStringLiteral("Internal server error")));
        return;
    case JiraBehaviour::Hang:
        return;
    case JiraBehaviour::Html:
        respond(socket, index, 200, kHtml, kLoginPage);
        return;
    case JiraBehaviour::NotJira:
        respond(socket, index, 200, "application/json", R"({"status":"ok","version":"1.0"})");
        return;
    case JiraBehaviour::Slow:
        answerLater(socket,
            [this, request, index, caller](QTcpSocket *s) { route(s, request, index, caller); });
        return;
    }
    route(socket, request, index, caller);
}

void FakeJiraServer::route(
    QTcpSocket *socket, const Request &request, int index, const Caller &identified)
{
    Caller caller = identified;
    if (caller.account >= m_accounts.size())
        caller.account = -1; // setAccounts() ran while a slow answer was pending
    if (!isApiPath(request.path)) {
        // A wrong URL (or context path) looks like a web page, as against a real instance.
        respond(socket, index, 200, kHtml, kLoginPage);
        return;
    }
    // Jira's authentication filter runs before any resource: bad credentials fail every path.
    if (!caller.seraphDenied && caller.credentials == Credentials::Wrong) {
        answerUnauthorized(socket, index);
        return;
    }
    if (!caller.seraphDenied && caller.credentials == Credentials::LockedOut) {
        answerCaptcha(socket, request, index);
        return;
    }
    const JiraAccount *account
        = caller.seraphDenied || caller.account < 0 ? nullptr : &m_accounts.at(caller.account);
    const Headers headers = caller.seraphDenied
        ? Headers { { "X-Seraph-LoginReason", "AUTHENTICATION_DENIED" } }
        : Headers {};

    // {context}/rest/api/{version}/{resource}; Cloud has versions 2 and 3, Data Center 2.
    const QStringList parts = request.path.mid(contextPath().size() + 6).split(QLatin1Char('/'));
    const QString version = parts.value(1);
    const bool versionOk = version == QLatin1String("2") || version == QLatin1String("latest")
        || (version == QLatin1String("3") && m_flavour == JiraFlavour::Cloud);
    const QString resource = parts.mid(2).join(QLatin1Char('/'));
    const bool known = parts.value(0) == QLatin1String("api") && versionOk
        && (resource == QLatin1String("myself") || resource == QLatin1String("mypermissions")
            || resource == QLatin1String("project")
            || (parts.size() == 4 && parts.at(2) == QLatin1String("project")
                && !parts.at(3).isEmpty()));
    if (!known) {
        respond(socket, index, 404, kJson,
            json({ { "errorMessages",
                QJsonArray { QStringLiteral("null for uri: ") + requestBase(request)
                    + request.path.mid(contextPath().size()) } } }),
            headers);
        return;
    }
    if (request.method != "GET") {
        respond(socket, index, 405, kJson,
            errorMessages(QStringLiteral("Method %1 is not allowed here.")
                              .arg(QString::fromLatin1(request.method))),
            headers);
        return;
    }
    // Cloud pages its project list; Data Center has no project/search ("search" is a key there).
    if (m_flavour == JiraFlavour::Cloud && resource == QLatin1String("project/search"))
        answerProjectSearch(socket, request, index, account, headers);
    else if (resource == QLatin1String("myself"))
        answerMyself(socket, request, index, caller, version == QLatin1String("3") ? 3 : 2);
    else if (resource == QLatin1String("mypermissions"))
        answerPermissions(socket, request, index, account, headers);
    else
        answerProjects(socket, index, account, parts.value(3), headers);
}

void FakeJiraServer::answerMyself(
    QTcpSocket *socket, const Request &request, int index, const Caller &caller, int version)
{
    const QString api = requestBase(request) + QStringLiteral("/rest/api/%1/").arg(version);
    if (caller.seraphDenied) {
        // What Jira gives the anonymous user: a 200 that names nobody.
        respond(socket, index, 200, kJson,
            json({ { "self", api + QStringLiteral("myself") }, { "errorMessages", QJsonArray() } }),
            { { "X-Seraph-LoginReason", "AUTHENTICATION_DENIED" } });
        return;
    }
    if (caller.account < 0) {
        // /myself cannot be accessed anonymously.
        respond(socket, index, 401, kJson,
            errorMessages(QStringLiteral("You are not authenticated. Authentication required to "
                                         "perform this operation.")),
            { { "WWW-Authenticate", "Basic realm=\"protected-area\"" } });
        return;
    }
    const JiraAccount &a = m_accounts.at(caller.account);
    QJsonObject o { { "emailAddress", a.emailAddress }, { "displayName", a.displayName },
        { "active", a.active }, { "timeZone", "Europe/Berlin" }, { "avatarUrls", QJsonObject() } };
    if (m_flavour == JiraFlavour::Cloud) {
        const QString id = a.accountId.isEmpty() ? derivedAccountId(a.name) : a.accountId;
        o.insert("self", api + QStringLiteral("user?accountId=") + id);
        o.insert("accountId", id);
        o.insert("accountType", "atlassian");
        o.insert("locale", "en_US");
    } else {
        o.insert("self", api + QStringLiteral("user?username=") + a.name);
        o.insert("key",
            a.key.isEmpty() ? QStringLiteral("JIRAUSER%1").arg(10001 + caller.account) : a.key);
        o.insert("name", a.name);
        o.insert("deleted", false);
        o.insert("locale", "en_UK");
    }
    respond(socket, index, 200, kJson, json(o));
}

void FakeJiraServer::answerPermissions(QTcpSocket *socket, const Request &request, int index,
    const JiraAccount *account, const Headers &headers)
{
    const QUrlQuery query(request.query);
    QStringList wanted;
    const QStringList listed = query.queryItemValue(QStringLiteral("permissions"))
                                   .split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &p : listed)
        if (!p.trimmed().isEmpty())
            wanted << p.trimmed();
    if (wanted.isEmpty()) {
        respond(socket, index, 400, kJson,
            errorMessages(QStringLiteral("The 'permissions' query parameter is required.")),
            headers);
        return;
    }
    for (const QString &p : std::as_const(wanted)) {
        if (!isKnownPermission(p)) {
            respond(socket, index, 400, kJson,
                errorMessages(QStringLiteral("Invalid permission key: %1").arg(p)), headers);
            return;
        }
    }
    QStringList held = heldIn(account, QString());
    const QString projectKey = query.queryItemValue(QStringLiteral("projectKey"));
    if (query.hasQueryItem(QStringLiteral("projectKey"))) {
        if (!visibleProject(account, projectKey)) {
            respond(socket, index, 404, kJson,
                errorMessages(
                    QStringLiteral("No project could be found with key '%1'.").arg(projectKey)),
                headers);
            return;
        }
        held = heldIn(account, projectKey);
    }
    QJsonObject permissions;
    for (const auto &p : kPermissions) {
        const QString key = QString::fromLatin1(p.key);
        if (!wanted.contains(key))
            continue;
        permissions.insert(key,
            QJsonObject { { "id", p.id }, { "key", key }, { "name", p.name }, { "type", p.type },
                { "description", p.description }, { "havePermission", held.contains(key) } });
    }
    respond(socket, index, 200, kJson, json({ { "permissions", permissions } }), headers);
}

void FakeJiraServer::answerProjects(QTcpSocket *socket, int index, const JiraAccount *account,
    const QString &key, const Headers &headers)
{
    if (key.isEmpty()) {
        QJsonArray list;
        for (const JiraProject &p : std::as_const(m_projects))
            if (visibleProject(account, p.key))
                list.append(projectJson(p));
        respond(socket, index, 200, kJson, jsonArray(list), headers);
        return;
    }
    const JiraProject *project = visibleProject(account, key);
    if (!project) {
        respond(socket, index, 404, kJson,
            errorMessages(QStringLiteral("No project could be found with key '%1'.").arg(key)),
            headers);
        return;
    }
    respond(socket, index, 200, kJson, json(projectJson(*project)), headers);
}

void FakeJiraServer::answerProjectSearch(QTcpSocket *socket, const Request &request, int index,
    const JiraAccount *account, const Headers &headers)
{
    int startAt = 0;
    int maxResults = 0;
    QString error;
    if (!pageParameters(request, 50, 50, &startAt, &maxResults, &error)) {
        respond(socket, index, 400, kJson, errorMessages(error), headers);
        return;
    }
    QList<const JiraProject *> visible;
    for (const JiraProject &p : std::as_const(m_projects))
        if (visibleProject(account, p.key))
            visible << &p;
    QJsonArray values;
    for (qsizetype i = startAt; i < visible.size() && values.size() < maxResults; ++i)
        values.append(projectJson(*visible.at(i)));
    const int total = int(visible.size());
    const bool isLast = startAt + values.size() >= total;
    const QString page = requestBase(request) + request.path.mid(contextPath().size())
        + QStringLiteral("?startAt=%1&maxResults=%2");
    QJsonObject o { { "self", page.arg(startAt).arg(maxResults) }, { "maxResults", maxResults },
        { "startAt", startAt }, { "total", total }, { "isLast", isLast }, { "values", values } };
    if (!isLast && maxResults > 0) // maxResults=0 pages nowhere
        o.insert("nextPage", page.arg(startAt + maxResults).arg(maxResults));
    respond(socket, index, 200, kJson, json(o), headers);
}

QJsonObject FakeJiraServer::projectJson(const JiraProject &p) const
{
    const int position = int(&p - m_projects.constData());
    return { { "id", p.id.isEmpty() ? QString::number(10000 + position) : p.id }, { "key", p.key },
        { "name", p.name } };
}

void FakeJiraServer::answerUnauthorized(QTcpSocket *socket, int index)
{
    Headers headers { { "WWW-Authenticate", "Basic realm=\"protected-area\"" } };
    if (m_flavour == JiraFlavour::DataCenter)
        headers.append({ QByteArrayLiteral("X-Seraph-LoginReason"), "AUTHENTICATED_FAILED" });
    respond(socket, index, 401, kJson,
        errorMessages(QStringLiteral("Client must be authenticated to access this resource.")),
        headers);
}

void FakeJiraServer::answerCaptcha(QTcpSocket *socket, const Request &request, int index)
{
    const QByteArray reason
        = "CAPTCHA_CHALLENGE; login-url=" + requestBase(request).toUtf8() + "/login.jsp";
    Headers headers { { "X-Authentication-Denied-Reason", reason } };
    if (m_flavour == JiraFlavour::DataCenter)
        headers.append({ QByteArrayLiteral("X-Seraph-LoginReason"), "AUTHENTICATION_DENIED" });
    // Jira's own 403 here is a web page: what matters to a client is the header.
    respond(socket, index, 403, kHtml,
        "<html><body>Forbidden: log in through the web interface first.</body></html>", headers);
}

void FakeJiraServer::answerThrottled(QTcpSocket *socket, int index)
{
    // X-RateLimit-Reset is an ISO 8601 instant; Retry-After counts seconds from now.
    bool seconds = false;
    const int wait = retryAfter().toInt(&seconds);
    const QDateTime reset = QDateTime::currentDateTimeUtc().addSecs(seconds ? wait : 1);
    Headers headers { { "X-RateLimit-Reset", reset.toString(Qt::ISODate).toLatin1() } };
    if (!retryAfter().isEmpty())
        headers.append({ QByteArrayLiteral("Retry-After"), retryAfter() });
    respond(
        socket, index, 429, kJson, errorMessages(QStringLiteral("Rate limit exceeded.")), headers);
}

QStringList FakeJiraServer::heldIn(const JiraAccount *account, const QString &projectKey) const
{
    if (!account)
        return {}; // the anonymous user holds nothing here
    return account->projectPermissions.value(projectKey, account->permissions);
}

const JiraProject *FakeJiraServer::visibleProject(
    const JiraAccount *account, const QString &key) const
{
    if (!account)
        return nullptr;
    if (account->visibleProjects && !account->visibleProjects->contains(key))
        return nullptr;
    if (!heldIn(account, key).contains(kBrowseProjects))
        return nullptr; // without Browse Projects a project does not exist for the account
    for (const JiraProject &p : m_projects)
        if (p.key == key)
            return &p;
    return nullptr;
}

} // namespace cd::fake
