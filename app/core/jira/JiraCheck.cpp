#include "JiraCheck.h"

#include "Log.h"
#include "Text.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace cd::jira {

namespace {

using Failure = ValidationResult::Failure;

QString tr(const char *s, const char *disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("JiraCheck", s, disambiguation, n);
}

QString permissionName(const QString &key)
{
    static const struct
    {
        const char *key;
        const char *name;
    } names[] = { { "BROWSE_PROJECTS", QT_TRANSLATE_NOOP("JiraCheck", "Browse projects") },
        { "CREATE_ISSUES", QT_TRANSLATE_NOOP("JiraCheck", "Create issues") },
        { "EDIT_ISSUES", QT_TRANSLATE_NOOP("JiraCheck", "Edit issues") } };
    for (const auto &n : names) {
        if (key == QLatin1String(n.key))
            return tr(n.name);
    }
    return key;
}

// The first of Jira's errorMessages, made inert; empty when there is none.
QString errorMessage(const CheckAnswer &answer)
{
    const QJsonArray messages = answer.jsonObject()
                                    .value_or(QJsonObject())
                                    .value(QLatin1String("errorMessages"))
                                    .toArray();
    return Text::inert(messages.first().toString().left(300));
}

} // namespace

std::optional<JiraCheck::Method> JiraCheck::methodFor(const QString &authType)
{
    static const struct
    {
        const char *id;
        Method method;
    } methods[] = { { "api-token", Method::ApiToken }, { "basic", Method::Basic },
        { "pat", Method::PersonalAccessToken } };
    for (const auto &m : methods) {
        if (authType == QLatin1String(m.id))
            return m.method;
    }
    return std::nullopt;
}

JiraCheck::JiraCheck(Flavour flavour, Method method, const ValidationRequest &request)
    : m_flavour(flavour)
    , m_method(method)
    , m_identity(request.identity)
    , m_secret(request.secret)
    , m_base(request.baseUrl)
    , m_scope(request.projects)
    , m_listAll(request.listProjects)
{
    m_checks.plan(QStringLiteral("credentials"), tr("Credentials"));
    m_checks.plan(QStringLiteral("account-active"), tr("Account active"));
    m_checks.plan(QStringLiteral("projects-visible"), tr("Projects visible"));
    m_checks.planScope(m_scope);
    m_checks.plan(QStringLiteral("write-access"), tr("Write access"));
}

QStringList JiraCheck::neededPermissions()
{
    return { QStringLiteral("BROWSE_PROJECTS"), QStringLiteral("CREATE_ISSUES"),
        QStringLiteral("EDIT_ISSUES") };
}

QString JiraCheck::productName() const
{
    return tr("Jira");
}

CheckStep JiraCheck::step(CheckPhase phase, const QString &path, const QString &query) const
{
    CheckStep s;
    s.phase = phase;
    s.path = path;
    s.query = query;
    switch (m_method) {
    case Method::ApiToken:
    case Method::Basic:
        s.authorization = basicAuthorization(m_identity, m_secret);
        break;
    case Method::PersonalAccessToken:
        s.authorization = bearerAuthorization(m_secret);
        break;
    }
    return s;
}

CheckStep JiraCheck::first()
{
    m_phase = CheckPhase::Account;
    switch (m_flavour) {
    case Flavour::Cloud:
        return step(m_phase, QStringLiteral("/rest/api/3/myself"));
    case Flavour::DataCenter:
        break;
    }
    return step(m_phase, QStringLiteral("/rest/api/2/myself"));
}

QString JiraCheck::noApiMessage(const QUrl &baseUrl) const
{
    switch (m_flavour) {
    case Flavour::Cloud:
        return tr("No Jira REST API at this URL (%1). Enter the address of the Jira Cloud site, "
                  "for example https://yourcompany.atlassian.net.")
            .arg(baseUrl.toDisplayString(QUrl::RemoveUserInfo));
    case Flavour::DataCenter:
        break;
    }
    return tr("No Jira REST API at this URL (%1). Check the URL and the context path, for "
              "example https://jira.example.com/jira.")
        .arg(baseUrl.toDisplayString(QUrl::RemoveUserInfo));
}

