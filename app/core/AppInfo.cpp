#include "AppInfo.h"

#include "Version.h"

#include <QCoreApplication>

namespace cd::AppInfo {

QString version()
{
    return QStringLiteral(CONNECTOR_DESK_VERSION);
}
QString displayName()
{
    return QStringLiteral(CONNECTOR_DESK_DISPLAY_NAME);
}
QString appId()
{
    return QStringLiteral(CONNECTOR_DESK_APP_ID);
}

QString qtKeychainVersion()
{
    const QString v = QStringLiteral(CONNECTOR_DESK_QTKEYCHAIN_VERSION);
    return v.isEmpty() ? QCoreApplication::translate("AppInfo", "unknown") : v;
}

void setUp()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDesk"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("connectordesk.github.io"));
    QCoreApplication::setApplicationName(QStringLiteral("connector-desk"));
    QCoreApplication::setApplicationVersion(version());
}

} // namespace cd::AppInfo
