#include "RecheckScheduler.h"

#include "Applications.h"
#include "ConnectorRepository.h"
#include "Log.h"
#include "ValidationQueue.h"

#include <algorithm>
#include <cmath>

namespace cd {

namespace {

// A connector's fixed place in the spread, in [0, 1): the first 32 bits of its id, which are
// random in the version 4 ids the app makes.
double spreadShare(const QUuid &id)
{
    return double(id.data1) / 4294967296.0;
}

} // namespace

RecheckScheduler::RecheckScheduler(
    ConnectorRepository *repository, ValidationQueue *queue, QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_queue(queue)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    m_timer.setTimerType(Qt::VeryCoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RecheckScheduler::tick);
}

void RecheckScheduler::start()
{
    if (m_started)
        return;
    m_started = true;
    updateTimer();
    if (isEnabled())
        QTimer::singleShot(0, this, &RecheckScheduler::tick); // what came due while not running
}

void RecheckScheduler::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

QDateTime RecheckScheduler::now() const
{
    return m_clock();
}

void RecheckScheduler::setInterval(qint64 ms)
{
    m_intervalMs = qMax<qint64>(0, ms);
    updateTimer();
    if (m_started && isEnabled())
        QTimer::singleShot(0, this, &RecheckScheduler::tick);
}

void RecheckScheduler::setTickInterval(int ms)
{
    m_tickMs = qMax(1, ms);
    updateTimer();
}

void RecheckScheduler::setOnline(bool online)
{
    if (online == m_online)
        return;
    m_online = online;
    if (m_started && m_online && isEnabled())
        QTimer::singleShot(0, this, &RecheckScheduler::tick); // what came due while offline
}

void RecheckScheduler::updateTimer()
{
    if (!m_started || !isEnabled()) {
        m_timer.stop();
        return;
    }
    m_timer.setInterval(m_tickMs);
    if (!m_timer.isActive())
        m_timer.start();
}

bool RecheckScheduler::isEligible(const Connector &c)
{
    const ValidationState &v = c.validation;
    return (v.status == ValidationStatus::Verified || v.status == ValidationStatus::Warning)
        && !v.credentialsRejected && !c.needsSecret && v.checkedAt.isValid()
        && Applications::knows(c);
}

QDateTime RecheckScheduler::dueAt(const Connector &c) const
{
    if (!isEnabled() || !isEligible(c))
        return {};
    const auto early = qint64(double(m_intervalMs) * kSpreadFraction * spreadShare(c.id));
    return c.validation.checkedAt.addMSecs(m_intervalMs - early);
}

QList<QUuid> RecheckScheduler::dueNow() const
{
    if (!isEnabled() || m_repository->isBlocked())
        return {};
    const QDateTime t = now();
    QList<QPair<QDateTime, QUuid>> due;
    for (const Connector &c : m_repository->connectors()) {
        const QDateTime at = dueAt(c);
        if (at.isValid() && at <= t && !m_queue->isPending(c.id))
            due.append({ at, c.id });
    }
    std::stable_sort(
        due.begin(), due.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QList<QUuid> ids;
    ids.reserve(due.size());
    for (const auto &d : std::as_const(due))
        ids.append(d.second);
    return ids;
}

int RecheckScheduler::startsPerTick() const
{
    if (!isEnabled())
        return 0;
    int eligible = 0;
    for (const Connector &c : m_repository->connectors())
        eligible += isEligible(c) ? 1 : 0;
    const double perTick = 2.0 * eligible * double(m_tickMs) / double(m_intervalMs);
    return qMax(kMinStartsPerTick, int(std::ceil(perTick)));
}

QList<QUuid> RecheckScheduler::tick()
{
    if (!isEnabled() || !m_online)
        return {};
    QList<QUuid> ids = dueNow();
    if (ids.isEmpty())
        return ids;
    const int budget = startsPerTick();
    if (ids.size() > budget)
        ids.resize(budget);
    for (const QUuid &id : std::as_const(ids))
        m_queue->enqueue(id);
    qCInfo(lcApp) << "scheduled re-check of" << ids.size() << "connectors";
    Q_EMIT rechecksStarted(ids);
    return ids;
}

} // namespace cd
