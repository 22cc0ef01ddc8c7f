// The start-up benchmark's baseline (bench_startup): a bare Qt Widgets window, nothing else.
// An optional argument WIDTHxHEIGHT gives it a size (bench_startup passes the app's, which a
// bare window pays for too: a bigger backing store to map and clear); without one it has Qt's
// default size for an empty QMainWindow. With CONNECTOR_DESK_FIRST_FRAME_PROBE=1 it prints the
// time of its first painted frame, as the app does (FirstFrameProbe.h), and quits.
#include "FirstFrameProbe.h"

#include <QApplication>
#include <QMainWindow>

int main(int argc, char **argv)
{
    cd::ui::FirstFrameProbe::mark("main");
    QApplication app(argc, argv);
    cd::ui::FirstFrameProbe::mark("application");
    QMainWindow window;
    if (argc > 1) {
        const QList<QByteArray> size = QByteArray(argv[1]).split('x');
        if (size.size() == 2 && size.at(0).toInt() > 0 && size.at(1).toInt() > 0)
            window.resize(size.at(0).toInt(), size.at(1).toInt());
    }
    cd::ui::FirstFrameProbe::mark("window");
    window.show();
    cd::ui::FirstFrameProbe::mark("shown");
    if (cd::ui::FirstFrameProbe::enabled())
        cd::ui::FirstFrameProbe::afterFirstFrame(&window, [&window](qint64 ns) {
            cd::ui::FirstFrameProbe::print(cd::ui::FirstFrameProbe::firstFrameLine(ns, &window));
            QCoreApplication::exit(0);
        });
    return QApplication::exec();
}
