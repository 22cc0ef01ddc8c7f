#pragma once

#include "Check.h"

#include <QSet>

namespace cd::jama {

// Jama's part of a check (shared/jama-rest.md):
//   oAuth: POST {base}/rest/oauth/token (Basic client credentials,
//          grant_type=client_credentials) --200 bearer token--> users/current with it
//   Basic: GET {base}/rest/v1/users/current with a preemptive Basic header
//   users/current 200: active + NAMED --> Verified; FLOATING --> Warning;
//          inactive or another license --> Failed. 401: rejected (never retried);
//          403: not allowed to use the API (Jama's meta.message quoted).
//   then GET /rest/v1/projects?startAt=N&maxResults=50, paged while the scope has keys not
//          yet found (or every project is wanted): the count of visible projects;
//   then for each project of the scope (a key found in that list, or a numeric id):
//          GET /rest/v1/projects/{id} and GET /rest/v1/items?project={id}&maxResults=1.
//          Not found / not visible / items unreadable --> Failed (ProjectAccess).
//   Write access and admin rights cannot be confirmed without writing: Unknown, said so.
//   Every call goes through the job's pacing (10 per second per instance).
class JamaCheck final : public CheckProtocol
{
public:
    enum class Method { Basic, OAuth };
    // nullopt for an id Jama does not offer.
    static std::optional<Method> methodFor(const QString &authType);

    JamaCheck(Method method, const ValidationRequest &request);

    QString productName() const override;
    CheckStep first() override;
    CheckOutcome answer(const CheckAnswer &answer) override;
    QString noApiMessage(const QUrl &baseUrl) const override;
    QList<CheckItem> checklist() const override { return m_checks.items(); }
    QList<ProjectRef> visibleProjects() const override { return m_visible; }
    QString stepInFlight() const override;

    static constexpr int PageSize = 50; // Jama's maximum
    static constexpr int MaxPages = 200; // 10,000 projects

private:
    enum class Step { Token, User, ProjectsPage, Project, Items };
    CheckStep request(Step step, const QString &path, const QString &query = QString());
    CheckStep userStep();
    CheckStep pageStep(int startAt);
    CheckOutcome tokenAnswer(const CheckAnswer &answer);
    CheckOutcome userAnswer(const CheckAnswer &answer);
    CheckOutcome pageAnswer(const CheckAnswer &answer);
    CheckOutcome projectAnswer(const CheckAnswer &answer);
    CheckOutcome itemsAnswer(const CheckAnswer &answer);
    CheckOutcome nextScopedProject(); // from m_scopeIndex on; finishes after the last
    CheckOutcome finishChecked();
    CheckOutcome rejected(CheckPhase phase);
    const ProjectRef *listed(const QString &key) const; // in m_visible, ignoring case
    bool scopeResolved() const; // every entry of the scope is in m_visible as a key
    int visibleCount() const;
    void setProject(CheckStatus status, const QString &message);

    Method m_method = Method::Basic;
    Step m_step = Step::User; // of the request last sent
    QString m_identity;
    QString m_secret;
    QByteArray m_bearerToken;
    QUrl m_base;
    QStringList m_scope;
    bool m_listAll = false;
    Checklist m_checks;
    ValidationResult m_signedIn; // the account's verdict, before the projects
    QList<ProjectRef> m_visible;
    int m_totalProjects = -1; // pageInfo.totalResults; -1: not reported
    int m_pages = 0;
    bool m_listingFailed = false;
    bool m_listingComplete = true; // false: stopped at MaxPages, or the server said more
    int m_pageStart = 0; // startAt of the page last asked for
    QSet<QString> m_seenIds;
    int m_scopeIndex = 0;
    QString m_projectId; // of the scoped project being checked
    QString m_projectName;
    QStringList m_unreadable; // keys of the scope that cannot be read
    QStringList m_uncheckable;
};

} // namespace cd::jama
