#pragma once

// The plumbing the fake servers (fake-jama, fake-jira) share: a loopback HTTP/1.1 server, over
// http or https with a certificate made by `openssl`, recording what arrived. Like the real
// servers it keeps a connection open for the client's next request (keep-alive), unless the
// client asked to close or setKeepAlive(false); an answer written raw (writeResponse) closes. A
// fake derives from it and implements handle(); the wire format, TLS and the records stay the same
// for every fake.

#include <QByteArray>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>
#include <deque>
#include <functional>
#include <memory>

class QTcpSocket;

namespace cd::fake {

struct RecordedRequest
{
    QByteArray method;
    QString path; // without query
    QString query; // without the '?'; empty when none
    QString host; // Host header without the port
    bool hadAuthorization = false;
    QByteArray authScheme; // "Basic", "Bearer" or empty
    int status = 0; // what was answered; 0 when never answered
    // When the whole request had arrived and was recorded: milliseconds since the server was
    // constructed (a monotonic clock), for tests of how fast a client calls (maxRequestsWithin).
    qint64 receivedMs = 0;
};

QByteArray reasonPhrase(int status); // "Not Found" for 404
QByteArray json(const QJsonObject &object); // compact
QByteArray jsonArray(const QJsonArray &array);

// The string ids of an enum (behaviours in accounts files, options on the command line).
// Each enum's fake specialises it with `static constexpr EnumId<Enum> table[] = {...}`, so
// that the ids are listed once and converted by the same two functions.
template<typename Enum> struct EnumId
{
    Enum value;
    const char *id;
};

template<typename Enum> struct EnumIds;

// The id of `value`; the first row's id when the table lacks it.
template<typename Enum> QString enumId(Enum value)
{
    for (const auto &e : EnumIds<Enum>::table)
        if (e.value == value)
            return QString::fromLatin1(e.id);
    return QString::fromLatin1(EnumIds<Enum>::table[0].id);
}

template<typename Enum> bool enumFromId(const QString &id, Enum *value)
{
    for (const auto &e : EnumIds<Enum>::table) {
        if (id == QLatin1String(e.id)) {
            *value = e.value;
            return true;
        }
    }
    return false;
}

class FakeHttpServer : public QObject
{
    Q_OBJECT
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    // `caName`: the common name of the CA enableTlsSignedByCa() makes ("Fake Jama Test CA").
    explicit FakeHttpServer(const QString &caName, QObject *parent = nullptr);
    ~FakeHttpServer() override;

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

    // Replaces the accounts with those of a JSON file (each fake has its own fields).
    virtual bool loadAccounts(const QString &fileName, QString *error) = 0;

    // Knobs every fake has.
    void setThrottleCount(int n) { m_throttleRemaining = n; } // next n API requests answer 429
    // A Retry-After header on every 429 ("2", or an HTTP date); empty: none.
    void setRetryAfter(const QByteArray &value) { m_retryAfter = value; }
    QByteArray retryAfter() const { return m_retryAfter; }
    void setDelayMs(int ms) { m_delayMs = ms; } // for the "slow" behaviours
    int delayMs() const { return m_delayMs; }
    void setStallTlsHandshake(bool on) { m_stallHandshake = on; } // accept TCP, never handshake
    // An instance-wide throttle like Jama's (about 10 calls per second): an API request that
    // would be the (perSecond + 1)-th to arrive within the last 1000 ms is answered 429 by the
    // fake. Every arrival counts, also those answered 429, so a client that keeps calling stays
    // throttled. 0 (the default): off. Setting it starts afresh (arrivals and count forgotten).
    void setRateLimit(int perSecond);
    int rateLimit() const { return m_rateLimit; }
    int rateLimitedCount() const { return m_rateLimited; } // 429s of setRateLimit() so far
    // HTTP/1.1 keep-alive (on by default): a connection serves one request after another.
    // Off: every answer says "Connection: close" and closes, as a server behind a proxy may.
    void setKeepAlive(bool on) { m_keepAlive = on; }
    bool keepAlive() const { return m_keepAlive; }
    // Connections accepted so far (TCP, before any handshake); clearRequests() resets it too.
    int connectionCount() const { return m_connectionCount; }

    // What arrived.
    QList<RecordedRequest> requests() const { return m_requests; }
    int requestCount(const QString &pathSuffix = QString()) const;
    int requestCountForHost(const QString &host) const;
    int authorizedRequestCountForHost(const QString &host) const;
    void clearRequests()
    {
        m_requests.clear();
        m_connectionCount = 0;
    }
    // The most recorded requests (whose path starts with `pathPrefix`, when given, context
    // path included) that arrived within one half-open window [t, t + windowMs): how many
    // calls a client made at its fastest, e.g. maxRequestsWithin(1000) <= 10 for Jama.
    int maxRequestsWithin(int windowMs, const QString &pathPrefix = QString()) const;
    // The same for a list of times (any order): the most of them in one [t, t + windowMs).
    static int maxWithinWindow(QList<qint64> timesMs, int windowMs);

Q_SIGNALS:
    void requestHandled(const cd::fake::RecordedRequest &request);

protected:
    struct Request
    {
        QByteArray method;
        QString path;
        QString query;
        QString host;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };

    // One request, already recorded as requests()[index]. Answer it with respond() or
    // writeResponse() (now or later), or never, to leave the client waiting.
    virtual void handle(QTcpSocket *socket, const Request &request, int index) = 0;

