// The command line, end to end: the built binary against the real Secret Service of the test
// harness, a temporary data folder and the fake Jama server on a loopback port. The process
// runs without a display. Secrets are checked in the keychain with the independent
// `secret-tool`, and looked for (and must not be found) in every file under HOME and the data
// folder, in export files, and in everything the processes printed.
#include "ConnectorStore.h"
#include "FakeJamaServer.h"
#include "FakeJiraServer.h"
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <csignal>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace cd;

namespace {

// The documented exit codes (docs/cli.md): numbers, because they are a stable interface.
namespace cli {
enum { ExitOk = 0, ExitValidationFailed = 1, ExitUsage = 2, ExitNetwork = 3, ExitKeychain = 4 };
}

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    QString errText() const { return QString::fromUtf8(err); }
};

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QString lookup(const QString &key)
{
    const auto r = test::runProcess(QStringLiteral("secret-tool"),
        { QStringLiteral("lookup"), QStringLiteral("server"), QStringLiteral("connector-desk"),
            QStringLiteral("user"), key });
    return r.exitCode == 0 ? QString::fromUtf8(r.out) : QString();
}

// Every Connector Desk key in the keychain (connector/<id>/<kind>).
QStringList allKeys()
{
    const auto r = test::runProcess(QStringLiteral("secret-tool"),
        { QStringLiteral("search"), QStringLiteral("--all"), QStringLiteral("server"),
            QStringLiteral("connector-desk") });
    QStringList keys;
    for (const QByteArray &line : (r.out + r.err).split('\n')) {
        const QByteArray t = line.trimmed();
        if (t.startsWith("attribute.user = "))
            keys << QString::fromUtf8(t.mid(int(qstrlen("attribute.user = "))));
    }
    keys.sort();
    return keys;
}

// Runs SQL on a database file through its own connection (as another program would).
bool sql(const QString &path, const QString &statement, const QVariantList &values = {})
{
    return test::SqliteConnection(path).exec(statement, values);
}

// A result's checklist (validate --json "checks") as id -> status.
QHash<QString, QString> checkStatuses(const QJsonObject &result)
{
    QHash<QString, QString> statuses;
    for (const QJsonValue &v : result.value(QStringLiteral("checks")).toArray())
        statuses.insert(v.toObject().value(QStringLiteral("id")).toString(),
            v.toObject().value(QStringLiteral("status")).toString());
    return statuses;
}

QStringList stringList(const QJsonValue &array)
{
    QStringList list;
    for (const QJsonValue &v : array.toArray())
        list << v.toString();
    return list;
}

QJsonObject byName(const QJsonArray &array, const QString &name)
{
    for (const QJsonValue &v : array) {
        if (v.toObject().value(QStringLiteral("name")).toString() == name)
            return v.toObject();
    }
    return {};
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void addKeepsSecretInKeychainOnly();
    void dataDirBeforeOrAfterCommand_data();
    void dataDirBeforeOrAfterCommand();
    void listTableIsAligned();
    void stdinSecret_data();
    void stdinSecret();
    void usageErrorsChangeNothing_data();
    void usageErrorsChangeNothing();
    void duplicateInstanceIsANotice();
    void keychainUnavailableSavesNothing();
    void validate_data();
    void validate();
    void validateAllReturnsMostSerious();
    void addWithValidate();
    void removeDeletesSecret();
    void exportHasNoSecret();
    void importGoodDuplicateAndBad();
    void unreadableStore_data();
    void unreadableStore();
    // Trust and hostile input (issue: a TLS decision stays with its connector).
    void validateAllKeepsTlsDecisionsApart();
    void validateAllDoesNotResendRejected();
    void validateChangedOnly();
    void exportImportRoundTripSameAccount();
    void hostileNames();
    void filesArePrivate();
    void terminalRestoredOnSignal();
    void humanOutputIsTidy();
    void unknownHostIsNotAnOutage();
    void concurrentAddsAllLand();
    void concurrentAddsAndRemoves();
    void killedWriterLeavesNoOrphan();
    void badDatabase_data();
    void badDatabase();
    void busyDatabaseSaysTryAgain();
    void diskFullLosesNothing();
    void migratesConnectorsJson();
    void jiraConnectors_data();
    void jiraConnectors();
    void jiraRejectedIsAskedOnce_data();
    void jiraRejectedIsAskedOnce();
    void jiraOptionsAreChecked_data();
    void jiraOptionsAreChecked();
    void newerApplicationIsNotChecked();
    // The scope: the projects a connector's integrations use.
    void addWithProjects();
    void hostileProjectKeys_data();
    void hostileProjectKeys();
    void validateChecksProjects_data();
    void validateChecksProjects();
    void editScope();
    void editKeepsRejectedCredentials();
    void editUsageErrors_data();
    void editUsageErrors();
    void exportImportKeepsProjects();
    void jiraProjectPermissions_data();
    void jiraProjectPermissions();
    // Rotating a shared secret: set-secret.
    void setSecretRotatesEveryConnector();
    void setSecretUnknownNameChangesNothing();
    void setSecretUsageErrors_data();
    void setSecretUsageErrors();
    void setSecretShowsHostileNamesInert();
    // The status history: history NAME, list --json's statusSince.
    void historyPrintsTheLastResults();
    void historyUnknownOrHostileName();

private:
    Run cli(const QStringList &args, const QByteArray &input = QByteArray(),
        const QProcessEnvironment &env = QProcessEnvironment());
    QProcessEnvironment environment() const;
    // `add` with --data-dir; returns the exit code.
    int add(const QString &name, const QString &user, const QString &secret,
        const QString &url = QString(), const QStringList &extra = {});
    QJsonArray listJson();
    // A secret that exists only in this test: remembered, so that no output or file may hold it.
    QString uniqueSecret(const char *prefix);
    QString dataDir() const { return m_data->path(); }
    QString storePath() const { return m_data->filePath(QStringLiteral("connectors.db")); }
    QString legacyPath() const { return m_data->filePath(QStringLiteral("connectors.json")); }
    // Starts `add` processes at once (no waiting in between); returns their exit codes.
    QList<int> concurrently(const QList<QStringList> &argLists, const QList<QByteArray> &inputs);
    void verifyNoFileContains(const QString &secret, const QString &extraDir = QString());

    fake::FakeJamaServer m_server;
    quint16 m_downPort = 0;
    std::unique_ptr<QTemporaryDir> m_data;
    QTemporaryDir m_files; // export/import files
    QStringList m_secrets; // every secret used: none may show up in any output
    QByteArray m_allOutput;
};

void TestCli::initTestCase()
{
    QVERIFY2(test::secretServiceAvailable(),
        "No Secret Service on the session bus: run the tests through scripts/test.");
    QVERIFY2(QFileInfo(test::appBinary()).isExecutable(), qPrintable(test::appBinary()));
    QVERIFY2(m_server.listen(), qPrintable(m_server.errorString()));
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    m_downPort = probe.serverPort();
    probe.close(); // nothing listens there any more
}

void TestCli::init()
{
    m_data = std::make_unique<QTemporaryDir>();
    QVERIFY(m_data->isValid());
}

void TestCli::cleanupTestCase()
{
    for (const QString &s : std::as_const(m_secrets)) {
        QVERIFY2(!m_allOutput.contains(s.toUtf8()), "a secret was printed by connector-desk");
        verifyNoFileContains(s, m_files.path());
    }
}

QProcessEnvironment TestCli::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // No display: the command line must not need one (a QGuiApplication would abort here).
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    env.remove(QStringLiteral("CONNECTOR_DESK_DATA_DIR"));
    for (const char *proxy :
        { "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY" })
        env.remove(QString::fromLatin1(proxy));
    env.insert(QStringLiteral("CONNECTOR_DESK_KEYCHAIN_TIMEOUT_MS"), QStringLiteral("10000"));
    return env;
}

// Runs the binary while this thread's event loop keeps serving the fake Jama server.
Run TestCli::cli(const QStringList &args, const QByteArray &input, const QProcessEnvironment &env)
{
    Run r;
    QProcess p;
    p.setProcessEnvironment(env.isEmpty() ? environment() : env);
    p.start(test::appBinary(), args);
    if (!p.waitForStarted(10000))
        return r;
    p.write(input);
    p.closeWriteChannel();
    if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 90000)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    m_allOutput += r.out + r.err;
    return r;
}

int TestCli::add(const QString &name, const QString &user, const QString &secret,
    const QString &url, const QStringList &extra)
{
    const QString u = url.isEmpty() ? m_server.baseUrl().toString() : url;
    const Run r = cli(QStringList { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"),
                          QStringLiteral("--application"), QStringLiteral("jama-connect"),
                          QStringLiteral("--name"), name, QStringLiteral("--url"), u,
                          QStringLiteral("--auth"), QStringLiteral("basic"),
                          QStringLiteral("--username"), user, QStringLiteral("--secret-stdin") }
            + extra,
        secret.toUtf8() + '\n');
    if (r.code != 0)
        qWarning().noquote() << "add" << name << "exited with" << r.code << r.errText();
    return r.code;
}

QString TestCli::uniqueSecret(const char *prefix)
{
    const QString secret = QString::fromLatin1(prefix) + QUuid::createUuid().toString(QUuid::Id128);
    return secret;
}

QJsonArray TestCli::listJson()
{
    const Run r = cli({ QStringLiteral("list"), QStringLiteral("--json"),
        QStringLiteral("--data-dir"), dataDir() });
    if (r.code != 0)
        return {};
    return QJsonDocument::fromJson(r.out).array();
}

void TestCli::verifyNoFileContains(const QString &secret, const QString &extraDir)
{
    const QByteArray needle = secret.toUtf8();
    QStringList hits = test::filesContaining(QDir::homePath(), needle);
    hits += test::filesContaining(dataDir(), needle);
    if (!extraDir.isEmpty())
        hits += test::filesContaining(extraDir, needle);
    QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1String(", "))));
}

void TestCli::addKeepsSecretInKeychainOnly()
{
    const QString secret = uniqueSecret("cli-pw-");
    m_server.clearRequests();
    QCOMPARE(add(QStringLiteral("Prod"), QStringLiteral("named"), secret), 0);
    QCOMPARE(m_server.requests().size(), 0); // offline-first: add touches no network

    const QJsonArray list = listJson();
    QCOMPARE(list.size(), 1);
    const QJsonObject c = list.first().toObject();
    QCOMPARE(c.value(QStringLiteral("name")).toString(), QStringLiteral("Prod"));
    QCOMPARE(c.value(QStringLiteral("application")).toString(), QStringLiteral("jama-connect"));
    QCOMPARE(c.value(QStringLiteral("url")).toString(), m_server.baseUrl().toString());
    QCOMPARE(c.value(QStringLiteral("authType")).toString(), QStringLiteral("basic"));
    QCOMPARE(c.value(QStringLiteral("username")).toString(), QStringLiteral("named"));
    QCOMPARE(c.value(QStringLiteral("verifySsl")).toBool(), true);
    QCOMPARE(c.value(QStringLiteral("status")).toString(), QStringLiteral("not-verified"));
    QVERIFY(c.value(QStringLiteral("checkedAt")).isNull());
    QVERIFY(c.contains(QStringLiteral("message")));
    const QUuid id = QUuid::fromString(c.value(QStringLiteral("id")).toString());
    QVERIFY(!id.isNull());

    QCOMPARE(lookup(QStringLiteral("connector/%1/password").arg(id.toString(QUuid::WithoutBraces))),
        secret);
    verifyNoFileContains(secret);
}

void TestCli::dataDirBeforeOrAfterCommand_data()
{
    QTest::addColumn<bool>("before");
    QTest::newRow("before the command") << true;
    QTest::newRow("after the command") << false;
}

void TestCli::dataDirBeforeOrAfterCommand()
{
    QFETCH(bool, before);
    const QString secret = uniqueSecret("dd-");
    const QStringList addArgs { QStringLiteral("add"), QStringLiteral("--name"),
        QStringLiteral("Where"), QStringLiteral("--url"), QStringLiteral("where.jamacloud.com"),
        QStringLiteral("--auth"), QStringLiteral("basic"), QStringLiteral("--username"),
        QStringLiteral("u"), QStringLiteral("--secret-stdin") };
    const QStringList dd { QStringLiteral("--data-dir"), dataDir() };
    const Run r = cli(before ? dd + addArgs : addArgs + dd, secret.toUtf8());
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(QFile::exists(storePath()), "connectors.db is not in the --data-dir folder");
    const Run l = cli(before ? dd + QStringList { QStringLiteral("list") }
                             : QStringList { QStringLiteral("list") } + dd);
    QCOMPARE(l.code, 0);
    QVERIFY(l.out.contains("Where"));
}

void TestCli::listTableIsAligned()
{
    QCOMPARE(add(QStringLiteral("A"), QStringLiteral("named"), uniqueSecret("t1-"),
                 QStringLiteral("https://a.jamacloud.com")),
        0);
    QCOMPARE(add(QStringLiteral("A much longer name"), QStringLiteral("x"), uniqueSecret("t2-"),
                 QStringLiteral("https://b.example.com/contour")),
        0);
    const Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QCOMPARE(r.code, 0);
    const QStringList lines = QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    const qsizetype urlColumn = lines.at(0).indexOf(QStringLiteral("URL"));
    QVERIFY(urlColumn > 0);
    QCOMPARE(lines.at(1).indexOf(QStringLiteral("https://a.jamacloud.com")), urlColumn);
    QCOMPARE(lines.at(2).indexOf(QStringLiteral("https://b.example.com/contour")), urlColumn);
    const qsizetype statusColumn = lines.at(0).indexOf(QStringLiteral("STATUS"));
    QCOMPARE(lines.at(1).indexOf(QStringLiteral("Not verified")), statusColumn);
    QCOMPARE(lines.at(2).indexOf(QStringLiteral("Not verified")), statusColumn);
    QVERIFY(r.err.isEmpty());
}

void TestCli::stdinSecret_data()
{
    QTest::addColumn<QByteArray>("suffix"); // appended to a unique secret, "" = empty input
    QTest::addColumn<bool>("empty");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("storedSuffix");
    QTest::newRow("no newline") << QByteArray() << false << 0 << QByteArray();
    QTest::newRow("one newline stripped") << QByteArray("\n") << false << 0 << QByteArray();
    QTest::newRow("only one newline stripped")
        << QByteArray("\n\n") << false << 0 << QByteArray("\n");
    QTest::newRow("inner spaces kept") << QByteArray(" x \n") << false << 0 << QByteArray(" x ");
    QTest::newRow("empty") << QByteArray() << true << int(cli::ExitUsage) << QByteArray();
    QTest::newRow("newline only") << QByteArray("\n") << true << int(cli::ExitUsage)
                                  << QByteArray();
}

