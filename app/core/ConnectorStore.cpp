#include "ConnectorStore.h"

#include "ConnectorJson.h"
#include "Log.h"
#include "Paths.h"
#include "WalCheckpointer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QThread>
#include <QUuid>
#include <QVariant>

#if defined(Q_OS_WIN)
#include <windows.h>
#else
#include <cerrno>
#include <csignal>
#include <unistd.h>
#endif

namespace cd {

namespace {

QString tr(const char *s, const char *disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("ConnectorStore", s, disambiguation, n);
}

const QString kFileName = QStringLiteral("connectors.db");
const QString kLegacyFileName = QStringLiteral("connectors.json");

// Schema 1.2 (1.0 without projects and checks, 1.1 without history). Dates are milliseconds
// since the epoch (UTC): cheap to read back.
// 1.2: the status history, the newest kHistoryLimit results of each connector. Its rows go
// with their connector (also when an older version deletes it: foreign_keys is on in every
// connection since 1.0).
constexpr char kHistoryTable[] = "CREATE TABLE history ("
                                 " id INTEGER PRIMARY KEY," // insertion order: ties of equal times
                                 " connector_id TEXT NOT NULL REFERENCES connectors (id) ON DELETE "
                                 "CASCADE,"
                                 " checked_at INTEGER NOT NULL,"
                                 " status TEXT NOT NULL,"
                                 " message TEXT NOT NULL DEFAULT '',"
                                 " credentials_rejected INTEGER NOT NULL DEFAULT 0,"
                                 " host_not_found INTEGER NOT NULL DEFAULT 0"
                                 ")";
constexpr char kHistoryIndex[]
    = "CREATE INDEX history_connector ON history (connector_id, checked_at)";

const char *const kSchema[] = {
    "CREATE TABLE connectors ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " seq INTEGER NOT NULL," // list order: order of insertion
    " rev INTEGER NOT NULL," // revision counter value of the last change
    " application TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " name_key TEXT NOT NULL UNIQUE," // trimmed, case-folded: names are unique ignoring case
    " url TEXT NOT NULL,"
    " verify_ssl INTEGER NOT NULL,"
    " auth_type TEXT NOT NULL,"
    " identity TEXT NOT NULL,"
    " pinned_sha256 BLOB,"
    " needs_secret INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'not-verified',"
    " message TEXT NOT NULL DEFAULT '',"
    " checked_at INTEGER,"
    " credentials_rejected INTEGER NOT NULL DEFAULT 0,"
    " host_not_found INTEGER NOT NULL DEFAULT 0,"
    " account_display_name TEXT NOT NULL DEFAULT '',"
    " account_username TEXT NOT NULL DEFAULT '',"
    " account_license TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER,"
    " updated_at INTEGER,"
    " extra TEXT," // JSON object: fields of a newer connectors.json minor version
    " projects TEXT NOT NULL DEFAULT '[]'," // 1.1: JSON array of project keys (the scope)
    " checks TEXT NOT NULL DEFAULT '{}'" // 1.1: {"checkedAt", "items"}: the last checklist
    ")",
    "CREATE INDEX connectors_rev ON connectors (rev)",
    // Keychain changes in flight (see ConnectorStore::markPendingSecret).
    "CREATE TABLE pending_secrets ("
    " key TEXT PRIMARY KEY NOT NULL,"
    " connector_id TEXT NOT NULL,"
    " pid INTEGER NOT NULL,"
    " host TEXT NOT NULL,"
    " created_at INTEGER NOT NULL"
    ")",
    "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)",
    "INSERT INTO counters (name, value) VALUES ('revision', 0), ('seq', 0)",
    kHistoryTable,
    kHistoryIndex,
};

const QString kColumns = QStringLiteral(
    "id, rev, application, name, url, verify_ssl, auth_type, identity, pinned_sha256, "
    "needs_secret, status, message, checked_at, credentials_rejected, host_not_found, "
    "account_display_name, account_username, account_license, created_at, updated_at, extra, "
    "projects, checks");
// What a 1.0 file has instead of the columns 1.1 added (read-only files are not migrated).
const QString kColumns10 = QStringLiteral(
    "id, rev, application, name, url, verify_ssl, auth_type, identity, pinned_sha256, "
    "needs_secret, status, message, checked_at, credentials_rejected, host_not_found, "
    "account_display_name, account_username, account_license, created_at, updated_at, extra, "
    "'[]', '{}'");

// The forward-only migrations of schema 1: from minor `from` to `from + 1`.
const char *const kMigrations[][3] = {
    // 1.0 -> 1.1
    { "ALTER TABLE connectors ADD COLUMN projects TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE connectors ADD COLUMN checks TEXT NOT NULL DEFAULT '{}'", nullptr },
    // 1.1 -> 1.2
    { kHistoryTable, kHistoryIndex, nullptr },
};

constexpr qint64 kAbandonedAfterMs = 60 * 60 * 1000;

QString nameKey(const QString &name)
{
    return name.trimmed().toCaseFolded();
}

QVariant dateValue(const QDateTime &t)
{
    return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(QMetaType(QMetaType::LongLong));
}

QDateTime dateFrom(const QVariant &v)
{
    return v.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
}

int primaryCode(const QSqlError &e)
{
    return e.nativeErrorCode().toInt() & 0xff;
}

bool isBusy(const QSqlError &e)
{
    const int code = primaryCode(e);
    return code == 5 /* SQLITE_BUSY */ || code == 6 /* SQLITE_LOCKED */;
}

// An SQLite URI for a local path: "file://" + an empty authority + the path, with the
// characters that URIs give a meaning escaped. Also for Windows drive paths (/C:/...) and UNC
// paths (file:////server/share/...), which QUrl::fromLocalFile would turn into an authority.
QString uriFor(const QString &path)
{
    QString p = QDir::fromNativeSeparators(path);
    p.replace(QLatin1Char('%'), QLatin1String("%25"))
        .replace(QLatin1Char('?'), QLatin1String("%3f"))
        .replace(QLatin1Char('#'), QLatin1String("%23"));
    if (!p.startsWith(QLatin1Char('/')))
        p.prepend(QLatin1Char('/'));
    return QStringLiteral("file://") + p;
}

// A connection named `name` to an existing database file (mode=rw / ro: never created here; a
// file moved away by another process between the checks and this open is an error, not a new
// empty database).
QSqlDatabase addConnection(const QString &name, const QString &path, bool readOnly)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(
        uriFor(path) + (readOnly ? QStringLiteral("?mode=ro") : QStringLiteral("?mode=rw")));
    db.setConnectOptions(readOnly ? QStringLiteral("QSQLITE_OPEN_URI;QSQLITE_OPEN_READONLY")
                                  : QStringLiteral("QSQLITE_OPEN_URI"));
    return db;
}

// PRAGMA quick_check through its own read-only connection, so that it can run on another
// thread while the rows are read. Returns the problem, or an empty string when "ok".
QString integrityProblem(const QString &path)
{
    const QString name = QStringLiteral("connector-store-check-")
        + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString problem;
    {
        QSqlDatabase db = addConnection(name, path, true);
        if (!db.open()) {
            problem = tr("it cannot be opened (%1)").arg(db.lastError().text());
        } else {
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("PRAGMA quick_check"))) {
                problem = isBusy(q.lastError())
                    ? tr("it is busy in another program; try again")
                    : tr("it is damaged or cut short (%1)").arg(q.lastError().text());
            } else {
                QStringList damage;
                while (q.next() && damage.size() < 3)
                    damage.append(q.value(0).toString());
                if (damage != QStringList { QStringLiteral("ok") })
                    problem = tr("it is damaged (%1)").arg(damage.join(QStringLiteral("; ")));
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return problem;
}

bool processAlive(qint64 pid)
{
#if defined(Q_OS_WIN)
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, DWORD(pid));
    if (!h)
        return GetLastError() == ERROR_ACCESS_DENIED;
    DWORD code = 0;
    const bool running = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    CloseHandle(h);
    return running;
#else
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
#endif
}

// A pending mark's owner may still be at work (its keychain call may still land): a running
// process on this host (this one included), or one on another host, which cannot be checked,
// unless the mark is older than kAbandonedAfterMs.
bool ownerMayStillAct(qint64 pid, const QString &host, qint64 createdAt)
{
    if (QDateTime::currentMSecsSinceEpoch() - createdAt > kAbandonedAfterMs)
        return false;
    return host != QSysInfo::machineHostName() || processAlive(pid);
}

} // namespace