    void respond(QTcpSocket *socket, int index, int status, const QByteArray &contentType,
        const QByteArray &body, const Headers &headers = {});
    // Writes `raw` (status line, headers and body as they are), then closes.
    void writeResponse(QTcpSocket *socket, int index, int status, const QByteArray &raw);
    // Calls `answer` after delayMs(), unless the client has gone by then.
    void answerLater(QTcpSocket *socket, std::function<void(QTcpSocket *)> answer);
    // Whether the request falls in a setThrottleCount() window; uses one of its n.
    bool takeThrottle();
    // startAt and maxResults of a list request's query: absent or empty, 0 and `defaultMax`;
    // maxResults above `cap` is cut to it (0 is allowed: no rows, only the totals). False
    // (with `error`) when one is not a whole number >= 0: the fake answers 400.
    static bool pageParameters(const Request &request, int defaultMax, int cap, int *startAt,
        int *maxResults, QString *error);
    // Whether this API request is over setRateLimit(); counts it as an arrival either way,
    // and as rate-limited (rateLimitedCount()) when it is. Call once per API request, before
    // authentication, and answer 429 when true.
    bool overRateLimit();
    bool isApiPath(const QString &path) const; // under {contextPath}/rest/
    // scheme://host:port{contextPath} as the client named the host, for links in answers.
    QString requestBase(const Request &request) const;

    // user and secret of an "Authorization: Basic" header; false when there is none.
    static bool basicCredentials(const Request &request, QString *user, QString *secret);
    // The token of an "Authorization: Bearer" header; empty when there is none.
    static QByteArray bearerToken(const Request &request);
    // The accounts of a file: a JSON array, or an object with an "accounts" array. `document`,
    // when given, gets that object (for a fake's other top-level fields); empty for an array.
    static bool readAccountsFile(const QString &fileName, QJsonArray *accounts, QString *error,
        QJsonObject *document = nullptr);

private:
    bool makeCertificate(bool signedByCa);
    void onNewConnection(qintptr descriptor);
    void onReadyRead(QTcpSocket *socket);
    // Writes an answer; keeps the connection for the next request when `keepOpen`.
    void finish(QTcpSocket *socket, int index, int status, const QByteArray &raw, bool keepOpen);
    bool keepsOpen(QTcpSocket *socket) const;

    class Server;
    std::unique_ptr<Server> m_server;
    QString m_caName;
    QHash<QTcpSocket *, QByteArray> m_buffers; // every open connection
    // A request was read and is not answered yet: later bytes wait in the buffer.
    QSet<QTcpSocket *> m_answered;
    QSet<QTcpSocket *> m_clientCloses; // the last request said "Connection: close" (or HTTP/1.0)
    QSet<QTcpSocket *> m_closing; // answered with "Connection: close": later bytes are ignored
    bool m_tls = false;
    std::unique_ptr<QTemporaryDir> m_certDir;
    QSslCertificate m_certificate;
    QSslCertificate m_caCertificate;
    QSslKey m_key;
    QString m_error;
    QString m_contextPath;
    int m_throttleRemaining = 0;
    QByteArray m_retryAfter;
    int m_delayMs = 3000;
    bool m_stallHandshake = false;
    QList<RecordedRequest> m_requests;
    QElapsedTimer m_clock; // started at construction: receivedMs and the rate limit
    int m_rateLimit = 0;
    int m_rateLimited = 0;
    bool m_keepAlive = true;
    int m_connectionCount = 0;
    std::deque<qint64> m_arrivals; // of API requests within the last second, oldest first
};

// What a fake tool says about itself.
struct FakeToolInfo
{
    QString name; // "fake-jama"
    QString description; // for --help
    int defaultDelayMs = 5000; // of --delay
    QString hint; // how to log in, printed on stderr once serving
    QString contextPathExample = QStringLiteral("/contour"); // for --help
    QString rateLimitNote {}; // appended to --rate-limit's help: what the real server does
};

// The command line every fake tool shares: --port, --tls, --context-path, --accounts, --delay,
// --rate-limit and --no-keep-alive, then the start-up: the base URL as the first line on stdout
// (what scripts read), the certificate's fingerprint on stderr, serving until killed. See
// runFakeServerTool().
class FakeServerTool
{
public:
    FakeServerTool(const FakeToolInfo &info, const QList<QCommandLineOption> &extraOptions);

    const QCommandLineParser &parser() const { return m_parser; } // also the extra options
    void setHint(const QString &hint) { m_info.hint = hint; }
    // Parses the arguments (exits on --help or an unknown option) and applies the shared
    // options to `server`; false (message on stderr) when one is bad: exit with 2.
    bool configure(FakeHttpServer &server);
    // Listens and serves until killed; returns the exit code.
    int serve(FakeHttpServer &server);
    // Prints "name: message" on stderr; returns `exitCode`.
    int fail(const QString &message, int exitCode) const;

private:
    FakeToolInfo m_info;
    QCommandLineParser m_parser;
    QCommandLineOption m_port;
    QCommandLineOption m_tls;
    QCommandLineOption m_contextPath;
    QCommandLineOption m_accounts;
    QCommandLineOption m_delay;
    QCommandLineOption m_rateLimit;
    QCommandLineOption m_noKeepAlive;
    quint16 m_portValue = 0;
};

// A fake tool's main(): the shared options plus `extraOptions`, which `apply` reads to set up
// the server (it returns 0, or the exit code of a bad value), then serving until killed.
template<typename Server>
int runFakeServerTool(int argc, char *argv[], const FakeToolInfo &info,
    const QList<QCommandLineOption> &extraOptions,
    const std::function<int(Server &, FakeServerTool &)> &apply)
{
    QCoreApplication app(argc, argv);
    FakeServerTool tool(info, extraOptions);
    Server server; // after the application: its sockets need the event dispatcher
    if (!tool.configure(server))
        return 2;
    if (const int code = apply(server, tool))
        return code;
    return tool.serve(server);
}

} // namespace cd::fake

Q_DECLARE_METATYPE(cd::fake::RecordedRequest)