void TestCli::stdinSecret()
{
    QFETCH(QByteArray, suffix);
    QFETCH(bool, empty);
    QFETCH(int, code);
    QFETCH(QByteArray, storedSuffix);
    const QString secret = empty ? QString() : uniqueSecret("in-");
    const Run r = cli(
        { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"), QStringLiteral("--name"),
            QStringLiteral("S"), QStringLiteral("--url"), QStringLiteral("s.jamacloud.com"),
            QStringLiteral("--auth"), QStringLiteral("oauth"), QStringLiteral("--client-id"),
            QStringLiteral("cid"), QStringLiteral("--secret-stdin") },
        secret.toUtf8() + suffix);
    QVERIFY2(r.code == code, r.err.constData());
    if (code != 0) {
        QVERIFY(r.err.contains("empty"));
        QCOMPARE(listJson().size(), 0);
        return;
    }
    const QString id = QString::fromUtf8(r.out.trimmed());
    QCOMPARE(lookup(QStringLiteral("connector/%1/client-secret").arg(id)),
        secret + QString::fromUtf8(storedSuffix));
}

void TestCli::usageErrorsChangeNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message"); // a part of stderr
    const QStringList base { QStringLiteral("add"), QStringLiteral("--url"),
        QStringLiteral("new.jamacloud.com"), QStringLiteral("--auth"), QStringLiteral("basic"),
        QStringLiteral("--username"), QStringLiteral("u") };
    QTest::newRow("duplicate name")
        << base + QStringList { "--name", "existing", "--secret-stdin" } << "already exists";
    QTest::newRow("secret on the command line")
        << base + QStringList { "--name", "N", "--secret", "pw" } << "Unknown option 'secret'";
    QTest::newRow("no --secret-stdin") << base + QStringList { "--name", "N" } << "--secret-stdin";
    QTest::newRow("client id with basic")
        << base + QStringList { "--name", "N", "--client-id", "c", "--secret-stdin" }
        << "--client-id";
    QTest::newRow("bad auth") << QStringList { "add", "--name", "N", "--url", "x.jamacloud.com",
        "--auth", "saml", "--username", "u", "--secret-stdin" }
                              << "--auth";
    QTest::newRow("url with password") << QStringList { "add", "--name", "N", "--url",
        "https://u:pw@x.jamacloud.com", "--auth", "basic", "--username", "u", "--secret-stdin" }
                                       << "--url";
    QTest::newRow("unknown application")
        << base + QStringList { "--name", "N", "--application", "jira", "--secret-stdin" }
        << "--application";
    QTest::newRow("unknown command") << QStringList { "frobnicate" } << "Unknown command";
    QTest::newRow("option of another command") << QStringList { "list", "--all" } << "--all";
    QTest::newRow("validate without name") << QStringList { "validate" } << "--all";
    QTest::newRow("validate unknown name") << QStringList { "validate", "nope" } << "nope";
    QTest::newRow("remove unknown name") << QStringList { "remove", "nope" } << "nope";
    QTest::newRow("export unknown name") << QStringList { "export", "OUT", "nope" } << "nope";
    QTest::newRow("import missing file")
        << QStringList { "import", "/nonexistent/file.json" } << "/nonexistent/file.json";
}

void TestCli::usageErrorsChangeNothing()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QCOMPARE(add(QStringLiteral("Existing"), QStringLiteral("named"), uniqueSecret("ue-")), 0);
    const QByteArray before = readAll(storePath());
    const QString out = m_files.filePath(QStringLiteral("usage-export.json"));
    args.replaceInStrings(QStringLiteral("OUT"), out);
    const Run r = cli(QStringList { QStringLiteral("--data-dir"), dataDir() } + args, "pw-usage\n");
    QCOMPARE(r.code, int(cli::ExitUsage));
    QVERIFY2(r.errText().contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QCOMPARE(readAll(storePath()), before);
    QVERIFY(!QFile::exists(out));
}

void TestCli::duplicateInstanceIsANotice()
{
    QCOMPARE(add(QStringLiteral("First"), QStringLiteral("named"), uniqueSecret("d1-")), 0);
    const QString secret = uniqueSecret("d2-");
    const Run r
        = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"),
                  QStringLiteral("--name"), QStringLiteral("Second"), QStringLiteral("--url"),
                  m_server.baseUrl().toString() + QStringLiteral("/"), QStringLiteral("--auth"),
                  QStringLiteral("basic"), QStringLiteral("--username"), QStringLiteral("floating"),
                  QStringLiteral("--secret-stdin") },
            secret.toUtf8());
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("\"First\" already links to this instance")),
        r.err.constData());
    QCOMPARE(listJson().size(), 2);
}

void TestCli::keychainUnavailableSavesNothing()
{
    QProcessEnvironment env = environment();
    env.insert(
        QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent"));
    const QString secret = uniqueSecret("kc-");
    const Run r = cli(
        { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"), QStringLiteral("--name"),
            QStringLiteral("K"), QStringLiteral("--url"), QStringLiteral("k.jamacloud.com"),
            QStringLiteral("--auth"), QStringLiteral("basic"), QStringLiteral("--username"),
            QStringLiteral("u"), QStringLiteral("--secret-stdin") },
        secret.toUtf8(), env);
    QCOMPARE(r.code, int(cli::ExitKeychain));
    QVERIFY2(r.errText().contains(QStringLiteral("keychain")), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QCOMPARE(listJson().size(), 0);
}

void TestCli::validate_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("serverDown");
    QTest::addColumn<QString>("mode"); // "", "no-secret", "no-keychain"
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("licenseType");
    QTest::newRow("named: verified") << "named"
                                     << "password" << false << "" << 0 << "verified"
                                     << "NAMED";
    QTest::newRow("floating: warning, 0") << "floating"
                                          << "password" << false << "" << 0 << "warning"
                                          << "FLOATING";
    QTest::newRow("wrong password") << "named"
                                    << "wrong" << false << "" << 1 << "failed"
                                    << "";
    QTest::newRow("stakeholder license") << "stakeholder"
                                         << "password" << false << "" << 1 << "failed"
                                         << "STAKEHOLDER";
    QTest::newRow("server said no (403)") << "forbidden"
                                          << "password" << false << "" << 1 << "failed"
                                          << "";
    QTest::newRow("server down") << "named"
                                 << "password" << true << "" << 3 << "not-verified"
                                 << "";
    QTest::newRow("no secret stored") << "named"
                                      << "password" << false << "no-secret" << 1 << "failed"
                                      << "";
    QTest::newRow("keychain unavailable") << "named"
                                          << "password" << false << "no-keychain" << 4 << "failed"
                                          << "";
}

void TestCli::validate()
{
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(bool, serverDown);
    QFETCH(QString, mode);
    QFETCH(int, code);
    QFETCH(QString, status);
    QFETCH(QString, licenseType);
    const QString url = serverDown ? QStringLiteral("http://127.0.0.1:%1").arg(m_downPort)
                                   : m_server.baseUrl().toString();
    if (mode == QLatin1String("no-secret")) {
        // An imported connector: no secret in the keychain.
        const QString file = m_files.filePath(QStringLiteral("one.json"));
        QJsonObject e { { "application", "jama-connect" }, { "name", "V" }, { "url", url },
            { "authType", "basic" }, { "username", user } };
        QJsonObject top { { "format", "connector-desk-connectors" }, { "schemaVersion", 1 },
            { "connectors", QJsonArray { e } } };
        QVERIFY(writeFile(file, QJsonDocument(top).toJson()));
        QCOMPARE(
            cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("import"), file }).code,
            0);
    } else {
        QCOMPARE(add(QStringLiteral("V"), user, password, url), 0);
    }
    QProcessEnvironment env = environment();
    if (mode == QLatin1String("no-keychain"))
        env.insert(
            QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent"));
    const Run r = cli({ QStringLiteral("validate"), QStringLiteral("V"), QStringLiteral("--json"),
                          QStringLiteral("--data-dir"), dataDir() },
        {}, env);
    QVERIFY2(
        r.code == code, qPrintable(QStringLiteral("exit %1: %2").arg(r.code).arg(r.errText())));
    const QJsonArray results = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(results.size(), 1);
    const QJsonObject o = results.first().toObject();
    QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("V"));
    QCOMPARE(o.value(QStringLiteral("status")).toString(), status);
    QCOMPARE(o.value(QStringLiteral("licenseType")).toString(), licenseType);
    QVERIFY(!o.value(QStringLiteral("checkedAt")).toString().isEmpty());
    QVERIFY(o.contains(QStringLiteral("message")));
    if (status != QLatin1String("verified"))
        QVERIFY2(
            r.errText().contains(o.value(QStringLiteral("message")).toString()), r.err.constData());
    else
        QVERIFY2(r.err.isEmpty(), r.err.constData());
    // The result is what the window reads; a keychain failure says nothing about the
    // connector, so it is not recorded: the connector stays "not-verified" (pending).
    QCOMPARE(listJson().first().toObject().value(QStringLiteral("status")).toString(),
        mode == QLatin1String("no-keychain") ? QStringLiteral("not-verified") : status);
}

void TestCli::validateAllReturnsMostSerious()
{
    const QString down = QStringLiteral("http://127.0.0.1:%1").arg(m_downPort);
    QCOMPARE(add(QStringLiteral("Good"), QStringLiteral("named"), QStringLiteral("password")), 0);
    const QStringList all { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("--all") };
    QCOMPARE(cli(all).code, 0);
    QCOMPARE(
        add(QStringLiteral("Down"), QStringLiteral("named"), QStringLiteral("password"), down), 0);
    QCOMPARE(cli(all).code, int(cli::ExitNetwork));
    QCOMPARE(add(QStringLiteral("Wrong"), QStringLiteral("named"), uniqueSecret("wrong-")), 0);
    Run r = cli(all + QStringList { QStringLiteral("--json") });
    QCOMPARE(r.code, int(cli::ExitValidationFailed));
    const QJsonArray results = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(results.size(), 3);
    QCOMPARE(byName(results, QStringLiteral("Good")).value(QStringLiteral("status")).toString(),
        QStringLiteral("verified"));
    QCOMPARE(byName(results, QStringLiteral("Down")).value(QStringLiteral("status")).toString(),
        QStringLiteral("not-verified"));
    QCOMPARE(byName(results, QStringLiteral("Wrong")).value(QStringLiteral("status")).toString(),
        QStringLiteral("failed"));
    QProcessEnvironment env = environment();
    env.insert(
        QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent"));
    QCOMPARE(cli(all, {}, env).code, int(cli::ExitKeychain));
}

void TestCli::addWithValidate()
{
    const QString down = QStringLiteral("http://127.0.0.1:%1").arg(m_downPort);
    QCOMPARE(add(QStringLiteral("Now"), QStringLiteral("named"), QStringLiteral("password"),
                 QString(), { QStringLiteral("--validate") }),
        0);
    QCOMPARE(add(QStringLiteral("Later"), QStringLiteral("named"), QStringLiteral("password"), down,
                 { QStringLiteral("--validate") }),
        int(cli::ExitNetwork));
    const QJsonArray list = listJson();
    QCOMPARE(list.size(), 2); // saved in both cases
    QCOMPARE(byName(list, QStringLiteral("Now")).value(QStringLiteral("status")).toString(),
        QStringLiteral("verified"));
    QCOMPARE(byName(list, QStringLiteral("Later")).value(QStringLiteral("status")).toString(),
        QStringLiteral("not-verified"));
}

void TestCli::removeDeletesSecret()
{
    const QString secret = uniqueSecret("rm-");
    QCOMPARE(add(QStringLiteral("Gone"), QStringLiteral("named"), secret), 0);
    const QString key
        = QStringLiteral("connector/%1/password")
              .arg(listJson().first().toObject().value(QStringLiteral("id")).toString());
    QCOMPARE(lookup(key), secret);
    // Without a keychain nothing is removed: the secret could not go with it.
    QProcessEnvironment env = environment();
    env.insert(
        QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent"));
    QCOMPARE(cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("remove"),
                     QStringLiteral("Gone") },
                 {}, env)
                 .code,
        int(cli::ExitKeychain));
    QCOMPARE(listJson().size(), 1);
    const Run r = cli({ QStringLiteral("remove"), QStringLiteral("gone"),
        QStringLiteral("--data-dir"), dataDir() });
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(lookup(key), QString());
    QCOMPARE(listJson().size(), 0);
}

void TestCli::exportHasNoSecret()
{
    const QString s1 = uniqueSecret("ex1-");
    const QString s2 = uniqueSecret("ex2-");
    QCOMPARE(add(QStringLiteral("One"), QStringLiteral("named"), s1), 0);
    QCOMPARE(add(QStringLiteral("Two"), QStringLiteral("other"), s2,
                 QStringLiteral("https://two.jamacloud.com")),
        0);
    const QString all = m_files.filePath(QStringLiteral("all.json"));
    const QString one = m_files.filePath(QStringLiteral("one-only.json"));
    QCOMPARE(
        cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), all }).code, 0);
    QCOMPARE(cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), one,
                     QStringLiteral("two") })
                 .code,
        0);
    const QJsonObject top = QJsonDocument::fromJson(readAll(all)).object();
    QCOMPARE(top.value(QStringLiteral("format")).toString(),
        QStringLiteral("connector-desk-connectors"));
    QCOMPARE(top.value(QStringLiteral("schemaVersion")).toInt(), 1);
    QCOMPARE(top.value(QStringLiteral("connectors")).toArray().size(), 2);
    const QJsonArray only = QJsonDocument::fromJson(readAll(one))
                                .object()
                                .value(QStringLiteral("connectors"))
                                .toArray();
    QCOMPARE(only.size(), 1);
    QCOMPARE(
        only.first().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Two"));
    QCOMPARE(only.first().toObject().value(QStringLiteral("username")).toString(),
        QStringLiteral("other"));
    for (const QString &s : { s1, s2 }) {
        QVERIFY(!readAll(all).contains(s.toUtf8()));
        verifyNoFileContains(s, m_files.path());
    }
    // To standard output with "-".
    const Run r = cli(
        { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), QStringLiteral("-") });
    QCOMPARE(r.code, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out)
                 .object()
                 .value(QStringLiteral("connectors"))
                 .toArray()
                 .size(),
        2);
}

