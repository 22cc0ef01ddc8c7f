// connectors.db: real SQLite files in temporary folders, and second connections (as another
// process would open them) through Qt SQL.
#include "ConnectorJson.h"
#include "ConnectorStore.h"
#include "TestSupport.h"
#include "WalCheckpointer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace cd;

using test::SqliteConnection; // a second connection, as another process would have

class TestConnectorStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void newDatabase();
    void roundTrip();
    void eachChangeTouchesItsOwnRow();
    void namesAreUniqueAcrossConnections();
    void changesOfOtherConnections();
    void newerMinorColumnsSurvive();
    void schema10IsUpgraded();
    void newerMajorIsReadOnly();
    void badFile_data();
    void badFile();
    void diskFullKeepsEverything();
    void busyWaitsThenSaysTryAgain();
    void migration_data();
    void migration();
    void badLegacyFileIsLeftAlone_data();
    void badLegacyFileIsLeftAlone();
    void legacyFileTooLarge();
    void moveAside();
    void uncreatableDirectory();
    void oddCharactersInThePath();
    void pendingSecrets();
    // The status history (schema 1.2).
    void historyKeepsTheNewestResults();
    void historyTextIsStoredVerbatim();
    void historyMergesRetriesThatDidNotReach();
    void historyGoesWithItsConnector();
    void severalResultsInOneTransaction();
    void keptStatementsHoldNothingOpen();
    void backgroundCheckpointsFoldTheLogIn();
    void schema11IsUpgraded();
    void concurrentWritersKeepTheLimit();

private:
    // A result of connector `id` at minute `minute` of a fixed day.
    static ValidationState result(ValidationStatus status, int minute, const QString &message = {});
    static Connector sample(int n);
    static QByteArray readAll(const QString &path);
    static void writeAll(const QString &path, const QByteArray &bytes);
    static QString fixture(const QString &name);
    // A store in a new folder, loaded (empty), with sample(1) ... sample(count) inserted;
    // `ok` false (and a warning) when that failed.
    struct Filled
    {
        explicit Filled(int count);
        QTemporaryDir dir;
        ConnectorStore store;
        QList<Connector> connectors;
        QString error;
        bool ok = false;
    };
};

TestConnectorStore::Filled::Filled(int count)
    : store(dir.path())
{
    QList<Connector> none;
    if (!store.load(&none, &error)) {
        qWarning("%s", qPrintable(error));
        return;
    }
    for (int n = 1; n <= count; ++n) {
        connectors << sample(n);
        if (!store.insert(connectors.last(), &error)) {
            qWarning("%s", qPrintable(error));
            return;
        }
    }
    ok = true;
}

Connector TestConnectorStore::sample(int n)
{
    Connector c;
    c.id = QUuid::createUuid();
    c.name = QStringLiteral("Connector %1").arg(n);
    c.url = QStringLiteral("https://host%1.jamacloud.com").arg(n);
    c.verifySsl = n % 3 != 0;
    c.authType = n % 2 ? QStringLiteral("oauth") : QStringLiteral("basic");
    c.identity = QStringLiteral("account-%1").arg(n);
    if (n % 4 == 0)
        c.pinnedCertificateSha256 = QByteArray(32, char(n));
    c.validation.status = ValidationStatus(n % 4);
    c.validation.message = QStringLiteral("message %1 \"quoted\" ünïcødé <b>x</b>\x1b[31m").arg(n);
    c.validation.checkedAt = QDateTime(QDate(2026, 11, 1), QTime(10, n % 60, 5, 123), Qt::UTC);
    c.validation.account = { QStringLiteral("Svc %1").arg(n), QStringLiteral("svc%1").arg(n),
        QStringLiteral("NAMED") };
    c.validation.credentialsRejected = n % 5 == 0;
    c.validation.hostNotFound = n % 7 == 0;
    c.needsSecret = n % 6 == 0;
    c.createdAt = QDateTime(QDate(2026, 10, 1), QTime(9, 0), Qt::UTC);
    c.updatedAt = QDateTime(QDate(2026, 10, 2), QTime(9, 0, 0, 7), Qt::UTC);
    if (n % 8 == 0)
        c.unknownFields.insert(QStringLiteral("futureField"), QStringLiteral("kept %1").arg(n));
    if (n % 3 == 1)
        c.projects = { QStringLiteral("P%1").arg(n), QStringLiteral("DEMO") };
    if (n % 2 == 0)
        c.validation.checks = { { QStringLiteral("credentials"), cd::CheckStatus::Pass,
                                    QStringLiteral("Credentials"), QStringLiteral("Accepted.") },
            { QStringLiteral("project:DEMO"), cd::CheckStatus::Fail, QStringLiteral("Project DEMO"),
                QStringLiteral("Not found, or not visible “%1”.").arg(n) },
            { QStringLiteral("admin"), cd::CheckStatus::Unknown, QStringLiteral("Admin"),
                QStringLiteral("Cannot be confirmed.") } };
    return c;
}

ValidationState TestConnectorStore::result(
    ValidationStatus status, int minute, const QString &message)
{
    ValidationState v;
    v.status = status;
    v.message = message.isNull() ? QStringLiteral("result %1").arg(minute) : message;
    v.checkedAt = QDateTime(QDate(2026, 11, 3), QTime(0, 0), Qt::UTC).addSecs(60 * minute);
    return v;
}

QByteArray TestConnectorStore::readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

void TestConnectorStore::writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

QString TestConnectorStore::fixture(const QString &name)
{
    return QStringLiteral(CD_FIXTURES_DIR "/") + name;
}

void TestConnectorStore::newDatabase()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path() + QStringLiteral("/not-yet"));
    QList<Connector> list { sample(1) };
    QString error;
    QVERIFY2(store.load(&list, &error), qPrintable(error)); // creates the folder and the file
    QVERIFY(list.isEmpty());
    QCOMPARE(store.state(), ConnectorStore::State::Ok);
    QVERIFY(store.migrationNotice().isEmpty());
    QVERIFY(QFile::exists(store.filePath()));
    QCOMPARE(QFileInfo(store.filePath()).fileName(), QStringLiteral("connectors.db"));
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(store.filePath()).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0600);
    // Nothing half-made is left behind.
    for (const QString &name : QDir(store.dataDir()).entryList(QDir::Files))
        QVERIFY2(!name.contains(QLatin1String(".new-")), qPrintable(name));
    SqliteConnection other(store.filePath());
    QCOMPARE(other.value(QStringLiteral("PRAGMA user_version")).toInt(), 1002);
    QCOMPARE(other.value(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(other.value(QStringLiteral("PRAGMA quick_check")).toString(), QStringLiteral("ok"));
}

void TestConnectorStore::roundTrip()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> written;
    for (int i = 0; i < 12; ++i)
        written << sample(i);
    QList<Connector> none;
    QString error;
    QVERIFY(store.load(&none, &error));
    QVERIFY2(store.write(written, {}, &error), qPrintable(error));

    ConnectorStore again(dir.path());
    QList<Connector> read;
    QVERIFY2(again.load(&read, &error), qPrintable(error));
    QCOMPARE(read.size(), written.size());
    for (int i = 0; i < read.size(); ++i)
        QVERIFY2(read.at(i) == written.at(i), qPrintable(read.at(i).name)); // and in order
}