// ---- connection ----------------------------------------------------------------------

ConnectorStore::ConnectorStore(const QString &dataDir)
    : m_dataDir(dataDir)
    , m_connectionName(
          QStringLiteral("connector-store-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

ConnectorStore::~ConnectorStore()
{
    // A checkpoint in progress ends first, so that closing the last connection may fold the
    // log into the database and remove it.
    m_checkpointer.reset();
    close();
}

QString ConnectorStore::filePath() const
{
    return QDir(m_dataDir).filePath(kFileName);
}

QString ConnectorStore::legacyFilePath() const
{
    return QDir(m_dataDir).filePath(kLegacyFileName);
}

void ConnectorStore::setBusyTimeout(int ms)
{
    m_busyTimeoutMs = ms;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (db.isOpen())
        QSqlQuery(db).exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(ms));
}

void ConnectorStore::setBackgroundCheckpoints(bool on, qint64 walBytes)
{
    m_backgroundCheckpoints = on;
    m_checkpointWalBytes = qMax<qint64>(walBytes, 4096);
    if (!on)
        m_checkpointer.reset();
    applyCheckpointMode();
}

void ConnectorStore::applyCheckpointMode()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen() || db.connectOptions().contains(QLatin1String("READONLY")))
        return;
    QSqlQuery q(db);
    // SQLite's own checkpoint off; the log, when started again, cut to a quarter of the size
    // that asks for a checkpoint, so that its size tells how much was written since.
    q.exec(
        QStringLiteral("PRAGMA wal_autocheckpoint = %1").arg(m_backgroundCheckpoints ? 0 : 1000));
    q.exec(QStringLiteral("PRAGMA journal_size_limit = %1")
               .arg(m_backgroundCheckpoints ? m_checkpointWalBytes / 4 : -1));
}

void ConnectorStore::checkpointIfDue()
{
    if (!m_backgroundCheckpoints || m_state != State::Ok)
        return;
    // One stat(). A log this large was written since it last started, or a reader (another
    // process's) keeps it from starting again: then at most one request a second.
    if (QFileInfo(filePath() + QStringLiteral("-wal")).size() < m_checkpointWalBytes)
        return;
    if (m_sinceCheckpointRequest.isValid() && m_sinceCheckpointRequest.elapsed() < 1000)
        return;
    m_sinceCheckpointRequest.start();
    if (!m_checkpointer)
        m_checkpointer = std::make_unique<WalCheckpointer>(
            [path = filePath()](const QString &name) { return addConnection(name, path, false); });
    m_checkpointer->request();
}

void ConnectorStore::close()
{
    m_statements.clear(); // before the connection they belong to
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool ConnectorStore::openConnection(const QString &path, bool readOnly, QString *problem)
{
    close();
    QSqlDatabase db = addConnection(m_connectionName, path, readOnly);
    if (!db.open()) {
        *problem = db.lastError().text();
        return false;
    }
    QSqlQuery q(db);
    // Waits for another process's transaction instead of failing at once.
    q.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(m_busyTimeoutMs));
    q.exec(QStringLiteral("PRAGMA foreign_keys = ON"));
    if (!readOnly)
        applyCheckpointMode();
    return true;
}

bool ConnectorStore::block(const QString &problem, QString *error)
{
    m_state = State::Blocked;
    m_checkpointer.reset(); // nothing touches the file from now on
    m_readOnlyAcknowledged = false;
    close();
    m_loadError = tr("Connector Desk cannot use %1: %2. The file was left as it is, and nothing "
                     "will be saved to it until you choose what to do.")
                      .arg(QDir::toNativeSeparators(m_badFile), problem);
    *error = m_loadError;
    qCInfo(lcStore).noquote() << m_loadError; // the caller shows it (once)
    return false;
}