void TestCli::importGoodDuplicateAndBad()
{
    // Exported from one data folder...
    QCOMPARE(add(QStringLiteral("Prod"), QStringLiteral("named"), uniqueSecret("im1-")), 0);
    QCOMPARE(add(QStringLiteral("Test"), QStringLiteral("t"), uniqueSecret("im2-"),
                 QStringLiteral("https://test.jamacloud.com")),
        0);
    const QString file = m_files.filePath(QStringLiteral("import.json"));
    QCOMPARE(
        cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), file }).code, 0);

    // ...into another one that has a connector named "Prod" on another instance.
    m_data = std::make_unique<QTemporaryDir>();
    QCOMPARE(add(QStringLiteral("Prod"), QStringLiteral("named"), uniqueSecret("im3-"),
                 QStringLiteral("https://mine.jamacloud.com")),
        0);
    const QStringList import { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("import"),
        file };
    Run r = cli(import);
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("\"Prod (imported)\"")), r.err.constData());
    QJsonArray list = listJson();
    QCOMPARE(list.size(), 3);
    const QJsonObject imported = byName(list, QStringLiteral("Prod (imported)"));
    QCOMPARE(imported.value(QStringLiteral("needsSecret")).toBool(), true);
    QCOMPARE(imported.value(QStringLiteral("status")).toString(), QStringLiteral("not-verified"));
    QCOMPARE(
        byName(list, QStringLiteral("Test")).value(QStringLiteral("needsSecret")).toBool(), true);
    QCOMPARE(
        byName(list, QStringLiteral("Prod")).value(QStringLiteral("needsSecret")).toBool(), false);
    QCOMPARE(lookup(QStringLiteral("connector/%1/password")
                        .arg(imported.value(QStringLiteral("id")).toString())),
        QString());
    const Run human = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QVERIFY(human.out.contains("Needs secret"));

    // The same file again: every entry is a duplicate, listed and skipped.
    const QByteArray before = readAll(storePath());
    r = cli(import);
    QCOMPARE(r.code, 0);
    QVERIFY2(r.errText().contains(QStringLiteral("connectors[0]"))
            && r.errText().contains(QStringLiteral("connectors[1]")),
        r.err.constData());
    QVERIFY(r.errText().contains(QStringLiteral("--replace-duplicates")));
    QCOMPARE(readAll(storePath()), before);

    // Replace: same connectors (same ids), values from the file.
    QJsonObject top = QJsonDocument::fromJson(readAll(file)).object();
    QJsonArray entries = top.value(QStringLiteral("connectors")).toArray();
    QJsonObject second = entries.at(1).toObject();
    second.insert(QStringLiteral("verifySsl"), false);
    entries.replace(1, second);
    top.insert(QStringLiteral("connectors"), entries);
    QVERIFY(writeFile(file, QJsonDocument(top).toJson()));
    // Turning Verify SSL off for a connector whose secret is kept: refused, naming it.
    const QByteArray beforeWeaker = readAll(storePath());
    r = cli(import + QStringList { QStringLiteral("--replace-duplicates") });
    QCOMPARE(r.code, 2);
    QVERIFY2(
        r.errText().contains(QStringLiteral("\"Test\" turns Verify SSL off")), r.err.constData());
    QVERIFY(r.errText().contains(QStringLiteral("--allow-weaker-security")));
    QCOMPARE(readAll(storePath()), beforeWeaker);
    r = cli(import
        + QStringList {
            QStringLiteral("--replace-duplicates"), QStringLiteral("--allow-weaker-security") });
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("Warning: connectors[1]")), r.err.constData());
    const QJsonArray replaced = listJson();
    QCOMPARE(replaced.size(), 3);
    QCOMPARE(byName(replaced, QStringLiteral("Test")).value(QStringLiteral("id")),
        byName(list, QStringLiteral("Test")).value(QStringLiteral("id")));
    QCOMPARE(byName(replaced, QStringLiteral("Test")).value(QStringLiteral("verifySsl")).toBool(),
        false);

    // A bad file: every problem with its place, nothing changes.
    const QByteArray stored = readAll(storePath());
    QJsonObject bad1 = entries.at(0).toObject();
    bad1.insert(QStringLiteral("name"), QStringLiteral("New one"));
    bad1.insert(QStringLiteral("url"), QStringLiteral("ftp://nope"));
    QJsonObject good = entries.at(0).toObject();
    good.insert(QStringLiteral("name"), QStringLiteral("Fine"));
    good.insert(QStringLiteral("url"), QStringLiteral("https://fine.jamacloud.com"));
    QJsonObject bad2 = good;
    bad2.insert(QStringLiteral("name"), QStringLiteral("Other"));
    bad2.insert(QStringLiteral("url"), QStringLiteral("https://other.jamacloud.com"));
    bad2.insert(QStringLiteral("password"), QStringLiteral("x"));
    top.insert(QStringLiteral("connectors"), QJsonArray { good, bad1, bad2 });
    const QString badFile = m_files.filePath(QStringLiteral("bad.json"));
    QVERIFY(writeFile(badFile, QJsonDocument(top).toJson()));
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("import"), badFile });
    QCOMPARE(r.code, int(cli::ExitUsage));
    QVERIFY2(r.errText().contains(QStringLiteral("connectors[1].url:")), r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("connectors[2].password:")), r.err.constData());
    QCOMPARE(readAll(storePath()), stored);
}

void TestCli::unreadableStore_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("list") << QStringList { "list" };
    QTest::newRow("list --json") << QStringList { "list", "--json" };
    QTest::newRow("add") << QStringList { "add", "--name", "N", "--url", "n.jamacloud.com",
        "--auth", "basic", "--username", "u", "--secret-stdin" };
    QTest::newRow("validate --all") << QStringList { "validate", "--all" };
    QTest::newRow("export") << QStringList { "export", "OUT" };
    QTest::newRow("import") << QStringList { "import", "IN" };
    QTest::newRow("remove") << QStringList { "remove", "X" };
}

void TestCli::unreadableStore()
{
    QFETCH(QStringList, args);
    const QByteArray broken = "{\"schemaVersion\": 1, \"connectors\": [ {\"name\": ";
    QVERIFY(writeFile(legacyPath(), broken));
    const QString in = m_files.filePath(QStringLiteral("in.json"));
    QVERIFY(writeFile(
        in, R"({"format":"connector-desk-connectors","schemaVersion":1,"connectors":[]})"));
    args.replaceInStrings(QStringLiteral("OUT"), m_files.filePath(QStringLiteral("never.json")));
    args.replaceInStrings(QStringLiteral("IN"), in);
    const Run r
        = cli(QStringList { QStringLiteral("--data-dir"), dataDir() } + args, "secret-unused\n");
    QCOMPARE(r.code, int(cli::ExitUsage));
    QVERIFY2(r.errText().contains(legacyPath()), r.err.constData());
    QCOMPARE(readAll(legacyPath()), broken);
    QVERIFY(!QFile::exists(m_files.filePath(QStringLiteral("never.json"))));
    QCOMPARE(
        QDir(dataDir()).entryList(QDir::Files), QStringList { QStringLiteral("connectors.json") });
}

void TestCli::validateAllKeepsTlsDecisionsApart()
{
    // One process, one --all: a connector with Verify SSL off is checked first against an
    // https server with an untrusted certificate, then one with Verify SSL on against the same
    // host and port. The second must fail, and its password must never arrive.
    fake::FakeJamaServer tls;
    QVERIFY2(tls.enableTls(), qPrintable(tls.errorString()));
    QVERIFY(tls.listen());
    const QString lax = uniqueSecret("cli-lax-");
    const QString strict = uniqueSecret("cli-strict-");
    fake::FakeAccount strictAccount;
    strictAccount.username = QStringLiteral("strict");
    strictAccount.password = strict;
    tls.addAccount(strictAccount);
    QCOMPARE(add(QStringLiteral("A lax"), QStringLiteral("named"), QStringLiteral("password"),
                 tls.baseUrl().toString(), { QStringLiteral("--no-verify-ssl") }),
        0);
    QCOMPARE(
        add(QStringLiteral("B strict"), QStringLiteral("strict"), strict, tls.baseUrl().toString()),
        0);
    m_secrets << strict << lax;
    tls.clearRequests();
    const Run r = cli({ QStringLiteral("validate"), QStringLiteral("--all"),
        QStringLiteral("--json"), QStringLiteral("--data-dir"), dataDir() });
    QCOMPARE(r.code, cli::ExitValidationFailed);
    const QJsonArray results = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(byName(results, QStringLiteral("A lax")).value(QStringLiteral("status")).toString(),
        QStringLiteral("warning"));
    const QJsonObject b = byName(results, QStringLiteral("B strict"));
    QCOMPARE(b.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
    QVERIFY2(b.value(QStringLiteral("message")).toString().contains(QStringLiteral("not trusted")),
        qPrintable(b.value(QStringLiteral("message")).toString()));
    // Only the lax connector's requests arrived: its account, then (since checks read the
    // projects the account sees after the account) its projects list.
    for (const fake::RecordedRequest &req : tls.requests())
        QVERIFY(req.status != 0 && req.status != 401);
    QCOMPARE(tls.requestCount(QStringLiteral("/users/current")), 1);
    QCOMPARE(tls.requestCount(), 2);
}

void TestCli::validateChangedOnly()
{
    // Issue 16's monitoring run: only what changed since the last recorded result.
    QCOMPARE(add(QStringLiteral("Alpha"), QStringLiteral("named"), QStringLiteral("password")), 0);
    QCOMPARE(add(QStringLiteral("Beta"), QStringLiteral("named"), QStringLiteral("password")), 0);
    const auto changed = [this](int expectedCode) {
        const Run r = cli(
            { QStringLiteral("validate"), QStringLiteral("--all"), QStringLiteral("--changed-only"),
                QStringLiteral("--json"), QStringLiteral("--data-dir"), dataDir() });
        if (r.code != expectedCode)
            qWarning().noquote() << "exit" << r.code << r.errText();
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        if (error.error != QJsonParseError::NoError || !doc.isArray())
            qWarning().noquote() << "not a JSON array:" << r.out;
        QStringList names;
        for (const QJsonValue &v : doc.array())
            names << v.toObject().value(QStringLiteral("name")).toString() + QLatin1Char(':')
                    + v.toObject().value(QStringLiteral("previousStatus")).toString()
                    + QLatin1String("->") + v.toObject().value(QStringLiteral("status")).toString();
        names.sort();
        return r.code == expectedCode ? names : QStringList { QStringLiteral("exit code") };
    };
    // Never checked before: both change (not verified -> verified).
    QCOMPARE(changed(cli::ExitOk),
        (QStringList { QStringLiteral("Alpha:not-verified->verified"),
            QStringLiteral("Beta:not-verified->verified") }));
    // Checked again, the same: nothing reported, still a success.
    m_server.clearRequests();
    QCOMPARE(changed(cli::ExitOk), QStringList());
    QCOMPARE(m_server.requestCount(QStringLiteral("/users/current")), 2); // both were checked
    // The server now refuses the API: both change, and the run fails.
    m_server.setBehaviour(fake::Behaviour::Forbidden);
    QCOMPARE(changed(cli::ExitValidationFailed),
        (QStringList {
            QStringLiteral("Alpha:verified->failed"), QStringLiteral("Beta:verified->failed") }));
    // Still failing: nothing new to report, but the exit code is the run's.
    QCOMPARE(changed(cli::ExitValidationFailed), QStringList());
    m_server.setBehaviour(fake::Behaviour::Normal);
    QCOMPARE(changed(cli::ExitOk),
        (QStringList {
            QStringLiteral("Alpha:failed->verified"), QStringLiteral("Beta:failed->verified") }));
    // Human output: only the changed lines; nothing when nothing changed.
    const Run quiet = cli({ QStringLiteral("validate"), QStringLiteral("--all"),
        QStringLiteral("--changed-only"), QStringLiteral("--data-dir"), dataDir() });
    QCOMPARE(quiet.code, cli::ExitOk);
    QVERIFY2(quiet.out.trimmed().isEmpty(), quiet.out.constData());
    // Only with --all.
    const Run usage = cli({ QStringLiteral("validate"), QStringLiteral("Alpha"),
        QStringLiteral("--changed-only"), QStringLiteral("--data-dir"), dataDir() });
    QCOMPARE(usage.code, cli::ExitUsage);
    QVERIFY2(
        usage.errText().contains(QStringLiteral("--changed-only")), qPrintable(usage.errText()));
}

void TestCli::validateAllDoesNotResendRejected()
{
    QCOMPARE(add(QStringLiteral("Wrong"), QStringLiteral("named"), QStringLiteral("not-it")), 0);
    QCOMPARE(add(QStringLiteral("Right"), QStringLiteral("named"), QStringLiteral("password")), 0);
    m_server.clearRequests();
    Run r = cli({ QStringLiteral("validate"), QStringLiteral("--all"), QStringLiteral("--data-dir"),
        dataDir() });
    QCOMPARE(r.code, cli::ExitValidationFailed);
    // Each sent once: one 401, one 200. A check that signs in also reads the projects list
    // (one more request, for "Right" only).
    QCOMPARE(m_server.requestCount(QStringLiteral("/users/current")), 2);
    QCOMPARE(m_server.requestCount(), 3);

    // The nightly run again: the rejected password is not sent, and still reported as failed.
    m_server.clearRequests();
    r = cli({ QStringLiteral("validate"), QStringLiteral("--all"), QStringLiteral("--json"),
        QStringLiteral("--data-dir"), dataDir() });
    QCOMPARE(r.code, cli::ExitValidationFailed);
    // Only "Right": its account and its projects list.
    QCOMPARE(m_server.requestCount(QStringLiteral("/users/current")), 1);
    QCOMPARE(m_server.requestCount(), 2);
    for (const fake::RecordedRequest &req : m_server.requests())
        QCOMPARE(req.status, 200);
    const QJsonObject wrong
        = byName(QJsonDocument::fromJson(r.out).array(), QStringLiteral("Wrong"));
    QCOMPARE(wrong.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
    QVERIFY2(wrong.value(QStringLiteral("message"))
                 .toString()
                 .contains(QStringLiteral("Not checked again")),
        qPrintable(wrong.value(QStringLiteral("message")).toString()));

    // Asking for that connector by name sends them once more.
    m_server.clearRequests();
    r = cli({ QStringLiteral("validate"), QStringLiteral("Wrong"), QStringLiteral("--data-dir"),
        dataDir() });
    QCOMPARE(r.code, cli::ExitValidationFailed);
    QCOMPARE(m_server.requestCount(), 1);
    QCOMPARE(m_server.requests().first().status, 401);
}

void TestCli::exportImportRoundTripSameAccount()
{
    // Two connectors for one instance and account: `add` accepts them (with a notice), so
    // the export of this data dir must import into an empty one.
    QCOMPARE(add(QStringLiteral("Prod"), QStringLiteral("named"), QStringLiteral("password")), 0);
    const Run second
        = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"),
                  QStringLiteral("--name"), QStringLiteral("Prod (sandbox jobs)"),
                  QStringLiteral("--url"), m_server.baseUrl().toString(), QStringLiteral("--auth"),
                  QStringLiteral("basic"), QStringLiteral("--username"), QStringLiteral("named"),
                  QStringLiteral("--secret-stdin") },
            "password\n");
    QCOMPARE(second.code, 0);
    QVERIFY(second.errText().contains(QStringLiteral("Notice:")));
    const QString file = m_files.filePath(QStringLiteral("roundtrip.json"));
    QCOMPARE(
        cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), file }).code, 0);

    QTemporaryDir empty;
    const Run r
        = cli({ QStringLiteral("--data-dir"), empty.path(), QStringLiteral("import"), file });
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("links to the same instance")), r.err.constData());
    const Run list = cli({ QStringLiteral("--data-dir"), empty.path(), QStringLiteral("list"),
        QStringLiteral("--json") });
    const QJsonArray imported = QJsonDocument::fromJson(list.out).array();
    QCOMPARE(imported.size(), 2);
    QVERIFY(!byName(imported, QStringLiteral("Prod")).isEmpty());
    QVERIFY(!byName(imported, QStringLiteral("Prod (sandbox jobs)")).isEmpty());
    // And back into the data dir it came from: both are already here, both skipped.
    const Run again
        = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("import"), file });
    QCOMPARE(again.code, 0);
    QVERIFY2(again.errText().contains(QStringLiteral("Imported 0 new, replaced 0, skipped 2")),
        again.err.constData());
}