CheckOutcome JiraCheck::rejected()
{
    m_checks.set(QStringLiteral("credentials"), CheckStatus::Fail,
        tr("Rejected (HTTP 401); not sent again automatically."));
    // Never retried: after a few failed sign-ins Jira asks for a CAPTCHA, and the API
    // refuses the account until someone passes it in a browser.
    switch (m_method) {
    case Method::ApiToken:
        return CheckOutcome::fail(Failure::CredentialsRejected,
            tr("Email or API token rejected (HTTP 401). Check both: Jira Cloud takes an API "
               "token, not the account's password (create one under Atlassian account > "
               "Security > API tokens). This check is not repeated automatically."));
    case Method::Basic:
        return CheckOutcome::fail(Failure::CredentialsRejected,
            tr("Username or password rejected (HTTP 401). Check both; after a few failed "
               "sign-ins Jira demands a CAPTCHA, so this check is not repeated automatically. "
               "If Basic authentication is switched off on this Jira, use a personal access "
               "token."));
    case Method::PersonalAccessToken:
        break;
    }
    return CheckOutcome::fail(Failure::CredentialsRejected,
        tr("The personal access token was rejected (HTTP 401): it may be mistyped, expired or "
           "revoked. Create a new one in Jira (your profile > Personal Access Tokens) and "
           "enter it here."));
}

QString JiraCheck::who() const
{
    return m_account.username.isEmpty() || m_account.username == m_account.displayName
        ? m_account.displayName
        : QStringLiteral("%1 (%2)").arg(m_account.displayName, m_account.username);
}

CheckOutcome JiraCheck::answer(const CheckAnswer &answer)
{
    if (answer.httpStatus == 401) {
        CheckOutcome o = rejected();
        o.result->account = m_account; // known when a later step was refused
        return o;
    }
    if (answer.httpStatus == 403) {
        const QByteArray denied = answer.header("X-Authentication-Denied-Reason");
        if (denied.contains("CAPTCHA_CHALLENGE")) {
            QString loginUrl;
            const int at = int(denied.indexOf("login-url="));
            if (at >= 0) {
                // The value ends at the next attribute, if Jira ever adds one.
                QByteArray value = denied.mid(at + 10);
                const int end = int(value.indexOf(';'));
                if (end >= 0)
                    value.truncate(end);
                loginUrl = Text::inert(QString::fromUtf8(value).trimmed().left(300));
            }
            // Only a sign-in page of this instance is suggested: a server must not send the
            // user to type the account's password somewhere else.
            const QUrl login(loginUrl);
            if (!login.isValid() || login.host().compare(m_base.host(), Qt::CaseInsensitive) != 0
                || (login.scheme() != QLatin1String("https")
                    && login.scheme() != QLatin1String("http")))
                loginUrl.clear();
            if (loginUrl.isEmpty())
                loginUrl
                    = m_base.toDisplayString(QUrl::RemoveUserInfo) + QStringLiteral("/login.jsp");
            m_checks.set(QStringLiteral("credentials"), CheckStatus::Fail,
                tr("Jira wants the account to pass a CAPTCHA in a browser first."));
            return CheckOutcome::fail(Failure::LoginChallenge,
                tr("Jira wants this account to pass a CAPTCHA: sign in once in a browser at %1, "
                   "then check again. Until then Jira refuses the API for it, so it is not "
                   "checked again automatically.")
                    .arg(loginUrl));
        }
        if (m_phase == CheckPhase::Account) {
            const QString said = errorMessage(answer);
            return CheckOutcome::fail(Failure::Forbidden,
                said.isEmpty()
                    ? tr("Jira refused access (HTTP 403). The account may not be allowed to use "
                         "the REST API, or this authentication method is switched off: ask a "
                         "Jira administrator, or use a personal access token.")
                    : tr("Jira refused access (HTTP 403): “%1”. Ask a Jira administrator to "
                         "allow this account to use the REST API.")
                          .arg(said));
        }
    }
    switch (m_phase) {
    case CheckPhase::Token:
    case CheckPhase::Account:
        if (answer.httpStatus < 200 || answer.httpStatus >= 300)
            return CheckOutcome::commonRules();
        return accountAnswer(answer);
    case CheckPhase::Permissions:
        return permissionsAnswer(answer);
    case CheckPhase::Projects:
        break;
    }
    return m_projectStep ? projectPermissionsAnswer(answer) : projectsAnswer(answer);
}

