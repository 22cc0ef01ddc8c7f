#include "FakeHttpServer.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QPointer>
#include <QProcess>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <algorithm>
#include <cstdio>

namespace cd::fake {

QByteArray reasonPhrase(int status)
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

class FakeHttpServer::Server : public QTcpServer
{
public:
    std::function<void(qintptr)> onIncoming;

protected:
    void incomingConnection(qintptr descriptor) override { onIncoming(descriptor); }
};

FakeHttpServer::FakeHttpServer(const QString &caName, QObject *parent)
    : QObject(parent)
    , m_server(new Server)
    , m_caName(caName)
{
    qRegisterMetaType<cd::fake::RecordedRequest>();
    m_clock.start();
    m_server->onIncoming = [this](qintptr d) { onNewConnection(d); };
}

FakeHttpServer::~FakeHttpServer()
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

bool FakeHttpServer::enableTls()
{
    return makeCertificate(false);
}

bool FakeHttpServer::enableTlsSignedByCa()
{
    return makeCertificate(true);
}

bool FakeHttpServer::makeCertificate(bool signedByCa)
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
                QStringLiteral("/CN=") + m_caName, QStringLiteral("-days"), QStringLiteral("2") })
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

QByteArray FakeHttpServer::certificateSha256() const
{
    return m_certificate.digest(QCryptographicHash::Sha256);
}

bool FakeHttpServer::listen(quint16 port, const QHostAddress &address)
{
    if (!m_server->listen(address, port)) {
        m_error = m_server->errorString();
        return false;
    }
    return true;
}

quint16 FakeHttpServer::port() const
{
    return m_server->serverPort();
}

QUrl FakeHttpServer::baseUrl(const QString &host) const
{
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(host);
    url.setPort(port());
    url.setPath(m_contextPath);
    return url;
}

void FakeHttpServer::setContextPath(const QString &path)
{
    m_contextPath = path;
    while (m_contextPath.endsWith(QLatin1Char('/')))
        m_contextPath.chop(1);
    if (!m_contextPath.isEmpty() && !m_contextPath.startsWith(QLatin1Char('/')))
        m_contextPath.prepend(QLatin1Char('/'));
}

int FakeHttpServer::requestCount(const QString &pathSuffix) const
{
    int n = 0;
    for (const RecordedRequest &r : m_requests)
        if (pathSuffix.isEmpty() || r.path.endsWith(pathSuffix))
            ++n;
    return n;
}

int FakeHttpServer::requestCountForHost(const QString &host) const
{
    int n = 0;
    for (const RecordedRequest &r : m_requests)
        if (r.host.compare(host, Qt::CaseInsensitive) == 0)
            ++n;
    return n;
}

int FakeHttpServer::authorizedRequestCountForHost(const QString &host) const
{
    int n = 0;
    for (const RecordedRequest &r : m_requests)
        if (r.hadAuthorization && r.host.compare(host, Qt::CaseInsensitive) == 0)
            ++n;
    return n;
}

int FakeHttpServer::maxRequestsWithin(int windowMs, const QString &pathPrefix) const
{
    QList<qint64> times;
    for (const RecordedRequest &r : m_requests)
        if (pathPrefix.isEmpty() || r.path.startsWith(pathPrefix))
            times << r.receivedMs;
    return maxWithinWindow(times, windowMs);
}

int FakeHttpServer::maxWithinWindow(QList<qint64> timesMs, int windowMs)
{
    if (windowMs <= 0)
        return 0; // an empty window holds nothing
    std::sort(timesMs.begin(), timesMs.end());
    // A sliding window: timesMs[first..last] fit in [t, t + windowMs) exactly when their spread
    // is less than windowMs.
    int best = 0;
    qsizetype first = 0;
    for (qsizetype last = 0; last < timesMs.size(); ++last) {
        while (timesMs.at(last) - timesMs.at(first) >= windowMs)
            ++first;
        best = std::max(best, int(last - first + 1));
    }
    return best;
}

void FakeHttpServer::setRateLimit(int perSecond)
{
    m_rateLimit = std::max(0, perSecond);
    m_rateLimited = 0;
    m_arrivals.clear();
}

bool FakeHttpServer::overRateLimit()
{
    if (m_rateLimit <= 0)
        return false;
    const qint64 now = m_clock.elapsed();
    while (!m_arrivals.empty() && now - m_arrivals.front() >= 1000)
        m_arrivals.pop_front();
    // Jama counts calls, not successful calls: a 429 does not free a place in the window.
    const bool over = int(m_arrivals.size()) >= m_rateLimit;
    m_arrivals.push_back(now);
    if (over)
        ++m_rateLimited;
    return over;
}

void FakeHttpServer::onNewConnection(qintptr descriptor)
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
    ++m_connectionCount;
    m_buffers.insert(socket, QByteArray());
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        m_buffers.remove(socket);
        m_answered.remove(socket);
        m_clientCloses.remove(socket);
        m_closing.remove(socket);
        socket->deleteLater();
    });
}

