#include "JamaCheck.h"

#include "Log.h"
#include "Text.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrlQuery>

namespace cd::jama {

namespace {

using Failure = ValidationResult::Failure;

QString tr(const char *s, const char *disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("JamaCheck", s, disambiguation, n);
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
    , m_scope(request.projects)
    , m_listAll(request.listProjects)
{
    m_checks.plan(QStringLiteral("credentials"), tr("Credentials"));
    m_checks.plan(QStringLiteral("account-active"), tr("Account active"));
    m_checks.plan(QStringLiteral("license"), tr("License"));
    m_checks.plan(QStringLiteral("api-access"), tr("REST API access"));
    m_checks.plan(QStringLiteral("projects-visible"), tr("Projects visible"));
    m_checks.planScope(m_scope);
    m_checks.plan(QStringLiteral("write-access"), tr("Write access"));
    m_checks.plan(QStringLiteral("admin"), tr("Admin"));
}

QString JamaCheck::productName() const
{
    return tr("Jama");
}

CheckStep JamaCheck::request(Step step, const QString &path, const QString &query)
{
    CheckStep s;
    switch (step) {
    case Step::Token:
        s.phase = CheckPhase::Token;
        break;
    case Step::User:
        s.phase = CheckPhase::Account;
        break;
    case Step::ProjectsPage:
    case Step::Project:
    case Step::Items:
        s.phase = CheckPhase::Projects;
        break;
    }
    s.path = path;
    s.query = query;
    switch (m_method) {
    case Method::OAuth:
        s.authorization = QByteArrayLiteral("Bearer ") + m_bearerToken;
        break;
    case Method::Basic:
        s.authorization = basicAuthorization(m_identity, m_secret);
        break;
    }
    m_step = step;
    return s;
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
        m_step = Step::Token;
        return token;
    }
    case Method::Basic:
        break;
    }
    return userStep();
}

CheckStep JamaCheck::userStep()
{
    return request(Step::User, QStringLiteral("/rest/v1/users/current"));
}

CheckStep JamaCheck::pageStep(int startAt)
{
    ++m_pages;
    m_pageStart = startAt;
    return request(Step::ProjectsPage, QStringLiteral("/rest/v1/projects"),
        QStringLiteral("startAt=%1&maxResults=%2").arg(startAt).arg(PageSize));
}

QString JamaCheck::noApiMessage(const QUrl &baseUrl) const
{
    return tr("No Jama REST API at this URL (%1). Check the URL and the "
              "context path, for example https://jama.example.com/contour.")
        .arg(baseUrl.toDisplayString(QUrl::RemoveUserInfo));
}

CheckOutcome JamaCheck::rejected(CheckPhase phase)
{
    m_checks.set(QStringLiteral("credentials"), CheckStatus::Fail,
        tr("Rejected (HTTP 401); not sent again automatically."));
    for (const QString &later : { QStringLiteral("projects-visible"),
             QStringLiteral("write-access"), QStringLiteral("admin") })
        m_checks.set(later, CheckStatus::Unknown, {}); // no longer "signed in" for what follows
    for (int i = m_scopeIndex; i < m_scope.size(); ++i)
        m_checks.set(projectCheckId(m_scope.at(i)), CheckStatus::Unknown, {});
    // Never retried: repeated bad sign-ins lock Jama accounts.
    switch (phase) {
    case CheckPhase::Token:
        return CheckOutcome::fail(Failure::CredentialsRejected,
            tr("Client ID or Client Secret rejected (HTTP 401). Check both; in Jama they "
               "are made under My Profile > Set API Credentials, and a secret is shown only "
               "once, so create new credentials if it is lost."));
    case CheckPhase::Account:
    case CheckPhase::Permissions:
    case CheckPhase::Projects:
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

namespace {

QString metaMessage(const CheckAnswer &answer)
{
    return Text::inert(answer.jsonObject()
                           .value_or(QJsonObject())
                           .value(QLatin1String("meta"))
                           .toObject()
                           .value(QLatin1String("message"))
                           .toString()
                           .left(500));
}

} // namespace

CheckOutcome JamaCheck::answer(const CheckAnswer &answer)
{
    // Whatever the step: rejected credentials are never sent again in this check.
    if (answer.httpStatus == 401) {
        CheckOutcome o = rejected(m_step == Step::Token ? CheckPhase::Token : CheckPhase::Account);
        o.result->account = m_signedIn.account; // known when a later step was refused
        return o;
    }
    switch (m_step) {
    case Step::ProjectsPage:
        return pageAnswer(answer);
    case Step::Project:
        return projectAnswer(answer);
    case Step::Items:
        return itemsAnswer(answer);
    case Step::Token:
    case Step::User:
        break;
    }
    const CheckPhase phase = m_step == Step::Token ? CheckPhase::Token : CheckPhase::Account;
    if (answer.httpStatus == 403) {
        const QString message = metaMessage(answer);
        if (phase == CheckPhase::Account)
            m_checks.set(QStringLiteral("credentials"), CheckStatus::Pass,
                tr("Accepted: Jama refused the REST API, not the sign-in."));
        m_checks.set(QStringLiteral("api-access"), CheckStatus::Fail,
            message.isEmpty()
                ? tr("Jama refused the REST API to this account (HTTP 403).")
                : tr("Jama refused the REST API to this account: “%1”.").arg(message));
        return CheckOutcome::fail(Failure::Forbidden,
            message.isEmpty()
                ? tr("Jama refused access (HTTP 403). The account may not be allowed to use "
                     "the REST API: ask a Jama administrator to allow it.")
                : tr("Jama refused access (HTTP 403): “%1”. Ask a Jama administrator to allow "
                     "this account to use the REST API (it needs a Named Creator license).")
                      .arg(message));
    }
    if (answer.httpStatus < 200 || answer.httpStatus >= 300)
        return CheckOutcome::commonRules();
    if (m_step == Step::Token)
        return tokenAnswer(answer);
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

CheckOutcome JamaCheck::userAnswer(const CheckAnswer &answer)
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
    m_checks.set(QStringLiteral("credentials"), CheckStatus::Pass,
        tr("Accepted: signed in as %1.").arg(who));
    m_checks.set(
        QStringLiteral("api-access"), CheckStatus::Pass, tr("The account may use the REST API."));

    ValidationResult &r = m_signedIn;
    r.account = account;
    if (!active) {
        m_checks.set(
            QStringLiteral("account-active"), CheckStatus::Fail, tr("The account is deactivated."));
        if (!account.licenseType.isEmpty())
            m_checks.set(QStringLiteral("license"), CheckStatus::Unknown,
                tr("License type %1, of a deactivated account.").arg(account.licenseType));
        r.status = ValidationStatus::Failed;
        r.failure = Failure::Inactive;
        r.message = tr("The Jama account %1 is deactivated. Ask a Jama "
                       "administrator to reactivate it, or use another "
                       "account.")
                        .arg(who);
    } else {
        m_checks.set(
            QStringLiteral("account-active"), CheckStatus::Pass, tr("The account is active."));
        if (account.licenseType == QLatin1String("NAMED")) {
            m_checks.set(
                QStringLiteral("license"), CheckStatus::Pass, tr("Named Creator license."));
            r.status = ValidationStatus::Verified;
            r.message = tr("Signed in as %1 with a Named Creator license.").arg(who);
        } else if (account.licenseType == QLatin1String("FLOATING")) {
            m_checks.set(QStringLiteral("license"), CheckStatus::Warn,
                tr("Floating Creator license: integrations on it pause since Jama Connect "
                   "9.28/9.29."));
            r.status = ValidationStatus::Warning;
            r.message = tr("Signed in as %1 with a Floating Creator license. Since Jama Connect "
                           "9.28/9.29 only Named Creator accounts may use the REST API, and "
                           "integrations running on a floating account pause: ask a Jama "
                           "administrator for a Named Creator license.")
                            .arg(who);
        } else {
            const QString license
                = account.licenseType.isEmpty() ? tr("not reported") : account.licenseType;
            m_checks.set(QStringLiteral("license"), CheckStatus::Fail,
                tr("License type %1: the connector needs a Named Creator license.").arg(license));
            r.status = ValidationStatus::Failed;
            r.failure = Failure::License;
            r.message = tr("Signed in as %1, but its license type is %2. The connector needs an "
                           "account with a Creator license (Named Creator): ask a Jama "
                           "administrator to assign one, or use another account.")
                            .arg(who, license);
        }
    }
    if (r.status == ValidationStatus::Failed)
        return finishChecked();
    return CheckOutcome::send(pageStep(0));
}

QString JamaCheck::stepInFlight() const
{
    switch (m_step) {
    case Step::Token:
    case Step::User:
        return QStringLiteral("credentials");
    case Step::ProjectsPage:
        return QStringLiteral("projects-visible");
    case Step::Project:
    case Step::Items:
        break;
    }
    return m_scopeIndex < m_scope.size() ? projectCheckId(m_scope.at(m_scopeIndex)) : QString();
}

int JamaCheck::visibleCount() const
{
    return m_totalProjects >= 0 ? m_totalProjects : int(m_visible.size());
}

const ProjectRef *JamaCheck::listed(const QString &key) const
{
    for (const ProjectRef &p : m_visible) {
        if (p.key.compare(key, Qt::CaseInsensitive) == 0)
            return &p;
    }
    return nullptr;
}

bool JamaCheck::scopeResolved() const
{
    // An all-digit entry may be a key ("2024") or an id: found as a key, or known as an id
    // only once the whole list has been seen.
    for (const QString &entry : m_scope) {
        if (!listed(entry))
            return false;
    }
    return true;
}

namespace {

// A Jama id as the server sent it: a whole number in [1, 2^53), or nothing.
QString projectId(const QJsonValue &id)
{
    if (id.isDouble()) {
        const double d = id.toDouble();
        if (d >= 1 && d < 9007199254740992.0 && d == double(qint64(d)))
            return QString::number(qint64(d));
        return {};
    }
    const QString text = id.toString();
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,15}$"));
    return digits.match(text).hasMatch() && text.toLongLong() > 0 ? text : QString();
}

bool isProjectId(const QString &entry)
{
    return !projectId(QJsonValue(entry)).isEmpty();
}

} // namespace

CheckOutcome JamaCheck::pageAnswer(const CheckAnswer &answer)
{
    const std::optional<QJsonObject> doc = answer.jsonObject();
    const bool ok = answer.httpStatus >= 200 && answer.httpStatus < 300 && doc
        && doc->value(QLatin1String("data")).isArray();
    if (!ok) {
        m_listingFailed = true;
        QString why;
        if (answer.httpStatus == CheckAnswer::TooLarge)
            why = tr("The list of projects was too large to read (over 1 MiB per page).");
        else if (answer.httpStatus == 403)
            why = tr("Jama refused the list of projects (HTTP 403).");
        else
            why = tr("The list of projects could not be read (HTTP %1).").arg(answer.httpStatus);
        m_checks.set(QStringLiteral("projects-visible"), CheckStatus::Unknown, why);
        m_scopeIndex = 0;
        return nextScopedProject();
    }
    const QJsonArray data = doc->value(QLatin1String("data")).toArray();
    int added = 0;
    for (const QJsonValue &v : data) {
        if (m_seenIds.size() >= MaxPages * PageSize)
            break; // a server listing more than it could have is not believed further
        const QJsonObject p = v.toObject();
        ProjectRef ref;
        ref.id = projectId(p.value(QLatin1String("id")));
        if (ref.id.isEmpty() || m_seenIds.contains(ref.id))
            continue;
        m_seenIds.insert(ref.id);
        ++added; // new to this walk: the server is not repeating itself
        if (p.value(QLatin1String("isFolder")).toBool(false))
            continue;
        ref.key = Text::inert(p.value(QLatin1String("projectKey")).toString().left(200));
        ref.name = Text::inert(p.value(QLatin1String("fields"))
                                   .toObject()
                                   .value(QLatin1String("name"))
                                   .toString()
                                   .left(300));
        m_visible.append(ref);
    }
    const QJsonObject pageInfo
        = doc->value(QLatin1String("meta")).toObject().value(QLatin1String("pageInfo")).toObject();
    if (pageInfo.contains(QLatin1String("totalResults")))
        m_totalProjects = pageInfo.value(QLatin1String("totalResults")).toInt(-1);
    // The next page starts after what this page held, counted from what was asked: a server
    // that echoes another start index or repeats a page does not make the walk loop.
    const int next = m_pageStart + int(data.size());
    // The end: as far as the total says, or (without one) an empty page. An empty or
    // repeated page before it is a server that lies: the walk stops, the list incomplete.
    const bool exhausted = m_totalProjects >= 0 ? next >= m_totalProjects : data.isEmpty();
    const bool stuck = !exhausted && (data.isEmpty() || added == 0);
    const bool wanted = m_listAll || !scopeResolved() || m_totalProjects < 0;
    if (!exhausted && !stuck && wanted && m_pages < MaxPages)
        return CheckOutcome::send(pageStep(next));
    m_listingComplete = exhausted || (!stuck && !wanted);

    m_checks.setProjectsVisible(visibleCount(), m_listingComplete);
    m_scopeIndex = 0;
    return nextScopedProject();
}

void JamaCheck::setProject(CheckStatus status, const QString &message)
{
    const QString key = m_scope.at(m_scopeIndex);
    m_checks.set(projectCheckId(key), status, message);
    switch (status) {
    case CheckStatus::Fail:
        m_unreadable << key;
        break;
    case CheckStatus::Unknown:
        m_uncheckable << key;
        break;
    case CheckStatus::Pass:
    case CheckStatus::Warn:
        break;
    }
    ++m_scopeIndex;
}

CheckOutcome JamaCheck::nextScopedProject()
{
    while (m_scopeIndex < m_scope.size()) {
        const QString entry = m_scope.at(m_scopeIndex);
        QString id;
        m_projectName.clear();
        if (const ProjectRef *p = listed(entry)) {
            id = p->id;
            m_projectName = p->name;
        } else if (isProjectId(entry)) {
            id = entry;
        }
        if (id.isEmpty()) {
            if (m_listingFailed)
                setProject(CheckStatus::Unknown,
                    tr("Not checked: the list of projects could not be read."));
            else if (!m_listingComplete)
                setProject(CheckStatus::Unknown,
                    tr("Not among the first %n projects listed; the rest were not read.", nullptr,
                        int(m_visible.size())));
            else
                setProject(CheckStatus::Fail,
                    tr("Not among the projects this account can see: it does not exist, or the "
                       "account has no access to it."));
            continue;
        }
        m_projectId = id;
        return CheckOutcome::send(
            request(Step::Project, QStringLiteral("/rest/v1/projects/") + id));
    }
    return finishChecked();
}

CheckOutcome JamaCheck::projectAnswer(const CheckAnswer &answer)
{
    const QJsonObject data
        = answer.jsonObject().value_or(QJsonObject()).value(QLatin1String("data")).toObject();
    if (answer.httpStatus >= 200 && answer.httpStatus < 300
        && data.value(QLatin1String("isFolder")).toBool(false)) {
        setProject(CheckStatus::Fail,
            tr("This id is a folder of projects, not a project: name the projects in it."));
        return nextScopedProject();
    }
    if (answer.httpStatus >= 200 && answer.httpStatus < 300 && !data.isEmpty()) {
        const QString name = Text::inert(
            data.value(QLatin1String("fields")).toObject().value(QLatin1String("name")).toString());
        if (!name.isEmpty())
            m_projectName = name.left(300);
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("project"), m_projectId);
        query.addQueryItem(QStringLiteral("maxResults"), QStringLiteral("1"));
        return CheckOutcome::send(request(
            Step::Items, QStringLiteral("/rest/v1/items"), query.toString(QUrl::FullyEncoded)));
    }
    if (answer.httpStatus >= 400 && answer.httpStatus < 500)
        // 403 and 404 are not told apart (shared/jama-rest.md): missing or hidden alike.
        setProject(CheckStatus::Fail,
            tr("Not found, or not visible to this account (HTTP %1).").arg(answer.httpStatus));
    else
        setProject(CheckStatus::Unknown,
            tr("Could not be checked: Jama answered HTTP %1.").arg(answer.httpStatus));
    return nextScopedProject();
}

CheckOutcome JamaCheck::itemsAnswer(const CheckAnswer &answer)
{
    const bool named = !m_projectName.isEmpty();
    if (answer.httpStatus >= 200 && answer.httpStatus < 300 && answer.jsonObject())
        setProject(CheckStatus::Pass,
            named ? tr("Found (“%1”); its items can be read.").arg(m_projectName)
                  : tr("Found; its items can be read."));
    else if (answer.httpStatus >= 400 && answer.httpStatus < 500)
        setProject(CheckStatus::Fail,
            named ? tr("Found (“%1”), but its items cannot be read (HTTP %2).")
                        .arg(m_projectName)
                        .arg(answer.httpStatus)
                  : tr("Found, but its items cannot be read (HTTP %1).").arg(answer.httpStatus));
    else
        setProject(CheckStatus::Unknown,
            named ? tr("Found (“%1”), but reading its items failed (HTTP %2).")
                        .arg(m_projectName)
                        .arg(answer.httpStatus)
                  : tr("Found, but reading its items failed (HTTP %1).").arg(answer.httpStatus));
    return nextScopedProject();
}

CheckOutcome JamaCheck::finishChecked()
{
    ValidationResult r = m_signedIn;
    const QString adminNote = tr("Admin privileges cannot be confirmed through the API: make "
                                 "sure this account is a Jama administrator.");
    if (r.status != ValidationStatus::Failed) {
        m_checks.set(QStringLiteral("write-access"), CheckStatus::Unknown,
            m_scope.isEmpty()
                ? tr("Cannot be confirmed without writing: make sure the account may create "
                     "and edit items in the projects you integrate.")
                : tr("Cannot be confirmed without writing: make sure the account may create "
                     "and edit items in %1.")
                      .arg(m_scope.join(tr(", "))));
        m_checks.set(QStringLiteral("admin"), CheckStatus::Unknown, adminNote);
        if (!m_unreadable.isEmpty()) {
            r.status = ValidationStatus::Failed;
            r.failure = Failure::ProjectAccess;
            r.message += QLatin1Char(' ')
                + tr("However, it cannot read %n of the connector's projects: %1. Ask a "
                     "Jama administrator for access, or correct the connector's projects.",
                    nullptr, int(m_unreadable.size()))
                      .arg(m_unreadable.join(tr(", ")));
        } else if (!m_uncheckable.isEmpty()) {
            if (r.status == ValidationStatus::Verified)
                r.status = ValidationStatus::Warning;
            r.message += QLatin1Char(' ')
                + tr("These projects could not be checked: %1. Check again later.")
                      .arg(m_uncheckable.join(tr(", ")));
        } else if (!m_scope.isEmpty()) {
            r.message += QLatin1Char(' ')
                + tr("Its projects can be read: %1.").arg(m_scope.join(tr(", ")));
        } else if (m_listingFailed) {
            if (r.status == ValidationStatus::Verified)
                r.status = ValidationStatus::Warning;
            r.message += QLatin1Char(' ') + Checklist::notListedNote();
        } else if (visibleCount() == 0 && r.status == ValidationStatus::Verified) {
            r.status = ValidationStatus::Warning;
            r.message += QLatin1Char(' ')
                + tr("It sees no projects: ask a Jama administrator to give it access to the "
                     "projects you integrate.");
        }
    }
    r.message += QLatin1Char(' ') + adminNote;
    return CheckOutcome::finish(std::move(r));
}

} // namespace cd::jama
