#include "LatencyProxy.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <deque>
#include <functional>
#include <memory>
#include <utility>

#ifdef Q_OS_LINUX
#include <QSocketNotifier>
#include <sys/timerfd.h>
#include <unistd.h>
#endif

namespace cd::test {

namespace {

// A single-shot wake-up `ns` nanoseconds from now, never earlier. A QTimer counts whole
// milliseconds: rounded up (so as never to deliver early) and rounded up again by the event
// dispatcher, it fired 0.2 to 2 ms after a chunk was due, on every hop (an https check has six
// of them in sequence), which no real link adds. On Linux a timerfd wakes the event loop to
// the microsecond; elsewhere the QTimer stays.
class WakeUp
{
public:
    explicit WakeUp(std::function<void()> onTimeout)
        : m_onTimeout(std::move(onTimeout))
    {
#ifdef Q_OS_LINUX
        m_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (m_fd >= 0) {
            m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
            QObject::connect(m_notifier.get(), &QSocketNotifier::activated, [this] {
                quint64 expirations = 0;
                if (::read(m_fd, &expirations, sizeof expirations) > 0 && m_armed) {
                    m_armed = false;
                    m_onTimeout();
                }
            });
            return;
        }
#endif
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, [this] { m_onTimeout(); });
    }
    ~WakeUp()
    {
#ifdef Q_OS_LINUX
        m_notifier.reset();
        if (m_fd >= 0)
            ::close(m_fd);
#endif
    }
    WakeUp(const WakeUp &) = delete;
    WakeUp &operator=(const WakeUp &) = delete;

    void start(qint64 ns)
    {
#ifdef Q_OS_LINUX
        if (m_fd >= 0) {
            itimerspec spec {};
            ns = qMax<qint64>(ns, 1); // all zeros would disarm it
            spec.it_value.tv_sec = time_t(ns / 1000000000);
            spec.it_value.tv_nsec = long(ns % 1000000000);
            m_armed = timerfd_settime(m_fd, 0, &spec, nullptr) == 0;
            return;
        }
#endif
        m_timer.start(int((ns + 999999) / 1000000)); // rounded up: never early
    }
    void stop()
    {
#ifdef Q_OS_LINUX
        if (m_fd >= 0) {
            itimerspec spec {};
            timerfd_settime(m_fd, 0, &spec, nullptr);
            m_armed = false;
            return;
        }
#endif
        m_timer.stop();
    }

private:
    std::function<void()> m_onTimeout;
    QTimer m_timer;
#ifdef Q_OS_LINUX
    int m_fd = -1;
    bool m_armed = false;
    std::unique_ptr<QSocketNotifier> m_notifier;
#endif
};

// LATENCY_PROXY_TRACE=1: one line per chunk (link, direction, bytes, when it arrived, when it
// was due, when it went out, in ms of the proxy's clock), to see who spent the time between
// two hops: the gap from a chunk going out to the next one arriving from that side is its
// peer's think time, which a floor does not count.
bool traceOn()
{
    static const bool on = qEnvironmentVariableIntValue("LATENCY_PROXY_TRACE") > 0;
    return on;
}

} // namespace

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
        std::unique_ptr<WakeUp> timer;
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
    qint64 dueFor(const Direction &d) const;

    LatencyProxy *m_proxy;
    QTcpSocket *m_client;
    QTcpSocket *m_upstream;
    qint64 m_halfNs;
    Direction m_up; // client -> target
    Direction m_down; // target -> client
    bool m_done = false;
    // Nothing has reached the client yet: what it sends now it sent in answer to its connect
    // completing, which on a real link happens one round trip later than here (on loopback
    // the connect completes at once). See dueFor().
    bool m_firstFlight = true;
    int m_serial = 0; // for the trace
};

LatencyProxy::Link::Link(LatencyProxy *proxy, QTcpSocket *client)
    : QObject(proxy)
    , m_proxy(proxy)
    , m_client(client)
    , m_upstream(new QTcpSocket(this))
    , m_halfNs(proxy->m_rttNs / 2)
{
    const qint64 acceptedAt = now();
    m_serial = ++proxy->m_linksMade;
    if (traceOn())
        qInfo("latency-proxy: link %d accepted at %.3f ms", m_serial, acceptedAt / 1e6);
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
        d->timer = std::make_unique<WakeUp>([this, d] { fire(*d); });
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
    const qint64 due = dueFor(d);
    if (traceOn())
        qInfo("latency-proxy: link %d %s %lld bytes arrived at %.3f ms, due %.3f ms", m_serial,
            &d == &m_up ? "up" : "down", qint64(data.size()), now() / 1e6, due / 1e6);
    push(d, Chunk { due, std::move(data), false });
}

// When what arrives now from d.from is due at the other end. Towards the target, before
// anything reached the client: one round trip (the TCP handshake the client's connect waits
// for on a real link) plus the half trip after the client wrote it, so that whatever the
// client did between its connect completing and writing (setting up TLS, building the request)
// is counted like on a real link instead of being hidden inside the simulated handshake. Once
// the client has received something, it acts on what the proxy delivered: a half trip.
qint64 LatencyProxy::Link::dueFor(const Direction &d) const
{
    const qint64 t = now();
    if (&d == &m_up && m_firstFlight)
        return qMax(t + m_proxy->m_rttNs, d.notBeforeNs) + m_halfNs;
    return qMax(t, d.notBeforeNs) + m_halfNs;
}

void LatencyProxy::Link::sourceClosed(Direction &d)
{
    if (d.fromClosed)
        return;
    read(d); // what arrived before the close
    d.fromClosed = true;
    push(d, Chunk { dueFor(d), {}, true });
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
            const qint64 spin = m_proxy->m_busyWaitNs;
            if (spin > 0 && head.dueNs - t <= spin) {
                while (now() < head.dueNs) { } // the last stretch awake: see setBusyWaitUs()
                continue;
            }
            // Never early; if it were, this runs again.
            d.timer->start(head.dueNs - t - spin);
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
    if (traceOn())
        qInfo("latency-proxy: link %d %s %lld bytes%s out at %.3f ms (due %.3f)", m_serial,
            &d == &m_up ? "up" : "down", qint64(chunk.data.size()), chunk.close ? " + close" : "",
            now() / 1e6, chunk.dueNs / 1e6);
    switch (d.to->state()) {
    case QAbstractSocket::ConnectedState:
        if (chunk.close)
            d.to->disconnectFromHost(); // after what is still in its write buffer
        else
            d.to->write(chunk.data);
        if (&d == &m_down && !chunk.data.isEmpty())
            m_firstFlight = false;
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
    m_up.timer->stop();
    m_down.timer->stop();
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

void LatencyProxy::setBusyWaitUs(int us)
{
    m_busyWaitNs = qint64(qMax(0, us)) * 1000;
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
