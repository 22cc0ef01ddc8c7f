#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <atomic>

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
    // `databaseUri`: an SQLite URI ("file:///...?mode=rw") of an existing database in WAL mode.
    explicit WalCheckpointer(const QString &databaseUri, QObject *parent = nullptr);
    // Waits for a checkpoint in progress (at most one: requests are not queued).
    ~WalCheckpointer() override;

    QString databaseUri() const { return m_databaseUri; }
    // Starts a checkpoint, unless one is running (it will copy what is there when it reads
    // the log). Returns at once.
    void request();
    bool isRunning() const { return m_running.load(); }

Q_SIGNALS:
    // After each checkpoint, on this object's thread: whether SQLite completed it, the pages
    // in the log and those now in the database (PRAGMA wal_checkpoint's "log" and
    // "checkpointed"), or what went wrong.
    void finished(bool ok, int logPages, int checkpointedPages, const QString &problem);

private:
    void run(); // on m_thread
    const QString m_databaseUri;
    const QString m_connectionName;
    QThread m_thread;
    QObject *m_worker = nullptr; // lives on m_thread, deleted when it finishes
    std::atomic<bool> m_running { false };
};

} // namespace cd
