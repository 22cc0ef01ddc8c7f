// latency-proxy: a TCP proxy that simulates a link with a round-trip time in front of one
// target (see LatencyProxy.h for the model). Prints one listening URL per line on stdout,
// then serves until killed; the connection counts go to stderr every 10 s when they changed
// and on SIGTERM / SIGINT.
//
//   latency-proxy --target 127.0.0.1:8080 --rtt 100 [--hosts N] [--port P]
#include "LatencyProxy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QStringList>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace {

int g_signalPipe[2] = { -1, -1 };

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &c, 1);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "latency-proxy: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("latency-proxy"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A TCP proxy simulating a link with a round-trip time: a new connection's first byte "
        "waits one RTT (the handshake), every chunk is delivered RTT/2 later in each "
        "direction. Listens on 127.0.0.1 ... 127.0.0.N."));
    parser.addHelpOption();
    const QCommandLineOption target(QStringLiteral("target"),
        QStringLiteral("The server to forward to, host:port (e.g. 127.0.0.1:8080)."),
        QStringLiteral("host:port"));
    const QCommandLineOption rtt(QStringLiteral("rtt"),
        QStringLiteral("The simulated round-trip time in ms (default 100)."), QStringLiteral("ms"),
        QStringLiteral("100"));
    const QCommandLineOption hosts(QStringLiteral("hosts"),
        QStringLiteral("Listen on 127.0.0.1 ... 127.0.0.N (default 1)."), QStringLiteral("n"),
        QStringLiteral("1"));
    const QCommandLineOption port(QStringLiteral("port"),
        QStringLiteral("The port to listen on (default 0: any free one, the same on every "
                       "address when possible)."),
        QStringLiteral("port"), QStringLiteral("0"));
    parser.addOptions({ target, rtt, hosts, port });
    parser.process(app);

    const QString targetText = parser.value(target);
    const int colon = int(targetText.lastIndexOf(QLatin1Char(':')));
    bool portOk = false;
    const uint targetPort = colon > 0 ? targetText.mid(colon + 1).toUInt(&portOk) : 0;
    const QHostAddress targetHost(colon > 0 ? targetText.left(colon) : QString());
    if (targetHost.isNull() || !portOk || targetPort == 0 || targetPort > 65535)
        return fail(QStringLiteral("--target needs an address and a port, e.g. 127.0.0.1:8080"));
    bool ok = false;
    const double rttMs = parser.value(rtt).toDouble(&ok);
    if (!ok || rttMs < 0)
        return fail(QStringLiteral("--rtt needs a number of milliseconds, 0 or more"));
    const int hostCount = parser.value(hosts).toInt(&ok);
    if (!ok || hostCount < 1 || hostCount > 254)
        return fail(QStringLiteral("--hosts needs a number from 1 to 254"));
    const uint listenPort = parser.value(port).toUInt(&ok);
    if (!ok || listenPort > 65535)
        return fail(QStringLiteral("--port needs a port number (0: any)"));

    cd::test::LatencyProxy proxy;
    proxy.setTarget(targetHost, quint16(targetPort));
    proxy.setRttMs(rttMs);
    if (!proxy.listen(hostCount, quint16(listenPort)))
        return fail(proxy.errorString());
    for (const QUrl &url : proxy.urls())
        std::printf("%s\n", url.toString().toUtf8().constData());
    std::fflush(stdout);
    std::fprintf(
        stderr, "latency-proxy: RTT %g ms, forwarding to %s\n", rttMs, qPrintable(targetText));

    const auto report = [&proxy] {
        QStringList perHost;
        const QList<int> counts = proxy.connectionCounts();
        const QList<QHostAddress> addresses = proxy.addresses();
        for (int i = 0; i < counts.size(); ++i) {
            if (counts.at(i))
                perHost
                    << QStringLiteral("%1: %2").arg(addresses.at(i).toString()).arg(counts.at(i));
        }
        std::fprintf(stderr, "latency-proxy: %d connections accepted (%s), %d open\n",
            proxy.connectionCount(), qPrintable(perHost.join(QStringLiteral(", "))),
            proxy.openConnections());
    };
    int reported = 0;
    QTimer periodic;
    QObject::connect(&periodic, &QTimer::timeout, &app, [&] {
        if (proxy.connectionCount() != reported) {
            reported = proxy.connectionCount();
            report();
        }
    });
    periodic.start(10000);

    if (::pipe(g_signalPipe) != 0)
        return fail(QStringLiteral("pipe() failed"));
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        char c = 0;
        [[maybe_unused]] const ssize_t n = ::read(g_signalPipe[0], &c, 1);
        report();
        QCoreApplication::quit();
    });
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    return app.exec();
}
