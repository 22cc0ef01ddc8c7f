#include "UiSetup.h"

#include "AppInfo.h"

#include <QApplication>
#include <QIcon>
#include <QLocale>
#include <QTranslator>

static void initConnectorDeskResources()
{
    Q_INIT_RESOURCE(connector_desk);
}

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

    // The user's language where a translation exists; English plural forms otherwise.
    auto *translator = new QTranslator(qApp);
    if (translator->load(QLocale(), QStringLiteral("connector-desk"), QStringLiteral("_"),
            QStringLiteral(":/i18n"))
        || translator->load(QStringLiteral("connector-desk_en"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(translator);
    else
        delete translator;
}

} // namespace cd::ui
