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

namespace {
void setUpBasics()
{
    initConnectorDeskResources();
    QGuiApplication::setApplicationDisplayName(AppInfo::displayName());
    QGuiApplication::setDesktopFileName(AppInfo::appId());

    // The user's language where a translation exists; English plural forms otherwise.
    auto *translator = new QTranslator(qApp);
    if (translator->load(QLocale(), QStringLiteral("connector-desk"), QStringLiteral("_"),
            QStringLiteral(":/i18n"))
        || translator->load(QStringLiteral("connector-desk_en"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(translator);
    else
        delete translator;
}
} // namespace

void setUpApplication(WindowIcon icon)
{
    static bool done = false;
    if (!done) {
        done = true;
        setUpBasics();
    }
    if (icon == WindowIcon::Now)
        setUpWindowIcon();
}

void setUpWindowIcon()
{
    static bool done = false;
    if (done)
        return;
    done = true;
    setUpApplication(WindowIcon::Later); // the icon's resource
    // Windows already shown take it too (QEvent::ApplicationWindowIconChange).
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/connector-desk.svg")));
}

} // namespace cd::ui
