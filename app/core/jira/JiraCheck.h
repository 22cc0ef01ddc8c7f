#pragma once

#include "Check.h"

#include <QSet>
#include <optional>

namespace cd::jira {

// Jira's part of a check (shared/jira-rest.md):
//   GET {base}/rest/api/3/myself (Cloud) or /rest/api/2/myself (Data Center), with Basic
//   (email + API token, or username + password) or Bearer (personal access token)
//     401 --> rejected, never retried (Jira puts a CAPTCHA in front of the account)
//     403 + X-Authentication-Denied-Reason: CAPTCHA_CHALLENGE --> LoginChallenge: sign in
//         once in a browser at the login URL; never retried
//     200 + X-Seraph-LoginReason: AUTHENTICATION_DENIED / AUTHENTICATED_FAILED, or a body
//         without an account (accountId / key) --> not a success (Jira answered anonymously)
//     200 + active: false --> Inactive
//     200 + an account --> GET {base}/rest/api/2/mypermissions
//                              ?permissions=BROWSE_PROJECTS,CREATE_ISSUES,EDIT_ISSUES
//         all held --> Verified; some missing --> Warning naming them;
//         unreadable --> Warning (signed in, permissions unknown)
//   then the visible projects: Cloud GET /rest/api/3/project/search?startAt=N&maxResults=50
//         (paged while every project is wanted), Data Center GET /rest/api/2/project
//   then for each project of the scope: GET /rest/api/2/mypermissions?projectKey=KEY&...
//         404 or no BROWSE_PROJECTS --> Failed (ProjectAccess), naming it;
//         CREATE_ISSUES / EDIT_ISSUES missing --> Warning (write access)
class JiraCheck final : public CheckProtocol
{
public:
    enum class Flavour { Cloud, DataCenter };
    enum class Method { ApiToken, Basic, PersonalAccessToken };
    static std::optional<Method> methodFor(const QString &authType);

    JiraCheck(Flavour flavour, Method method, const ValidationRequest &request);

    QString productName() const override;
    CheckStep first() override;
    CheckOutcome answer(const CheckAnswer &answer) override;
    QString noApiMessage(const QUrl &baseUrl) const override;
    QList<CheckItem> checklist() const override { return m_checks.items(); }
    QList<ProjectRef> visibleProjects() const override { return m_visible; }
    QString stepInFlight() const override;

    static constexpr int PageSize = 50;
    static constexpr int MaxPages = 200;

    // The permissions a connector's integrations need, in the order they are named.
    static QStringList neededPermissions();

private:
    CheckStep step(CheckPhase phase, const QString &path, const QString &query = {}) const;
    CheckOutcome rejected();
    CheckOutcome accountAnswer(const CheckAnswer &answer);
    CheckOutcome permissionsAnswer(const CheckAnswer &answer);
    CheckOutcome projectsAnswer(const CheckAnswer &answer);
    CheckOutcome projectPermissionsAnswer(const CheckAnswer &answer);
    CheckStep projectsStep(int startAt);
    CheckOutcome nextScopedProject();
    CheckOutcome finishChecked();
    QString who() const;

    Flavour m_flavour;
    Method m_method;
    QString m_identity;
    QString m_secret;
    QUrl m_base;
    CheckPhase m_phase = CheckPhase::Account;
    AccountInfo m_account;
    QStringList m_scope;
    bool m_listAll = false;
    Checklist m_checks;
    ValidationResult m_signedIn; // the verdict of myself and the global permissions
    bool m_globalPermissionsRead = false;
    QStringList m_globalMissing; // permission names lacking in every project
    QList<ProjectRef> m_visible;
    int m_totalProjects = -1;
    int m_pages = 0;
    bool m_listingFailed = false;
    int m_pageStart = 0; // startAt of the page last asked for
    QSet<QString> m_seenKeys;
    bool m_projectStep = false; // in Projects phase: a scoped project's mypermissions
    int m_scopeIndex = 0;
    QStringList m_unreadable, m_uncheckable;
    QStringList m_cannotWrite; // "Create issues in ACME"
};

} // namespace cd::jira
