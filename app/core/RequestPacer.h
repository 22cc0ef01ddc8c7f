#pragma once

// Keeps the calls to one instance within its documented rate (Jama: about 10 per second per
// instance, 429 over it), whether they come from one check or from many checks at once.
//
// One pacer per process, shared by the queue's checks (on its checks thread) and a dialog's
// Test Connection (on the GUI thread), so it locks: a window and a command line checking the
// same instance at the same moment are two pacers. A caller reserves a slot before each request and
// waits the time it is given; the reservation counts even when the request is then cancelled (never
// more calls than allowed).
//
// Headroom: the server counts arrivals, and a request may arrive later than it was sent (a
// new connection, a busy machine) while the next goes out on time. So `perSecond` = 10 allows
// 8 calls per 1200 ms (about 6.7 per second): a late arrival has 200 ms and two calls of slack
// before the server's count of the last second goes over 10.

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QUrl>
#include <deque>

namespace cd {

class RequestPacer
{
public:
    static RequestPacer &instance();

    // The instance a URL belongs to, for pacing: its lower-case host (http and https, any
    // port: the same server's limit).
    static QString instanceKey(const QUrl &url);

    // Reserves the next free slot for `key`; returns the milliseconds to wait before sending
    // (0: now). `perSecond` <= 0: not paced.
    qint64 reserve(const QString &key, int perSecond);

    // Forgets every reservation. For benchmarks that time one check after another against one
    // instance (the pacer's wait is not what they measure); the app never calls it.
    void reset()
    {
        const QMutexLocker lock(&m_mutex);
        m_sent.clear();
    }

    static constexpr qint64 WindowMs = 1200;
    static constexpr int Headroom = 2; // calls per window kept below the documented rate
    static int callsPerWindow(int perSecond) { return qMax(1, perSecond - Headroom); }

private:
    RequestPacer();
    QMutex m_mutex;
    QElapsedTimer m_clock;
    QHash<QString, std::deque<qint64>> m_sent; // key -> reserved send times, ascending
};

} // namespace cd
