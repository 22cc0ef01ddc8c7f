#pragma once

#include "Connector.h"
#include "ConnectorStore.h"
#include "History.h"
#include "SecretStore.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QQueue>
#include <QSet>
#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace cd {
class SecretStore;

// The result of one repository operation.
struct RepositoryResult
{
    bool ok = false;
    QString error; // user-facing: what failed and what to do
    QString warning; // succeeded, but something is worth telling
    QUuid id;
    // remove(): what was removed, secret included, so that the delete can be undone.
    std::optional<Connector> removed;
    QString removedSecret;
    bool removedHadSecret = false;
    QList<HistoryEntry> removedHistory; // its status history, put back by restore()
    // rotateSecret(): on success every connector given (each once, in the order given). On
    // failure `id` is the connector whose keychain write failed (null when the failure was
    // not one connector's), and `notRestored` those whose previous secret could not be put
    // back: they may now hold the new secret (the error names them).
    QList<QUuid> changed;
    QList<QUuid> notRestored;
};

using RepositoryCallback = std::function<void(const RepositoryResult &)>;

// This process's writer of connectors: keeps the list in memory and changes it only through
// transactions over the store (connectors.db, one transaction per operation, over its own
// rows only) and the secret store (keychain). Other processes may change the database at the
// same time; refresh() brings their changes in.
//
//  add     the secret is marked pending, written, then the record is inserted (clearing the
//          mark in the same transaction); the secret is removed again if the record cannot
//          be written, and the next open removes it if the process died in between.
//  update  the secret is rewritten only when a new one is given; a secret that no longer
//          applies (Basic -> oAuth) is dropped after the record is saved; if the record
//          cannot be written, the old secret is put back.
//  remove  the secret is read (kept for undo), the record deleted (marking the secret for
//          removal), then the secret; if the secret cannot be removed, the record is written
//          back, so nothing is half-deleted.
//
// Operations run one at a time in the order they are asked for. Every result reaches the
// caller; nothing is only logged. Loading touches no keychain: a secret is read only when
// asked for (validation, reveal).
class ConnectorRepository : public QObject
{
    Q_OBJECT
public:
    ConnectorRepository(ConnectorStore *store, SecretStore *secrets, QObject *parent = nullptr);
    ~ConnectorRepository() override;

    // Opens connectors.db (migrating connectors.json once). On failure the list holds what
    // could be read, possibly nothing, and saving is blocked until the user chooses (see
    // ConnectorStore). Then finishes keychain changes a crash interrupted, if any.
    bool load(QString *error);
    bool isBlocked() const;
    QString loadError() const;
    // The user chose to move the unreadable file aside and start empty.
    bool resolveByMovingAside(QString *movedTo, QString *error);

    const QList<Connector> &connectors() const { return m_connectors; }
    std::optional<Connector> find(const QUuid &id) const;
    int indexOf(const QUuid &id) const;

    // `connector.id` may be null (a new id is made). Timestamps are set here.
    void add(Connector connector, const QString &secret, RepositoryCallback done);
    // A connector without a secret (imported): marked needsSecret until one is entered.
    void addWithoutSecret(Connector connector, RepositoryCallback done);
    // `newSecret` empty: keep the stored one (not allowed when the auth type changes).
    void update(
        Connector connector, const std::optional<QString> &newSecret, RepositoryCallback done);
    void remove(const QUuid &id, RepositoryCallback done);
    // Restores a removed connector (same id, same timestamps), with its secret when it had one
    // and its status history.
    void restore(const RepositoryResult &removed, RepositoryCallback done);
    // Rotates a secret: writes one new `secret` (a service account's new password, say) to
    // every connector of `ids` (duplicates count once), each under its own keychain key (its
    // application's auth method), all or nothing. Every connector must exist and be
    // changeable (store not blocked, an application and method this version knows), else
    // nothing is touched. The current secrets are read first (a connector may have none),
    // then the new one is written to each in turn; if a write fails or times out, the
    // connectors already written get their previous secret back (or none, where there was
    // none) and the error names the connector whose write failed and says that nothing was
    // changed; a secret that cannot be put back is named in the error (and in
    // `notRestored`), never left unsaid. Once every write succeeded, the records are saved in
    // one transaction: no longer needsSecret, their rejected-credentials mark cleared, "not
    // verified" ("The secret changed: check the connector again.") so that they are checked
    // again; if that save fails, the secrets are put back the same way.
    // `expectedUpdatedAt` (the window's dialog): the connectors as the user chose them; one
    // changed since (here or in another process: looked for first) refuses the whole change,
    // so that a secret never goes to an account or a key the user did not see.
    void rotateSecret(const QList<QUuid> &ids, const QString &secret, RepositoryCallback done,
        const QHash<QUuid, QDateTime> &expectedUpdatedAt = {});

    // Records a validation result (database only; no keychain), failing with a reason.
    bool setValidation(const QUuid &id, const ValidationState &state, QString *error);
    // Records a validation result: one UPDATE of its columns. Shown at once; a failed write
    // is reported by saveFailed() (the result stays shown). Returns false when the connector
    // is gone or being removed.
    bool recordValidation(const QUuid &id, const ValidationState &state);
    // Several results (the queue's of one turn), written in one transaction; each shown at
    // once as recordValidation does. Returns how many were for connectors that exist.
    int recordValidations(const QList<QPair<QUuid, ValidationState>> &results);