// A new, empty database (with the connectors of connectors.json when there is one), made
// under a temporary name and renamed into place only when complete: another process never
// sees a half-made database, and when two processes create it at once, one wins and the
// other opens the winner's.
bool ConnectorStore::create(QString *problem)
{
    const QString path = filePath();
    const QString temp = path + QStringLiteral(".new-")
        + QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    auto discard = [&] {
        close();
        for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm"),
                 QStringLiteral("-journal") })
            QFile::remove(temp + suffix);
    };
    {
        QFile f(temp); // created here so that it is private from the first byte
        if (!f.open(QIODevice::WriteOnly)
#if !defined(Q_OS_WIN)
            || !f.setPermissions(QFile::ReadOwner | QFile::WriteOwner)
#endif
        ) {
            *problem = tr("%1 cannot be created (%2)")
                           .arg(QDir::toNativeSeparators(temp), f.errorString());
            return false;
        }
    }
    QList<Connector> legacy;
    const bool migrating = QFileInfo::exists(legacyFilePath());
    if (migrating) {
        QString why;
        if (!ConnectorJson::readFile(legacyFilePath(), &legacy, &why)) {
            discard();
            m_badFile = legacyFilePath();
            *problem = why;
            return false;
        }
    }
    if (!openConnection(temp, false, problem)) {
        discard();
        return false;
    }
    // The schema (and the migrated connectors) in one transaction.
    const bool made = [&] {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        auto fail = [&](const QString &what) {
            *problem = what;
            return false;
        };
        if (!q.exec(QStringLiteral("PRAGMA journal_mode = WAL")))
            return fail(q.lastError().text());
        q.exec(QStringLiteral("PRAGMA synchronous = FULL"));
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return fail(q.lastError().text());
        for (const char *statement : kSchema) {
            if (!q.exec(QString::fromLatin1(statement)))
                return fail(q.lastError().text());
        }
        if (!q.exec(
                QStringLiteral("PRAGMA user_version = %1").arg(kSchemaMajor * 1000 + kSchemaMinor)))
            return fail(q.lastError().text());
        QSet<QString> names;
        for (const Connector &c : std::as_const(legacy)) {
            if (names.contains(nameKey(c.name))) {
                m_badFile = legacyFilePath();
                return fail(tr("two connectors are named \"%1\" (names must differ, ignoring "
                               "case); rename one in the file")
                                .arg(c.name));
            }
            names.insert(nameKey(c.name));
            if (!insertRow(c, problem))
                return false;
        }
        if (!q.exec(QStringLiteral("COMMIT")))
            return fail(q.lastError().text());
        return true;
    }();
    m_pendingRevisions.clear();
    if (!made) {
        discard();
        return false;
    }
    close();
    if (!QFile::rename(temp, path)) {
        discard();
        if (QFileInfo::exists(path))
            return true; // another process made it first: use theirs
        *problem = tr("%1 cannot be created").arg(QDir::toNativeSeparators(path));
        return false;
    }
    discard();
    if (migrating) {
        // Kept, never deleted, never changed: renamed so that it is not migrated again.
        QString target = legacyFilePath() + QStringLiteral(".migrated");
        for (int n = 2; QFileInfo::exists(target); ++n)
            target = legacyFilePath() + QStringLiteral(".migrated-%1").arg(n);
        if (QFile::rename(legacyFilePath(), target)) {
            m_migrationNotice
                = tr("%n connector(s) moved from %1 to %2. The old file is kept as %3.", nullptr,
                    int(legacy.size()))
                      .arg(QDir::toNativeSeparators(legacyFilePath()),
                          QDir::toNativeSeparators(path), QDir::toNativeSeparators(target));
            qCInfo(lcStore).noquote() << m_migrationNotice;
        }
    }
    return true;
}

bool ConnectorStore::load(QList<Connector> *connectors, QString *error)
{
    close();
    connectors->clear();
    m_state = State::NotLoaded;
    m_loadError.clear();
    m_migrationNotice.clear();
    m_revisions.clear();
    m_seenRevision = 0;
    const QString path = filePath();
    m_badFile = path;

    if (!Paths::makePrivateDir(m_dataDir)) {
        m_badFile = m_dataDir;
        return block(tr("the folder cannot be created"), error);
    }
    if (!QFileInfo::exists(path)) {
        QString problem;
        if (!create(&problem))
            return block(problem, error);
    }

    const QFileInfo info(path);
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return block(f.errorString(), error);
        const QByteArray header = f.read(100);
        if (info.size() == 0)
            return block(tr("it is empty (0 bytes), so it was probably cut short; a database "
                            "Connector Desk made is never empty"),
                error);
        if (!header.startsWith(QByteArrayLiteral("SQLite format 3\0")))
            return block(tr("it is not a database (not an SQLite file)"), error);
        if (header.size() < 100)
            return block(tr("it is cut short (only %1 bytes)").arg(header.size()), error);
    }

    QString readOnlyReason;
    if (!QFileInfo(m_dataDir).isWritable())
        readOnlyReason
            = tr("its folder %1 cannot be written").arg(QDir::toNativeSeparators(m_dataDir));
    else if (!info.isWritable())
        readOnlyReason = tr("the file is read-only");

    // Checked through a read-only connection first: nothing is written (not even a
    // checkpoint) to a file that turns out to be damaged or of a newer version.
    QString problem;
    if (!openConnection(path, true, &problem))
        return block(readOnlyReason.isEmpty() ? problem : readOnlyReason, error);
    int version = 0;
    if (!check(&version, &problem)) {
        // A database in a folder that cannot be written may not even be readable (its
        // write-ahead log index cannot be made): the folder is the cause to report.
        return block(readOnlyReason.isEmpty() ? problem : readOnlyReason, error);
    }
    const int major = version / 1000;
    m_schemaMinor = major == kSchemaMajor ? version % 1000 : kSchemaMinor;
    const bool writable = major <= kSchemaMajor && readOnlyReason.isEmpty();
    if (!writable) {
        problem = integrityProblem(path);
        if (!problem.isEmpty())
            return block(readOnlyReason.isEmpty() ? problem : readOnlyReason, error);
    }
    if (major > kSchemaMajor) {
        // Never modified; shown as far as this version can read it.
        readAll(connectors, &problem);
        return block(tr("it was written by a newer Connector Desk (schema %1.%2; this version "
                        "reads %3.x). Update Connector Desk to change these connectors")
                         .arg(major)
                         .arg(version % 1000)
                         .arg(kSchemaMajor),
            error);
    }
    if (!readOnlyReason.isEmpty()) {
        readAll(connectors, &problem);
        return block(readOnlyReason, error);
    }
    m_revisions.clear();
    m_seenRevision = 0;
#if !defined(Q_OS_WIN)
    // Owner only, also when an older file (or a copy) has wider permissions.
    for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
        if (QFileInfo::exists(path + suffix))
            QFile::setPermissions(path + suffix, QFile::ReadOwner | QFile::WriteOwner);
    }
#endif
    // The integrity check runs on a second thread, over its own read-only connection, while
    // the rows are read here (it costs about as much as reading them). Nothing is written
    // before its answer: the database is already in WAL mode (checked below), and a
    // migration would wait for it.
    QString damage;
    struct Checker
    {
        QThread *thread;
        ~Checker() // joined on every way out of load()
        {
            thread->wait();
            delete thread;
        }
    } checker { QThread::create([&damage, path] { damage = integrityProblem(path); }) };
    checker.thread->start();
    if (!openConnection(path, false, &problem))
        return block(problem, error);
    // Forward-only migrations of this major version (version % 1000 < kSchemaMinor), each in
    // its own transaction, once the file is known to be sound.
    if (version % 1000 < kSchemaMinor) {
        checker.thread->wait();
        if (!damage.isEmpty())
            return block(damage, error);
        if (!migrate(&problem))
            return block(problem, error);
    }
    m_schemaMinor = kSchemaMinor;

    {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        QString mode;
        if (q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next())
            mode = q.value(0).toString().toLower();
        q.finish();
        if (mode != QLatin1String("wal")) {
            // Switching writes to the file: only once it is known to be sound.
            checker.thread->wait();
            if (!damage.isEmpty())
                problem = damage;
        }
        if (problem.isEmpty()
            && (!q.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !q.next()
                || q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0))
            problem = tr("it cannot be opened for writing (%1)").arg(q.lastError().text());
        q.finish();
        // Read the data version before the rows: a change committed in between is then seen
        // by the next changes().
        if (q.exec(QStringLiteral("PRAGMA data_version")) && q.next())
            m_dataVersion = q.value(0).toLongLong();
    }
    if (!problem.isEmpty() || !readAll(connectors, &problem)) {
        checker.thread->wait();
        connectors->clear();
        return block(damage.isEmpty() ? problem : damage, error);
    }
    checker.thread->wait();
    if (!damage.isEmpty()) {
        connectors->clear(); // read from a damaged file: not shown as if it were whole
        return block(damage, error);
    }
    m_state = State::Ok;
    qCDebug(lcStore) << "loaded" << connectors->size() << "connectors from" << path;
    return true;
}

