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
        Keychain // the keychain failed or did not answer (set by ValidationQueue)
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
enum class CheckPhase { Token, Account, Permissions };

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
};

// Authorization header values.
QByteArray basicAuthorization(const QString &user, const QString &password);
QByteArray bearerAuthorization(const QString &token);

} // namespace cd

Q_DECLARE_METATYPE(cd::ValidationResult)