void TestCli::hostileNames()
{
    // An escape sequence (OSC 52 writes the clipboard of many terminals) is refused by add.
    const QString osc52 = QStringLiteral("Evil\x1b]52;c;aGVsbG8=\x07");
    Run r = cli(
        { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"), QStringLiteral("--name"),
            osc52, QStringLiteral("--url"), m_server.baseUrl().toString(), QStringLiteral("--auth"),
            QStringLiteral("basic"), QStringLiteral("--username"), QStringLiteral("named"),
            QStringLiteral("--secret-stdin") },
        "password\n");
    QCOMPARE(r.code, cli::ExitUsage);
    QVERIFY2(r.errText().contains(
                 QStringLiteral("--name: The name contains the control character U+001B")),
        r.err.constData());
    QVERIFY(!r.err.contains('\x1b') && !r.out.contains('\x1b'));
    QVERIFY(!r.err.contains('\x07'));

    // Markup is not a control character: accepted, and printed as written.
    const QString html = QStringLiteral("<a href=\"x\">click</a>");
    QCOMPARE(add(html, QStringLiteral("named"), QStringLiteral("password")), 0);
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QVERIFY(r.out.contains(html.toUtf8()));

    // A name that got into the file some other way (an older version, a hand edit) is shown
    // inert by every command.
    QVERIFY(sql(storePath(), QStringLiteral("UPDATE connectors SET name = ? WHERE name = ?"),
        { QStringLiteral("Evil\x1b]52;c;aGVsbG8=\x07\u202e"), html }));
    for (const QStringList &args : { QStringList { QStringLiteral("list") },
             QStringList { QStringLiteral("list"), QStringLiteral("--json") },
             QStringList { QStringLiteral("export"), QStringLiteral("-") },
             QStringList { QStringLiteral("remove"), QStringLiteral("nothing-by-this-name") } }) {
        r = cli(QStringList { QStringLiteral("--data-dir"), dataDir() } + args);
        for (const QByteArray &stream : { r.out, r.err }) {
            QVERIFY2(!stream.contains('\x1b') && !stream.contains('\x07')
                    && !stream.contains("\xe2\x80\xae"),
                qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ")
                    + QString::fromUtf8(stream.toPercentEncoding(" :/\n"))));
        }
    }
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QVERIFY2(r.out.contains("Evil\\x1B]52;c;aGVsbG8=\\x07\\u202E"), r.out.constData());
    // JSON output stays valid JSON, with the same value.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list"),
        QStringLiteral("--json") });
    const QJsonArray array = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(array.size(), 1);
    QCOMPARE(array.first().toObject().value(QStringLiteral("name")).toString(),
        QStringLiteral("Evil\x1b]52;c;aGVsbG8=\x07\u202e"));
}

void TestCli::filesArePrivate()
{
    // A fresh data dir under a umask that would make everything world-readable.
    const QString dir = m_data->filePath(QStringLiteral("fresh"));
    const mode_t old = umask(0022); // inherited by the processes started below
    QCOMPARE(add(QStringLiteral("Prod"), QStringLiteral("named"), QStringLiteral("password")), 0);
    const QString exportFile = m_files.filePath(QStringLiteral("private.json"));
    QFile::remove(exportFile);
    QCOMPARE(
        cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), exportFile }).code,
        0);
    QCOMPARE(
        cli({ QStringLiteral("--data-dir"), dir, QStringLiteral("import"), exportFile }).code, 0);
    umask(old);
    const auto mode = [](const QString &path) {
        struct stat st
        {
        };
        return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
    };
    QCOMPARE(mode(dir), 0700);
    QCOMPARE(mode(dir + QStringLiteral("/connectors.db")), 0600);
    QCOMPARE(mode(storePath()), 0600);
    QCOMPARE(mode(exportFile), 0600);

    // An existing file with wider permissions is tightened the next time it is written.
    QVERIFY(QFile::setPermissions(
        storePath(), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
    QVERIFY(QFile::setPermissions(dataDir(),
        QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther
            | QFile::ExeOther));
    QCOMPARE(mode(storePath()), 0644);
    QCOMPARE(cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("remove"),
                     QStringLiteral("Prod") })
                 .code,
        0);
    QCOMPARE(mode(storePath()), 0600);
    QCOMPARE(mode(dataDir()), 0700);
}

void TestCli::terminalRestoredOnSignal()
{
    // Ctrl-C (SIGINT) or a kill (SIGTERM) while `add` waits for the secret with echo off must
    // leave the terminal as it was. A pseudo-terminal driven by python3's pty module.
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (python.isEmpty())
        QSKIP("python3 is needed to drive a pseudo-terminal");
    const QString script = QFINDTESTDATA("pty_signal.py");
    QVERIFY2(!script.isEmpty(), "pty_signal.py not found");
    for (const char *sig : { "INT", "TERM" }) {
        QProcess p;
        QProcessEnvironment env = environment();
        env.insert(QStringLiteral("CONNECTOR_DESK_BINARY"), test::appBinary());
        p.setProcessEnvironment(env);
        p.start(python, { script, QString::fromLatin1(sig), dataDir() });
        QVERIFY(p.waitForStarted(10000));
        QVERIFY(QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 60000));
        const QByteArray out = p.readAllStandardOutput() + p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, out.constData());
        QVERIFY2(out.contains("echo restored"), out.constData());
    }
    QCOMPARE(listJson().size(), 0); // nothing was added
}

void TestCli::humanOutputIsTidy()
{
    // One 100-character name does not pad every other row to 100 characters.
    const QString longName = QString(100, QLatin1Char('L'));
    QCOMPARE(add(longName, QStringLiteral("named"), QStringLiteral("password")), 0);
    const Run added
        = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"),
                  QStringLiteral("--name"), QStringLiteral("Short"), QStringLiteral("--url"),
                  QStringLiteral("https://other.jamacloud.com"), QStringLiteral("--auth"),
                  QStringLiteral("basic"), QStringLiteral("--username"), QStringLiteral("svc"),
                  QStringLiteral("--secret-stdin") },
            "pw\n");
    QCOMPARE(added.code, 0);
    Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    for (const QByteArray &line : r.out.split('\n')) {
        if (line.startsWith("Short"))
            QVERIFY2(line.indexOf("Jama") < 50, line.constData());
    }
    QVERIFY(r.out.contains(QString(39, QLatin1Char('L')).toUtf8() + "\xe2\x80\xa6")); // elided
    QVERIFY(listJson().size() == 2);
    QCOMPARE(byName(listJson(), longName).value(QStringLiteral("name")).toString(), longName);

    // add --validate does not say "not verified yet" before the check's own answer.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"),
                QStringLiteral("--name"), QStringLiteral("Checked now"), QStringLiteral("--url"),
                m_server.baseUrl().toString(), QStringLiteral("--auth"), QStringLiteral("basic"),
                QStringLiteral("--username"), QStringLiteral("named"),
                QStringLiteral("--secret-stdin"), QStringLiteral("--validate") },
        "password\n");
    QCOMPARE(r.code, 0);
    QVERIFY2(!r.errText().contains(QStringLiteral("not verified yet")), r.err.constData());
    QVERIFY(r.out.contains("Checked now: Verified"));

    // A store error is printed once.
    QTemporaryDir bad;
    QVERIFY(writeFile(bad.filePath(QStringLiteral("connectors.json")), "{ not json"));
    r = cli({ QStringLiteral("--data-dir"), bad.path(), QStringLiteral("list") });
    QCOMPARE(r.code, cli::ExitUsage);
    QCOMPARE(r.errText().count(QStringLiteral("is not valid JSON")), 1);

    // A connector without a secret: the hint names the window, where entering one exists.
    const QString file = m_files.filePath(QStringLiteral("nosecret.json"));
    QJsonObject e { { "application", "jama-connect" }, { "name", "Bare" },
        { "url", m_server.baseUrl().toString() }, { "authType", "basic" }, { "username", "x" } };
    QVERIFY(writeFile(file,
        QJsonDocument(QJsonObject { { "format", "connector-desk-connectors" },
                          { "schemaVersion", 1 }, { "connectors", QJsonArray { e } } })
            .toJson()));
    QCOMPARE(
        cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("import"), file }).code, 0);
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Bare") });
    QCOMPARE(r.code, cli::ExitValidationFailed);
    QVERIFY2(!r.errText().contains(QStringLiteral("Edit it")), r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("in the window")), r.err.constData());
}

void TestCli::unknownHostIsNotAnOutage()
{
    // Online (or unknown), a name that does not resolve is a failed check (exit 1), shown as
    // "Host not found"; a server that is down is the network's (exit 3).
    QCOMPARE(add(QStringLiteral("Typo"), QStringLiteral("named"), QStringLiteral("password"),
                 QStringLiteral("https://jama.customer.invalid")),
        0);
    Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Typo") });
    QCOMPARE(r.code, cli::ExitValidationFailed);
    QVERIFY2(r.out.contains("Typo: Host not found"), r.out.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("could not be found")), r.err.constData());
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QVERIFY(r.out.contains("Host not found"));
    QCOMPARE(add(QStringLiteral("Down"), QStringLiteral("named"), QStringLiteral("password"),
                 QStringLiteral("http://127.0.0.1:%1").arg(m_downPort)),
        0);
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Down") });
    QCOMPARE(r.code, cli::ExitNetwork);
}

QList<int> TestCli::concurrently(
    const QList<QStringList> &argLists, const QList<QByteArray> &inputs)
{
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int i = 0; i < argLists.size(); ++i) {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(environment());
        p->start(test::appBinary(), argLists.at(i));
        processes.push_back(std::move(p));
    }
    for (int i = 0; i < int(processes.size()); ++i) {
        processes.at(i)->waitForStarted(10000);
        processes.at(i)->write(inputs.value(i));
        processes.at(i)->closeWriteChannel();
    }
    QList<int> codes;
    for (auto &p : processes) {
        if (!QTest::qWaitFor([&] { return p->state() == QProcess::NotRunning; }, 120000))
            p->kill();
        const QByteArray out = p->readAllStandardOutput() + p->readAllStandardError();
        m_allOutput += out;
        const int code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -2;
        if (code != 0)
            qWarning().noquote() << "exit" << code << QString::fromUtf8(out);
        codes << code;
    }
    return codes;
}

namespace {
QStringList addArgs(const QString &dataDir, const QString &name, const QString &url)
{
    return { QStringLiteral("--data-dir"), dataDir, QStringLiteral("add"), QStringLiteral("--name"),
        name, QStringLiteral("--url"), url, QStringLiteral("--auth"), QStringLiteral("basic"),
        QStringLiteral("--username"), QStringLiteral("svc"), QStringLiteral("--secret-stdin") };
}

// The keys added to the keychain since `before` (the session's keychain is shared by every test).
QStringList keysSince(const QStringList &before)
{
    QStringList now = allKeys();
    for (const QString &k : before)
        now.removeOne(k);
    return now;
}

// The keys the listed connectors own (those with a secret).
QStringList ownedKeys(const QJsonArray &list)
{
    QStringList keys;
    for (const QJsonValue &v : list) {
        const QJsonObject o = v.toObject();
        if (!o.value(QStringLiteral("needsSecret")).toBool())
            keys << QStringLiteral("connector/%1/%2")
                        .arg(o.value(QStringLiteral("id")).toString(),
                            o.value(QStringLiteral("authType")).toString() == QLatin1String("oauth")
                                ? QStringLiteral("client-secret")
                                : QStringLiteral("password"));
    }
    keys.sort();
    return keys;
}

QStringList names(const QJsonArray &list)
{
    QStringList n;
    for (const QJsonValue &v : list)
        n << v.toObject().value(QStringLiteral("name")).toString();
    n.sort();
    return n;
}
} // namespace

void TestCli::concurrentAddsAllLand()
{
    const QStringList keysBefore = allKeys();
    // Twenty processes on a data folder that does not exist yet: they also race to create it.
    QList<QStringList> args;
    QList<QByteArray> inputs;
    QStringList expected;
    for (int i = 0; i < 20; ++i) {
        const QString name = QStringLiteral("Parallel %1").arg(i, 2, 10, QLatin1Char('0'));
        args << addArgs(dataDir(), name, QStringLiteral("https://p%1.jamacloud.com").arg(i));
        const QString secret = uniqueSecret("par-");
        m_secrets << secret;
        inputs << secret.toUtf8() + '\n';
        expected << name;
    }
    const QList<int> codes = concurrently(args, inputs);
    QCOMPARE(codes, QList<int>(20, 0));
    const QJsonArray list = listJson();
    QCOMPARE(names(list), expected);
    QCOMPARE(keysSince(keysBefore), ownedKeys(list)); // 20 secrets, each with its connector
    QCOMPARE(ownedKeys(list).size(), 20);
    for (const QJsonValue &v : list) {
        const QString id = v.toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!lookup(QStringLiteral("connector/%1/password").arg(id)).isEmpty());
    }
}

void TestCli::concurrentAddsAndRemoves()
{
    const QStringList keysBefore = allKeys();
    QStringList kept;
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(
            add(QStringLiteral("Old %1").arg(i), QStringLiteral("svc"), QStringLiteral("pw")), 0);
        QCOMPARE(
            add(QStringLiteral("Stays %1").arg(i), QStringLiteral("svc"), QStringLiteral("pw")), 0);
        kept << QStringLiteral("Stays %1").arg(i);
    }
    QList<QStringList> args;
    QList<QByteArray> inputs;
    for (int i = 0; i < 3; ++i) {
        args << addArgs(dataDir(), QStringLiteral("New %1").arg(i), m_server.baseUrl().toString());
        inputs << QByteArray("pw\n");
        args << QStringList { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("remove"),
            QStringLiteral("Old %1").arg(i) };
        inputs << QByteArray();
        kept << QStringLiteral("New %1").arg(i);
    }
    QCOMPARE(concurrently(args, inputs), QList<int>(6, 0));
    kept.sort();
    const QJsonArray list = listJson();
    QCOMPARE(names(list), kept);
    QCOMPARE(keysSince(keysBefore), ownedKeys(list)); // the removed ones' secrets are gone too
}

void TestCli::killedWriterLeavesNoOrphan()
{
    const QStringList keysBefore = allKeys();
    // `add` killed with SIGKILL at moments spread over its run (before, during and after the
    // keychain write and the transaction). After each, the next command (here `list`) reads a
    // consistent store, and every secret in the keychain belongs to a listed connector.
    // The moments are spread over what one `add` takes on this machine (measured first, 1.2
    // times that), so that most runs are cut short however fast the machine or the app is.
    QElapsedTimer timing;
    timing.start();
    QCOMPARE(add(QStringLiteral("Timing"), QStringLiteral("svc"), QStringLiteral("pw")), 0);
    const int span = qMax(40, int(timing.elapsed() * 12 / 10));
    int killed = 0;
    for (int i = 0; i <= 20; ++i) {
        const int delay = span * i / 20;
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(test::appBinary(),
            addArgs(dataDir(), QStringLiteral("Killed %1").arg(i), m_server.baseUrl().toString()));
        QVERIFY(p.waitForStarted(10000));
        p.write("pw\n");
        p.closeWriteChannel();
        QTest::qWait(delay);
        const qint64 pid = p.processId(); // 0 once it has ended: kill(0) would hit this test
        if (pid > 0 && p.state() == QProcess::Running) {
            ::kill(pid_t(pid), SIGKILL);
            ++killed;
        }
        p.waitForFinished(10000);
        const QJsonArray list = listJson(); // the next open finishes what was left
        QCOMPARE(keysSince(keysBefore), ownedKeys(list));
        QVERIFY(sql(storePath(), QStringLiteral("SELECT 1"))); // still a database
    }
    QVERIFY2(killed >= 10, // most runs were cut short
        qPrintable(QStringLiteral("%1 of 21 killed over %2 ms").arg(killed).arg(span)));
    const Run check = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QCOMPARE(check.code, 0);
}

