#include "ConnectorStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <sys/resource.h>
#include <unistd.h>

using namespace cd;

class TestConnectorStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void missingFileIsEmpty();
    void roundTrip();
    void unknownFieldsSurvive();
    void badFile_data();
    void badFile();
    void tooLarge();
    void moveAside();
    void failedWriteKeepsPreviousFile();
    void readOnlyDirectory();
    void uncreatableDirectory();

private:
    static Connector sample(int n);
    static QByteArray readAll(const QString &path);
    static void writeAll(const QString &path, const QByteArray &bytes);
};

Connector TestConnectorStore::sample(int n)
{
    Connector c;
    c.id = QUuid::createUuid();
    c.name = QStringLiteral("Connector %1").arg(n);
    c.url = QStringLiteral("https://host%1.jamacloud.com").arg(n);
    c.verifySsl = n % 3 != 0;
    c.authType = n % 2 ? AuthType::OAuth : AuthType::Basic;
    c.identity = QStringLiteral("account-%1").arg(n);
    if (n % 4 == 0)
        c.pinnedCertificateSha256 = QByteArray(32, char(n));
    c.validation.status = ValidationStatus(n % 4);
    c.validation.message = QStringLiteral("message %1 \"quoted\" ünïcødé").arg(n);
    c.validation.checkedAt = QDateTime(QDate(2026, 11, 1), QTime(10, n % 60, 5, 123), Qt::UTC);
    c.validation.account = { QStringLiteral("Svc %1").arg(n), QStringLiteral("svc%1").arg(n),
        QStringLiteral("NAMED") };
    c.validation.credentialsRejected = n % 5 == 0;
    c.createdAt = QDateTime(QDate(2026, 10, 1), QTime(9, 0), Qt::UTC);
    c.updatedAt = QDateTime(QDate(2026, 10, 2), QTime(9, 0, 0, 7), Qt::UTC);
    return c;
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

void TestConnectorStore::missingFileIsEmpty()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path() + QStringLiteral("/not-yet"));
    QList<Connector> list { sample(1) };
    QString error;
    QVERIFY(store.load(&list, &error));
    QVERIFY(list.isEmpty());
    QCOMPARE(store.state(), ConnectorStore::State::Ok);
    QVERIFY(store.save({ sample(2) }, &error)); // creates the folder
    QVERIFY(QFile::exists(store.filePath()));
}

void TestConnectorStore::roundTrip()
{
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QList<Connector> written;
    for (int i = 0; i < 12; ++i)
        written << sample(i);
    QString error;
    QVERIFY2(store.save(written, &error), qPrintable(error));
    const QByteArray bytes = readAll(store.filePath());
    QVERIFY(bytes.contains("\"schemaVersion\": 1"));

    ConnectorStore again(dir.path());
    QList<Connector> read;
    QVERIFY2(again.load(&read, &error), qPrintable(error));
    QCOMPARE(read.size(), written.size());
    for (int i = 0; i < read.size(); ++i)
        QVERIFY2(read.at(i) == written.at(i), qPrintable(read.at(i).name));
    // Saving what was read gives the same bytes.
    QVERIFY(again.save(read, &error));
    QCOMPARE(readAll(store.filePath()), bytes);
}

void TestConnectorStore::unknownFieldsSurvive()
{
    QTemporaryDir dir;
    const QByteArray newer = R"({
      "schemaVersion": 1, "schemaMinor": 3, "futureTopLevel": {"a": [1, 2]},
      "connectors": [{"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect",
        "name": "Future", "url": "https://f.jamacloud.com", "authType": "basic",
        "username": "svc", "futureField": "keep me", "tags": ["x"]}]})";
    writeAll(dir.filePath(QStringLiteral("connectors.json")), newer);
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY2(store.load(&list, &error), qPrintable(error));
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().name, QStringLiteral("Future"));
    QVERIFY(list.first().verifySsl); // default on
    list.first().name = QStringLiteral("Renamed");
    QVERIFY(store.save(list, &error));
    const QJsonObject root = QJsonDocument::fromJson(readAll(store.filePath())).object();
    QCOMPARE(root.value("schemaMinor").toInt(), 3);
    QCOMPARE(root.value("futureTopLevel").toObject().value("a").toArray().size(), 2);
    const QJsonObject c = root.value("connectors").toArray().first().toObject();
    QCOMPARE(c.value("name").toString(), QStringLiteral("Renamed"));
    QCOMPARE(c.value("futureField").toString(), QStringLiteral("keep me"));
    QCOMPARE(c.value("tags").toArray().first().toString(), QStringLiteral("x"));
}

