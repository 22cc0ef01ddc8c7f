// The latency proxy (issue 15) against a loopback target in-process: an echo server, or an
// HTTP-ish one that answers and closes. Only lower bounds of time are asserted (the proxy
// must never deliver early); how late it delivers is the benchmarks' business.
#include "LatencyProxy.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <memory>

using cd::test::LatencyProxy;

namespace {

constexpr double kRtt = 30;
constexpr double kSlackMs = 2; // timer granularity

// Echoes every byte back (echo) or answers one HTTP request and closes (http); records what
// arrived and when.
class Target : public QObject
{
public:
    enum class Mode { Echo, Http };
    explicit Target(Mode mode)
        : m_mode(mode)
    {
        clock.start();
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                ++accepted;
                sockets << s;
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
                connect(s, &QTcpSocket::disconnected, this, [this] { ++closed; });
            }
        });
    }
    quint16 port() const { return server.serverPort(); }

    QTcpServer server;
    QElapsedTimer clock;
    QByteArray received;
    double firstByteMs = -1; // clock time of the first byte received
    int accepted = 0;
    int closed = 0;
    QList<QPointer<QTcpSocket>> sockets;

private:
    void onRead(QTcpSocket *s)
    {
        const QByteArray data = s->readAll();
        if (firstByteMs < 0 && !data.isEmpty())
            firstByteMs = clock.nsecsElapsed() / 1e6;
        received += data;
        if (m_mode == Mode::Echo) {
            s->write(data);
        } else if (received.contains("\r\n\r\n")) {
            s->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            s->disconnectFromHost();
        }
    }
    Mode m_mode;
};

std::unique_ptr<LatencyProxy> proxyFor(const Target &target, int hosts = 1, double rtt = kRtt)
{
    auto proxy = std::make_unique<LatencyProxy>();
    proxy->setTarget(QHostAddress::LocalHost, target.port());
    proxy->setRttMs(rtt);
    if (!proxy->listen(hosts))
        qWarning("%s", qPrintable(proxy->errorString()));
    return proxy;
}

QByteArray pattern(int size)
{
    QByteArray b(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        b[i] = char((i * 7 + i / 251) & 0xff);
    return b;
}

} // namespace

class TstLatencyProxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void echoesIntactAndInOrder();
    void largeTransferInManyChunks();
    void firstByteWaitsOneRoundTrip();
    void laterChunksTakeHalfARoundTrip();
    void countsConnections();
    void clientCloseReachesTarget();
    void targetCloseReachesClientAfterItsData();
    void refusedTargetClosesClient();
    void listensOnSeveralAddresses();
    void fixedPortOnEveryAddress();
};

void TstLatencyProxy::echoesIntactAndInOrder()
{
    Target target(Target::Mode::Echo);
    auto proxy = proxyFor(target);
    QVERIFY(proxy->isListening());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, proxy->ports().at(0));
    QVERIFY(client.waitForConnected(5000));
    QByteArray sent;
    QByteArray echoed;
    connect(&client, &QTcpSocket::readyRead, this, [&] { echoed += client.readAll(); });
    for (int i = 0; i < 20; ++i) {
        const QByteArray piece = "message " + QByteArray::number(i) + ";";
        client.write(piece);
        sent += piece;
        QTest::qWait(i % 3); // some together, some apart
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), sent.size(), 5000);
    QCOMPARE(echoed, sent);
    QCOMPARE(target.received, sent);
}

void TstLatencyProxy::largeTransferInManyChunks()
{
    Target target(Target::Mode::Echo);
    auto proxy = proxyFor(target, 1, 20);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, proxy->ports().at(0));
    QVERIFY(client.waitForConnected(5000));
    QByteArray echoed;
    connect(&client, &QTcpSocket::readyRead, this, [&] { echoed += client.readAll(); });
    const QByteArray data = pattern(1024 * 1024);
    // 256 writes of 4 KiB, a few per event-loop round, so the proxy sees many chunks.
    for (int offset = 0; offset < data.size(); offset += 4096) {
        client.write(data.mid(offset, 4096));
        if ((offset / 4096) % 8 == 7)
            QTest::qWait(1);
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), data.size(), 20000);
    QCOMPARE(target.received.size(), data.size());
    QVERIFY(target.received == data);
    QVERIFY(echoed == data);
}

