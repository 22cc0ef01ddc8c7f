#pragma once

// One check of a connector's URL and credentials against a Jama Connect instance.
//
// State diagram (Status):
//
//   Idle
//    |
//    +-> start() -- oAuth --> RequestingToken   POST {base}/rest/oauth/token
//    |                          |   Basic client credentials, grant_type=client_credentials
//    |                          |   200 + token_type bearer --> RequestingUser (Bearer token)
//    |                          |   429 --> BackingOff --> RequestingToken (same request)
//    |                          |   anything else --> Finished (Failed)
//    |
//    +-> start() -- Basic --> RequestingUser    GET {base}/rest/v1/users/current
//                               |   preemptive Basic header, or the Bearer token
//                               |   200 + active + NAMED     --> Finished (Verified)
//                               |   200 + active + FLOATING  --> Finished (Warning)
//                               |   200 + inactive / other license --> Finished (Failed)
//                               |   429 --> BackingOff --> RequestingUser (same request)
//                               |   anything else --> Finished (Failed)
//
//   BackingOff waits as long as the answer's Retry-After says (seconds or an HTTP date), else
//   3, 5, 8, 13 s (setBackoffSchedule), as long as the wait and one more request fit in the
//   total timeout; otherwise the check fails as throttled with retryAt set (the queue tries
//   again then).
//
//   TLS: every check has its own QNetworkAccessManager, so no connection, per-host channel or
//   TLS session (and no ignoreSslErrors decision) is shared between checks; connections are
//   reused only within one check. Errors are ignored only as the exact list reported for
//   this handshake: with Verify SSL off, or for the pinned certificate. A pinned connector
//   trusts no CA at all, so its pin decides whether or not the chain would be trusted (Verify
//   SSL off does not loosen a pin). encrypted() checks the pin again before anything is
//   sent, and an answer over a connection whose certificate this check did not accept is
//   refused.
//   A redirect (at most 3, https and the same host only) re-sends the current request to the
//   new address in the same state; any other redirect fails the check before anything is sent.
//   A 401 is never retried: repeated bad sign-ins lock Jama accounts.
//
//   Any state --cancel()--> Finished (Failed, Failure::Cancelled)
//   Any state --timeout---> Finished (Failed, Failure::Timeout): the connect timeout runs from
//   sending a request until the connection is up (TLS handshake done or request sent); the
//   total timeout covers the whole check, back-off included.
//
// `finished` is emitted exactly once per started job (and once for a job cancelled before it
// started); the destructor aborts whatever runs and emits nothing.

#include "Connector.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QMetaType>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QSslError>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <optional>

class QNetworkAccessManager;

namespace cd {

struct ValidationRequest
{
    QUrl baseUrl; // normalised instance base, e.g. https://host or https://host/contour
    AuthType authType = AuthType::Basic;
    QString identity; // username (Basic) or client ID (oAuth)
    QString secret; // password or client secret: never logged
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
        Forbidden,
        NotJama,
        Throttled,
        ServerError,
        BadAnswer,
        Redirect,
        Inactive,
        License,
        Network,
        NoSecret, // no secret stored in the keychain (set by ValidationQueue)
        Keychain // the keychain failed or did not answer (set by ValidationQueue)
    };
    Failure failure = Failure::None;
    QString message; // user-facing, says what to do next
    AccountInfo account; // filled when users/current answered
    // set on a TLS failure (or when verifySsl is off and errors were ignored)
    std::optional<CertificateInfo> certificate;
    // On a TLS failure of a pinned connector: the pin the presented certificate did not match.
    QByteArray expectedSha256;
    // Throttled: when the server (Retry-After) or the back-off schedule says to try again.
    QDateTime retryAt;
    int httpStatus = 0;
    bool credentialsRejected() const { return failure == Failure::CredentialsRejected; }
    // true for failures where the network/server was not reachable (ConnectionRefused,
    // Timeout, Proxy, Network, Throttled): a queue retries these later. HostNotFound is not
    // among them: while online it is the URL or the VPN, and it is checked again when the
    // network changes (ValidationQueue::networkChanged), not on a timer.
    bool isTransient() const;
};

