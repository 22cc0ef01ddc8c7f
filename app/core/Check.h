#pragma once

// What one check of a connector asks and answers, apart from how it travels.
//
// ValidationJob is the transport every application shares: its own connections, the
// connect and total timeouts, the body cap, the redirect rules, TLS and pins, back-off on
// 429, network errors. A CheckProtocol is the part an application provider adds: which
// requests to send, with which credentials, and what the answers mean. The job sends the
// protocol's first step; every HTTP answer that is not a redirect or a 429 goes to
// answer(), which says what to send next, or how the check ends, or leaves the answer to the
// job's common rules (404: no API here; 5xx: server error; anything else: unexpected).

#include "Connector.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <optional>

namespace cd {

struct ValidationRequest
{
    QUrl baseUrl; // normalised instance base, e.g. https://host or https://host/contour
    QString application = QStringLiteral("jama-connect"); // an id of the Applications registry
    QString authType = QStringLiteral("basic"); // an auth method id of that application
    QString identity; // username, client ID, email; empty for a method without one
    QString secret; // password, client secret, token: never logged
    bool verifySsl = true;
    QByteArray pinnedSha256; // raw 32-byte SHA-256 of the trusted leaf certificate's DER, or empty
    // The connector's scope: the projects its integrations use (Jama keys or ids, Jira keys).
    // Each is checked for being found and readable.
    QStringList projects;
    // Page through every project the account can see and return them (for completion in the
    // dialog); otherwise the listing stops once the scope is resolved and the count known.
    bool listProjects = false;
};

// A project the account can see, as the server listed it (text made inert).
struct ProjectRef
{
    QString key; // Jama projectKey, Jira key
    QString id; // the server's id
    QString name;
};

struct CertificateInfo
{
    QString subject, issuer;
    QDateTime notBefore, notAfter;
    QByteArray sha256; // raw 32 bytes
    QStringList errors; // human-readable QSslError strings
    QString fingerprintText() const; // "AB:CD:..." upper-case hex pairs
};

struct ValidationResult
{
    ValidationStatus status = ValidationStatus::Failed; // Verified, Warning or Failed
    enum class Failure {
        None,
        Cancelled,
        HostNotFound,
        ConnectionRefused,
        Timeout,
        Proxy,
        Tls,
        CredentialsRejected,
        // The server wants the account to sign in once in a browser (Jira's CAPTCHA): the
        // credentials may be right, but sending them again before that only locks it more.
        LoginChallenge,
        Forbidden,
        NoApi, // no REST API of the application at this URL
        Throttled,
        ServerError,
        BadAnswer,
        Redirect,
        Inactive,
        License,
        Network,
        NoSecret, // no secret stored in the keychain (set by ValidationQueue)
        // An application or auth method this version does not know (a newer Connector Desk
        // wrote it): not checked, and nothing recorded (set by ValidationQueue).
        Unsupported,
        Keychain, // the keychain failed or did not answer (set by ValidationQueue)
        // Signed in, but a project of the connector's scope is not found or not readable.
        ProjectAccess
    };
    Failure failure = Failure::None;
    QString message; // user-facing, says what to do next
    AccountInfo account; // filled when the server said who the credentials belong to
    // set on a TLS failure (or when verifySsl is off and errors were ignored)
    std::optional<CertificateInfo> certificate;
    // On a TLS failure of a pinned connector: the pin the presented certificate did not match.
    QByteArray expectedSha256;
    // Throttled: when the server (Retry-After) or the back-off schedule says to try again.
    QDateTime retryAt;
    int httpStatus = 0;
    // The checklist: every step with pass / warn / fail / unknown and one sentence, in the
    // order they are checked (reachable, secure-connection, credentials, ...).
    QList<CheckItem> checks;
    // With ValidationRequest::listProjects: every project the account can see.
    QList<ProjectRef> visibleProjects;
    // Never sent again automatically (401, a login challenge): only an edit, a new secret or
    // an explicit check sends these credentials again.
    bool credentialsRejected() const
    {
        return failure == Failure::CredentialsRejected || failure == Failure::LoginChallenge;
    }
    // true for failures where the network/server was not reachable (ConnectionRefused,
    // Timeout, Proxy, Network, Throttled): a queue retries these later. HostNotFound is not
    // among them: while online it is the URL or the VPN, and it is checked again when the
    // network changes (ValidationQueue::networkChanged), not on a timer.
    bool isTransient() const;
};

// Which part of a check a step is (shown as ValidationJob::Status).
enum class CheckPhase { Token, Account, Permissions, Projects };

// One request of a check, relative to the connector's base URL.
struct CheckStep
{
    CheckPhase phase = CheckPhase::Account;
    QByteArray verb = QByteArrayLiteral("GET"); // GET or POST
    QString path; // appended to the base URL's path: "/rest/v1/users/current"
    QString query; // encoded, without "?": "permissions=BROWSE_PROJECTS"
    QByteArray authorization; // the Authorization header's value
    QByteArray contentType; // of a POST body
    QByteArray body;
};

// An HTTP answer as the job received it (over a connection this check accepted).
struct CheckAnswer
{
    // httpStatus of an answer of a Projects step that was larger than the body cap: the
    // protocol says the list could not be read, instead of the whole check failing.
    static constexpr int TooLarge = -1;
    int httpStatus = 0;
    QString contentType;
    QByteArray body; // at most ValidationJob::MaxBodyBytes
    QList<QPair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
    bool looksLikeHtml() const;
    // The body as a JSON object; nullopt when it is not one.
    std::optional<QJsonObject> jsonObject() const;
};

// What a protocol makes of an answer.
struct CheckOutcome
{
    std::optional<CheckStep> next; // send this
    std::optional<ValidationResult> result; // or end with this
    // neither: the job's common rules decide (404/405/410, 5xx, HTML, unexpected status)

