#include "ValidationJob.h"

#include "Applications.h"
#include "Log.h"
#include "RequestPacer.h"
#include "Text.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLocale>
#include <QMetaObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <utility>

namespace cd {

namespace {

using Failure = ValidationResult::Failure;

constexpr int kTransferGuardMs = 5000;

QString subjectText(const QSslCertificate &cert, bool issuer)
{
    const struct
    {
        QSslCertificate::SubjectInfo info;
        const char *key;
    } parts[] = { { QSslCertificate::CommonName, "CN" },
        { QSslCertificate::OrganizationalUnitName, "OU" }, { QSslCertificate::Organization, "O" },
        { QSslCertificate::CountryName, "C" } };
    QStringList out;
    for (const auto &p : parts) {
        const QStringList values = issuer ? cert.issuerInfo(p.info) : cert.subjectInfo(p.info);
        for (const QString &v : values)
            out << QLatin1String(p.key) + QLatin1Char('=') + Text::inert(v);
    }
    return out.join(QStringLiteral(", "));
}

CertificateInfo certificateInfo(const QSslCertificate &cert, const QList<QSslError> &errors)
{
    CertificateInfo info;
    if (!cert.isNull()) {
        info.subject = subjectText(cert, false);
        info.issuer = subjectText(cert, true);
        info.notBefore = cert.effectiveDate();
        info.notAfter = cert.expiryDate();
        info.sha256 = cert.digest(QCryptographicHash::Sha256);
    }
    for (const QSslError &e : errors)
        info.errors << e.errorString();
    return info;
}

QString dateText(const QDateTime &dt)
{
    return dt.isValid()
        ? QLocale().toString(dt.toUTC(), QLocale::ShortFormat) + QStringLiteral(" UTC")
        : QCoreApplication::translate("ValidationJob", "unknown");
}

QString certificateText(const CertificateInfo &c)
{
    return QCoreApplication::translate("ValidationJob",
        "Subject: %1. Issuer: %2. Valid from %3 to %4. "
        "SHA-256 fingerprint: %5.")
        .arg(c.subject, c.issuer, dateText(c.notBefore), dateText(c.notAfter), c.fingerprintText());
}

QString seconds(int ms)
{
    return QLocale().toString((ms + 999) / 1000);
}

} // namespace

QString CertificateInfo::fingerprintText() const
{
    return QString::fromLatin1(sha256.toHex(':').toUpper());
}

bool ValidationResult::isTransient() const
{
    switch (failure) {
    case Failure::ConnectionRefused:
    case Failure::Timeout:
    case Failure::Proxy:
    case Failure::Network:
    case Failure::Throttled:
        return true;
    default:
        return false;
    }
}

ValidationJob::ValidationJob(QNetworkAccessManager *nam, ValidationRequest request, QObject *parent)
    : QObject(parent)
    , m_nam(nam)
    , m_request(std::move(request))
{
    if (const ApplicationProvider *provider = Applications::find(m_request.application)) {
        m_protocol = provider->createCheck(m_request);
        m_callsPerSecond = provider->callsPerSecond();
    }
    static const int registered = qRegisterMetaType<cd::ValidationResult>();
    Q_UNUSED(registered);
    for (QTimer *t : { &m_connectTimer, &m_totalTimer, &m_backoffTimer, &m_paceTimer })
        t->setSingleShot(true);
    // A coarse timer may fire 5 % early: more than the pacer's headroom.
    m_paceTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_paceTimer, &QTimer::timeout, this, [this] {
        m_pausedMs += m_pausedSince.elapsed();
        m_totalTimer.start(qMax(1, m_totalRemainingMs));
        transmit();
    });
    connect(&m_connectTimer, &QTimer::timeout, this, &ValidationJob::onConnectTimeout);
    connect(&m_totalTimer, &QTimer::timeout, this, &ValidationJob::onTotalTimeout);
    connect(&m_backoffTimer, &QTimer::timeout, this, [this] {
        setPhase(m_step.phase);
        sendStep(m_step, m_currentUrl);
    });
}

ValidationJob::~ValidationJob()
{
    releaseReply();
}

void ValidationJob::setTimeouts(int connectMs, int totalMs)
{
    m_connectMs = qMax(1, connectMs);
    m_totalMs = qMax(1, totalMs);
}

void ValidationJob::setBackoffSchedule(const QList<int> &ms)
{
    m_backoff = ms;
}

ValidationJob::Status ValidationJob::status() const
{
    return m_status;
}

const ValidationResult &ValidationJob::result() const
{
    return m_result;
}

void ValidationJob::setStatus(Status status)
{
    if (m_status == status)
        return;
    m_status = status;
    Q_EMIT statusChanged(status);
}

QString ValidationJob::hostText() const
{
    const QUrl &u = m_request.baseUrl;
    const QString host = u.host().contains(QLatin1Char(':'))
        ? QLatin1Char('[') + u.host() + QLatin1Char(']')
        : u.host();
    return u.port() > 0 ? QStringLiteral("%1:%2").arg(host).arg(u.port()) : host;
}