void TestConnectorStore::eachChangeTouchesItsOwnRow()
{
    Filled filled(2);
    QVERIFY(filled.ok);
    ConnectorStore &store = filled.store;
    QString &error = filled.error;
    QList<Connector> list;
    const Connector a = filled.connectors.at(0), b = filled.connectors.at(1);
    SqliteConnection other(store.filePath());
    // Another program's column value in b's row stays whatever this store does to a.
    QVERIFY(other.exec(QStringLiteral("UPDATE connectors SET message = 'theirs' WHERE id = '%1'")
                           .arg(b.id.toString(QUuid::WithoutBraces))));

    Connector renamed = a;
    renamed.name = QStringLiteral("Renamed");
    // Saved only over the version it was made from (another process may have saved since).
    QVERIFY(!store.update(renamed, &error, {}, {}, a.updatedAt.addMSecs(-1)));
    QVERIFY2(error.contains(QLatin1String("changed in another")), qPrintable(error));
    QVERIFY2(store.update(renamed, &error, {}, {}, a.updatedAt), qPrintable(error));
    ValidationState v;
    v.status = ValidationStatus::Verified;
    v.message = QStringLiteral("fine");
    QVERIFY(store.setValidation(a.id, v, &error));
    QCOMPARE(other
                 .value(QStringLiteral("SELECT message FROM connectors WHERE id = '%1'")
                            .arg(b.id.toString(QUuid::WithoutBraces)))
                 .toString(),
        QStringLiteral("theirs"));

    ConnectorStore again(filled.dir.path());
    QVERIFY(again.load(&list, &error));
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(0).name, QStringLiteral("Renamed"));
    QCOMPARE(list.at(0).validation.status, ValidationStatus::Verified);
    QCOMPARE(list.at(1).validation.message, QStringLiteral("theirs"));

    QVERIFY(store.remove(b.id, &error));
    QVERIFY(again.load(&list, &error));
    QCOMPARE(list.size(), 1);
    // A row another process removed is not written again.
    QVERIFY(!store.update(b, &error));
    QVERIFY2(error.contains(QLatin1String("no longer exists")), qPrintable(error));
    QVERIFY(!store.setValidation(b.id, v, &error));
    QVERIFY(again.load(&list, &error));
    QCOMPARE(list.size(), 1);
}

