#include "TestSupport.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace cd::test {

ProcessResult runProcess(const QString &program, const QStringList &arguments,
    const QByteArray &input, const QProcessEnvironment &env, int timeoutMs)
{
    ProcessResult r;
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, arguments);
    if (!p.waitForStarted(10000))
        return r;
    r.started = true;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.crashed = true;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitCode();
    if (p.exitStatus() == QProcess::CrashExit)
        r.crashed = true;
    return r;
}

QString appBinary()
{
    return qEnvironmentVariable("CONNECTOR_DESK_BINARY");
}

QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
        QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        if (f.readAll().contains(needle))
            hits << path;
    }
    return hits;
}

bool secretServiceAvailable()
{
    const ProcessResult r = runProcess(QStringLiteral("dbus-send"),
        { QStringLiteral("--session"), QStringLiteral("--print-reply"),
            QStringLiteral("--dest=org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
            QStringLiteral("org.freedesktop.DBus.NameHasOwner"),
            QStringLiteral("string:org.freedesktop.secrets") },
        {}, QProcessEnvironment::systemEnvironment(), 10000);
    return r.exitCode == 0 && r.out.contains("boolean true");
}

SqliteConnection::SqliteConnection(const QString &path)
    : m_name(QStringLiteral("test-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(path);
    if (!db.open())
        qWarning("%s: %s", qPrintable(path), qPrintable(db.lastError().text()));
}

bool SqliteConnection::isOpen() const
{
    return QSqlDatabase::database(m_name, false).isOpen();
}

bool SqliteConnection::exec(const QString &sql, const QVariantList &values)
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec()) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
        return false;
    }
    return true;
}

QVariant SqliteConnection::value(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    if (!q.exec(sql) || !q.next())
        return QVariant();
    return q.value(0);
}

void SqliteConnection::close()
{
    if (!QSqlDatabase::contains(m_name))
        return;
    QSqlDatabase::database(m_name, false).close();
    QSqlDatabase::removeDatabase(m_name);
}

} // namespace cd::test