void ValidationJob::setPhase(CheckPhase phase)
{
    switch (phase) {
    case CheckPhase::Token:
        setStatus(Status::RequestingToken);
        return;
    case CheckPhase::Account:
        setStatus(Status::RequestingUser);
        return;
    case CheckPhase::Permissions:
        setStatus(Status::RequestingPermissions);
        return;
    case CheckPhase::Projects:
        setStatus(Status::RequestingProjects);
        return;
    }
}

QString ValidationJob::product() const
{
    return m_protocol ? m_protocol->productName()
                      : QCoreApplication::translate("ValidationJob", "The server");
}

QUrl ValidationJob::endpoint(const CheckStep &step) const
{
    QUrl url = m_request.baseUrl;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + step.path);
    url.setQuery(step.query.isEmpty() ? QString() : step.query, QUrl::StrictMode);
    url.setFragment(QString());
    return url;
}

void ValidationJob::start()
{
    if (m_status != Status::Idle || m_started)
        return;
    m_started = true;

    const QUrl &base = m_request.baseUrl;
    const QString scheme = base.scheme().toLower();
    QString problem;
    if (!m_nam)
        problem = QCoreApplication::translate("ValidationJob",
            "Internal error: no network access. Restart the "
            "application and try again.");
    else if (!m_protocol)
        problem = QCoreApplication::translate("ValidationJob",
            "This version of Connector Desk cannot check this connector (application "
            "“%1”, authentication “%2”). Update Connector Desk, or check it in a version "
            "that knows them.")
                      .arg(Text::inert(m_request.application), Text::inert(m_request.authType));
    else if (!base.isValid() || base.host().isEmpty()
        || (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        problem = QCoreApplication::translate("ValidationJob",
            "“%1” is not an http or https address. Enter the "
            "address of the %2 instance.")
                      .arg(base.toDisplayString(QUrl::RemoveUserInfo), product());
    else if (!base.userInfo().isEmpty())
        problem = QCoreApplication::translate("ValidationJob",
            "The URL contains a user name or password. Remove "
            "them from the URL and enter them in the "
            "credential fields instead.");
    if (!problem.isEmpty()) {
        // Never emit from inside start(): callers may still be wiring things up.
        setPhase(m_protocol ? m_protocol->first().phase : CheckPhase::Account);
        QMetaObject::invokeMethod(
            this, [this, problem] { fail(m_nam ? Failure::NoApi : Failure::Network, problem); },
            Qt::QueuedConnection);
        return;
    }

    qCInfo(lcNet).noquote() << "validation: checking" << base.toDisplayString(QUrl::RemoveUserInfo)
                            << "application" << m_request.application << "auth"
                            << m_request.authType << "verifySsl" << m_request.verifySsl << "pinned"
                            << !m_request.pinnedSha256.isEmpty();
    // This check's own connections: nothing another check decided about TLS (Verify SSL off,
    // a pin, a certificate trusted a moment ago) lives in a connection, a per-host channel or
    // a TLS session that this check could reuse, and nothing of this check outlives it.
    // Only the proxy is taken from the manager we were given.
    m_network = new QNetworkAccessManager(this);
    m_network->setProxy(m_proxy ? *m_proxy : proxyFor(m_nam, base));
    m_elapsed.start();
    m_totalTimer.start(m_totalMs);
    const CheckStep step = m_protocol->first();
    setPhase(step.phase);
    sendStep(step, endpoint(step));
}

void ValidationJob::cancel()
{
    if (m_status == Status::Finished)
        return;
    qCInfo(lcNet) << "validation: cancelled";
    m_started = true;
    fail(Failure::Cancelled,
        QCoreApplication::translate("ValidationJob",
            "The check was cancelled. Start it again "
            "to verify the connector."));
}

void ValidationJob::sendStep(const CheckStep &step, const QUrl &url)
{
    releaseReply();
    m_step = step;
    m_currentUrl = url;
    const qint64 wait
        = RequestPacer::instance().reserve(RequestPacer::instanceKey(url), m_callsPerSecond);
    if (wait > 0) {
        qCDebug(lcNet) << "validation: pacing, next request in" << wait << "ms";
        m_totalRemainingMs = m_totalTimer.isActive() ? m_totalTimer.remainingTime() : m_totalMs;
        m_totalTimer.stop();
        m_pausedSince.start();
        m_paceTimer.start(int(wait));
        return;
    }
    transmit();
}

void ValidationJob::transmit()
{
    const CheckStep &step = m_step;
    const QUrl &url = m_currentUrl;
    m_body.clear();
    m_connectionUp = false;
    m_tlsProblem.reset();
    m_tlsRefusal.clear();

    QNetworkRequest req(url);
    if (url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        // A pin decides alone: with no CA to chain to, every handshake reports its errors to
        // onSslErrors(), before anything is sent, and only the pinned certificate passes,
        // also when its chain would be trusted (a TLS-inspecting proxy, a re-issued
        // certificate).
        if (!m_request.pinnedSha256.isEmpty())
            tls.setCaCertificates({});
        req.setSslConfiguration(tls);
    }
    // Redirects are checked by hand: Qt would follow them to another host with our header.
    req.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    req.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // A session cookie of an earlier check must not stand in for the credentials under test.
    req.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::AuthenticationReuseAttribute, QNetworkRequest::Manual);
    // An extra guard, later than our own timers: at the same moment as the total timeout, a
    // busy machine could let it fire first and say "timed out" without what to do next.
    req.setTransferTimeout(m_totalMs + kTransferGuardMs);
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    req.setRawHeader("Accept", "application/json");
    req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("ConnectorDesk"));

    if (!step.authorization.isEmpty())
        req.setRawHeader("Authorization", step.authorization);
    QNetworkReply *reply = nullptr;
    qCDebug(lcNet).noquote() << "validation:" << step.verb
                             << url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    if (step.verb == "POST") {
        req.setHeader(QNetworkRequest::ContentTypeHeader, step.contentType);
        reply = m_network->post(req, step.body);
    } else {
        reply = m_network->get(req);
    }
    m_reply = reply;

    // Reachable: a request went out, a handshake finished or an answer began (not merely a
    // finished reply, which a refused connection also gives).
    for (auto signal :
        { &QNetworkReply::requestSent, &QNetworkReply::encrypted, &QNetworkReply::metaDataChanged })
        connect(reply, signal, this, [this] { m_everConnected = true; });
    connect(reply, &QNetworkReply::encrypted, this, &ValidationJob::onEncrypted);
    connect(reply, &QNetworkReply::requestSent, this, &ValidationJob::onConnectionUp);
    connect(reply, &QNetworkReply::metaDataChanged, this, &ValidationJob::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &ValidationJob::onReadyRead);
    connect(reply, &QNetworkReply::sslErrors, this, &ValidationJob::onSslErrors);
    connect(reply, &QNetworkReply::finished, this, &ValidationJob::onReplyFinished);
    m_connectTimer.start(m_connectMs);
}

