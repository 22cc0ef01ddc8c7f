#include "TestSupport.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>
#include <memory>
#include <optional>

namespace cd::test {

void fail(const QString &message)
{
    if (QTest::currentTestFunction())
        QTest::qFail(qPrintable(message), __FILE__, __LINE__);
    else
        qWarning("%s", qPrintable(message));
}

RepositoryResult waitFor(const std::function<void(RepositoryCallback)> &op, int timeoutMs)
{
    // Shared with the callback: an answer after the timeout must not write to a dead frame.
    const auto answer = std::make_shared<std::optional<RepositoryResult>>();
    op([answer](const RepositoryResult &r) { *answer = r; });
    if (QTest::qWaitFor([&] { return answer->has_value(); }, timeoutMs))
        return **answer;
    RepositoryResult timedOut;
    timedOut.error = QStringLiteral("the repository did not answer within %1 ms").arg(timeoutMs);
    fail(timedOut.error);
    return timedOut;
}

Connector makeConnector(const QString &name, const QString &url, const QString &authType,
    const QString &identity, const QString &application)
{
    Connector c;
    c.application = application;
    c.name = name;
    c.url = url;
    c.authType = authType;
    c.identity = identity;
    return c;
}

QList<Connector> generatedConnectors(int n, ValidationStatus status)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Connector> list;
    list.reserve(n);
    for (int i = 0; i < n; ++i) {
        Connector c = makeConnector(QStringLiteral("Connector %1").arg(i),
            QStringLiteral("https://tenant%1.example.invalid/contour").arg(i),
            i % 2 ? QStringLiteral("oauth") : QStringLiteral("basic"),
            QStringLiteral("service-account-%1").arg(i));
        c.id = QUuid::createUuid();
        c.createdAt = c.updatedAt = now;
        if (status != ValidationStatus::NotVerified) {
            c.validation.status = status;
            c.validation.message = QStringLiteral("Checked.");
            c.validation.checkedAt = now;
        }
        list.append(c);
    }
    return list;
}

namespace {
QUuid addedId(const RepositoryResult &r, const Connector &connector)
{
    if (r.ok)
        return r.id;
    fail(QStringLiteral("adding \"%1\" failed: %2").arg(connector.name, r.error));
    return {};
}
} // namespace

QUuid addConnector(ConnectorRepository *repository, const Connector &connector,
    const QString &secret, int timeoutMs)
{
    return addedId(
        waitFor([&](const RepositoryCallback &done) { repository->add(connector, secret, done); },
            timeoutMs),
        connector);
}

QUuid addWithoutSecret(ConnectorRepository *repository, const Connector &connector, int timeoutMs)
{
    return addedId(
        waitFor(
            [&](const RepositoryCallback &done) { repository->addWithoutSecret(connector, done); },
            timeoutMs),
        connector);
}

ProcessResult runProcess(const QString &program, const QStringList &arguments,
    const QByteArray &input, const QProcessEnvironment &env, int timeoutMs, Wait wait)
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
    const bool ended = wait == Wait::Blocking
        ? p.waitForFinished(timeoutMs)
        : QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, timeoutMs);
    if (!ended) {
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
