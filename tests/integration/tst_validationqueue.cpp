// The validation queue over real loopback sockets (fake Jama server): concurrency limit,
// one check per connector, cancellation when a connector is deleted or edited, keychain
// failures that leave the connector alone, and what enqueueAll/enqueuePending skip.
#include "AppContext.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "FakeJamaServer.h"
#include "MemorySecretStore.h"
#include "TestSupport.h"
#include "ValidationQueue.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

using namespace cd;

class TestValidationQueue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void atMostTwoPerHost();
    void parallelAcrossHosts();
    void globalCap();
    void busyHostDoesNotBlockOthers();
    void onePerConnector();
    void burstOfResultsIsRecordedInTurns();
    void checksThreadYieldsToTheWindow();
    void deleteCancelsItsCheck();
    void keychainFailureLeavesConnectorAlone();
    void skipsRejectedAndSecretless();
    void offlineWaitsThenRuns();
    void throttledRetriesWhenTheServerSays();
    void hostNotFoundWaitsForANetworkChange();
    void rejectedIsNotRetriedAutomatically();

private:
    QUuid add(const QString &name, const QString &user = QStringLiteral("named"),
        const QString &password = QStringLiteral("password"));

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MemorySecretStore> m_secrets;
    // Built as the command line builds it: the queue follows what the test says about the
    // network, not the system's network state.
    std::unique_ptr<AppContext> m_app;
    ConnectorRepository *m_repo = nullptr;
    ValidationQueue *m_queue = nullptr;
    std::unique_ptr<fake::FakeJamaServer> m_server;
};

void TestValidationQueue::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_secrets = std::make_unique<MemorySecretStore>();
    m_app = std::make_unique<AppContext>(
        m_dir->path(), AppContext::Mode::CommandLine, m_secrets.get());
    m_repo = m_app->repository();
    m_queue = m_app->queue();
    QString error;
    QVERIFY(m_repo->load(&error));
    m_server = std::make_unique<fake::FakeJamaServer>();
    QVERIFY(m_server->listen());
    m_queue->setTimeouts(5000, 10000);
}

void TestValidationQueue::cleanup()
{
    m_queue = nullptr;
    m_repo = nullptr;
    m_app.reset(); // the queue, the network, the repository and the store
    m_server.reset();
    m_secrets.reset();
    m_dir.reset();
}

QUuid TestValidationQueue::add(const QString &name, const QString &user, const QString &password)
{
    return test::addConnector(m_repo,
        test::makeConnector(name, m_server->baseUrl().toString(), QStringLiteral("basic"), user),
        password);
}

// Records, at every start, how many checks run in all and for each host.
struct Concurrency
{
    int maxRunning = 0;
    QHash<QString, int> maxPerHost;
    QList<QString> startOrder; // connector names

    void watch(ValidationQueue *queue, ConnectorRepository *repo, QObject *context)
    {
        QObject::connect(queue, &ValidationQueue::started, context, [=](const QUuid &id) {
            const std::optional<Connector> c = repo->find(id);
            QVERIFY(c);
            const QString host = ValidationQueue::hostKey(c->url);
            maxRunning = qMax(maxRunning, queue->runningCount());
            maxPerHost[host] = qMax(maxPerHost.value(host), queue->runningForHost(host));
            startOrder << c->name;
        });
    }
};

void TestValidationQueue::atMostTwoPerHost()
{
    QCOMPARE(m_queue->maxPerHost(), ValidationQueue::kDefaultMaxPerHost);
    QCOMPARE(ValidationQueue::kDefaultMaxPerHost, 2);
    m_server->setBehaviour(fake::Behaviour::Slow);
    m_server->setDelayMs(300);
    QList<QUuid> ids;
    for (int i = 0; i < 10; ++i)
        ids << add(QStringLiteral("C%1").arg(i));
    // The host is counted case-insensitively: LOCALHOST and localhost are one server.
    ids << test::addConnector(m_repo,
        test::makeConnector(QStringLiteral("Upper"),
            m_server->baseUrl(QStringLiteral("LOCALHOST")).toString(), QStringLiteral("basic"),
            QStringLiteral("named")),
        QStringLiteral("password"));
    ids << test::addConnector(m_repo,
        test::makeConnector(QStringLiteral("Lower"),
            m_server->baseUrl(QStringLiteral("localhost")).toString(), QStringLiteral("basic"),
            QStringLiteral("named")),
        QStringLiteral("password"));
    Concurrency seen;
    seen.watch(m_queue, m_repo, this);
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    QSignalSpy idle(m_queue, &ValidationQueue::idle);
    m_queue->enqueueAll();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 12, 30000);
    QCOMPARE(seen.maxPerHost.value(QStringLiteral("127.0.0.1")), 2);
    QCOMPARE(seen.maxPerHost.value(QStringLiteral("localhost")), 2);
    QCOMPARE(seen.maxPerHost.size(), 2);
    QCOMPARE(seen.maxRunning, 4); // two servers, two each
    QCOMPARE(idle.count(), 1); // once, when the queue empties
    for (const QUuid &id : ids)
        QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::Verified);
    // Never more than two requests of one server at once: its fake saw them in pairs.
    QCOMPARE(m_server->requestCount(QStringLiteral("/users/current")), 12);
}

