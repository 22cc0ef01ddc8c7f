#pragma once

// A TCP proxy that simulates a link with a round-trip time (issue 15), in front of one target
// (a fake server on 127.0.0.1). It is a byte proxy: TLS passes through untouched, so https
// through it pays its handshake's round trips like over a real link.
//
// The model of a link with round-trip time RTT:
//  - A client's connect is accepted at once, and the proxy connects to the target at once;
//    the TCP handshake's cost is paid on the first flight instead: what the client sends
//    before anything has reached it is delivered RTT + RTT/2 after the client wrote it (on a
//    real link its connect completes one RTT later, and whatever it does before writing, such
//    as setting up TLS, comes after that). So a request sent right after connecting reaches
//    the target 1.5 RTT after the accept and its answer is back at 2 RTT: connect + one
//    request.
//  - Every other chunk, in either direction, is delivered RTT/2 after it arrived, in order per
//    direction (one FIFO and one wake-up per direction, scheduled for the FIFO's head; on
//    Linux a timerfd, to the microsecond, elsewhere a QTimer, rounded up to the millisecond).
//  - A close (either side) propagates the same way, after the data before it was delivered.
//
// It can listen on several loopback addresses at once, 127.0.0.1 … 127.0.0.N (Linux routes
// all of 127/8 to lo), to stand for N different hosts: the same port on each when it is free,
// otherwise a port chosen per address. It counts the connections accepted, in total and per
// listening address.
//
// Lives on the thread that created it and needs that thread's event loop.

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

class QTcpServer;

namespace cd::test {

class LatencyProxy : public QObject
{
    Q_OBJECT
public:
    explicit LatencyProxy(QObject *parent = nullptr);
    ~LatencyProxy() override;

    // Both may change while listening; open connections keep the RTT they started with.
    void setTarget(const QHostAddress &host, quint16 port);
    void setRttMs(double ms);
    double rttMs() const { return m_rttNs / 1e6; }
    // The last `us` microseconds before a chunk is due are spent awake (spinning) instead of
    // asleep: a sleeping event loop wakes 0.1-0.2 ms late, on every hop, which no real link
    // adds. It holds up every other link meanwhile, so it is for one link at a time (a
    // benchmark of one check against its floor); 0 (the default) never spins.
    void setBusyWaitUs(int us);

    // Listens on 127.0.0.1 … 127.0.0.<hosts>. `port` 0: any free port, the same on every
    // address when possible. false (errorString()) when an address cannot listen; then
    // nothing listens.
    bool listen(int hosts = 1, quint16 port = 0);
    void close(); // stops listening and drops every open connection
    bool isListening() const { return !m_listeners.isEmpty(); }
    QString errorString() const { return m_error; }

    int hostCount() const { return int(m_listeners.size()); }
    QList<QHostAddress> addresses() const;
    QList<quint16> ports() const;
    // scheme://127.0.0.k:port, one per listening address, in order.
    QList<QUrl> urls(const QString &scheme = QStringLiteral("http")) const;
    QUrl url(int index, const QString &scheme = QStringLiteral("http")) const;

    // Connections accepted since listen() or resetCounts(): in total, on one listening
    // address (by index), on the address of a host (127.0.0.k as text or address).
    int connectionCount() const;
    int connectionCount(int index) const;
    int connectionCount(const QHostAddress &address) const;
    QList<int> connectionCounts() const;
    void resetCounts();
    int openConnections() const { return m_open; }

Q_SIGNALS:
    void accepted(int index); // a connection was accepted on listening address `index`

private:
    class Link;
    struct Listener
    {
        QTcpServer *server = nullptr;
        QHostAddress address;
        int accepted = 0;
    };
    void onNewConnection(int index);
    void linkDone(Link *link);

    QList<Listener> m_listeners;
    QHostAddress m_targetHost = QHostAddress::LocalHost;
    quint16 m_targetPort = 0;
    qint64 m_rttNs = 0;
    qint64 m_busyWaitNs = 0;
    QString m_error;
    QElapsedTimer m_clock; // the one clock of every link's schedule
    QList<Link *> m_links;
    int m_open = 0;
    int m_linksMade = 0; // numbers the links in the trace (LATENCY_PROXY_TRACE)
};

} // namespace cd::test
