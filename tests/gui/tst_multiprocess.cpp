// The window and the command line on the same data at once (issue 11): real connector-desk
// processes, the real Secret Service (scripts/test), a loopback fake Jama, and a window whose
// own later writes must never undo what the command line did.
#include "ConnectorDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorsPage.h"
#include "FakeJamaServer.h"
#include "GuiTestSupport.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "NetworkStatus.h"
#include "TestSupport.h"
#include "ValidationQueue.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace cd;
using namespace cd::ui;
using cd::test::child;

class TestMultiProcess : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void windowSeesCommandLineAndKeepsItsChanges();

private:
    struct Run
    {
        int code = -1;
        QByteArray out, err;
    };
    // Runs the command line without blocking this thread's event loop (the window and the
    // fake server keep running).
    Run cli(const QStringList &args, const QByteArray &input = {});
    QStringList listedNames();
    QString lookup(const QString &key);
    QUuid idOf(const QString &name) const;
    // Milliseconds until `condition` holds (the window's event loop running), or -1.
    qint64 msUntil(const std::function<bool()> &condition, int timeoutMs = 5000);

    fake::FakeJamaServer m_server;
    std::unique_ptr<test::MainWindowFixture> m_app; // the real keychain
};

void TestMultiProcess::initTestCase()
{
    QVERIFY2(test::secretServiceAvailable(), "needs the Secret Service of scripts/test");
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDeskTest"));
    QVERIFY2(m_server.listen(), qPrintable(m_server.errorString()));
}

TestMultiProcess::Run TestMultiProcess::cli(const QStringList &args, const QByteArray &input)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("CONNECTOR_DESK_KEYCHAIN_TIMEOUT_MS"), QStringLiteral("10000"));
    const test::ProcessResult p = test::runProcess(test::appBinary(),
        QStringList { QStringLiteral("--data-dir"), m_app->dataDir() } + args, input, env, 60000,
        test::Wait::ServingEvents);
    Run r;
    if (p.started && !p.crashed) // otherwise code -1: did not start, crashed or timed out
        r = { p.exitCode, p.out, p.err };
    return r;
}

QStringList TestMultiProcess::listedNames()
{
    const Run r = cli({ QStringLiteral("list"), QStringLiteral("--json") });
    QStringList names;
    for (const QJsonValue &v : QJsonDocument::fromJson(r.out).array())
        names << v.toObject().value(QStringLiteral("name")).toString();
    names.sort();
    return names;
}

QString TestMultiProcess::lookup(const QString &key)
{
    const test::ProcessResult r = test::runProcess(QStringLiteral("secret-tool"),
        { QStringLiteral("lookup"), QStringLiteral("server"), QStringLiteral("connector-desk"),
            QStringLiteral("user"), key });
    return r.exitCode == 0 ? QString::fromUtf8(r.out) : QString();
}

QUuid TestMultiProcess::idOf(const QString &name) const
{
    for (const Connector &c : m_app->window()->repository()->connectors()) {
        if (c.name == name)
            return c.id;
    }
    return {};
}

qint64 TestMultiProcess::msUntil(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    if (!QTest::qWaitFor(condition, timeoutMs))
        return -1;
    return t.elapsed();
}

