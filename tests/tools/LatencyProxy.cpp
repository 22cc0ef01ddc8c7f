#include "LatencyProxy.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <deque>
#include <utility>

namespace cd::test {

// One proxied connection: the client's socket, the target's, and one delayed FIFO per
// direction.
class LatencyProxy::Link : public QObject
{
public:
    Link(LatencyProxy *proxy, QTcpSocket *client);
    ~Link() override;

private:
    struct Chunk
    {
        qint64 dueNs = 0;
        QByteArray data;
        bool close = false; // the sending side closed: close the receiving one
    };
    struct Direction
    {
        QTcpSocket *from = nullptr;
        QTcpSocket *to = nullptr;
        std::deque<Chunk> fifo;
        QTimer timer;
        qint64 notBeforeNs = 0; // nothing sets out earlier (the handshake, towards the target)
        bool fromClosed = false; // the close marker is queued
        QByteArray unsent; // delivered while the target's socket was still connecting
        bool closeWhenConnected = false;
    };

    qint64 now() const { return m_proxy->m_clock.nsecsElapsed(); }
    void read(Direction &d);
    void sourceClosed(Direction &d);
    void push(Direction &d, Chunk chunk);
    void fire(Direction &d);
    void deliver(Direction &d, Chunk &chunk);
    void upstreamConnected();
    void checkDone();