class ValidationJob : public QObject
{
    Q_OBJECT
public:
    enum class Status { Idle, RequestingToken, RequestingUser, BackingOff, Finished };
    Q_ENUM(Status)

    // The answer body is capped: a bigger answer is not Jama's and is aborted.
    static constexpr qint64 MaxBodyBytes = 1024 * 1024;
    static constexpr int MaxRedirects = 3;

    ValidationJob(QNetworkAccessManager *nam, ValidationRequest request, QObject *parent = nullptr);
    ~ValidationJob() override; // aborts anything running, emits nothing

    void setTimeouts(int connectMs, int totalMs); // defaults 15000 / 30000
    void setBackoffSchedule(const QList<int> &ms); // default {3000,5000,8000,13000}
    void start();
    void cancel(); // finishes with Failure::Cancelled (emits finished once)
    Status status() const;
    const ValidationResult &result() const;

Q_SIGNALS:
    void statusChanged(cd::ValidationJob::Status status);
    void finished(const cd::ValidationResult &result); // exactly once per started job

private:
    enum class Step { Token, User };

    void setStatus(Status status);
    void sendStep(Step step, const QUrl &url);
    void releaseReply();
    void onConnectionUp();
    void onReadyRead();
    void onMetaDataChanged();
    void onSslErrors(const QList<QSslError> &errors);
    void onEncrypted();
    void refuseTls(const QString &why);
    void failTls();
    void probePlainHttp(const QString &otherwise);
    void onReplyFinished();
    void onConnectTimeout();
    void onTotalTimeout();
    void handleNetworkError(QNetworkReply::NetworkError error, const QString &errorString);
    void handleHttpAnswer(int httpStatus, const QString &contentType, const QByteArray &location);
    void handleRedirect(const QByteArray &location);
    void handleTokenAnswer(const QString &contentType);
    void handleUserAnswer(const QString &contentType);
    void backOffOrFail();
    void failOversized(int httpStatus);
    void failNotJama();
    void fail(ValidationResult::Failure failure, const QString &message);
    void finish(ValidationResult result);
    QUrl endpoint(Step step) const;
    QString hostText() const;
    QNetworkProxy proxyInUse() const;
    QNetworkProxy proxyFor(const QUrl &url) const;

public:
    // Retry-After (RFC 9110): delay-seconds or an HTTP date; nullopt when absent or unreadable.
    static std::optional<qint64> retryAfterMs(const QByteArray &header, const QDateTime &now);

private:
    QPointer<QNetworkAccessManager> m_nam; // only its proxy settings are used
    QNetworkAccessManager *m_network = nullptr; // this check's own connections (a child)
    ValidationRequest m_request;
    Status m_status = Status::Idle;
    bool m_started = false;
    ValidationResult m_result;
    int m_connectMs = 15000;
    int m_totalMs = 30000;
    QList<int> m_backoff { 3000, 5000, 8000, 13000 };
    int m_backoffIndex = 0;
    int m_redirects = 0;
    Step m_step = Step::User;
    QUrl m_currentUrl;
    QPointer<QNetworkReply> m_reply;
    QPointer<QNetworkReply> m_probe; // "does this port speak plain http?" (no credentials)
    QByteArray m_body;
    QByteArray m_bearerToken;
    bool m_connectionUp = false;
    std::optional<CertificateInfo> m_tlsProblem; // errors that were not ignored
    std::optional<CertificateInfo> m_ignoredCertificate; // errors ignored (verifySsl off)
    QString m_tlsRefusal; // why an established connection was refused (pin, not accepted)
    bool m_refusedAfterSending = false; // refused at the answer: the request had gone out
    QByteArray m_acceptedPeer; // SHA-256 of the certificate this check accepted
    QByteArray m_retryAfter; // Retry-After of the last answer
    QDateTime m_retryAt;
    int m_throttled = 0; // 429 answers retried so far
    QElapsedTimer m_elapsed;
    QTimer m_connectTimer;
    QTimer m_totalTimer;
    QTimer m_backoffTimer;
};

} // namespace cd

Q_DECLARE_METATYPE(cd::ValidationResult)
