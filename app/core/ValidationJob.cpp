#include "ValidationJob.h"

#include "Log.h"
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

bool looksLikeHtml(const QByteArray &body, const QString &contentType)
{
    return contentType.contains(QLatin1String("html"), Qt::CaseInsensitive)
        || body.trimmed().startsWith('<');
}

QByteArray basicAuthorization(const QString &user, const QString &password)
{
    return QByteArrayLiteral("Basic ") + (user.toUtf8() + ':' + password.toUtf8()).toBase64();
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
    static const int registered = qRegisterMetaType<cd::ValidationResult>();
    Q_UNUSED(registered);
    for (QTimer *t : { &m_connectTimer, &m_totalTimer, &m_backoffTimer })
        t->setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, &ValidationJob::onConnectTimeout);
    connect(&m_totalTimer, &QTimer::timeout, this, &ValidationJob::onTotalTimeout);
    connect(&m_backoffTimer, &QTimer::timeout, this, [this] {
        setStatus(m_step == Step::Token ? Status::RequestingToken : Status::RequestingUser);
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

QUrl ValidationJob::endpoint(Step step) const
{
    QUrl url = m_request.baseUrl;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    path += step == Step::Token ? QStringLiteral("/rest/oauth/token")
                                : QStringLiteral("/rest/v1/users/current");
    url.setPath(path);
    url.setQuery(QString());
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
    else if (!base.isValid() || base.host().isEmpty()
        || (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        problem = QCoreApplication::translate("ValidationJob",
            "“%1” is not an http or https address. Enter the "
            "address of the Jama instance, for example "
            "https://jama.example.com.")
                      .arg(base.toDisplayString(QUrl::RemoveUserInfo));
    else if (!base.userInfo().isEmpty())
        problem = QCoreApplication::translate("ValidationJob",
            "The URL contains a user name or password. Remove "
            "them from the URL and enter them in the "
            "credential fields instead.");
    if (!problem.isEmpty()) {
        // Never emit from inside start(): callers may still be wiring things up.
        setStatus(m_request.authType == AuthType::OAuth ? Status::RequestingToken
                                                        : Status::RequestingUser);
        QMetaObject::invokeMethod(
            this, [this, problem] { fail(m_nam ? Failure::NotJama : Failure::Network, problem); },
            Qt::QueuedConnection);
        return;
    }

    qCInfo(lcNet).noquote() << "validation: checking" << base.toDisplayString(QUrl::RemoveUserInfo)
                            << "oAuth" << (m_request.authType == AuthType::OAuth) << "verifySsl"
                            << m_request.verifySsl << "pinned" << !m_request.pinnedSha256.isEmpty();
    // This check's own connections: nothing another check decided about TLS (Verify SSL off,
    // a pin, a certificate trusted a moment ago) lives in a connection, a per-host channel or
    // a TLS session that this check could reuse, and nothing of this check outlives it.
    // Only the proxy is taken from the manager we were given.
    m_network = new QNetworkAccessManager(this);
    m_network->setProxy(proxyFor(base));
    m_elapsed.start();
    m_totalTimer.start(m_totalMs);
    const Step step = m_request.authType == AuthType::OAuth ? Step::Token : Step::User;
    setStatus(step == Step::Token ? Status::RequestingToken : Status::RequestingUser);
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

void ValidationJob::sendStep(Step step, const QUrl &url)
{
    releaseReply();
    m_step = step;
    m_currentUrl = url;
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
    req.setTransferTimeout(m_totalMs); // an extra guard; our own timers normally fire first
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    req.setRawHeader("Accept", "application/json");
    req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("ConnectorDesk"));

    QNetworkReply *reply = nullptr;
    if (step == Step::Token) {
        req.setRawHeader("Authorization", basicAuthorization(m_request.identity, m_request.secret));
        req.setHeader(QNetworkRequest::ContentTypeHeader,
            QByteArrayLiteral("application/x-www-form-urlencoded"));
        qCDebug(lcNet).noquote() << "validation: POST" << url.toDisplayString(QUrl::RemoveUserInfo);
        reply = m_network->post(req, QByteArrayLiteral("grant_type=client_credentials"));
    } else {
        req.setRawHeader("Authorization",
            m_request.authType == AuthType::OAuth
                ? QByteArrayLiteral("Bearer ") + m_bearerToken
                : basicAuthorization(m_request.identity, m_request.secret));
        qCDebug(lcNet).noquote() << "validation: GET" << url.toDisplayString(QUrl::RemoveUserInfo);
        reply = m_network->get(req);
    }
    m_reply = reply;

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
    qCInfo(lcNet) << "validation: answer larger than" << MaxBodyBytes << "bytes, aborted";
    m_result.httpStatus = httpStatus;
    fail(Failure::BadAnswer,
        QCoreApplication::translate("ValidationJob",
            "The server at %1 sent an answer larger than 1 MiB, which is "
            "not what Jama answers; the answer was dropped. Check that "
            "the URL points to Jama Connect.")
            .arg(hostText()));
}

void ValidationJob::onSslErrors(const QList<QSslError> &errors)
{
    if (!m_reply)
        return;
    QSslCertificate leaf = m_reply->sslConfiguration().peerCertificate();
    for (int i = 0; leaf.isNull() && i < errors.size(); ++i)
        leaf = errors.at(i).certificate();
    const CertificateInfo info = certificateInfo(leaf, errors);
    qCInfo(lcNet).noquote() << "validation: certificate problems"
                            << info.errors.join(QStringLiteral("; ")) << "sha256"
                            << info.fingerprintText();

    const bool pinned = !m_request.pinnedSha256.isEmpty();
    if (pinned) {
        // Verify SSL on or off, a pinned connector accepts its pinned certificate and no other.
        if (!info.sha256.isEmpty() && info.sha256 == m_request.pinnedSha256) {
            qCInfo(lcNet) << "validation: certificate matches the pinned fingerprint";
            m_reply->ignoreSslErrors(errors); // exactly these errors, of this certificate
            return;
        }
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
                "Jama is throttling requests or under maintenance (HTTP "
                "429) and did not recover within %1 s. Wait a few "
                "minutes and check again.")
                .arg(seconds(m_totalMs)));
        return;
    }
    fail(Failure::Timeout,
        QCoreApplication::translate("ValidationJob",
            "Jama at %1 did not answer within %2 s. The server may be "
            "overloaded or the URL may point to something that is not "
            "Jama: check the URL, then try again later.")
            .arg(hostText(), seconds(m_totalMs)));
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
    const QString contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
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
    handleHttpAnswer(httpStatus, contentType, location);
}

QNetworkProxy ValidationJob::proxyFor(const QUrl &url) const
{
    // The proxy the given manager would use for this address.
    const QNetworkProxyQuery query(url);
    QList<QNetworkProxy> proxies;
    if (!m_nam)
        return QNetworkProxy(QNetworkProxy::DefaultProxy);
    if (QNetworkProxyFactory *factory = m_nam->proxyFactory())
        proxies = factory->queryProxy(query);
    else if (m_nam->proxy().type() != QNetworkProxy::DefaultProxy)
        proxies = { m_nam->proxy() };
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
    // Through a proxy, "refused", "not found" or "closed" are about the proxy, not Jama.
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
                "and that Jama is running there; try again later if "
                "it is being restarted.")
                .arg(hostText()));
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
                "allowed (%1). Enter the final https URL of the Jama "
                "instance.")
                .arg(errorString));
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

