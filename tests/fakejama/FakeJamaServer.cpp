#include "FakeJamaServer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>
#include <functional>

namespace cd::fake {

namespace {

const struct
{
    Behaviour behaviour;
    const char *id;
} kBehaviourIds[] = {
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

QByteArray reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 307:
        return "Temporary Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    default:
        return "Status";
    }
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray metaError(int status, const QString &message)
{
    return json({ { "meta",
        QJsonObject {
            { "status", QString::fromLatin1(reason(status)) }, { "message", message } } } });
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
    for (const auto &e : kBehaviourIds)
        if (e.behaviour == b)
            return QString::fromLatin1(e.id);
    return QStringLiteral("normal");
}

bool behaviourFromId(const QString &id, Behaviour *b)
{
    for (const auto &e : kBehaviourIds) {
        if (id == QLatin1String(e.id)) {
            *b = e.behaviour;
            return true;
        }
    }
    return false;
}

struct FakeJamaServer::Request
{
    QByteArray method;
    QString path;
    QString query;
    QString host;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

class FakeJamaServer::Server : public QTcpServer
{
public:
    std::function<void(qintptr)> onIncoming;

protected:
    void incomingConnection(qintptr descriptor) override { onIncoming(descriptor); }
};

FakeJamaServer::FakeJamaServer(QObject *parent)
    : QObject(parent)
    , m_server(new Server)
    , m_accounts(builtInAccounts())
{
    qRegisterMetaType<cd::fake::RecordedRequest>();
    m_server->onIncoming = [this](qintptr d) { onNewConnection(d); };
}

FakeJamaServer::~FakeJamaServer()
{
    // Sockets first, with their signals cut, so nothing calls back into a half-destroyed server.
    const QList<QTcpSocket *> sockets = m_buffers.keys();
    for (QTcpSocket *s : sockets) {
        disconnect(s, nullptr, this, nullptr);
        s->abort();
        delete s;
    }
    m_buffers.clear();
    m_server->close();
}

bool FakeJamaServer::enableTls()
{
    return makeCertificate(false);
}

bool FakeJamaServer::enableTlsSignedByCa()
{
    return makeCertificate(true);
}

bool FakeJamaServer::makeCertificate(bool signedByCa)
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        m_error = QStringLiteral("`openssl` was not found on PATH: it makes the fake server's "
                                 "self-signed certificate. Install it (apt-get install openssl).");
        return false;
    }
    m_certDir = std::make_unique<QTemporaryDir>();
    if (!m_certDir->isValid()) {
        m_error = QStringLiteral("Cannot create a temporary directory for the certificate.");
        return false;
    }
    const auto path = [this](const char *name) { return m_certDir->filePath(QLatin1String(name)); };
    const auto run = [&](const QStringList &args) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(openssl, args);
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0) {
            m_error = QStringLiteral("openssl could not make a certificate: %1")
                          .arg(QString::fromLocal8Bit(p.readAll()));
            return false;
        }
        return true;
    };
    const QString key = path("key.pem");
    const QString cert = path("cert.pem");
    const QString san = QStringLiteral("subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost");
    if (!signedByCa) {
        if (!run({ QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                key, QStringLiteral("-out"), cert, QStringLiteral("-subj"),
                QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"), san,
                QStringLiteral("-days"), QStringLiteral("2") }))
            return false;
    } else {
        // A CA of its own (which a test may trust) and a leaf signed by it: a server whose
        // chain is trusted, like one behind a TLS-inspecting proxy.
        const QString caKey = path("ca-key.pem");
        const QString caCert = path("ca.pem");
        const QString csr = path("leaf.csr");
        const QString ext = path("leaf.ext");
        QFile extFile(ext);
        if (!extFile.open(QIODevice::WriteOnly)
            || extFile.write(san.toUtf8().replace("subjectAltName=", "subjectAltName = ") + "\n")
                < 0) {
            m_error = QStringLiteral("Cannot write the certificate extensions file.");
            return false;
        }
        extFile.close();
        if (!run({ QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                caKey, QStringLiteral("-out"), caCert, QStringLiteral("-subj"),
                QStringLiteral("/CN=Fake Jama Test CA"), QStringLiteral("-days"),
                QStringLiteral("2") })
            || !run({ QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                QStringLiteral("-nodes"), QStringLiteral("-keyout"), key, QStringLiteral("-out"),
                csr, QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1") })
            || !run({ QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr,
                QStringLiteral("-CA"), caCert, QStringLiteral("-CAkey"), caKey,
                QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), cert,
                QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), ext }))
            return false;
        const QList<QSslCertificate> cas = QSslCertificate::fromPath(caCert);
        if (cas.isEmpty()) {
            m_error = QStringLiteral("Cannot read the CA certificate openssl made.");
            return false;
        }
        m_caCertificate = cas.first();
    }
    const QList<QSslCertificate> certs = QSslCertificate::fromPath(cert);
    QFile keyFile(key);
    if (certs.isEmpty() || !keyFile.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("Cannot read the certificate openssl made.");
        return false;
    }
    m_certificate = certs.first();
    m_key = QSslKey(&keyFile, QSsl::Rsa, QSsl::Pem);
    if (m_key.isNull()) {
        m_error = QStringLiteral("Cannot read the private key openssl made.");
        return false;
    }
    m_tls = true;
    return true;
}

