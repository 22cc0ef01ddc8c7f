#include "Check.h"

#include <QCoreApplication>
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

void Checklist::plan(const QString &id, const QString &label)
{
    if (has(id))
        return;
    CheckItem item;
    item.id = id;
    item.label = label;
    m_items.append(item);
}

void Checklist::set(
    const QString &id, CheckStatus status, const QString &message, const QString &label)
{
    for (CheckItem &item : m_items) {
        if (item.id == id) {
            item.status = status;
            item.message = message;
            if (!label.isEmpty())
                item.label = label;
            return;
        }
    }
    CheckItem item;
    item.id = id;
    item.status = status;
    item.label = label.isEmpty() ? id : label;
    item.message = message;
    m_items.append(item);
}

bool Checklist::has(const QString &id) const
{
    for (const CheckItem &item : m_items) {
        if (item.id == id)
            return true;
    }
    return false;
}

QString projectCheckId(const QString &key)
{
    return QStringLiteral("project:") + key;
}

void Checklist::planScope(const QStringList &scope)
{
    for (const QString &key : scope)
        plan(projectCheckId(key), QCoreApplication::translate("Check", "Project %1").arg(key));
}

void Checklist::setProjectsVisible(int count, bool complete)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("Check", text); };
    const QString id = QStringLiteral("projects-visible");
    if (count == 0)
        set(id, CheckStatus::Warn,
            tr("The account sees no projects: its integrations would find nothing to sync."));
    else if (!complete)
        set(id, CheckStatus::Pass,
            count == 1 ? tr("The account sees at least 1 project.")
                       : tr("The account sees at least %1 projects.").arg(count));
    else
        set(id, CheckStatus::Pass,
            count == 1 ? tr("The account sees 1 project.")
                       : tr("The account sees %1 projects.").arg(count));
}

QString Checklist::notListedNote()
{
    return QCoreApplication::translate(
        "Check", "The projects it can see could not be listed: check again later.");
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