void TstLatencyProxy::firstByteWaitsOneRoundTrip()
{
    Target target(Target::Mode::Echo);
    auto proxy = proxyFor(target);
    QTcpSocket client;
    QByteArray echoed;
    double echoedMs = -1;
    connect(&client, &QTcpSocket::readyRead, this, [&] {
        echoed += client.readAll();
        if (echoedMs < 0)
            echoedMs = target.clock.nsecsElapsed() / 1e6;
    });
    const double connectAt = target.clock.nsecsElapsed() / 1e6;
    client.connectToHost(QHostAddress::LocalHost, proxy->ports().at(0));
    QVERIFY(client.waitForConnected(5000));
    client.write("ping");
    QTRY_COMPARE_WITH_TIMEOUT(echoed, QByteArray("ping"), 5000);
    // The target sees the first byte after the handshake's round trip (and the half trip of
    // the data itself); the echo is back after connect + one round trip.
    QVERIFY2(target.firstByteMs - connectAt >= kRtt - kSlackMs,
        qPrintable(QString::number(target.firstByteMs - connectAt)));
    QVERIFY2(echoedMs - connectAt >= 2 * kRtt - kSlackMs,
        qPrintable(QString::number(echoedMs - connectAt)));
    // The proxy connected to the target at once, before any byte.
    QCOMPARE(target.accepted, 1);
}

void TstLatencyProxy::laterChunksTakeHalfARoundTrip()
{
    Target target(Target::Mode::Echo);
    auto proxy = proxyFor(target);
    QTcpSocket client;
    QByteArray echoed;
    double echoedMs = -1;
    connect(&client, &QTcpSocket::readyRead, this, [&] {
        echoed += client.readAll();
        if (echoedMs < 0 && echoed.contains("second"))
            echoedMs = target.clock.nsecsElapsed() / 1e6;
    });
    client.connectToHost(QHostAddress::LocalHost, proxy->ports().at(0));
    QVERIFY(client.waitForConnected(5000));
    client.write("first;");
    QTRY_COMPARE_WITH_TIMEOUT(echoed, QByteArray("first;"), 5000);
    const double sentAt = target.clock.nsecsElapsed() / 1e6;
    client.write("second;");
    QTRY_VERIFY_WITH_TIMEOUT(echoedMs >= 0, 5000);
    QCOMPARE(echoed, QByteArray("first;second;"));
    QVERIFY2(echoedMs - sentAt >= kRtt - kSlackMs, qPrintable(QString::number(echoedMs - sentAt)));
}

