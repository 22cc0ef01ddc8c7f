#pragma once

// A small fake of Jama Connect's REST API on a loopback port, over http or https.
// Used in-process by the tests and by the standalone `fake-jama` tool (see README.md).
// It speaks just enough HTTP/1.1: one request per connection ("Connection: close").

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>
#include <memory>

class QTcpServer;
class QTcpSocket;

namespace cd::fake {

// What the server does with a request. Set globally (setBehaviour) or per account.
enum class Behaviour {
    Normal,
    Forbidden, // 403 with Jama's meta.message
    Throttle, // 429 (per account: always; use setThrottleCount for "n times, then normal")
    ServerError, // 500
    Slow, // answers normally after delayMs()
    NeverAnswer, // reads the request, never answers, keeps the connection open
    Oversized, // 200 application/json with a body larger than 1 MiB
    Html, // 200 text/html login page
    Malformed, // 200 application/json that is cut off
    NotFound, // 404
    RedirectHttp, // 301 to the same address over plain http
    RedirectOtherHost, // 307 to the other loopback name (127.0.0.1 <-> localhost)
    RedirectSameHost, // 307 to the same https host and path (once), then normal
};

QString behaviourId(Behaviour b); // "normal", "forbidden", "redirect-other-host", ...
bool behaviourFromId(const QString &id, Behaviour *b);

struct FakeAccount
{
    QString username;
    QString password;
    QString clientId; // oAuth client credentials; empty: none
    QString clientSecret;
    QString firstName;
    QString lastName;
    QString licenseType = QStringLiteral("NAMED");
    bool active = true;
    Behaviour behaviour = Behaviour::Normal;
};

struct RecordedRequest
{
    QByteArray method;
    QString path; // without query
    QString host; // Host header without the port
    bool hadAuthorization = false;
    QByteArray authScheme; // "Basic", "Bearer" or empty
    int status = 0; // what was answered; 0 when never answered
};

class FakeJamaServer : public QObject
{
    Q_OBJECT
public:
    explicit FakeJamaServer(QObject *parent = nullptr);
    ~FakeJamaServer() override;

    // TLS with a self-signed certificate made by `openssl` for 127.0.0.1 and localhost.
    // Call before listen(); false (with errorString()) when the certificate cannot be made.
    bool enableTls();
    // TLS with a leaf certificate signed by a CA of its own (caCertificate()), for tests
    // that trust that CA: a server whose chain is trusted.
    bool enableTlsSignedByCa();
    QSslCertificate caCertificate() const { return m_caCertificate; }
    bool isTls() const { return m_tls; }
    QSslCertificate certificate() const { return m_certificate; }
    QByteArray certificateSha256() const; // raw 32 bytes of the leaf's DER

    bool listen(quint16 port = 0, const QHostAddress &address = QHostAddress::LocalHost);
    quint16 port() const;
    QString errorString() const { return m_error; }
    // scheme://127.0.0.1:port{contextPath}; `host` swaps the host name (e.g. "localhost").
    QUrl baseUrl(const QString &host = QStringLiteral("127.0.0.1")) const;
    void setContextPath(const QString &path); // "" or "/contour"
    QString contextPath() const { return m_contextPath; }

    // Accounts. The server starts with builtInAccounts().
    static QList<FakeAccount> builtInAccounts();
    void setAccounts(const QList<FakeAccount> &accounts);
    void addAccount(const FakeAccount &account);
    QList<FakeAccount> accounts() const { return m_accounts; }
    // {"accounts":[{"username":..,"password":..,"clientId":..,"clientSecret":..,
    //   "firstName":..,"lastName":..,"licenseType":"NAMED","active":true,"behaviour":"normal"}]}
    bool loadAccounts(const QString &fileName, QString *error);

    // Knobs applying to every request (on top of per-account behaviours).
    void setBehaviour(Behaviour b) { m_behaviour = b; }
    void setThrottleCount(int n) { m_throttleRemaining = n; } // next n requests answer 429
    // A Retry-After header on every 429 ("2", or an HTTP date); empty: none.
    void setRetryAfter(const QByteArray &value) { m_retryAfter = value; }
    void setDelayMs(int ms) { m_delayMs = ms; } // for Behaviour::Slow
    int delayMs() const { return m_delayMs; }
    void setLegacyTokenFormat(bool on) { m_legacyToken = on; } // "bearer" plus extra fields
    void setUnknownPathStatus(int status) { m_unknownStatus = status; } // 200 (HTML) or 404
    void setOversizedWithLength(bool on) { m_oversizedWithLength = on; } // send Content-Length
    void setStallTlsHandshake(bool on) { m_stallHandshake = on; } // accept TCP, never handshake

    // What arrived.
    QList<RecordedRequest> requests() const { return m_requests; }
    int requestCount(const QString &pathSuffix = QString()) const;
    int requestCountForHost(const QString &host) const;
    int authorizedRequestCountForHost(const QString &host) const;
    void clearRequests() { m_requests.clear(); }

Q_SIGNALS:
    void requestHandled(const cd::fake::RecordedRequest &request);

private:
    struct Request;

    bool makeCertificate(bool signedByCa);
    void onNewConnection(qintptr descriptor);
    void onReadyRead(QTcpSocket *socket);
    void handle(QTcpSocket *socket, const Request &request);
    void route(QTcpSocket *socket, const Request &request, int recordIndex);
    void respond(QTcpSocket *socket, int recordIndex, int status, const QByteArray &contentType,
        const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    const FakeAccount *accountFor(const Request &request, bool *credentialsOk) const;

    class Server;
    std::unique_ptr<Server> m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers; // every open connection
    QSet<QTcpSocket *> m_answered; // a request was read: later bytes are ignored
    bool m_tls = false;
    std::unique_ptr<QTemporaryDir> m_certDir;
    QSslCertificate m_certificate;
    QSslCertificate m_caCertificate;
    QSslKey m_key;
    QString m_error;
    QString m_contextPath;
    QList<FakeAccount> m_accounts;
    QHash<QByteArray, QString> m_tokens; // access token -> username
    Behaviour m_behaviour = Behaviour::Normal;
    int m_throttleRemaining = 0;
    QByteArray m_retryAfter;
    int m_delayMs = 3000;
    bool m_legacyToken = false;
    int m_unknownStatus = 200;
    bool m_oversizedWithLength = false;
    bool m_stallHandshake = false;
    QList<RecordedRequest> m_requests;
};

} // namespace cd::fake

Q_DECLARE_METATYPE(cd::fake::RecordedRequest)
