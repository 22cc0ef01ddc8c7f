#pragma once

// One check of a connector's URL and credentials against its instance: the transport every
// application shares. What is asked and what the answers mean is the application's
// CheckProtocol (see Check.h), made by its provider (Applications::find(application)).
//
// State diagram (Status), the phases of the protocol's steps:
//
//   Idle
//    |
//    +-> start() --> first step (RequestingToken | RequestingUser)
//                      |  2xx/4xx answers --> protocol.answer(): next step, or Finished
//                      |  (Jama: token --> users/current --> projects (RequestingProjects);
//                      |   Jira: myself --> mypermissions = RequestingPermissions --> projects)
//                      |  3xx --> redirect rules below, same step
//                      |  429 --> BackingOff --> the same step again
//                      |  404/405/410, HTML, 5xx, unexpected status --> Finished (Failed)
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
//   A 401 is never retried (protocols end the check on it): repeated bad sign-ins lock
//   accounts.
//
//   Pacing: before each request the job takes a slot of the instance's rate from the
//   process-wide RequestPacer (the provider's callsPerSecond(): Jama 10). Many checks of one
//   instance together stay within it; the wait does not count against the total timeout.
//
//   The result carries a checklist (ValidationResult::checks): the job's "reachable" and
//   "secure-connection" first, then the protocol's steps; a step the check did not reach is
//   Unknown, saying why.
//
//   Any state --cancel()--> Finished (Failed, Failure::Cancelled)
//   Any state --timeout---> Finished (Failed, Failure::Timeout): the connect timeout runs from
//   sending a request until the connection is up (TLS handshake done or request sent); the
//   total timeout covers the whole check, back-off included.
//
// `finished` is emitted exactly once per started job (and once for a job cancelled before it
// started); the destructor aborts whatever runs and emits nothing.

#include "Check.h"

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
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace cd {

class ValidationJob : public QObject
{
    Q_OBJECT
public:
    enum class Status {
        Idle,
        RequestingToken,
        RequestingUser,
        RequestingPermissions,
        RequestingProjects,
        BackingOff,
        Finished
    };
    Q_ENUM(Status)

    // The answer body is capped: a bigger answer is not an API's and is aborted.
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
    void setStatus(Status status);
    void setPhase(CheckPhase phase);
    void sendStep(const CheckStep &step, const QUrl &url);
    void transmit(); // sends m_step to m_currentUrl now
    QList<CheckItem> transportChecks(const ValidationResult &result) const;
    QString stoppedAt(ValidationResult::Failure failure) const; // the failing step's sentence
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
    void handleHttpAnswer(const CheckAnswer &answer, const QByteArray &location);
    void handleRedirect(const QByteArray &location);
    void backOffOrFail();
    void failOversized(int httpStatus);
    void failNoApi();
    void fail(ValidationResult::Failure failure, const QString &message);
    void finish(ValidationResult result);
    QUrl endpoint(const CheckStep &step) const;
    QString product() const;
    QString hostText() const;
    QNetworkProxy proxyInUse() const;

public:
    // The proxy `nam` would use for `url` (its factory, its proxy, or the application's).
    static QNetworkProxy proxyFor(const QNetworkAccessManager *nam, const QUrl &url);
    // The proxy to use instead of asking the manager: for a check that runs on another thread
    // than the manager it was given (ValidationQueue's checks thread). Before start().
    void setProxy(const QNetworkProxy &proxy) { m_proxy = proxy; }

    // Retry-After (RFC 9110): delay-seconds or an HTTP date; nullopt when absent or unreadable.
    static std::optional<qint64> retryAfterMs(const QByteArray &header, const QDateTime &now);

private:
    QPointer<QNetworkAccessManager> m_nam; // only its proxy settings are used
    std::optional<QNetworkProxy> m_proxy; // setProxy(): instead of m_nam's
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
    std::unique_ptr<CheckProtocol> m_protocol; // the application's part; null: unknown
    CheckStep m_step;
    QUrl m_currentUrl;
    QPointer<QNetworkReply> m_reply;
    QPointer<QNetworkReply> m_probe; // "does this port speak plain http?" (no credentials)
    QByteArray m_body;
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
    // Waiting for a slot within the instance's rate (RequestPacer): the total timeout does not
    // run meanwhile, so a busy instance delays checks instead of failing them.
    QTimer m_paceTimer;
    int m_callsPerSecond = 0; // the provider's documented rate; 0: not paced
    int m_totalRemainingMs = 0;
    qint64 m_pausedMs = 0;
    QElapsedTimer m_pausedSince;
    bool m_answered = false; // an HTTP answer arrived over an accepted connection
    bool m_everConnected = false; // a connection was up at least once
};

} // namespace cd
