#pragma once

// A small fake of Jama Connect's REST API on a loopback port, over http or https.
// Used in-process by the tests and by the standalone `fake-jama` tool (see README.md).
// It speaks just enough HTTP/1.1: one request per connection ("Connection: close").

#include "FakeHttpServer.h"

#include <QHash>
#include <QList>
#include <QString>

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

// The Jama specifics; TLS, listening, the context path, the records and the shared knobs
// (setThrottleCount, setRetryAfter, setDelayMs, setStallTlsHandshake) are FakeHttpServer's.
class FakeJamaServer : public FakeHttpServer
{
    Q_OBJECT
public:
    explicit FakeJamaServer(QObject *parent = nullptr);

    // Accounts. The server starts with builtInAccounts().
    static QList<FakeAccount> builtInAccounts();
    void setAccounts(const QList<FakeAccount> &accounts);
    void addAccount(const FakeAccount &account);
    QList<FakeAccount> accounts() const { return m_accounts; }
    // {"accounts":[{"username":..,"password":..,"clientId":..,"clientSecret":..,
    //   "firstName":..,"lastName":..,"licenseType":"NAMED","active":true,"behaviour":"normal"}]}
    bool loadAccounts(const QString &fileName, QString *error) override;

    // Knobs applying to every request (on top of per-account behaviours).
    void setBehaviour(Behaviour b) { m_behaviour = b; }
    void setLegacyTokenFormat(bool on) { m_legacyToken = on; } // "bearer" plus extra fields
    void setUnknownPathStatus(int status) { m_unknownStatus = status; } // 200 (HTML) or 404
    void setOversizedWithLength(bool on) { m_oversizedWithLength = on; } // send Content-Length

protected:
    void handle(QTcpSocket *socket, const Request &request, int index) override;

private:
    void route(QTcpSocket *socket, const Request &request, int recordIndex);
    const FakeAccount *accountFor(const Request &request, bool *credentialsOk) const;

    QList<FakeAccount> m_accounts;
    QHash<QByteArray, QString> m_tokens; // access token -> username
    Behaviour m_behaviour = Behaviour::Normal;
    bool m_legacyToken = false;
    int m_unknownStatus = 200;
    bool m_oversizedWithLength = false;
};

} // namespace cd::fake
