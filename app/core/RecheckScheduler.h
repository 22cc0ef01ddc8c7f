#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUuid>
#include <functional>

namespace cd {

class ConnectorRepository;
class ValidationQueue;
struct Connector;

// Re-checks healthy connectors on a schedule (issue 16), so that an expired password, a
// revoked client or a renewed certificate shows before the integrations stop.
//
// - Which: Verified and Warning connectors. Never one whose credentials were rejected (HTTP
//   401, CAPTCHA): it is not re-sent until it is edited or gets a new secret, which clears
//   the mark. Not one without a secret, nor one of an application this version does not
//   know, nor any while the store is blocked (a result could not be recorded).
// - When: each connector is due once `interval` has passed since its last check, minus a
//   share of up to a tenth of the interval that is fixed per connector (from its id), so
//   that connectors checked together (Validate All) come due spread over that tenth and keep
//   their own rhythm afterwards. A look every `tickInterval` (a minute) enqueues at most a
//   few due connectors (see startsPerTick()), so even a long overdue list (the machine was
//   asleep) trickles in; the queue keeps its per-host and global limits on top.
// - While offline nothing is enqueued; coming back online looks at once.
// - Nothing happens on its own before start(): the window starts it once it is up, with the
//   work left from the last run (no keychain read during start-up). tick() works regardless.
// - The clock is injectable (tests); so are both intervals.
class RecheckScheduler : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<QDateTime()>; // UTC

    // The choices of Preferences ("off / every hour / 6 hours / 24 hours").
    static constexpr qint64 kHourMs = 60LL * 60 * 1000;
    static constexpr qint64 kDefaultIntervalMs = 24 * kHourMs;
    static constexpr int kDefaultTickMs = 60 * 1000;
    // The share of the interval over which connectors checked together are spread.
    static constexpr double kSpreadFraction = 0.1;
    static constexpr int kMinStartsPerTick = 4;

    RecheckScheduler(
        ConnectorRepository *repository, ValidationQueue *queue, QObject *parent = nullptr);

    // Begins looking: at once, then every tickInterval(). Later calls do nothing.
    void start();
    bool isStarted() const { return m_started; }
    void setClock(Clock clock);
    QDateTime now() const;
    // 0: off (no timer runs). Takes effect at once: a shorter interval may make connectors due.
    void setInterval(qint64 ms);
    qint64 interval() const { return m_intervalMs; }
    bool isEnabled() const { return m_intervalMs > 0; }
    void setTickInterval(int ms);
    int tickInterval() const { return m_tickMs; }
    // Follows the network state (NetworkStatus: Offline is false; Online and Unknown true).
    void setOnline(bool online);
    bool isOnline() const { return m_online; }

    // When `c` is next due, or an invalid time when it is not re-checked at all.
    QDateTime dueAt(const Connector &c) const;
    // Whether the schedule covers `c` at all (status, rejected mark, secret, application).
    static bool isEligible(const Connector &c);
    // Connectors due now, the most overdue first (not those already queued or running).
    QList<QUuid> dueNow() const;
    // How many due connectors one look may enqueue: enough to get through every eligible
    // connector twice per interval, at least kMinStartsPerTick.
    int startsPerTick() const;

    // One look (the timer calls it; tests call it after moving their clock): enqueues up to
    // startsPerTick() due connectors. Returns those it enqueued.
    QList<QUuid> tick();

Q_SIGNALS:
    // A look enqueued these connectors for their scheduled re-check.
    void rechecksStarted(const QList<QUuid> &ids);

private:
    void updateTimer();

    ConnectorRepository *m_repository;
    ValidationQueue *m_queue;
    Clock m_clock;
    qint64 m_intervalMs = kDefaultIntervalMs;
    int m_tickMs = kDefaultTickMs;
    bool m_online = true;
    bool m_started = false;
    QTimer m_timer;
};

} // namespace cd