// Fake servers on 127.0.0.2, 127.0.0.3, ... (all of 127/8 is the loopback on Linux).
static std::vector<std::unique_ptr<fake::FakeJamaServer>> hostsOnLoopback(int n, int delayMs)
{
    std::vector<std::unique_ptr<fake::FakeJamaServer>> servers;
    for (int i = 0; i < n; ++i) {
        auto server = std::make_unique<fake::FakeJamaServer>();
        server->setBehaviour(fake::Behaviour::Slow);
        server->setDelayMs(delayMs);
        const QString address = QStringLiteral("127.0.0.%1").arg(i + 2);
        if (!server->listen(0, QHostAddress(address)))
            return {};
        servers.push_back(std::move(server));
    }
    return servers;
}

void TestValidationQueue::parallelAcrossHosts()
{
    QCOMPARE(m_queue->maxConcurrent(), ValidationQueue::kDefaultMaxConcurrent);
    const int hosts = 6;
    const auto servers = hostsOnLoopback(hosts, 400);
    QCOMPARE(int(servers.size()), hosts);
    for (int h = 0; h < hosts; ++h) {
        const QString address = QStringLiteral("127.0.0.%1").arg(h + 2);
        for (int i = 0; i < 3; ++i)
            test::addConnector(m_repo,
                test::makeConnector(QStringLiteral("H%1-%2").arg(h).arg(i),
                    servers[h]->baseUrl(address).toString(), QStringLiteral("basic"),
                    QStringLiteral("named")),
                QStringLiteral("password"));
    }
    Concurrency seen;
    seen.watch(m_queue, m_repo, this);
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueueAll();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), hosts * 3, 30000);
    QCOMPARE(seen.maxRunning, hosts * 2); // every server at once, two each
    QCOMPARE(seen.maxPerHost.size(), hosts);
    for (auto it = seen.maxPerHost.cbegin(); it != seen.maxPerHost.cend(); ++it)
        QCOMPARE(it.value(), 2);
    for (const auto &server : servers) {
        QCOMPARE(server->requestCount(QStringLiteral("/users/current")), 3);
        // Each check on its own connection, reused for its two requests.
        QCOMPARE(server->connectionCount(), 3);
    }
    for (const Connector &c : m_repo->connectors())
        QCOMPARE(c.validation.status, ValidationStatus::Verified);
}

void TestValidationQueue::globalCap()
{
    const auto servers = hostsOnLoopback(5, 300);
    QCOMPARE(int(servers.size()), 5);
    for (int h = 0; h < 5; ++h)
        for (int i = 0; i < 2; ++i)
            test::addConnector(m_repo,
                test::makeConnector(QStringLiteral("G%1-%2").arg(h).arg(i),
                    servers[h]->baseUrl(QStringLiteral("127.0.0.%1").arg(h + 2)).toString(),
                    QStringLiteral("basic"), QStringLiteral("named")),
                QStringLiteral("password"));
    m_queue->setMaxConcurrent(3);
    Concurrency seen;
    seen.watch(m_queue, m_repo, this);
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueueAll();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 10, 30000);
    QCOMPARE(seen.maxRunning, 3);
}