void TestConnectorStore::namesAreUniqueAcrossConnections()
{
    QTemporaryDir dir;
    ConnectorStore one(dir.path()), two(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(one.load(&list, &error));
    QVERIFY(two.load(&list, &error));
    Connector a = sample(1);
    a.name = QStringLiteral("Äpfel Prod");
    QVERIFY(one.insert(a, &error));
    Connector b = sample(2);
    b.name = QStringLiteral("  äPFEL PROD ");
    QVERIFY(!two.insert(b, &error)); // the same name, ignoring case and outer spaces
    QVERIFY2(error.contains(QLatin1String("already exists")), qPrintable(error));
    b.name = QStringLiteral("Other");
    QVERIFY(two.insert(b, &error));
    QVERIFY(one.load(&list, &error));
    QCOMPARE(list.size(), 2);
}

void TestConnectorStore::changesOfOtherConnections()
{
    QTemporaryDir dir;
    ConnectorStore mine(dir.path()), theirs(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(mine.load(&list, &error));
    QVERIFY(theirs.load(&list, &error));
    const Connector own = sample(1);
    QVERIFY(mine.insert(own, &error));
    QVERIFY(!mine.changes(&error)); // nothing by others
    QVERIFY(error.isEmpty());

    const Connector a = sample(2), b = sample(3);
    QVERIFY(theirs.insert(a, &error));
    QVERIFY(theirs.insert(b, &error));
    std::optional<ConnectorStore::Changes> c = mine.changes(&error);
    QVERIFY(c);
    QCOMPARE(c->changed.size(), 2); // not its own row
    QCOMPARE(c->changed.at(0), a);
    QCOMPARE(c->changed.at(1), b);
    QVERIFY(c->removed.isEmpty());
    QVERIFY(!mine.changes(&error));

    ValidationState v;
    v.status = ValidationStatus::Failed;
    QVERIFY(theirs.setValidation(own.id, v, &error));
    QVERIFY(theirs.remove(a.id, &error));
    Connector d = sample(4);
    QVERIFY(theirs.insert(d, &error)); // one removed, one added: the count stays the same
    c = mine.changes(&error);
    QVERIFY(c);
    QCOMPARE(c->changed.size(), 2);
    QCOMPARE(c->changed.at(0).id, own.id);
    QCOMPARE(c->changed.at(0).validation.status, ValidationStatus::Failed);
    QCOMPARE(c->changed.at(1), d);
    QCOMPARE(c->removed, QList<QUuid> { a.id });
}

void TestConnectorStore::newerMinorColumnsSurvive()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    const Connector a = sample(1);
    QVERIFY(store.insert(a, &error));
    {
        // What version 1.3 might do: a new column, a new table.
        SqliteConnection newer(store.filePath());
        QVERIFY(newer.exec(QStringLiteral("ALTER TABLE connectors ADD COLUMN sync_profile TEXT")));
        QVERIFY(newer.exec(QStringLiteral("UPDATE connectors SET sync_profile = 'nightly'")));
        QVERIFY(
            newer.exec(QStringLiteral("CREATE TABLE sync_log (connector_id TEXT, at INTEGER)")));
        QVERIFY(newer.exec(QStringLiteral("INSERT INTO sync_log VALUES ('x', 1)")));
        QVERIFY(newer.exec(QStringLiteral("PRAGMA user_version = 1003")));
    }
    ConnectorStore older(dir.path());
    QVERIFY2(older.load(&list, &error), qPrintable(error));
    QCOMPARE(list.size(), 1);
    Connector renamed = list.first();
    renamed.name = QStringLiteral("Renamed by 1.0");
    QVERIFY(older.update(renamed, &error));
    QVERIFY(older.setValidation(renamed.id, ValidationState(), &error));
    QVERIFY(older.insert(sample(2), &error));
    SqliteConnection newer(store.filePath());
    QCOMPARE(newer
                 .value(QStringLiteral("SELECT sync_profile FROM connectors WHERE name = "
                                       "'Renamed by 1.0'"))
                 .toString(),
        QStringLiteral("nightly"));
    QCOMPARE(newer.value(QStringLiteral("SELECT count(*) FROM sync_log")).toInt(), 1);
    QCOMPARE(newer.value(QStringLiteral("PRAGMA user_version")).toInt(), 1003);
}

void TestConnectorStore::schema10IsUpgraded()
{
    // A file of Connector Desk 1.0: no projects, no checks.
    QTemporaryDir dir;
    QString error;
    const Connector a = sample(1), b = sample(2);
    {
        ConnectorStore store(dir.path());
        QList<Connector> list;
        QVERIFY(store.load(&list, &error));
        QVERIFY(store.insert(a, &error));
        QVERIFY(store.insert(b, &error));
        SqliteConnection old(store.filePath());
        QVERIFY(old.exec(QStringLiteral("ALTER TABLE connectors DROP COLUMN projects")));
        QVERIFY(old.exec(QStringLiteral("ALTER TABLE connectors DROP COLUMN checks")));
        QVERIFY(old.exec(QStringLiteral("DROP TABLE history"))); // 1.2
        QVERIFY(old.exec(QStringLiteral("PRAGMA user_version = 1000")));
    }
    const QString path = QDir(dir.path()).filePath(QStringLiteral("connectors.db"));
    // Read-only (the folder cannot be written): shown as it is, nothing migrated.
    QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
    if (!QFileInfo(dir.path()).isWritable()) { // not as root, who writes anyway
        ConnectorStore readOnly(dir.path());
        QList<Connector> list;
        QVERIFY(!readOnly.load(&list, &error));
        QCOMPARE(list.size(), 2);
        QVERIFY(list.at(0).projects.isEmpty());
        QVERIFY(list.at(1).validation.checks.isEmpty());
    }
    QVERIFY(
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    QCOMPARE(SqliteConnection(path).value(QStringLiteral("PRAGMA user_version")).toInt(), 1000);

    ConnectorStore store(dir.path());
    QList<Connector> list;
    QVERIFY2(store.load(&list, &error), qPrintable(error));
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(0).name, a.name);
    QCOMPARE(list.at(0).identity, a.identity);
    QVERIFY(list.at(0).projects.isEmpty()); // nothing invented
    QVERIFY(list.at(1).validation.checks.isEmpty());
    QCOMPARE(list.at(1).validation.message, b.validation.message);
    SqliteConnection after(path);
    QCOMPARE(after.value(QStringLiteral("PRAGMA user_version")).toInt(), 1002); // 1.0 -> 1.1 -> 1.2
    QCOMPARE(after.value(QStringLiteral("PRAGMA quick_check")).toString(), QStringLiteral("ok"));
    // The new columns are written and read back.
    Connector scoped = list.at(0);
    scoped.projects = { QStringLiteral("ACME") };
    QVERIFY2(store.update(scoped, &error), qPrintable(error));
    QVERIFY(store.setValidation(scoped.id, b.validation, &error));
    ConnectorStore again(dir.path());
    QVERIFY2(again.load(&list, &error), qPrintable(error));
    QCOMPARE(list.at(0).projects, QStringList { QStringLiteral("ACME") });
    QCOMPARE(list.at(0).validation.checks, b.validation.checks);
}

void TestConnectorStore::newerMajorIsReadOnly()
{
    QTemporaryDir dir;
    QString error;
    {
        ConnectorStore store(dir.path());
        QList<Connector> list;
        QVERIFY(store.load(&list, &error));
        QVERIFY(store.insert(sample(1), &error));
    }
    {
        SqliteConnection newer(dir.filePath(QStringLiteral("connectors.db")));
        QVERIFY(newer.exec(QStringLiteral("PRAGMA user_version = 2001")));
    }
    const QString path = dir.filePath(QStringLiteral("connectors.db"));
    const QByteArray before = readAll(path);
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QVERIFY(!store.load(&list, &error));
    QVERIFY2(error.contains(QLatin1String("newer Connector Desk")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("2.1")), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QCOMPARE(list.size(), 1); // shown, read-only
    QCOMPARE(store.state(), ConnectorStore::State::Blocked);
    QVERIFY(!store.insert(sample(2), &error));
    QVERIFY(!store.setValidation(list.first().id, ValidationState(), &error));
    store.keepReadOnly();
    QVERIFY(!store.remove(list.first().id, &error));
    QCOMPARE(readAll(path), before);
}

void TestConnectorStore::badFile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("problem");

    QByteArray good;
    {
        QTemporaryDir dir;
        ConnectorStore store(dir.path());
        QList<Connector> list;
        QString error;
        store.load(&list, &error);
        for (int i = 0; i < 40; ++i)
            list << sample(i);
        store.write(list, {}, &error);
        SqliteConnection c(store.filePath());
        c.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        good = readAll(store.filePath());
    }
    QVERIFY(good.size() > 8192);
    QTest::newRow("not SQLite") << QByteArray("{\"schemaVersion\": 1, \"connectors\": []}")
                                << "not an SQLite file";
    QTest::newRow("zero bytes") << QByteArray() << "empty (0 bytes)";
    QTest::newRow("header only") << good.left(60) << "cut short";
    QTest::newRow("truncated") << good.left(good.size() / 2) << "damaged";
    QByteArray scribbled = good;
    for (qsizetype page = 4096; page + 16 <= scribbled.size(); page += 4096) {
        for (int i = 0; i < 16; ++i)
            scribbled[page + i] = char(0xA5); // every b-tree page header after the first
    }
    QTest::newRow("damaged page") << scribbled << "damaged";

    QTemporaryDir foreign;
    {
        SqliteConnection c(foreign.filePath(QStringLiteral("x.db")));
        c.exec(QStringLiteral("CREATE TABLE photos (path TEXT)"));
    }
    QTest::newRow("another program's database")
        << readAll(foreign.filePath(QStringLiteral("x.db"))) << "not a Connector Desk database";
}

void TestConnectorStore::badFile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, problem);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("connectors.db"));
    writeAll(path, bytes);

    ConnectorStore store(dir.path());
    QList<Connector> list { sample(9) };
    QString error;
    QVERIFY(!store.load(&list, &error));
    QVERIFY(list.isEmpty());
    QVERIFY2(error.contains(problem), qPrintable(error));
    QVERIFY2(error.contains(QDir::toNativeSeparators(path)), qPrintable(error)); // names the file
    QCOMPARE(store.state(), ConnectorStore::State::Blocked);

    // Writing is refused, and the file stays byte-for-byte, also after keepReadOnly().
    QString saveError;
    QVERIFY(!store.insert(sample(3), &saveError));
    QVERIFY2(
        saveError.contains(QLatin1String("Move the damaged file aside")), qPrintable(saveError));
    store.keepReadOnly();
    QVERIFY(!store.write({ sample(3) }, {}, &saveError));
    QVERIFY(!store.load(&list, &error)); // and again on the next start
    QCOMPARE(readAll(path), bytes);
}