void ValidationJob::releaseReply()
{
    m_connectTimer.stop();
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    if (reply->isRunning())
        reply->abort();
    reply->deleteLater();
}

void ValidationJob::onConnectionUp()
{
    if (m_connectionUp)
        return;
    m_connectionUp = true;
    m_connectTimer.stop();
}

void ValidationJob::onMetaDataChanged()
{
    onConnectionUp();
    if (!m_reply)
        return;
    bool ok = false;
    const qint64 length = m_reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok);
    if (ok && length > MaxBodyBytes)
        failOversized(m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt());
}

void ValidationJob::onReadyRead()
{
    onConnectionUp();
    if (!m_reply)
        return;
    m_body += m_reply->read(MaxBodyBytes + 1 - m_body.size());
    if (m_body.size() > MaxBodyBytes)
        failOversized(m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt());
}

void ValidationJob::failOversized(int httpStatus)
{
    if (m_step.phase == CheckPhase::Projects && m_protocol) {
        // A list too long to read is the listing's problem, not the connector's.
        qCInfo(lcNet) << "validation: projects answer larger than" << MaxBodyBytes << "bytes";
        releaseReply();
        m_body.clear();
        CheckAnswer tooLarge;
        tooLarge.httpStatus = CheckAnswer::TooLarge;
        handleHttpAnswer(tooLarge, QByteArray());
        return;
    }
    qCInfo(lcNet) << "validation: answer larger than" << MaxBodyBytes << "bytes, aborted";
    m_result.httpStatus = httpStatus;
    fail(Failure::BadAnswer,
        QCoreApplication::translate("ValidationJob",
            "The server at %1 sent an answer larger than 1 MiB, which is "
            "not what %2 answers; the answer was dropped. Check that "
            "the URL points to %2.")
            .arg(hostText(), product()));
}

void ValidationJob::onSslErrors(const QList<QSslError> &errors)
{
    if (!m_reply)
        return;
    QSslCertificate leaf = m_reply->sslConfiguration().peerCertificate();
    for (int i = 0; leaf.isNull() && i < errors.size(); ++i)
        leaf = errors.at(i).certificate();
    const bool pinned = !m_request.pinnedSha256.isEmpty();
    // Verify SSL on or off, a pinned connector accepts its pinned certificate and no other.
    // This is every handshake of a pinned connector (the pin leaves no CA to chain to), on
    // the handshake's path: the digest alone decides; the rest is read only for a refusal.
    if (pinned && !leaf.isNull()
        && leaf.digest(QCryptographicHash::Sha256) == m_request.pinnedSha256) {
        qCInfo(lcNet) << "validation: certificate matches the pinned fingerprint";
        m_reply->ignoreSslErrors(errors); // exactly these errors, of this certificate
        return;
    }
    const CertificateInfo info = certificateInfo(leaf, errors);
    qCInfo(lcNet).noquote() << "validation: certificate problems"
                            << info.errors.join(QStringLiteral("; ")) << "sha256"
                            << info.fingerprintText();
    if (pinned) {
        m_tlsProblem = info; // the handshake now fails; onReplyFinished reports it
        return;
    }
    if (!m_request.verifySsl) {
        m_ignoredCertificate = info;
        m_reply->ignoreSslErrors(errors);
        return;
    }
    m_tlsProblem = info; // the handshake now fails; onReplyFinished reports it
}

void ValidationJob::onEncrypted()
{
    onConnectionUp();
    if (!m_reply)
        return;
    // Emitted before any byte of the request is written. The pin was checked in
    // onSslErrors(); this is the second lock on the same door.
    const QSslCertificate leaf = m_reply->sslConfiguration().peerCertificate();
    const QByteArray sha = leaf.isNull() ? QByteArray() : leaf.digest(QCryptographicHash::Sha256);
    if (!m_request.pinnedSha256.isEmpty() && sha != m_request.pinnedSha256) {
        m_tlsProblem = certificateInfo(leaf, {});
        refuseTls(QCoreApplication::translate(
            "ValidationJob", "the server's certificate is not the pinned one"));
        return;
    }
    m_acceptedPeer = sha;
}