void TestValidationQueue::busyHostDoesNotBlockOthers()
{
    // Four connectors of a slow server queued before one of another server: the other one
    // starts with the first two, not after the four.
    m_server->setBehaviour(fake::Behaviour::Slow);
    m_server->setDelayMs(1500);
    Concurrency seen;
    seen.watch(m_queue, m_repo, this);
    for (int i = 0; i < 4; ++i)
        m_queue->enqueue(add(QStringLiteral("Slow%1").arg(i)));
    const auto other = hostsOnLoopback(1, 0);
    QCOMPARE(int(other.size()), 1);
    other[0]->setBehaviour(fake::Behaviour::Normal);
    const QUuid quick = test::addConnector(m_repo,
        test::makeConnector(QStringLiteral("Quick"),
            other[0]->baseUrl(QStringLiteral("127.0.0.2")).toString(), QStringLiteral("basic"),
            QStringLiteral("named")),
        QStringLiteral("password"));
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueue(quick);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished.at(0).at(0).value<QUuid>(), quick);
    QCOMPARE(seen.startOrder.mid(0, 3),
        (QList<QString> {
            QStringLiteral("Slow0"), QStringLiteral("Slow1"), QStringLiteral("Quick") }));
    QCOMPARE(m_repo->find(quick)->validation.status, ValidationStatus::Verified);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 5, 20000);
}

void TestValidationQueue::onePerConnector()
{
    m_server->setBehaviour(fake::Behaviour::Slow);
    m_server->setDelayMs(200);
    const QUuid id = add(QStringLiteral("Once"));
    QSignalSpy started(m_queue, &ValidationQueue::started);
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueue(id);
    m_queue->enqueue(id);
    QTRY_COMPARE(started.count(), 1);
    m_queue->enqueue(id); // while running
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QTest::qWait(100);
    QCOMPARE(started.count(), 1);
    QCOMPARE(m_server->requestCount(QStringLiteral("/users/current")), 1);
}

void TestValidationQueue::burstOfResultsIsRecordedInTurns()
{
    // Forty answers waiting at once (the window busy while they came in), recorded in batches
    // of kResultsPerBatch: each once, announced once, in the database with one history entry.
    // Forty hosts (127.0.0.2 ... on one server), so that Jama's pace per instance does not
    // spread the answers out.
    // It answers from a thread of its own (made and listening there), also while this thread
    // sleeps.
    QThread serverThread;
    auto *server = new fake::FakeJamaServer;
    server->moveToThread(&serverThread);
    serverThread.start();
    QUrl base;
    QMetaObject::invokeMethod(
        server,
        [&] {
            if (server->listen(0, QHostAddress::AnyIPv4))
                base = server->baseUrl();
        },
        Qt::BlockingQueuedConnection);
    QVERIFY(base.isValid());
    QList<QUuid> ids;
    for (int i = 0; i < 40; ++i) {
        QUrl url = base;
        url.setHost(QStringLiteral("127.0.0.%1").arg(2 + i));
        ids << test::addConnector(m_repo,
            test::makeConnector(QStringLiteral("Burst %1").arg(i), url.toString(),
                QStringLiteral("basic"), QStringLiteral("named")),
            QStringLiteral("password"));
    }
    const auto projectRequests = [&] {
        int n = 0;
        QMetaObject::invokeMethod(
            server, [&] { n = server->requestCount(QStringLiteral("/projects")); },
            Qt::BlockingQueuedConnection);
        return n;
    };
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    for (const QUuid &id : std::as_const(ids))
        m_queue->enqueue(id);
    // Every check has sent its last request; this thread sleeps while the answers go out and
    // are read: up to forty results wait for it.
    QTRY_COMPARE_WITH_TIMEOUT(projectRequests(), 40, 15000);
    QThread::msleep(1000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 40, 15000);
    QMetaObject::invokeMethod(
        server, [server] { delete server; }, Qt::BlockingQueuedConnection);
    serverThread.quit();
    serverThread.wait();
    QList<QUuid> reported;
    for (const QList<QVariant> &args : std::as_const(finished))
        reported << args.at(0).value<QUuid>();
    QCOMPARE(
        QSet<QUuid>(reported.cbegin(), reported.cend()), QSet<QUuid>(ids.cbegin(), ids.cend()));
    // In the database, as a new process sees it.
    ConnectorStore reader(m_dir->path());
    QList<Connector> stored;
    QString error;
    QVERIFY2(reader.load(&stored, &error), qPrintable(error));
    QCOMPARE(stored.size(), 40);
    for (const Connector &c : std::as_const(stored)) {
        QCOMPARE(c.validation.status, ValidationStatus::Verified);
        QCOMPARE(reader.history(c.id, &error).size(), 1);
    }
}