QString ConnectorStore::columns() const
{
    return m_schemaMinor >= 1 ? kColumns : kColumns10;
}

bool ConnectorStore::migrate(QString *problem)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    // Another process may be migrating the same file: the write lock decides, and the
    // version is read again under it.
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        *problem = isBusy(q.lastError())
            ? tr("it is busy in another program, so it could not be upgraded; try again")
            : tr("it could not be upgraded (%1)").arg(q.lastError().text());
        return false;
    }
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        *problem = tr("its schema version could not be read (%1)").arg(q.lastError().text());
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return false;
    }
    const int version = q.value(0).toInt();
    q.finish();
    if (version / 1000 != kSchemaMajor || version % 1000 >= kSchemaMinor) {
        // Another process upgraded it meanwhile (perhaps further): nothing to do here. A new
        // major version is refused when the file is opened again.
        QSqlQuery(db).exec(QStringLiteral("COMMIT"));
        if (version / 1000 != kSchemaMajor) {
            *problem = tr("it was changed to schema %1.%2 by a newer Connector Desk while it was "
                          "opened")
                           .arg(version / 1000)
                           .arg(version % 1000);
            return false;
        }
        return true;
    }
    bool ok = true;
    for (int minor = version % 1000; ok && minor < kSchemaMinor; ++minor) {
        for (const char *statement : kMigrations[minor]) {
            if (statement && !q.exec(QString::fromLatin1(statement))) {
                ok = false;
                break;
            }
        }
    }
    ok = ok
        && q.exec(
            QStringLiteral("PRAGMA user_version = %1").arg(kSchemaMajor * 1000 + kSchemaMinor))
        && q.exec(QStringLiteral("COMMIT"));
    if (!ok) {
        *problem = tr("it could not be upgraded to schema %1.%2 (%3); it was left as it was")
                       .arg(kSchemaMajor)
                       .arg(kSchemaMinor)
                       .arg(q.lastError().text());
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return false;
    }
    qCInfo(lcStore) << "upgraded" << filePath() << "to schema" << kSchemaMajor << kSchemaMinor;
    return true;
}

// Integrity and schema version of the open database.
bool ConnectorStore::check(int *version, QString *problem)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        *problem = isBusy(q.lastError())
            ? tr("it is busy in another program; try again")
            : tr("it is damaged or cut short (%1)").arg(q.lastError().text());
        return false;
    }
    *version = q.value(0).toInt();
    if (*version < 1000) {
        // An SQLite file of another program (or one with no schema at all).
        *problem = tr("it is not a Connector Desk database (no schema version)");
        return false;
    }
    return true;
}

// ---- reading -------------------------------------------------------------------------

namespace {

Connector connectorFrom(const QSqlQuery &q, qint64 *rev)
{
    Connector c;
    c.id = QUuid::fromString(q.value(0).toString());
    *rev = q.value(1).toLongLong();
    c.application = q.value(2).toString();
    c.name = q.value(3).toString();
    c.url = q.value(4).toString();
    c.verifySsl = q.value(5).toBool();
    c.authType = q.value(6).toString();
    c.identity = q.value(7).toString();
    c.pinnedCertificateSha256 = q.value(8).toByteArray();
    c.needsSecret = q.value(9).toBool();
    statusFromId(q.value(10).toString(), &c.validation.status);
    c.validation.message = q.value(11).toString();
    c.validation.checkedAt = dateFrom(q.value(12));
    c.validation.credentialsRejected = q.value(13).toBool();
    c.validation.hostNotFound = q.value(14).toBool();
    c.validation.account.displayName = q.value(15).toString();
    c.validation.account.username = q.value(16).toString();
    c.validation.account.licenseType = q.value(17).toString();
    c.createdAt = dateFrom(q.value(18));
    c.updatedAt = dateFrom(q.value(19));
    const QVariant extra = q.value(20);
    if (!extra.isNull())
        c.unknownFields = QJsonDocument::fromJson(extra.toByteArray()).object();
    c.projects = QJsonDocument::fromJson(q.value(21).toByteArray()).toVariant().toStringList();
    // {"checkedAt": ms, "items": [...]}: a checklist of another check than the recorded one
    // (a version before 1.1 recorded a result since) is not shown under it.
    const QJsonObject checks = QJsonDocument::fromJson(q.value(22).toByteArray()).object();
    if (checks.value(QLatin1String("checkedAt")).toVariant().toLongLong()
        == q.value(12).toLongLong())
        c.validation.checks = checksFromJson(checks.value(QLatin1String("items")).toArray());
    return c;
}

} // namespace

bool ConnectorStore::readAll(QList<Connector> *connectors, QString *problem)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT %1 FROM connectors ORDER BY seq").arg(columns()))) {
        *problem = tr("its connectors cannot be read (%1)").arg(q.lastError().text());
        return false;
    }
    QList<Connector> list;
    while (q.next()) {
        qint64 rev = 0;
        list.append(connectorFrom(q, &rev));
        m_revisions.insert(list.constLast().id, rev);
        m_seenRevision = qMax(m_seenRevision, rev);
    }
    *connectors = std::move(list);
    return true;
}

std::optional<ConnectorStore::Changes> ConnectorStore::changes(QString *error)
{
    if (m_state != State::Ok)
        return std::nullopt;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next()) {
        *error = q.lastError().text();
        return std::nullopt;
    }
    const qint64 version = q.value(0).toLongLong();
    q.finish();
    if (version == m_dataVersion)
        return std::nullopt;

    Changes result;
    if (!q.exec(QStringLiteral("SELECT %1 FROM connectors WHERE rev > %2 ORDER BY seq")
                    .arg(columns())
                    .arg(m_seenRevision))) {
        *error = q.lastError().text();
        return std::nullopt;
    }
    // Worked on copies, kept only when every read succeeded (a failed read is tried again).
    QHash<QUuid, qint64> revisions = m_revisions;
    qint64 highest = m_seenRevision;
    while (q.next()) {
        qint64 rev = 0;
        Connector c = connectorFrom(q, &rev);
        highest = qMax(highest, rev);
        if (revisions.value(c.id, -1) == rev)
            continue; // written by this connection
        revisions.insert(c.id, rev);
        result.changed.append(std::move(c));
    }
    q.finish();
    if (!q.exec(QStringLiteral("SELECT count(*) FROM connectors")) || !q.next()) {
        *error = q.lastError().text();
        return std::nullopt;
    }
    const qint64 count = q.value(0).toLongLong();
    q.finish();
    if (count != revisions.size()) {
        QSet<QUuid> present;
        if (!q.exec(QStringLiteral("SELECT id FROM connectors"))) {
            *error = q.lastError().text();
            return std::nullopt;
        }
        while (q.next())
            present.insert(QUuid::fromString(q.value(0).toString()));
        q.finish();
        for (auto it = revisions.begin(); it != revisions.end();) {
            if (!present.contains(it.key())) {
                result.removed.append(it.key());
                it = revisions.erase(it);
            } else {
                ++it;
            }
        }
    }
    m_revisions = std::move(revisions);
    m_seenRevision = highest;
    m_dataVersion = version;
    return result;
}