void ValidationJob::refuseTls(const QString &why)
{
    qCWarning(lcNet).noquote() << "validation: TLS refused:" << why;
    m_tlsRefusal = why;
    if (!m_tlsProblem)
        m_tlsProblem = certificateInfo(
            m_reply ? m_reply->sslConfiguration().peerCertificate() : QSslCertificate(), {});
    failTls();
}

void ValidationJob::onConnectTimeout()
{
    const bool https
        = m_currentUrl.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    qCInfo(lcNet) << "validation: connect timeout after" << m_connectMs << "ms";
    fail(Failure::Timeout,
        (https ? QCoreApplication::translate("ValidationJob",
             "No secure connection to %1 within %2 s (connection "
             "or TLS handshake). Check the URL and port, and "
             "that no firewall, VPN or proxy blocks the server; "
             "try again later if the server is down.")
               : QCoreApplication::translate("ValidationJob",
                   "No connection to %1 within %2 s. Check the URL and "
                   "port, and that no firewall, VPN or proxy blocks "
                   "the server; try again later if the server is down."))
            .arg(hostText(), seconds(m_connectMs)));
}

void ValidationJob::onTotalTimeout()
{
    qCInfo(lcNet) << "validation: total timeout after" << m_totalMs << "ms in" << m_status;
    if (m_status == Status::BackingOff) {
        fail(Failure::Throttled,
            QCoreApplication::translate("ValidationJob",
                "%1 is throttling requests or under maintenance (HTTP "
                "429) and did not recover within %2 s. Wait a few "
                "minutes and check again.")
                .arg(product(), seconds(m_totalMs)));
        return;
    }
    fail(Failure::Timeout,
        QCoreApplication::translate("ValidationJob",
            "%3 at %1 did not answer within %2 s. The server may be "
            "overloaded or the URL may point to something that is not "
            "%3: check the URL, then try again later.")
            .arg(hostText(), seconds(m_totalMs), product()));
}

void ValidationJob::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    onConnectionUp();
    m_body += reply->read(MaxBodyBytes + 1 - m_body.size());
    const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_body.size() > MaxBodyBytes) {
        failOversized(httpStatus);
        return;
    }
    const QNetworkReply::NetworkError error = reply->error();
    const QString errorString = reply->errorString();
    CheckAnswer answer;
    answer.httpStatus = httpStatus;
    answer.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
    answer.headers = reply->rawHeaderPairs();
    const QByteArray location = reply->rawHeader("Location");
    m_retryAfter = reply->rawHeader("Retry-After");
    const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
    // Keep the reply alive until we return; nothing of it is used after this.
    m_reply = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    reply->deleteLater();

    qCDebug(lcNet) << "validation: answer" << httpStatus << "error" << error << "bytes"
                   << m_body.size();
    m_result.httpStatus = httpStatus;
    // Transport failures (1..99) and proxy failures (101..199) win over a partial HTTP answer.
    const bool transportError = error != QNetworkReply::NoError && int(error) < 200;
    if (transportError || httpStatus <= 0) {
        handleNetworkError(error, errorString);
        return;
    }
    // An answer over https counts only if this check accepted the certificate it came over:
    // a connection whose security someone else decided is refused, whatever it says.
    if (m_currentUrl.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0) {
        const QByteArray sha
            = peer.isNull() ? QByteArray() : peer.digest(QCryptographicHash::Sha256);
        if (sha.isEmpty() || sha != m_acceptedPeer) {
            m_tlsProblem = certificateInfo(peer, {});
            m_refusedAfterSending = true;
            refuseTls(QCoreApplication::translate(
                "ValidationJob", "the connection's certificate was not accepted by this check"));
            return;
        }
    }
    answer.body = std::exchange(m_body, QByteArray());
    handleHttpAnswer(answer, location);
}

QNetworkProxy ValidationJob::proxyFor(const QNetworkAccessManager *nam, const QUrl &url)
{
    // The proxy the given manager would use for this address.
    const QNetworkProxyQuery query(url);
    QList<QNetworkProxy> proxies;
    if (!nam)
        return QNetworkProxy(QNetworkProxy::DefaultProxy);
    if (QNetworkProxyFactory *factory = nam->proxyFactory())
        proxies = factory->queryProxy(query);
    else if (nam->proxy().type() != QNetworkProxy::DefaultProxy)
        proxies = { nam->proxy() };
    else
        return QNetworkProxy(QNetworkProxy::DefaultProxy); // application / system settings
    return proxies.value(0, QNetworkProxy(QNetworkProxy::NoProxy));
}

QNetworkProxy ValidationJob::proxyInUse() const
{
    const QNetworkProxy own = m_network ? m_network->proxy() : QNetworkProxy();
    if (own.type() != QNetworkProxy::DefaultProxy)
        return own;
    return QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(m_currentUrl))
        .value(0, QNetworkProxy(QNetworkProxy::NoProxy));
}