CheckOutcome JiraCheck::accountAnswer(const CheckAnswer &answer)
{
    // Seraph, Jira's authentication layer, answers as the anonymous user instead of failing.
    const QByteArray seraph = answer.header("X-Seraph-LoginReason");
    const auto anonymous = [this] {
        m_checks.set(QStringLiteral("credentials"), CheckStatus::Fail,
            tr("Not accepted: Jira answered as an anonymous user."));
    };
    if (seraph.contains("AUTHENTICATION_DENIED") || seraph.contains("AUTHENTICATED_FAILED")) {
        anonymous();
        return CheckOutcome::fail(Failure::CredentialsRejected,
            tr("Jira did not accept the credentials and answered as an anonymous user "
               "(X-Seraph-LoginReason: %1). Check them; this check is not repeated "
               "automatically, as repeated failures make Jira demand a CAPTCHA.")
                .arg(Text::inert(QString::fromLatin1(seraph.left(100)))));
    }
    const std::optional<QJsonObject> o = answer.jsonObject();
    if (!o)
        return CheckOutcome::fail(Failure::NoApi, noApiMessage(m_base));
    QString accountKey;
    switch (m_flavour) {
    case Flavour::Cloud:
        accountKey = o->value(QLatin1String("accountId")).toString();
        break;
    case Flavour::DataCenter:
        accountKey = o->value(QLatin1String("key")).toString();
        if (accountKey.isEmpty())
            accountKey = o->value(QLatin1String("name")).toString();
        break;
    }
    if (accountKey.isEmpty()) {
        // JSON, but not an account: Jira's shape (self, errorMessages) answered anonymously,
        // anything else is not Jira at all.
        if (o->contains(QLatin1String("self")) || o->contains(QLatin1String("errorMessages"))) {
            anonymous();
            return CheckOutcome::fail(Failure::CredentialsRejected,
                tr("Jira answered without naming an account: it treated the request as "
                   "anonymous. Check the credentials; this check is not repeated "
                   "automatically."));
        }
        return CheckOutcome::fail(Failure::NoApi, noApiMessage(m_base));
    }

    m_account.displayName = Text::inert(o->value(QLatin1String("displayName")).toString());
    QString name;
    switch (m_flavour) {
    case Flavour::Cloud:
        name = o->value(QLatin1String("emailAddress")).toString();
        break;
    case Flavour::DataCenter:
        name = o->value(QLatin1String("name")).toString();
        break;
    }
    m_account.username = Text::inert(name.isEmpty() ? accountKey : name);
    if (m_account.displayName.isEmpty())
        m_account.displayName = m_account.username;
    const bool active = o->value(QLatin1String("active")).toBool(true);
    qCInfo(lcNet).noquote() << "validation: Jira account" << m_account.username << "active"
                            << active;
    m_checks.set(QStringLiteral("credentials"), CheckStatus::Pass,
        tr("Accepted: signed in as %1.").arg(who()));
    m_checks.set(QStringLiteral("account-active"), active ? CheckStatus::Pass : CheckStatus::Fail,
        active ? tr("The account is active.") : tr("The account is deactivated."));
    if (!active) {
        ValidationResult r;
        r.failure = Failure::Inactive;
        r.account = m_account;
        r.message = tr("The Jira account %1 is deactivated. Ask a Jira administrator to "
                       "reactivate it, or use another account.")
                        .arg(who());
        return CheckOutcome::finish(std::move(r));
    }
    m_phase = CheckPhase::Permissions;
    return CheckOutcome::send(step(m_phase, QStringLiteral("/rest/api/2/mypermissions"),
        QStringLiteral("permissions=") + neededPermissions().join(QLatin1Char(','))));
}

