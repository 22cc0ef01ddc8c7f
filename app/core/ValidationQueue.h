#pragma once

#include "ValidationJob.h"

#include <QHash>
#include <QList>
#include <QNetworkProxy>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <QUuid>
#include <functional>

class QNetworkAccessManager;

namespace cd {

class ConnectorRepository;

// Runs the queue's checks on its checks thread (ValidationQueue owns both): each check a
// ValidationJob with its own connections, as on any thread.
class CheckRunner : public QObject
{
public:
    struct Run
    {
        quint64 generation = 0;
        ValidationRequest request;
        bool withNetwork = true; // false: the job reports that it has no network access
        QNetworkProxy proxy;
        int connectMs = 0;
        int totalMs = 0;
        QList<int> backoff;
    };
    // On the checks thread. `done` is called there once, unless cancelled.
    void start(const Run &run, std::function<void(const ValidationResult &)> done);
    void cancel(quint64 generation);

private:
    QNetworkAccessManager *m_network = nullptr; // for the jobs' null check; no requests
    QHash<quint64, ValidationJob *> m_jobs;
};

// Validates connectors in the background, offline-first.
//
//   enqueue(id) --> queued --(network available, fewer than maxConcurrent running)-->
//   reading secret (keychain) --> ValidationJob --> result recorded in the repository
//
// - Checks of different servers run side by side: at most maxConcurrent (64) at once in all,
//   at most maxPerHost (2) at once per server (host name, case-insensitive), one per
//   connector; enqueueing a queued or running connector does nothing. A connector whose
//   server is busy lets those behind it start. At most a few checks start per turn of the
//   event loop, so that a long queue never holds the GUI thread (Validate All of 500).
//   Jama's calls per second are kept by RequestPacer, across the checks of one instance.
// - Results come back from the checks thread into an inbox; each turn of the event loop records
//   up to kResultsPerBatch of them in one transaction and announces them (finished()), so
//   that the first wave of a Validate All never holds the window for more than a few
//   milliseconds. The checks thread runs at a lower priority than the window's.
// - While the network is unavailable nothing starts. A check that fails because the server
//   could not be reached (isTransient) records "Not verified" with the reason, and the
//   connector waits: it runs again when the network comes back, or after a back-off
//   (30 s doubling up to 5 min) when no reachability information exists.
// - Pending work survives a restart without extra state: every connector that is "Not
//   verified" (and whose credentials were not rejected) is pending; enqueuePending()
//   picks them up at start.
// - A connector whose credentials were rejected (HTTP 401) is not validated again by
//   enqueueAll()/enqueuePending() until it is edited (editing resets its state); nor is an
//   imported connector that has no secret yet (needsSecret).
// - A keychain failure (locked, no Secret Service, timeout) is reported through finished()
//   but not recorded on the connector, which waits and is retried like a network failure.
// - cancel(id) / removal of the connector stop its check; nothing is recorded.
class ValidationQueue : public QObject
{
    Q_OBJECT
public:
    ValidationQueue(
        ConnectorRepository *repository, QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~ValidationQueue() override;

    // The checks (their thread, and the HTTP threads their checks start) yield the processor
    // to the window: when both want it (a Validate All's first wave), paint and input come
    // first. For the window's queue (AppContext, Mode::Window); a command line has no window
    // to yield to, and its checks keep the process's priority.
    void yieldToTheWindow();

    // The global cap: 64 lets Validate All of up to 64 servers run in one wave; each check is
    // its own QNetworkAccessManager (and HTTP thread) for the trust isolation.
    static constexpr int kDefaultMaxConcurrent = 64;
    // Like a browser's per-server politeness, and within what Jama's throttle allows.
    static constexpr int kDefaultMaxPerHost = 2;
    // Checks started per turn of the event loop; the rest start on the next turn.
    static constexpr int kStartsPerTurn = 8;
    // Results recorded (in one transaction) and announced per turn of the event loop; the
    // GUI's own events (paint, input, timers) get their turn before the next batch.
    static constexpr int kResultsPerBatch = 8;
    // How much nicer than the window the checks thread is on Linux (LowPriority elsewhere);
    // its checks' HTTP threads inherit it. 500 queued checks, 8 runs each (bench_validation
    // manyQueuedChecks): the window's longest gap had a median of 18-20 ms at +5, 11-15 ms at
    // +10, 13 ms at +15. +10 still leaves a check a tenth of a busy core (weight 110 against
    // 1024), so a loaded machine slows checks down (a few ms of CPU each) without starving
    // them into their 15 s connect timeout.
    static constexpr int kChecksThreadNice = 10;

    void setMaxConcurrent(int n) { m_maxConcurrent = qMax(1, n); }
    int maxConcurrent() const { return m_maxConcurrent; }
    void setMaxPerHost(int n) { m_maxPerHost = qMax(1, n); }
    int maxPerHost() const { return m_maxPerHost; }
    // Checks running for `host` (lower case) right now.
    int runningForHost(const QString &host) const { return m_runningPerHost.value(host); }
    // The key a connector's server is counted under: its URL's host, lower case.
    static QString hostKey(const QString &url);
    void setTimeouts(int connectMs, int totalMs);
    void setBackoffSchedule(const QList<int> &ms) { m_backoff = ms; }
    // First and longest wait before retrying transient failures without reachability info.
    void setRetryDelays(int firstMs, int maxMs);

    // false: nothing starts; true again: every waiting connector is retried at once.
    void setNetworkAvailable(bool available);
    bool networkAvailable() const { return m_networkAvailable; }

    void enqueue(const QUuid &id);
    // Every connector except those whose credentials were rejected or that have no secret;
    // returns the ids it queued.
    QList<QUuid> enqueueAll();
    // Every connector that is "Not verified" and not rejected: the work left from before.
    void enqueuePending();
    // The network changed (reachability, or the interface: a VPN connecting): connectors whose
    // host name was not found are checked again.
    void networkChanged();
    void cancel(const QUuid &id);
    void cancelAll();

    bool isPending(const QUuid &id) const; // queued, waiting for the network, or running
    bool isRunning(const QUuid &id) const { return m_running.contains(id); }
    int runningCount() const { return int(m_running.size()); }
    int queuedCount() const { return int(m_queue.size()); }
    int waitingCount() const { return int(m_waiting.size()); }

Q_SIGNALS:
    void pendingChanged(const QUuid &id, bool pending);
    void started(const QUuid &id);
    // The check ended; its result is already recorded (unless cancelled).
    void finished(const QUuid &id, const cd::ValidationResult &result);
    // Nothing queued or running (waiting connectors may remain).
    void idle();

private:
    void pump();
    void schedulePump();
    void startOne(const QUuid &id, const QString &host);
    // A check's result, back on the queue's thread: noted, recorded by drainResults().
    void arrive(const QUuid &id, quint64 generation, const ValidationResult &result);
    // Records and announces up to kResultsPerBatch of the results that arrived (one
    // transaction), the rest on the next turn.
    void drainResults();
    // What a recorded result means for the queue (waiting, retry), then finished().
    void afterResult(const QUuid &id, const ValidationResult &result);
    void scheduleRetry();
    void retryWaiting();

    struct Running
    {
        bool dispatched = false; // false while the secret is being read
        bool cancelled = false;
        quint64 generation
            = 0; // which start this is: a late keychain answer of an earlier one is ignored
        QString host; // hostKey() of its URL when it started
    };
    // Erases a running check and frees its place for its host.
    void eraseRunning(QHash<QUuid, Running>::iterator it);

    ConnectorRepository *m_repository;
    QPointer<QNetworkAccessManager> m_nam;
    QList<QUuid> m_queue;
    QHash<QUuid, QString> m_queuedHost; // hostKey() of each queued connector
    QHash<QString, int> m_runningPerHost;
    QHash<QUuid, Running> m_running;
    QSet<QUuid> m_waiting; // transient failure: retry when the network is back
    QSet<QUuid> m_hostNotFound; // retried only by networkChanged()
    int m_maxConcurrent = kDefaultMaxConcurrent;
    int m_maxPerHost = kDefaultMaxPerHost;
    QTimer m_pumpTimer; // zero-time: the next turn of the event loop
    struct Arrived
    {
        QUuid id;
        quint64 generation = 0;
        ValidationResult result;
    };
    QList<Arrived> m_arrived; // results not yet recorded, in arrival order
    QTimer m_drainTimer; // zero-time, like m_pumpTimer
    QThread m_checksThread;
    CheckRunner *m_runner = nullptr; // lives on m_checksThread; deleted when it finishes
    int m_connectMs = 15000;
    int m_totalMs = 30000;
    QList<int> m_backoff { 3000, 5000, 8000, 13000 };
    bool m_networkAvailable = true;
    QTimer m_retryTimer;
    int m_firstRetryMs = 30 * 1000;
    int m_maxRetryMs = 5 * 60 * 1000;
    int m_nextRetryMs = 30 * 1000;
    quint64 m_generation = 0;
    bool m_busy = false; // for idle(): emitted once per busy -> empty transition
};

// What a finished check means for the stored connector.
ValidationState validationStateFor(const ValidationResult &result, const QDateTime &now);

} // namespace cd