void ValidationJob::handleNetworkError(
    QNetworkReply::NetworkError error, const QString &errorString)
{
    qCInfo(lcNet).noquote() << "validation: network error" << error << Log::redact(errorString);
    // Through a proxy, "refused", "not found" or "closed" are about the proxy, not the server.
    const QNetworkProxy proxy = proxyInUse();
    const bool viaProxy = proxy.type() != QNetworkProxy::NoProxy
        && proxy.type() != QNetworkProxy::DefaultProxy && !proxy.hostName().isEmpty();
    if (viaProxy
        && (error == QNetworkReply::ConnectionRefusedError
            || error == QNetworkReply::HostNotFoundError
            || error == QNetworkReply::RemoteHostClosedError)) {
        fail(Failure::Proxy,
            QCoreApplication::translate("ValidationJob",
                "The proxy server %1:%2 failed (%3). Check the system "
                "proxy settings or ask your network administrator.")
                .arg(proxy.hostName())
                .arg(proxy.port())
                .arg(errorString));
        return;
    }
    switch (error) {
    case QNetworkReply::HostNotFoundError:
        fail(Failure::HostNotFound,
            QCoreApplication::translate("ValidationJob",
                "The host name “%1” could not be found. Check the URL "
                "for typos, and your network, VPN or DNS settings.")
                .arg(m_currentUrl.host()));
        return;
    case QNetworkReply::ConnectionRefusedError:
        fail(Failure::ConnectionRefused,
            QCoreApplication::translate("ValidationJob",
                "%1 refused the connection. Check the URL and the port, "
                "and that %2 is running there; try again later if "
                "it is being restarted.")
                .arg(hostText(), product()));
        return;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // the transfer timeout; our aborts never get here
        fail(Failure::Timeout,
            QCoreApplication::translate("ValidationJob",
                "The connection to %1 timed out. Check the URL and your "
                "network, then try again later.")
                .arg(hostText()));
        return;
    case QNetworkReply::SslHandshakeFailedError:
        if (m_tlsProblem) {
            failTls();
        } else {
            // The likely cause of a handshake that fails without a certificate problem is a
            // plain-http server on that port: ask it, without credentials, before saying so.
            probePlainHttp(QCoreApplication::translate("ValidationJob",
                "The secure connection (TLS) to %1 failed: %2. "
                "Check that the URL uses the https port of the "
                "server, or ask the administrator about its TLS "
                "setup.")
                               .arg(hostText(), errorString));
        }
        return;
    case QNetworkReply::TooManyRedirectsError:
    case QNetworkReply::InsecureRedirectError:
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected the request in a way that is not "
                "allowed (%1). Enter the final https URL of the %2 "
                "instance.")
                .arg(errorString, product()));
        return;
    default:
        break;
    }
    if (int(error) > 100 && int(error) < 200) {
        fail(Failure::Proxy,
            QCoreApplication::translate("ValidationJob",
                "The proxy server failed: %1. Check the system proxy "
                "settings or ask your network administrator.")
                .arg(errorString));
        return;
    }
    if (int(error) >= 300 && int(error) < 400) {
        fail(Failure::BadAnswer,
            QCoreApplication::translate("ValidationJob",
                "The server at %1 did not answer like a web server "
                "(%2). Check the URL and the port.")
                .arg(hostText(), errorString));
        return;
    }
    fail(Failure::Network,
        QCoreApplication::translate("ValidationJob",
            "The connection to %1 failed: %2. Check your network "
            "connection and try again.")
            .arg(hostText(), errorString));
}

void ValidationJob::handleHttpAnswer(const CheckAnswer &answer, const QByteArray &location)
{
    m_answered = true;
    const int httpStatus = answer.httpStatus;
    switch (httpStatus) {
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
        handleRedirect(location);
        return;
    case 429:
        backOffOrFail();
        return;
    default:
        break;
    }
    CheckOutcome outcome = m_protocol->answer(answer);
    if (outcome.result) {
        ValidationResult r = std::move(*outcome.result);
        r.httpStatus = httpStatus;
        if (r.status == ValidationStatus::Failed) {
            m_result.account = r.account;
            fail(r.failure, r.message);
        } else {
            finish(std::move(r));
        }
        return;
    }
    if (outcome.next) {
        m_redirects = 0;
        // Each request gets the whole back-off schedule.
        m_backoffIndex = 0;
        m_throttled = 0;
        if (outcome.next->phase == CheckPhase::Projects) {
            // Signed in: each request of the projects (pages, scoped projects) has a total
            // timeout of its own, so a long scope or listing is not cut off.
            m_totalTimer.start(m_totalMs);
            m_elapsed.restart();
            m_pausedMs = 0;
        }
        setPhase(outcome.next->phase);
        sendStep(*outcome.next, endpoint(*outcome.next));
        return;
    }
    // The rules every application shares.
    if (httpStatus == 404 || httpStatus == 405 || httpStatus == 410) {
        failNoApi();
        return;
    }
    if (httpStatus >= 500) {
        fail(Failure::ServerError,
            QCoreApplication::translate("ValidationJob",
                "%1 answered with a server error (HTTP %2). Try again "
                "later; if it persists, ask the %1 administrator to "
                "check the server.")
                .arg(product())
                .arg(httpStatus));
        return;
    }
    if (answer.looksLikeHtml()) {
        failNoApi();
        return;
    }
    fail(Failure::BadAnswer,
        QCoreApplication::translate("ValidationJob",
            "%1 answered with the unexpected HTTP status %2. Check the "
            "URL; if it is right, ask the %1 administrator.")
            .arg(product())
            .arg(httpStatus));
}

