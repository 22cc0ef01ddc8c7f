#include "ValidationQueue.h"

#include "Applications.h"
#include "ConnectorRepository.h"
#include "Log.h"
#include "SecretStore.h"
#include "ThreadPriority.h"

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QUrl>
#include <cerrno>
#include <limits>

namespace cd {

namespace {

void lowerCurrentThreadPriority()
{
    if (!lowerThreadPriority(ValidationQueue::kChecksThreadNice))
        qCDebug(lcNet) << "checks thread: nice not changed:" << qt_error_string(errno);
}

} // namespace

ValidationState validationStateFor(const ValidationResult &result, const QDateTime &now)
{
    ValidationState state;
    state.checkedAt = now;
    state.message = result.message;
    state.account = result.account;
    state.credentialsRejected = result.credentialsRejected();
    state.checks = result.checks;
    if (result.failure == ValidationResult::Failure::HostNotFound) {
        state.status = ValidationStatus::Failed;
        state.hostNotFound = true;
        state.message = QCoreApplication::translate("ValidationQueue",
            "%1 It is checked again when the network changes (for example when a VPN "
            "connects).")
                            .arg(result.message);
    } else if (result.failure == ValidationResult::Failure::Throttled && result.retryAt.isValid()) {
        state.status = ValidationStatus::NotVerified;
        state.message
            = QCoreApplication::translate("ValidationQueue", "%1 It will be checked again then.")
                  .arg(result.message);
    } else if (result.isTransient()) {
        // Not the connector's fault: it stays "Not verified" and pending.
        state.status = ValidationStatus::NotVerified;
        state.message = QCoreApplication::translate("ValidationQueue",
            "%1 It will be checked again "
            "when the network is reachable.")
                            .arg(result.message);
    } else {
        state.status = result.status;
    }
    return state;
}

ValidationQueue::ValidationQueue(
    ConnectorRepository *repository, QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_nam(nam)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ValidationQueue::retryWaiting);
    m_checksThread.setObjectName(QStringLiteral("checks"));
    m_runner = new CheckRunner;
    m_runner->moveToThread(&m_checksThread);
    connect(&m_checksThread, &QThread::finished, m_runner, &QObject::deleteLater);
    m_checksThread.start();
    // A timer, not a posted call: the heartbeat of the GUI (paint, input, other timers) gets a
    // turn between two batches of starts.
    m_pumpTimer.setSingleShot(true);
    m_pumpTimer.setInterval(0);
    connect(&m_pumpTimer, &QTimer::timeout, this, &ValidationQueue::pump);
    m_drainTimer.setSingleShot(true);
    m_drainTimer.setInterval(0);
    connect(&m_drainTimer, &QTimer::timeout, this, &ValidationQueue::drainResults);
    connect(repository, &ConnectorRepository::connectorAboutToBeRemoved, this,
        &ValidationQueue::cancel);
    // An edit resets the connector's state; a check of the old values must not overwrite it.
    connect(repository, &ConnectorRepository::connectorUpdated, this, [this](const QUuid &id) {
        auto it = m_running.find(id);
        if (it == m_running.end()) {
            // A queued connector's server may have changed: it is counted under the new one.
            if (m_queuedHost.contains(id))
                if (const std::optional<Connector> c = m_repository->find(id))
                    m_queuedHost.insert(id, hostKey(c->url));
            return;
        }
        const std::optional<Connector> c = m_repository->find(id);
        if (c && c->validation.status == ValidationStatus::NotVerified
            && !c->validation.checkedAt.isValid()) {
            cancel(id);
            enqueue(id);
        }
    });
}

void ValidationQueue::yieldToTheWindow()
{
    // Queued on the checks thread before any check: every HTTP thread a check starts there
    // inherits it.
    QMetaObject::invokeMethod(m_runner, &lowerCurrentThreadPriority, Qt::QueuedConnection);
}

ValidationQueue::~ValidationQueue()
{
    // The running checks abort with the runner (their parent), on the checks thread, and
    // report nothing: what they would post to this queue goes with it.
    for (auto it = m_running.begin(); it != m_running.end(); ++it)
        it->cancelled = true;
    m_checksThread.quit();
    m_checksThread.wait();
}

void ValidationQueue::setTimeouts(int connectMs, int totalMs)
{
    m_connectMs = connectMs;
    m_totalMs = totalMs;
}