void FakeHttpServer::onReadyRead(QTcpSocket *socket)
{
    if (m_closing.contains(socket) || !m_buffers.contains(socket)) {
        socket->readAll();
        return;
    }
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    if (m_answered.contains(socket))
        return; // the next request waits until this one is answered (no pipelining)
    if (!m_tls && buffer.size() >= 2 && buffer.at(0) == '\x16' && buffer.at(1) == '\x03') {
        // A TLS ClientHello on the plain-http port: answer like nginx or Apache do.
        m_closing.insert(socket);
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
    // HTTP/1.1 keeps the connection unless the client says close; HTTP/1.0 closes.
    const QByteArray connection = req.headers.value("connection").toLower();
    if (connection.contains("close")
        || (requestLine.at(2).trimmed() == "HTTP/1.0" && !connection.contains("keep-alive")))
        m_clientCloses.insert(socket);
    else
        m_clientCloses.remove(socket);
    const QString hostHeader = QString::fromLatin1(req.headers.value("host"));
    if (hostHeader.startsWith(QLatin1Char('[')))
        req.host = hostHeader.mid(1, hostHeader.indexOf(QLatin1Char(']')) - 1);
    else
        req.host = hostHeader.section(QLatin1Char(':'), 0, 0);
    m_answered.insert(socket);
    buffer.remove(0, headerEnd + 4 + length); // what is left is the client's next request

    RecordedRequest rec;
    rec.method = req.method;
    rec.path = req.path;
    rec.query = req.query;
    rec.host = req.host;
    const QByteArray auth = req.headers.value("authorization");
    rec.hadAuthorization = !auth.isEmpty();
    rec.authScheme = auth.left(auth.indexOf(' '));
    rec.receivedMs = m_clock.elapsed();
    m_requests.append(rec);
    handle(socket, req, int(m_requests.size() - 1));
}

void FakeHttpServer::respond(QTcpSocket *socket, int index, int status,
    const QByteArray &contentType, const QByteArray &body, const Headers &headers)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: " + contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    const bool keepOpen = keepsOpen(socket);
    out += keepOpen ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    out += "\r\n";
    out += body;
    finish(socket, index, status, out, keepOpen);
}

bool FakeHttpServer::keepsOpen(QTcpSocket *socket) const
{
    return m_keepAlive && !m_clientCloses.contains(socket) && !m_closing.contains(socket)
        && socket->state() == QAbstractSocket::ConnectedState;
}

void FakeHttpServer::writeResponse(QTcpSocket *socket, int index, int status, const QByteArray &raw)
{
    finish(socket, index, status, raw, false);
}

void FakeHttpServer::finish(
    QTcpSocket *socket, int index, int status, const QByteArray &raw, bool keepOpen)
{
    socket->write(raw);
    if (keepOpen) {
        m_answered.remove(socket);
        // A request that arrived meanwhile is read now, from the event loop.
        if (!m_buffers.value(socket).isEmpty()) {
            QPointer<QTcpSocket> guard(socket);
            QTimer::singleShot(0, this, [this, guard] {
                if (guard)
                    onReadyRead(guard);
            });
        }
    } else {
        m_closing.insert(socket);
        socket->disconnectFromHost();
    }
    // clearRequests() may have run while a slow answer was pending: its record is gone.
    if (index >= m_requests.size())
        return;
    m_requests[index].status = status;
    Q_EMIT requestHandled(m_requests.at(index));
}

void FakeHttpServer::answerLater(QTcpSocket *socket, std::function<void(QTcpSocket *)> answer)
{
    QPointer<QTcpSocket> guard(socket);
    QTimer::singleShot(m_delayMs, socket, [guard, answer = std::move(answer)] {
        if (guard)
            answer(guard);
    });
}

bool FakeHttpServer::takeThrottle()
{
    if (m_throttleRemaining <= 0)
        return false;
    --m_throttleRemaining;
    return true;
}

bool FakeHttpServer::pageParameters(
    const Request &request, int defaultMax, int cap, int *startAt, int *maxResults, QString *error)
{
    const QUrlQuery query(request.query);
    const auto number = [&](const QString &name, int fallback, int *value) {
        const QString text = query.queryItemValue(name, QUrl::FullyDecoded);
        if (text.isEmpty()) {
            *value = fallback;
            return true;
        }
        bool ok = false;
        *value = text.toInt(&ok);
        if (ok && *value >= 0)
            return true;
        *error
            = QStringLiteral("%1 must be a whole number, 0 or more (got \"%2\")").arg(name, text);
        return false;
    };
    if (!number(QStringLiteral("startAt"), 0, startAt)
        || !number(QStringLiteral("maxResults"), defaultMax, maxResults))
        return false;
    *maxResults = std::min(*maxResults, cap);
    return true;
}

bool FakeHttpServer::isApiPath(const QString &path) const
{
    return path.startsWith(m_contextPath + QStringLiteral("/rest/"));
}