    static CheckOutcome send(CheckStep step);
    static CheckOutcome finish(ValidationResult result);
    static CheckOutcome fail(ValidationResult::Failure failure, const QString &message);
    static CheckOutcome commonRules() { return {}; }
};

class CheckProtocol
{
public:
    virtual ~CheckProtocol() = default;
    // The product named in the job's own messages: "Jama", "Jira".
    virtual QString productName() const = 0;
    virtual CheckStep first() = 0;
    virtual CheckOutcome answer(const CheckAnswer &answer) = 0;
    // "No Jama REST API at this URL (…)": a wrong URL or context path.
    virtual QString noApiMessage(const QUrl &baseUrl) const = 0;
    // The protocol's part of the checklist as far as the check got: the steps it planned and
    // did not reach are Unknown ("Not checked: …"). The job puts its own steps (reachable,
    // secure connection) in front. A protocol without one gets just the job's steps.
    virtual QList<CheckItem> checklist() const { return {}; }
    // With ValidationRequest::listProjects: what the server listed so far.
    virtual QList<ProjectRef> visibleProjects() const { return {}; }
    // The checklist step the request last sent answers ("credentials", "project:ACME"): when
    // the check fails there (a timeout, 429, 5xx), the job says so in that step.
    virtual QString stepInFlight() const { return {}; }
};

// Builds a protocol's checklist: steps are planned up front (Unknown, "Not checked") and set
// as the answers come in, so a check that stops early still says what it did not check.
class Checklist
{
public:
    void plan(const QString &id, const QString &label);
    // Sets a planned step (or appends it, with `label`, when it was not planned).
    void set(const QString &id, CheckStatus status, const QString &message,
        const QString &label = QString());
    bool has(const QString &id) const;
    const QList<CheckItem> &items() const { return m_items; }

    // The steps every protocol with projects shares, worded once:
    // one "project:<KEY>" step per project of the scope, planned;
    void planScope(const QStringList &scope);
    // "projects-visible" for `count` projects seen (`complete`: the whole list was read).
    void setProjectsVisible(int count, bool complete);
    // Appended to a verdict when the list of projects could not be read.
    static QString notListedNote();

private:
    QList<CheckItem> m_items;
};

// The checklist id of a scoped project: "project:ACME".
QString projectCheckId(const QString &key);

// Authorization header values.
QByteArray basicAuthorization(const QString &user, const QString &password);
QByteArray bearerAuthorization(const QString &token);

} // namespace cd

Q_DECLARE_METATYPE(cd::ValidationResult)
