// Connector Desk: a subcommand, --help or --version runs on QCoreApplication (no display
// needed); anything else opens the window on QApplication.
#include "AppInfo.h"
#include "CommandLine.h"
#include "ConnectorRepository.h"
#include "FirstFrameProbe.h"
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

    cd::ui::FirstFrameProbe::mark("main");
    QApplication app(argc, argv);
    cd::ui::FirstFrameProbe::mark("application");
    cd::AppInfo::setUp();
    QNetworkProxyFactory::setUseSystemConfiguration(true); // honour the system's proxy
    cd::cli::GlobalOptions options;
    QString error;
    if (!cd::cli::parseGuiArguments(QCoreApplication::arguments(), &options, &error)) {
        QTextStream(stderr) << error << Qt::endl;
        return cd::cli::ExitUsage;
    }
    // First frame first: the window shows at once, the connectors load right after.
    cd::ui::MainWindow window(options.dataDir, cd::ui::MainWindow::StartUp::Deferred);
    cd::ui::FirstFrameProbe::mark("window");
    window.show();
    cd::ui::FirstFrameProbe::mark("shown");
    // Closing the window ends the app, also when it was hidden in the tray (no window is
    // closing then for Qt's last-window rule to see).
    QObject::connect(&window, &cd::ui::MainWindow::closedForGood, qApp, &QCoreApplication::quit,
        Qt::QueuedConnection);
    if (cd::ui::FirstFrameProbe::enabled()) {
        // bench_startup: the first frame, the frame that shows the header bar and "Loading
        // connectors…", and the one that shows the connectors.
        using cd::ui::FirstFrameProbe;
        FirstFrameProbe::afterFirstFrame(&window, [&window](qint64 ns) {
            FirstFrameProbe::print(FirstFrameProbe::firstFrameLine(ns, &window));
        });
        QObject::connect(&window, &cd::ui::MainWindow::loadingShown, &window, [&window] {
            FirstFrameProbe::afterNextPaint(&window, [](qint64 ns) {
                FirstFrameProbe::print("loading-shown " + QByteArray::number(ns));
            });
        });
        QObject::connect(&window, &cd::ui::MainWindow::connectorsLoaded, &window, [&window] {
            FirstFrameProbe::afterNextPaint(&window, [&window](qint64 ns) {
                FirstFrameProbe::print("connectors-shown " + QByteArray::number(ns) + ' '
                    + QByteArray::number(window.repository()->connectors().size()));
                QCoreApplication::exit(0);
            });
        });
    }
    return QApplication::exec();
}