QByteArray FakeJamaServer::certificateSha256() const
{
    return m_certificate.digest(QCryptographicHash::Sha256);
}

bool FakeJamaServer::listen(quint16 port, const QHostAddress &address)
{
    if (!m_server->listen(address, port)) {
        m_error = m_server->errorString();
        return false;
    }
    return true;
}

quint16 FakeJamaServer::port() const
{
    return m_server->serverPort();
}

QUrl FakeJamaServer::baseUrl(const QString &host) const
{
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(host);
    url.setPort(port());
    url.setPath(m_contextPath);
    return url;
}

void FakeJamaServer::setContextPath(const QString &path)
{
    m_contextPath = path;
    while (m_contextPath.endsWith(QLatin1Char('/')))
        m_contextPath.chop(1);
    if (!m_contextPath.isEmpty() && !m_contextPath.startsWith(QLatin1Char('/')))
        m_contextPath.prepend(QLatin1Char('/'));
}

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
    QFile f(fileName);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Cannot read %1: %2").arg(fileName, f.errorString());
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1 is not valid JSON: %2").arg(fileName, pe.errorString());
        return false;
    }
    const QJsonArray array = doc.isArray() ? doc.array() : doc.object().value("accounts").toArray();
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

int FakeJamaServer::requestCount(const QString &pathSuffix) const
{
    int n = 0;
    for (const RecordedRequest &r : m_requests)
        if (pathSuffix.isEmpty() || r.path.endsWith(pathSuffix))
            ++n;
    return n;
}

int FakeJamaServer::requestCountForHost(const QString &host) const
{
    int n = 0;
    for (const RecordedRequest &r : m_requests)
        if (r.host.compare(host, Qt::CaseInsensitive) == 0)
            ++n;
    return n;
}

int FakeJamaServer::authorizedRequestCountForHost(const QString &host) const
{
    int n = 0;
    for (const RecordedRequest &r : m_requests)
        if (r.hadAuthorization && r.host.compare(host, Qt::CaseInsensitive) == 0)
            ++n;
    return n;
}

void FakeJamaServer::onNewConnection(qintptr descriptor)
{
    QTcpSocket *socket = nullptr;
    if (m_tls) {
        auto *ssl = new QSslSocket(this);
        if (!ssl->setSocketDescriptor(descriptor)) {
            delete ssl;
            return;
        }
        ssl->setLocalCertificate(m_certificate);
        ssl->setPrivateKey(m_key);
        ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
        // The client decides about our certificate; a rejected handshake just closes.
        connect(ssl, &QSslSocket::sslErrors, ssl, [ssl] { ssl->ignoreSslErrors(); });
        if (!m_stallHandshake)
            ssl->startServerEncryption();
        socket = ssl;
    } else {
        socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
    }
    m_buffers.insert(socket, QByteArray());
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        m_buffers.remove(socket);
        m_answered.remove(socket);
        socket->deleteLater();
    });
}

void FakeJamaServer::onReadyRead(QTcpSocket *socket)
{
    if (m_answered.contains(socket)) {
        socket->readAll();
        return;
    }
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    if (!m_tls && buffer.size() >= 2 && buffer.at(0) == '\x16' && buffer.at(1) == '\x03') {
        // A TLS ClientHello on the plain-http port: answer like nginx or Apache do.
        m_answered.insert(socket);
        socket->write("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n"
                      "Content-Length: 0\r\nConnection: close\r\n\r\n");
        socket->disconnectFromHost();
        return;
    }
    const int headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (buffer.size() > 64 * 1024)
            socket->abort();
        return;
    }
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() < 3) {
        socket->abort();
        return;
    }
    Request req;
    req.method = requestLine.at(0);
    const QUrl target = QUrl::fromEncoded(requestLine.at(1));
    req.path = target.path();
    req.query = target.query();
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const int colon = line.indexOf(':');
        if (colon > 0)
            req.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    const qsizetype length = req.headers.value("content-length").toLongLong();
    if (buffer.size() < headerEnd + 4 + length)
        return; // wait for the body
    req.body = buffer.mid(headerEnd + 4, length);
    const QString hostHeader = QString::fromLatin1(req.headers.value("host"));
    if (hostHeader.startsWith(QLatin1Char('[')))
        req.host = hostHeader.mid(1, hostHeader.indexOf(QLatin1Char(']')) - 1);
    else
        req.host = hostHeader.section(QLatin1Char(':'), 0, 0);
    m_answered.insert(socket);
    buffer.clear();
    handle(socket, req);
}

