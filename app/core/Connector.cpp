#include "Connector.h"

#include "Applications.h"

#include <QCoreApplication>

namespace cd {

bool Connector::operator==(const Connector &o) const
{
    return id == o.id && application == o.application && name == o.name && url == o.url
        && verifySsl == o.verifySsl && authType == o.authType && identity == o.identity
        && pinnedCertificateSha256 == o.pinnedCertificateSha256 && needsSecret == o.needsSecret
        && validation == o.validation && createdAt == o.createdAt && updatedAt == o.updatedAt
        && unknownFields == o.unknownFields;
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
