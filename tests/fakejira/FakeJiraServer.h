#pragma once

// A small fake of Jira's REST API (Cloud or Data Center) on a loopback port, over http or
// https, for the Jira connectors' checks (see /work/shared/jira-rest.md and README.md).
// Used in-process by the tests and by the standalone `fake-jira` tool. The HTTP, TLS and
// recording plumbing is FakeHttpServer's, the same as fake-jama's.

#include "FakeHttpServer.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace cd::fake {

enum class JiraFlavour {
    Cloud, // email + API token (Basic); /rest/api/3 and /rest/api/2
    DataCenter, // username + password (Basic) or personal access token (Bearer); /rest/api/2
};

// enumId(JiraFlavour::DataCenter) == "data-center"; enumFromId(text, &flavour).
template<> struct EnumIds<JiraFlavour>
{
    static constexpr EnumId<JiraFlavour> table[] = {
        { JiraFlavour::Cloud, "cloud" },
        { JiraFlavour::DataCenter, "data-center" },
    };
};

// What the server does with an API request that names the account (by its Basic user, right
// password or not, or by its personal access token). Set per account or globally.
enum class JiraBehaviour {
    Normal,
    Captcha, // 403, X-Authentication-Denied-Reason: CAPTCHA_CHALLENGE; login-url=...
    SeraphDenied, // answers as the anonymous user, X-Seraph-LoginReason: AUTHENTICATION_DENIED
    Unauthorized, // 401 whatever the credentials
    Throttle, // 429 with Retry-After and X-RateLimit-Reset (setThrottleCount: n times)
    ServerError, // 500
    Hang, // reads the request, never answers, keeps the connection open
    Html, // 200 text/html login page
    NotJira, // 200 application/json {"status":"ok","version":"1.0"}: JSON, not Jira's
    Slow, // answers normally after delayMs()
};

// The ids of accounts files: enumId(JiraBehaviour::SeraphDenied) == "seraph-denied".
template<> struct EnumIds<JiraBehaviour>
{
    static constexpr EnumId<JiraBehaviour> table[] = {
        { JiraBehaviour::Normal, "normal" },
        { JiraBehaviour::Captcha, "captcha" },
        { JiraBehaviour::SeraphDenied, "seraph-denied" },
        { JiraBehaviour::Unauthorized, "unauthorized" },
        { JiraBehaviour::Throttle, "throttle" },
        { JiraBehaviour::ServerError, "server-error" },
        { JiraBehaviour::Hang, "hang" },
        { JiraBehaviour::Html, "html" },
        { JiraBehaviour::NotJira, "not-jira" },
        { JiraBehaviour::Slow, "slow" },
    };
};

// The permissions the connector check asks for, which accounts hold by default.
inline const QString kBrowseProjects = QStringLiteral("BROWSE_PROJECTS");
inline const QString kCreateIssues = QStringLiteral("CREATE_ISSUES");
inline const QString kEditIssues = QStringLiteral("EDIT_ISSUES");

// One account serves both flavours: Cloud logs in with emailAddress + apiToken, Data Center
// with name + password or personalAccessToken. An empty secret never matches.
struct JiraAccount
{
    QString name; // Data Center username
    QString emailAddress; // Cloud login
    QString apiToken; // Cloud
    QString password; // Data Center
    QString personalAccessToken; // Data Center, sent as "Authorization: Bearer <token>"
    QString displayName;
    QString accountId; // Cloud's id; empty: derived from the name
    QString key; // Data Center's user key; empty: JIRAUSER<10001 + position>
    bool active = true;
    JiraBehaviour behaviour = JiraBehaviour::Normal;
    // Held in every project (and answered by mypermissions without projectKey).
    QStringList permissions { kBrowseProjects, kCreateIssues, kEditIssues };
    std::optional<QStringList> visibleProjects; // project keys; none: every project
    QHash<QString, QStringList> projectPermissions; // key -> held there instead of permissions
};

