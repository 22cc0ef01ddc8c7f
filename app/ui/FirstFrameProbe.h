#pragma once

// The start-up benchmark's probe (tests/bench/bench_startup.cpp), header-only so that the app
// and the bare-window baseline define "first frame" the same way. Off unless
// CONNECTOR_DESK_FIRST_FRAME_PROBE=1; then, once the watched window's first expose has been
// painted (and flushed to the window system), it writes one line to stdout:
//   first-frame <CLOCK_MONOTONIC ns> <width>x<height>     (the window's size, in pixels)
// and later, when asked (the app, once the list shows the connectors):
//   connectors-shown <CLOCK_MONOTONIC ns> <number of connectors>
// and, on the way to the first frame, where the time went (mark()):
//   mark <phase> <CLOCK_MONOTONIC ns>     phase: main, application, window, shown
// Nothing else happens while it is off: the app only asks enabled().
#include <QCoreApplication>
#include <QEvent>
#include <QObject>
#include <QPointer>
#include <QWidget>
#include <QWindow>
#include <cstdio>
#include <ctime>
#include <functional>

namespace cd::ui {

class FirstFrameProbe : public QObject
{
public:
    static bool enabled()
    {
        static const bool on
            = qEnvironmentVariableIntValue("CONNECTOR_DESK_FIRST_FRAME_PROBE") != 0;
        return on;
    }

    // CLOCK_MONOTONIC, as QElapsedTimer's reference on Linux: comparable across processes.
    static qint64 monotonicNs()
    {
        timespec ts {};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    }

    static void print(const QByteArray &line)
    {
        std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
    }

    // "mark <phase> <ns>", when on: main entered, the application object made, the window
    // made, show() returned. bench_startup prints the medians of the phases of both programs.
    static void mark(const char *phase)
    {
        if (enabled())
            print(QByteArray("mark ") + phase + ' ' + QByteArray::number(monotonicNs()));
    }

    // "first-frame <ns> <width>x<height>": the baseline is shown at the app's size (a bigger
    // window costs more to map and paint whatever is in it).
    static QByteArray firstFrameLine(qint64 ns, const QWidget *window)
    {
        return "first-frame " + QByteArray::number(ns) + ' ' + QByteArray::number(window->width())
            + 'x' + QByteArray::number(window->height());
    }

    // Calls `then` right after `window` (shown, so it has its QWindow) has painted its first
    // expose, with the time it was done.
    static void afterFirstFrame(QWidget *window, std::function<void(qint64 ns)> then)
    {
        new FirstFrameProbe(window, QEvent::Expose, std::move(then));
    }
    // The same after the next repaint of `window` (an update request, or an expose).
    static void afterNextPaint(QWidget *window, std::function<void(qint64 ns)> then)
    {
        new FirstFrameProbe(window, QEvent::UpdateRequest, std::move(then));
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        const bool paints = event->type() == QEvent::Expose
            || (m_type == QEvent::UpdateRequest && event->type() == QEvent::UpdateRequest);
        if (!paints || m_done || m_inside)
            return false;
        // The window (and whatever else watches it) handles the event first: paint and flush.
        m_inside = true;
        const bool handled = QCoreApplication::sendEvent(watched, event);
        m_inside = false;
        if (event->type() == QEvent::Expose && !(m_window && m_window->isExposed()))
            return handled; // not exposed yet: the next one
        m_done = true;
        const qint64 ns = monotonicNs();
        auto then = std::move(m_then);
        deleteLater();
        then(ns);
        return true;
    }

private:
    FirstFrameProbe(QWidget *widget, QEvent::Type type, std::function<void(qint64)> then)
        : QObject(widget)
        , m_window(widget->windowHandle())
        , m_type(type)
        , m_then(std::move(then))
    {
        // Widgets ask for a repaint on the widget or on its QWindow, depending on the version.
        if (m_window)
            m_window->installEventFilter(this);
        if (type == QEvent::UpdateRequest)
            widget->installEventFilter(this);
    }
    QPointer<QWindow> m_window;
    QEvent::Type m_type;
    std::function<void(qint64)> m_then;
    bool m_done = false;
    bool m_inside = false;
};

} // namespace cd::ui