void TestValidationQueue::checksThreadYieldsToTheWindow()
{
    // Linux: the window's checks thread ("checks") runs kChecksThreadNice nicer than this
    // thread, and so do the HTTP threads its checks start (they inherit it); a command line's
    // keeps the process's priority.
    QDir tasks(QStringLiteral("/proc/self/task"));
    if (!tasks.exists())
        QSKIP("no /proc/self/task here (Linux only)");
    const auto niceOf = [](const QString &taskDir) {
        QFile stat(taskDir + QStringLiteral("/stat"));
        if (!stat.open(QIODevice::ReadOnly))
            return -100;
        // "pid (comm) state ppid ...": nice is the 19th field, the 17th after the comm.
        const QByteArray all = stat.readAll();
        const QList<QByteArray> fields = all.mid(all.lastIndexOf(')') + 2).split(' ');
        return fields.size() > 16 ? fields.at(16).toInt() : -100;
    };
    const int mine = niceOf(QStringLiteral("/proc/thread-self"));
    QVERIFY(mine > -100);
    const auto checksNice = [&] {
        for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile comm(tasks.filePath(tid) + QStringLiteral("/comm"));
            if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "checks")
                return niceOf(tasks.filePath(tid));
        }
        return -100;
    };
    // init() built the queue as the command line does: there is no window to yield to.
    QTRY_VERIFY(checksNice() > -100);
    QCOMPARE(checksNice(), mine);
    // The window's queue yields (AppContext, Mode::Window, asks for it).
    m_queue->yieldToTheWindow();
    QTRY_COMPARE(checksNice(), qMin(19, mine + ValidationQueue::kChecksThreadNice));
}

void TestValidationQueue::deleteCancelsItsCheck()
{
    m_server->setBehaviour(fake::Behaviour::NeverAnswer);
    const QUuid id = add(QStringLiteral("Doomed"));
    QSignalSpy pending(m_queue, &ValidationQueue::pendingChanged);
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueue(id);
    QTRY_VERIFY(m_queue->isRunning(id));
    QTRY_VERIFY(m_server->requestCount() >= 1);
    QVERIFY(test::waitFor([&](const RepositoryCallback &done) { m_repo->remove(id, done); }).ok);
    QVERIFY(!m_queue->isPending(id));
    QCOMPARE(pending.last().at(1).toBool(), false);
    QTest::qWait(200);
    QCOMPARE(finished.count(), 0); // cancelled quietly, nothing recorded anywhere
    QCOMPARE(m_queue->runningCount(), 0);
}

void TestValidationQueue::keychainFailureLeavesConnectorAlone()
{
    const QUuid id = add(QStringLiteral("Locked"));
    m_secrets->setMode(MemorySecretStore::Mode::Failing);
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueue(id);
    QTRY_COMPARE(finished.count(), 1);
    const auto result = finished.first().at(1).value<ValidationResult>();
    QCOMPARE(result.failure, ValidationResult::Failure::Keychain);
    QVERIFY(result.message.contains(QLatin1String("keychain")));
    const Connector c = *m_repo->find(id);
    QCOMPARE(c.validation.status, ValidationStatus::NotVerified);
    QVERIFY(!c.validation.checkedAt.isValid()); // nothing recorded
    QVERIFY(m_queue->isPending(id)); // waits for a retry
    QCOMPARE(m_server->requestCount(), 0);
}

void TestValidationQueue::skipsRejectedAndSecretless()
{
    const QUuid rejected
        = add(QStringLiteral("Rejected"), QStringLiteral("named"), QStringLiteral("wrong"));
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueue(rejected);
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(m_repo->find(rejected)->validation.credentialsRejected);
    QVERIFY(!m_queue->isPending(rejected));

    QVERIFY(!test::addWithoutSecret(m_repo,
        test::makeConnector(QStringLiteral("Imported"), m_server->baseUrl().toString(),
            QStringLiteral("basic"), QStringLiteral("named")))
                 .isNull());

    const int before = m_server->requestCount();
    m_queue->enqueueAll();
    m_queue->enqueuePending();
    QTest::qWait(200);
    QCOMPARE(m_queue->queuedCount() + m_queue->runningCount(), 0);
    QCOMPARE(m_server->requestCount(), before); // a 401 is never retried automatically
}