void TstLatencyProxy::countsConnections()
{
    Target target(Target::Mode::Echo);
    auto proxy = proxyFor(target);
    QCOMPARE(proxy->connectionCount(), 0);
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, proxy->ports().at(0));
        QVERIFY(clients.back()->waitForConnected(5000));
    }
    QTRY_COMPARE_WITH_TIMEOUT(proxy->connectionCount(), 3, 5000);
    QCOMPARE(proxy->connectionCount(0), 3);
    QCOMPARE(proxy->connectionCount(QHostAddress(QStringLiteral("127.0.0.1"))), 3);
    QCOMPARE(proxy->openConnections(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(target.accepted, 3, 5000);
    proxy->resetCounts();
    QCOMPARE(proxy->connectionCount(), 0);
    QCOMPARE(proxy->connectionCounts(), QList<int> { 0 });
    clients.clear(); // closing them ends their links
    QTRY_COMPARE_WITH_TIMEOUT(proxy->openConnections(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(target.closed, 3, 5000);
}

void TstLatencyProxy::clientCloseReachesTarget()
{
    Target target(Target::Mode::Echo);
    auto proxy = proxyFor(target);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, proxy->ports().at(0));
    QVERIFY(client.waitForConnected(5000));
    client.write("last words");
    client.disconnectFromHost();
    // The data before the close arrives, then the close.
    QTRY_COMPARE_WITH_TIMEOUT(target.closed, 1, 5000);
    QCOMPARE(target.received, QByteArray("last words"));
    QTRY_COMPARE_WITH_TIMEOUT(proxy->openConnections(), 0, 5000);
}

void TstLatencyProxy::targetCloseReachesClientAfterItsData()
{
    Target target(Target::Mode::Http);
    auto proxy = proxyFor(target);
    QTcpSocket client;
    QByteArray answer;
    bool closed = false;
    QByteArray answerAtClose;
    connect(&client, &QTcpSocket::readyRead, this, [&] { answer += client.readAll(); });
    connect(&client, &QTcpSocket::disconnected, this, [&] {
        answer += client.readAll();
        answerAtClose = answer;
        closed = true;
    });
    client.connectToHost(QHostAddress::LocalHost, proxy->ports().at(0));
    QVERIFY(client.waitForConnected(5000));
    client.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(closed, 5000);
    QVERIFY2(answerAtClose.startsWith("HTTP/1.1 200 OK\r\n"), answerAtClose.constData());
    QVERIFY(answerAtClose.endsWith("\r\n\r\nok"));
    QTRY_COMPARE_WITH_TIMEOUT(proxy->openConnections(), 0, 5000);
}

void TstLatencyProxy::refusedTargetClosesClient()
{
    quint16 freePort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        freePort = probe.serverPort();
    }
    LatencyProxy proxy;
    proxy.setTarget(QHostAddress::LocalHost, freePort);
    proxy.setRttMs(kRtt);
    QVERIFY(proxy.listen());
    QTcpSocket client;
    bool closed = false;
    connect(&client, &QTcpSocket::disconnected, this, [&] { closed = true; });
    client.connectToHost(QHostAddress::LocalHost, proxy.ports().at(0));
    QVERIFY(client.waitForConnected(5000));
    client.write("hello?");
    QTRY_VERIFY_WITH_TIMEOUT(closed, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(), 0, 5000);
    QCOMPARE(proxy.connectionCount(), 1);
}

void TstLatencyProxy::listensOnSeveralAddresses()
{
    Target target(Target::Mode::Http);
    auto proxy = proxyFor(target, 4, 20);
    QVERIFY2(proxy->isListening(), qPrintable(proxy->errorString()));
    QCOMPARE(proxy->hostCount(), 4);
    const QList<QUrl> urls = proxy->urls();
    QCOMPARE(urls.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(urls.at(i).host(), QStringLiteral("127.0.0.%1").arg(i + 1));
        QCOMPARE(proxy->addresses().at(i), QHostAddress(urls.at(i).host()));
        QCOMPARE(quint16(urls.at(i).port()), proxy->ports().at(i));
    }
    QCOMPARE(proxy->url(1, QStringLiteral("https")).scheme(), QStringLiteral("https"));
    // 127.0.0.2 once, 127.0.0.4 twice; each reaches the target and gets its answer.
    for (int i : { 1, 3, 3 }) {
        QTcpSocket client;
        QByteArray answer;
        connect(&client, &QTcpSocket::readyRead, this, [&] { answer += client.readAll(); });
        client.connectToHost(proxy->addresses().at(i), proxy->ports().at(i));
        QVERIFY2(client.waitForConnected(5000), qPrintable(client.errorString()));
        client.write("GET / HTTP/1.1\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(answer.endsWith("ok"), 5000);
    }
    QCOMPARE(proxy->connectionCounts(), (QList<int> { 0, 1, 0, 2 }));
    QCOMPARE(proxy->connectionCount(QHostAddress(QStringLiteral("127.0.0.4"))), 2);
    QCOMPARE(proxy->connectionCount(), 3);
    QCOMPARE(target.accepted, 3);
}

void TstLatencyProxy::fixedPortOnEveryAddress()
{
    Target target(Target::Mode::Echo);
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    LatencyProxy proxy;
    proxy.setTarget(QHostAddress::LocalHost, target.port());
    if (!proxy.listen(3, port))
        QSKIP(qPrintable(proxy.errorString())); // the port was taken in between
    QCOMPARE(proxy.ports(), (QList<quint16> { port, port, port }));
    proxy.close();
    QVERIFY(!proxy.isListening());
    QCOMPARE(proxy.connectionCount(), 0);
}

QTEST_GUILESS_MAIN(TstLatencyProxy)
#include "tst_latencyproxy.moc"
