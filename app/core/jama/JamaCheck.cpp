#include "JamaCheck.h"

#include "Log.h"
#include "Text.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace cd::jama {

namespace {

using Failure = ValidationResult::Failure;

QString tr(const char *s)
{
    return QCoreApplication::translate("JamaCheck", s);
}

} // namespace

std::optional<JamaCheck::Method> JamaCheck::methodFor(const QString &authType)
{
    static const struct
    {
        const char *id;
        Method method;
    } methods[] = { { "basic", Method::Basic }, { "oauth", Method::OAuth } };
    for (const auto &m : methods) {
        if (authType == QLatin1String(m.id))
            return m.method;
    }
    return std::nullopt;
}

JamaCheck::JamaCheck(Method method, const ValidationRequest &request)
    : m_method(method)
    , m_identity(request.identity)
    , m_secret(request.secret)
    , m_base(request.baseUrl)
{ }

QString JamaCheck::productName() const
{
    return tr("Jama");
}

CheckStep JamaCheck::first()
{
    switch (m_method) {
    case Method::OAuth: {
        CheckStep token;
        token.phase = CheckPhase::Token;
        token.verb = QByteArrayLiteral("POST");
        token.path = QStringLiteral("/rest/oauth/token");
        token.authorization = basicAuthorization(m_identity, m_secret);
        token.contentType = QByteArrayLiteral("application/x-www-form-urlencoded");
        token.body = QByteArrayLiteral("grant_type=client_credentials");
        m_phase = token.phase;
        return token;
    }
    case Method::Basic:
        break;
    }
    return userStep();
}

CheckStep JamaCheck::userStep()
{
    CheckStep user;
    user.phase = CheckPhase::Account;
    user.path = QStringLiteral("/rest/v1/users/current");
    switch (m_method) {
    case Method::OAuth:
        user.authorization = QByteArrayLiteral("Bearer ") + m_bearerToken;
        break;
    case Method::Basic:
        user.authorization = basicAuthorization(m_identity, m_secret);
        break;
    }
    m_phase = user.phase;
    return user;
}

QString JamaCheck::noApiMessage(const QUrl &baseUrl) const
{
    return tr("No Jama REST API at this URL (%1). Check the URL and the "
              "context path, for example https://jama.example.com/contour.")
        .arg(baseUrl.toDisplayString(QUrl::RemoveUserInfo));
}

CheckOutcome JamaCheck::rejected(CheckPhase phase) const
{
    // Never retried: repeated bad sign-ins lock Jama accounts.
    switch (phase) {
    case CheckPhase::Token:
        return CheckOutcome::fail(Failure::CredentialsRejected,
            tr("Client ID or Client Secret rejected (HTTP 401). Check both; in Jama they "
               "are made under My Profile > Set API Credentials, and a secret is shown only "
               "once, so create new credentials if it is lost."));
    case CheckPhase::Account:
    case CheckPhase::Permissions:
        break;
    }
    switch (m_method) {
    case Method::OAuth:
        return CheckOutcome::fail(Failure::CredentialsRejected,
            tr("Jama issued a token but rejected it (HTTP 401). Create new API credentials "
               "under My Profile > Set API Credentials in Jama and enter them here."));
    case Method::Basic:
        break;
    }
    return CheckOutcome::fail(Failure::CredentialsRejected,
        tr("Username or password rejected (HTTP 401). Check both; repeated failed "
           "sign-ins can lock the account, so this check is not repeated "
           "automatically. If your Jama uses single sign-on (SAML), use oAuth "
           "instead."));
}