void ValidationQueue::setRetryDelays(int firstMs, int maxMs)
{
    m_firstRetryMs = firstMs;
    m_maxRetryMs = maxMs;
    m_nextRetryMs = firstMs;
}

QString ValidationQueue::hostKey(const QString &url)
{
    return QUrl(url).host().toLower();
}

bool ValidationQueue::isPending(const QUuid &id) const
{
    return m_running.contains(id) || m_queuedHost.contains(id) || m_waiting.contains(id);
}

void ValidationQueue::enqueue(const QUuid &id)
{
    if (m_running.contains(id) || m_queuedHost.contains(id))
        return;
    const std::optional<Connector> c = m_repository->find(id);
    if (!c)
        return;
    m_hostNotFound.remove(id);
    const bool wasPending = m_waiting.remove(id);
    m_queue.append(id);
    m_queuedHost.insert(id, hostKey(c->url));
    if (!wasPending)
        Q_EMIT pendingChanged(id, true);
    // Start from the event loop: a caller never sees work begin inside its own call.
    schedulePump();
}

void ValidationQueue::schedulePump()
{
    if (!m_pumpTimer.isActive())
        m_pumpTimer.start();
}

void ValidationQueue::eraseRunning(QHash<QUuid, Running>::iterator it)
{
    auto host = m_runningPerHost.find(it->host);
    if (host != m_runningPerHost.end() && --host.value() <= 0)
        m_runningPerHost.erase(host);
    m_running.erase(it);
}

QList<QUuid> ValidationQueue::enqueueAll()
{
    QList<QUuid> ids;
    for (const Connector &c : m_repository->connectors()) {
        // Not those of a newer version's application: this one cannot check them.
        if (!c.validation.credentialsRejected && !c.needsSecret && Applications::knows(c)) {
            enqueue(c.id);
            ids.append(c.id);
        }
    }
    return ids;
}

void ValidationQueue::enqueuePending()
{
    for (const Connector &c : m_repository->connectors()) {
        if (c.validation.status == ValidationStatus::NotVerified
            && !c.validation.credentialsRejected && !c.needsSecret && Applications::knows(c))
            enqueue(c.id);
    }
}

void ValidationQueue::cancel(const QUuid &id)
{
    bool was = false;
    if (m_queuedHost.remove(id)) {
        m_queue.removeOne(id);
        was = true;
    }
    was |= m_waiting.remove(id);
    m_hostNotFound.remove(id);
    auto it = m_running.find(id);
    if (it != m_running.end()) {
        was = true;
        it->cancelled = true;
        const bool dispatched = it->dispatched;
        const quint64 generation = it->generation;
        eraseRunning(it);
        if (dispatched) {
            CheckRunner *runner = m_runner;
            QMetaObject::invokeMethod(
                runner, [runner, generation] { runner->cancel(generation); }, Qt::QueuedConnection);
        }
    }
    if (was)
        Q_EMIT pendingChanged(id, false);
    schedulePump();
}

void ValidationQueue::cancelAll()
{
    const QList<QUuid> ids = m_queue + m_running.keys() + m_waiting.values();
    for (const QUuid &id : ids)
        cancel(id);
}

void ValidationQueue::setNetworkAvailable(bool available)
{
    if (available == m_networkAvailable)
        return;
    m_networkAvailable = available;
    qCDebug(lcNet) << "validation queue: network" << (available ? "available" : "unavailable");
    if (available) {
        retryWaiting();
        networkChanged();
        schedulePump();
    }
}

void ValidationQueue::networkChanged()
{
    // A VPN came up, another network was joined: a name that did not resolve may now.
    QSet<QUuid> ids;
    ids.swap(m_hostNotFound);
    for (const Connector &c : m_repository->connectors()) {
        if (c.validation.hostNotFound && !c.validation.credentialsRejected && !c.needsSecret)
            ids.insert(c.id);
    }
    for (const QUuid &id : std::as_const(ids))
        enqueue(id);
}

void ValidationQueue::retryWaiting()
{
    // Automatic retries never send credentials the server has rejected meanwhile (e.g. a
    // Test Connection result recorded on Submit).
    const QList<QUuid> waiting = m_waiting.values();
    for (const QUuid &id : waiting) {
        const std::optional<Connector> c = m_repository->find(id);
        if (c && c->validation.credentialsRejected) {
            m_waiting.remove(id);
            Q_EMIT pendingChanged(id, false);
            continue;
        }
        enqueue(id);
    }
}

