#pragma once

#include "Check.h"

namespace cd::jama {

// Jama's part of a check (shared/jama-rest.md):
//   oAuth: POST {base}/rest/oauth/token (Basic client credentials,
//          grant_type=client_credentials) --200 bearer token--> users/current with it
//   Basic: GET {base}/rest/v1/users/current with a preemptive Basic header
//   users/current 200: active + NAMED --> Verified; FLOATING --> Warning;
//          inactive or another license --> Failed. 401: rejected (never retried);
//          403: not allowed to use the API (Jama's meta.message quoted).
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

private:
    CheckStep userStep();
    CheckOutcome tokenAnswer(const CheckAnswer &answer);
    CheckOutcome userAnswer(const CheckAnswer &answer) const;
    CheckOutcome rejected(CheckPhase phase) const;

    Method m_method = Method::Basic;
    CheckPhase m_phase = CheckPhase::Account; // of the request last sent
    QString m_identity;
    QString m_secret;
    QByteArray m_bearerToken;
    QUrl m_base;
};

} // namespace cd::jama