void TestConnectorStore::diskFullKeepsEverything()
{
    // A write that fails half-way (file size limit: works as root too) must leave the
    // previous state intact and report an error.
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    QVERIFY(store.write({ sample(1), sample(2) }, {}, &error));
    {
        SqliteConnection c(store.filePath());
        QVERIFY(c.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
    }
    const QByteArray before = readAll(store.filePath());

    QList<Connector> many;
    for (int i = 10; i < 510; ++i)
        many << sample(i);
    struct rlimit old;
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
    auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 32768; // the -shm file fits, the write-ahead log of 500 rows does not
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
    const bool saved = store.write(many, {}, &error);
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previousHandler);

    QVERIFY(!saved);
    QVERIFY2(error.contains(QLatin1String("could not be written")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("Nothing was changed")), qPrintable(error));
    QCOMPARE(readAll(store.filePath()), before);
    ConnectorStore again(dir.path());
    QVERIFY(again.load(&list, &error));
    QCOMPARE(list.size(), 2);
    QVERIFY(store.insert(sample(3), &error)); // and the store goes on
}

void TestConnectorStore::busyWaitsThenSaysTryAgain()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    store.setBusyTimeout(300);
    SqliteConnection other(store.filePath());
    QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE"))); // another process's long write
    QVERIFY(!store.insert(sample(1), &error));
    QVERIFY2(error.contains(QLatin1String("busy")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("try again")), qPrintable(error));
    QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    QVERIFY2(store.insert(sample(1), &error), qPrintable(error));
}

void TestConnectorStore::severalResultsInOneTransaction()
{
    Filled filled(3);
    QVERIFY(filled.ok);
    ConnectorStore &store = filled.store;
    QString &error = filled.error;
    const Connector a = filled.connectors.at(0), b = filled.connectors.at(1),
                    c = filled.connectors.at(2);
    SqliteConnection other(store.filePath());
    QVERIFY(other.exec(QStringLiteral("PRAGMA foreign_keys = ON")));
    QVERIFY(other.exec(QStringLiteral("DELETE FROM connectors WHERE id = ?"),
        { b.id.toString(QUuid::WithoutBraces) }));

    // b was removed by another process: skipped and named, the others written.
    const QString hostile = QStringLiteral("<b>x</b>\x1b[2J\r\n");
    QList<QUuid> missing;
    QVERIFY2(store.setValidations({ { a.id, result(ValidationStatus::Verified, 1) },
                                      { b.id, result(ValidationStatus::Failed, 1) },
                                      { c.id, result(ValidationStatus::Failed, 1, hostile) } },
                 &missing, &error),
        qPrintable(error));
    QCOMPARE(missing, QList<QUuid> { b.id });
    QCOMPARE(store.history(a.id, &error).size(), 1);
    QCOMPARE(store.history(c.id, &error).first().message, hostile);
    QList<Connector> loaded;
    QVERIFY(store.load(&loaded, &error));
    QCOMPARE(loaded.size(), 2);
    for (const Connector &one : std::as_const(loaded))
        QCOMPARE(one.validation.status,
            one.id == a.id ? ValidationStatus::Verified : ValidationStatus::Failed);

    // Another process holds the database: none of them is written (all or nothing).
    store.setBusyTimeout(100);
    QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
    QVERIFY(!store.setValidations({ { a.id, result(ValidationStatus::Failed, 2) },
                                      { c.id, result(ValidationStatus::Verified, 2) } },
        &missing, &error));
    QVERIFY(store.lastFailureWasBusy());
    QVERIFY(missing.isEmpty());
    QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    QCOMPARE(store.history(a.id, &error).size(), 1);
    QCOMPARE(store.history(c.id, &error).size(), 1);
    QVERIFY(store.load(&loaded, &error));
    for (const Connector &one : std::as_const(loaded))
        QCOMPARE(one.validation.checkedAt, result(ValidationStatus::Verified, 1).checkedAt);
}

void TestConnectorStore::keptStatementsHoldNothingOpen()
{
    // The statements of a result's write are prepared once and kept (ConnectorStore::
    // prepared()); none may stay in the middle of its rows afterwards: that would hold a read
    // snapshot open, and no checkpoint could ever empty the WAL again, another process's or
    // this one's.
    Filled filled(2);
    QVERIFY(filled.ok);
    ConnectorStore &store = filled.store;
    QString &error = filled.error;
    const Connector a = filled.connectors.at(0), b = filled.connectors.at(1);
    for (int round = 1; round <= 3; ++round) {
        QList<QUuid> missing;
        QVERIFY2(store.setValidations({ { a.id, result(ValidationStatus::Verified, round) },
                                          { b.id, result(ValidationStatus::NotVerified, round) } },
                     &missing, &error),
            qPrintable(error));
        QVERIFY(store.setValidation(a.id, result(ValidationStatus::Failed, round + 10), &error));
    }
    SqliteConnection other(store.filePath());
    // (busy, WAL frames, frames checkpointed): busy 0 when no connection holds a snapshot.
    QCOMPARE(other.value(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")).toInt(), 0);
    // And what was written is all there, read by another connection.
    QCOMPARE(other
                 .value(QStringLiteral("SELECT COUNT(*) FROM history WHERE connector_id = '%1'")
                            .arg(a.id.toString(QUuid::WithoutBraces)))
                 .toInt(),
        6);
    // A store opened again prepares its statements again (the kept ones went with the old
    // connection) and still writes.
    QList<Connector> list;
    QVERIFY(store.load(&list, &error));
    QVERIFY(store.setValidation(b.id, result(ValidationStatus::Verified, 20), &error));
    QCOMPARE(store.history(b.id, &error).first().status, ValidationStatus::Verified);
}

void TestConnectorStore::backgroundCheckpointsFoldTheLogIn()
{
    // The window's store: SQLite's own checkpoint is off, and once the log holds walBytes the
    // WalCheckpointer copies it into the database on its own thread; the next commit starts
    // the log again, cut to a quarter of walBytes.
    Filled filled(2);
    QVERIFY(filled.ok);
    ConnectorStore &store = filled.store;
    QString &error = filled.error;
    const Connector a = filled.connectors.at(0);
    const qint64 walBytes = 64 * 1024; // 16 pages: far below SQLite's own 1000
    store.setBackgroundCheckpoints(true, walBytes);
    QVERIFY(!store.backgroundCheckpointer());
    int round = 0;
    for (; round < 2000 && !store.backgroundCheckpointer(); ++round)
        QVERIFY2(
            store.setValidation(a.id, result(ValidationStatus::Verified, round % 1440), &error),
            qPrintable(error));
    QVERIFY2(store.backgroundCheckpointer(), "no checkpoint was asked for");
    const QString wal = store.filePath() + QStringLiteral("-wal");
    QVERIFY(QFileInfo(wal).size() >= walBytes);
    // (Its result is posted to this thread: the spy, made before the event loop runs, sees it.)
    QSignalSpy finished(store.backgroundCheckpointer(), &WalCheckpointer::finished);
    QTRY_COMPARE(finished.count(), 1);
    const QList<QVariant> args = finished.takeFirst();
    QVERIFY2(args.at(0).toBool(), qPrintable(args.at(3).toString()));
    QVERIFY(args.at(1).toInt() > 0);
    QCOMPARE(args.at(2).toInt(), args.at(1).toInt()); // all of it: nothing else reads

    // The database file alone, without its log, now holds every write.
    QTemporaryDir copyDir;
    const QString copy = copyDir.filePath(QStringLiteral("alone.db"));
    QVERIFY(QFile::copy(store.filePath(), copy));
    const QString name = QStringLiteral("alone");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(copy);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM history WHERE connector_id = '%1'")
                           .arg(a.id.toString(QUuid::WithoutBraces)))
            && q.next());
        QCOMPARE(q.value(0).toInt(), int(store.history(a.id, &error).size()));
        QVERIFY(q.value(0).toInt() > 1);
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);

    // The next write starts the log again, from its beginning: the file is cut to a quarter
    // of walBytes or to that one write's pages, whichever is larger (it was walBytes or more).
    QVERIFY(store.setValidation(a.id, result(ValidationStatus::Failed, 1439), &error));
    const qint64 after = QFileInfo(wal).size();
    QVERIFY2(after > 0 && after < walBytes / 2, qPrintable(QString::number(after)));
}

