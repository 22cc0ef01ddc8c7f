// Offline-first, end to end in the core: a connector added while its server is down is saved
// "Not verified" and stays pending; when the server is reachable again (network back, the
// retry timer, or a restart) it is verified without anyone asking again.
#include "AppContext.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "FakeJamaServer.h"
#include "MemorySecretStore.h"
#include "TestSupport.h"
#include "ValidationQueue.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace cd;

namespace {

// A loopback port with nothing listening on it (connections are refused at once).
quint16 unusedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

// The core objects of one run of the application over a data folder, built as the command
// line builds them: the queue is driven by the test alone, not by the system's network state.
struct Instance
{
    Instance(const QString &dataDir, SecretStore *secrets)
        : context(dataDir, AppContext::Mode::CommandLine, secrets)
        , repository(*context.repository())
        , queue(*context.queue())
    {
        queue.setTimeouts(3000, 10000);
        queue.setRetryDelays(
            10 * 60 * 1000, 10 * 60 * 1000); // no timer retry unless a test wants it
    }
    AppContext context;
    ConnectorRepository &repository;
    ValidationQueue &queue;
};

} // namespace

class TestOffline : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void networkBackVerifies();
    void retryTimerVerifies();
    void restartPicksUpPending();

private:
    QUuid addConnector(
        ConnectorRepository &repository, const QString &name, const QString &password);

    std::unique_ptr<QTemporaryDir> m_data;
    MemorySecretStore m_secrets;
    quint16 m_port = 0;
};

void TestOffline::init()
{
    m_data = std::make_unique<QTemporaryDir>();
    QVERIFY(m_data->isValid());
    m_port = unusedPort();
    QVERIFY(m_port != 0);
}

QUuid TestOffline::addConnector(
    ConnectorRepository &repository, const QString &name, const QString &password)
{
    return test::addConnector(&repository,
        test::makeConnector(name, QStringLiteral("http://127.0.0.1:%1").arg(m_port),
            QStringLiteral("basic"), QStringLiteral("named")),
        password, 10000);
}

void TestOffline::networkBackVerifies()
{
    Instance app(m_data->path(), &m_secrets);
    QString error;
    QVERIFY(app.repository.load(&error));
    const QUuid id
        = addConnector(app.repository, QStringLiteral("Offline"), QStringLiteral("password"));
    QVERIFY(!id.isNull());
    QCOMPARE(app.repository.find(id)->validation.status, ValidationStatus::NotVerified);

    QSignalSpy finished(&app.queue, &ValidationQueue::finished);
    app.queue.enqueue(id);
    QTRY_COMPARE(finished.count(), 1);
    const auto first = finished.at(0).at(1).value<ValidationResult>();
    QCOMPARE(first.failure, ValidationResult::Failure::ConnectionRefused);
    QVERIFY(first.isTransient());
    const Connector waiting = *app.repository.find(id);
    QCOMPARE(waiting.validation.status, ValidationStatus::NotVerified);
    QVERIFY(waiting.validation.checkedAt.isValid());
    QVERIFY(!waiting.validation.credentialsRejected);
    QVERIFY(app.queue.isPending(id));
    QCOMPARE(app.queue.waitingCount(), 1);

    // The server comes up on that same port; the network is reported back.
    fake::FakeJamaServer server;
    QVERIFY2(server.listen(m_port), qPrintable(server.errorString()));
    app.queue.setNetworkAvailable(false);
    app.queue.setNetworkAvailable(true);
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(finished.at(1).at(1).value<ValidationResult>().status, ValidationStatus::Verified);
    QCOMPARE(app.repository.find(id)->validation.status, ValidationStatus::Verified);
    QVERIFY(!app.queue.isPending(id));
    QCOMPARE(server.requestCount(QStringLiteral("/rest/v1/users/current")), 1);

    // What is stored says so too (each result is one committed UPDATE).
    ConnectorStore again(m_data->path());
    QList<Connector> stored;
    QVERIFY(again.load(&stored, &error));
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().validation.status, ValidationStatus::Verified);
}

void TestOffline::retryTimerVerifies()
{
    Instance app(m_data->path(), &m_secrets);
    QString error;
    QVERIFY(app.repository.load(&error));
    app.queue.setRetryDelays(300, 600);
    const QUuid id
        = addConnector(app.repository, QStringLiteral("Timer"), QStringLiteral("password"));
    QVERIFY(!id.isNull());

    QSignalSpy finished(&app.queue, &ValidationQueue::finished);
    app.queue.enqueue(id);
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(finished.at(0).at(1).value<ValidationResult>().isTransient());
    QCOMPARE(app.repository.find(id)->validation.status, ValidationStatus::NotVerified);

    fake::FakeJamaServer server;
    QVERIFY2(server.listen(m_port), qPrintable(server.errorString()));
    // Nothing more is asked of the queue: its retry timer finds the server.
    QTRY_VERIFY_WITH_TIMEOUT(
        app.repository.find(id)->validation.status == ValidationStatus::Verified, 15000);
    QVERIFY(!app.queue.isPending(id));
    QCOMPARE(app.repository.find(id)->validation.account.licenseType, QStringLiteral("NAMED"));
}

void TestOffline::restartPicksUpPending()
{
    QUuid good, wrong;
    {
        Instance before(m_data->path(), &m_secrets);
        QString error;
        QVERIFY(before.repository.load(&error));
        good = addConnector(before.repository, QStringLiteral("Good"), QStringLiteral("password"));
        wrong = addConnector(
            before.repository, QStringLiteral("Wrong"), QStringLiteral("not-the-password"));
        QVERIFY(!good.isNull() && !wrong.isNull());
        QSignalSpy finished(&before.queue, &ValidationQueue::finished);
        before.queue.enqueueAll();
        QTRY_COMPARE(finished.count(), 2);
        QVERIFY(before.queue.isPending(good));
        QVERIFY(before.queue.isPending(wrong));
    } // the application quits while both wait

    fake::FakeJamaServer server;
    QVERIFY2(server.listen(m_port), qPrintable(server.errorString()));

    Instance after(m_data->path(), &m_secrets);
    QString error;
    QVERIFY(after.repository.load(&error));
    QCOMPARE(after.repository.connectors().size(), 2);
    QCOMPARE(after.repository.find(good)->validation.status, ValidationStatus::NotVerified);
    QSignalSpy finished(&after.queue, &ValidationQueue::finished);
    after.queue.enqueuePending();
    QCOMPARE(after.queue.queuedCount(), 2);
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(after.repository.find(good)->validation.status, ValidationStatus::Verified);
    QCOMPARE(after.repository.find(wrong)->validation.status, ValidationStatus::Failed);
    QVERIFY(after.repository.find(wrong)->validation.credentialsRejected);

    // Nothing is left from before: a third start has no pending work.
    Instance third(m_data->path(), &m_secrets);
    QVERIFY(third.repository.load(&error));
    third.queue.enqueuePending();
    QCOMPARE(third.queue.queuedCount(), 0);
}

QTEST_GUILESS_MAIN(TestOffline)
#include "tst_offline.moc"