CheckOutcome JiraCheck::permissionsAnswer(const CheckAnswer &answer)
{
    ValidationResult &r = m_signedIn;
    r.account = m_account;
    const QJsonObject permissions = answer.jsonObject()
                                        .value_or(QJsonObject())
                                        .value(QLatin1String("permissions"))
                                        .toObject();
    if (answer.httpStatus < 200 || answer.httpStatus >= 300 || permissions.isEmpty()) {
        r.status = ValidationStatus::Warning;
        r.message = tr("Signed in to Jira as %1, but its permissions could not be read (HTTP "
                       "%2). Make sure the account may browse projects and create and edit "
                       "issues in the projects you integrate.")
                        .arg(who())
                        .arg(answer.httpStatus);
        m_phase = CheckPhase::Projects;
        return CheckOutcome::send(projectsStep(0));
    }
    m_globalPermissionsRead = true;
    QStringList missing;
    for (const QString &key : neededPermissions()) {
        if (!permissions.value(key).toObject().value(QLatin1String("havePermission")).toBool(false))
            missing << permissionName(key);
    }
    m_globalMissing = missing;
    if (missing.isEmpty()) {
        r.status = ValidationStatus::Verified;
        r.message = tr("Signed in to Jira as %1, with permission to browse projects and to "
                       "create and edit issues.")
                        .arg(who());
    } else {
        r.status = ValidationStatus::Warning;
        r.message = tr("Signed in to Jira as %1, but the account lacks these permissions in "
                       "every project: %2. Ask a Jira administrator to grant them in the "
                       "projects you integrate.")
                        .arg(who(), missing.join(tr(", ")));
    }
    m_phase = CheckPhase::Projects;
    return CheckOutcome::send(projectsStep(0));
}

QString JiraCheck::stepInFlight() const
{
    switch (m_phase) {
    case CheckPhase::Token:
    case CheckPhase::Account:
        return QStringLiteral("credentials");
    case CheckPhase::Permissions:
        return QStringLiteral("write-access");
    case CheckPhase::Projects:
        break;
    }
    if (!m_projectStep)
        return QStringLiteral("projects-visible");
    return m_scopeIndex < m_scope.size() ? projectCheckId(m_scope.at(m_scopeIndex)) : QString();
}

CheckStep JiraCheck::projectsStep(int startAt)
{
    ++m_pages;
    m_pageStart = startAt;
    m_projectStep = false;
    switch (m_flavour) {
    case Flavour::Cloud:
        return step(CheckPhase::Projects, QStringLiteral("/rest/api/3/project/search"),
            QStringLiteral("startAt=%1&maxResults=%2").arg(startAt).arg(PageSize));
    case Flavour::DataCenter:
        break;
    }
    // Data Center lists every visible project in one answer.
    return step(CheckPhase::Projects, QStringLiteral("/rest/api/2/project"));
}

