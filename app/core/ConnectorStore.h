#pragma once

#include "Connector.h"
#include "History.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>

class QSqlError;
class QSqlQuery;

namespace cd {

class WalCheckpointer;

// connectors.db in the data directory: the connectors' metadata (never a secret), in SQLite
// through Qt SQL. Several processes (windows, command lines, scheduled runs) use it at once;
// SQLite does the locking. Every change is one transaction over its own rows.
//
// Schema: PRAGMA user_version = major * 1000 + minor. A newer minor version may add columns
// and tables: an update writes only the columns it knows, so theirs survive. A newer major
// version is opened read-only and never modified.
//
// The status history (1.2, table history): every recorded result with a time adds a row in
// the same transaction, and the connector keeps its newest kHistoryLimit rows. The rows
// belong to their connector (a foreign key, ON DELETE CASCADE: also an older version's delete
// takes them along); remove() hands them to the caller, and insert() puts them back (undo).
//
// A file that cannot be used (not SQLite, damaged, newer major, not writable) is never
// written: the store is "blocked" until the user chooses keepReadOnly() (stay blocked,
// knowingly) or moveBadFileAside() (rename it, start empty).
//
// Secrets live in the keychain. A keychain write or removal that belongs to a row change is
// announced first in the table pending_secrets (see markPendingSecret()), so that a crash
// between the two is finished or undone at the next open (pendingSecrets()).
//
// One object = one connection, used on the thread that created it.
class ConnectorStore
{
public:
    static constexpr int kSchemaMajor = 1;
    // 1.1: projects (scope) and checks (checklist); 1.2: history (the last results)
    static constexpr int kSchemaMinor = 2;
    static constexpr int kDefaultBusyTimeoutMs = 5000;

    enum class State { NotLoaded, Ok, Blocked };

    explicit ConnectorStore(const QString &dataDir);
    ~ConnectorStore();
    ConnectorStore(const ConnectorStore &) = delete;
    ConnectorStore &operator=(const ConnectorStore &) = delete;

    QString dataDir() const { return m_dataDir; }
    QString filePath() const; // connectors.db
    QString legacyFilePath() const; // connectors.json of Connector Desk 0.x
    State state() const { return m_state; }
    // The last load error (user-facing, names the file), or empty.
    QString loadError() const { return m_loadError; }
    // Set after a load that migrated connectors.json (user-facing), else empty.
    QString migrationNotice() const { return m_migrationNotice; }

    // How long a write waits for another process's transaction before it gives up with
    // "busy, try again".
    void setBusyTimeout(int ms);

    // The window's store: SQLite's checkpoints (copying the write-ahead log into the database,
    // which waits for the disk) run on a thread of their own (WalCheckpointer), once the log
    // holds `walBytes`, instead of inside the commit on this thread that filled the log. Off
    // by default: a command line's commit may wait, and SQLite checkpoints at 1000 pages.
    static constexpr qint64 kBackgroundCheckpointBytes = 4 * 1024 * 1024;
    void setBackgroundCheckpoints(bool on, qint64 walBytes = kBackgroundCheckpointBytes);
    // The thread's checkpointer, once a write has needed it, else nullptr.
    WalCheckpointer *backgroundCheckpointer() const { return m_checkpointer.get(); }

    // Opens (creating it when there is none; migrating connectors.json when there is one and
    // no database) and reads every connector. On failure returns false, sets `error`, leaves
    // the file untouched and blocks writing; `connectors` then holds what could be read
    // (a newer major version: the columns this version knows), possibly nothing.
    bool load(QList<Connector> *connectors, QString *error);

