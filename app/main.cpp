// Connector Desk: a subcommand, --help or --version runs on QCoreApplication (no display
// needed); anything else opens the window on QApplication.
#include "AppInfo.h"
#include "CommandLine.h"
#include "MainWindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QNetworkProxyFactory>
#include <QTextStream>

int main(int argc, char **argv)
{
    if (cd::cli::wantsConsole(argc, argv)) {
        QCoreApplication app(argc, argv);
        cd::AppInfo::setUp();
        return cd::cli::runConsole(QCoreApplication::arguments());
    }

    QApplication app(argc, argv);
    cd::AppInfo::setUp();
    QNetworkProxyFactory::setUseSystemConfiguration(true); // honour the system's proxy
    cd::cli::GlobalOptions options;
    QString error;
    if (!cd::cli::parseGuiArguments(QCoreApplication::arguments(), &options, &error)) {
        QTextStream(stderr) << error << Qt::endl;
        return cd::cli::ExitUsage;
    }
    cd::ui::MainWindow window(options.dataDir);
    window.show();
    return QApplication::exec();
}