const FakeAccount *FakeJamaServer::accountFor(const Request &request, bool *credentialsOk) const
{
    *credentialsOk = false;
    const QByteArray auth = request.headers.value("authorization");
    const bool token = request.path == m_contextPath + QStringLiteral("/rest/oauth/token");
    if (auth.startsWith("Basic ")) {
        const QByteArray decoded = QByteArray::fromBase64(auth.mid(6));
        const int colon = decoded.indexOf(':');
        if (colon < 0)
            return nullptr;
        const QString user = QString::fromUtf8(decoded.left(colon));
        const QString secret = QString::fromUtf8(decoded.mid(colon + 1));
        for (const FakeAccount &a : m_accounts) {
            if (token ? (!a.clientId.isEmpty() && a.clientId == user) : a.username == user) {
                *credentialsOk = token ? a.clientSecret == secret : a.password == secret;
                return &a;
            }
        }
    } else if (auth.startsWith("Bearer ") && !token) {
        const QString user = m_tokens.value(auth.mid(7).trimmed());
        for (const FakeAccount &a : m_accounts) {
            if (!user.isEmpty() && a.username == user) {
                *credentialsOk = true;
                return &a;
            }
        }
    }
    return nullptr;
}

void FakeJamaServer::handle(QTcpSocket *socket, const Request &request)
{
    RecordedRequest rec;
    rec.method = request.method;
    rec.path = request.path;
    rec.host = request.host;
    const QByteArray auth = request.headers.value("authorization");
    rec.hadAuthorization = !auth.isEmpty();
    rec.authScheme = auth.left(auth.indexOf(' '));
    m_requests.append(rec);
    const int index = m_requests.size() - 1;

    bool credentialsOk = false;
    const FakeAccount *account = accountFor(request, &credentialsOk);
    Behaviour behaviour = m_behaviour;
    if (behaviour == Behaviour::Normal && account)
        behaviour = account->behaviour;
    const bool api = request.path.startsWith(m_contextPath + QStringLiteral("/rest/"));
    const bool tokenPath = request.path == m_contextPath + QStringLiteral("/rest/oauth/token");

    QList<QPair<QByteArray, QByteArray>> throttleHeaders;
    if (!m_retryAfter.isEmpty())
        throttleHeaders.append({ QByteArrayLiteral("Retry-After"), m_retryAfter });
    if (api && m_throttleRemaining > 0) {
        --m_throttleRemaining;
        respond(socket, index, 429, kHtml, "<html><body>Too Many Requests</body></html>",
            throttleHeaders);
        return;
    }
    const QString scheme = m_tls ? QStringLiteral("https") : QStringLiteral("http");
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
    case Behaviour::Slow: {
        QPointer<QTcpSocket> guard(socket);
        QTimer::singleShot(m_delayMs, socket, [this, guard, request, index] {
            if (guard)
                route(guard, request, index);
        });
        return;
    }
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
        m_requests[index].status = 200;
        socket->write(head);
        socket->write(body);
        socket->disconnectFromHost();
        Q_EMIT requestHandled(m_requests.at(index));
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
    const QString tokenPath = m_contextPath + QStringLiteral("/rest/oauth/token");
    const QString userPath = m_contextPath + QStringLiteral("/rest/v1/users/current");
    const QList<QPair<QByteArray, QByteArray>> challenge { { "WWW-Authenticate",
        "Basic realm=\"Jama\"" } };
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
    if (request.path.startsWith(m_contextPath + QStringLiteral("/rest/"))) {
        respond(socket, index, 404, kJson, metaError(404, QStringLiteral("Resource not found")));
        return;
    }
    if (m_unknownStatus == 404)
        respond(socket, index, 404, kHtml, "<html><body><h1>404 Not Found</h1></body></html>");
    else
        respond(socket, index, 200, kHtml, kLoginPage);
}

void FakeJamaServer::respond(QTcpSocket *socket, int index, int status,
    const QByteArray &contentType, const QByteArray &body,
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) + "\r\n";
    out += "Content-Type: " + contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "Connection: close\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    out += "\r\n";
    out += body;
    socket->write(out);
    socket->disconnectFromHost();
    m_requests[index].status = status;
    Q_EMIT requestHandled(m_requests.at(index));
}

} // namespace cd::fake