CheckOutcome JiraCheck::projectsAnswer(const CheckAnswer &answer)
{
    QJsonArray values;
    bool ok = answer.httpStatus >= 200 && answer.httpStatus < 300;
    bool last = true;
    if (ok) {
        const QJsonDocument doc = QJsonDocument::fromJson(answer.body);
        switch (m_flavour) {
        case Flavour::Cloud:
            ok = doc.isObject() && doc.object().value(QLatin1String("values")).isArray();
            values = doc.object().value(QLatin1String("values")).toArray();
            if (doc.object().contains(QLatin1String("total")))
                m_totalProjects = doc.object().value(QLatin1String("total")).toInt();
            last = doc.object().value(QLatin1String("isLast")).toBool(true) || values.isEmpty();
            break;
        case Flavour::DataCenter:
            ok = doc.isArray();
            values = doc.array();
            m_totalProjects = int(values.size());
            break;
        }
    }
    if (!ok) {
        m_listingFailed = true;
        m_checks.set(QStringLiteral("projects-visible"), CheckStatus::Unknown,
            answer.httpStatus == CheckAnswer::TooLarge
                ? tr("The list of projects was too large to read (over 1 MiB).")
                : tr("The list of projects could not be read (HTTP %1).").arg(answer.httpStatus));
        m_scopeIndex = 0;
        return nextScopedProject();
    }
    int added = 0;
    for (const QJsonValue &v : std::as_const(values)) {
        if (m_seenKeys.size() >= MaxPages * PageSize)
            break; // more than it could have listed: not believed further
        const QJsonObject p = v.toObject();
        ProjectRef ref;
        ref.key = Text::inert(p.value(QLatin1String("key")).toString().left(200));
        ref.id = Text::inert(p.value(QLatin1String("id")).toString().left(40));
        ref.name = Text::inert(p.value(QLatin1String("name")).toString().left(300));
        if (ref.key.isEmpty() || m_seenKeys.contains(ref.key))
            continue;
        m_seenKeys.insert(ref.key);
        m_visible.append(ref);
        ++added;
    }
    // The count is known from the first page; more pages only when every project is wanted.
    // The next page is counted from what was asked, so a server repeating a page stops it.
    if (!last && added > 0 && (m_listAll || m_totalProjects < 0) && m_pages < MaxPages)
        return CheckOutcome::send(projectsStep(m_pageStart + int(values.size())));
    m_checks.setProjectsVisible(
        m_totalProjects >= 0 ? m_totalProjects : int(m_visible.size()), true);
    m_scopeIndex = 0;
    return nextScopedProject();
}

CheckOutcome JiraCheck::nextScopedProject()
{
    if (m_scopeIndex >= m_scope.size())
        return finishChecked();
    m_projectStep = true;
    const QString key = m_scope.at(m_scopeIndex);
    return CheckOutcome::send(
        step(CheckPhase::Projects, QStringLiteral("/rest/api/2/mypermissions"),
            QStringLiteral("projectKey=%1&permissions=%2")
                .arg(QString::fromLatin1(QUrl::toPercentEncoding(key)),
                    neededPermissions().join(QLatin1Char(',')))));
}

CheckOutcome JiraCheck::projectPermissionsAnswer(const CheckAnswer &answer)
{
    const QString key = m_scope.at(m_scopeIndex);
    const QString id = projectCheckId(key);
    ++m_scopeIndex;
    const QJsonObject permissions = answer.jsonObject()
                                        .value_or(QJsonObject())
                                        .value(QLatin1String("permissions"))
                                        .toObject();
    const auto held = [&](const QString &permission) {
        return permissions.value(permission)
            .toObject()
            .value(QLatin1String("havePermission"))
            .toBool(false);
    };
    if (answer.httpStatus == 404 || answer.httpStatus == 403 || answer.httpStatus == 400) {
        m_checks.set(id, CheckStatus::Fail,
            tr("Not found, or not visible to this account (HTTP %1).").arg(answer.httpStatus));
        m_unreadable << key;
    } else if (answer.httpStatus < 200 || answer.httpStatus >= 300 || permissions.isEmpty()) {
        m_checks.set(id, CheckStatus::Unknown,
            tr("Could not be checked: Jira answered HTTP %1.").arg(answer.httpStatus));
        m_uncheckable << key;
    } else if (!held(QStringLiteral("BROWSE_PROJECTS"))) {
        m_checks.set(id, CheckStatus::Fail, tr("Found, but the account may not browse it."));
        m_unreadable << key;
    } else {
        QStringList lacking;
        for (const QString &permission :
            { QStringLiteral("CREATE_ISSUES"), QStringLiteral("EDIT_ISSUES") }) {
            if (!held(permission))
                lacking << permissionName(permission);
        }
        m_checks.set(id, CheckStatus::Pass,
            lacking.isEmpty() ? tr("Found; the account may browse it and create and edit issues.")
                              : tr("Found; the account may browse it."));
        if (!lacking.isEmpty())
            m_cannotWrite << tr("%1 in %2").arg(lacking.join(tr(", ")), key);
    }
    return nextScopedProject();
}