void ValidationJob::probePlainHttp(const QString &otherwise)
{
    QUrl probe = m_currentUrl;
    const int port = probe.port(443);
    probe.setScheme(QStringLiteral("http"));
    probe.setPort(port);
    probe.setPath(QStringLiteral("/"));
    probe.setQuery(QString());
    QNetworkRequest req(probe); // no Authorization, no body: nothing of the connector
    req.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    req.setTransferTimeout(3000);
    req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("ConnectorDesk"));
    qCInfo(lcNet).noquote() << "validation: asking" << probe.toDisplayString()
                            << "whether it speaks plain http";
    m_probe = m_network->head(req);
    connect(m_probe, &QNetworkReply::finished, this, [this, otherwise] {
        QNetworkReply *reply = m_probe;
        if (!reply)
            return;
        m_probe = nullptr;
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status <= 0) {
            fail(Failure::Tls, otherwise);
            return;
        }
        QUrl suggestion = m_request.baseUrl;
        suggestion.setScheme(QStringLiteral("http"));
        suggestion.setPort(m_request.baseUrl.port(443));
        fail(Failure::Tls,
            QCoreApplication::translate("ValidationJob",
                "The server at %1 answered in plain http, not https: did you mean %2? Plain "
                "http sends the credentials unencrypted: use it only if the instance offers "
                "nothing else, otherwise enter the https port of the server.")
                .arg(hostText(), suggestion.toDisplayString()));
    });
}

void ValidationJob::failTls()
{
    const CertificateInfo &c = *m_tlsProblem;
    const QString certificate = certificateText(c);
    const QString problems = c.errors.isEmpty()
        ? QString()
        : QCoreApplication::translate("ValidationJob", "Problems: %1.")
              .arg(c.errors.join(QStringLiteral("; ")));
    QString message;
    if (!m_request.pinnedSha256.isEmpty()) {
        CertificateInfo pinned;
        pinned.sha256 = m_request.pinnedSha256;
        message = QCoreApplication::translate("ValidationJob",
            "The certificate changed: %1 presents a different certificate from the one you "
            "trusted. "
            "Trusted: SHA-256 fingerprint %2. Presented: %3 %4 Nothing was sent. If the "
            "administrator replaced the certificate, compare the new fingerprint with the one "
            "they give you, then trust it; otherwise do not connect.")
                      .arg(hostText(), pinned.fingerprintText(), certificate, problems);
    } else if (!m_tlsRefusal.isEmpty()) {
        message = m_refusedAfterSending
            ? QCoreApplication::translate("ValidationJob",
                "The answer of %1 was discarded (%2). The request had already been sent: if "
                "in doubt, change the password or client secret. %3 Check again; if this "
                "persists, ask the administrator about the server's TLS setup.")
                  .arg(hostText(), m_tlsRefusal, certificate)
            : QCoreApplication::translate("ValidationJob",
                "The secure connection to %1 was refused (%2). Nothing was sent. %3 Check "
                "again; if this persists, ask the administrator about the server's TLS setup.")
                  .arg(hostText(), m_tlsRefusal, certificate);
    } else {
        message = QCoreApplication::translate("ValidationJob",
            "The server's certificate is not trusted: %1. %2 Ask your %3 "
            "administrator whether this is the server's certificate; if it is, "
            "choose “Trust this certificate”.")
                      .arg(c.errors.join(QStringLiteral("; ")), certificate, product());
    }
    fail(Failure::Tls, message.simplified());
}

QString ValidationJob::stoppedAt(ValidationResult::Failure failure) const
{
    const auto tr
        = [](const char *text) { return QCoreApplication::translate("ValidationJob", text); };
    switch (failure) {
    case Failure::Timeout:
        return tr("Not confirmed: no answer in time.");
    case Failure::Throttled:
        return tr("Not confirmed: the server is throttling requests (HTTP 429).");
    case Failure::ServerError:
        return tr("Not confirmed: the server answered with an error.");
    case Failure::NoApi:
        return tr("Not confirmed: no REST API answered at this URL.");
    case Failure::BadAnswer:
        return tr("Not confirmed: the answer could not be understood.");
    case Failure::Forbidden:
        return tr("Not confirmed: the server refused the request (HTTP 403).");
    case Failure::Redirect:
        return tr("Not confirmed: the server redirected the request elsewhere.");
    case Failure::Cancelled:
        return tr("Not checked: the check was cancelled.");
    case Failure::HostNotFound:
    case Failure::ConnectionRefused:
    case Failure::Proxy:
    case Failure::Network:
    case Failure::Tls:
        return tr("Not checked: no connection was made.");
    case Failure::None:
    case Failure::CredentialsRejected:
    case Failure::LoginChallenge:
    case Failure::Inactive:
    case Failure::License:
    case Failure::NoSecret:
    case Failure::Unsupported:
    case Failure::Keychain:
    case Failure::ProjectAccess:
        break;
    }
    return tr("Not confirmed: the check failed at this step.");
}

