#include "ConnectorRepository.h"

#include "Applications.h"
#include "ConnectorStore.h"
#include "Log.h"
#include "SecretStore.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QSet>
#include <QTimer>
#include <algorithm>

namespace cd {

namespace {

RepositoryResult failure(const QString &error, const QUuid &id = QUuid())
{
    RepositoryResult r;
    r.error = error;
    r.id = id;
    return r;
}

bool credentialsChanged(const Connector &a, const Connector &b)
{
    return a.url != b.url || a.authType != b.authType || a.identity != b.identity
        || a.verifySsl != b.verifySsl || a.pinnedCertificateSha256 != b.pinnedCertificateSha256
        || a.application != b.application;
}

// What is stored for `next` after an edit of `old`: the old result while it still describes
// the connector; nothing after a change of what was checked; after a change of the scope
// only, "not verified" (its checklist was for other projects), checked again by the window;
// unless the credentials were rejected: that result stands, so they are not sent again
// because the projects changed.
ValidationState validationAfterEdit(const Connector &old, const Connector &next, bool newSecret)
{
    if (newSecret || credentialsChanged(old, next))
        return ValidationState();
    if (old.projects == next.projects || old.validation.credentialsRejected)
        return old.validation; // a rejection does not depend on the projects
    ValidationState v;
    v.account = old.validation.account;
    v.message = QCoreApplication::translate(
        "ConnectorRepository", "The projects changed: check the connector again.");
    return v;
}

// What is stored after a new secret was written without an edit (a rotated secret): not
// verified, so it is checked again; a rejection of the previous secret no longer applies.
ValidationState validationAfterNewSecret(const Connector &old)
{
    ValidationState v;
    v.account = old.validation.account; // the same identity
    v.message = QCoreApplication::translate(
        "ConnectorRepository", "The secret changed: check the connector again.");
    return v;
}
} // namespace

ConnectorRepository::ConnectorRepository(
    ConnectorStore *store, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_secrets(secrets)
{ }

ConnectorRepository::~ConnectorRepository() = default;

bool ConnectorRepository::load(QString *error)
{
    QList<Connector> loaded;
    const bool ok = m_store->load(&loaded, error);
    Q_EMIT aboutToReset();
    m_connectors = std::move(loaded);
    Q_EMIT reset();
    if (ok)
        recoverPendingSecrets();
    return ok;
}

bool ConnectorRepository::isBlocked() const
{
    return m_store->state() == ConnectorStore::State::Blocked;
}

QString ConnectorRepository::loadError() const
{
    return m_store->loadError();
}

bool ConnectorRepository::resolveByMovingAside(QString *movedTo, QString *error)
{
    if (!m_store->moveBadFileAside(movedTo, error))
        return false;
    Q_EMIT aboutToReset();
    m_connectors.clear();
    Q_EMIT reset();
    return true;
}

void ConnectorRepository::recoverPendingSecrets()
{
    enqueue([this](std::function<void()> next) {
        QString error;
        const QList<ConnectorStore::PendingSecret> pending
            = m_store->abandonedPendingSecrets(&error);
        if (!error.isEmpty())
            qCWarning(lcStore).noquote() << "pending secrets cannot be read:" << error;
        recoverNext(pending, 0, std::move(next));
    });
}

void ConnectorRepository::recoverNext(
    const QList<ConnectorStore::PendingSecret> &pending, int i, std::function<void()> next)
{
    if (i == pending.size())
        return next();
    const ConnectorStore::PendingSecret p = pending.at(i);
    QString error;
    // Made this process's own first: another process that took it (or marked the key anew)
    // meanwhile is left alone.
    if (!m_store->takeOverPendingSecret(p, &error))
        return recoverNext(pending, i + 1, std::move(next));
    if (p.claimed) {
        // The row that owns it was written: the secret stays.
        clearPending(p.key);
        return recoverNext(pending, i + 1, std::move(next));
    }
    // A crash between the keychain and the database: no row owns this secret.
    claimKey(p.key);
    m_secrets->remove(p.key, this, [this, pending, i, next](const SecretResult &rm) {
        const QString key = pending.at(i).key;
        if (rm.ok()) {
            qCInfo(lcStore).noquote()
                << "removed a secret left behind by an interrupted change:" << key;
            clearPending(key);
        } else {
            qCWarning(lcStore).noquote()
                << "a secret left behind cannot be removed yet:" << rm.message;
        }
        recoverNext(pending, i + 1, next);
    });
}

bool ConnectorRepository::refresh()
{
    QString error;
    const std::optional<ConnectorStore::Changes> changes = m_store->changes(&error);
    if (!error.isEmpty())
        qCInfo(lcStore).noquote() << "changes of other processes cannot be read:" << error;
    if (!changes)
        return false;
    QList<QUuid> added;
    for (const Connector &c : changes->changed) {
        const int i = indexOf(c.id);
        if (i >= 0) {
            if (m_connectors.at(i) == c)
                continue;
            m_connectors[i] = c;
            Q_EMIT connectorUpdated(c.id);
        } else {
            m_connectors.append(c);
            Q_EMIT connectorAdded(c.id);
            added.append(c.id);
        }
    }
    for (const QUuid &id : changes->removed) {
        if (m_removing.contains(id) || indexOf(id) < 0)
            continue; // removed by this process: its remove() finishes it
        Q_EMIT connectorAboutToBeRemoved(id);
        m_connectors.removeAt(indexOf(id));
        Q_EMIT connectorRemoved(id);
    }
    if (!added.isEmpty())
        Q_EMIT addedElsewhere(added);
    return !changes->changed.isEmpty() || !changes->removed.isEmpty();
}

void ConnectorRepository::setWatchInterval(int ms)
{
    if (ms <= 0) {
        if (m_watchTimer)
            m_watchTimer->stop();
        return;
    }
    if (!m_watchTimer) {
        m_watchTimer = new QTimer(this);
        connect(m_watchTimer, &QTimer::timeout, this, &ConnectorRepository::refresh);
    }
    m_watchTimer->start(ms);
}

std::optional<Connector> ConnectorRepository::find(const QUuid &id) const
{
    const int i = indexOf(id);
    if (i < 0)
        return std::nullopt;
    return m_connectors.at(i);
}

int ConnectorRepository::indexOf(const QUuid &id) const
{
    // An index by id, checked on every hit: rows are appended, removed and replaced in many
    // places, and a stale entry (or a miss after a change) just rebuilds it. Validate All of
    // 10,000 connectors looks each one up: without it, 50 million comparisons on the GUI thread.
    const auto lookUp = [this, &id]() -> int {
        const auto it = m_index.constFind(id);
        if (it == m_index.cend() || *it >= m_connectors.size() || m_connectors.at(*it).id != id)
            return -1;
        return *it;
    };
    if (m_index.size() == m_connectors.size()) {
        const int i = lookUp();
        if (i >= 0)
            return i;
    }
    m_index.clear();
    m_index.reserve(m_connectors.size());
    for (int i = 0; i < m_connectors.size(); ++i)
        m_index.insert(m_connectors.at(i).id, i);
    return lookUp();
}

void ConnectorRepository::enqueue(Step step)
{
    m_queue.enqueue(std::move(step));
    if (!m_running)
        runNext();
}

void ConnectorRepository::runNext()
{
    if (m_queue.isEmpty()) {
        const bool wasRunning = m_running;
        m_running = false;
        if (wasRunning)
            Q_EMIT idle();
        return;
    }
    m_running = true;
    Step step = m_queue.dequeue();
    // Steps always continue from the event loop, so a caller never sees its callback run
    // inside its own call.
    QTimer::singleShot(0, this, [this, step = std::move(step)] { step([this] { runNext(); }); });
}

bool ConnectorRepository::recordValidation(const QUuid &id, const ValidationState &state)
{
    return recordValidations({ { id, state } }) == 1;
}

int ConnectorRepository::recordValidations(const QList<QPair<QUuid, ValidationState>> &results)
{
    QList<QPair<QUuid, ValidationState>> kept;
    kept.reserve(results.size());
    for (const auto &[id, state] : results) {
        const int i = indexOf(id);
        // A connector being removed is already gone from the database: a late result must
        // not be recorded.
        if (i < 0 || m_removing.contains(id))
            continue;
        m_unsavedResults.remove(id); // this one is newer
        m_connectors[i].validation = state; // shown at once, also when it cannot be kept yet
        kept.append({ id, state });
    }
    for (const auto &result : std::as_const(kept))
        Q_EMIT connectorUpdated(result.first);
    if (kept.isEmpty())
        return 0;
    QString error;
    QList<QUuid> missing;
    if (m_store->setValidations(kept, &missing, &error)) {
        if (!missing.isEmpty())
            refresh(); // removed by another process: they go from the list, nothing to report
        return int(kept.size());
    }
    if (m_store->lastFailureWasBusy() && m_busyRetryMs > 0) {
        // Another process holds the database: written a moment later, from the event loop.
        for (const auto &[id, state] : std::as_const(kept))
            m_unsavedResults.insert(id, { state, QDeadlineTimer(m_busyRetryMs) });
        if (!m_resultRetryTimer) {
            m_resultRetryTimer = new QTimer(this);
            m_resultRetryTimer->setInterval(kBusyRetryIntervalMs);
            connect(m_resultRetryTimer, &QTimer::timeout, this,
                &ConnectorRepository::retryUnsavedResults);
        }
        m_resultRetryTimer->start();
        return int(kept.size());
    }
    refresh();
    const bool stillThere = std::any_of(kept.cbegin(), kept.cend(),
        [this](const QPair<QUuid, ValidationState> &r) { return indexOf(r.first) >= 0; });
    if (stillThere)
        Q_EMIT saveFailed(error);
    return int(kept.size());
}

void ConnectorRepository::retryUnsavedResults()
{
    for (auto it = m_unsavedResults.begin(); it != m_unsavedResults.end();) {
        QString error;
        if (indexOf(it.key()) < 0 || m_store->setValidation(it.key(), it->state, &error)) {
            it = m_unsavedResults.erase(it);
        } else if (!m_store->lastFailureWasBusy() || it->deadline.hasExpired()) {
            Q_EMIT saveFailed(error);
            it = m_unsavedResults.erase(it);
        } else {
            ++it;
        }
    }
    if (m_unsavedResults.isEmpty())
        m_resultRetryTimer->stop();
}

void ConnectorRepository::finish(const RepositoryCallback &done, RepositoryResult result)
{
    if (!result.ok)
        qCInfo(lcStore).noquote() << "operation failed:" << result.error; // shown by the caller
    if (done)
        done(result);
}

void ConnectorRepository::add(Connector connector, const QString &secret, RepositoryCallback done)
{
    enqueue(
        [this, connector = std::move(connector), secret, done](std::function<void()> next) mutable {
            const QDateTime now = QDateTime::currentDateTimeUtc();
            if (connector.id.isNull())
                connector.id = QUuid::createUuid();
            connector.createdAt = now;
            connector.updatedAt = now;
            doAdd(std::move(connector), secret, done, std::move(next));
        });
}

void ConnectorRepository::addWithoutSecret(Connector connector, RepositoryCallback done)
{
    enqueue([this, connector = std::move(connector), done](std::function<void()> next) mutable {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (connector.id.isNull())
            connector.id = QUuid::createUuid();
        connector.createdAt = now;
        connector.updatedAt = now;
        connector.needsSecret = true;
        doAdd(std::move(connector), QString(), done, std::move(next));
    });
}

void ConnectorRepository::restore(const RepositoryResult &removed, RepositoryCallback done)
{
    if (!removed.removed) {
        // Answered from the event loop like every other result.
        QTimer::singleShot(
            0, this, [this, done] { finish(done, failure(tr("There is nothing to restore."))); });
        return;
    }
    Connector c = *removed.removed;
    const bool hadSecret = removed.removedHadSecret;
    const QString secret = removed.removedSecret;
    const QList<HistoryEntry> history = removed.removedHistory;
    enqueue([this, c, hadSecret, secret, history, done](std::function<void()> next) {
        doAdd(c, hadSecret ? secret : QString(), done, std::move(next), history);
    });
}

void ConnectorRepository::doAdd(Connector connector, const QString &secret,
    const RepositoryCallback &done, std::function<void()> next, const QList<HistoryEntry> &history)
{
    const QUuid id = connector.id;
    if (isBlocked()) {
        finish(done, failure(m_store->loadError(), id));
        return next();
    }
    if (indexOf(id) >= 0) {
        finish(done, failure(tr("A connector with this id already exists."), id));
        return next();
    }
    const QString key
        = secret.isEmpty() ? QString() : secretKey(id, connector.application, connector.authType);
    auto saveRecord = [this, connector, key, history, done, next](
                          const std::function<void(const QString &)> &undoSecret) {
        // The row (with its history, when restored), and the end of the secret's pending mark,
        // in one transaction.
        write([this, connector, key, history](
                  QString *e) { return m_store->insert(connector, e, key, history); },
            [this, connector, done, next, undoSecret](const QString &error) {
                if (!error.isEmpty())
                    return undoSecret(error);
                m_connectors.append(connector);
                Q_EMIT connectorAdded(connector.id);
                RepositoryResult r;
                r.ok = true;
                r.id = connector.id;
                finish(done, r);
                next();
            });
    };

    if (secret.isEmpty()) {
        // A connector without a secret (restored without one, or imported).
        saveRecord([this, done, next, id](const QString &error) {
            finish(done, failure(error, id));
            next();
        });
        return;
    }

    // Announced before the keychain is touched: a crash before the row is written leaves a
    // mark, and the next open takes the secret out again (recoverPendingSecrets()).
    write([this, key, id](QString *e) { return m_store->markPendingSecret(key, id, e); },
        [this, key, id, secret, done, next, saveRecord](const QString &markError) {
            if (!markError.isEmpty()) {
                finish(done, failure(tr("The connector was not saved. %1").arg(markError), id));
                return next();
            }
            const quint64 generation = claimKey(key);
            m_secrets->write(
                key, secret, this,
                [this, key, id, done, next, saveRecord](const SecretResult &w) {
                    if (!w.ok()) {
                        // A write that timed out may still happen (see the late answer
                        // below): the mark stays until it is known.
                        if (w.error != SecretResult::Error::Timeout)
                            clearPending(key);
                        finish(done,
                            failure(tr("The connector was not saved: its secret could not be "
                                       "stored in the keychain. %1")
                                        .arg(w.message),
                                id));
                        return next();
                    }
                    saveRecord([this, key, id, done, next](const QString &error) {
                        // The record could not be written: take the secret back out.
                        takeBack(
                            key, tr("The connector was not saved. %1").arg(error), id, done, next);
                    });
                },
                // The write timed out, was reported as failed, then happened after all: the
                // connector was not saved, so its secret must not stay behind - unless a
                // later operation (a retry) has used the key since.
                undoLateWrite(key, generation));
        });
}

void ConnectorRepository::write(
    std::function<bool(QString *)> op, std::function<void(const QString &)> then)
{
    attemptWrite(std::make_shared<PendingWrite>(
        PendingWrite { std::move(op), std::move(then), QDeadlineTimer(m_busyRetryMs) }));
}

void ConnectorRepository::attemptWrite(const std::shared_ptr<PendingWrite> &w)
{
    QString error;
    if (w->op(&error))
        return w->then(QString());
    // Busy in another process: tried again from the event loop, so this thread never waits
    // longer than the store's busy timeout at a time.
    if (m_store->lastFailureWasBusy() && !w->deadline.hasExpired()) {
        QTimer::singleShot(kBusyRetryIntervalMs, this, [this, w] { attemptWrite(w); });
        return;
    }
    w->then(error);
}

void ConnectorRepository::takeBack(const QString &key, const QString &message, const QUuid &id,
    const RepositoryCallback &done, const std::function<void()> &next)
{
    m_secrets->remove(key, this, [this, key, message, id, done, next](const SecretResult &rm) {
        QString text = message;
        if (rm.ok())
            clearPending(key);
        else
            text += QLatin1Char(' ')
                + tr("Its new secret was stored but could not be removed from the keychain "
                     "again: %1")
                      .arg(rm.message);
        finish(done, failure(text, id));
        next();
    });
}

std::function<void(const SecretResult &)> ConnectorRepository::undoLateWrite(
    const QString &key, quint64 generation)
{
    return [this, key, generation](const SecretResult &late) {
        if (!isLatest(key, generation))
            return;
        if (!late.ok())
            return clearPending(key);
        m_secrets->remove(key, this, [this, key](const SecretResult &rm) {
            if (rm.ok())
                clearPending(key);
        });
    };
}

quint64 ConnectorRepository::claimKey(const QString &key)
{
    return ++m_keyGeneration[key];
}

bool ConnectorRepository::isLatest(const QString &key, quint64 generation) const
{
    return m_keyGeneration.value(key) == generation;
}

std::optional<Connector> ConnectorRepository::changeable(
    const QUuid &id, const RepositoryCallback &done)
{
    if (isBlocked()) {
        finish(done, failure(m_store->loadError(), id));
        return std::nullopt;
    }
    refresh(); // deleted by another process: said now, before the keychain is touched
    std::optional<Connector> c = find(id);
    if (!c) {
        finish(done,
            failure(tr("This connector no longer exists (it was deleted in another window or "
                       "command)."),
                id));
    } else if (!Applications::knows(*c)) {
        // A newer version's connector: its secret's keychain key is not known here, so a
        // change or a removal could leave its secret behind or write one beside it.
        finish(done,
            failure(tr("“%1” was made by a newer Connector Desk (application “%2”, "
                       "authentication “%3”): change or delete it there.")
                        .arg(c->name, c->application, c->authType),
                id));
        c.reset();
    }
    return c;
}

void ConnectorRepository::update(
    Connector connector, const std::optional<QString> &newSecret, RepositoryCallback done)
{
    enqueue([this, connector = std::move(connector), newSecret, done](
                std::function<void()> next) mutable {
        const QUuid id = connector.id;
        const std::optional<Connector> old = changeable(id, done);
        if (!old)
            return next();
        // Edited from a copy that another window or command has changed since: saving it
        // would silently undo their change.
        if (connector.updatedAt.isValid() && old->updatedAt.isValid()
            && connector.updatedAt != old->updatedAt) {
            finish(done,
                failure(tr("Not saved: “%1” was changed in another Connector Desk window or "
                           "command after you opened it. Cancel, open it again to see the "
                           "changes, then make yours.")
                            .arg(old->name),
                    id));
            return next();
        }
        // The stored secret belongs to the application and method it was entered for.
        const bool methodChanged
            = old->authType != connector.authType || old->application != connector.application;
        const bool secretGiven = newSecret.has_value() && !newSecret->isEmpty();
        if (methodChanged && !secretGiven) {
            const AuthMethod *method
                = Applications::authMethod(connector.application, connector.authType);
            finish(done,
                failure(tr("%1 The application or the authentication type changed.")
                            .arg(method ? method->secretMissing : tr("Enter the secret.")),
                    id));
            return next();
        }
        connector.createdAt = old->createdAt;
        connector.updatedAt = QDateTime::currentDateTimeUtc();
        connector.needsSecret = secretGiven ? false : old->needsSecret;
        connector.unknownFields = old->unknownFields;
        // What is stored now (perhaps checked by another process meanwhile), unless what was
        // verified is no longer what is stored.
        connector.validation = validationAfterEdit(*old, connector, secretGiven);

        // Writes the row (clearing / setting pending marks in the same transaction); `then`
        // gets the error, empty on success.
        auto saveRecord = [this, connector, id](const QString &clearMark, const QString &setMark,
                              const std::function<void(const QString &)> &then) {
            write([this, connector, clearMark, setMark](
                      QString *e) { return m_store->update(connector, e, clearMark, setMark); },
                [this, connector, id, then](const QString &error) {
                    if (!error.isEmpty()) {
                        // Deleted by another process meanwhile: reported, never created again.
                        refresh();
                        return then(error);
                    }
                    const int i = indexOf(id);
                    if (i >= 0)
                        m_connectors[i] = connector;
                    Q_EMIT connectorUpdated(id);
                    then(QString());
                });
        };
        auto succeed = [this, done, next, id](const QString &warning) {
            RepositoryResult r;
            r.ok = true;
            r.id = id;
            r.warning = warning;
            finish(done, r);
            next();
        };

        if (!secretGiven) {
            saveRecord({}, {}, [this, done, next, id, succeed](const QString &error) {
                if (!error.isEmpty()) {
                    finish(done, failure(tr("The changes were not saved. %1").arg(error), id));
                    return next();
                }
                succeed({});
            });
            return;
        }

        const QString newKey = secretKey(connector);
        const QString oldKey = secretKey(*old);
        const QString secret = *newSecret;
        const auto notStored = [this, id, done, next](const SecretResult &w) {
            finish(done,
                failure(tr("The changes were not saved: the new secret could not be stored in "
                           "the keychain. %1")
                            .arg(w.message),
                    id));
            next();
        };

        if (newKey != oldKey) {
            write([this, newKey, id](
                      QString *e) { return m_store->markPendingSecret(newKey, id, e); },
                [=](const QString &markError) {
                    if (!markError.isEmpty()) {
                        finish(
                            done, failure(tr("The changes were not saved. %1").arg(markError), id));
                        return next();
                    }
                    const quint64 generation = claimKey(newKey);
                    m_secrets->write(
                        newKey, secret, this,
                        [=](const SecretResult &w) {
                            if (!w.ok()) {
                                if (w.error != SecretResult::Error::Timeout)
                                    clearPending(newKey);
                                return notStored(w);
                            }
                            // The new secret is owned by the row from now on; the old one is
                            // marked for removal in the same transaction.
                            saveRecord(newKey, oldKey, [=](const QString &error) {
                                if (!error.isEmpty())
                                    return takeBack(newKey,
                                        tr("The changes were not saved. %1").arg(error), id, done,
                                        next);
                                // The secret of the previous authentication type no longer
                                // applies.
                                claimKey(oldKey);
                                m_secrets->remove(oldKey, this, [=](const SecretResult &rm) {
                                    if (rm.ok())
                                        clearPending(oldKey);
                                    succeed(rm.ok() ? QString()
                                                    : tr("The previous secret could not be "
                                                         "removed from the keychain: %1")
                                                          .arg(rm.message));
                                });
                            });
                        },
                        // Timed out, reported as not saved, then written after all: take it
                        // out, unless a later operation has used the key since.
                        undoLateWrite(newKey, generation));
                });
            return;
        }

        // Same key: keep the old secret so that a failed save can put it back.
        m_secrets->read(oldKey, this, [=](const SecretResult &rd) {
            if (!rd.ok() && rd.error != SecretResult::Error::NotFound) {
                finish(done,
                    failure(tr("The changes were not saved: the keychain could not be "
                               "read. %1")
                                .arg(rd.message),
                        id));
                return next();
            }
            const bool hadOld = rd.ok();
            const QString oldSecret = rd.secret;
            const quint64 generation = claimKey(oldKey);
            m_secrets->write(
                oldKey, secret, this,
                [=](const SecretResult &w) {
                    if (!w.ok())
                        return notStored(w);
                    saveRecord({}, {}, [=](const QString &error) {
                        if (error.isEmpty())
                            return succeed({});
                        auto report = [this, error, id, done, next](const SecretResult &back) {
                            QString message = tr("The changes were not saved. %1").arg(error);
                            if (!back.ok())
                                message += QLatin1Char(' ')
                                    + tr("The previous secret could not be put back in the "
                                         "keychain: %1")
                                          .arg(back.message);
                            finish(done, failure(message, id));
                            next();
                        };
                        // Put the old secret back, unless the connector was deleted meanwhile
                        // by another process: then no row may own one.
                        if (hadOld && find(id))
                            m_secrets->write(oldKey, oldSecret, this, report);
                        else
                            m_secrets->remove(oldKey, this, report);
                    });
                },
                // Timed out, reported as not saved, then written after all: the stored
                // record still belongs to the previous secret, so put that back (unless a
                // later operation has used the key since).
                [this, id, oldKey, hadOld, oldSecret, generation](const SecretResult &late) {
                    if (!late.ok() || !isLatest(oldKey, generation))
                        return;
                    if (hadOld && find(id))
                        m_secrets->write(oldKey, oldSecret, this, [](const SecretResult &) {});
                    else
                        m_secrets->remove(oldKey, this, [](const SecretResult &) {});
                });
        });
    });
}

void ConnectorRepository::remove(const QUuid &id, RepositoryCallback done)
{
    enqueue([this, id, done](std::function<void()> next) {
        const std::optional<Connector> old = changeable(id, done);
        if (!old)
            return next();
        const QString key = secretKey(*old);
        m_secrets->read(key, this, [this, id, key, old, done, next](const SecretResult &rd) {
            if (!rd.ok() && rd.error != SecretResult::Error::NotFound) {
                finish(done,
                    failure(tr("Nothing was deleted: the keychain could not be read. %1")
                                .arg(rd.message),
                        id));
                return next();
            }
            const bool hadSecret = rd.ok();
            const QString secret = rd.secret;
            // Its history goes with the row (and comes back with an undo).
            auto history = std::make_shared<QList<HistoryEntry>>();
            // The row goes, and the secret is marked for removal, in one transaction: a crash
            // before the keychain answers leaves the mark, and the next open finishes it.
            write([this, id, key, history](
                      QString *e) { return m_store->remove(id, e, key, history.get()); },
                [=](const QString &error) {
                    if (!error.isEmpty()) {
                        finish(done, failure(tr("Nothing was deleted. %1").arg(error), id));
                        return next();
                    }
                    // The in-memory list (what views show) changes only once the whole removal
                    // succeeded; until then no result may be recorded for it.
                    m_removing.insert(id);
                    const quint64 generation = claimKey(key);
                    m_secrets->remove(
                        key, this,
                        [=](const SecretResult &rm) {
                            m_removing.remove(id);
                            if (!rm.ok())
                                return writeBack(*old, *history, key, rm.message, done, next);
                            clearPending(key);
                            dropRemoved(id);
                            RepositoryResult r;
                            r.ok = true;
                            r.id = id;
                            r.removed = old;
                            r.removedHadSecret = hadSecret;
                            r.removedSecret = secret;
                            r.removedHistory = *history;
                            finish(done, r);
                            next();
                        },
                        // Timed out, so the record was written back, then deleted after all:
                        // the connector is still listed, so its secret goes back too (unless a
                        // later operation has used the key since).
                        [=](const SecretResult &late) {
                            if (!late.ok() || !hadSecret || !isLatest(key, generation))
                                return;
                            m_secrets->write(key, secret, this, [=](const SecretResult &w) {
                                if (w.ok() || !find(id))
                                    return;
                                // The row would claim a secret it does not have.
                                Connector c = *find(id);
                                c.needsSecret = true;
                                QString e;
                                if (m_store->update(c, &e)) {
                                    m_connectors[indexOf(id)] = c;
                                    Q_EMIT connectorUpdated(id);
                                }
                                Q_EMIT saveFailed(tr("The secret of “%1” could not be put back "
                                                     "in the keychain: %2 Enter it again.")
                                                      .arg(c.name, w.message));
                            });
                        });
                });
        });
    });
}

void ConnectorRepository::writeBack(const Connector &c, const QList<HistoryEntry> &history,
    const QString &key, const QString &keychainError, const RepositoryCallback &done,
    const std::function<void()> &next)
{
    // A connector is deleted whole or not at all: the record goes back, with its history.
    write([this, c, key, history](QString *e) { return m_store->insert(c, e, key, history); },
        [this, c, keychainError, done, next](const QString &error) {
            if (error.isEmpty()) {
                finish(done,
                    failure(tr("Nothing was deleted: the secret could not be removed from the "
                               "keychain. %1")
                                .arg(keychainError),
                        c.id));
                return next();
            }
            // Neither: the record is gone, the secret stays marked for removal, and the next
            // start of Connector Desk takes it out. Said as it is.
            dropRemoved(c.id);
            finish(done,
                failure(tr("“%1” was deleted, but its secret could not be removed from the "
                           "keychain (%2), and the connector could not be written back (%3). "
                           "The secret will be removed the next time Connector Desk starts.")
                            .arg(c.name, keychainError, error),
                    c.id));
            next();
        });
}

void ConnectorRepository::dropRemoved(const QUuid &id)
{
    const int i = indexOf(id);
    if (i < 0)
        return;
    Q_EMIT connectorAboutToBeRemoved(id);
    m_connectors.removeAt(i);
    Q_EMIT connectorRemoved(id);
}

void ConnectorRepository::clearPending(const QString &key)
{
    QString error;
    if (!m_store->clearPendingSecret(key, &error))
        qCWarning(lcStore).noquote() << error; // finished at the next open
}

bool ConnectorRepository::setValidation(
    const QUuid &id, const ValidationState &state, QString *error)
{
    const int i = indexOf(id);
    if (i < 0) {
        *error = tr("This connector no longer exists.");
        return false;
    }
    if (!m_store->setValidation(id, state, error))
        return false;
    m_connectors[i].validation = state;
    Q_EMIT connectorUpdated(id);
    return true;
}

namespace {
// A result is shown at once and written right after (or, when another process holds the
// database, a moment later): the one shown is the newest of the history even before it is.
void withShownResult(QList<HistoryEntry> *history, const ValidationState &shown)
{
    if (!shown.checkedAt.isValid()
        || (!history->isEmpty() && history->constFirst().checkedAt >= shown.checkedAt))
        return;
    history->prepend(historyEntry(shown));
    while (history->size() > kHistoryLimit)
        history->removeLast();
}
} // namespace

QList<HistoryEntry> ConnectorRepository::history(const QUuid &id, QString *error) const
{
    QString why;
    QList<HistoryEntry> list = m_store->history(id, &why);
    if (error)
        *error = why;
    if (const int i = indexOf(id); i >= 0 && why.isEmpty())
        withShownResult(&list, m_connectors.at(i).validation);
    return list;
}

QHash<QUuid, QList<HistoryEntry>> ConnectorRepository::histories(QString *error) const
{
    QString why;
    QHash<QUuid, QList<HistoryEntry>> all = m_store->histories(&why);
    if (error)
        *error = why;
    if (why.isEmpty()) {
        for (const Connector &c : m_connectors) {
            if (c.validation.checkedAt.isValid())
                withShownResult(&all[c.id], c.validation);
        }
    }
    return all;
}

void ConnectorRepository::readSecret(const QUuid &id, QObject *context, SecretCallback done)
{
    const std::optional<Connector> c = find(id);
    if (!c) {
        QTimer::singleShot(0, context, [done] {
            SecretResult r;
            r.error = SecretResult::Error::NotFound;
            r.message = tr("This connector no longer exists.");
            done(r);
        });
        return;
    }
    m_secrets->read(secretKey(*c), context, std::move(done));
}

void ConnectorRepository::importConnectors(
    QList<Connector> added, QList<Connector> replaced, RepositoryCallback done)
{
    enqueue([this, added = std::move(added), replaced = std::move(replaced), done](
                std::function<void()> next) mutable {
        if (isBlocked()) {
            finish(done, failure(m_store->loadError()));
            return next();
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QList<Connector> toAdd, toReplace;
        for (Connector c : std::as_const(replaced)) {
            const int i = indexOf(c.id);
            if (i < 0) {
                finish(done,
                    failure(tr("Nothing was imported: a connector to replace no longer "
                               "exists.")));
                return next();
            }
            const Connector &old = m_connectors.at(i);
            if (old.application != c.application || old.authType != c.authType) {
                finish(done,
                    failure(tr("Nothing was imported: \"%1\" cannot be replaced by a "
                               "connector with another authentication type.")
                                .arg(old.name)));
                return next();
            }
            c.createdAt = old.createdAt;
            c.updatedAt = now;
            c.needsSecret = old.needsSecret;
            c.validation = validationAfterEdit(old, c, false);
            toReplace.append(c);
        }
        for (Connector c : std::as_const(added)) {
            if (c.id.isNull())
                c.id = QUuid::createUuid();
            if (indexOf(c.id) >= 0) {
                finish(done,
                    failure(tr("Nothing was imported: a connector with this id already "
                               "exists.")));
                return next();
            }
            c.createdAt = now;
            c.updatedAt = now;
            c.needsSecret = true;
            c.validation = ValidationState();
            toAdd.append(c);
        }
        write([this, toAdd, toReplace](QString *e) { return m_store->write(toAdd, toReplace, e); },
            [this, toAdd, toReplace, done, next](const QString &error) {
                if (!error.isEmpty()) {
                    refresh();
                    finish(done, failure(tr("Nothing was imported. %1").arg(error)));
                    return next();
                }
                for (const Connector &c : toReplace) {
                    const int i = indexOf(c.id);
                    if (i >= 0)
                        m_connectors[i] = c;
                    Q_EMIT connectorUpdated(c.id);
                }
                for (const Connector &c : toAdd) {
                    m_connectors.append(c);
                    Q_EMIT connectorAdded(c.id);
                }
                RepositoryResult r;
                r.ok = true;
                finish(done, r);
                next();
            });
    });
}

// --- rotateSecret ------------------------------------------------------------------

struct ConnectorRepository::Rotation
{
    struct Item
    {
        Connector old; // as stored when the rotation began
        QString key;
        bool hadOld = false;
        QString oldSecret;
        bool written = false; // holds the new secret (until put back)
        // The pending mark stays: a late answer of a timed-out write ends it, or the next
        // start of Connector Desk (which then takes out a secret no row owns).
        bool keepMark = false;
        QString restoreError; // the previous secret could not be put back
    };
    QList<Item> items;
    QString secret;
    RepositoryCallback done;
    std::function<void()> next;
};

void ConnectorRepository::rotateSecret(const QList<QUuid> &ids, const QString &secret,
    RepositoryCallback done, const QHash<QUuid, QDateTime> &expectedUpdatedAt)
{
    enqueue([this, ids, secret, done, expectedUpdatedAt](std::function<void()> next) {
        const auto fail = [this, &done, &next](const QString &message, const QUuid &id) {
            finish(done, failure(message, id));
            next();
        };
        if (secret.isEmpty())
            return fail(tr("Nothing was changed: the new secret is empty."), QUuid());
        if (ids.isEmpty())
            return fail(tr("Nothing was changed: no connector was given."), QUuid());
        if (!expectedUpdatedAt.isEmpty())
            refresh(); // what other processes changed since the user chose
        auto rot = std::make_shared<Rotation>();
        rot->secret = secret;
        rot->done = done;
        rot->next = next;
        // Every connector is checked before anything is touched.
        QSet<QUuid> seen;
        for (const QUuid &id : ids) {
            if (seen.contains(id))
                continue;
            seen.insert(id);
            QString why;
            const std::optional<Connector> c
                = changeable(id, [&why](const RepositoryResult &r) { why = r.error; });
            if (!c)
                return fail(tr("Nothing was changed. %1").arg(why), id);
            const auto expected = expectedUpdatedAt.constFind(id);
            if (expected != expectedUpdatedAt.cend() && *expected != c->updatedAt)
                return fail(tr("Nothing was changed: “%1” was changed meanwhile (here, in another "
                               "window or by the command line). Check the connectors, then try "
                               "again.")
                                .arg(c->name),
                    id);
            Rotation::Item item;
            item.old = *c;
            item.key = secretKey(*c);
            rot->items.append(item);
        }
        // Announced before the keychain is touched: if the process dies half-way, the next
        // open takes the new secret out again where the connector had none (its row still
        // says so); where it had one, the new one stays (there is nowhere to keep the old).
        QList<QPair<QString, QUuid>> marks;
        for (const Rotation::Item &item : std::as_const(rot->items))
            marks.append({ item.key, item.old.id });
        write([this, marks](QString *e) { return m_store->markPendingSecrets(marks, e); },
            [this, rot](const QString &error) {
                if (!error.isEmpty()) {
                    finish(rot->done, failure(tr("Nothing was changed. %1").arg(error)));
                    return rot->next();
                }
                rotateRead(rot, 0);
            });
    });
}

void ConnectorRepository::rotateRead(const std::shared_ptr<Rotation> &rot, int i)
{
    if (i == rot->items.size())
        return rotateWrite(rot, 0);
    // The current secret, kept to be put back if a later write fails.
    m_secrets->read(rot->items.at(i).key, this, [this, rot, i](const SecretResult &rd) {
        Rotation::Item &item = rot->items[i];
        if (!rd.ok() && rd.error != SecretResult::Error::NotFound) {
            for (const Rotation::Item &each : std::as_const(rot->items))
                clearPending(each.key);
            finish(rot->done,
                failure(tr("Nothing was changed: the current secret of “%1” could not be read "
                           "from the keychain. %2")
                            .arg(item.old.name, rd.message),
                    item.old.id));
            return rot->next();
        }
        item.hadOld = rd.ok();
        item.oldSecret = rd.secret;
        rotateRead(rot, i + 1);
    });
}

void ConnectorRepository::rotateWrite(const std::shared_ptr<Rotation> &rot, int i)
{
    if (i == rot->items.size())
        return rotateSave(rot);
    const Rotation::Item &item = rot->items.at(i);
    const quint64 generation = claimKey(item.key);
    m_secrets->write(
        item.key, rot->secret, this,
        [this, rot, i](const SecretResult &w) {
            Rotation::Item &item = rot->items[i];
            if (!w.ok()) {
                // A write that timed out may still happen: its late answer (below) puts the
                // previous secret back, and only then ends the mark.
                item.keepMark = w.error == SecretResult::Error::Timeout;
                return rotateUndo(rot, i - 1,
                    tr("The new secret could not be stored in the keychain for “%1”. %2")
                        .arg(item.old.name, w.message),
                    item.old.id);
            }
            item.written = true;
            rotateWrite(rot, i + 1);
        },
        // Timed out, reported as not changed, then written after all: the previous secret
        // goes back (unless a later operation has used the key since).
        [this, key = item.key, id = item.old.id, name = item.old.name, hadOld = item.hadOld,
            oldSecret = item.oldSecret, generation](const SecretResult &late) {
            if (!isLatest(key, generation))
                return;
            if (!late.ok())
                return clearPending(key);
            const auto putBack = [this, key, name](const SecretResult &r) {
                if (r.ok())
                    return clearPending(key);
                Q_EMIT saveFailed(tr("The new secret was stored for “%1” after all, after the "
                                     "change had been reported as not made, and its previous "
                                     "secret could not be put back in the keychain: %2 “%1” "
                                     "may now hold the new secret.")
                                      .arg(name, r.message));
            };
            claimKey(key);
            if (hadOld && find(id))
                m_secrets->write(key, oldSecret, this, putBack);
            else
                m_secrets->remove(key, this, putBack);
        });
}

void ConnectorRepository::rotateSave(const std::shared_ptr<Rotation> &rot)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Connector> rows;
    QList<QDateTime> expected;
    QStringList keys;
    for (const Rotation::Item &item : std::as_const(rot->items)) {
        Connector c = item.old;
        c.needsSecret = false;
        c.updatedAt = now;
        c.validation = validationAfterNewSecret(item.old);
        rows.append(c);
        // Changed by another process meanwhile: refused, and the secrets go back.
        expected.append(item.old.updatedAt);
        keys.append(item.key);
    }
    // Every row, and the end of every mark, in one transaction.
    write([this, rows, expected, keys](
              QString *e) { return m_store->updateAll(rows, expected, keys, e); },
        [this, rot, rows](const QString &error) {
            if (!error.isEmpty()) {
                refresh();
                return rotateUndo(rot, int(rot->items.size()) - 1, error, QUuid());
            }
            RepositoryResult r;
            r.ok = true;
            for (const Connector &c : rows) {
                m_unsavedResults.remove(c.id); // a result of the previous secret: stale
                const int i = indexOf(c.id);
                if (i >= 0)
                    m_connectors[i] = c;
                Q_EMIT connectorUpdated(c.id);
                r.changed.append(c.id);
            }
            finish(rot->done, r);
            rot->next();
        });
}

void ConnectorRepository::rotateUndo(
    const std::shared_ptr<Rotation> &rot, int i, const QString &cause, const QUuid &failedId)
{
    if (i < 0)
        return rotateFinishUndo(rot, cause, failedId);
    const Rotation::Item &item = rot->items.at(i);
    if (!item.written)
        return rotateUndo(rot, i - 1, cause, failedId);
    const auto restored = [this, rot, i, cause, failedId](const SecretResult &r) {
        Rotation::Item &item = rot->items[i];
        if (r.ok()) {
            item.written = false;
        } else {
            item.restoreError = r.message;
            // No previous secret: the next start takes the new one out (its row has none).
            item.keepMark = !item.hadOld;
        }
        rotateUndo(rot, i - 1, cause, failedId);
    };
    claimKey(item.key);
    // The previous secret back, or none where there was none (or the connector was deleted
    // by another process meanwhile: then no row may own one).
    if (item.hadOld && find(item.old.id))
        m_secrets->write(item.key, item.oldSecret, this, restored);
    else
        m_secrets->remove(item.key, this, restored);
}

void ConnectorRepository::rotateFinishUndo(
    const std::shared_ptr<Rotation> &rot, const QString &cause, const QUuid &failedId)
{
    QStringList notRestored;
    RepositoryResult r = failure(QString(), failedId);
    for (const Rotation::Item &item : std::as_const(rot->items)) {
        if (!item.keepMark)
            clearPending(item.key);
        if (item.restoreError.isEmpty())
            continue;
        r.notRestored.append(item.old.id);
        notRestored.append(tr("The previous secret of “%1” could not be put back in the "
                              "keychain (%2): “%1” may now hold the new secret.")
                               .arg(item.old.name, item.restoreError));
        // Its last result was of the previous secret: checked again.
        if (const std::optional<Connector> c = find(item.old.id); c && !c->needsSecret) {
            QString error;
            const ValidationState v = validationAfterNewSecret(*c);
            if (m_store->setValidation(c->id, v, &error)) {
                m_connectors[indexOf(c->id)].validation = v;
                Q_EMIT connectorUpdated(c->id);
            }
        }
    }
    if (notRestored.isEmpty()) {
        r.error = tr("Nothing was changed. %1").arg(cause);
    } else {
        r.error = cause + QLatin1Char(' ') + notRestored.join(QLatin1Char(' ')) + QLatin1Char(' ')
            + tr("The other connectors were not changed.");
    }
    finish(rot->done, r);
    rot->next();
}

} // namespace cd