void TestCli::badDatabase_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("problem");
    QTest::newRow("not SQLite") << "not-sqlite"
                                << "not an SQLite file";
    QTest::newRow("truncated") << "truncated"
                               << "damaged";
    QTest::newRow("zero bytes") << "zero"
                                << "0 bytes";
    QTest::newRow("newer schema") << "newer"
                                  << "newer Connector Desk";
    QTest::newRow("read-only file") << "ro-file"
                                    << "read-only";
    QTest::newRow("read-only folder") << "ro-folder"
                                      << "cannot be written";
}

void TestCli::badDatabase()
{
    const QStringList keysBefore = allKeys();
    QFETCH(QString, kind);
    QFETCH(QString, problem);
    // A good database with a connector first.
    QCOMPARE(add(QStringLiteral("Existing"), QStringLiteral("svc"), QStringLiteral("pw")), 0);
    QVERIFY(sql(storePath(), QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
    const QByteArray good = readAll(storePath());
    QVERIFY(good.startsWith("SQLite format 3"));

    QStringList asUser; // run as another (non-root) user: permission bits then apply
    QString dir = dataDir();
    QTemporaryDir shared;
    if (kind == QLatin1String("not-sqlite")) {
        QVERIFY(writeFile(storePath(), "{\"schemaVersion\": 1, \"connectors\": []}"));
    } else if (kind == QLatin1String("truncated")) {
        QVERIFY(writeFile(storePath(), good.left(good.size() * 2 / 3)));
    } else if (kind == QLatin1String("zero")) {
        QVERIFY(writeFile(storePath(), QByteArray()));
    } else if (kind == QLatin1String("newer")) {
        QVERIFY(sql(storePath(), QStringLiteral("PRAGMA user_version = 2000")));
    } else {
        // The folder belongs to "nobody", who runs the command.
        QVERIFY(QFile::setPermissions(shared.path(),
            QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ExeOther));
        dir = shared.filePath(QStringLiteral("data"));
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFile::copy(storePath(), dir + QStringLiteral("/connectors.db")));
        const QByteArray d = QFile::encodeName(dir);
        const QByteArray f = QFile::encodeName(dir + QStringLiteral("/connectors.db"));
        QCOMPARE(::chown(d.constData(), 65534, 65534), 0);
        QCOMPARE(::chown(f.constData(), 65534, 65534), 0);
        QCOMPARE(::chmod(f.constData(), kind == QLatin1String("ro-file") ? 0400 : 0600), 0);
        QCOMPARE(::chmod(d.constData(), kind == QLatin1String("ro-file") ? 0700 : 0500), 0);
        asUser = { QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
            QStringLiteral("--clear-groups"), test::appBinary() };
    }
    const QString path = dir + QStringLiteral("/connectors.db");
    const QByteArray before = readAll(path);
    const QString in = m_files.filePath(QStringLiteral("bad-db-in.json"));
    const QByteArray importFile
        = R"({"format":"connector-desk-connectors","schemaVersion":1,)"
          R"("connectors":[{"application":"jama-connect","name":"Imported",)"
          R"("url":"https://i.jamacloud.com","authType":"basic","username":"u"}]})";
    QVERIFY(writeFile(in, importFile));
    QFile::setPermissions(in, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
    QFile::setPermissions(
        m_files.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ExeOther);
    for (const QStringList &command : { QStringList { QStringLiteral("list") },
             QStringList { QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("N"),
                 QStringLiteral("--url"), QStringLiteral("n.jamacloud.com"),
                 QStringLiteral("--auth"), QStringLiteral("basic"), QStringLiteral("--username"),
                 QStringLiteral("u"), QStringLiteral("--secret-stdin") },
             QStringList { QStringLiteral("import"), in },
             QStringList { QStringLiteral("remove"), QStringLiteral("Existing") },
             QStringList { QStringLiteral("validate"), QStringLiteral("--all") } }) {
        const QStringList args = QStringList { QStringLiteral("--data-dir"), dir } + command;
        Run r;
        if (asUser.isEmpty()) {
            r = cli(args, "secret-unused\n");
        } else {
            const test::ProcessResult p = test::runProcess(
                QStringLiteral("setpriv"), asUser + args, "secret-unused\n", environment());
            r.code = p.exitCode;
            r.out = p.out;
            r.err = p.err;
        }
        QVERIFY2(r.code == int(cli::ExitUsage),
            qPrintable(command.first() + QStringLiteral(": exit %1: ").arg(r.code) + r.errText()));
        QVERIFY2(r.errText().contains(path), r.err.constData());
        QVERIFY2(r.errText().contains(problem), r.err.constData());
        QCOMPARE(readAll(path), before);
    }
    QCOMPARE(
        keysSince(keysBefore).size(), 1); // "Existing" keeps its secret; nothing new was stored
}

void TestCli::busyDatabaseSaysTryAgain()
{
    const QStringList keysBefore = allKeys();
    QCOMPARE(add(QStringLiteral("First"), QStringLiteral("svc"), QStringLiteral("pw")), 0);
    // Another program holds a write transaction longer than the busy timeout (5 s).
    {
        test::SqliteConnection holder(storePath());
        QVERIFY(holder.exec(QStringLiteral("BEGIN IMMEDIATE")));
        const QString secret = uniqueSecret("busy-");
        m_secrets << secret;
        const Run r
            = cli(addArgs(dataDir(), QStringLiteral("Second"), m_server.baseUrl().toString()),
                secret.toUtf8() + '\n');
        QCOMPARE(r.code, int(cli::ExitUsage));
        QVERIFY2(r.errText().contains(QLatin1String("busy")), r.err.constData());
        QVERIFY2(r.errText().contains(QLatin1String("try again")), r.err.constData());
        QVERIFY(holder.exec(QStringLiteral("ROLLBACK")));
    }
    const QJsonArray list = listJson();
    QCOMPARE(names(list), QStringList { QStringLiteral("First") });
    QCOMPARE(keysSince(keysBefore), ownedKeys(list)); // the second secret was taken out again
    QCOMPARE(add(QStringLiteral("Second"), QStringLiteral("svc"), QStringLiteral("pw")), 0);
}

void TestCli::diskFullLosesNothing()
{
    QCOMPARE(add(QStringLiteral("Before"), QStringLiteral("svc"), QStringLiteral("pw")), 0);
    QVERIFY(sql(storePath(), QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
    const QByteArray before = readAll(storePath());
    QJsonArray connectors;
    for (int i = 0; i < 500; ++i)
        connectors.append(
            QJsonObject { { QStringLiteral("application"), QStringLiteral("jama-connect") },
                { QStringLiteral("name"), QStringLiteral("Bulk %1").arg(i) },
                { QStringLiteral("url"), QStringLiteral("https://bulk%1.jamacloud.com").arg(i) },
                { QStringLiteral("authType"), QStringLiteral("basic") },
                { QStringLiteral("username"), QStringLiteral("svc") } });
    const QString in = m_files.filePath(QStringLiteral("bulk.json"));
    QVERIFY(writeFile(in,
        QJsonDocument(
            QJsonObject { { QStringLiteral("format"), QStringLiteral("connector-desk-connectors") },
                { QStringLiteral("schemaVersion"), 1 },
                { QStringLiteral("connectors"), connectors } })
            .toJson()));
    // A disk that fills up: no file may grow past 32 KiB (the -shm index fits, the log of
    // 500 new rows does not). SIGXFSZ ignored, so the write fails instead of killing.
    const QString limit = QStringLiteral(
        "import resource, signal, os, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (32768, 32768)); os.execv(sys.argv[1], "
        "sys.argv[1:])");
    const test::ProcessResult r = test::runProcess(QStringLiteral("python3"),
        { QStringLiteral("-c"), limit, test::appBinary(), QStringLiteral("--data-dir"), dataDir(),
            QStringLiteral("import"), in },
        QByteArray(), environment());
    QCOMPARE(r.exitCode, int(cli::ExitUsage));
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.contains(QLatin1String("Nothing was imported")), r.err.constData());
    QVERIFY2(err.contains(storePath()), r.err.constData());
    QCOMPARE(readAll(storePath()), before);
    QCOMPARE(names(listJson()), QStringList { QStringLiteral("Before") });
}

void TestCli::migratesConnectorsJson()
{
    QVERIFY(QFile::copy(QStringLiteral(CD_FIXTURES_DIR "/connectors-1.0.json"), legacyPath()));
    const QByteArray bytes = readAll(legacyPath());
    const Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list"),
        QStringLiteral("--json") });
    QCOMPARE(r.code, 0);
    QVERIFY2(r.errText().contains(QLatin1String("connectors.json.migrated")), r.err.constData());
    const QJsonArray list = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(list.size(), 4);
    QCOMPARE(list.at(0).toObject().value(QStringLiteral("name")).toString(),
        QStringLiteral("ACME Production"));
    QCOMPARE(list.at(0).toObject().value(QStringLiteral("status")).toString(),
        QStringLiteral("verified"));
    QCOMPARE(list.at(1).toObject().value(QStringLiteral("clientId")).toString(),
        QStringLiteral("c1i2e3n4t"));
    QVERIFY(!QFile::exists(legacyPath()));
    QCOMPARE(readAll(legacyPath() + QStringLiteral(".migrated")), bytes);
    // Said once, not on every run.
    const Run again = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QVERIFY(!again.errText().contains(QLatin1String("migrated")));
}

// ---- Jira -------------------------------------------------------------------------------

namespace {
struct JiraRow
{
    fake::JiraFlavour flavour;
    const char *application;
    const char *auth;
    const char *identityOption; // nullptr: the method has none
    const char *identityKey;
    const char *keychainSuffix;
};

// The arguments of `add` for `account` of the fake, and its secret.
QStringList jiraAddArgs(
    const JiraRow &row, const QUrl &base, const QString &name, const QString &account)
{
    QStringList args { QStringLiteral("add"), QStringLiteral("--application"),
        QLatin1String(row.application), QStringLiteral("--name"), name, QStringLiteral("--url"),
        base.toString(), QStringLiteral("--auth"), QLatin1String(row.auth) };
    if (row.identityOption)
        args << QStringLiteral("--") + QLatin1String(row.identityOption)
             << (row.flavour == fake::JiraFlavour::Cloud ? account + QStringLiteral("@example.com")
                                                         : account);
    return args << QStringLiteral("--secret-stdin");
}

QByteArray jiraSecret(const JiraRow &row, const QString &account)
{
    if (QLatin1String(row.auth) == QLatin1String("api-token"))
        return account.toUtf8() + "-token";
    if (QLatin1String(row.auth) == QLatin1String("pat"))
        return account.toUtf8() + "-pat";
    return "password";
}

void addJiraRows()
{
    QTest::addColumn<int>("row");
    QTest::newRow("cloud, api-token") << 0;
    QTest::newRow("data center, basic") << 1;
    QTest::newRow("data center, pat") << 2;
}

const JiraRow kJiraRows[] = {
    { fake::JiraFlavour::Cloud, "jira-cloud", "api-token", "email", "email", "api-token" },
    { fake::JiraFlavour::DataCenter, "jira-data-center", "basic", "username", "username",
        "jira-password" },
    { fake::JiraFlavour::DataCenter, "jira-data-center", "pat", nullptr, nullptr, "token" },
};
} // namespace

void TestCli::jiraConnectors_data()
{
    addJiraRows();
}

void TestCli::jiraConnectors()
{
    QFETCH(int, row);
    const JiraRow &r = kJiraRows[row];
    fake::FakeJiraServer jira;
    jira.setFlavour(r.flavour);
    if (r.flavour == fake::JiraFlavour::DataCenter)
        jira.setContextPath(QStringLiteral("/jira"));
    // An account whose secrets exist only in this test: none may show up anywhere else.
    fake::JiraAccount account;
    account.name = QStringLiteral("svc");
    account.emailAddress = QStringLiteral("svc@example.com");
    account.displayName = QStringLiteral("Service Account");
    account.apiToken = uniqueSecret("jira-token-");
    account.password = uniqueSecret("jira-pw-");
    account.personalAccessToken = uniqueSecret("jira-pat-");
    jira.addAccount(account);
    const QByteArray secret
        = (QLatin1String(r.auth) == QLatin1String("api-token")  ? account.apiToken
                : QLatin1String(r.auth) == QLatin1String("pat") ? account.personalAccessToken
                                                                : account.password)
              .toUtf8();
    QVERIFY(jira.listen());
    // A browser URL of the instance: the command line saves its base.
    QUrl pasted = jira.baseUrl();
    pasted.setPath(pasted.path() + QStringLiteral("/browse/KEY-1"));
    const Run added = cli(QStringList { QStringLiteral("--data-dir"), dataDir() }
            + jiraAddArgs(r, pasted, QStringLiteral("Jira"), QStringLiteral("svc"))
            + QStringList { QStringLiteral("--validate") },
        secret + '\n');
    QVERIFY2(added.code == cli::ExitOk, qPrintable(added.errText()));
    QVERIFY2(added.out.contains("Jira: Verified"), added.out.constData());
    QCOMPARE(jira.requestCount(QStringLiteral("/myself")), 1);
    QCOMPARE(jira.requestCount(QStringLiteral("/mypermissions")), 1);

    const QJsonArray list = listJson();
    QCOMPARE(list.size(), 1);
    const QJsonObject c = list.first().toObject();
    QCOMPARE(c.value(QStringLiteral("application")).toString(), QLatin1String(r.application));
    QCOMPARE(c.value(QStringLiteral("authType")).toString(), QLatin1String(r.auth));
    QCOMPARE(c.value(QStringLiteral("url")).toString(), jira.baseUrl().toString());
    QCOMPARE(c.value(QStringLiteral("status")).toString(), QStringLiteral("verified"));
    // The identity under the method's own key, and no other identity key.
    for (const char *key : { "username", "clientId", "email" }) {
        const bool expected = r.identityKey && QLatin1String(key) == QLatin1String(r.identityKey);
        QCOMPARE(c.contains(QLatin1String(key)), expected);
    }
    // The secret: in the Secret Service under the method's key, nowhere else.
    const QString id = c.value(QStringLiteral("id")).toString();
    QCOMPARE(lookup(QStringLiteral("connector/%1/%2").arg(id, QLatin1String(r.keychainSuffix))),
        QString::fromUtf8(secret));
    const Run exported = cli(
        { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), QStringLiteral("-") });
    QCOMPARE(exported.code, cli::ExitOk);
    QVERIFY(exported.out.contains(r.application));
    QVERIFY(!exported.out.contains(secret));
    QVERIFY(!m_allOutput.contains(secret));
    verifyNoFileContains(QString::fromUtf8(secret));
    // Back in through import (as another machine would): the same fields, needing a secret.
    const QString file = m_files.filePath(QStringLiteral("jira-%1.json").arg(row));
    QVERIFY(writeFile(file, exported.out));
    const Run removed = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("remove"),
        QStringLiteral("Jira") });
    QCOMPARE(removed.code, cli::ExitOk);
    QCOMPARE(lookup(QStringLiteral("connector/%1/%2").arg(id, QLatin1String(r.keychainSuffix))),
        QString());
    const Run imported
        = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("import"), file });
    QVERIFY2(imported.code == cli::ExitOk, qPrintable(imported.errText()));
    const QJsonObject back = listJson().first().toObject();
    QCOMPARE(back.value(QStringLiteral("application")).toString(), QLatin1String(r.application));
    QCOMPARE(back.value(QStringLiteral("authType")).toString(), QLatin1String(r.auth));
    QCOMPARE(back.value(QStringLiteral("needsSecret")).toBool(), true);
    if (r.identityKey)
        QCOMPARE(back.value(QLatin1String(r.identityKey)), c.value(QLatin1String(r.identityKey)));
}