QList<CheckItem> ValidationJob::transportChecks(const ValidationResult &r) const
{
    const auto tr
        = [](const char *text) { return QCoreApplication::translate("ValidationJob", text); };
    CheckItem reachable { QStringLiteral("reachable"), CheckStatus::Unknown, tr("Reachable"), {} };
    const bool connected = m_answered || m_everConnected || r.failure == Failure::Tls;
    const auto unreachable = [&reachable](const QString &why) {
        reachable.status = CheckStatus::Fail;
        reachable.message = why;
    };
    if (connected) {
        reachable.status = CheckStatus::Pass;
        reachable.message = tr("%1 accepts connections.").arg(hostText());
    } else {
        switch (r.failure) {
        case Failure::HostNotFound:
            unreachable(tr("The host name “%1” could not be found.").arg(m_request.baseUrl.host()));
            break;
        case Failure::ConnectionRefused:
            unreachable(tr("%1 refused the connection.").arg(hostText()));
            break;
        case Failure::Timeout:
            unreachable(tr("%1 did not answer in time.").arg(hostText()));
            break;
        case Failure::Proxy:
            unreachable(tr("The proxy server failed before %1 answered.").arg(hostText()));
            break;
        case Failure::Network:
        case Failure::BadAnswer:
            unreachable(tr("The connection to %1 failed.").arg(hostText()));
            break;
        case Failure::Cancelled:
        case Failure::NoApi: // an address that is not http(s): nothing was tried
        case Failure::None:
        case Failure::Tls:
        case Failure::CredentialsRejected:
        case Failure::LoginChallenge:
        case Failure::Forbidden:
        case Failure::Throttled:
        case Failure::ServerError:
        case Failure::Redirect:
        case Failure::Inactive:
        case Failure::License:
        case Failure::NoSecret:
        case Failure::Unsupported:
        case Failure::Keychain:
        case Failure::ProjectAccess:
            break;
        }
    }

    CheckItem secure { QStringLiteral("secure-connection"), CheckStatus::Unknown,
        tr("Secure connection"), {} };
    const bool https
        = m_request.baseUrl.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    if (!https) {
        secure.status = CheckStatus::Warn;
        secure.message = tr("Plain http: the credentials and the data travel unencrypted.");
    } else if (r.failure == Failure::Tls) {
        secure.status = CheckStatus::Fail;
        if (m_refusedAfterSending)
            secure.message = tr("The answer came over a connection this check did not accept; "
                                "it was discarded.");
        else if (!m_tlsProblem)
            secure.message = tr("The secure connection (TLS) failed; nothing was sent.");
        else if (!m_request.pinnedSha256.isEmpty())
            secure.message
                = tr("The server's certificate is not the pinned one; nothing was sent over it.");
        else
            secure.message
                = tr("The server's certificate is not trusted; nothing was sent over it.");
    } else if (m_answered) {
        secure.status = !m_request.pinnedSha256.isEmpty() || m_request.verifySsl
            ? CheckStatus::Pass
            : CheckStatus::Warn;
        secure.message = !m_request.pinnedSha256.isEmpty()
            ? tr("Encrypted; the server presented the pinned certificate.")
            : m_request.verifySsl
            ? tr("Encrypted; the server's certificate is trusted.")
            : tr("Encrypted, but Verify SSL is off: the server's identity is not checked.");
    }
    return { reachable, secure };
}

void ValidationJob::failNoApi()
{
    fail(Failure::NoApi, m_protocol->noApiMessage(m_request.baseUrl));
}

void ValidationJob::handleRedirect(const QByteArray &location)
{
    const QUrl target = m_currentUrl.resolved(QUrl::fromEncoded(location));
    const QString shown
        = Text::inert(target.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
    qCInfo(lcNet).noquote() << "validation: redirect to" << shown;
    if (location.isEmpty() || !target.isValid()) {
        fail(Failure::BadAnswer,
            QCoreApplication::translate("ValidationJob",
                "The server sent a redirect without a valid target. "
                "Check the URL."));
        return;
    }
    if (target.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) != 0) {
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected to the insecure address %1. "
                "Credentials are never sent over plain http: enter "
                "the https URL of the %2 instance.")
                .arg(shown, product()));
        return;
    }
    if (target.host().compare(m_request.baseUrl.host(), Qt::CaseInsensitive) != 0) {
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected to another host (%1). "
                "Credentials are never sent to another host: if %2 "
                "moved, enter its new URL.")
                .arg(shown, product()));
        return;
    }
    // Another port on the same host can be another service: an https address only
    // redirects to the same port (an http one may be upgraded to https on another port).
    if (m_currentUrl.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0
        && target.port(443) != m_currentUrl.port(443)) {
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected to another port (%1). Credentials are only sent "
                "to the address you entered: if %2 moved, enter its new URL.")
                .arg(shown, product()));
        return;
    }
    if (m_redirects >= MaxRedirects) {
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected more than %1 times. Enter the "
                "final URL of the %2 instance.")
                .arg(MaxRedirects)
                .arg(product()));
        return;
    }
    ++m_redirects;
    sendStep(m_step, target);
}

