#include "WalCheckpointer.h"

#include "Log.h"
#include "ThreadPriority.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace cd {

WalCheckpointer::WalCheckpointer(AddConnection addConnection, QObject *parent)
    : QObject(parent)
    , m_addConnection(std::move(addConnection))
    , m_connectionName(QStringLiteral("connector-store-checkpoint-")
          + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_thread.setObjectName(QStringLiteral("checkpoints"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    // Copying the log is background work: the window's thread comes first for a core.
    QMetaObject::invokeMethod(
        m_worker, [] { lowerThreadPriority(10); }, Qt::QueuedConnection);
}

WalCheckpointer::~WalCheckpointer()
{
    m_thread.quit();
    m_thread.wait();
}

void WalCheckpointer::request()
{
    if (m_running.exchange(true))
        return;
    QMetaObject::invokeMethod(
        m_worker, [this] { run(); }, Qt::QueuedConnection);
}

void WalCheckpointer::run()
{
    bool ok = false;
    int logPages = -1;
    int checkpointedPages = -1;
    QString problem;
    QString database;
    {
        QSqlDatabase db = m_addConnection(m_connectionName);
        if (!db.open()) {
            problem = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) && q.next()) {
                // busy, log, checkpointed (-1, -1 when the database is not in WAL mode)
                ok = q.value(0).toInt() == 0;
                logPages = q.value(1).toInt();
                checkpointedPages = q.value(2).toInt();
            } else {
                problem = q.lastError().text();
            }
        }
        database = db.databaseName();
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    if (!problem.isEmpty())
        qCWarning(lcStore).noquote()
            << "background checkpoint of" << database << "failed:" << problem;
    m_running.store(false);
    QMetaObject::invokeMethod(
        this,
        [this, ok, logPages, checkpointedPages, problem] {
            Q_EMIT finished(ok, logPages, checkpointedPages, problem);
        },
        Qt::QueuedConnection);
}

} // namespace cd