void TestCli::jiraRejectedIsAskedOnce_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<QString>("account");
    QTest::addColumn<QString>("said");
    QTest::newRow("cloud, 401") << 0 << "unauthorized"
                                << "rejected (HTTP 401)";
    QTest::newRow("data center, 401") << 1 << "unauthorized"
                                      << "rejected (HTTP 401)";
    QTest::newRow("data center, pat 401") << 2 << "unauthorized"
                                          << "rejected (HTTP 401)";
    QTest::newRow("cloud, captcha") << 0 << "captcha"
                                    << "sign in once in a browser at http";
    QTest::newRow("data center, captcha") << 1 << "captcha"
                                          << "/login.jsp";
}

void TestCli::jiraRejectedIsAskedOnce()
{
    QFETCH(int, row);
    QFETCH(QString, account);
    QFETCH(QString, said);
    const JiraRow &r = kJiraRows[row];
    fake::FakeJiraServer jira;
    jira.setFlavour(r.flavour);
    QVERIFY(jira.listen());
    const Run added = cli(QStringList { QStringLiteral("--data-dir"), dataDir() }
            + jiraAddArgs(r, jira.baseUrl(), QStringLiteral("Locked"), account),
        jiraSecret(r, account) + '\n');
    QVERIFY2(added.code == cli::ExitOk, qPrintable(added.errText()));
    const Run first = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Locked") });
    QCOMPARE(first.code, cli::ExitValidationFailed);
    QVERIFY2(first.errText().contains(said), qPrintable(first.errText()));
    QCOMPARE(jira.requestCount(QStringLiteral("/myself")), 1);
    // --all does not send rejected credentials again: repeated failures lock the account.
    const Run again = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("--all") });
    QCOMPARE(again.code, cli::ExitValidationFailed);
    QCOMPARE(jira.requestCount(QStringLiteral("/myself")), 1);
    QCOMPARE(jira.requests().size(), 1);
}

void TestCli::jiraOptionsAreChecked_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("said");
    const QStringList base { QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("J"),
        QStringLiteral("--url"), QStringLiteral("https://acme.atlassian.net"),
        QStringLiteral("--secret-stdin") };
    QTest::newRow("unknown application")
        << base + QStringList { "--application", "jira-server", "--auth", "basic" }
        << "unknown application \"jira-server\"; expected \"jama-connect\", \"jira-cloud\", "
           "\"jira-data-center\"";
    QTest::newRow("cloud has no basic")
        << base + QStringList { "--application", "jira-cloud", "--auth", "basic", "--email", "a@b" }
        << "--auth: Jira Cloud connectors sign in with \"api-token\"";
    QTest::newRow("cloud needs an email") << base + QStringList { "--application", "jira-cloud" }
                                          << "--email: Enter the email address";
    QTest::newRow("pat takes no username") << base
            + QStringList { "--application", "jira-data-center", "--auth", "pat", "--username",
                  "x" } << "--username is not used with --auth pat, which needs no identity";
    QTest::newRow("username is not Cloud's") << base
            + QStringList { "--application", "jira-cloud", "--auth", "api-token", "--username", "x",
                  "--email", "a@b" } << "--username is not used with --auth api-token; use --email";
    QTest::newRow("jama has no pat")
        << base + QStringList { "--application", "jama-connect", "--auth", "pat" }
        << "--auth: Jama Connect connectors sign in with \"basic\", \"oauth\"";
}

void TestCli::jiraOptionsAreChecked()
{
    QFETCH(QStringList, args);
    QFETCH(QString, said);
    const Run r = cli(QStringList { QStringLiteral("--data-dir"), dataDir() } + args, "token\n");
    QCOMPARE(r.code, cli::ExitUsage);
    QVERIFY2(r.errText().contains(said), qPrintable(r.errText()));
    QVERIFY(!QFile::exists(storePath()) || listJson().isEmpty());
}

void TestCli::newerApplicationIsNotChecked()
{
    // A connector a newer Connector Desk wrote, of an application this one does not know:
    // not checked (nothing read or sent), not changed, and it does not fail --all.
    QCOMPARE(add(QStringLiteral("Known"), QStringLiteral("named"), QStringLiteral("password")), 0);
    QCOMPARE(add(QStringLiteral("Future"), QStringLiteral("named"), QStringLiteral("password")), 0);
    QVERIFY(sql(storePath(),
        QStringLiteral("UPDATE connectors SET application = ?, auth_type = ? WHERE name = ?"),
        { QStringLiteral("future-tracker"), QStringLiteral("magic-link"),
            QStringLiteral("Future") }));
    m_server.clearRequests();
    const Run all = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("--all") });
    QVERIFY2(all.code == cli::ExitOk, qPrintable(all.errText()));
    QVERIFY2(all.errText().contains(QLatin1String("made by a newer Connector Desk")),
        qPrintable(all.errText()));
    // Known only: its account, then its projects list (read by every check that signs in).
    QCOMPARE(m_server.requestCount(QStringLiteral("/users/current")), 1);
    QCOMPARE(m_server.requestCount(), 2);
    const Run one = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Future") });
    QCOMPARE(one.code, cli::ExitValidationFailed);
    QCOMPARE(m_server.requestCount(), 2); // nothing more
    const Run removed = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("remove"),
        QStringLiteral("Future") });
    QCOMPARE(removed.code, cli::ExitUsage);
    QVERIFY2(removed.errText().contains(QLatin1String("change or delete it there")),
        qPrintable(removed.errText()));
    bool found = false;
    for (const QJsonValue &v : listJson()) {
        if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("Future")) {
            found = true;
            QCOMPARE(v.toObject().value(QStringLiteral("application")).toString(),
                QStringLiteral("future-tracker"));
            QCOMPARE(v.toObject().value(QStringLiteral("status")).toString(),
                QStringLiteral("not-verified"));
        }
    }
    QVERIFY(found);
}

// ---- The scope: projects ---------------------------------------------------------------

void TestCli::addWithProjects()
{
    QCOMPARE(add(QStringLiteral("Plain"), QStringLiteral("named"), QStringLiteral("password")), 0);
    Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QVERIFY2(!r.out.contains("PROJECTS"), r.out.constData()); // no column while none is scoped

    // Repeated, and several in one value: trimmed, in order, duplicates (any case) dropped.
    QCOMPARE(add(QStringLiteral("Scoped"), QStringLiteral("named"), QStringLiteral("password"),
                 QString(),
                 { QStringLiteral("--project"), QStringLiteral("DEMO"), QStringLiteral("--project"),
                     QStringLiteral(" TEST,demo ") }),
        0);
    const QJsonArray list = listJson();
    QCOMPARE(list.size(), 2);
    QCOMPARE(stringList(byName(list, QStringLiteral("Scoped")).value(QStringLiteral("projects"))),
        (QStringList { QStringLiteral("DEMO"), QStringLiteral("TEST") }));
    // Always there, [] when the connector is not scoped.
    const QJsonValue plain
        = byName(list, QStringLiteral("Plain")).value(QStringLiteral("projects"));
    QVERIFY(plain.isArray());
    QVERIFY(plain.toArray().isEmpty());

    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("list") });
    QCOMPARE(r.code, 0);
    const QStringList lines = QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    const qsizetype projectsColumn = lines.at(0).indexOf(QStringLiteral("PROJECTS"));
    QVERIFY2(projectsColumn > 0, r.out.constData());
    const qsizetype statusColumn = lines.at(0).indexOf(QStringLiteral("STATUS"));
    for (const QString &line : lines.mid(1)) {
        QCOMPARE(line.indexOf(QStringLiteral("Not verified")), statusColumn);
        if (line.startsWith(QLatin1String("Scoped")))
            QCOMPARE(line.indexOf(QStringLiteral("DEMO, TEST")), projectsColumn);
    }
}

void TestCli::hostileProjectKeys_data()
{
    QTest::addColumn<QStringList>("values"); // of --project
    QTest::addColumn<QString>("said"); // a part of stderr: the key, made inert
    QTest::newRow("markup") << QStringList { "A<b>" } << QStringLiteral("“A<b>”");
    QTest::newRow("escape sequence")
        << QStringList { QStringLiteral("EV\x1b[31m") } << QStringLiteral("EV\\x1B[31m");
    QTest::newRow("bell among good keys")
        << QStringList { "DEMO", QStringLiteral("TEST,BE\x07L") } << QStringLiteral("BE\\x07L");
    QTest::newRow("bidi override")
        << QStringList { QStringLiteral("AB\u202eC") } << QStringLiteral("AB\\u202EC");
    QTest::newRow("too long") << QStringList { QString(65, QLatin1Char('K')) }
                              << QStringLiteral("too long");
    QTest::newRow("no key") << QStringList { " , " } << QStringLiteral("no project key");
}

void TestCli::hostileProjectKeys()
{
    QFETCH(QStringList, values);
    QFETCH(QString, said);
    QStringList args { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"),
        QStringLiteral("--name"), QStringLiteral("Hostile"), QStringLiteral("--url"),
        m_server.baseUrl().toString(), QStringLiteral("--auth"), QStringLiteral("basic"),
        QStringLiteral("--username"), QStringLiteral("named"), QStringLiteral("--secret-stdin") };
    for (const QString &v : std::as_const(values))
        args << QStringLiteral("--project") << v;
    const Run r = cli(args, "password\n");
    QCOMPARE(r.code, cli::ExitUsage);
    QVERIFY2(r.errText().contains(QStringLiteral("--project: ")), r.err.constData());
    QVERIFY2(r.errText().contains(said), r.err.constData());
    QVERIFY(r.out.isEmpty());
    for (const QByteArray &stream : { r.out, r.err })
        QVERIFY2(!stream.contains('\x1b') && !stream.contains('\x07')
                && !stream.contains("\xe2\x80\xae"),
            stream.toPercentEncoding(" :/\n").constData());
    // Refused before anything is opened: nothing stored.
    QVERIFY(!QFile::exists(storePath()));
    QVERIFY(listJson().isEmpty());
}

void TestCli::validateChecksProjects_data()
{
    QTest::addColumn<QString>("user"); // of the fake's built-in accounts
    QTest::addColumn<QStringList>("projects");
    QTest::addColumn<int>("generated"); // > 0: the server has that many generated projects
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("failing"); // the scoped key that fails, or empty
    QTest::newRow("sees every scoped project")
        << "named" << QStringList { "DEMO", "TEST" } << 0 << 0 << "verified"
        << "";
    QTest::newRow("by id") << "named" << QStringList { "21" } << 0 << 0 << "verified"
                           << "";
    QTest::newRow("no such project")
        << "named" << QStringList { "DEMO", "NOPE" } << 0 << 1 << "failed"
        << "NOPE";
    QTest::newRow("hidden from the account")
        << "demo-only" << QStringList { "TEST" } << 0 << 1 << "failed"
        << "TEST";
    QTest::newRow("items not readable")
        << "unreadable" << QStringList { "TEST" } << 0 << 1 << "failed"
        << "TEST";
    // Jama pages at most 50 projects: P110 is on the third page.
    QTest::newRow("third page of 120")
        << "named" << QStringList { "P110" } << 120 << 0 << "verified"
        << "";
}

void TestCli::validateChecksProjects()
{
    QFETCH(QString, user);
    QFETCH(QStringList, projects);
    QFETCH(int, generated);
    QFETCH(int, code);
    QFETCH(QString, status);
    QFETCH(QString, failing);
    fake::FakeJamaServer jama;
    if (generated > 0)
        jama.setProjects(fake::FakeJamaServer::generatedProjects(generated));
    QVERIFY(jama.listen());
    QStringList extra;
    for (const QString &p : std::as_const(projects))
        extra << QStringLiteral("--project") << p;
    QCOMPARE(add(QStringLiteral("Scoped"), user, QStringLiteral("password"),
                 jama.baseUrl().toString(), extra),
        0);

    Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Scoped"), QStringLiteral("--json") });
    QVERIFY2(
        r.code == code, qPrintable(QStringLiteral("exit %1: %2").arg(r.code).arg(r.errText())));
    const QJsonArray results = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(results.size(), 1);
    const QJsonObject o = results.first().toObject();
    QCOMPARE(o.value(QStringLiteral("status")).toString(), status);
    // Every item has an id, a status and a message.
    for (const QJsonValue &v : o.value(QStringLiteral("checks")).toArray()) {
        QVERIFY(!v.toObject().value(QStringLiteral("id")).toString().isEmpty());
        QVERIFY(!v.toObject().value(QStringLiteral("status")).toString().isEmpty());
        QVERIFY(v.toObject().value(QStringLiteral("message")).isString());
    }
    const QHash<QString, QString> checks = checkStatuses(o);
    QCOMPARE(checks.value(QStringLiteral("credentials")), QStringLiteral("pass"));
    for (const QString &p : std::as_const(projects))
        QCOMPARE(checks.value(QStringLiteral("project:") + p),
            p == failing ? QStringLiteral("fail") : QStringLiteral("pass"));
    // Not confirmable through Jama's API without writing: said, never claimed.
    QCOMPARE(checks.value(QStringLiteral("write-access")), QStringLiteral("unknown"));
    QCOMPARE(checks.value(QStringLiteral("admin")), QStringLiteral("unknown"));
    if (!failing.isEmpty()) {
        QVERIFY2(o.value(QStringLiteral("message")).toString().contains(failing),
            qPrintable(o.value(QStringLiteral("message")).toString()));
        QVERIFY2(r.errText().contains(failing), r.err.constData());
    }
    if (generated > 0) // paged up to the key, not assumed to be on the first page
        QVERIFY(jama.requestCount(QStringLiteral("/rest/v1/projects")) >= 3);
    // The result is recorded: the window shows the same.
    QCOMPARE(
        byName(listJson(), QStringLiteral("Scoped")).value(QStringLiteral("status")).toString(),
        status);

    // Human output: the steps that did not pass, indented under the connector's line.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Scoped") });
    QCOMPARE(r.code, code);
    const QString text = QString::fromUtf8(r.out);
    QVERIFY2(text.startsWith(QStringLiteral("Scoped: ")), r.out.constData());
    QVERIFY2(text.contains(QStringLiteral("\n    [unknown] Write access: ")), r.out.constData());
    QVERIFY2(!text.contains(QStringLiteral("[pass]")), r.out.constData());
    if (failing.isEmpty())
        QVERIFY2(!text.contains(QStringLiteral("Project ")), r.out.constData());
    else
        QVERIFY2(text.contains(QStringLiteral("\n    [fail] Project %1: ").arg(failing)),
            r.out.constData());
}