void ValidationJob::handleHttpAnswer(
    int httpStatus, const QString &contentType, const QByteArray &location)
{
    switch (httpStatus) {
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
        handleRedirect(location);
        return;
    case 401:
        // Never retried: repeated bad sign-ins lock Jama accounts.
        if (m_step == Step::Token) {
            fail(Failure::CredentialsRejected,
                QCoreApplication::translate("ValidationJob",
                    "Client ID or Client Secret rejected (HTTP 401). Check both; in Jama they "
                    "are made under My Profile > Set API Credentials, and a secret is shown only "
                    "once, so create new credentials if it is lost."));
        } else if (m_request.authType == AuthType::OAuth) {
            fail(Failure::CredentialsRejected,
                QCoreApplication::translate("ValidationJob",
                    "Jama issued a token but rejected it (HTTP 401). Create new API credentials "
                    "under My Profile > Set API Credentials in Jama and enter them here."));
        } else {
            fail(Failure::CredentialsRejected,
                QCoreApplication::translate("ValidationJob",
                    "Username or password rejected (HTTP 401). Check both; repeated failed "
                    "sign-ins can lock the account, so this check is not repeated "
                    "automatically. If your Jama uses single sign-on (SAML), use oAuth "
                    "instead."));
        }
        return;
    case 403: {
        const QString message = QJsonDocument::fromJson(m_body)
                                    .object()
                                    .value(QLatin1String("meta"))
                                    .toObject()
                                    .value(QLatin1String("message"))
                                    .toString();
        fail(Failure::Forbidden,
            message.isEmpty()
                ? QCoreApplication::translate("ValidationJob",
                    "Jama refused access (HTTP 403). The account may not be allowed to use "
                    "the REST API: ask a Jama administrator to allow it.")
                : QCoreApplication::translate("ValidationJob",
                    "Jama refused access (HTTP 403): “%1”. Ask a Jama administrator to allow "
                    "this account to use the REST API (it needs a Named Creator license).")
                      .arg(Text::inert(message.left(500))));
        return;
    }
    case 404:
    case 405:
    case 410:
        failNotJama();
        return;
    case 429:
        backOffOrFail();
        return;
    default:
        break;
    }
    if (httpStatus >= 500) {
        fail(Failure::ServerError,
            QCoreApplication::translate("ValidationJob",
                "Jama answered with a server error (HTTP %1). Try again "
                "later; if it persists, ask the Jama administrator to "
                "check the server.")
                .arg(httpStatus));
        return;
    }
    if (httpStatus >= 200 && httpStatus < 300) {
        if (m_step == Step::Token)
            handleTokenAnswer(contentType);
        else
            handleUserAnswer(contentType);
        return;
    }
    if (looksLikeHtml(m_body, contentType)) {
        failNotJama();
        return;
    }
    fail(Failure::BadAnswer,
        QCoreApplication::translate("ValidationJob",
            "Jama answered with the unexpected HTTP status %1. Check the "
            "URL; if it is right, ask the Jama administrator.")
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
            "The server's certificate is not trusted: %1. %2 Ask your Jama "
            "administrator whether this is the server's certificate; if it is, "
            "choose “Trust this certificate”.")
                      .arg(c.errors.join(QStringLiteral("; ")), certificate);
    }
    fail(Failure::Tls, message.simplified());
}

