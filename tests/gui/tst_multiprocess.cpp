// The window and the command line on the same data at once (issue 11): real connector-desk
// processes, the real Secret Service (scripts/test), a loopback fake Jama, and a window whose
// own later writes must never undo what the command line did.
#include "ConnectorDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorsPage.h"
#include "FakeJamaServer.h"
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
#include <QTemporaryDir>
#include <QTest>

using namespace cd;
using namespace cd::ui;

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

    QTemporaryDir m_dir;
    fake::FakeJamaServer m_server;
    std::unique_ptr<MainWindow> m_window;
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
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(test::appBinary(), QStringList { QStringLiteral("--data-dir"), m_dir.path() } + args);
    Run r;
    if (!p.waitForStarted(10000))
        return r;
    p.write(input);
    p.closeWriteChannel();
    if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 60000)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    r.code = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
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
    for (const Connector &c : m_window->repository()->connectors()) {
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
    m_window = std::make_unique<MainWindow>(m_dir.path()); // the real keychain
    m_window->networkStatus()->forceState(NetworkStatus::State::Offline); // no checks of its own
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    ConnectorsPage *page = m_window->connectorsPage();
    ConnectorRepository *repo = m_window->repository();

    // The window adds one of its own, selects it, and the user types a search.
    Connector own;
    own.name = QStringLiteral("Window One");
    own.url = QStringLiteral("https://window.jamacloud.com");
    own.identity = QStringLiteral("svc");
    bool added = false;
    repo->add(own, QStringLiteral("window-secret"), [&](const RepositoryResult &r) {
        QVERIFY2(r.ok, qPrintable(r.error));
        added = true;
    });
    QTRY_VERIFY(added);
    const QUuid ownId = idOf(own.name);
    page->selectConnector(ownId);
    auto *search = page->findChild<QLineEdit *>(QStringLiteral("searchLineEdit"));
    QVERIFY(search);
    QTest::keyClicks(search, QStringLiteral("one"));
    QCOMPARE(page->selectedIds(), QList<QUuid> { ownId });

    // A draft in the Add dialog.
    ConnectorDialog *draft = page->openAddDialog();
    QVERIFY(draft);
    auto *draftName = draft->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"));
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
    QTRY_VERIFY_WITH_TIMEOUT(m_window->validationQueue()->isPending(cliId), 5000);

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
    auto *editName = edit->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"));
    editName->setText(QStringLiteral("CLI One, edited in the window"));
    r = cli({ QStringLiteral("remove"), QStringLiteral("CLI One") });
    QVERIFY2(r.code == 0, r.err.constData());
    ms = msUntil([&] { return page->model()->rowCount() == 1; });
    QVERIFY2(ms >= 0 && ms <= 1000, qPrintable(QString::number(ms)));
    auto *saveMessage = edit->findChild<InlineMessage *>(QStringLiteral("saveMessage"));
    QTRY_VERIFY(saveMessage->text().contains(QLatin1String("was deleted in another")));
    auto *submit = edit->findChild<QPushButton *>(QStringLiteral("submitPushButton"));
    QVERIFY(!submit->isEnabled()); // reported, not re-created
    QTest::keyClick(edit, Qt::Key_Return); // nor by the keyboard
    QTest::qWait(100);
    edit->reject();
    QCOMPARE(page->selectedIds(), QList<QUuid> { ownId });

    // 5. And the window's next writes do not bring it back (nor its secret).
    v.status = ValidationStatus::Verified;
    QVERIFY(repo->recordValidation(ownId, v));
    bool renamed = false;
    Connector changed = *repo->find(ownId);
    changed.name = QStringLiteral("Window One renamed");
    repo->update(changed, std::nullopt, [&](const RepositoryResult &res) {
        QVERIFY2(res.ok, qPrintable(res.error));
        renamed = true;
    });
    QTRY_VERIFY(renamed);
    QCOMPARE(listedNames(), QStringList { QStringLiteral("Window One renamed") });
    QVERIFY(lookup(secretKey(cliId, QStringLiteral("jama-connect"), QStringLiteral("basic")))
                .isEmpty());
    QCOMPARE(lookup(secretKey(ownId, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("window-secret"));

    // A second window on the same data works alongside (no lock, no lost write).
    MainWindow second(m_dir.path());
    second.networkStatus()->forceState(NetworkStatus::State::Offline);
    QCOMPARE(second.repository()->connectors().size(), 1);
    bool secondAdded = false;
    Connector other = own;
    other.name = QStringLiteral("From the second window");
    second.repository()->add(other, QStringLiteral("second-secret"),
        [&](const RepositoryResult &res) { secondAdded = res.ok; });
    QTRY_VERIFY(secondAdded);
    QTRY_COMPARE_WITH_TIMEOUT(repo->connectors().size(), 2, 1500);
    bool removed = false;
    second.repository()->remove(idOf(QStringLiteral("From the second window")),
        [&](const RepositoryResult &res) { removed = res.ok; });
    QTRY_VERIFY(removed);
    QTRY_COMPARE_WITH_TIMEOUT(repo->connectors().size(), 1, 1500);
    bool gone = false;
    repo->remove(ownId, [&](const RepositoryResult &res) { gone = res.ok; });
    QTRY_VERIFY(gone);
    m_window.reset();
}

QTEST_MAIN(TestMultiProcess)
#include "tst_multiprocess.moc"
