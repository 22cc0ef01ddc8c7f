#include "StatusIcons.h"

namespace cd::ui {

namespace {
enum Icon { NotVerified, Verified, Warning, Failed, Validating, IconCount };

const QIcon &icon(Icon which)
{
    static const QIcon icons[IconCount] = {
        QIcon(QStringLiteral(":/icons/status-not-verified.svg")),
        QIcon(QStringLiteral(":/icons/status-verified.svg")),
        QIcon(QStringLiteral(":/icons/status-warning.svg")),
        QIcon(QStringLiteral(":/icons/status-failed.svg")),
        QIcon(QStringLiteral(":/icons/status-validating.svg")),
    };
    return icons[which];
}
} // namespace

const QIcon &validationStatusIcon(ValidationStatus status, bool validating)
{
    if (validating)
        return icon(Validating);
    switch (status) {
    case ValidationStatus::Verified:
        return icon(Verified);
    case ValidationStatus::Warning:
        return icon(Warning);
    case ValidationStatus::Failed:
        return icon(Failed);
    case ValidationStatus::NotVerified:
        break;
    }
    return icon(NotVerified);
}

const QIcon &checkStatusIcon(CheckStatus status)
{
    switch (status) {
    case CheckStatus::Pass:
        return icon(Verified);
    case CheckStatus::Warn:
        return icon(Warning);
    case CheckStatus::Fail:
        return icon(Failed);
    case CheckStatus::Unknown:
        break;
    }
    return icon(NotVerified);
}

} // namespace cd::ui
