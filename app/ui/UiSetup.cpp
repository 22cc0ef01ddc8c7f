#include "UiSetup.h"

#include "AppInfo.h"

#include <QApplication>
#include <QIcon>

static void initConnectorDeskResources() { Q_INIT_RESOURCE(connector_desk); }

namespace cd::ui {

void setUpApplication()
{
    static bool done = false;
    if (done)
        return;
    done = true;
    initConnectorDeskResources();
    QGuiApplication::setApplicationDisplayName(AppInfo::displayName());
    QGuiApplication::setDesktopFileName(AppInfo::appId());
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/connector-desk.svg")));
}

} // namespace cd::ui
