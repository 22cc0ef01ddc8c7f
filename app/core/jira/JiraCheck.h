#pragma once

#include "Check.h"

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

    // The permissions a connector's integrations need, in the order they are named.
    static QStringList neededPermissions();

private:
    CheckStep step(CheckPhase phase, const QString &path, const QString &query = {}) const;
    CheckOutcome rejected() const;
    CheckOutcome accountAnswer(const CheckAnswer &answer);
    CheckOutcome permissionsAnswer(const CheckAnswer &answer) const;
    QString who() const;

    Flavour m_flavour;
    Method m_method;
    QString m_identity;
    QString m_secret;
    QUrl m_base;
    CheckPhase m_phase = CheckPhase::Account;
    AccountInfo m_account;
};

} // namespace cd::jira