    // Applies what other processes changed since the last look (added, changed and removed
    // connectors, as the usual signals). Cheap when nothing changed. Returns whether anything
    // changed.
    bool refresh();
    // Calls refresh() every `ms` (0: never).
    void setWatchInterval(int ms);
    // How long a write that finds the database busy in another process is tried again, from
    // the event loop (0: not at all; the store's own busy timeout then applies alone). The
    // window uses a short store busy timeout and retries, so its thread never waits long.
    void setBusyRetry(int ms) { m_busyRetryMs = ms; }

    // The connector's recorded results, newest first (at most kHistoryLimit; see
    // statusRun()): one indexed SELECT, on the calling thread. Empty when there are none, the
    // store is blocked or the read failed (then `error`, when given, says why).
    QList<HistoryEntry> history(const QUuid &id, QString *error = nullptr) const;
    // Every connector's history in one SELECT.
    QHash<QUuid, QList<HistoryEntry>> histories(QString *error = nullptr) const;

    // Reads the connector's secret from the keychain (validation, "reveal").
    void readSecret(const QUuid &id, QObject *context, SecretCallback done);

    SecretStore *secretStore() const { return m_secrets; }
    ConnectorStore *store() const { return m_store; }
    bool isBusy() const { return m_running || !m_queue.isEmpty(); }

Q_SIGNALS:
    void connectorAdded(const QUuid &id);
    void connectorUpdated(const QUuid &id);
    // Emitted while the connector is still in connectors(), right before it goes.
    void connectorAboutToBeRemoved(const QUuid &id);
    void connectorRemoved(const QUuid &id);
    void aboutToReset();
    // Every asked-for operation has finished (see isBusy()).
    void idle();
    // refresh() found connectors that another process added (after their connectorAdded).
    void addedElsewhere(const QList<QUuid> &ids);
    // A validation result could not be written (it stays shown).
    void saveFailed(const QString &error);
    void reset(); // the whole list changed (load)

private:
    using Step = std::function<void(std::function<void()> next)>;
    void enqueue(Step step);
    void runNext();
    // Finishes keychain changes that a crash interrupted (marks left in the database).
    void recoverPendingSecrets();
    void recoverNext(
        const QList<ConnectorStore::PendingSecret> &pending, int i, std::function<void()> next);
    void clearPending(const QString &key);
    // Database writes that retry while another process holds the database (see
    // setBusyRetry()); `then` gets the error, empty on success.
    struct PendingWrite
    {
        std::function<bool(QString *)> op;
        std::function<void(const QString &)> then;
        QDeadlineTimer deadline;
    };
    void write(std::function<bool(QString *)> op, std::function<void(const QString &)> then);
    void attemptWrite(const std::shared_ptr<PendingWrite> &w);
    void retryUnsavedResults();
    // Each keychain call on a key gets a generation: a late answer acts only if nothing
    // newer has used the key since.
    quint64 claimKey(const QString &key);
    bool isLatest(const QString &key, quint64 generation) const;
    void writeBack(const Connector &c, const QList<HistoryEntry> &history, const QString &key,
        const QString &keychainError, const RepositoryCallback &done,
        const std::function<void()> &next);
    void dropRemoved(const QUuid &id);
    // Takes a secret written for a change that failed back out, then reports `message`.
    void takeBack(const QString &key, const QString &message, const QUuid &id,
        const RepositoryCallback &done, const std::function<void()> &next);
    // The answer to a write that timed out: if it happened after all, it is undone.
    std::function<void(const SecretResult &)> undoLateWrite(const QString &key, quint64 generation);
    void finish(const RepositoryCallback &done, RepositoryResult result);
    // The stored connector, if it may be changed now; otherwise reports why to `done`.
    std::optional<Connector> changeable(const QUuid &id, const RepositoryCallback &done);

    void doAdd(Connector connector, const QString &secret, const RepositoryCallback &done,
        std::function<void()> next, const QList<HistoryEntry> &history = {});

    // rotateSecret(), one stage after another over the state they share.
    struct Rotation;
    void rotateRead(const std::shared_ptr<Rotation> &rot, int i);
    void rotateWrite(const std::shared_ptr<Rotation> &rot, int i);
    void rotateSave(const std::shared_ptr<Rotation> &rot);
    // Puts the previous secrets of the connectors already written (items 0..i) back, the last
    // first, then reports the failure `cause`: "Nothing was changed." when every one went
    // back, else naming those that may now hold the new secret.
    void rotateUndo(
        const std::shared_ptr<Rotation> &rot, int i, const QString &cause, const QUuid &failedId);
    void rotateFinishUndo(
        const std::shared_ptr<Rotation> &rot, const QString &cause, const QUuid &failedId);

    ConnectorStore *m_store;
    SecretStore *m_secrets;
    QList<Connector> m_connectors;
    mutable QHash<QUuid, int> m_index; // id -> row of m_connectors, rebuilt when stale
    QSet<QUuid> m_removing; // removed from the database, secret removal still running
    QQueue<Step> m_queue;
    bool m_running = false;
    QTimer *m_watchTimer = nullptr;
    static constexpr int kBusyRetryIntervalMs = 100;
    int m_busyRetryMs = 0;
    struct UnsavedResult
    {
        ValidationState state;
        QDeadlineTimer deadline;
    };
    QHash<QUuid, UnsavedResult> m_unsavedResults; // waiting for a busy database
    QTimer *m_resultRetryTimer = nullptr;
    QHash<QString, quint64> m_keyGeneration;

public:
    // An import, in one save (all or nothing): `added` connectors get a new id (when null) and
    // no secret (needsSecret); `replaced` ones overwrite the stored connector of the same id,
    // keeping its secret (their auth type must not change). Emits connectorAdded /
    // connectorUpdated for each. The result's id is null.
    void importConnectors(
        QList<Connector> added, QList<Connector> replaced, RepositoryCallback done);
};

} // namespace cd