void TestConnectorStore::badFile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("problem");
    const QByteArray good = ConnectorStore::serialize({ sample(1), sample(2) }, {}, 0);
    QTest::newRow("not json") << QByteArray("this is not json") << "not valid JSON";
    QTest::newRow("truncated") << good.left(good.size() / 2) << "truncated";
    QTest::newRow("empty file") << QByteArray() << "not valid JSON";
    QTest::newRow("array at top") << QByteArray("[]") << "not a JSON object";
    QTest::newRow("no version") << QByteArray(R"({"connectors": []})") << "schemaVersion";
    QTest::newRow("newer major") << QByteArray(R"({"schemaVersion": 2, "connectors": []})")
                                 << "newer";
    QTest::newRow("connectors not a list")
        << QByteArray(R"({"schemaVersion": 1, "connectors": {}})") << "not a list";
    QTest::newRow("connector not object")
        << QByteArray(R"({"schemaVersion": 1, "connectors": [3]})") << "#1";
    QTest::newRow("name a number") << QByteArray(
        R"({"schemaVersion": 1, "connectors": [{"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": 5, "url": "https://a", "authType": "basic"}]})")
                                   << "\"name\" must be text";
    QTest::newRow("verifySsl a string") << QByteArray(
        R"({"schemaVersion": 1, "connectors": [{"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "a", "url": "https://a", "authType": "basic", "verifySsl": "yes"}]})")
                                        << "verifySsl";
    QTest::newRow("bad auth type") << QByteArray(
        R"({"schemaVersion": 1, "connectors": [{"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "a", "url": "https://a", "authType": "kerberos"}]})")
                                   << "authType";
    QTest::newRow("bad id") << QByteArray(
        R"({"schemaVersion": 1, "connectors": [{"id": "nope", "application": "jama-connect", "name": "a", "url": "https://a", "authType": "basic"}]})")
                            << "not a UUID";
    QByteArray dup = R"({"schemaVersion": 1, "connectors": [
        {"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "a", "url": "https://a", "authType": "basic"},
        {"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "application": "jama-connect", "name": "b", "url": "https://b", "authType": "basic"}]})";
    QTest::newRow("duplicate ids") << dup << "same id";
}

void TestConnectorStore::badFile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, problem);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("connectors.json"));
    writeAll(path, bytes);

    ConnectorStore store(dir.path());
    QList<Connector> list { sample(9) };
    QString error;
    QVERIFY(!store.load(&list, &error));
    QVERIFY(list.isEmpty());
    QVERIFY2(error.contains(problem), qPrintable(error));
    QVERIFY2(error.contains(QDir::toNativeSeparators(path)), qPrintable(error)); // names the file
    QCOMPARE(store.state(), ConnectorStore::State::Blocked);

    // Saving is refused, and the file stays byte-for-byte, also after keepReadOnly().
    QString saveError;
    QVERIFY(!store.save({ sample(3) }, &saveError));
    QVERIFY(saveError.contains(QLatin1String("Move the damaged file aside")));
    store.keepReadOnly();
    QVERIFY(!store.save({ sample(3) }, &saveError));
    QCOMPARE(readAll(path), bytes);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { "connectors.json" });
}

void TestConnectorStore::tooLarge()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("connectors.json"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.write("{\"schemaVersion\": 1, \"connectors\": []}") > 0);
        QVERIFY(f.resize(ConnectorStore::kMaxFileSize + 1)); // sparse: cheap on disk
    }
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(!store.load(&list, &error));
    QVERIFY2(error.contains(QLatin1String("64 MiB")), qPrintable(error));
    QCOMPARE(QFileInfo(path).size(), ConnectorStore::kMaxFileSize + 1);
    QVERIFY(!store.save({}, &error));
}

void TestConnectorStore::moveAside()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("connectors.json"));
    const QByteArray bad("{ broken");
    writeAll(path, bad);
    ConnectorStore store(dir.path());
    QList<Connector> list;
    QString error;
    QVERIFY(!store.load(&list, &error));
    QString movedTo;
    QVERIFY2(store.moveBadFileAside(&movedTo, &error), qPrintable(error));
    QVERIFY(movedTo.startsWith(path + QStringLiteral(".bad-")));
    QCOMPARE(readAll(movedTo), bad); // kept, not deleted
    QVERIFY(!QFile::exists(path));
    QCOMPARE(store.state(), ConnectorStore::State::Ok);
    QVERIFY(store.save({ sample(1) }, &error));
    QVERIFY(store.load(&list, &error));
    QCOMPARE(list.size(), 1);
}

void TestConnectorStore::failedWriteKeepsPreviousFile()
{
    // A write that fails half-way (file size limit: works as root too) must leave the
    // previous file intact and report an error.
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QString error;
    QVERIFY(store.save({ sample(1) }, &error));
    const QByteArray before = readAll(store.filePath());

    QList<Connector> many;
    for (int i = 0; i < 500; ++i)
        many << sample(i);
    struct rlimit old;
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
    auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 4096;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
    const bool saved = store.save(many, &error);
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previousHandler);

    QVERIFY(!saved);
    QVERIFY2(error.contains(QLatin1String("previous file is unchanged")), qPrintable(error));
    QCOMPARE(readAll(store.filePath()), before);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { "connectors.json" });
}

void TestConnectorStore::readOnlyDirectory()
{
    if (geteuid() == 0)
        QSKIP("Permission bits do not stop root; failedWriteKeepsPreviousFile and "
              "uncreatableDirectory cover failed writes as root.");
    QTemporaryDir dir;
    ConnectorStore store(dir.path());
    QString error;
    QVERIFY(store.save({ sample(1) }, &error));
    const QByteArray before = readAll(store.filePath());
    QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
    const bool saved = store.save({ sample(1), sample(2) }, &error);
    QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QVERIFY(!saved);
    QVERIFY2(error.contains(QLatin1String("cannot be written")), qPrintable(error));
    QCOMPARE(readAll(store.filePath()), before);
}

void TestConnectorStore::uncreatableDirectory()
{
    QTemporaryDir dir;
    writeAll(dir.filePath(QStringLiteral("a-file")), "x");
    ConnectorStore store(dir.filePath(QStringLiteral("a-file/data")));
    QString error;
    QVERIFY(!store.save({ sample(1) }, &error));
    QVERIFY2(error.contains(QLatin1String("cannot be created")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestConnectorStore)
#include "tst_connectorstore.moc"