    // Each of these is one transaction. They fail (changing nothing) when blocked, when the
    // database is busy beyond the busy timeout, or when anything in the write fails.
    // insert(): the name must not be taken (case-insensitively, also by another process).
    // `clearPending` / `markPending`: keychain keys whose pending mark is cleared / set in the
    // same transaction (see markPendingSecret()).
    // `history` (newest first, as history() returns it): the connector's status history,
    // written in the same transaction (a removed connector put back).
    bool insert(const Connector &c, QString *error, const QString &clearPending = {},
        const QList<HistoryEntry> &history = {});
    // update(): fails with "no longer exists" when another process removed the row.
    // `expectedUpdatedAt` (when valid): written only if the row still has it, else "changed
    // after you opened it" (another process saved it meanwhile).
    bool update(const Connector &c, QString *error, const QString &clearPending = {},
        const QString &markPending = {}, const QDateTime &expectedUpdatedAt = {});
    // Returns true also when the row was already gone. Marks `markPending` in the same
    // transaction. Its history goes with it; `removedHistory` (when given) gets what went.
    bool remove(const QUuid &id, QString *error, const QString &markPending = {},
        QList<HistoryEntry> *removedHistory = nullptr);
    // A state with a valid checkedAt is also added to the connector's history (the same
    // result twice, same time, status and message, only once), which keeps its newest
    // kHistoryLimit rows: all in one transaction, so concurrent writers never leave more.
    bool setValidation(const QUuid &id, const ValidationState &state, QString *error);
    // Several results in one transaction (the queue's results of one turn): one commit
    // instead of one each. A connector that is gone (removed by another process) is skipped
    // and listed in `missing`; any other failure writes none of them.
    bool setValidations(
        const QList<QPair<QUuid, ValidationState>> &results, QList<QUuid> *missing, QString *error);

    // The connector's recorded results, newest first (at most kHistoryLimit): one indexed
    // SELECT. Empty for a store that is not open for writing (blocked, read-only, older
    // file). On a failed read, empty with `error` set.
    QList<HistoryEntry> history(const QUuid &id, QString *error);
    // Every connector's history, in one SELECT (list --json's "statusSince").
    QHash<QUuid, QList<HistoryEntry>> histories(QString *error);
    // Import: all rows in one transaction.
    bool write(const QList<Connector> &added, const QList<Connector> &replaced, QString *error);
    // Several rows in one transaction (a secret rotated for several connectors): each one
    // only if it still has its `expectedUpdatedAt` (same order as `rows`; an invalid time is
    // not checked), else nothing is written; the pending marks `clearPending` are cleared in
    // the same transaction.
    bool updateAll(const QList<Connector> &rows, const QList<QDateTime> &expectedUpdatedAt,
        const QStringList &clearPending, QString *error);

    // Pending keychain changes. Mark before the keychain is touched; the mark is cleared
    // in the same transaction as the row change (insert/update/remove take `clearPending`)
    // or by clearPendingSecret(). A process clears only its own marks. Marking a key that
    // another running process has marked fails as busy ("try again").
    bool markPendingSecret(const QString &key, const QUuid &connectorId, QString *error);
    // Several marks (key, connector) in one transaction: all or none.
    bool markPendingSecrets(const QList<QPair<QString, QUuid>> &keys, QString *error);
    bool clearPendingSecret(const QString &key, QString *error);
    struct PendingSecret
    {
        QString key;
        QUuid connectorId;
        // True when the secret belongs to a row (keep it); false: take it out of the keychain.
        bool claimed = false;
        qint64 pid = 0;
        QString host;
        qint64 createdAt = 0;
    };
    // Marks left by processes that have ended (or older than an hour): to be finished.
    QList<PendingSecret> abandonedPendingSecrets(QString *error);
    // Makes an abandoned mark this process's own, if nobody else took it meanwhile (then
    // false): only then may its secret be removed.
    bool takeOverPendingSecret(const PendingSecret &p, QString *error);

    // The last failed operation failed because another process held the database longer
    // than the busy timeout (worth trying again).
    bool lastFailureWasBusy() const { return m_lastBusy; }

