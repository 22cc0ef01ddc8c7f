#include "Connector.h"

#include "Applications.h"
#include "Text.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace cd {

bool Connector::operator==(const Connector &o) const
{
    return id == o.id && application == o.application && name == o.name && url == o.url
        && verifySsl == o.verifySsl && authType == o.authType && identity == o.identity
        && pinnedCertificateSha256 == o.pinnedCertificateSha256 && projects == o.projects
        && needsSecret == o.needsSecret && validation == o.validation && createdAt == o.createdAt
        && updatedAt == o.updatedAt && unknownFields == o.unknownFields;
}

namespace {
const struct
{
    CheckStatus status;
    const char *id;
} kCheckStatusIds[] = { { CheckStatus::Pass, "pass" }, { CheckStatus::Warn, "warn" },
    { CheckStatus::Fail, "fail" }, { CheckStatus::Unknown, "unknown" } };
} // namespace

QString checkStatusId(CheckStatus status)
{
    for (const auto &s : kCheckStatusIds) {
        if (s.status == status)
            return QString::fromLatin1(s.id);
    }
    return QStringLiteral("unknown");
}

bool checkStatusFromId(const QString &id, CheckStatus *status)
{
    for (const auto &s : kCheckStatusIds) {
        if (id == QLatin1String(s.id)) {
            *status = s.status;
            return true;
        }
    }
    return false;
}

QString checkStatusDisplayName(CheckStatus status)
{
    switch (status) {
    case CheckStatus::Pass:
        return QCoreApplication::translate("Connector", "Pass");
    case CheckStatus::Warn:
        return QCoreApplication::translate("Connector", "Warning");
    case CheckStatus::Fail:
        return QCoreApplication::translate("Connector", "Failed");
    case CheckStatus::Unknown:
        break;
    }
    return QCoreApplication::translate("Connector", "Unknown");
}

QString checkItemText(const CheckItem &item)
{
    const QString label = item.label.isEmpty() ? item.id : item.label;
    if (item.message.isEmpty())
        return QCoreApplication::translate("Connector", "[%1] %2")
            .arg(checkStatusId(item.status), label);
    //: One step of a checklist as text: [status id] label: message
    return QCoreApplication::translate("Connector", "[%1] %2: %3")
        .arg(checkStatusId(item.status), label, item.message);
}

QJsonArray checksToJson(const QList<CheckItem> &checks)
{
    QJsonArray array;
    for (const CheckItem &c : checks)
        array.append(QJsonObject { { QStringLiteral("id"), c.id },
            { QStringLiteral("status"), checkStatusId(c.status) },
            { QStringLiteral("label"), c.label }, { QStringLiteral("message"), c.message } });
    return array;
}

QList<CheckItem> checksFromJson(const QJsonArray &array)
{
    QList<CheckItem> checks;
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        CheckItem c;
        c.id = Text::inert(o.value(QLatin1String("id")).toString().left(200));
        if (c.id.isEmpty())
            continue;
        if (!checkStatusFromId(o.value(QLatin1String("status")).toString(), &c.status))
            c.status = CheckStatus::Unknown;
        c.label = Text::inert(o.value(QLatin1String("label")).toString().left(200));
        c.message = Text::inert(o.value(QLatin1String("message")).toString().left(2000));
        checks.append(c);
    }
    return checks;
}

QString statusId(ValidationStatus status)
{
    switch (status) {
    case ValidationStatus::Verified:
        return QStringLiteral("verified");
    case ValidationStatus::Warning:
        return QStringLiteral("warning");
    case ValidationStatus::Failed:
        return QStringLiteral("failed");
    case ValidationStatus::NotVerified:
        break;
    }
    return QStringLiteral("not-verified");
}

bool statusFromId(const QString &id, ValidationStatus *status)
{
    for (ValidationStatus s : { ValidationStatus::NotVerified, ValidationStatus::Verified,
             ValidationStatus::Warning, ValidationStatus::Failed }) {
        if (statusId(s) == id) {
            *status = s;
            return true;
        }
    }
    return false;
}

QString statusDisplayName(ValidationStatus status)
{
    switch (status) {
    case ValidationStatus::Verified:
        return QCoreApplication::translate("Connector", "Verified");
    case ValidationStatus::Warning:
        return QCoreApplication::translate("Connector", "Warning");
    case ValidationStatus::Failed:
        return QCoreApplication::translate("Connector", "Failed");
    case ValidationStatus::NotVerified:
        break;
    }
    return QCoreApplication::translate("Connector", "Not verified");
}

QString secretKey(const QUuid &id, const QString &application, const QString &authType)
{
    const AuthMethod *method = Applications::authMethod(application, authType);
    return QStringLiteral("connector/%1/%2")
        .arg(id.toString(QUuid::WithoutBraces),
            method ? method->secretKeySuffix : QStringLiteral("secret-") + authType);
}

QString secretKey(const Connector &c)
{
    return secretKey(c.id, c.application, c.authType);
}

} // namespace cd