// ---- writing -------------------------------------------------------------------------

bool ConnectorStore::transaction(
    const std::function<bool(QString *)> &body, QString *error, Durability durability)
{
    m_lastBusy = false;
    if (m_state != State::Ok) {
        *error = m_state == State::Blocked
            ? tr("Not saved: Connector Desk does not write to %1, which it could not use. Move "
                 "the damaged file aside first.")
                  .arg(QDir::toNativeSeparators(m_badFile))
            : tr("Not saved: %1 is not open.").arg(QDir::toNativeSeparators(filePath()));
        return false;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.exec(durability == Durability::Full ? QStringLiteral("PRAGMA synchronous = FULL")
                                          : QStringLiteral("PRAGMA synchronous = NORMAL"));
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        *error = writeError(q.lastError());
        return false;
    }
    m_pendingRevisions.clear();
    QString why;
    bool ok = body(&why);
    if (ok && !q.exec(QStringLiteral("COMMIT"))) {
        why = writeError(q.lastError());
        ok = false;
    }
    if (!ok) {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        m_pendingRevisions.clear();
        *error = why;
        qCInfo(lcStore).noquote() << why;
        return false;
    }
    for (auto it = m_pendingRevisions.cbegin(); it != m_pendingRevisions.cend(); ++it) {
        if (it.value() < 0)
            m_revisions.remove(it.key());
        else
            m_revisions.insert(it.key(), it.value());
    }
    m_pendingRevisions.clear();
    checkpointIfDue();
    return true;
}

QSqlQuery *ConnectorStore::prepared(const QString &sql, QString *error)
{
    auto it = m_statements.constFind(sql);
    if (it != m_statements.cend())
        return it->get();
    auto q = std::make_shared<QSqlQuery>(QSqlDatabase::database(m_connectionName, false));
    if (!q->prepare(sql)) {
        *error = writeError(q->lastError());
        return nullptr;
    }
    return m_statements.insert(sql, q)->get();
}

bool ConnectorStore::exec(QSqlQuery &q, QString *error)
{
    if (q.exec())
        return true;
    *error = writeError(q.lastError());
    return false;
}

QString ConnectorStore::writeError(const QSqlError &e)
{
    const QString path = QDir::toNativeSeparators(filePath());
    if (primaryCode(e) == 19 /* SQLITE_CONSTRAINT */
        && e.text().contains(QLatin1String("name_key"), Qt::CaseInsensitive))
        return tr("Not saved: a connector with this name already exists (perhaps just added "
                  "in another window or command). Choose another name.");
    if (isBusy(e)) {
        m_lastBusy = true;
        return tr("Not saved: %1 is busy in another Connector Desk window or command (waited "
                  "%2 s). Nothing was changed; try again.")
            .arg(path)
            .arg(m_busyTimeoutMs / 1000.0, 0, 'f', 1);
    }
    return tr("Not saved: %1 could not be written (%2). Nothing was changed.").arg(path, e.text());
}

std::optional<qint64> ConnectorStore::nextCounter(const QString &name, QString *error)
{
    QSqlQuery *bump
        = prepared(QStringLiteral("UPDATE counters SET value = value + 1 WHERE name = ?"), error);
    if (!bump)
        return std::nullopt;
    bump->addBindValue(name);
    const bool bumped = exec(*bump, error);
    bump->finish();
    if (!bumped)
        return std::nullopt;
    QSqlQuery *read = prepared(QStringLiteral("SELECT value FROM counters WHERE name = ?"), error);
    if (!read)
        return std::nullopt;
    read->addBindValue(name);
    std::optional<qint64> value;
    if (exec(*read, error) && read->next())
        value = read->value(0).toLongLong();
    read->finish(); // no statement stays open past the transaction
    if (!value && error->isEmpty())
        *error = tr("Not saved: %1 has no %2 counter.").arg(filePath(), name);
    return value;
}

namespace {

// Text for a NOT NULL column: Qt SQL binds a null QString as NULL.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

void bindDefinitionAndState(QSqlQuery &q, const Connector &c)
{
    q.bindValue(QStringLiteral(":application"), text(c.application));
    q.bindValue(QStringLiteral(":name"), text(c.name));
    q.bindValue(QStringLiteral(":name_key"), text(nameKey(c.name)));
    q.bindValue(QStringLiteral(":url"), text(c.url));
    q.bindValue(QStringLiteral(":verify_ssl"), c.verifySsl ? 1 : 0);
    q.bindValue(QStringLiteral(":auth_type"), text(c.authType));
    q.bindValue(QStringLiteral(":identity"), text(c.identity));
    q.bindValue(QStringLiteral(":pinned_sha256"),
        c.pinnedCertificateSha256.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                            : QVariant(c.pinnedCertificateSha256));
    q.bindValue(QStringLiteral(":needs_secret"), c.needsSecret ? 1 : 0);
    q.bindValue(QStringLiteral(":created_at"), dateValue(c.createdAt));
    q.bindValue(QStringLiteral(":updated_at"), dateValue(c.updatedAt));
    q.bindValue(QStringLiteral(":projects"),
        QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(c.projects)).toJson(QJsonDocument::Compact)));
    q.bindValue(QStringLiteral(":extra"),
        c.unknownFields.isEmpty()
            ? QVariant(QMetaType(QMetaType::QString))
            : QVariant(
                QString::fromUtf8(QJsonDocument(c.unknownFields).toJson(QJsonDocument::Compact))));
}

void bindValidation(QSqlQuery &q, const ValidationState &v)
{
    q.bindValue(QStringLiteral(":status"), statusId(v.status));
    q.bindValue(QStringLiteral(":message"), text(v.message));
    q.bindValue(QStringLiteral(":checked_at"), dateValue(v.checkedAt));
    q.bindValue(QStringLiteral(":credentials_rejected"), v.credentialsRejected ? 1 : 0);
    q.bindValue(QStringLiteral(":host_not_found"), v.hostNotFound ? 1 : 0);
    q.bindValue(QStringLiteral(":account_display_name"), text(v.account.displayName));
    q.bindValue(QStringLiteral(":account_username"), text(v.account.username));
    q.bindValue(QStringLiteral(":account_license"), text(v.account.licenseType));
    q.bindValue(QStringLiteral(":checks"),
        QString::fromUtf8(QJsonDocument(
            QJsonObject { { QStringLiteral("checkedAt"), dateValue(v.checkedAt).toLongLong() },
                { QStringLiteral("items"), checksToJson(v.checks) } })
                              .toJson(QJsonDocument::Compact)));
}

