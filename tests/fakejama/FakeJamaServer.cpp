#include "FakeJamaServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QUuid>

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

const QByteArray kJson = "application/json";
const QByteArray kHtml = "text/html;charset=UTF-8";

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
{ }

QList<FakeAccount> FakeJamaServer::builtInAccounts()
{
    struct Row
    {
        const char *username;
        const char *license;
        bool active;
        Behaviour behaviour;
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
        out << a;
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
    if (!readAccountsFile(fileName, &array, error))
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
        accounts << a;
    }
    m_accounts = accounts;
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
        respond(socket, index, 429, kHtml, "<html><body>Too Many Requests</body></html>",
            throttleHeaders);
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
        respond(socket, index, 429, kHtml, "<html><body>Too Many Requests</body></html>",
            throttleHeaders);
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
    if (request.path == userPath) {
        if (request.method != "GET") {
            respond(socket, index, 405, kJson, metaError(405, QStringLiteral("Use GET")));
            return;
        }
        if (!account || !credentialsOk) {
            respond(socket, index, 401, kJson,
                metaError(401, QStringLiteral("Full authentication is required")), challenge);
            return;
        }
        const int id = int(account - m_accounts.constData()) + 1;
        QJsonObject data { { "id", id }, { "username", account->username },
            { "firstName", account->firstName }, { "lastName", account->lastName },
            { "email", account->username + QStringLiteral("@example.com") }, { "phone", "" },
            { "title", "" }, { "location", "" }, { "licenseType", account->licenseType },
            { "active", account->active }, { "type", "users" } };
        respond(socket, index, 200, kJson,
            json({ { "meta",
                       QJsonObject {
                           { "status", "OK" }, { "timestamp", "2024-05-02T10:00:00.000+0000" } } },
                { "links", QJsonObject() }, { "data", data } }));
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

} // namespace cd::fake