void TestConnectorStore::migration_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("written by 0.x") << "connectors-1.0.json";
    QTest::newRow("newer minor, unknown fields") << "connectors-1.2-newer-minor.json";
}

void TestConnectorStore::migration()
{
    QFETCH(QString, file);
    QTemporaryDir dir;
    const QString json = dir.filePath(QStringLiteral("connectors.json"));
    QVERIFY(QFile::copy(fixture(file), json));
    const QByteArray bytes = readAll(json);
    QList<Connector> expected;
    QString error;
    QVERIFY2(ConnectorJson::readFile(json, &expected, &error), qPrintable(error));
    QCOMPARE(expected.size(), 4);

    ConnectorStore store(dir.path());
    QList<Connector> list;
    QVERIFY2(store.load(&list, &error), qPrintable(error));
    QCOMPARE(list, expected); // every field, in the file's order
    QCOMPARE(list.at(1).pinnedCertificateSha256.toHex(),
        QByteArray("8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"));
    QVERIFY(list.at(2).validation.credentialsRejected);
    QVERIFY(!list.at(2).verifySsl);
    QVERIFY(list.at(3).needsSecret);
    QVERIFY(list.at(3).validation.hostNotFound);
    if (file.contains(QLatin1String("newer"))) {
        QCOMPARE(list.at(0).unknownFields.value(QStringLiteral("tags")).toArray().size(), 2);
        QCOMPARE(list.at(1).unknownFields.value(QStringLiteral("futureField")).toString(),
            QStringLiteral("keep me"));
    }
    QVERIFY2(store.migrationNotice().contains(QLatin1String("connectors.json.migrated")),
        qPrintable(store.migrationNotice()));
    // Renamed, byte for byte, never deleted; not migrated a second time.
    QVERIFY(!QFile::exists(json));
    QCOMPARE(readAll(json + QStringLiteral(".migrated")), bytes);
    ConnectorStore again(dir.path());
    QVERIFY(again.load(&list, &error));
    QCOMPARE(list.size(), 4);
    QVERIFY(again.migrationNotice().isEmpty());

    // The unknown fields are written back with the row when it changes.
    Connector c = list.at(0);
    c.name = QStringLiteral("Renamed");
    QVERIFY(again.update(c, &error));
    ConnectorStore third(dir.path());
    QVERIFY(third.load(&list, &error));
    QCOMPARE(list.at(0).unknownFields, expected.at(0).unknownFields);
}

void TestConnectorStore::badLegacyFileIsLeftAlone_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("problem");
    const QByteArray good = ConnectorJson::serialize({ sample(1), sample(2) }, {}, 0);
    QTest::newRow("not json") << QByteArray("this is not json") << "not valid JSON";
    QTest::newRow("truncated") << good.left(good.size() / 2) << "truncated";
    QTest::newRow("empty file") << QByteArray() << "not valid JSON";
    QTest::newRow("array at top") << QByteArray("[]") << "not a JSON object";
    QTest::newRow("no version") << QByteArray(R"({"connectors": []})") << "schemaVersion";
    QTest::newRow("newer major") << QByteArray(R"({"schemaVersion": 2, "connectors": []})")
                                 << "newer";
    QTest::newRow("connector not object")
        << QByteArray(R"({"schemaVersion": 1, "connectors": [3]})") << "#1";
    QTest::newRow("verifySsl a string") << QByteArray(
        R"({"schemaVersion": 1, "connectors": [{"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "a", "url": "https://a", "authType": "basic", "verifySsl": "yes"}]})")
                                        << "verifySsl";
    QTest::newRow("bad auth type") << QByteArray(
        R"({"schemaVersion": 1, "connectors": [{"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "a", "url": "https://a", "authType": "kerberos"}]})")
                                   << "authType";
    QByteArray dup = R"({"schemaVersion": 1, "connectors": [
        {"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "a", "url": "https://a", "authType": "basic"},
        {"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "b", "url": "https://b", "authType": "basic"}]})";
    QTest::newRow("duplicate ids") << dup << "same id";
    QByteArray sameName = R"({"schemaVersion": 1, "connectors": [
        {"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "Prod", "url": "https://a", "authType": "basic"},
        {"id": "2b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "PROD ", "url": "https://b", "authType": "basic"}]})";
    QTest::newRow("same name twice") << sameName << "two connectors are named";
}

void TestConnectorStore::badLegacyFileIsLeftAlone()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, problem);
    QTemporaryDir dir;
    const QString json = dir.filePath(QStringLiteral("connectors.json"));
    writeAll(json, bytes);
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(!store.load(&list, &error));
    QVERIFY2(error.contains(problem), qPrintable(error));
    QVERIFY2(error.contains(json), qPrintable(error));
    QCOMPARE(store.state(), ConnectorStore::State::Blocked);
    QVERIFY(!store.insert(sample(1), &error));
    QCOMPARE(readAll(json), bytes);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { "connectors.json" });

    // Moving it aside starts an empty database.
    QString movedTo;
    QVERIFY2(store.moveBadFileAside(&movedTo, &error), qPrintable(error));
    QVERIFY(movedTo.startsWith(json + QStringLiteral(".bad-")));
    QCOMPARE(readAll(movedTo), bytes);
    QCOMPARE(store.state(), ConnectorStore::State::Ok);
    QVERIFY(store.insert(sample(1), &error));
}