const QString kValidationAssignments = QStringLiteral(
    "status = :status, message = :message, checked_at = :checked_at, "
    "credentials_rejected = :credentials_rejected, host_not_found = :host_not_found, "
    "account_display_name = :account_display_name, account_username = :account_username, "
    "account_license = :account_license, checks = :checks");

} // namespace

bool ConnectorStore::insertRow(const Connector &c, QString *error)
{
    const std::optional<qint64> rev = nextCounter(QStringLiteral("revision"), error);
    const std::optional<qint64> seq
        = rev ? nextCounter(QStringLiteral("seq"), error) : std::nullopt;
    if (!seq)
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral(
        "INSERT INTO connectors (id, seq, rev, application, name, name_key, url, verify_ssl, "
        "auth_type, identity, pinned_sha256, needs_secret, status, message, checked_at, "
        "credentials_rejected, host_not_found, account_display_name, account_username, "
        "account_license, created_at, updated_at, extra, projects, checks) VALUES (:id, :seq, "
        ":rev, :application, :name, :name_key, :url, :verify_ssl, :auth_type, :identity, "
        ":pinned_sha256, :needs_secret, :status, :message, :checked_at, "
        ":credentials_rejected, :host_not_found, :account_display_name, :account_username, "
        ":account_license, :created_at, :updated_at, :extra, :projects, :checks)"));
    q.bindValue(QStringLiteral(":id"), c.id.toString(QUuid::WithoutBraces));
    q.bindValue(QStringLiteral(":seq"), *seq);
    q.bindValue(QStringLiteral(":rev"), *rev);
    bindDefinitionAndState(q, c);
    bindValidation(q, c.validation);
    if (!exec(q, error)) {
        if (primaryCode(q.lastError()) == 19
            && q.lastError().text().contains(QLatin1String("connectors.id")))
            *error = tr("Not saved: a connector with this id already exists.");
        return false;
    }
    m_pendingRevisions.insert(c.id, *rev);
    return true;
}

bool ConnectorStore::updateRow(
    const Connector &c, QString *error, const QDateTime &expectedUpdatedAt)
{
    const std::optional<qint64> rev = nextCounter(QStringLiteral("revision"), error);
    if (!rev)
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    // Only the columns this version knows: those of a newer minor version stay as they are.
    q.prepare(QStringLiteral(
        "UPDATE connectors SET rev = :rev, application = :application, name = :name, "
        "name_key = :name_key, url = :url, verify_ssl = :verify_ssl, auth_type = :auth_type, "
        "identity = :identity, pinned_sha256 = :pinned_sha256, needs_secret = :needs_secret, "
        "created_at = :created_at, updated_at = :updated_at, extra = :extra, "
        "projects = :projects, %1 WHERE id = :id%2")
                  .arg(kValidationAssignments,
                      expectedUpdatedAt.isValid()
                          ? QStringLiteral(" AND updated_at IS :expected_updated_at")
                          : QString()));
    q.bindValue(QStringLiteral(":id"), c.id.toString(QUuid::WithoutBraces));
    q.bindValue(QStringLiteral(":rev"), *rev);
    if (expectedUpdatedAt.isValid())
        q.bindValue(QStringLiteral(":expected_updated_at"), dateValue(expectedUpdatedAt));
    bindDefinitionAndState(q, c);
    bindValidation(q, c.validation);
    if (!exec(q, error))
        return false;
    if (q.numRowsAffected() != 1) {
        QSqlQuery exists(QSqlDatabase::database(m_connectionName, false));
        exists.prepare(QStringLiteral("SELECT 1 FROM connectors WHERE id = ?"));
        exists.addBindValue(c.id.toString(QUuid::WithoutBraces));
        *error = exec(exists, error) && exists.next()
            ? tr("Not saved: “%1” was changed in another Connector Desk window or command after "
                 "you opened it. Open it again to see the changes, then make yours.")
                  .arg(c.name)
            : tr("Not saved: this connector no longer exists (it was deleted in another window "
                 "or command).");
        return false;
    }
    m_pendingRevisions.insert(c.id, *rev);
    return true;
}

bool ConnectorStore::setPending(const QString &key, const QUuid &id, bool set, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    const qint64 self = QCoreApplication::applicationPid();
    const QString host = QSysInfo::machineHostName();
    if (set) {
        // Another running process is finishing a change of this very secret (e.g. the
        // recovery of an interrupted one): its keychain call may still land.
        q.prepare(
            QStringLiteral("SELECT pid, host, created_at FROM pending_secrets WHERE key = ?"));
        q.addBindValue(key);
        if (!exec(q, error))
            return false;
        if (q.next()) {
            const qint64 pid = q.value(0).toLongLong();
            const bool mine = pid == self && q.value(1).toString() == host;
            if (!mine && ownerMayStillAct(pid, q.value(1).toString(), q.value(2).toLongLong())) {
                m_lastBusy = true;
                *error = tr("Not saved: another Connector Desk window or command is changing "
                            "this connector's secret right now. Nothing was changed; try again.");
                return false;
            }
        }
        q.finish();
        q.prepare(QStringLiteral("INSERT OR REPLACE INTO pending_secrets (key, connector_id, pid, "
                                 "host, created_at) VALUES (?, ?, ?, ?, ?)"));
        q.addBindValue(key);
        q.addBindValue(id.toString(QUuid::WithoutBraces));
        q.addBindValue(self);
        q.addBindValue(host);
        q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    } else {
        // Only this process's own mark: another one's is not ours to end.
        q.prepare(QStringLiteral("DELETE FROM pending_secrets WHERE key = ? AND pid = ? AND "
                                 "host = ?"));
        q.addBindValue(key);
        q.addBindValue(self);
        q.addBindValue(host);
    }
    return exec(q, error);
}

bool ConnectorStore::insert(const Connector &c, QString *error, const QString &clearPending,
    const QList<HistoryEntry> &history)
{
    return transaction(
        [&](QString *why) {
            if (!insertRow(c, why))
                return false;
            // Oldest first: the row ids keep the order of equal times.
            for (auto it = history.crbegin(); it != history.crend(); ++it) {
                if (!addHistory(c.id, *it, why))
                    return false;
            }
            return (history.isEmpty() || trimHistory(c.id, why))
                && (clearPending.isEmpty() || setPending(clearPending, c.id, false, why));
        },
        error, Durability::Full);
}

bool ConnectorStore::update(const Connector &c, QString *error, const QString &clearPending,
    const QString &markPending, const QDateTime &expectedUpdatedAt)
{
    return transaction(
        [&](QString *why) {
            return updateRow(c, why, expectedUpdatedAt)
                && (clearPending.isEmpty() || setPending(clearPending, c.id, false, why))
                && (markPending.isEmpty() || setPending(markPending, c.id, true, why));
        },
        error, Durability::Full);
}

