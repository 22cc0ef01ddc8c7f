#include "RequestPacer.h"

namespace cd {

RequestPacer &RequestPacer::instance()
{
    static RequestPacer pacer;
    return pacer;
}

RequestPacer::RequestPacer()
{
    m_clock.start();
}

QString RequestPacer::instanceKey(const QUrl &url)
{
    return url.host().toLower();
}

qint64 RequestPacer::reserve(const QString &key, int perSecond)
{
    if (perSecond <= 0)
        return 0;
    const int allowed = callsPerWindow(perSecond);
    const QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock.elapsed();
    std::deque<qint64> &sent = m_sent[key];
    // Slots older than a window no longer limit anything.
    while (!sent.empty() && sent.front() <= now - WindowMs)
        sent.pop_front();
    qint64 at = now;
    // The new call would be the (allowed+1)-th: it goes a window after the one `allowed`
    // calls before it.
    if (qsizetype(sent.size()) >= allowed)
        at = qMax(now, sent[sent.size() - size_t(allowed)] + WindowMs);
    // Reservations are handed out in order, so the list stays sorted.
    at = qMax(at, sent.empty() ? at : sent.back());
    sent.push_back(at);
    return at - now;
}

} // namespace cd
