#pragma once

// A small fake of Jama Connect's REST API on a loopback port, over http or https.
// Used in-process by the tests and by the standalone `fake-jama` tool (see README.md).
// It speaks just enough HTTP/1.1: one request per connection ("Connection: close").

#include "FakeHttpServer.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

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
    // The project keys the account sees (projects, projects/{id}, items); nullopt: every one.
    std::optional<QStringList> visibleProjects;
    // Visible, but reading their items answers 403 (the account lacks read rights there).
    QStringList unreadableProjects;
};

// A project (or project folder) of the instance, server-wide; each account sees some of them.
struct FakeProject
{
    int id = 0;
    QString key; // projectKey
    QString name;
    bool isFolder = false;
    int itemCount = 3; // items?project={id} lists this many fake items
};

// The Jama specifics; TLS, listening, the context path, the records and the shared knobs
// (setThrottleCount, setRetryAfter, setDelayMs, setStallTlsHandshake, setRateLimit) are
// FakeHttpServer's.
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
    //   "firstName":..,"lastName":..,"licenseType":"NAMED","active":true,"behaviour":"normal",
    //   "projects":["DEMO",..],"unreadableProjects":["TEST",..]}],
    //  "projects":[{"id":20,"key":"DEMO","name":"Demo project","isFolder":false,"items":3}]}
    // An account without "projects" sees every project. The top-level "projects", when
    // present, replaces the server's projects. Nothing changes when the file has an error.
    bool loadAccounts(const QString &fileName, QString *error) override;

    // Projects, server-wide. The server starts with builtInProjects().
    static QList<FakeProject> builtInProjects(); // 20 DEMO "Demo project", 21 TEST "Test project"
    // n projects with ids firstId, firstId + 1, ..., keys P001, P002, ..., names "Project 1", ...
    static QList<FakeProject> generatedProjects(int n, int firstId = 100);
    void setProjects(const QList<FakeProject> &projects) { m_projects = projects; }
    QList<FakeProject> projects() const { return m_projects; }

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
    void answerProjects(QTcpSocket *socket, const Request &request, int index,
        const FakeAccount &account, const QString &id);
    void answerItems(
        QTcpSocket *socket, const Request &request, int index, const FakeAccount &account);
    // The project with this id if the account sees it; nullptr when it is missing or hidden.
    const FakeProject *visibleProject(const FakeAccount &account, int id) const;

    QList<FakeAccount> m_accounts;
    QList<FakeProject> m_projects;
    QHash<QByteArray, QString> m_tokens; // access token -> username
    Behaviour m_behaviour = Behaviour::Normal;
    bool m_legacyToken = false;
    int m_unknownStatus = 200;
    bool m_oversizedWithLength = false;
};

} // namespace cd::fake
