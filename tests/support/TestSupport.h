#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace cd::test {

// Result of running a program to completion.
struct ProcessResult
{
    int exitCode = -1;
    bool crashed = false;
    bool started = false;
    QByteArray out;
    QByteArray err;
};

// Runs `program` with `arguments`, writes `input` to its stdin, waits (bounded) for the end.
// Used from tests only: a test's own thread may block, the app's GUI thread never does.
ProcessResult runProcess(const QString &program, const QStringList &arguments,
    const QByteArray &input = QByteArray(),
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
    int timeoutMs = 60000);

// The built connector-desk binary (CTest passes its path in CONNECTOR_DESK_BINARY).
QString appBinary();

// Every file under `dir` (recursively) whose bytes contain `needle`.
QStringList filesContaining(const QString &dir, const QByteArray &needle);

// True when a Secret Service answers on the session bus (the scripts/test harness).
bool secretServiceAvailable();

// A connection of its own to a database file, as another process would have (another
// Connector Desk, a newer version, the sqlite3 tool). Closed on destruction or close().
class SqliteConnection
{
public:
    explicit SqliteConnection(const QString &path);
    ~SqliteConnection() { close(); }
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    bool isOpen() const;
    // Runs `sql` with `values` bound in order; false (with a warning naming it) on failure.
    bool exec(const QString &sql, const QVariantList &values = {});
    // The first column of the first row, or an invalid QVariant.
    QVariant value(const QString &sql);
    void close();

private:
    QString m_name;
};

} // namespace cd::test
