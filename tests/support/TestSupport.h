#pragma once

#include "ConnectorRepository.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <functional>

namespace cd::test {

// Fails the running test with `message` (a QTest failure, the test goes on to its end); outside
// a test (a tool such as screenshot-tour), a warning.
void fail(const QString &message);

// Starts `op` with a callback and runs the event loop until the callback was called (as
// QTRY_VERIFY does). Returns what the callback got; after `timeoutMs` without an answer, fails
// the test and returns a result with ok false.
RepositoryResult waitFor(const std::function<void(RepositoryCallback)> &op, int timeoutMs = 5000);

// A connector as the Add dialog makes it (no id: the repository gives one).
Connector makeConnector(const QString &name, const QString &url,
    const QString &authType = QStringLiteral("basic"),
    const QString &identity = QStringLiteral("jdoe"),
    const QString &application = QStringLiteral("jama-connect"));

// `n` Jama Connect connectors for benchmarks and start-up tests, each with a new id: "Connector
// 0", "Connector 1", ... at https://tenant<i>.example.invalid/contour (a name that never
// resolves), Basic and oAuth in turn, identity "service-account-<i>", created now. `status`
// other than NotVerified: checked now with that result ("Checked."), so no check is due.
QList<Connector> generatedConnectors(int n, ValidationStatus status = ValidationStatus::Verified);

// Adds `connector` with `secret` and waits until the add finished. Returns the new id, or a
// null id after failing the test (saying why) when the add failed or never finished.
QUuid addConnector(ConnectorRepository *repository, const Connector &connector,
    const QString &secret, int timeoutMs = 5000);
// The same for a connector without a secret, as an import adds it ("Needs secret").
QUuid addWithoutSecret(
    ConnectorRepository *repository, const Connector &connector, int timeoutMs = 5000);

// Result of running a program to completion.
struct ProcessResult
{
    int exitCode = -1;
    bool crashed = false;
    bool started = false;
    QByteArray out;
    QByteArray err;
};

// How runProcess() waits: blocking this thread, or with its event loop running meanwhile (a
// window or a fake server in the test process goes on answering the program).
enum class Wait { Blocking, ServingEvents };

// Runs `program` with `arguments`, writes `input` to its stdin, waits (bounded) for the end.
// Used from tests only: a test's own thread may block, the app's GUI thread never does.
ProcessResult runProcess(const QString &program, const QStringList &arguments,
    const QByteArray &input = QByteArray(),
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
    int timeoutMs = 60000, Wait wait = Wait::Blocking);

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