void TestConnectorStore::legacyFileTooLarge()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("connectors.json"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.write("{\"schemaVersion\": 1, \"connectors\": []}") > 0);
        QVERIFY(f.resize(ConnectorJson::kMaxFileSize + 1)); // sparse: cheap on disk
    }
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(!store.load(&list, &error));
    QVERIFY2(error.contains(QLatin1String("64 MiB")), qPrintable(error));
    QCOMPARE(QFileInfo(path).size(), ConnectorJson::kMaxFileSize + 1);
    QVERIFY(!QFile::exists(store.filePath()));
}

void TestConnectorStore::moveAside()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("connectors.db"));
    const QByteArray bad("not a database at all");
    writeAll(path, bad);
    writeAll(path + QStringLiteral("-wal"), "its log");
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(!store.load(&list, &error));
    QString movedTo;
    QVERIFY2(store.moveBadFileAside(&movedTo, &error), qPrintable(error));
    QVERIFY(movedTo.startsWith(path + QStringLiteral(".bad-")));
    QCOMPARE(readAll(movedTo), bad); // kept, not deleted
    QCOMPARE(readAll(movedTo + QStringLiteral("-wal")), QByteArray("its log")); // goes along
    QCOMPARE(store.state(), ConnectorStore::State::Ok);
    QVERIFY(store.insert(sample(1), &error));
    ConnectorStore again(dir.path());
    QVERIFY(again.load(&list, &error));
    QCOMPARE(list.size(), 1);
}

void TestConnectorStore::uncreatableDirectory()
{
    QTemporaryDir dir;
    writeAll(dir.filePath(QStringLiteral("a-file")), "x");
    ConnectorStore store(dir.filePath(QStringLiteral("a-file/data")));
    QList<Connector> list;
    QString error;
    QVERIFY(!store.load(&list, &error));
    QVERIFY2(error.contains(QLatin1String("cannot be created")), qPrintable(error));
    QVERIFY(!store.insert(sample(1), &error));
}

void TestConnectorStore::oddCharactersInThePath()
{
    // Characters that mean something in a URI (the database is opened through one).
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("Ünï cødé #1 ?x=%20&y;z"));
    ConnectorStore store(data);
    QList<Connector> list;
    QString error;
    QVERIFY2(store.load(&list, &error), qPrintable(error));
    QVERIFY(store.insert(sample(1), &error));
    QVERIFY(QFile::exists(data + QStringLiteral("/connectors.db")));
    ConnectorStore again(data);
    QVERIFY2(again.load(&list, &error), qPrintable(error));
    QCOMPARE(list.size(), 1);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 1); // no stray
}

void TestConnectorStore::pendingSecrets()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    const Connector owned = sample(2); // Basic, with a secret
    QVERIFY(store.insert(owned, &error));
    const QUuid orphan = QUuid::createUuid();
    // Marks of this (running) process are in flight, not abandoned.
    QVERIFY(store.markPendingSecret(
        secretKey(orphan, QStringLiteral("jama-connect"), QStringLiteral("basic")), orphan,
        &error));
    QVERIFY(store.abandonedPendingSecrets(&error).isEmpty());

    // A process that has ended.
    QProcess gone;
    gone.start(QStringLiteral("sleep"), { QStringLiteral("0.05") });
    QVERIFY(gone.waitForStarted());
    const qint64 deadPid = gone.processId(); // read while it runs, then it ends
    QVERIFY(deadPid > 0);
    QVERIFY(gone.waitForFinished());
    SqliteConnection other(store.filePath());
    QVERIFY(other.exec(QStringLiteral("UPDATE pending_secrets SET pid = %1").arg(deadPid)));
    QVERIFY(other.exec(
        QStringLiteral("INSERT INTO pending_secrets SELECT '%1', '%2', %3, host, created_at FROM "
                       "pending_secrets")
            .arg(secretKey(owned.id, QStringLiteral("jama-connect"), QStringLiteral("basic")),
                owned.id.toString(QUuid::WithoutBraces))
            .arg(deadPid)));
    QVERIFY(other.exec(
        QStringLiteral("INSERT INTO pending_secrets SELECT '%1', '%2', %3, host, created_at FROM "
                       "pending_secrets LIMIT 1")
            .arg(secretKey(owned.id, QStringLiteral("jama-connect"), QStringLiteral("oauth")),
                owned.id.toString(QUuid::WithoutBraces))
            .arg(deadPid)));
    QList<ConnectorStore::PendingSecret> pending = store.abandonedPendingSecrets(&error);
    QCOMPARE(pending.size(), 3);
    std::sort(
        pending.begin(), pending.end(), [](const auto &a, const auto &b) { return a.key < b.key; });
    for (const ConnectorStore::PendingSecret &p : std::as_const(pending)) {
        // Only the secret the row really has is claimed: its own auth type's key.
        const bool expected
            = p.key == secretKey(owned.id, QStringLiteral("jama-connect"), QStringLiteral("basic"));
        QCOMPARE(p.claimed, expected);
    }
    // Clearing another process's mark does nothing: it must be taken over first, and only
    // as it was read (a mark changed meanwhile stays with whoever changed it).
    QVERIFY(store.clearPendingSecret(pending.first().key, &error));
    QCOMPARE(store.abandonedPendingSecrets(&error).size(), 3);
    ConnectorStore::PendingSecret stale = pending.first();
    stale.createdAt -= 1;
    QVERIFY(!store.takeOverPendingSecret(stale, &error));
    for (const ConnectorStore::PendingSecret &p : std::as_const(pending)) {
        QVERIFY(store.takeOverPendingSecret(p, &error));
        QVERIFY(!store.takeOverPendingSecret(p, &error)); // once
        QVERIFY(store.clearPendingSecret(p.key, &error));
    }
    QVERIFY(store.abandonedPendingSecrets(&error).isEmpty());

    // A key that another running process has marked cannot be marked here: its keychain call
    // may still land. "Try again", as for a busy database.
    const QString liveKey
        = secretKey(QUuid::createUuid(), QStringLiteral("jama-connect"), QStringLiteral("basic"));
    QVERIFY(other.exec(QStringLiteral("INSERT INTO pending_secrets SELECT '%1', 'x', %2, '%3', "
                                      "%4")
                           .arg(liveKey)
                           .arg(qint64(::getppid()))
                           .arg(QSysInfo::machineHostName())
                           .arg(QDateTime::currentMSecsSinceEpoch())));
    QVERIFY(!store.markPendingSecret(liveKey, QUuid::createUuid(), &error));
    QVERIFY(store.lastFailureWasBusy());
    QVERIFY2(error.contains(QLatin1String("try again")), qPrintable(error));
    QVERIFY(other.exec(QStringLiteral("DELETE FROM pending_secrets")));

    // A row change and its mark are one transaction.
    QVERIFY(store.remove(owned.id, &error,
        secretKey(owned.id, QStringLiteral("jama-connect"), QStringLiteral("basic"))));
    QCOMPARE(other.value(QStringLiteral("SELECT count(*) FROM pending_secrets")).toInt(), 1);
}

