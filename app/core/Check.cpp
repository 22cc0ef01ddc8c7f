#include "Check.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace cd {

QByteArray CheckAnswer::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

bool CheckAnswer::looksLikeHtml() const
{
    return contentType.contains(QLatin1String("html"), Qt::CaseInsensitive)
        || body.trimmed().startsWith('<');
}

std::optional<QJsonObject> CheckAnswer::jsonObject() const
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

CheckOutcome CheckOutcome::send(CheckStep step)
{
    CheckOutcome o;
    o.next = std::move(step);
    return o;
}

CheckOutcome CheckOutcome::finish(ValidationResult result)
{
    CheckOutcome o;
    o.result = std::move(result);
    return o;
}

CheckOutcome CheckOutcome::fail(ValidationResult::Failure failure, const QString &message)
{
    ValidationResult r;
    r.status = ValidationStatus::Failed;
    r.failure = failure;
    r.message = message;
    return finish(std::move(r));
}

QByteArray basicAuthorization(const QString &user, const QString &password)
{
    return QByteArrayLiteral("Basic ") + (user.toUtf8() + ':' + password.toUtf8()).toBase64();
}

QByteArray bearerAuthorization(const QString &token)
{
    return QByteArrayLiteral("Bearer ") + token.toUtf8();
}

} // namespace cd