void TestMultiProcess::windowSeesCommandLineAndKeepsItsChanges()
{
    test::MainWindowFixture::Options options;
    options.osKeychain = true;
    options.activate = false;
    m_app = std::make_unique<test::MainWindowFixture>(options); // offline: no checks of its own
    QVERIFY(m_app->open());
    ConnectorsPage *page = m_app->window()->connectorsPage();
    ConnectorRepository *repo = m_app->window()->repository();

    // The window adds one of its own, selects it, and the user types a search.
    const Connector own = test::makeConnector(QStringLiteral("Window One"),
        QStringLiteral("https://window.jamacloud.com"), QStringLiteral("basic"),
        QStringLiteral("svc"));
    const QUuid ownId = test::addConnector(repo, own, QStringLiteral("window-secret"));
    QVERIFY(!ownId.isNull());
    QCOMPARE(idOf(own.name), ownId);
    page->selectConnector(ownId);
    auto *search = child<QLineEdit>(page, "searchLineEdit");
    QVERIFY(search);
    QTest::keyClicks(search, QStringLiteral("one"));
    QCOMPARE(page->selectedIds(), QList<QUuid> { ownId });

    // A draft in the Add dialog.
    ConnectorDialog *draft = page->openAddDialog();
    QVERIFY(draft);
    auto *draftName = child<QLineEdit>(draft, "nameLineEdit");
    QTest::keyClicks(draftName, QStringLiteral("Half typed"));

    // 1. The command line adds: the window shows it within a second, losing nothing.
    Run r = cli({ QStringLiteral("add"), QStringLiteral("--name"), QStringLiteral("CLI One"),
                    QStringLiteral("--url"), m_server.baseUrl().toString(),
                    QStringLiteral("--auth"), QStringLiteral("basic"), QStringLiteral("--username"),
                    QStringLiteral("named"), QStringLiteral("--secret-stdin") },
        "password\n");
    QVERIFY2(r.code == 0, r.err.constData());
    qint64 ms = msUntil([&] { return page->model()->rowCount() == 2; });
    QVERIFY2(ms >= 0 && ms <= 1000, qPrintable(QString::number(ms)));
    const QUuid cliId = idOf(QStringLiteral("CLI One"));
    QVERIFY(!cliId.isNull());
    QCOMPARE(page->selectedIds(), QList<QUuid> { ownId }); // the selection stays
    QCOMPARE(search->text(), QStringLiteral("one")); // so does the search
    QCOMPARE(draftName->text(), QStringLiteral("Half typed")); // and the draft
    draft->reject();
    // Not checked by the command line (no --validate): the window queues it, like its own
    // (offline here, so it waits for the network).
    QTRY_VERIFY_WITH_TIMEOUT(m_app->window()->validationQueue()->isPending(cliId), 5000);

    // 2. The window's own later write (a result) does not undo the command line's add.
    ValidationState v;
    v.status = ValidationStatus::Warning;
    v.message = QStringLiteral("window's own result");
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(repo->recordValidation(ownId, v));
    QCOMPARE(
        listedNames(), (QStringList { QStringLiteral("CLI One"), QStringLiteral("Window One") }));

    // 3. The command line validates: the result shows in the window within a second.
    r = cli({ QStringLiteral("validate"), QStringLiteral("CLI One") });
    QVERIFY2(r.code == 0, r.err.constData());
    ms = msUntil([&] {
        return repo->find(cliId)
            && repo->find(cliId)->validation.status == ValidationStatus::Verified;
    });
    QVERIFY2(ms >= 0 && ms <= 1000, qPrintable(QString::number(ms)));
    QCOMPARE(repo->find(ownId)->validation.message, v.message); // the window's result stays

    // 4. The command line removes the connector while it is open in the window's edit dialog.
    ConnectorDialog *edit = page->openEditDialog(cliId);
    QVERIFY(edit);
    auto *editName = child<QLineEdit>(edit, "nameLineEdit");
    editName->setText(QStringLiteral("CLI One, edited in the window"));
    r = cli({ QStringLiteral("remove"), QStringLiteral("CLI One") });
    QVERIFY2(r.code == 0, r.err.constData());
    ms = msUntil([&] { return page->model()->rowCount() == 1; });
    QVERIFY2(ms >= 0 && ms <= 1000, qPrintable(QString::number(ms)));
    auto *saveMessage = child<InlineMessage>(edit, "saveMessage");
    QTRY_VERIFY(saveMessage->text().contains(QLatin1String("was deleted in another")));
    auto *submit = child<QPushButton>(edit, "submitPushButton");
    QVERIFY(!submit->isEnabled()); // reported, not re-created
    QTest::keyClick(edit, Qt::Key_Return); // nor by the keyboard
    QTest::qWait(100);
    edit->reject();
    QCOMPARE(page->selectedIds(), QList<QUuid> { ownId });

    // 5. And the window's next writes do not bring it back (nor its secret).
    v.status = ValidationStatus::Verified;
    QVERIFY(repo->recordValidation(ownId, v));
    Connector changed = *repo->find(ownId);
    changed.name = QStringLiteral("Window One renamed");
    const RepositoryResult renamed = test::waitFor(
        [&](const RepositoryCallback &done) { repo->update(changed, std::nullopt, done); });
    QVERIFY2(renamed.ok, qPrintable(renamed.error));
    QCOMPARE(listedNames(), QStringList { QStringLiteral("Window One renamed") });
    QVERIFY(lookup(secretKey(cliId, QStringLiteral("jama-connect"), QStringLiteral("basic")))
                .isEmpty());
    QCOMPARE(lookup(secretKey(ownId, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("window-secret"));

    // A second window on the same data works alongside (no lock, no lost write).
    MainWindow second(m_app->dataDir());
    second.networkStatus()->forceState(NetworkStatus::State::Offline);
    QCOMPARE(second.repository()->connectors().size(), 1);
    Connector other = own;
    other.name = QStringLiteral("From the second window");
    QVERIFY(
        !test::addConnector(second.repository(), other, QStringLiteral("second-secret")).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(repo->connectors().size(), 2, 1500);
    const QUuid otherId = idOf(QStringLiteral("From the second window"));
    QVERIFY(test::waitFor([&](const RepositoryCallback &done) {
        second.repository()->remove(otherId, done);
    }).ok);
    QTRY_COMPARE_WITH_TIMEOUT(repo->connectors().size(), 1, 1500);
    QVERIFY(test::waitFor([&](const RepositoryCallback &done) { repo->remove(ownId, done); }).ok);
    m_app.reset();
}

QTEST_MAIN(TestMultiProcess)
#include "tst_multiprocess.moc"
