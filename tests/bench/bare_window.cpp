// The start-up benchmark's baseline (bench_startup): a bare Qt Widgets window, nothing else.
// With CONNECTOR_DESK_FIRST_FRAME_PROBE=1 it prints the time of its first painted frame, as
// the app does (FirstFrameProbe.h), and quits.
#include "FirstFrameProbe.h"

#include <QApplication>
#include <QMainWindow>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QMainWindow window;
    window.show();
    if (cd::ui::FirstFrameProbe::enabled())
        cd::ui::FirstFrameProbe::afterFirstFrame(&window, [](qint64 ns) {
            cd::ui::FirstFrameProbe::print("first-frame " + QByteArray::number(ns));
            QCoreApplication::exit(0);
        });
    return QApplication::exec();
}