std::optional<qint64> ValidationJob::retryAfterMs(const QByteArray &header, const QDateTime &now)
{
    const QByteArray value = header.trimmed();
    if (value.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = value.toLongLong(&ok);
    if (ok) // clamped to a week: a server's number must not overflow the milliseconds
        return seconds >= 0 ? std::optional<qint64>(qMin<qint64>(seconds, 7 * 86400) * 1000)
                            : std::nullopt;
    // An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110, IMF-fixdate).
    QDateTime at = QLocale::c().toDateTime(
        QString::fromLatin1(value), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
    if (!at.isValid())
        return std::nullopt;
    at.setTimeSpec(Qt::UTC);
    return qMax<qint64>(0, now.msecsTo(at));
}

void ValidationJob::backOffOrFail()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::optional<qint64> wait = retryAfterMs(m_retryAfter, now);
    const bool serverSaid = wait.has_value();
    if (!wait && m_backoffIndex < m_backoff.size())
        wait = m_backoff.at(m_backoffIndex);
    // The retried request needs time of its own before the total timeout.
    // A server's Retry-After of 0 must not make a tight loop of sign-ins: at least a second,
    // and no more attempts than the schedule has (4 by default).
    if (serverSaid)
        wait = qMax<qint64>(*wait, 1000);
    const bool attemptsLeft = m_throttled < qMax(4, int(m_backoff.size()));
    const qint64 remaining = m_totalMs - (m_elapsed.elapsed() - m_pausedMs);
    const qint64 margin = qMin(1000, m_connectMs);
    if (wait && attemptsLeft && *wait + margin <= remaining) {
        if (!serverSaid)
            ++m_backoffIndex;
        ++m_throttled;
        qCInfo(lcNet) << "validation: throttled (429), retrying in" << *wait << "ms"
                      << (serverSaid ? "(Retry-After)" : "");
        setStatus(Status::BackingOff);
        m_backoffTimer.start(int(qMax<qint64>(0, *wait)));
        return;
    }
    // Not within this check: say when to try again, and the queue does so then.
    const qint64 later = wait.value_or(m_backoff.isEmpty() ? 60000 : m_backoff.constLast());
    m_retryAt = now.addMSecs(qMax<qint64>(1000, later));
    fail(Failure::Throttled,
        QCoreApplication::translate("ValidationJob",
            "%3 is throttling requests or under maintenance (HTTP 429, %1 attempts). "
            "Check again after %2.")
            .arg(m_throttled + 1)
            .arg(QLocale().toString(m_retryAt.toLocalTime(), QLocale::ShortFormat))
            .arg(product()));
}

void ValidationJob::fail(Failure failure, const QString &message)
{
    ValidationResult r;
    r.status = ValidationStatus::Failed;
    r.failure = failure;
    r.message = message;
    r.httpStatus = m_result.httpStatus;
    r.account = m_result.account;
    if (failure == Failure::Tls) {
        r.certificate = m_tlsProblem;
        if (m_tlsProblem)
            r.expectedSha256 = m_request.pinnedSha256;
    }
    if (failure == Failure::Throttled)
        r.retryAt = m_retryAt;
    finish(std::move(r));
}

void ValidationJob::finish(ValidationResult result)
{
    if (m_status == Status::Finished)
        return;
    m_totalTimer.stop();
    m_backoffTimer.stop();
    m_paceTimer.stop();
    releaseReply();
    if (QNetworkReply *probe = m_probe) {
        m_probe = nullptr;
        disconnect(probe, nullptr, this, nullptr);
        probe->abort();
        probe->deleteLater();
    }

    if (!m_request.verifySsl && result.failure != Failure::Cancelled) {
        if (result.status == ValidationStatus::Verified)
            result.status = ValidationStatus::Warning;
        result.message += QLatin1Char(' ')
            + QCoreApplication::translate("ValidationJob",
                "Certificate verification is off: anyone between this "
                "computer and the server could read the credentials. "
                "Turn Verify SSL on, trusting the server's certificate "
                "if needed.");
        if (!result.certificate)
            result.certificate = m_ignoredCertificate;
    }
    QList<CheckItem> checks = transportChecks(result);
    if (m_protocol) {
        checks += m_protocol->checklist();
        if (m_request.listProjects)
            result.visibleProjects = m_protocol->visibleProjects();
    }
    // The step the check failed at says why; the ones after it were not reached.
    const QString inFlight = m_protocol && result.status == ValidationStatus::Failed
        ? m_protocol->stepInFlight()
        : QString();
    for (CheckItem &item : checks) {
        if (item.id == inFlight && item.status == CheckStatus::Unknown && item.message.isEmpty())
            item.message = stoppedAt(result.failure);
    }
    const QString notChecked = result.failure == Failure::Cancelled
        ? QCoreApplication::translate("ValidationJob", "Not checked: the check was cancelled.")
        : QCoreApplication::translate(
            "ValidationJob", "Not checked: the check stopped at an earlier step.");
    for (CheckItem &item : checks) {
        if (item.status == CheckStatus::Unknown && item.message.isEmpty())
            item.message = notChecked;
    }
    result.checks = std::move(checks);
    m_result = std::move(result);
    qCInfo(lcNet) << "validation: finished, status" << int(m_result.status) << "failure"
                  << int(m_result.failure) << "http" << m_result.httpStatus;
    setStatus(Status::Finished);
    Q_EMIT finished(m_result);
}

} // namespace cd