CheckOutcome JiraCheck::finishChecked()
{
    ValidationResult r = m_signedIn;
    if (m_scope.isEmpty()) {
        // Write access as the global permissions say (every project).
        if (!m_globalPermissionsRead)
            m_checks.set(QStringLiteral("write-access"), CheckStatus::Unknown,
                tr("The account's permissions could not be read."));
        else if (m_globalMissing.isEmpty())
            m_checks.set(QStringLiteral("write-access"), CheckStatus::Pass,
                tr("The account may create and edit issues."));
        else
            m_checks.set(QStringLiteral("write-access"), CheckStatus::Warn,
                tr("Lacking in every project: %1.").arg(m_globalMissing.join(tr(", "))));
        if (r.status == ValidationStatus::Verified && m_listingFailed) {
            r.status = ValidationStatus::Warning;
            r.message += QLatin1Char(' ') + Checklist::notListedNote();
        } else if (r.status == ValidationStatus::Verified && m_totalProjects == 0) {
            r.status = ValidationStatus::Warning;
            r.message += QLatin1Char(' ')
                + tr("It sees no projects: ask a Jira administrator to give it access to the "
                     "projects you integrate.");
        }
        return CheckOutcome::finish(std::move(r));
    }
    // Scoped: the verdict is the scope's, not the global one.
    const bool allChecked = m_unreadable.isEmpty() && m_uncheckable.isEmpty();
    if (!m_cannotWrite.isEmpty())
        m_checks.set(QStringLiteral("write-access"), CheckStatus::Warn,
            tr("Lacking: %1.").arg(m_cannotWrite.join(tr("; "))));
    else if (allChecked)
        m_checks.set(QStringLiteral("write-access"), CheckStatus::Pass,
            tr("The account may create and edit issues in %1.").arg(m_scope.join(tr(", "))));
    else
        m_checks.set(QStringLiteral("write-access"), CheckStatus::Unknown,
            tr("Not known for the projects that could not be read."));
    if (!m_unreadable.isEmpty()) {
        r.status = ValidationStatus::Failed;
        r.failure = Failure::ProjectAccess;
        r.message = tr("Signed in to Jira as %1, but the account cannot read %n of the "
                       "connector's projects: %2. Ask a Jira administrator for access, or "
                       "correct the connector's projects.",
            nullptr, int(m_unreadable.size()))
                        .arg(who(), m_unreadable.join(tr(", ")));
    } else if (!m_uncheckable.isEmpty()) {
        r.status = ValidationStatus::Warning;
        r.message = tr("Signed in to Jira as %1, but these projects could not be checked: %2. "
                       "Check again later.")
                        .arg(who(), m_uncheckable.join(tr(", ")));
    } else if (!m_cannotWrite.isEmpty()) {
        r.status = ValidationStatus::Warning;
        r.message = tr("Signed in to Jira as %1; the projects can be read, but the account "
                       "lacks: %2. Ask a Jira administrator to grant these permissions.")
                        .arg(who(), m_cannotWrite.join(tr("; ")));
    } else {
        r.status = ValidationStatus::Verified;
        r.message = tr("Signed in to Jira as %1; the account may browse, create and edit "
                       "issues in %2.")
                        .arg(who(), m_scope.join(tr(", ")));
    }
    return CheckOutcome::finish(std::move(r));
}

} // namespace cd::jira