void TestCli::editScope()
{
    QCOMPARE(add(QStringLiteral("Scoped"), QStringLiteral("named"), QStringLiteral("password"),
                 QString(), { QStringLiteral("--project"), QStringLiteral("DEMO") }),
        0);
    QCOMPARE(cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
                     QStringLiteral("Scoped") })
                 .code,
        0);
    const QJsonObject before = byName(listJson(), QStringLiteral("Scoped"));
    QCOMPARE(before.value(QStringLiteral("status")).toString(), QStringLiteral("verified"));

    // Neither the network nor the keychain is used: it works with no Secret Service at all.
    QProcessEnvironment noKeychain = environment();
    noKeychain.insert(
        QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent"));
    m_server.clearRequests();
    Run r = cli(
        { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("edit"), QStringLiteral("scoped"),
            QStringLiteral("--project"), QStringLiteral("TEST"), QStringLiteral("--project"),
            QStringLiteral("X1,DEMO"), QStringLiteral("--json") },
        {}, noKeychain);
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("validate Scoped")), r.err.constData());
    QCOMPARE(m_server.requestCount(), 0);
    const QJsonArray printed = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(printed.size(), 1);
    const QStringList scope { QStringLiteral("TEST"), QStringLiteral("X1"),
        QStringLiteral("DEMO") };
    QCOMPARE(stringList(printed.first().toObject().value(QStringLiteral("projects"))), scope);

    // The scope is replaced; the last check was of the other scope: not verified until the
    // next check (which the window makes on its own).
    QJsonObject after = byName(listJson(), QStringLiteral("Scoped"));
    QCOMPARE(stringList(after.value(QStringLiteral("projects"))), scope);
    for (const char *key : { "id", "url", "username" })
        QCOMPARE(after.value(QLatin1String(key)), before.value(QLatin1String(key)));
    QCOMPARE(after.value(QStringLiteral("status")).toString(), QStringLiteral("not-verified"));
    QVERIFY2(after.value(QStringLiteral("message"))
                 .toString()
                 .contains(QLatin1String("projects changed")),
        qPrintable(after.value(QStringLiteral("message")).toString()));

    // The same scope again: nothing to write.
    const QByteArray stored = readAll(storePath());
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("edit"),
        QStringLiteral("Scoped"), QStringLiteral("--project"), QStringLiteral("TEST,X1,DEMO") });
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("nothing changed")), r.err.constData());
    QCOMPARE(readAll(storePath()), stored);

    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("edit"),
        QStringLiteral("Scoped"), QStringLiteral("--no-projects") });
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.isEmpty());
    after = byName(listJson(), QStringLiteral("Scoped"));
    QVERIFY(after.value(QStringLiteral("projects")).isArray());
    QVERIFY(after.value(QStringLiteral("projects")).toArray().isEmpty());
    QCOMPARE(after.value(QStringLiteral("status")).toString(), QStringLiteral("not-verified"));

    // The next check follows the new scope: no project steps any more.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Scoped"), QStringLiteral("--json") });
    QCOMPARE(r.code, 0);
    const QHash<QString, QString> checks
        = checkStatuses(QJsonDocument::fromJson(r.out).array().first().toObject());
    QVERIFY(!checks.isEmpty());
    for (auto it = checks.cbegin(); it != checks.cend(); ++it)
        QVERIFY2(!it.key().startsWith(QLatin1String("project:")), qPrintable(it.key()));
}

void TestCli::editKeepsRejectedCredentials()
{
    // Rejected credentials stay rejected across a scope change: --all still does not send them.
    QCOMPARE(add(QStringLiteral("Locked"), QStringLiteral("named"), uniqueSecret("not-it-")), 0);
    QCOMPARE(cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
                     QStringLiteral("Locked") })
                 .code,
        cli::ExitValidationFailed);
    m_server.clearRequests();
    const Run edited = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("edit"),
        QStringLiteral("Locked"), QStringLiteral("--project"), QStringLiteral("DEMO") });
    QVERIFY2(edited.code == 0, edited.err.constData());
    const Run all = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("--all"), QStringLiteral("--json") });
    QCOMPARE(all.code, cli::ExitValidationFailed);
    QCOMPARE(m_server.requestCount(), 0);
    const QJsonObject locked
        = byName(QJsonDocument::fromJson(all.out).array(), QStringLiteral("Locked"));
    QVERIFY2(locked.value(QStringLiteral("message"))
                 .toString()
                 .contains(QStringLiteral("Not checked again")),
        qPrintable(locked.value(QStringLiteral("message")).toString()));
    QVERIFY(locked.value(QStringLiteral("checks")).isArray());
    const QJsonObject listed = byName(listJson(), QStringLiteral("Locked"));
    QCOMPARE(listed.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
    QCOMPARE(stringList(listed.value(QStringLiteral("projects"))),
        QStringList { QStringLiteral("DEMO") });
}

void TestCli::editUsageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("said"); // a part of stderr
    QTest::newRow("unknown name") << QStringList { "edit", "nope", "--project", "TEST" }
                                  << "No connector named \"nope\"";
    QTest::newRow("no name") << QStringList { "edit", "--no-projects" }
                             << "exactly one connector name";
    QTest::newRow("two names") << QStringList { "edit", "Existing", "Other", "--no-projects" }
                               << "exactly one connector name";
    QTest::newRow("both") << QStringList { "edit", "Existing", "--project", "TEST",
        "--no-projects" } << "do not go together";
    QTest::newRow("nothing to change")
        << QStringList { "edit", "Existing" } << "edit NAME (--project KEY... | --no-projects)";
    QTest::newRow("no value") << QStringList { "edit", "Existing", "--project" } << "--project";
    QTest::newRow("empty value") << QStringList { "edit", "Existing", "--project", "" }
                                 << "no project key";
    QTest::newRow("markup in a key")
        << QStringList { "edit", "Existing", "--project", "TEST,A<b>" } << "“A<b>”";
    QTest::newRow("escape in a key")
        << QStringList { "edit", "Existing", "--project", QStringLiteral("EV\x1b[31m") }
        << "EV\\x1B[31m";
    QTest::newRow("option of add") << QStringList { "edit", "Existing", "--url", "x.jamacloud.com" }
                                   << "--url does not apply to 'edit'";
}

void TestCli::editUsageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, said);
    QCOMPARE(add(QStringLiteral("Existing"), QStringLiteral("named"), QStringLiteral("password"),
                 QString(), { QStringLiteral("--project"), QStringLiteral("DEMO") }),
        0);
    const QByteArray before = readAll(storePath());
    m_server.clearRequests();
    const Run r = cli(QStringList { QStringLiteral("--data-dir"), dataDir() } + args);
    QCOMPARE(r.code, cli::ExitUsage);
    QVERIFY2(r.errText().contains(said), r.err.constData());
    QVERIFY(!r.err.contains('\x1b'));
    QVERIFY(r.out.isEmpty());
    QCOMPARE(readAll(storePath()), before);
    QCOMPARE(m_server.requestCount(), 0);
    QCOMPARE(stringList(
                 byName(listJson(), QStringLiteral("Existing")).value(QStringLiteral("projects"))),
        QStringList { QStringLiteral("DEMO") });
}

void TestCli::exportImportKeepsProjects()
{
    QCOMPARE(add(QStringLiteral("Scoped"), QStringLiteral("named"), QStringLiteral("password"),
                 QString(), { QStringLiteral("--project"), QStringLiteral("DEMO,21") }),
        0);
    QCOMPARE(add(QStringLiteral("Plain"), QStringLiteral("other"), QStringLiteral("password"),
                 QStringLiteral("https://two.jamacloud.com")),
        0);
    const QString file = m_files.filePath(QStringLiteral("scoped.json"));
    QCOMPARE(
        cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("export"), file }).code, 0);
    const QJsonArray exported = QJsonDocument::fromJson(readAll(file))
                                    .object()
                                    .value(QStringLiteral("connectors"))
                                    .toArray();
    const QStringList scope { QStringLiteral("DEMO"), QStringLiteral("21") };
    QCOMPARE(
        stringList(byName(exported, QStringLiteral("Scoped")).value(QStringLiteral("projects"))),
        scope);

    QTemporaryDir empty;
    const Run imported
        = cli({ QStringLiteral("--data-dir"), empty.path(), QStringLiteral("import"), file });
    QVERIFY2(imported.code == 0, imported.err.constData());
    const Run list = cli({ QStringLiteral("--data-dir"), empty.path(), QStringLiteral("list"),
        QStringLiteral("--json") });
    const QJsonArray back = QJsonDocument::fromJson(list.out).array();
    QCOMPARE(back.size(), 2);
    QCOMPARE(stringList(byName(back, QStringLiteral("Scoped")).value(QStringLiteral("projects"))),
        scope);
    QVERIFY(byName(back, QStringLiteral("Plain")).value(QStringLiteral("projects")).isArray());
    QVERIFY(byName(back, QStringLiteral("Plain"))
                .value(QStringLiteral("projects"))
                .toArray()
                .isEmpty());
}

void TestCli::jiraProjectPermissions_data()
{
    QTest::addColumn<int>("row"); // of kJiraRows
    QTest::addColumn<QString>("lack"); // "edit", "browse" (in DEMO) or "hidden" (DEMO unseen)
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("project"); // project:DEMO's status
    QTest::addColumn<QString>("write"); // write-access's status, or empty
    QTest::newRow("cloud, no Edit issues in DEMO") << 0 << "edit" << 0 << "warning"
                                                   << "pass"
                                                   << "warn";
    QTest::newRow("data center, no Edit issues in DEMO") << 1 << "edit" << 0 << "warning"
                                                         << "pass"
                                                         << "warn";
    QTest::newRow("data center pat, no Edit issues in DEMO") << 2 << "edit" << 0 << "warning"
                                                             << "pass"
                                                             << "warn";
    QTest::newRow("cloud, no Browse projects in DEMO") << 0 << "browse" << 1 << "failed"
                                                       << "fail"
                                                       << "";
    QTest::newRow("data center, no Browse projects in DEMO") << 1 << "browse" << 1 << "failed"
                                                             << "fail"
                                                             << "";
    QTest::newRow("cloud, DEMO not visible") << 0 << "hidden" << 1 << "failed"
                                             << "fail"
                                             << "";
    QTest::newRow("data center, DEMO not visible") << 1 << "hidden" << 1 << "failed"
                                                   << "fail"
                                                   << "";
}

void TestCli::jiraProjectPermissions()
{
    QFETCH(int, row);
    QFETCH(QString, lack);
    QFETCH(int, code);
    QFETCH(QString, status);
    QFETCH(QString, project);
    QFETCH(QString, write);
    const JiraRow &r = kJiraRows[row];
    fake::FakeJiraServer jira;
    jira.setFlavour(r.flavour);
    fake::JiraAccount account;
    account.name = QStringLiteral("svc");
    account.emailAddress = QStringLiteral("svc@example.com");
    account.displayName = QStringLiteral("Service Account");
    account.apiToken = QStringLiteral("svc-token");
    account.password = QStringLiteral("password");
    account.personalAccessToken = QStringLiteral("svc-pat");
    if (lack == QLatin1String("edit"))
        account.projectPermissions.insert(
            QStringLiteral("DEMO"), { fake::kBrowseProjects, fake::kCreateIssues });
    else if (lack == QLatin1String("browse"))
        account.projectPermissions.insert(
            QStringLiteral("DEMO"), { fake::kCreateIssues, fake::kEditIssues });
    else
        account.visibleProjects = QStringList { QStringLiteral("TEST") };
    jira.addAccount(account);
    QVERIFY(jira.listen());
    const Run added = cli(QStringList { QStringLiteral("--data-dir"), dataDir() }
            + jiraAddArgs(r, jira.baseUrl(), QStringLiteral("Jira"), QStringLiteral("svc"))
            + QStringList { QStringLiteral("--project"), QStringLiteral("DEMO") },
        jiraSecret(r, QStringLiteral("svc")) + '\n');
    QVERIFY2(added.code == cli::ExitOk, qPrintable(added.errText()));

    Run v = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Jira"), QStringLiteral("--json") });
    QVERIFY2(
        v.code == code, qPrintable(QStringLiteral("exit %1: %2").arg(v.code).arg(v.errText())));
    const QJsonObject o = QJsonDocument::fromJson(v.out).array().first().toObject();
    QCOMPARE(o.value(QStringLiteral("status")).toString(), status);
    const QHash<QString, QString> checks = checkStatuses(o);
    QCOMPARE(checks.value(QStringLiteral("credentials")), QStringLiteral("pass"));
    QCOMPARE(checks.value(QStringLiteral("project:DEMO")), project);
    if (!write.isEmpty())
        QCOMPARE(checks.value(QStringLiteral("write-access")), write);
    QVERIFY2(o.value(QStringLiteral("message")).toString().contains(QStringLiteral("DEMO")),
        qPrintable(o.value(QStringLiteral("message")).toString()));
    QVERIFY2(v.errText().contains(QStringLiteral("DEMO")), v.err.constData());

    v = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("Jira") });
    QCOMPARE(v.code, code);
    QVERIFY2(v.out.contains(project == QLatin1String("fail") ? "\n    [fail] Project DEMO: "
                                                             : "\n    [warn] Write access: "),
        v.out.constData());
}

namespace {
QString passwordKey(const QJsonObject &connector)
{
    return QStringLiteral("connector/%1/password")
        .arg(connector.value(QStringLiteral("id")).toString());
}
} // namespace