CheckOutcome JamaCheck::answer(const CheckAnswer &answer)
{
    const CheckPhase phase = m_phase;
    if (answer.httpStatus == 401)
        return rejected(phase);
    if (answer.httpStatus == 403) {
        const QString message = answer.jsonObject()
                                    .value_or(QJsonObject())
                                    .value(QLatin1String("meta"))
                                    .toObject()
                                    .value(QLatin1String("message"))
                                    .toString();
        return CheckOutcome::fail(Failure::Forbidden,
            message.isEmpty()
                ? tr("Jama refused access (HTTP 403). The account may not be allowed to use "
                     "the REST API: ask a Jama administrator to allow it.")
                : tr("Jama refused access (HTTP 403): “%1”. Ask a Jama administrator to allow "
                     "this account to use the REST API (it needs a Named Creator license).")
                      .arg(Text::inert(message.left(500))));
    }
    if (answer.httpStatus < 200 || answer.httpStatus >= 300)
        return CheckOutcome::commonRules();
    switch (phase) {
    case CheckPhase::Token:
        return tokenAnswer(answer);
    case CheckPhase::Account:
    case CheckPhase::Permissions:
        break;
    }
    return userAnswer(answer);
}

CheckOutcome JamaCheck::tokenAnswer(const CheckAnswer &answer)
{
    const std::optional<QJsonObject> o = answer.jsonObject();
    if (!o) {
        if (answer.looksLikeHtml())
            return CheckOutcome::fail(Failure::NoApi, noApiMessage(m_base));
        return CheckOutcome::fail(Failure::BadAnswer,
            tr("Jama's answer to the token request is not valid "
               "JSON. Check the URL; if it is right, ask the Jama "
               "administrator."));
    }
    const QString token = o->value(QLatin1String("access_token")).toString();
    const QString type = o->value(QLatin1String("token_type")).toString();
    if (token.isEmpty() || type.compare(QLatin1String("bearer"), Qt::CaseInsensitive) != 0)
        return CheckOutcome::fail(Failure::BadAnswer,
            tr("Jama's answer to the token request has no bearer "
               "token. Check the URL; if it is right, ask the Jama "
               "administrator whether oAuth is enabled."));
    qCDebug(lcNet) << "validation: token received";
    m_bearerToken = token.toUtf8();
    return CheckOutcome::send(userStep());
}

CheckOutcome JamaCheck::userAnswer(const CheckAnswer &answer) const
{
    const std::optional<QJsonObject> doc = answer.jsonObject();
    const QJsonObject data = doc.value_or(QJsonObject()).value(QLatin1String("data")).toObject();
    if (!doc || !data.value(QLatin1String("username")).isString()) {
        if (answer.looksLikeHtml())
            return CheckOutcome::fail(Failure::NoApi, noApiMessage(m_base));
        return CheckOutcome::fail(Failure::BadAnswer,
            tr("Jama's answer about the current user could not be "
               "understood. Check the URL; if it is right, ask "
               "the Jama administrator."));
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
    qCInfo(lcNet).noquote() << "validation: user" << account.username << "license"
                            << account.licenseType << "active" << active;

    const QString who = QStringLiteral("%1 (%2)").arg(account.displayName, account.username);
    const QString adminNote = tr("Admin privileges cannot be confirmed through the API: make "
                                 "sure this account is a Jama administrator.");

    ValidationResult r;
    r.account = account;
    if (!active) {
        r.failure = Failure::Inactive;
        r.message = tr("The Jama account %1 is deactivated. Ask a Jama "
                       "administrator to reactivate it, or use another "
                       "account.")
                        .arg(who);
    } else if (account.licenseType == QLatin1String("NAMED")) {
        r.status = ValidationStatus::Verified;
        r.message = tr("Signed in as %1 with a Named Creator license.").arg(who);
    } else if (account.licenseType == QLatin1String("FLOATING")) {
        r.status = ValidationStatus::Warning;
        r.message = tr("Signed in as %1 with a Floating Creator license. Since Jama Connect "
                       "9.28/9.29 only Named Creator accounts may use the REST API, and "
                       "integrations running on a floating account pause: ask a Jama "
                       "administrator for a Named Creator license.")
                        .arg(who);
    } else {
        r.failure = Failure::License;
        r.message
            = tr("Signed in as %1, but its license type is %2. The connector needs an "
                 "account with a Creator license (Named Creator): ask a Jama administrator "
                 "to assign one, or use another account.")
                  .arg(who,
                      account.licenseType.isEmpty() ? tr("not reported") : account.licenseType);
    }
    r.message += QLatin1Char(' ') + adminNote;
    return CheckOutcome::finish(std::move(r));
}

} // namespace cd::jama