void ValidationQueue::scheduleRetry()
{
    if (m_retryTimer.isActive())
        return;
    m_retryTimer.start(m_nextRetryMs);
    m_nextRetryMs = qMin(m_nextRetryMs * 2, m_maxRetryMs);
}

void ValidationQueue::pump()
{
    if (!m_networkAvailable)
        return;
    // In queue order, skipping connectors whose server has its share running already.
    int started = 0;
    for (int i = 0; i < m_queue.size() && m_running.size() < m_maxConcurrent;) {
        if (started == kStartsPerTurn) {
            schedulePump(); // the rest on the next turn
            break;
        }
        const QUuid id = m_queue.at(i);
        const QString host = m_queuedHost.value(id);
        if (m_runningPerHost.value(host) >= m_maxPerHost) {
            ++i;
            continue;
        }
        m_queue.removeAt(i);
        m_queuedHost.remove(id);
        startOne(id, host);
        ++started;
    }
    const bool busy = !m_queue.isEmpty() || !m_running.isEmpty();
    if (m_busy && !busy)
        Q_EMIT idle();
    m_busy = busy;
}

void ValidationQueue::startOne(const QUuid &id, const QString &host)
{
    const std::optional<Connector> c = m_repository->find(id);
    if (!c) {
        Q_EMIT pendingChanged(id, false);
        return;
    }
    if (!Applications::knows(*c)) {
        // Its secret's key, its check and its rules are a newer version's: nothing is read,
        // sent or recorded over what that version wrote.
        ValidationResult r;
        r.failure = ValidationResult::Failure::Unsupported;
        r.message = QCoreApplication::translate("ValidationQueue",
            "Not checked: “%1” was made by a newer Connector Desk (application “%2”, "
            "authentication “%3”). Check it there, or update this one.")
                        .arg(c->name, c->application, c->authType);
        Q_EMIT pendingChanged(id, false);
        Q_EMIT finished(id, r);
        return;
    }
    Running running;
    running.generation = ++m_generation;
    running.host = host;
    m_running.insert(id, running);
    ++m_runningPerHost[host];
    m_busy = true;
    Q_EMIT started(id);
    qCDebug(lcNet) << "validating" << id;
    const quint64 generation = running.generation;
    m_repository->readSecret(id, this, [this, id, generation](const SecretResult &secret) {
        auto it = m_running.find(id);
        if (it == m_running.end() || it->cancelled || it->generation != generation)
            return; // cancelled, or restarted (an edit) while the keychain answered
        const std::optional<Connector> c = m_repository->find(id);
        if (!c) {
            eraseRunning(it);
            Q_EMIT pendingChanged(id, false);
            schedulePump();
            return;
        }
        if (!secret.ok()) {
            ValidationResult r;
            r.status = ValidationStatus::Failed;
            const bool missing = secret.error == SecretResult::Error::NotFound;
            r.failure = missing ? ValidationResult::Failure::NoSecret
                                : ValidationResult::Failure::Keychain;
            r.message = missing ? QCoreApplication::translate("ValidationQueue",
                            "Needs secret: no password, client secret "
                            "or token is stored for this connector yet "
                            "(imported connectors come without one).")
                                : secret.message;
            arrive(id, generation, r);
            return;
        }
        ValidationRequest request;
        request.baseUrl = QUrl(c->url);
        request.application = c->application;
        request.authType = c->authType;
        request.identity = c->identity;
        request.secret = secret.secret;
        request.verifySsl = c->verifySsl;
        request.pinnedSha256 = c->pinnedCertificateSha256;
        request.projects = c->projects;
        it->dispatched = true;
        // The check itself runs on the checks thread: its connections, its TLS handshakes and
        // its manager's HTTP thread are not the GUI thread's work. The proxy is the one the
        // given manager would use, decided here (the manager lives on this thread).
        CheckRunner::Run run;
        run.generation = generation;
        run.request = request;
        run.withNetwork = !m_nam.isNull();
        run.proxy = ValidationJob::proxyFor(m_nam.data(), request.baseUrl);
        run.connectMs = m_connectMs;
        run.totalMs = m_totalMs;
        run.backoff = m_backoff;
        CheckRunner *runner = m_runner;
        QMetaObject::invokeMethod(
            runner,
            [runner, run, queue = this, id] {
                runner->start(
                    run, [queue, id, generation = run.generation](const ValidationResult &r) {
                        // Back on the queue's thread; dropped if the queue is gone by then.
                        QMetaObject::invokeMethod(
                            queue, [queue, id, generation, r] { queue->arrive(id, generation, r); },
                            Qt::QueuedConnection);
                    });
            },
            Qt::QueuedConnection);
    });
}