void TestCli::setSecretRotatesEveryConnector()
{
    // Three connectors of one service account; Sandbox's password was rejected at its last
    // check, so validate --all no longer sends it.
    const QStringList names { QStringLiteral("Production"), QStringLiteral("Sandbox"),
        QStringLiteral("QA") };
    for (const QString &name : names)
        QCOMPARE(add(name, QStringLiteral("named"), uniqueSecret("old-")), 0);
    QCOMPARE(cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
                     QStringLiteral("Sandbox") })
                 .code,
        cli::ExitValidationFailed);

    // The account's password is now "password" (what the fake server accepts). Production
    // named twice, in another case: it counts once.
    m_server.clearRequests();
    Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("set-secret"),
                    QStringLiteral("Production"), QStringLiteral("Sandbox"), QStringLiteral("QA"),
                    QStringLiteral("production"), QStringLiteral("--secret-stdin"),
                    QStringLiteral("--json") },
        "password\n");
    QVERIFY2(r.code == cli::ExitOk, r.err.constData());
    QCOMPARE(m_server.requestCount(), 0); // sends nothing
    // One line per connector changed, in the order given.
    const QStringList lines = r.errText()
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts)
                                  .filter(QStringLiteral("Changed the secret of"));
    QCOMPARE(lines.size(), 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(lines.at(i).contains(QStringLiteral("\"%1\"").arg(names.at(i))),
            qPrintable(lines.at(i)));
    const QJsonArray printed = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(printed.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject c = printed.at(i).toObject();
        QCOMPARE(c.value(QStringLiteral("name")).toString(), names.at(i));
        QCOMPARE(c.value(QStringLiteral("status")).toString(), QStringLiteral("not-verified"));
    }

    // In the Secret Service, each under its own key; in the list, not verified any more.
    const QJsonArray list = listJson();
    QCOMPARE(list.size(), 3);
    for (const QString &name : names) {
        const QJsonObject c = byName(list, name);
        QCOMPARE(lookup(passwordKey(c)), QStringLiteral("password"));
        QCOMPARE(c.value(QStringLiteral("status")).toString(), QStringLiteral("not-verified"));
        QCOMPARE(c.value(QStringLiteral("message")).toString(),
            QStringLiteral("The secret changed: check the connector again."));
        QCOMPARE(c.value(QStringLiteral("needsSecret")).toBool(), false);
    }

    // The rejection is gone: the nightly run sends Sandbox's new password, and all pass.
    m_server.clearRequests();
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("validate"),
        QStringLiteral("--all"), QStringLiteral("--json") });
    QVERIFY2(r.code == cli::ExitOk, r.err.constData());
    QCOMPARE(m_server.requestCount(QStringLiteral("/users/current")), 3);
    for (const QJsonValue &v : QJsonDocument::fromJson(r.out).array())
        QCOMPARE(
            v.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("verified"));
}

void TestCli::setSecretUnknownNameChangesNothing()
{
    const QString a = uniqueSecret("keep-a-");
    const QString b = uniqueSecret("keep-b-");
    QCOMPARE(add(QStringLiteral("Alpha"), QStringLiteral("named"), a), 0);
    QCOMPARE(add(QStringLiteral("Beta"), QStringLiteral("named"), b), 0);
    const QByteArray stored = readAll(storePath());
    const QStringList keys = allKeys();
    const QString rotated = uniqueSecret("never-");
    const Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("set-secret"),
                          QStringLiteral("Alpha"), QStringLiteral("Nope"), QStringLiteral("Beta"),
                          QStringLiteral("--secret-stdin") },
        rotated.toUtf8() + '\n');
    QCOMPARE(r.code, cli::ExitUsage);
    QVERIFY2(
        r.errText().contains(QStringLiteral("No connector named \"Nope\"")), r.err.constData());
    QVERIFY2(r.errText().contains(QStringLiteral("Nothing was changed")), r.err.constData());
    QVERIFY(r.out.isEmpty());
    const QJsonArray list = listJson();
    QCOMPARE(lookup(passwordKey(byName(list, QStringLiteral("Alpha")))), a);
    QCOMPARE(lookup(passwordKey(byName(list, QStringLiteral("Beta")))), b);
    QCOMPARE(allKeys(), keys);
    QCOMPARE(readAll(storePath()), stored);
    verifyNoFileContains(rotated);
}

void TestCli::setSecretUsageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("said"); // a part of stderr
    QTest::newRow("no --secret-stdin")
        << QStringList { "set-secret", "Existing" } << QByteArray("new-secret\n")
        << "set-secret needs --secret-stdin";
    QTest::newRow("empty stdin") << QStringList { "set-secret", "Existing", "--secret-stdin" }
                                 << QByteArray() << "is empty";
    QTest::newRow("only a newline") << QStringList { "set-secret", "Existing", "--secret-stdin" }
                                    << QByteArray("\n") << "is empty";
    QTest::newRow("no name") << QStringList { "set-secret", "--secret-stdin" }
                             << QByteArray("new-secret\n") << "at least one connector name";
    QTest::newRow("option of add")
        << QStringList { "set-secret", "Existing", "--secret-stdin", "--url", "x.jamacloud.com" }
        << QByteArray("new-secret\n") << "--url does not apply to 'set-secret'";
}

void TestCli::setSecretUsageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(QString, said);
    const QString secret = uniqueSecret("existing-");
    QCOMPARE(add(QStringLiteral("Existing"), QStringLiteral("named"), secret), 0);
    const QByteArray stored = readAll(storePath());
    const Run r = cli(QStringList { QStringLiteral("--data-dir"), dataDir() } + args, input);
    QCOMPARE(r.code, cli::ExitUsage);
    QVERIFY2(r.errText().contains(said), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QCOMPARE(readAll(storePath()), stored);
    QCOMPARE(lookup(passwordKey(byName(listJson(), QStringLiteral("Existing")))), secret);
}

void TestCli::setSecretShowsHostileNamesInert()
{
    QCOMPARE(add(QStringLiteral("Plain"), QStringLiteral("named"), uniqueSecret("plain-")), 0);
    // A name that got into the file some other way (an older version, a hand edit).
    const QString evil = QStringLiteral("Evil\x1b]52;c;aGVsbG8=\x07\u202e");
    QVERIFY(sql(storePath(), QStringLiteral("UPDATE connectors SET name = ? WHERE name = ?"),
        { evil, QStringLiteral("Plain") }));
    const auto verifyInert = [](const Run &r) {
        for (const QByteArray &stream : { r.out, r.err })
            QVERIFY2(!stream.contains('\x1b') && !stream.contains('\x07')
                    && !stream.contains("\xe2\x80\xae"),
                qPrintable(QString::fromUtf8(stream.toPercentEncoding(" :/\n"))));
    };
    // Unknown, with control characters and an escape sequence of its own.
    Run r
        = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("set-secret"),
                  QStringLiteral("Nope\x1b[2J\x1b]0;title\x07"), QStringLiteral("--secret-stdin") },
            "new-secret\n");
    QCOMPARE(r.code, cli::ExitUsage);
    verifyInert(r);
    QVERIFY2(
        r.errText().contains(QStringLiteral("Nope\\x1B[2J\\x1B]0;title\\x07")), r.err.constData());
    // Found: its line shows the name inert.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("set-secret"), evil,
                QStringLiteral("--secret-stdin"), QStringLiteral("--json") },
        "new-secret\n");
    QVERIFY2(r.code == cli::ExitOk, r.err.constData());
    verifyInert(r);
    QVERIFY2(r.errText().contains(QStringLiteral("Evil\\x1B]52;c;aGVsbG8=\\x07\\u202E")),
        r.err.constData());
    // JSON stays valid, with the same value.
    const QJsonArray printed = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(printed.size(), 1);
    QCOMPARE(printed.first().toObject().value(QStringLiteral("name")).toString(), evil);
    QCOMPARE(lookup(passwordKey(printed.first().toObject())), QStringLiteral("new-secret"));
}

namespace {
// Connectors and their results written straight into the data folder's database, as another
// process (a window) would have recorded them.
QUuid addWithResults(const QString &dataDir, const QString &name,
    const QList<QPair<ValidationStatus, QString>> &results, const QDateTime &start)
{
    ConnectorStore store(dataDir);
    QList<Connector> list;
    QString error;
    if (!store.load(&list, &error)) {
        qWarning().noquote() << error;
        return {};
    }
    Connector c
        = test::makeConnector(name, QStringLiteral("https://%1.jamacloud.com").arg(name.size()));
    c.id = QUuid::createUuid();
    c.createdAt = c.updatedAt = start;
    if (!store.insert(c, &error)) {
        qWarning().noquote() << error;
        return {};
    }
    for (qsizetype i = 0; i < results.size(); ++i) {
        ValidationState v;
        v.status = results.at(i).first;
        v.message = results.at(i).second;
        v.checkedAt = start.addSecs(600 * i);
        if (!store.setValidation(c.id, v, &error)) {
            qWarning().noquote() << error;
            return {};
        }
    }
    return c.id;
}
} // namespace

void TestCli::historyPrintsTheLastResults()
{
    const QDateTime start(QDate(2026, 11, 3), QTime(8, 0), Qt::UTC);
    const QString hostile
        = QStringLiteral("Refused <b>x</b> \x1b]52;c;aGVsbG8=\x07\u202e\"quoted\"");
    const QUuid id = addWithResults(dataDir(), QStringLiteral("Prod"),
        { { ValidationStatus::Verified, QStringLiteral("Signed in as svc.") },
            { ValidationStatus::Failed, QStringLiteral("Connection refused.") },
            { ValidationStatus::Failed, QStringLiteral("Connection refused.") },
            { ValidationStatus::Failed, hostile } },
        start);
    QVERIFY(!id.isNull());
    QVERIFY(!addWithResults(dataDir(), QStringLiteral("Fresh"), {}, start).isNull());

    // --json: newest first, the times in UTC, the status ids of list --json, the messages
    // as they were (JSON escapes keep the terminal safe).
    Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("history"),
        QStringLiteral("prod"), QStringLiteral("--json") });
    QVERIFY2(r.code == cli::ExitOk, r.err.constData());
    QVERIFY(!r.out.contains('\x1b') && !r.out.contains('\x07') && !r.out.contains("\xe2\x80\xae"));
    QJsonParseError parse;
    const QJsonArray history = QJsonDocument::fromJson(r.out, &parse).array();
    QCOMPARE(parse.error, QJsonParseError::NoError);
    QCOMPARE(history.size(), 4);
    const QStringList times { QStringLiteral("2026-11-03T08:30:00Z"),
        QStringLiteral("2026-11-03T08:20:00Z"), QStringLiteral("2026-11-03T08:10:00Z"),
        QStringLiteral("2026-11-03T08:00:00Z") };
    const QStringList statuses { QStringLiteral("failed"), QStringLiteral("failed"),
        QStringLiteral("failed"), QStringLiteral("verified") };
    for (int i = 0; i < 4; ++i) {
        const QJsonObject o = history.at(i).toObject();
        QCOMPARE(o.value(QStringLiteral("checkedAt")).toString(), times.at(i));
        QCOMPARE(o.value(QStringLiteral("status")).toString(), statuses.at(i));
        QCOMPARE(o.keys(),
            (QStringList { QStringLiteral("checkedAt"), QStringLiteral("message"),
                QStringLiteral("status") }));
    }
    QCOMPARE(history.at(0).toObject().value(QStringLiteral("message")).toString(), hostile);
    QCOMPARE(history.at(3).toObject().value(QStringLiteral("message")).toString(),
        QStringLiteral("Signed in as svc."));

    // Human output: one line per result, newest first, inert.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("history"),
        QStringLiteral("Prod") });
    QVERIFY2(r.code == cli::ExitOk, r.err.constData());
    for (const QByteArray &stream : { r.out, r.err })
        QVERIFY(!stream.contains('\x1b') && !stream.contains('\x07')
            && !stream.contains("\xe2\x80\xae"));
    const QStringList lines = QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines.at(0).startsWith(times.at(0)), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(0).contains(QStringLiteral("Failed")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(0).contains(QStringLiteral("\\x1B]52;c;aGVsbG8=\\x07\\u202E")),
        qPrintable(lines.at(0)));
    QVERIFY2(
        lines.at(3).startsWith(times.at(3)) && lines.at(3).contains(QStringLiteral("Verified")),
        qPrintable(lines.at(3)));

    // Nothing recorded yet: an empty array, a notice on stderr.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("history"),
        QStringLiteral("Fresh"), QStringLiteral("--json") });
    QCOMPARE(r.code, cli::ExitOk);
    QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 0);
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("history"),
        QStringLiteral("Fresh") });
    QCOMPARE(r.code, cli::ExitOk);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.errText().contains(QStringLiteral("No results")), r.err.constData());

    // list --json: since when each status holds (the first of the three failures), or null.
    const QJsonArray list = listJson();
    QCOMPARE(byName(list, QStringLiteral("Prod")).value(QStringLiteral("statusSince")).toString(),
        times.at(2));
    QVERIFY(byName(list, QStringLiteral("Fresh")).value(QStringLiteral("statusSince")).isNull());
    QVERIFY(byName(list, QStringLiteral("Fresh")).contains(QStringLiteral("statusSince")));

    // 25 results: the last 20.
    {
        ConnectorStore store(dataDir());
        QList<Connector> connectors;
        QString error;
        QVERIFY(store.load(&connectors, &error));
        for (int i = 0; i < 25; ++i) {
            ValidationState v;
            v.status = ValidationStatus::Warning;
            v.message = QStringLiteral("warning %1").arg(i);
            v.checkedAt = start.addDays(1).addSecs(60 * i);
            QVERIFY(store.setValidation(id, v, &error));
        }
    }
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("history"),
        QStringLiteral("Prod"), QStringLiteral("--json") });
    const QJsonArray full = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(full.size(), 20);
    QCOMPARE(full.first().toObject().value(QStringLiteral("message")).toString(),
        QStringLiteral("warning 24"));
    QCOMPARE(full.last().toObject().value(QStringLiteral("message")).toString(),
        QStringLiteral("warning 5"));
}

void TestCli::historyUnknownOrHostileName()
{
    const QDateTime start(QDate(2026, 11, 3), QTime(8, 0), Qt::UTC);
    const QString evil = QStringLiteral("Evil\x1b]52;c;aGVsbG8=\x07\u202e");
    const QUuid id = addWithResults(dataDir(), QStringLiteral("Plain"),
        { { ValidationStatus::Failed, QStringLiteral("Host not found.") } }, start);
    QVERIFY(!id.isNull());
    // A name that got into the file some other way (an older version, a hand edit).
    QVERIFY(sql(storePath(), QStringLiteral("UPDATE connectors SET name = ? WHERE name = ?"),
        { evil, QStringLiteral("Plain") }));
    const auto verifyInert = [](const Run &r) {
        for (const QByteArray &stream : { r.out, r.err })
            QVERIFY2(!stream.contains('\x1b') && !stream.contains('\x07')
                    && !stream.contains("\xe2\x80\xae"),
                qPrintable(QString::fromUtf8(stream.toPercentEncoding(" :/\n"))));
    };
    // Unknown (with an escape sequence of its own): 2, named inert, nothing on stdout.
    Run r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("history"),
        QStringLiteral("Nope\x1b[2J\x1b]0;title\x07") });
    QCOMPARE(r.code, cli::ExitUsage);
    verifyInert(r);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(
        r.errText().contains(QStringLiteral("Nope\\x1B[2J\\x1B]0;title\\x07")), r.err.constData());
    // No name, two names, an option of another command: usage errors.
    for (const QStringList &args : { QStringList { QStringLiteral("history") },
             QStringList { QStringLiteral("history"), QStringLiteral("a"), QStringLiteral("b") },
             QStringList { QStringLiteral("history"), evil, QStringLiteral("--all") } }) {
        r = cli(QStringList { QStringLiteral("--data-dir"), dataDir() } + args);
        QCOMPARE(r.code, cli::ExitUsage);
        verifyInert(r);
    }
    // The hostile name itself: found, its history printed.
    r = cli({ QStringLiteral("--data-dir"), dataDir(), QStringLiteral("history"), evil,
        QStringLiteral("--json") });
    QVERIFY2(r.code == cli::ExitOk, r.err.constData());
    verifyInert(r);
    const QJsonArray history = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().toObject().value(QStringLiteral("status")).toString(),
        QStringLiteral("failed"));
    // --help lists it.
    r = cli({ QStringLiteral("--help") });
    QVERIFY2(r.out.contains("history NAME [--json]"), r.out.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