    LatencyProxy *m_proxy;
    QTcpSocket *m_client;
    QTcpSocket *m_upstream;
    qint64 m_halfNs;
    Direction m_up; // client -> target
    Direction m_down; // target -> client
    bool m_done = false;
};

LatencyProxy::Link::Link(LatencyProxy *proxy, QTcpSocket *client)
    : QObject(proxy)
    , m_proxy(proxy)
    , m_client(client)
    , m_upstream(new QTcpSocket(this))
    , m_halfNs(proxy->m_rttNs / 2)
{
    const qint64 acceptedAt = now();
    m_client->setParent(this);
    // No Nagle: a small chunk must not wait for the previous one's ACK (delayed ACKs would
    // add tens of ms that no real link has).
    m_client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_up.from = m_client;
    m_up.to = m_upstream;
    m_up.notBeforeNs = acceptedAt + proxy->m_rttNs; // the TCP handshake's round trip
    m_down.from = m_upstream;
    m_down.to = m_client;
    for (Direction *d : { &m_up, &m_down }) {
        d->timer.setSingleShot(true);
        d->timer.setTimerType(Qt::PreciseTimer);
        connect(&d->timer, &QTimer::timeout, this, [this, d] { fire(*d); });
        connect(d->from, &QTcpSocket::readyRead, this, [this, d] { read(*d); });
        connect(d->from, &QTcpSocket::disconnected, this, [this, d] { sourceClosed(*d); });
        connect(d->from, &QTcpSocket::errorOccurred, this, [this, d] {
            // A refused or failed connect to the target never emits disconnected.
            if (d->from->state() != QAbstractSocket::ConnectedState)
                sourceClosed(*d);
        });
    }
    connect(m_upstream, &QTcpSocket::connected, this, &Link::upstreamConnected);
    m_upstream->connectToHost(proxy->m_targetHost, proxy->m_targetPort);
    read(m_up); // anything that came with the connection
}

LatencyProxy::Link::~Link()
{
    for (QTcpSocket *s : { m_client, m_upstream })
        s->disconnect(this);
}

void LatencyProxy::Link::read(Direction &d)
{
    if (d.fromClosed)
        return;
    QByteArray data = d.from->readAll();
    if (data.isEmpty())
        return;
    push(d, Chunk { qMax(now(), d.notBeforeNs) + m_halfNs, std::move(data), false });
}

void LatencyProxy::Link::sourceClosed(Direction &d)
{
    if (d.fromClosed)
        return;
    read(d); // what arrived before the close
    d.fromClosed = true;
    push(d, Chunk { qMax(now(), d.notBeforeNs) + m_halfNs, {}, true });
    checkDone();
}

void LatencyProxy::Link::push(Direction &d, Chunk chunk)
{
    const bool wasEmpty = d.fifo.empty();
    d.fifo.push_back(std::move(chunk));
    if (wasEmpty) // otherwise the timer is already set for the head, which stays the head
        fire(d);
}

void LatencyProxy::Link::fire(Direction &d)
{
    while (!d.fifo.empty()) {
        const qint64 t = now();
        Chunk &head = d.fifo.front();
        if (head.dueNs > t) {
            // Rounded up: a timer never delivers early (it may fire early by less than a
            // millisecond; then this runs again).
            d.timer.start(int((head.dueNs - t + 999999) / 1000000));
            return;
        }
        Chunk chunk = std::move(head);
        d.fifo.pop_front();
        deliver(d, chunk);
        if (m_done)
            return;
    }
}

void LatencyProxy::Link::deliver(Direction &d, Chunk &chunk)
{
    switch (d.to->state()) {
    case QAbstractSocket::ConnectedState:
        if (chunk.close)
            d.to->disconnectFromHost(); // after what is still in its write buffer
        else
            d.to->write(chunk.data);
        break;
    case QAbstractSocket::HostLookupState:
    case QAbstractSocket::ConnectingState:
        if (chunk.close)
            d.closeWhenConnected = true;
        else
            d.unsent += chunk.data;
        break;
    default: // gone: nothing can be delivered any more
        break;
    }
    checkDone();
}

void LatencyProxy::Link::upstreamConnected()
{
    m_upstream->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (!m_up.unsent.isEmpty())
        m_upstream->write(std::exchange(m_up.unsent, {}));
    if (m_up.closeWhenConnected)
        m_upstream->disconnectFromHost();
}

void LatencyProxy::Link::checkDone()
{
    if (m_done)
        return;
    const auto gone = [](QTcpSocket *s) { return s->state() == QAbstractSocket::UnconnectedState; };
    // Both closed, or one closed and its close delivered to the other: nothing left to carry.
    if (!gone(m_client) || !gone(m_upstream))
        return;
    m_done = true;
    m_up.timer.stop();
    m_down.timer.stop();
    m_proxy->linkDone(this);
}

LatencyProxy::LatencyProxy(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
}

LatencyProxy::~LatencyProxy()
{
    close();
}

void LatencyProxy::setTarget(const QHostAddress &host, quint16 port)
{
    m_targetHost = host;
    m_targetPort = port;
}

void LatencyProxy::setRttMs(double ms)
{
    m_rttNs = qint64(qMax(0.0, ms) * 1e6);
}

bool LatencyProxy::listen(int hosts, quint16 port)
{
    close();
    m_error.clear();
    hosts = qBound(1, hosts, 254);
    for (int i = 0; i < hosts; ++i) {
        const QHostAddress address(quint32(0x7f000001u + quint32(i))); // 127.0.0.(i+1)
        auto *server = new QTcpServer(this);
        const quint16 wanted
            = port ? port : (m_listeners.isEmpty() ? 0 : m_listeners[0].server->serverPort());
        bool ok = server->listen(address, wanted);
        if (!ok && !port && wanted) // the first address's free port is taken here: any other
            ok = server->listen(address, 0);
        if (!ok) {
            m_error = QStringLiteral("cannot listen on %1:%2: %3")
                          .arg(address.toString())
                          .arg(wanted)
                          .arg(server->errorString());
            delete server;
            close();
            return false;
        }
        const int index = int(m_listeners.size());
        m_listeners.append(Listener { server, address, 0 });
        connect(
            server, &QTcpServer::newConnection, this, [this, index] { onNewConnection(index); });
    }
    return true;
}

void LatencyProxy::close()
{
    for (Listener &l : m_listeners)
        delete l.server;
    m_listeners.clear();
    const QList<Link *> links = std::exchange(m_links, {});
    for (Link *link : links)
        delete link;
    m_open = 0;
}

QList<QHostAddress> LatencyProxy::addresses() const
{
    QList<QHostAddress> out;
    for (const Listener &l : m_listeners)
        out << l.address;
    return out;
}

QList<quint16> LatencyProxy::ports() const
{
    QList<quint16> out;
    for (const Listener &l : m_listeners)
        out << l.server->serverPort();
    return out;
}

QList<QUrl> LatencyProxy::urls(const QString &scheme) const
{
    QList<QUrl> out;
    for (int i = 0; i < m_listeners.size(); ++i)
        out << url(i, scheme);
    return out;
}

QUrl LatencyProxy::url(int index, const QString &scheme) const
{
    if (index < 0 || index >= m_listeners.size())
        return {};
    QUrl u;
    u.setScheme(scheme);
    u.setHost(m_listeners.at(index).address.toString());
    u.setPort(m_listeners.at(index).server->serverPort());
    return u;
}

int LatencyProxy::connectionCount() const
{
    int n = 0;
    for (const Listener &l : m_listeners)
        n += l.accepted;
    return n;
}

int LatencyProxy::connectionCount(int index) const
{
    return index >= 0 && index < m_listeners.size() ? m_listeners.at(index).accepted : 0;
}

int LatencyProxy::connectionCount(const QHostAddress &address) const
{
    for (const Listener &l : m_listeners) {
        if (l.address.isEqual(address))
            return l.accepted;
    }
    return 0;
}

QList<int> LatencyProxy::connectionCounts() const
{
    QList<int> out;
    for (const Listener &l : m_listeners)
        out << l.accepted;
    return out;
}

void LatencyProxy::resetCounts()
{
    for (Listener &l : m_listeners)
        l.accepted = 0;
}

void LatencyProxy::onNewConnection(int index)
{
    QTcpServer *server = m_listeners.at(index).server;
    while (QTcpSocket *client = server->nextPendingConnection()) {
        ++m_listeners[index].accepted;
        ++m_open;
        m_links.append(new Link(this, client));
        Q_EMIT accepted(index);
    }
}

void LatencyProxy::linkDone(Link *link)
{
    if (m_links.removeOne(link)) {
        --m_open;
        link->deleteLater(); // it may be inside one of its sockets' signals
    }
}

} // namespace cd::test