void CheckRunner::start(const Run &run, std::function<void(const ValidationResult &)> done)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this); // on this thread; never sends anything
    auto *job = new ValidationJob(run.withNetwork ? m_network : nullptr, run.request, this);
    job->setProxy(run.proxy);
    job->setTimeouts(run.connectMs, run.totalMs);
    job->setBackoffSchedule(run.backoff);
    m_jobs.insert(run.generation, job);
    connect(job, &ValidationJob::finished, this,
        [this, job, generation = run.generation, done = std::move(done)](
            const ValidationResult &r) {
            m_jobs.remove(generation);
            job->deleteLater();
            done(r);
        });
    job->start();
}

void CheckRunner::cancel(quint64 generation)
{
    if (ValidationJob *job = m_jobs.take(generation)) {
        job->disconnect(this);
        job->deleteLater(); // aborts, emits nothing
    }
}

void ValidationQueue::arrive(const QUuid &id, quint64 generation, const ValidationResult &result)
{
    // Only noted here: a burst of results (the first wave of a Validate All) is recorded and
    // shown a few milliseconds' worth at a time, with the GUI's own events in between.
    m_arrived.append({ id, generation, result });
    if (!m_drainTimer.isActive())
        m_drainTimer.start();
}

void ValidationQueue::drainResults()
{
    // One batch per turn of the event loop: recorded in one transaction, then announced.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Arrived> settled;
    QList<QPair<QUuid, ValidationState>> toRecord;
    while (!m_arrived.isEmpty() && settled.size() < kResultsPerBatch) {
        Arrived a = m_arrived.takeFirst();
        auto it = m_running.find(a.id);
        if (it == m_running.end() || it->cancelled || it->generation != a.generation)
            continue; // cancelled or restarted while the answer was on its way
        eraseRunning(it);
        // A keychain that failed or did not answer says nothing about the connector: its
        // state is left alone and it waits, like a connector whose server could not be
        // reached.
        if (a.result.failure != ValidationResult::Failure::Cancelled
            && a.result.failure != ValidationResult::Failure::Keychain)
            toRecord.append({ a.id, validationStateFor(a.result, now) });
        settled.append(std::move(a));
    }
    if (!toRecord.isEmpty())
        m_repository->recordValidations(toRecord);
    for (const Arrived &a : std::as_const(settled))
        afterResult(a.id, a.result);
    if (!m_arrived.isEmpty())
        m_drainTimer.start(); // the rest on the next turn
    schedulePump();
}

void ValidationQueue::afterResult(const QUuid &id, const ValidationResult &result)
{
    const bool keychain = result.failure == ValidationResult::Failure::Keychain;
    if (result.failure == ValidationResult::Failure::Throttled && result.retryAt.isValid()) {
        // The server said when (Retry-After), or the back-off did not fit in one check.
        m_waiting.insert(id);
        const qint64 ms = qBound(qint64(0), QDateTime::currentDateTimeUtc().msecsTo(result.retryAt),
            qint64(std::numeric_limits<int>::max()));
        QTimer::singleShot(int(ms), this, [this, id] {
            if (m_waiting.contains(id))
                enqueue(id);
        });
    } else if (result.failure == ValidationResult::Failure::HostNotFound) {
        m_hostNotFound.insert(id); // checked again by networkChanged(), not on a timer
        Q_EMIT pendingChanged(id, false);
    } else if (result.isTransient() || keychain) {
        m_waiting.insert(id);
        scheduleRetry();
    } else {
        m_nextRetryMs = m_firstRetryMs;
        Q_EMIT pendingChanged(id, false);
    }
    Q_EMIT finished(id, result);
}

} // namespace cd