void TestConnectorStore::historyKeepsTheNewestResults()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    const Connector a = sample(1), b = sample(2);
    QVERIFY(store.insert(a, &error));
    QVERIFY(store.insert(b, &error));
    QVERIFY(store.history(a.id, &error).isEmpty());
    // 25 results: the newest 20 stay, newest first.
    for (int minute = 0; minute < 25; ++minute) {
        QVERIFY2(
            store.setValidation(a.id,
                result(minute % 2 ? ValidationStatus::Failed : ValidationStatus::Verified, minute),
                &error),
            qPrintable(error));
    }
    QVERIFY(store.setValidation(b.id, result(ValidationStatus::Warning, 3), &error));
    QList<HistoryEntry> history = store.history(a.id, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(history.size(), kHistoryLimit);
    for (int i = 0; i < history.size(); ++i) {
        const int minute = 24 - i;
        QCOMPARE(history.at(i).checkedAt, result(ValidationStatus::Verified, minute).checkedAt);
        QCOMPARE(history.at(i).status,
            minute % 2 ? ValidationStatus::Failed : ValidationStatus::Verified);
        QCOMPARE(history.at(i).message, QStringLiteral("result %1").arg(minute));
    }
    SqliteConnection other(store.filePath());
    QCOMPARE(
        other.value(QStringLiteral("SELECT count(*) FROM history")).toInt(), kHistoryLimit + 1);
    // Another connector's history is its own.
    QCOMPARE(store.history(b.id, &error),
        QList<HistoryEntry> { historyEntry(result(ValidationStatus::Warning, 3)) });

    // A state without a time (reset by an edit or a new secret) is no result; the same result
    // recorded again (a retry) is one result; the flags are kept.
    QVERIFY(store.setValidation(b.id, ValidationState(), &error));
    ValidationState missing = result(ValidationStatus::Failed, 9, QStringLiteral("No such host."));
    missing.hostNotFound = true;
    missing.credentialsRejected = true;
    QVERIFY(store.setValidation(b.id, missing, &error));
    QVERIFY(store.setValidation(b.id, missing, &error));
    history = store.history(b.id, &error);
    QCOMPARE(history.size(), 2);
    QCOMPARE(history.first(), historyEntry(missing));
    QVERIFY(history.first().hostNotFound && history.first().credentialsRejected);

    // Every connector's history in one read, the same as one by one.
    const QHash<QUuid, QList<HistoryEntry>> all = store.histories(&error);
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.value(a.id), store.history(a.id, &error));
    QCOMPARE(all.value(b.id), history);
    // And from another connection (another process).
    ConnectorStore again(dir.path());
    QVERIFY(again.load(&list, &error));
    QCOMPARE(again.history(a.id, &error), store.history(a.id, &error));
}

void TestConnectorStore::historyMergesRetriesThatDidNotReach()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    const Connector a = sample(1);
    QVERIFY(store.insert(a, &error));
    const QString down = QStringLiteral("The server did not answer: checked again later.");
    QVERIFY(store.setValidation(
        a.id, result(ValidationStatus::Failed, 1, QStringLiteral("No.")), &error));
    // A server down for a long time: the queue retries and records "not reached" each time.
    for (int minute = 2; minute < 60; ++minute)
        QVERIFY(
            store.setValidation(a.id, result(ValidationStatus::NotVerified, minute, down), &error));
    QList<HistoryEntry> history = store.history(a.id, &error);
    QCOMPARE(history.size(), 2); // the failure is still there
    QCOMPARE(history.at(0), historyEntry(result(ValidationStatus::NotVerified, 59, down)));
    QCOMPARE(history.at(1).status, ValidationStatus::Failed);
    // Another reason is another entry; definite results are never merged.
    QVERIFY(store.setValidation(
        a.id, result(ValidationStatus::NotVerified, 60, QStringLiteral("No network.")), &error));
    QVERIFY(store.setValidation(
        a.id, result(ValidationStatus::Failed, 61, QStringLiteral("No.")), &error));
    QVERIFY(store.setValidation(
        a.id, result(ValidationStatus::Failed, 62, QStringLiteral("No.")), &error));
    history = store.history(a.id, &error);
    QCOMPARE(history.size(), 5);
    // Failing since the first failure: the checks that did not reach the server in between do
    // not end the run.
    const StatusRun run = statusRun(history);
    QCOMPARE(run.status, ValidationStatus::Failed);
    QCOMPARE(run.count, 3);
    QCOMPARE(run.since, result(ValidationStatus::Failed, 1).checkedAt);
}

void TestConnectorStore::historyTextIsStoredVerbatim()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    const Connector a = sample(1);
    QVERIFY(store.insert(a, &error));
    const QString hostile = QStringLiteral(
        "<a href=\"https://evil.example\">click</a> '; DROP TABLE history; -- \x1b]52;c;aGk=\x07"
        "\u202e\n\t%1 %s \\ ünï");
    QVERIFY(store.setValidation(a.id, result(ValidationStatus::Failed, 1, hostile), &error));
    QVERIFY(store.setValidation(a.id, result(ValidationStatus::Failed, 2, QString()), &error));
    ValidationState empty = result(ValidationStatus::Verified, 3);
    empty.message = QString(); // null: stored as ""
    QVERIFY(store.setValidation(a.id, empty, &error));
    const QList<HistoryEntry> history = store.history(a.id, &error);
    QCOMPARE(history.size(), 3);
    QCOMPARE(history.at(2).message, hostile);
    QVERIFY(history.at(0).message.isEmpty());
    ConnectorStore again(dir.path());
    QVERIFY(again.load(&list, &error));
    QCOMPARE(again.history(a.id, &error).at(2).message, hostile);
}