bool ConnectorStore::remove(const QUuid &id, QString *error, const QString &markPending,
    QList<HistoryEntry> *removedHistory)
{
    return transaction(
        [&](QString *why) {
            if (removedHistory) {
                // What the delete takes along (ON DELETE CASCADE), read under the same lock.
                QHash<QUuid, QList<HistoryEntry>> read;
                if (!readHistory(id, &read, why))
                    return false;
                *removedHistory = read.value(id);
            }
            QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
            q.prepare(QStringLiteral("DELETE FROM connectors WHERE id = ?"));
            q.addBindValue(id.toString(QUuid::WithoutBraces));
            if (!exec(q, why))
                return false;
            m_pendingRevisions.insert(id, -1);
            return markPending.isEmpty() || setPending(markPending, id, true, why);
        },
        error, Durability::Full);
}

bool ConnectorStore::setValidation(const QUuid &id, const ValidationState &state, QString *error)
{
    // Normal durability: in WAL mode a crash of the program loses nothing, a power cut may
    // lose the last results (never the database); a result is checked again anyway.
    return transaction(
        [&](QString *why) {
            bool exists = false;
            if (!writeValidation(id, state, &exists, why))
                return false;
            if (!exists)
                *why = tr("This connector no longer exists.");
            return exists;
        },
        error, Durability::Normal);
}

bool ConnectorStore::setValidations(
    const QList<QPair<QUuid, ValidationState>> &results, QList<QUuid> *missing, QString *error)
{
    QList<QUuid> gone;
    const bool ok = transaction(
        [&](QString *why) {
            gone.clear();
            for (const auto &[id, state] : results) {
                bool exists = false;
                if (!writeValidation(id, state, &exists, why))
                    return false;
                if (!exists)
                    gone.append(id);
            }
            return true;
        },
        error, Durability::Normal);
    if (missing)
        *missing = ok ? gone : QList<QUuid>();
    return ok;
}

bool ConnectorStore::writeValidation(
    const QUuid &id, const ValidationState &state, bool *exists, QString *why)
{
    *exists = false;
    const std::optional<qint64> rev = nextCounter(QStringLiteral("revision"), why);
    if (!rev)
        return false;
    static const QString update
        = QStringLiteral("UPDATE connectors SET rev = :rev, %1 WHERE id = :id")
              .arg(kValidationAssignments);
    QSqlQuery *q = prepared(update, why);
    if (!q)
        return false;
    q->bindValue(QStringLiteral(":id"), id.toString(QUuid::WithoutBraces));
    q->bindValue(QStringLiteral(":rev"), *rev);
    bindValidation(*q, state);
    const bool written = exec(*q, why);
    const int rows = written ? q->numRowsAffected() : 0;
    q->finish();
    if (!written)
        return false;
    if (rows != 1)
        return true; // removed meanwhile (another process): nothing to record
    *exists = true;
    m_pendingRevisions.insert(id, *rev);
    // A result (it has a time; a reset to "not verified" has none) joins the history.
    if (!state.checkedAt.isValid())
        return true;
    // The same "not reached" again (the queue retrying while a server is down) moves the
    // newest entry's time instead of pushing the others out.
    if (state.status == ValidationStatus::NotVerified) {
        bool merged = false;
        if (!mergeNotReached(id, historyEntry(state), &merged, why))
            return false;
        if (merged)
            return true;
    }
    return addHistory(id, historyEntry(state), why) && trimHistory(id, why);
}

bool ConnectorStore::addHistory(const QUuid &id, const HistoryEntry &entry, QString *error)
{
    // The same result recorded twice (a retry) is one result.
    QSqlQuery *insert = prepared(
        QStringLiteral(
            "INSERT INTO history (connector_id, checked_at, status, message, credentials_rejected, "
            "host_not_found) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM history WHERE "
            "connector_id = ? AND checked_at = ? AND status = ? AND message = ?)"),
        error);
    if (!insert)
        return false;
    QSqlQuery &q = *insert;
    const QString key = id.toString(QUuid::WithoutBraces);
    const qint64 at = entry.checkedAt.toMSecsSinceEpoch();
    const QString status = statusId(entry.status);
    const QString message = entry.message.isNull() ? QStringLiteral("") : entry.message;
    q.addBindValue(key);
    q.addBindValue(at);
    q.addBindValue(status);
    q.addBindValue(message);
    q.addBindValue(entry.credentialsRejected ? 1 : 0);
    q.addBindValue(entry.hostNotFound ? 1 : 0);
    q.addBindValue(key);
    q.addBindValue(at);
    q.addBindValue(status);
    q.addBindValue(message);
    const bool ok = exec(q, error);
    q.finish();
    return ok;
}

bool ConnectorStore::mergeNotReached(
    const QUuid &id, const HistoryEntry &entry, bool *merged, QString *error)
{
    QSqlQuery *update = prepared(
        QStringLiteral(
            "UPDATE history SET checked_at = ? WHERE id = (SELECT id FROM history WHERE "
            "connector_id = ? ORDER BY checked_at DESC, id DESC LIMIT 1) AND status = ? AND "
            "message = ? AND credentials_rejected = ? AND host_not_found = ? AND checked_at <= ?"),
        error);
    if (!update)
        return false;
    QSqlQuery &q = *update;
    const qint64 at = entry.checkedAt.toMSecsSinceEpoch();
    q.addBindValue(at);
    q.addBindValue(id.toString(QUuid::WithoutBraces));
    q.addBindValue(statusId(entry.status));
    q.addBindValue(entry.message.isNull() ? QStringLiteral("") : entry.message);
    q.addBindValue(entry.credentialsRejected ? 1 : 0);
    q.addBindValue(entry.hostNotFound ? 1 : 0);
    q.addBindValue(at);
    const bool ok = exec(q, error);
    *merged = ok && q.numRowsAffected() == 1;
    q.finish();
    return ok;
}

bool ConnectorStore::trimHistory(const QUuid &id, QString *error)
{
    static const QString trim
        = QStringLiteral("DELETE FROM history WHERE connector_id = ? AND id NOT IN (SELECT id "
                         "FROM history WHERE connector_id = ? ORDER BY checked_at DESC, id "
                         "DESC LIMIT %1)")
              .arg(kHistoryLimit);
    QSqlQuery *q = prepared(trim, error);
    if (!q)
        return false;
    const QString key = id.toString(QUuid::WithoutBraces);
    q->addBindValue(key);
    q->addBindValue(key);
    const bool ok = exec(*q, error);
    q->finish();
    return ok;
}