void ValidationJob::failNotJama()
{
    fail(Failure::NotJama,
        QCoreApplication::translate("ValidationJob",
            "No Jama REST API at this URL (%1). Check the URL and the "
            "context path, for example https://jama.example.com/contour.")
            .arg(m_request.baseUrl.toDisplayString(QUrl::RemoveUserInfo)));
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
                "the https URL of the Jama instance.")
                .arg(shown));
        return;
    }
    if (target.host().compare(m_request.baseUrl.host(), Qt::CaseInsensitive) != 0) {
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected to another host (%1). "
                "Credentials are never sent to another host: if Jama "
                "moved, enter its new URL.")
                .arg(shown));
        return;
    }
    // Another port on the same host can be another service: an https address only
    // redirects to the same port (an http one may be upgraded to https on another port).
    if (m_currentUrl.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0
        && target.port(443) != m_currentUrl.port(443)) {
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected to another port (%1). Credentials are only sent "
                "to the address you entered: if Jama moved, enter its new URL.")
                .arg(shown));
        return;
    }
    if (m_redirects >= MaxRedirects) {
        fail(Failure::Redirect,
            QCoreApplication::translate("ValidationJob",
                "The server redirected more than %1 times. Enter the "
                "final URL of the Jama instance.")
                .arg(MaxRedirects));
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
    const qint64 remaining = m_totalMs - m_elapsed.elapsed();
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
            "Jama is throttling requests or under maintenance (HTTP 429, %1 attempts). "
            "Check again after %2.")
            .arg(m_throttled + 1)
            .arg(QLocale().toString(m_retryAt.toLocalTime(), QLocale::ShortFormat)));
}