void TestConnectorStore::historyGoesWithItsConnector()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(store.load(&list, &error));
    const Connector a = sample(1), b = sample(2);
    QVERIFY(store.insert(a, &error));
    QVERIFY(store.insert(b, &error));
    for (int minute = 0; minute < 5; ++minute) {
        QVERIFY(store.setValidation(a.id, result(ValidationStatus::Failed, minute), &error));
        QVERIFY(store.setValidation(b.id, result(ValidationStatus::Verified, minute), &error));
    }
    const QList<HistoryEntry> before = store.history(a.id, &error);
    QCOMPARE(before.size(), 5);

    // Removed: its rows go in the same transaction, and the caller gets them (for an undo).
    QList<HistoryEntry> removed;
    QVERIFY(store.remove(a.id, &error, {}, &removed));
    QCOMPARE(removed, before);
    SqliteConnection other(store.filePath());
    QCOMPARE(other
                 .value(QStringLiteral("SELECT count(*) FROM history WHERE connector_id = '%1'")
                            .arg(a.id.toString(QUuid::WithoutBraces)))
                 .toInt(),
        0);
    QCOMPARE(store.history(b.id, &error).size(), 5); // the other's stays

    // Put back (undo): the same id, the same history, in order.
    Connector restored = a;
    restored.validation = result(ValidationStatus::Failed, 4);
    QVERIFY2(store.insert(restored, &error, {}, removed), qPrintable(error));
    QCOMPARE(store.history(a.id, &error), before);
    QVERIFY(store.setValidation(a.id, result(ValidationStatus::Verified, 6), &error));
    QCOMPARE(store.history(a.id, &error).size(), 6);
    QCOMPARE(store.history(a.id, &error).at(1), before.first());

    // Removed by another program's connection (with foreign keys on, as every connection of
    // Connector Desk since 1.0 has them): the rows go along too.
    QVERIFY(other.exec(QStringLiteral("PRAGMA foreign_keys = ON")));
    QVERIFY(other.exec(QStringLiteral("DELETE FROM connectors WHERE id = ?"),
        { b.id.toString(QUuid::WithoutBraces) }));
    QCOMPARE(other
                 .value(QStringLiteral("SELECT count(*) FROM history WHERE connector_id = '%1'")
                            .arg(b.id.toString(QUuid::WithoutBraces)))
                 .toInt(),
        0);
    // A result for a connector that is gone adds nothing.
    QVERIFY(!store.setValidation(b.id, result(ValidationStatus::Verified, 9), &error));
    QCOMPARE(other.value(QStringLiteral("SELECT count(*) FROM history")).toInt(), 6);
}

void TestConnectorStore::schema11IsUpgraded()
{
    // A file of Connector Desk 1.1: projects and checks, no history.
    QTemporaryDir dir;
    QString error;
    Connector a = sample(1), b = sample(2);
    a.projects = { QStringLiteral("ACME") };
    {
        ConnectorStore store(dir.path());
        QList<Connector> list;
        QVERIFY(store.load(&list, &error));
        QVERIFY(store.insert(a, &error));
        QVERIFY(store.insert(b, &error));
        SqliteConnection old(store.filePath());
        QVERIFY(old.exec(QStringLiteral("DROP TABLE history")));
        QVERIFY(old.exec(QStringLiteral("PRAGMA user_version = 1001")));
    }
    const QString path = QDir(dir.path()).filePath(QStringLiteral("connectors.db"));
    // Read-only (the folder cannot be written): shown as it is, nothing migrated, no history.
    QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
    if (!QFileInfo(dir.path()).isWritable()) { // not as root, who writes anyway
        ConnectorStore readOnly(dir.path());
        QList<Connector> list;
        QVERIFY(!readOnly.load(&list, &error));
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(0), a);
        QCOMPARE(list.at(1), b);
        QVERIFY(readOnly.history(a.id, &error).isEmpty());
        QVERIFY(readOnly.histories(&error).isEmpty());
    }
    QVERIFY(
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    QCOMPARE(SqliteConnection(path).value(QStringLiteral("PRAGMA user_version")).toInt(), 1001);

    ConnectorStore store(dir.path());
    QList<Connector> list;
    QVERIFY2(store.load(&list, &error), qPrintable(error));
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(0), a); // intact: definition, scope, last result and checklist
    QCOMPARE(list.at(1), b);
    {
        SqliteConnection after(path);
        QCOMPARE(after.value(QStringLiteral("PRAGMA user_version")).toInt(), 1002);
        QCOMPARE(
            after.value(QStringLiteral("PRAGMA quick_check")).toString(), QStringLiteral("ok"));
        QCOMPARE(after.value(QStringLiteral("SELECT count(*) FROM history")).toInt(), 0);
        QCOMPARE(after
                     .value(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = "
                                           "'index' AND name = 'history_connector'"))
                     .toInt(),
            1);
    }
    // Nothing invented: the last result of 1.1 has no history row.
    QVERIFY(store.history(a.id, &error).isEmpty());
    QVERIFY(store.setValidation(a.id, result(ValidationStatus::Failed, 1), &error));
    QCOMPARE(store.history(a.id, &error).size(), 1);
    // Opened again: no second migration.
    ConnectorStore again(dir.path());
    QVERIFY2(again.load(&list, &error), qPrintable(error));
    QCOMPARE(again.history(a.id, &error).size(), 1);
}

void TestConnectorStore::concurrentWritersKeepTheLimit()
{
    // Two connections (as two processes would have) record results for the same connector at
    // the same time, each on its own thread: the history never holds more than the limit.
    QTemporaryDir dir;
    QString error;
    const Connector a = sample(1);
    {
        ConnectorStore store(dir.path());
        QList<Connector> list;
        QVERIFY(store.load(&list, &error));
        QVERIFY(store.insert(a, &error));
    }
    constexpr int kEach = 30;
    QStringList failures[2];
    QList<QThread *> threads;
    for (int w = 0; w < 2; ++w) {
        threads.append(QThread::create([&, w] {
            ConnectorStore store(dir.path());
            QList<Connector> list;
            QString why;
            if (!store.load(&list, &why)) {
                failures[w] << why;
                return;
            }
            for (int i = 0; i < kEach; ++i) {
                // Writer 0 the even minutes, writer 1 the odd ones.
                if (!store.setValidation(a.id,
                        result(ValidationStatus::Failed, 2 * i + w,
                            QStringLiteral("writer %1 result %2").arg(w).arg(i)),
                        &why))
                    failures[w] << why;
            }
        }));
    }
    for (QThread *t : threads)
        t->start();
    for (QThread *t : threads) {
        QVERIFY(t->wait(60000));
        delete t;
    }
    QVERIFY2(failures[0].isEmpty(), qPrintable(failures[0].join(QLatin1Char('\n'))));
    QVERIFY2(failures[1].isEmpty(), qPrintable(failures[1].join(QLatin1Char('\n'))));
    SqliteConnection other(QDir(dir.path()).filePath(QStringLiteral("connectors.db")));
    QCOMPARE(other.value(QStringLiteral("SELECT count(*) FROM history")).toInt(), kHistoryLimit);
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QVERIFY(store.load(&list, &error));
    const QList<HistoryEntry> history = store.history(a.id, &error);
    QCOMPARE(history.size(), kHistoryLimit);
    // The newest by time, newest first: each writer's last ten.
    for (int i = 1; i < history.size(); ++i)
        QVERIFY(history.at(i - 1).checkedAt > history.at(i).checkedAt);
    QCOMPARE(
        history.first().checkedAt, result(ValidationStatus::Failed, 2 * (kEach - 1) + 1).checkedAt);
}

QTEST_GUILESS_MAIN(TestConnectorStore)
#include "tst_connectorstore.moc"