    // Changes committed by other connections since the last load() / changes() call.
    // Returns nullopt when nothing changed (one cheap PRAGMA), else the rows that were added
    // or changed and the ids of the rows that are gone.
    struct Changes
    {
        QList<Connector> changed;
        QList<QUuid> removed;
    };
    std::optional<Changes> changes(QString *error);

    // The user's choices after a failed load.
    void keepReadOnly() { m_readOnlyAcknowledged = true; }
    bool isReadOnlyAcknowledged() const { return m_readOnlyAcknowledged; }
    // Renames the bad file to connectors.db.bad-YYYYMMDD-HHMMSS (never deletes it; its -wal
    // and -shm files go with it) and unblocks the store with an empty database.
    bool moveBadFileAside(QString *movedTo, QString *error);

private:
    enum class Durability { Full, Normal };
    bool openConnection(const QString &path, bool readOnly, QString *problem);
    void applyCheckpointMode(); // to the open, writable connection
    void checkpointIfDue(); // after a commit
    void close();
    bool create(QString *problem);
    bool check(int *version, QString *problem);
    bool migrate(QString *problem); // to kSchemaMinor, in one transaction
    QString columns() const; // the SELECT list for the file's minor version
    int m_schemaMinor = kSchemaMinor;
    bool readAll(QList<Connector> *connectors, QString *problem);
    bool transaction(
        const std::function<bool(QString *)> &body, QString *error, Durability durability);
    bool exec(QSqlQuery &q, QString *error);
    // The statement `sql`, prepared once per connection and kept (the writes of every check
    // result run the same few; preparing them again cost more than running them). Bind, exec,
    // then finish() it. nullptr (and *error) when it cannot be prepared.
    QSqlQuery *prepared(const QString &sql, QString *error);
    // A failed write as one user-facing sentence (sets lastFailureWasBusy()).
    QString writeError(const QSqlError &e);
    std::optional<qint64> nextCounter(const QString &name, QString *error);
    bool insertRow(const Connector &c, QString *error);
    bool updateRow(const Connector &c, QString *error, const QDateTime &expectedUpdatedAt = {});
    bool setPending(const QString &key, const QUuid &id, bool set, QString *error);
    // One result inside a transaction; `exists` false when the row is gone (nothing written).
    bool writeValidation(const QUuid &id, const ValidationState &state, bool *exists, QString *why);
    // One result in the connector's history (unless it is there already), then its oldest rows
    // beyond kHistoryLimit removed.
    bool addHistory(const QUuid &id, const HistoryEntry &entry, QString *error);
    // The newest history entry of `id`, if it is the same "not reached" result as `entry`,
    // takes `entry`'s time (*merged); otherwise nothing changes.
    bool mergeNotReached(const QUuid &id, const HistoryEntry &entry, bool *merged, QString *error);
    bool trimHistory(const QUuid &id, QString *error);
    // SELECT ... FROM history [WHERE connector_id = `id`], newest first, per connector.
    bool readHistory(const QUuid &id, QHash<QUuid, QList<HistoryEntry>> *out, QString *error);
    bool block(const QString &problem, QString *error);
    QString m_dataDir;
    State m_state = State::NotLoaded;
    QString m_loadError;
    QString m_badFile; // the file the load error is about
    QString m_migrationNotice;
    bool m_readOnlyAcknowledged = false;
    int m_busyTimeoutMs = kDefaultBusyTimeoutMs;
    bool m_lastBusy = false;
    bool m_backgroundCheckpoints = false;
    qint64 m_checkpointWalBytes = kBackgroundCheckpointBytes;
    std::unique_ptr<WalCheckpointer> m_checkpointer;
    QElapsedTimer m_sinceCheckpointRequest;
    QString m_connectionName;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_statements; // prepared(); cleared by close()
    qint64 m_dataVersion = -1;
    qint64 m_seenRevision = 0; // the highest revision read
    QHash<QUuid, qint64> m_revisions; // of the rows read or written by this connection
    QHash<QUuid, qint64> m_pendingRevisions; // of the transaction in progress; -1: removed
};

} // namespace cd