void ValidationJob::handleTokenAnswer(const QString &contentType)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(m_body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        if (looksLikeHtml(m_body, contentType))
            failNotJama();
        else
            fail(Failure::BadAnswer,
                QCoreApplication::translate("ValidationJob",
                    "Jama's answer to the token request is not valid "
                    "JSON. Check the URL; if it is right, ask the Jama "
                    "administrator."));
        return;
    }
    const QJsonObject o = doc.object();
    const QString token = o.value(QLatin1String("access_token")).toString();
    const QString type = o.value(QLatin1String("token_type")).toString();
    if (token.isEmpty() || type.compare(QLatin1String("bearer"), Qt::CaseInsensitive) != 0) {
        fail(Failure::BadAnswer,
            QCoreApplication::translate("ValidationJob",
                "Jama's answer to the token request has no bearer "
                "token. Check the URL; if it is right, ask the Jama "
                "administrator whether oAuth is enabled."));
        return;
    }
    qCDebug(lcNet) << "validation: token received";
    m_bearerToken = token.toUtf8();
    m_redirects = 0;
    setStatus(Status::RequestingUser);
    sendStep(Step::User, endpoint(Step::User));
}

void ValidationJob::handleUserAnswer(const QString &contentType)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(m_body, &parseError);
    const QJsonObject data = doc.object().value(QLatin1String("data")).toObject();
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()
        || !data.value(QLatin1String("username")).isString()) {
        if (looksLikeHtml(m_body, contentType))
            failNotJama();
        else
            fail(Failure::BadAnswer,
                QCoreApplication::translate("ValidationJob",
                    "Jama's answer about the current user could not be "
                    "understood. Check the URL; if it is right, ask "
                    "the Jama administrator."));
        return;
    }

    AccountInfo account;
    // What the server says is shown and stored: made inert here, once.
    account.username = Text::inert(data.value(QLatin1String("username")).toString());
    account.displayName = Text::inert((data.value(QLatin1String("firstName")).toString()
        + QLatin1Char(' ') + data.value(QLatin1String("lastName")).toString())
                                          .trimmed());
    if (account.displayName.isEmpty())
        account.displayName = account.username;
    account.licenseType = Text::inert(data.value(QLatin1String("licenseType")).toString());
    const bool active = data.value(QLatin1String("active")).toBool(true);
    m_result.account = account;
    qCInfo(lcNet).noquote() << "validation: user" << account.username << "license"
                            << account.licenseType << "active" << active;

    const QString who = QStringLiteral("%1 (%2)").arg(account.displayName, account.username);
    const QString adminNote = QCoreApplication::translate("ValidationJob",
        "Admin privileges cannot be confirmed through the API: make sure this account is a Jama "
        "administrator.");

    ValidationResult r;
    r.account = account;
    r.httpStatus = m_result.httpStatus;
    if (!active) {
        r.failure = Failure::Inactive;
        r.message = QCoreApplication::translate("ValidationJob",
            "The Jama account %1 is deactivated. Ask a Jama "
            "administrator to reactivate it, or use another "
            "account.")
                        .arg(who);
    } else if (account.licenseType == QLatin1String("NAMED")) {
        r.status = ValidationStatus::Verified;
        r.message = QCoreApplication::translate(
            "ValidationJob", "Signed in as %1 with a Named Creator license.")
                        .arg(who);
    } else if (account.licenseType == QLatin1String("FLOATING")) {
        r.status = ValidationStatus::Warning;
        r.message = QCoreApplication::translate("ValidationJob",
            "Signed in as %1 with a Floating Creator license. Since Jama Connect "
            "9.28/9.29 only Named Creator accounts may use the REST API, and "
            "integrations running on a floating account pause: ask a Jama "
            "administrator for a Named Creator license.")
                        .arg(who);
    } else {
        r.failure = Failure::License;
        r.message = QCoreApplication::translate("ValidationJob",
            "Signed in as %1, but its license type is %2. The connector needs an "
            "account with a Creator license (Named Creator): ask a Jama administrator "
            "to assign one, or use another account.")
                        .arg(who,
                            account.licenseType.isEmpty()
                                ? QCoreApplication::translate("ValidationJob", "not reported")
                                : account.licenseType);
    }
    r.message += QLatin1Char(' ') + adminNote;
    finish(std::move(r));
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
    m_result = std::move(result);
    qCInfo(lcNet) << "validation: finished, status" << int(m_result.status) << "failure"
                  << int(m_result.failure) << "http" << m_result.httpStatus;
    setStatus(Status::Finished);
    Q_EMIT finished(m_result);
}

} // namespace cd