bool ConnectorStore::readHistory(
    const QUuid &id, QHash<QUuid, QList<HistoryEntry>> *out, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT connector_id, checked_at, status, message, "
                             "credentials_rejected, host_not_found FROM history %1 ORDER BY "
                             "connector_id, checked_at DESC, id DESC")
                  .arg(id.isNull() ? QString() : QStringLiteral("WHERE connector_id = ?")));
    if (!id.isNull())
        q.addBindValue(id.toString(QUuid::WithoutBraces));
    if (!q.exec()) {
        *error = tr("The status history in %1 cannot be read (%2).")
                     .arg(QDir::toNativeSeparators(filePath()), q.lastError().text());
        return false;
    }
    QString lastKey;
    QList<HistoryEntry> *list = nullptr;
    while (q.next()) {
        const QString key = q.value(0).toString();
        if (!list || key != lastKey) {
            lastKey = key;
            list = &(*out)[QUuid::fromString(key)];
        }
        HistoryEntry e;
        e.checkedAt = dateFrom(q.value(1));
        statusFromId(q.value(2).toString(), &e.status);
        e.message = q.value(3).toString();
        e.credentialsRejected = q.value(4).toBool();
        e.hostNotFound = q.value(5).toBool();
        list->append(std::move(e));
    }
    return true;
}

QList<HistoryEntry> ConnectorStore::history(const QUuid &id, QString *error)
{
    // Blocked (damaged, newer major, read-only): no connection to read from, and an older
    // file has no history yet.
    if (m_state != State::Ok || m_schemaMinor < 2 || id.isNull())
        return {};
    QHash<QUuid, QList<HistoryEntry>> read;
    if (!readHistory(id, &read, error))
        return {};
    return read.value(id);
}

QHash<QUuid, QList<HistoryEntry>> ConnectorStore::histories(QString *error)
{
    QHash<QUuid, QList<HistoryEntry>> read;
    if (m_state != State::Ok || m_schemaMinor < 2 || !readHistory(QUuid(), &read, error))
        return {};
    return read;
}

bool ConnectorStore::write(
    const QList<Connector> &added, const QList<Connector> &replaced, QString *error)
{
    return transaction(
        [&](QString *why) {
            for (const Connector &c : replaced) {
                if (!updateRow(c, why))
                    return false;
            }
            for (const Connector &c : added) {
                if (!insertRow(c, why))
                    return false;
            }
            return true;
        },
        error, Durability::Full);
}

bool ConnectorStore::updateAll(const QList<Connector> &rows,
    const QList<QDateTime> &expectedUpdatedAt, const QStringList &clearPending, QString *error)
{
    return transaction(
        [&](QString *why) {
            for (qsizetype i = 0; i < rows.size(); ++i) {
                if (!updateRow(rows.at(i), why, expectedUpdatedAt.value(i)))
                    return false;
            }
            for (const QString &key : clearPending) {
                if (!setPending(key, QUuid(), false, why))
                    return false;
            }
            return true;
        },
        error, Durability::Full);
}

bool ConnectorStore::markPendingSecrets(const QList<QPair<QString, QUuid>> &keys, QString *error)
{
    return transaction(
        [&](QString *why) {
            for (const auto &k : keys) {
                if (!setPending(k.first, k.second, true, why))
                    return false;
            }
            return true;
        },
        error, Durability::Full);
}

bool ConnectorStore::markPendingSecret(const QString &key, const QUuid &connectorId, QString *error)
{
    return transaction([&](QString *why) { return setPending(key, connectorId, true, why); }, error,
        Durability::Full);
}

bool ConnectorStore::clearPendingSecret(const QString &key, QString *error)
{
    return transaction([&](QString *why) { return setPending(key, QUuid(), false, why); }, error,
        Durability::Normal);
}

QList<ConnectorStore::PendingSecret> ConnectorStore::abandonedPendingSecrets(QString *error)
{
    QList<PendingSecret> result;
    if (m_state != State::Ok)
        return result;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral(
            "SELECT p.key, p.connector_id, p.pid, p.host, p.created_at, c.auth_type, "
            "c.needs_secret, c.application FROM pending_secrets p LEFT JOIN connectors c ON "
            "c.id = p.connector_id"))) {
        *error = q.lastError().text();
        return result;
    }
    while (q.next()) {
        const qint64 pid = q.value(2).toLongLong();
        if (ownerMayStillAct(pid, q.value(3).toString(), q.value(4).toLongLong()))
            continue; // still in flight in a running process (this one included)
        PendingSecret p;
        p.key = q.value(0).toString();
        p.connectorId = QUuid::fromString(q.value(1).toString());
        p.pid = pid;
        p.host = q.value(3).toString();
        p.createdAt = q.value(4).toLongLong();
        if (!q.value(5).isNull() && !q.value(6).toBool()) {
            p.claimed
                = secretKey(p.connectorId, q.value(7).toString(), q.value(5).toString()) == p.key;
        }
        result.append(p);
    }
    return result;
}

bool ConnectorStore::takeOverPendingSecret(const PendingSecret &p, QString *error)
{
    bool taken = false;
    const bool ok = transaction(
        [&](QString *why) {
            QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
            q.prepare(QStringLiteral(
                "UPDATE pending_secrets SET pid = ?, host = ?, created_at = ? WHERE key = ? AND "
                "pid = ? AND host = ? AND created_at = ?"));
            q.addBindValue(QCoreApplication::applicationPid());
            q.addBindValue(QSysInfo::machineHostName());
            q.addBindValue(QDateTime::currentMSecsSinceEpoch());
            q.addBindValue(p.key);
            q.addBindValue(p.pid);
            q.addBindValue(p.host);
            q.addBindValue(p.createdAt);
            if (!exec(q, why))
                return false;
            taken = q.numRowsAffected() == 1;
            return true;
        },
        error, Durability::Full);
    return ok && taken;
}

// ---- a bad file ----------------------------------------------------------------------

bool ConnectorStore::moveBadFileAside(QString *movedTo, QString *error)
{
    close();
    const QString path = m_badFile.isEmpty() ? filePath() : m_badFile;
    const QString stamp
        = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString target = path + QStringLiteral(".bad-") + stamp;
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = path + QStringLiteral(".bad-%1-%2").arg(stamp).arg(n);
    if (QFileInfo::exists(path) && !QFile::rename(path, target)) {
        *error = tr("%1 could not be renamed to %2. Move it yourself, then restart Connector Desk.")
                     .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(target));
        return false;
    }
    // A database's journal files belong to it: they go along, never onto a new database.
    for (const QString &suffix : { QStringLiteral("-wal"), QStringLiteral("-shm") }) {
        if (QFileInfo::exists(path + suffix) && !QFile::rename(path + suffix, target + suffix)) {
            *error = tr("%1 could not be renamed to %2. Move it yourself, then restart Connector "
                        "Desk.")
                         .arg(QDir::toNativeSeparators(path + suffix),
                             QDir::toNativeSeparators(target + suffix));
            return false;
        }
    }
    *movedTo = target;
    qCInfo(lcStore) << "moved unusable" << path << "to" << target;
    QList<Connector> empty;
    QString why;
    if (!load(&empty, &why)) {
        *error = why;
        return false;
    }
    return true;
}

} // namespace cd