struct JiraProject
{
    QString key;
    QString name;
    QString id; // empty: 10000 + position
};

class FakeJiraServer : public FakeHttpServer
{
    Q_OBJECT
public:
    explicit FakeJiraServer(QObject *parent = nullptr); // Cloud, builtInAccounts/Projects()

    void setFlavour(JiraFlavour flavour) { m_flavour = flavour; }
    JiraFlavour flavour() const { return m_flavour; }

    // Accounts. The server starts with builtInAccounts().
    static QList<JiraAccount> builtInAccounts();
    void setAccounts(const QList<JiraAccount> &accounts) { m_accounts = accounts; }
    void addAccount(const JiraAccount &account) { m_accounts.append(account); }
    QList<JiraAccount> accounts() const { return m_accounts; }
    // {"accounts":[{"name":..,"emailAddress":..,"apiToken":..,"password":..,
    //   "personalAccessToken":..,"displayName":..,"active":true,"behaviour":"normal",
    //   "permissions":[..],"projects":[..],"projectPermissions":{"KEY":[..]}}]}
    bool loadAccounts(const QString &fileName, QString *error) override;

    // Projects, server-wide; an account sees those in its visibleProjects where it may browse.
    static QList<JiraProject> builtInProjects(); // DEMO, TEST
    // n projects with keys P001, P002, ..., names "Project 1", ... (ids 10000 + position).
    static QList<JiraProject> generatedProjects(int n);
    void setProjects(const QList<JiraProject> &projects) { m_projects = projects; }
    QList<JiraProject> projects() const { return m_projects; }

    // Knobs applying to every request (on top of per-account behaviours).
    void setBehaviour(JiraBehaviour b) { m_behaviour = b; }
    // Data Center: after this many failed Basic logins of one known username, every Basic
    // login of it answers 403 CAPTCHA_CHALLENGE until resetFailedLogins(); 0: never.
    void setCaptchaThreshold(int failures) { m_captchaThreshold = failures; }
    int failedLogins(const QString &username) const;
    void resetFailedLogins() { m_failedLogins.clear(); }

protected:
    void handle(QTcpSocket *socket, const Request &request, int index) override;

private:
    enum class Credentials { Missing, Valid, Wrong, LockedOut };
    struct Caller
    {
        int account = -1; // in m_accounts; -1: none named
        Credentials credentials = Credentials::Missing;
        bool seraphDenied = false; // answered as anonymous, with the Seraph header
    };

    Caller identify(const Request &request); // counts failed logins
    void route(QTcpSocket *socket, const Request &request, int index, const Caller &identified);
    void answerMyself(
        QTcpSocket *socket, const Request &request, int index, const Caller &caller, int version);
    void answerPermissions(QTcpSocket *socket, const Request &request, int index,
        const JiraAccount *account, const Headers &headers);
    void answerProjects(QTcpSocket *socket, int index, const JiraAccount *account,
        const QString &key, const Headers &headers);
    // Cloud's paged GET project/search.
    void answerProjectSearch(QTcpSocket *socket, const Request &request, int index,
        const JiraAccount *account, const Headers &headers);
    QJsonObject projectJson(const JiraProject &project) const; // {"id","key","name"}
    void answerUnauthorized(QTcpSocket *socket, int index);
    void answerCaptcha(QTcpSocket *socket, const Request &request, int index);
    void answerThrottled(QTcpSocket *socket, int index);
    QStringList heldIn(const JiraAccount *account, const QString &projectKey) const;
    const JiraProject *visibleProject(const JiraAccount *account, const QString &key) const;

    JiraFlavour m_flavour = JiraFlavour::Cloud;
    QList<JiraAccount> m_accounts;
    QList<JiraProject> m_projects;
    JiraBehaviour m_behaviour = JiraBehaviour::Normal;
    int m_captchaThreshold = 3;
    QHash<QString, int> m_failedLogins; // username -> failed Basic logins in a row
};

} // namespace cd::fake