QString FakeHttpServer::requestBase(const Request &request) const
{
    return baseUrl(request.host.isEmpty() ? QStringLiteral("127.0.0.1") : request.host).toString();
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray jsonArray(const QJsonArray &array)
{
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

bool FakeHttpServer::basicCredentials(const Request &request, QString *user, QString *secret)
{
    const QByteArray auth = request.headers.value("authorization");
    if (!auth.startsWith("Basic "))
        return false;
    const QByteArray decoded = QByteArray::fromBase64(auth.mid(6));
    const int colon = decoded.indexOf(':');
    if (colon < 0)
        return false;
    *user = QString::fromUtf8(decoded.left(colon));
    *secret = QString::fromUtf8(decoded.mid(colon + 1));
    return true;
}

QByteArray FakeHttpServer::bearerToken(const Request &request)
{
    const QByteArray auth = request.headers.value("authorization");
    return auth.startsWith("Bearer ") ? auth.mid(7).trimmed() : QByteArray();
}

bool FakeHttpServer::readAccountsFile(
    const QString &fileName, QJsonArray *accounts, QString *error, QJsonObject *document)
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
    *accounts = doc.isArray() ? doc.array() : doc.object().value("accounts").toArray();
    if (document)
        *document = doc.object(); // empty for an array
    return true;
}

FakeServerTool::FakeServerTool(
    const FakeToolInfo &info, const QList<QCommandLineOption> &extraOptions)
    : m_info(info)
    , m_port(QStringLiteral("port"), QStringLiteral("Port to listen on (0: any free port)."),
          QStringLiteral("port"), QStringLiteral("0"))
    , m_tls(QStringLiteral("tls"),
          QStringLiteral("Serve https with a fresh self-signed certificate."))
    , m_contextPath(QStringLiteral("context-path"),
          QStringLiteral("Context path, e.g. %1.").arg(info.contextPathExample),
          QStringLiteral("path"))
    , m_accounts(QStringLiteral("accounts"),
          QStringLiteral("JSON file of accounts replacing the built-in ones."),
          QStringLiteral("file"))
    , m_delay(QStringLiteral("delay"), QStringLiteral("Delay of the \"slow\" behaviour in ms."),
          QStringLiteral("ms"), QString::number(info.defaultDelayMs))
    , m_rateLimit(QStringLiteral("rate-limit"),
          QStringLiteral("Answer 429 to an API request over N within the last second (every "
                         "request counts, also those answered 429); 0: off.%1")
              .arg(
                  info.rateLimitNote.isEmpty() ? QString() : QLatin1Char(' ') + info.rateLimitNote),
          QStringLiteral("n"), QStringLiteral("0"))
    , m_noKeepAlive(QStringLiteral("no-keep-alive"),
          QStringLiteral("Close every connection after one answer (\"Connection: close\"); by "
                         "default a connection serves one request after another, as the real "
                         "server's does."))
{
    QCoreApplication::setApplicationName(info.name);
    m_parser.setApplicationDescription(info.description);
    m_parser.addHelpOption();
    m_parser.addOptions(
        { m_port, m_tls, m_contextPath, m_accounts, m_delay, m_rateLimit, m_noKeepAlive });
    m_parser.addOptions(extraOptions);
}

bool FakeServerTool::configure(FakeHttpServer &server)
{
    m_parser.process(*QCoreApplication::instance());
    bool ok = false;
    const uint port = m_parser.value(m_port).toUInt(&ok);
    if (!ok || port > 65535) {
        fail(QStringLiteral("--port needs a number from 0 to 65535"), 2);
        return false;
    }
    m_portValue = quint16(port);
    server.setKeepAlive(!m_parser.isSet(m_noKeepAlive));
    const int delay = m_parser.value(m_delay).toInt(&ok);
    if (!ok || delay < 0) {
        fail(QStringLiteral("--delay needs a number of milliseconds"), 2);
        return false;
    }
    const int rateLimit = m_parser.value(m_rateLimit).toInt(&ok);
    if (!ok || rateLimit < 0) {
        fail(QStringLiteral("--rate-limit needs a number of requests per second (0: off)"), 2);
        return false;
    }
    if (m_parser.isSet(m_accounts)) {
        QString error;
        if (!server.loadAccounts(m_parser.value(m_accounts), &error)) {
            fail(error, 2);
            return false;
        }
    }
    server.setContextPath(m_parser.value(m_contextPath));
    server.setDelayMs(delay);
    server.setRateLimit(rateLimit);
    return true;
}

int FakeServerTool::serve(FakeHttpServer &server)
{
    if (m_parser.isSet(m_tls) && !server.enableTls())
        return fail(server.errorString(), 1);
    if (!server.listen(m_portValue))
        return fail(QStringLiteral("cannot listen: ") + server.errorString(), 1);
    std::printf("%s\n", server.baseUrl().toString().toUtf8().constData());
    std::fflush(stdout);
    if (server.isTls()) {
        std::fprintf(stderr, "%s: certificate SHA-256 %s\n", qPrintable(m_info.name),
            server.certificateSha256().toHex(':').toUpper().constData());
    }
    std::fprintf(stderr, "%s: serving; %s\n", qPrintable(m_info.name), qPrintable(m_info.hint));
    return QCoreApplication::exec();
}

int FakeServerTool::fail(const QString &message, int exitCode) const
{
    std::fprintf(stderr, "%s: %s\n", qPrintable(m_info.name), qPrintable(message));
    return exitCode;
}

} // namespace cd::fake
