#pragma once

#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QThread>
#include <atomic>
#include <functional>

namespace cd {

// Copies an SQLite database's write-ahead log back into the database file (a checkpoint) on
// a thread of its own, over a connection of its own. A checkpoint waits for the disk twice
// (it syncs the log, then the database), and the window's thread, which writes every check
// result, must not: its connection turns SQLite's automatic checkpoint off and calls
// request() instead (ConnectorStore::setCheckpointsOffThisThread()).
//
// PASSIVE: a checkpoint never waits for a writer or a reader, of this process or another, and
// never makes one wait; what it could not copy because a reader still needs it, the next one
// copies. The database's next writer then starts the log again from its beginning.
class WalCheckpointer final : public QObject
{
    Q_OBJECT
public:
    // `addConnection(name)` adds (not opens) a connection of that name to the database, as its
    // owner makes its own; it is called on the checkpointer's thread.
    using AddConnection = std::function<QSqlDatabase(const QString &name)>;
    explicit WalCheckpointer(AddConnection addConnection, QObject *parent = nullptr);
    // Waits for a checkpoint in progress (at most one: requests are not queued).
    ~WalCheckpointer() override;

    // Starts a checkpoint, unless one is running (it will copy what is there when it reads
    // the log). Returns at once.
    void request();

Q_SIGNALS:
    // After each checkpoint, on this object's thread: whether SQLite completed it, the pages
    // in the log and those now in the database (PRAGMA wal_checkpoint's "log" and
    // "checkpointed"), or what went wrong.
    void finished(bool ok, int logPages, int checkpointedPages, const QString &problem);

private:
    void run(); // on m_thread
    const AddConnection m_addConnection;
    const QString m_connectionName;
    QThread m_thread;
    QObject *m_worker = nullptr; // lives on m_thread, deleted when it finishes
    std::atomic<bool> m_running { false };
};

} // namespace cd
