#include "CommandLine.h"
#include "TestSupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <vector>

using namespace cd;

class TestCommandLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wantsConsole_data();
    void wantsConsole();
    void versionWithoutDisplay();
    void helpWithoutDisplay();
    void unknownCommandIsUsageError();
    void helpShowsScopeOptions();
    void scopeUsageErrors_data();
    void scopeUsageErrors();
};

void TestCommandLine::wantsConsole_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("console");
    QTest::newRow("nothing") << QStringList {} << false;
    QTest::newRow("version") << QStringList { "--version" } << true;
    QTest::newRow("help") << QStringList { "--help" } << true;
    QTest::newRow("short help") << QStringList { "-h" } << true;
    QTest::newRow("data dir only") << QStringList { "--data-dir", "/tmp/x" } << false;
    QTest::newRow("verbose only") << QStringList { "--verbose" } << false;
    QTest::newRow("qt platform option") << QStringList { "-platform", "offscreen" } << false;
    QTest::newRow("subcommand") << QStringList { "list" } << true;
    QTest::newRow("subcommand after global") << QStringList { "--data-dir", "d", "list" } << true;
}

void TestCommandLine::wantsConsole()
{
    QFETCH(QStringList, args);
    QFETCH(bool, console);
    std::vector<QByteArray> storage { "connector-desk" };
    for (const QString &a : args)
        storage.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    QCOMPARE(cli::wantsConsole(int(storage.size()), argv.data()), console);
}

// A display the binary cannot reach: if it created a QGuiApplication it would abort.
static QProcessEnvironment noDisplay()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    return env;
}

void TestCommandLine::versionWithoutDisplay()
{
    const auto r = test::runProcess(test::appBinary(), { "--version" }, {}, noDisplay());
    QVERIFY2(r.started, "connector-desk did not start");
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith("Connector Desk " CONNECTOR_DESK_TEST_VERSION), r.out.constData());
}

void TestCommandLine::helpWithoutDisplay()
{
    const auto r = test::runProcess(test::appBinary(), { "--help" }, {}, noDisplay());
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("--data-dir"));
    QVERIFY(r.out.contains("--version"));
    QVERIFY(r.out.contains("--verbose"));
}

void TestCommandLine::unknownCommandIsUsageError()
{
    const auto r = test::runProcess(test::appBinary(), { "frobnicate" }, {}, noDisplay());
    QCOMPARE(r.exitCode, int(cli::ExitUsage));
    QVERIFY(r.err.contains("frobnicate"));
    QVERIFY(r.out.isEmpty());
}

void TestCommandLine::helpShowsScopeOptions()
{
    const auto r = test::runProcess(test::appBinary(), { "--help" }, {}, noDisplay());
    QCOMPARE(r.exitCode, 0);
    for (const char *text : { "--project <KEY>", "--no-projects", "[--project KEY]...",
             "edit NAME (--project KEY... | --no-projects) [--json]" })
        QVERIFY2(r.out.contains(text), text);
}

void TestCommandLine::scopeUsageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("said"); // a part of stderr
    QTest::newRow("edit without a change")
        << QStringList { "edit", "Prod" } << "edit needs something to change";
    QTest::newRow("edit without a name")
        << QStringList { "edit", "--no-projects" } << "exactly one connector name";
    QTest::newRow("both") << QStringList { "edit", "Prod", "--project", "A", "--no-projects" }
                          << "do not go together";
    QTest::newRow("bad key") << QStringList { "edit", "Prod", "--project", "A/B" } << "“A/B”";
    QTest::newRow("--project is not list's")
        << QStringList { "list", "--project", "A" } << "--project does not apply to 'list'";
    QTest::newRow("--no-projects is not add's")
        << QStringList { "add", "--no-projects" } << "--no-projects does not apply to 'add'";
}

void TestCommandLine::scopeUsageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, said);
    // Refused before any data is opened: the data folder stays empty.
    QTemporaryDir data;
    QVERIFY(data.isValid());
    const auto r = test::runProcess(test::appBinary(),
        QStringList { QStringLiteral("--data-dir"), data.path() } + args, {}, noDisplay());
    QCOMPARE(r.exitCode, int(cli::ExitUsage));
    QVERIFY2(QString::fromUtf8(r.err).contains(said), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(QDir(data.path()).isEmpty());
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