void TestValidationQueue::offlineWaitsThenRuns()
{
    const QUuid id = add(QStringLiteral("Offline"));
    m_queue->setNetworkAvailable(false);
    QSignalSpy started(m_queue, &ValidationQueue::started);
    m_queue->enqueue(id);
    QTest::qWait(200);
    QCOMPARE(started.count(), 0);
    QVERIFY(m_queue->isPending(id));
    m_queue->setNetworkAvailable(true);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_repo->find(id)->validation.status, ValidationStatus::Verified, 10000);
}

void TestValidationQueue::throttledRetriesWhenTheServerSays()
{
    // A 429 whose Retry-After does not fit in one check: the check ends "Not verified" saying
    // when, and the queue tries again then, by itself (no network change, no user action).
    m_queue->setTimeouts(500, 800);
    m_queue->setRetryDelays(60000, 60000); // the generic back-off would be far later
    m_server->setThrottleCount(1);
    m_server->setRetryAfter("2");
    const QUuid id = add(QStringLiteral("Busy"));
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueue(id);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    const auto first = finished.at(0).at(1).value<ValidationResult>();
    QCOMPARE(first.failure, ValidationResult::Failure::Throttled);
    QVERIFY(first.retryAt.isValid());
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::NotVerified);
    QVERIFY2(m_repo->find(id)->validation.message.contains(QStringLiteral("checked again then")),
        qPrintable(m_repo->find(id)->validation.message));
    QVERIFY(m_queue->isPending(id));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 8000);
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::Verified);
    QCOMPARE(m_server->requestCount(), 3); // 429, then users/current and the projects list
}

void TestValidationQueue::hostNotFoundWaitsForANetworkChange()
{
    // A name that does not resolve while online: its own state, not "offline"; no retry on a
    // timer; checked again when the network changes (a VPN coming up).
    m_queue->setRetryDelays(50, 50); // the timer that transient failures use: short
    const QUuid id = test::addConnector(m_repo,
        test::makeConnector(QStringLiteral("Customer intranet"),
            QStringLiteral("https://jama.customer.invalid"), QStringLiteral("basic"),
            QStringLiteral("svc")),
        QStringLiteral("pw"));
    QVERIFY(!id.isNull());
    QSignalSpy finished(m_queue, &ValidationQueue::finished);
    m_queue->enqueue(id);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    const ValidationState v = m_repo->find(id)->validation;
    QCOMPARE(v.status, ValidationStatus::Failed);
    QVERIFY(v.hostNotFound);
    QVERIFY2(v.message.contains(QStringLiteral("when the network changes")), qPrintable(v.message));
    QVERIFY(!m_queue->isPending(id));
    QTest::qWait(300); // many timer periods: nothing runs again by itself
    QCOMPARE(finished.count(), 1);
    m_queue->networkChanged();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
    // The state survives a restart (the store keeps it).
    ConnectorStore again(m_dir->path());
    QList<Connector> list;
    QString error;
    QVERIFY(again.load(&list, &error));
    QVERIFY(list.first().validation.hostNotFound);
}

void TestValidationQueue::rejectedIsNotRetriedAutomatically()
{
    // A connector waiting for a retry (server down) whose credentials are then recorded as
    // rejected (a Test Connection result kept on Submit) is not sent again by the retry.
    quint16 down = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        down = probe.serverPort();
    }
    const QUuid id = test::addConnector(m_repo,
        test::makeConnector(QStringLiteral("Waiting"),
            QStringLiteral("http://127.0.0.1:%1").arg(down), QStringLiteral("basic"),
            QStringLiteral("named")),
        QStringLiteral("pw"));
    QVERIFY(!id.isNull());
    QSignalSpy started(m_queue, &ValidationQueue::started);
    m_queue->enqueue(id);
    QTRY_COMPARE_WITH_TIMEOUT(m_queue->waitingCount(), 1, 10000);
    QCOMPARE(started.count(), 1);
    ValidationState rejected;
    rejected.status = ValidationStatus::Failed;
    rejected.credentialsRejected = true;
    rejected.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(m_repo->recordValidation(id, rejected));
    m_queue->setNetworkAvailable(false);
    m_queue->setNetworkAvailable(true); // the network is back: waiting ones are retried...
    QTest::qWait(200);
    QCOMPARE(started.count(), 1); // ...but not this one
    QVERIFY(!m_queue->isPending(id));
}

QTEST_GUILESS_MAIN(TestValidationQueue)
#include "tst_validationqueue.moc"
