// Issue 5: validation speed, against the standalone fake-jama server in its own process
// (plain http on 127.0.0.1, account "named"), so that neither side serves in-process.
//  (a) One check by the app: a ValidationJob over a fresh QNetworkAccessManager, from
//      creating the manager to `finished`, Basic (GET users/current) and oAuth (POST token,
//      then GET with the bearer) - against curl making the same requests, one process per
//      request, the whole process timed (oAuth: two curl runs plus reading the token).
//      Medians of N runs each; target: ratio <= 1.5.
//  (b) N validations queued at once through ValidationQueue (maxConcurrent 4, MemorySecretStore)
//      while the connector page (model, proxy, table, details) is shown offscreen, with a 2 ms
//      heartbeat timer on the GUI thread recording the longest gap between ticks. Reports the
//      total time, throughput and the longest stall (target: none over 50 ms), against the same
//      heartbeat's longest gap while idle, and each check's latency (started -> finished).
//      Repeated without the page (the GUI's share) and with the same N checks in a repository
//      of 10,000 connectors (issue 4's size; every result is one UPDATE of its row in
//      connectors.db, committed on the GUI thread). Target since issue 11: no stall of 16 ms.
//  (c) Issue 15, over a simulated link (tests/tools/LatencyProxy, on its own thread: every new
//      connection pays one round trip, every chunk half a round trip per direction):
//      - each check type against its protocol floor at RTT 50 and 100 ms, http and https:
//        floor = RTT x (1 for the TCP connect + 1 for a TLS 1.3 handshake when https + the
//        check's sequential requests, counted from an in-process fake's record), i.e. one
//        connection per check; median of 7 (target ratio <= 1.05) and the connections the
//        check opened (the proxy's count; target 1). fake-jama / fake-jira in their own
//        processes; https trusts the fake's self-signed certificate by its pin. Successive
//        runs go to successive hosts 127.0.0.2..9 (all to the same fake), so that the
//        process-wide RequestPacer (Jama: 8 calls per 1.2 s per host) never delays a run:
//        back-to-back checks of one instance are not what is measured here. The proxy stays
//        awake for the last 0.4 ms before each hop (LatencyProxy::setBusyWaitUs): asleep, it
//        woke 0.16 ms late on each. BENCH_FLOOR_SCHEMES=https (or http) measures one scheme;
//        LATENCY_PROXY_TRACE=1 prints every chunk's arrival, due and delivery time.
//      - Validate All: N = 1, 8, 64 Basic connectors, each on its own host 127.0.0.k, all
//        enqueued at once into a ValidationQueue with its default caps, RTT 100: total time
//        to the last result against one check's median (target <= 2), the peak of checks
//        running at once overall and per host, connections per check; and 8 connectors on
//        one host (target: at most 2 at once on it).
//  (b) also runs with the queue's default caps, and with 500 checks (target: no GUI stall
//      of 16 ms), each case with a fake-jama of its own; the fake and the proxy run at nice 10
//      (they stand for the network and the servers, which are not on the user's machine), the
//      500-check case also at nice 0. BENCH_TRACE_EVENTS=1 prints the GUI events over 2 ms
//      (CPU time, time waiting for a core) and every event inside the longest gap;
//      BENCH_TRACE_PAINTS=1 how often the list was painted, and how much of it.
// Credentials go to curl on stdin (a config file read from "-"), never on its command line;
// nothing secret is printed. Asserts only correctness, never time.
#include "AppContext.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "FakeJamaServer.h"
#include "FakeJiraServer.h"
#include "LatencyProxy.h"
#include "MemorySecretStore.h"
#include "RequestPacer.h"
#include "ThreadPriority.h"
#include "ValidationJob.h"
#include "ValidationQueue.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QPaintEvent>
#include <QProcess>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <ctime>
#include <functional>
#include <memory>

using namespace cd;

// The latency proxy on a thread of its own, so that its work (every chunk of every connection)
// is neither counted as the GUI thread's stalls nor queued behind the checks' events.

// Times every top-level event the GUI thread handles (a timer, a socket notification, a queued
// call, a paint): the longest one in wall time and in the thread's own CPU time. A heartbeat
// gap also counts time this thread was merely not scheduled (on two cores, the fake server,
// the proxy and the checks' HTTP threads run too); the CPU time of one event is the work the
// app itself did without returning to the event loop. BENCH_TRACE_EVENTS=1 prints every event
// over 2 ms (when, wall and CPU time, receiver, type); =2 also every LayoutRequest.
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;

    struct Longest
    {
        double wallMs = 0;
        double cpuMs = 0;
        QByteArray what; // the receiver's class and the event's type, of the CPU-longest
        int over8 = 0; // events with more than 8 ms of the thread's CPU time
        double firstOver8AtMs = -1; // when the first of them ended, from startRecording()
    };
    // BENCH_TRACE_EVENTS: every event over 0.3 ms that overlaps [fromMs, toMs] of the recording.
    void printEventsBetween(double fromMs, double toMs) const
    {
        for (const Event &e : m_events) {
            if (e.endMs >= fromMs && e.endMs - e.wallMs <= toMs)
                qInfo("trace: in the longest gap: %.1f-%.1f ms: %.1f ms wall, %.1f ms CPU, %.1f ms "
                      "waiting for a core: %s",
                    e.endMs - e.wallMs, e.endMs, e.wallMs, e.cpuMs, e.queuedMs, e.what.constData());
        }
    }
    void startRecording()
    {
        m_events.clear();
        if (m_trace) {
            runQueueNs(); // opens the file now, not during the run
            timespec ts {};
            clock_gettime(CLOCK_MONOTONIC, &ts);
            qInfo("trace: recording from CLOCK_MONOTONIC %lld.%09ld s (as perf -k mono)",
                qint64(ts.tv_sec), ts.tv_nsec);
        }
        m_longest = {};
        m_recording = true;
        m_since.start();
    }
    Longest stopRecording()
    {
        m_recording = false;
        return m_longest;
    }
    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_recording || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        ++m_depth;
        // Before: the event may delete its receiver (DeferredDelete).
        QByteArray className = receiver->metaObject()->className();
        if (m_trace && receiver->parent()) // a timer's, a socket notifier's owner
            className += QByteArray(" of ") + receiver->parent()->metaObject()->className();
        const int type = int(event->type());
        const qint64 cpu0 = threadCpuNs();
        const qint64 queued0 = m_trace ? runQueueNs() : 0;
        QElapsedTimer wall;
        wall.start();
        const bool result = QApplication::notify(receiver, event);
        const double wallMs = wall.nsecsElapsed() / 1e6;
        const double cpuMs = (threadCpuNs() - cpu0) / 1e6;
        --m_depth;
        m_longest.wallMs = std::max(m_longest.wallMs, wallMs);
        if (m_trace && wallMs > 0.3)
            m_events.append({ m_since.nsecsElapsed() / 1e6, wallMs, cpuMs,
                (runQueueNs() - queued0) / 1e6, className + " event " + QByteArray::number(type) });
        if (m_trace && (wallMs > 2 || (type == 77 && m_trace > 1)))
            qInfo("trace: %.1f ms: %.1f ms wall, %.1f ms CPU, %.1f ms runnable but waiting for a "
                  "core: %s event %d",
                m_since.nsecsElapsed() / 1e6, wallMs, cpuMs, (runQueueNs() - queued0) / 1e6,
                className.constData(), type);
        if (cpuMs > 8) {
            if (m_longest.over8++ == 0)
                m_longest.firstOver8AtMs = m_since.nsecsElapsed() / 1e6;
        }
        if (cpuMs > m_longest.cpuMs) {
            m_longest.cpuMs = cpuMs;
            m_longest.what = className + " event " + QByteArray::number(type);
        }
        return result;
    }

    static qint64 threadCpuNs()
    {
        timespec ts {};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    }

    // The time this thread has spent runnable but not running (Linux: the second field of
    // /proc/thread-self/schedstat; -1 elsewhere). For the trace only. The file stays open:
    // opening one while 64 HTTP threads open sockets can wait ~10 ms for the kernel to grow
    // the process's file table, which would be the trace's own stall.
    qint64 runQueueNs()
    {
        if (!m_schedstat.isOpen()) {
            m_schedstat.setFileName(QStringLiteral("/proc/thread-self/schedstat"));
            if (!m_schedstat.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
                return -1;
        }
        m_schedstat.seek(0);
        const QList<QByteArray> fields = m_schedstat.read(128).split(' ');
        return fields.size() >= 2 ? fields.at(1).toLongLong() : -1;
    }

private:
    bool m_recording = false;
    const int m_trace = qEnvironmentVariableIntValue("BENCH_TRACE_EVENTS");
    QElapsedTimer m_since;
    int m_depth = 0;
    Longest m_longest;
    QFile m_schedstat;
    struct Event
    {
        double endMs, wallMs, cpuMs, queuedMs;
        QByteArray what;
    };
    QList<Event> m_events;
};

// BENCH_TRACE_PAINTS: counts the paints of a widget and the area they covered.
class PaintCounter : public QObject
{
public:
    using QObject::QObject;
    ~PaintCounter() override
    {
        qInfo("paints of the list: %d, of them the whole viewport %d, area painted %.1f "
              "viewports",
            m_paints, m_full, m_area);
    }
    bool eventFilter(QObject *o, QEvent *e) override
    {
        if (e->type() == QEvent::Paint) {
            auto *w = static_cast<QWidget *>(o);
            const QRect r = static_cast<QPaintEvent *>(e)->rect();
            ++m_paints;
            m_full += r.size() == w->size();
            m_area += double(r.width()) * r.height() / (w->width() * w->height());
        }
        return false;
    }

private:
    int m_paints = 0, m_full = 0;
    double m_area = 0;
};

static TimedApplication *timedApp()
{
    return static_cast<TimedApplication *>(QCoreApplication::instance());
}

class ProxyThread
{
    template<typename F> auto call(F f)
    {
        decltype(f()) result {};
        QMetaObject::invokeMethod(
            m_proxy, [&] { result = f(); }, Qt::BlockingQueuedConnection);
        return result;
    }

public:
    ProxyThread()
        : m_proxy(new test::LatencyProxy)
    {
        m_proxy->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_proxy, &QObject::deleteLater);
        m_thread.start();
    }
    ~ProxyThread()
    {
        m_thread.quit();
        m_thread.wait();
    }
    bool listen(int hosts)
    {
        return call([&] { return m_proxy->listen(hosts); });
    }
    QString errorString()
    {
        return call([&] { return m_proxy->errorString(); });
    }
    void setTarget(quint16 port)
    {
        call([&] {
            m_proxy->setTarget(QHostAddress::LocalHost, port);
            return true;
        });
    }
    void setRttMs(double ms)
    {
        call([&] {
            m_proxy->setRttMs(ms);
            return true;
        });
    }
    // The proxy thread yields by `by` (cd::lowerThreadPriority).
    bool lowerPriority(int by)
    {
        return call([by] { return lowerThreadPriority(by); });
    }
    void setBusyWaitUs(int us)
    {
        call([&] {
            m_proxy->setBusyWaitUs(us);
            return true;
        });
    }
    QUrl url(int index, const QString &scheme = QStringLiteral("http"))
    {
        return call([&] { return m_proxy->url(index, scheme); });
    }
    void resetCounts()
    {
        call([&] {
            m_proxy->resetCounts();
            return true;
        });
    }
    int connectionCount()
    {
        return call([&] { return m_proxy->connectionCount(); });
    }

private:
    QThread m_thread;
    test::LatencyProxy *m_proxy;
};

class BenchValidation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void singleCheckVsCurl();
    void checksAtTheirFloor();
    void validateAllAcrossHosts();
    void validateAllCommandLine();
    void queuedChecksAndStalls();
    void manyQueuedChecks();
    void cleanupTestCase();

private:
    // A fake server in its own process: its base URL (first line on stdout) and, with --tls,
    // its certificate's SHA-256 (stderr).
    struct FakeProcess
    {
        std::unique_ptr<QProcess> process;
        QUrl base;
        QByteArray sha256; // raw 32 bytes; empty over http
    };
    bool startFake(const QString &binary, const QStringList &arguments, FakeProcess *fake);
    // One check with a fresh QNetworkAccessManager, from creating it to `finished`.
    // `nam`: a shared manager; none: a fresh one, created within the time.
    static double checkMs(const ValidationRequest &request, ValidationResult *result,
        QNetworkAccessManager *nam = nullptr);

    struct QueueCase
    {
        int repositorySize = 0;
        int checks = 0;
        bool withPage = false;
        std::function<QString(int)> url; // connector i's URL; empty: the fake-jama process
        bool allBasic = false; // otherwise half Basic, half oAuth
        int maxConcurrent = 0; // 0: the queue's default caps
        bool heartbeat = true; // measure the GUI's stalls (idle first, settle after)
    };
    struct QueueFigures
    {
        double totalMs = 0;
        double longestStallMs = 0;
        double stallAtMs = 0; // when the longest stall ended, from the start
        int stallsOver16 = 0;
        int stallsOver50 = 0;
        double idleLongestMs = 0;
        double enqueueMs = 0; // enqueueing them all, in one go
        double guiCpuPerCheckMs = 0; // the GUI thread's CPU time over the run, per check
        double longestEventMs = 0; // one event on the GUI thread, wall time
        double longestEventCpuMs = 0; // ... the GUI thread's own CPU time
        QByteArray longestEventWhat; // its receiver's class and the event's type
        double latencyMedianMs = 0; // one check, from ValidationQueue::started to finished
        double latencyMaxMs = 0;
        int peakRunning = 0; // checks between started and finished at once, overall
        int peakPerHost = 0; // ... on one host (the connector URL's)
    };
    bool runQueue(const QueueCase &c, QueueFigures *figures);
    void queuedCases(bool manyOnly);
    double appCheckMs(QString type, QNetworkAccessManager *sharedNam, ValidationResult *result);
    double curlCheckMs(QString type, double *transferMs, bool *ok);

    bool m_quick = false;
    QProcess m_server;
    QUrl m_base;
    QString m_jamaBinary, m_jiraBinary;
    // One Basic check's median over http at RTT 100 (checksAtTheirFloor), for Validate All.
    double m_basicAt100 = 0;
};

static const QString kUser = QStringLiteral("named");
static const QString kPassword = QStringLiteral("password");
static const QString kClientId = QStringLiteral("named-client");
static const QString kClientSecret = QStringLiteral("named-secret");

// Runs the event loop until `done` holds or `timeoutMs` passed. Not QTest::qWait/qWaitFor:
// those sleep 10 ms between event-processing rounds, which would be counted as GUI stalls
// and would delay every network answer.
static bool spinUntil(const std::function<bool()> &done, int timeoutMs)
{
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(1);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!done()) {
        poll.start();
        loop.exec();
    }
    return done();
}

static double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

void BenchValidation::initTestCase()
{
    m_quick = qEnvironmentVariableIntValue("BENCH_QUICK") != 0;
    QStandardPaths::setTestModeEnabled(true);

    QString binary = qEnvironmentVariable("FAKE_JAMA");
    if (binary.isEmpty()) // run directly from the build tree
        binary = QCoreApplication::applicationDirPath() + QStringLiteral("/../fakejama/fake-jama");
    QVERIFY2(QFileInfo(binary).isExecutable(), qPrintable(binary + QStringLiteral(" not found")));
    m_jamaBinary = binary;
    m_jiraBinary = qEnvironmentVariable("FAKE_JIRA");
    if (m_jiraBinary.isEmpty())
        m_jiraBinary
            = QCoreApplication::applicationDirPath() + QStringLiteral("/../fakejira/fake-jira");
    QVERIFY2(QFileInfo(m_jiraBinary).isExecutable(),
        qPrintable(m_jiraBinary + QStringLiteral(" not found")));
    QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty(),
        "curl is not installed (apt-get install curl)");

    m_server.setProgram(binary);
    m_server.setArguments({ QStringLiteral("--port"), QStringLiteral("0") });
    m_server.setStandardErrorFile(QProcess::nullDevice()); // it names the built-in password
    m_server.start();
    QVERIFY(m_server.waitForStarted());

    QTRY_VERIFY_WITH_TIMEOUT(m_server.canReadLine(), 30000);
    m_base = QUrl(QString::fromUtf8(m_server.readLine()).trimmed());
    QCOMPARE(m_base.scheme(), QStringLiteral("http"));
}

void BenchValidation::cleanupTestCase()
{
    if (m_server.state() != QProcess::NotRunning) {
        m_server.kill();
        m_server.waitForFinished();
    }
}

// From creating the manager (unless shared) to the job's `finished`.
double BenchValidation::appCheckMs(
    QString type, QNetworkAccessManager *sharedNam, ValidationResult *result)
{
    ValidationRequest request;
    request.baseUrl = m_base;
    request.authType = type;
    request.identity = type == QStringLiteral("basic") ? kUser : kClientId;
    request.secret = type == QStringLiteral("basic") ? kPassword : kClientSecret;
    // Back-to-back checks of one instance: the pacer's wait is not what is measured here.
    RequestPacer::instance().reset();
    return checkMs(request, result, sharedNam);
}

static QByteArray runCurl(const QStringList &arguments, const QByteArray &config, bool *ok)
{
    QProcess curl;
    curl.start(QStringLiteral("curl"), arguments);
    curl.write(config);
    curl.closeWriteChannel();
    if (!curl.waitForFinished(30000) || curl.exitStatus() != QProcess::NormalExit
        || curl.exitCode() != 0)
        *ok = false;
    return curl.readAllStandardOutput();
}

static QByteArray configLine(const char *key, const QString &value)
{
    return QByteArray(key) + " = \"" + value.toUtf8() + "\"\n";
}

// The same requests as the app, one curl process per request, whole processes timed.
// `transferMs`: the sum of curl's own %{time_total} (its requests alone, without starting
// the process), for reference.
double BenchValidation::curlCheckMs(QString type, double *transferMs, bool *ok)
{
    const QString userUrl = m_base.toString() + QStringLiteral("/rest/v1/users/current");
    const QStringList statusArgs = { QStringLiteral("-s"), QStringLiteral("-o"),
        QStringLiteral("/dev/null"), QStringLiteral("-w"),
        QStringLiteral("%{http_code} %{time_total}"), QStringLiteral("-K"), QStringLiteral("-") };
    *ok = true;
    *transferMs = 0;
    // "<status> <seconds>" (-w), after the body when there is one.
    const auto statusAndTime = [&](const QByteArray &out, QByteArray *body) {
        const int space = out.lastIndexOf(' ');
        const int newline = out.lastIndexOf('\n', space);
        *transferMs += out.mid(space + 1).toDouble() * 1000;
        if (body)
            *body = out.left(newline);
        return out.mid(newline + 1, space - newline - 1);
    };
    QElapsedTimer t;
    t.start();
    if (type == QStringLiteral("basic")) {
        const QByteArray out = runCurl(statusArgs,
            configLine("url", userUrl) + configLine("user", kUser + QLatin1Char(':') + kPassword),
            ok);
        *ok = *ok && statusAndTime(out, nullptr) == "200";
    } else {
        const QByteArray out = runCurl({ QStringLiteral("-s"), QStringLiteral("-w"),
                                           QStringLiteral("\n%{http_code} %{time_total}"),
                                           QStringLiteral("-K"), QStringLiteral("-") },
            configLine("url", m_base.toString() + QStringLiteral("/rest/oauth/token"))
                + configLine("user", kClientId + QLatin1Char(':') + kClientSecret)
                + configLine("data", QStringLiteral("grant_type=client_credentials")),
            ok);
        QByteArray token;
        *ok = *ok && statusAndTime(out, &token) == "200";
        const QString bearer = QJsonDocument::fromJson(token)
                                   .object()
                                   .value(QStringLiteral("access_token"))
                                   .toString();
        *ok = *ok && !bearer.isEmpty();
        const QByteArray status = runCurl(statusArgs,
            configLine("url", userUrl)
                + configLine("header", QStringLiteral("Authorization: Bearer ") + bearer),
            ok);
        *ok = *ok && statusAndTime(status, nullptr) == "200";
    }
    return t.nsecsElapsed() / 1e6;
}

void BenchValidation::singleCheckVsCurl()
{
    const int runs = m_quick ? 1 : 21;
    QNetworkAccessManager sharedNam;
    for (const QString &type : { QStringLiteral("basic"), QStringLiteral("oauth") }) {
        // One untimed warm-up of each (first use of the network stack, curl's pages in cache).
        ValidationResult result;
        bool ok = false;
        double transfer = 0;
        appCheckMs(type, nullptr, &result);
        curlCheckMs(type, &transfer, &ok);
        QVERIFY(ok);

        QList<double> app, appShared, curl, curlTransfer;
        for (int i = 0; i < runs; ++i) { // interleaved, so that both see the same machine
            result = {};
            app << appCheckMs(type, nullptr, &result);
            QCOMPARE(result.status, ValidationStatus::Verified);
            result = {};
            appShared << appCheckMs(type, &sharedNam, &result);
            QCOMPARE(result.status, ValidationStatus::Verified);
            curl << curlCheckMs(type, &transfer, &ok);
            QVERIFY(ok);
            curlTransfer << transfer;
        }
        const char *name = type == QStringLiteral("basic") ? "Basic" : "oAuth";
        const char *requests = type == QStringLiteral("basic") ? "GET users/current"
                                                               : "POST token + GET users/current";
        qInfo(
            "bench_validation: one %s check (%s) against fake-jama (own process, http): "
            "ValidationJob with a fresh QNetworkAccessManager %.2f ms, with a shared one %.2f ms; "
            "curl, one process per request, %.2f ms (medians of %d); ratio %.2f (shared %.2f) "
            "(target <= 1.5); for reference, curl's own time_total (requests only, no process "
            "start) %.2f ms, ratio to it %.2f",
            name, requests, median(app), median(appShared), median(curl), runs,
            median(app) / median(curl), median(appShared) / median(curl), median(curlTransfer),
            median(app) / median(curlTransfer));
    }
}

// Runs `checks` validations at once through a ValidationQueue in a repository of
// `repositorySize` connectors, the page shown, and measures the GUI thread's longest stall.
bool BenchValidation::runQueue(const QueueCase &qc, QueueFigures *figures)
{
    const int repositorySize = qc.repositorySize;
    const int checks = qc.checks;
    const bool withPage = qc.withPage;
    QTemporaryDir dir;
    if (!dir.isValid())
        return false;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Connector> connectors;
    connectors.reserve(repositorySize);
    for (int i = 0; i < repositorySize; ++i) {
        Connector c;
        c.id = QUuid::createUuid();
        c.name = QStringLiteral("Fake Jama %1").arg(i);
        c.url = qc.url && i < checks ? qc.url(i) : m_base.toString();
        c.authType = i % 2 && !qc.allBasic ? QStringLiteral("oauth") : QStringLiteral("basic");
        c.identity = c.authType == QStringLiteral("basic") ? kUser : kClientId;
        c.createdAt = c.updatedAt = now;
        connectors << c;
    }
    // Built as the command line builds it: the queue does not follow the system's network state.
    MemorySecretStore secrets;
    AppContext app(dir.path(), AppContext::Mode::CommandLine, &secrets);
    app.queue()->yieldToTheWindow(); // as the window's queue does
    app.store()->setBackgroundCheckpoints(true); // as the window's store does
    QString error;
    QList<Connector> none;
    if (!app.store()->load(&none, &error) || !app.store()->write(connectors, {}, &error))
        return false;
    ConnectorRepository &repository = *app.repository();
    if (!repository.load(&error))
        return false;

    // Secrets for the connectors that will be checked.
    int written = 0;
    bool writesOk = true;
    for (int i = 0; i < checks; ++i) {
        const Connector &c = connectors.at(i);
        secrets.write(secretKey(c),
            c.authType == QStringLiteral("basic") ? kPassword : kClientSecret, this,
            [&](const SecretResult &r) {
                writesOk = writesOk && r.ok();
                ++written;
            });
    }
    if (!spinUntil([&] { return written == checks; }, 10000) || !writesOk)
        return false;

    ValidationQueue &queue = *app.queue();
    if (qc.maxConcurrent > 0)
        queue.setMaxConcurrent(qc.maxConcurrent);
    std::unique_ptr<ui::ConnectorsPage> page;
    if (withPage) {
        page = std::make_unique<ui::ConnectorsPage>(&repository);
        page->setValidation(&queue, app.network());
        page->resize(1100, 700);
        page->show();
        if (!QTest::qWaitForWindowExposed(page.get()))
            return false;
        page->prepareDetails(); // as the window's deferred start-up does after the list's frame
        // A selected row: the details pane is rebuilt on every change, as for a user.
        if (auto *view = page->findChild<QTableView *>(QStringLiteral("connectorsTableView"))) {
            view->selectRow(0);
            if (qEnvironmentVariableIntValue("BENCH_TRACE_PAINTS"))
                view->viewport()->installEventFilter(new PaintCounter(view->viewport()));
        }
    }
    QCoreApplication::processEvents();

    // The heartbeat: the longest gap between ticks is the longest the GUI could not react.
    QElapsedTimer clock;
    QElapsedTimer sinceTick;
    double longest = 0;
    double longestAt = 0;
    int over16 = 0, over50 = 0;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(2);
    connect(&heartbeat, &QTimer::timeout, this, [&] {
        const double gap = sinceTick.nsecsElapsed() / 1e6;
        sinceTick.start();
        if (gap > longest) {
            longest = gap;
            longestAt = clock.nsecsElapsed() / 1e6;
        }
        over16 += gap > 16;
        over50 += gap > 50;
    });

    // Idle first: the heartbeat's own jitter on this machine.
    if (qc.heartbeat) {
        heartbeat.start();
        sinceTick.start();
        spinUntil([] { return false; }, m_quick ? 50 : 300);
    }
    figures->idleLongestMs = longest;
    longest = 0;
    over16 = over50 = 0;

    int finished = 0;
    int verified = 0;
    QHash<QUuid, double> startedAt;
    QList<double> latencies;
    // In flight: overall and per host of the connector's URL (ids of other runs ignored).
    QHash<QUuid, QString> hostOf;
    for (int i = 0; i < checks; ++i)
        hostOf.insert(connectors.at(i).id, QUrl(connectors.at(i).url).host());
    QHash<QString, int> runningOn;
    int running = 0;
    connect(&queue, &ValidationQueue::started, this, [&](const QUuid &id) {
        startedAt.insert(id, clock.nsecsElapsed() / 1e6);
        figures->peakRunning = qMax(figures->peakRunning, ++running);
        figures->peakPerHost = qMax(figures->peakPerHost, ++runningOn[hostOf.value(id)]);
    });
    connect(
        &queue, &ValidationQueue::finished, this, [&](const QUuid &id, const ValidationResult &r) {
            latencies << clock.nsecsElapsed() / 1e6 - startedAt.value(id);
            if (startedAt.contains(id)) {
                --running;
                --runningOn[hostOf.value(id)];
            }
            ++finished;
            verified += r.status == ValidationStatus::Verified;
        });
    bool idle = false;
    connect(&queue, &ValidationQueue::idle, this, [&] { idle = true; });

    if (qc.heartbeat && !heartbeat.isActive())
        heartbeat.start();
    clock.start();
    sinceTick.start();
    timedApp()->startRecording();
    const qint64 cpuAtStart = TimedApplication::threadCpuNs();
    QElapsedTimer enqueueing;
    enqueueing.start();
    for (int i = 0; i < checks; ++i) // what Validate All does in its one click
        queue.enqueue(connectors.at(i).id);
    figures->enqueueMs = enqueueing.nsecsElapsed() / 1e6;
    if (!spinUntil([&] { return idle && finished == checks; }, 300000))
        return false;
    figures->totalMs = clock.nsecsElapsed() / 1e6;
    figures->guiCpuPerCheckMs = (TimedApplication::threadCpuNs() - cpuAtStart) / 1e6 / checks;
    // Keep measuring a moment longer: anything the results set off later counts too.
    QElapsedTimer settle;
    settle.start();
    if (qc.heartbeat)
        spinUntil([&] { return settle.elapsed() > 600; }, 1000);
    heartbeat.stop();
    const TimedApplication::Longest events = timedApp()->stopRecording();
    timedApp()->printEventsBetween(longestAt - longest, longestAt);
    figures->longestEventMs = events.wallMs;
    figures->longestEventCpuMs = events.cpuMs;
    figures->longestEventWhat = events.what
        + QByteArray(", events over 8 ms CPU: " + QByteArray::number(events.over8)
            + ", the first at " + QByteArray::number(events.firstOver8AtMs, 'f', 0) + " ms");
    figures->longestStallMs = longest;
    figures->stallAtMs = longestAt;
    figures->stallsOver16 = over16;
    figures->stallsOver50 = over50;
    figures->latencyMedianMs = median(latencies);
    figures->latencyMaxMs = *std::max_element(latencies.cbegin(), latencies.cend());

    if (verified != checks) {
        qWarning("only %d of %d checks verified", verified, checks);
        return false;
    }
    for (int i = 0; i < checks; ++i) {
        if (repository.connectors().at(i).validation.status != ValidationStatus::Verified)
            return false;
    }
    return true;
}

void BenchValidation::queuedChecksAndStalls()
{
    queuedCases(false);
}

void BenchValidation::manyQueuedChecks()
{
    queuedCases(true);
}

void BenchValidation::queuedCases(bool manyOnly)
{
    // The checks are spread over many hosts, two connectors each (127.0.0.1 ... 127.0.0.N, all
    // through one proxy at RTT 0 to the one fake-jama): the queue runs at its global cap, and
    // answers come back as fast as this machine gives them, the GUI's worst case. (On one host
    // the per-host cap and Jama's pace of 8 calls per 1.2 s would set a slow pace instead.)
    const int checks = m_quick ? 10 : 200;
    const int many = m_quick ? 20 : 500;
    struct Case
    {
        int repositorySize;
        int checks;
        bool withPage;
        int harnessNice; // of the fake server and the proxy thread
    };
    // The fake server and the proxy stand for the network and the servers, which are not on
    // the user's machine; here they share its two cores and, at the window's priority, take
    // turns with its GUI thread (the proxy alone had 31 ms of CPU in the 78 ms the GUI thread
    // waited for a core, in one run). So they run at nice kHarnessNice, no higher than the
    // app's checks thread (+10): the stall then measured is the app's GUI thread against the
    // app's own work.
    // The 500-check case is measured with them at the window's priority too, for reference.
    constexpr int kHarnessNice = 10;
    // The page hidden: the same work without the GUI's share, to tell the two apart.
    const QList<Case> cases = manyOnly
        ? QList<Case> { { many, many, true, kHarnessNice }, { many, many, true, 0 } }
        : m_quick
        ? QList<Case> { { checks, checks, true, kHarnessNice } }
        : QList<Case> { { checks, checks, true, kHarnessNice },
              { checks, checks, false, kHarnessNice }, { 10000, checks, true, kHarnessNice } };
    for (const Case &c : cases) {
        const int hosts = (c.checks + 1) / 2;
        FakeProcess fake; // a fake-jama of this case's own, to set its priority
        QVERIFY(startFake(m_jamaBinary, {}, &fake));
        ProxyThread proxy;
        proxy.setTarget(quint16(fake.base.port()));
        proxy.setRttMs(qEnvironmentVariableIntValue("BENCH_QUEUE_RTT"));
        QVERIFY2(proxy.listen(hosts), qPrintable(proxy.errorString()));
        if (c.harnessNice > 0) {
            QVERIFY(lowerThreadPriority(c.harnessNice, fake.process->processId()));
            QVERIFY(proxy.lowerPriority(c.harnessNice));
        }
        QList<QString> urls;
        for (int i = 0; i < hosts; ++i)
            urls << proxy.url(i).toString();
        QueueFigures f;
        QueueCase qc;
        qc.repositorySize = c.repositorySize;
        qc.checks = c.checks;
        qc.withPage = c.withPage;
        qc.url = [&](int i) { return urls.at(i % hosts); };
        qc.maxConcurrent = qEnvironmentVariableIntValue("BENCH_MAX_CONCURRENT");
        QVERIFY2(runQueue(qc, &f), "the queued validations did not all verify");
        qInfo("bench_validation: %d checks queued at once on %d hosts (the queue's default caps; "
              "at most %d ran at once, at most %d on one host; half Basic, half oAuth), %d "
              "connectors in the repository, page %s, fake server and proxy at nice %d: total %.0f "
              "ms, %.1f checks/s, one check "
              "(started -> finished) median %.1f ms, max %.1f ms; longest GUI stall %.1f ms (at "
              "%.0f ms; %d gaps > 16 ms, %d > 50 ms; idle heartbeat's longest gap %.1f ms) "
              "(target: no stall over 16 ms: %s; every result written to connectors.db on the "
              "GUI thread); the GUI thread's longest single event %.1f ms (its own CPU time "
              "%.1f ms: %s), enqueueing all %.1f ms; the GUI thread's CPU time %.2f ms per check",
            c.checks, hosts, f.peakRunning, f.peakPerHost, c.repositorySize,
            c.withPage ? "shown" : "not created", c.harnessNice, f.totalMs,
            c.checks / (f.totalMs / 1000.0), f.latencyMedianMs, f.latencyMaxMs, f.longestStallMs,
            f.stallAtMs, f.stallsOver16, f.stallsOver50, f.idleLongestMs,
            f.longestStallMs < 16 ? "met" : "NOT met", f.longestEventMs, f.longestEventCpuMs,
            f.longestEventWhat.constData(), f.enqueueMs, f.guiCpuPerCheckMs);
        fake.process->kill();
        fake.process->waitForFinished();
    }
}

bool BenchValidation::startFake(
    const QString &binary, const QStringList &arguments, FakeProcess *fake)
{
    fake->process = std::make_unique<QProcess>();
    QProcess &p = *fake->process;
    p.setProgram(binary);
    p.setArguments(QStringList { QStringLiteral("--port"), QStringLiteral("0") } + arguments);
    p.start();
    if (!p.waitForStarted())
        return false;
    QElapsedTimer t;
    t.start();
    while (!p.canReadLine() && t.elapsed() < 30000)
        p.waitForReadyRead(100);
    fake->base = QUrl(QString::fromUtf8(p.readLine()).trimmed());
    if (!fake->base.isValid() || fake->base.port() <= 0)
        return false;
    if (fake->base.scheme() != QLatin1String("https"))
        return true;
    // "<name>: certificate SHA-256 AB:CD:..." on stderr (the rest of it is not read).
    static const QByteArray marker = "certificate SHA-256 ";
    QByteArray err;
    while (t.elapsed() < 30000) {
        err += p.readAllStandardError();
        const int at = int(err.indexOf(marker));
        const int eol = at < 0 ? -1 : int(err.indexOf('\n', at));
        if (eol > 0) {
            fake->sha256 = QByteArray::fromHex(
                err.mid(at + marker.size(), eol - at - marker.size()).trimmed().replace(':', ""));
            return fake->sha256.size() == 32;
        }
        p.waitForReadyRead(100);
    }
    return false;
}

double BenchValidation::checkMs(
    const ValidationRequest &request, ValidationResult *result, QNetworkAccessManager *nam)
{
    QElapsedTimer t;
    t.start();
    std::unique_ptr<QNetworkAccessManager> fresh; // as the app's queue gives each check
    if (!nam)
        nam = (fresh = std::make_unique<QNetworkAccessManager>()).get();
    ValidationJob job(nam, request);
    QEventLoop loop;
    connect(&job, &ValidationJob::finished, &loop, [&](const ValidationResult &r) {
        *result = r;
        loop.quit();
    });
    job.start();
    loop.exec();
    return t.nsecsElapsed() / 1e6;
}

namespace {

enum class FakeKind { Jama, JiraCloud, JiraDataCenter };

struct CheckType
{
    const char *name;
    FakeKind fake;
    QString application, authType, identity, secret;
};

const QList<CheckType> &checkTypes()
{
    static const QList<CheckType> types {
        { "jama-basic", FakeKind::Jama, QStringLiteral("jama-connect"), QStringLiteral("basic"),
            kUser, kPassword },
        { "jama-oauth", FakeKind::Jama, QStringLiteral("jama-connect"), QStringLiteral("oauth"),
            kClientId, kClientSecret },
        { "jira-cloud-token", FakeKind::JiraCloud, QStringLiteral("jira-cloud"),
            QStringLiteral("api-token"), QStringLiteral("verified@example.com"),
            QStringLiteral("verified-token") },
        { "jira-dc-basic", FakeKind::JiraDataCenter, QStringLiteral("jira-data-center"),
            QStringLiteral("basic"), QStringLiteral("verified"), QStringLiteral("password") },
        { "jira-dc-pat", FakeKind::JiraDataCenter, QStringLiteral("jira-data-center"),
            QStringLiteral("pat"), QString(), QStringLiteral("verified-pat") },
    };
    return types;
}

const QString kJiraContext = QStringLiteral("/jira");

// The fake's base URL with the proxy's scheme, host and port.
QUrl through(const QUrl &proxyUrl, const QUrl &fakeBase)
{
    QUrl u = fakeBase;
    u.setHost(proxyUrl.host());
    u.setPort(proxyUrl.port());
    return u;
}

} // namespace

void BenchValidation::checksAtTheirFloor()
{
    // How many requests each check makes, from an in-process fake's record (plain http, no
    // proxy): the floor's count, not an assumption.
    QHash<QString, int> requestsOf;
    {
        fake::FakeJamaServer jama;
        fake::FakeJiraServer cloud;
        fake::FakeJiraServer dataCenter;
        dataCenter.setFlavour(fake::JiraFlavour::DataCenter);
        dataCenter.setContextPath(kJiraContext);
        QVERIFY(jama.listen() && cloud.listen() && dataCenter.listen());
        for (const CheckType &type : checkTypes()) {
            fake::FakeHttpServer *server = type.fake == FakeKind::Jama ? &jama
                : type.fake == FakeKind::JiraCloud ? static_cast<fake::FakeHttpServer *>(&cloud)
                                                   : &dataCenter;
            server->clearRequests();
            ValidationRequest request;
            request.baseUrl = server->baseUrl();
            request.application = type.application;
            request.authType = type.authType;
            request.identity = type.identity;
            request.secret = type.secret;
            ValidationResult result;
            checkMs(request, &result);
            QVERIFY2(result.status == ValidationStatus::Verified,
                qPrintable(QString::fromLatin1(type.name) + QStringLiteral(": ") + result.message));
            QStringList paths;
            for (const fake::RecordedRequest &r : server->requests())
                paths << QString::fromLatin1(r.method) + QLatin1Char(' ') + r.path;
            requestsOf.insert(QString::fromLatin1(type.name), int(server->requests().size()));
            qInfo("bench_validation: requests of one %s check (in-process fake's record): %d "
                  "(%s)",
                type.name, int(server->requests().size()),
                qPrintable(paths.join(QStringLiteral(", "))));
        }
    }

    // The fakes in their own processes, http and https.
    struct Fakes
    {
        FakeProcess jama, cloud, dataCenter;
        const FakeProcess &of(FakeKind k) const
        {
            return k == FakeKind::Jama ? jama : k == FakeKind::JiraCloud ? cloud : dataCenter;
        }
    };
    // BENCH_FLOOR_SCHEMES=https (or http): one scheme only, e.g. to profile its checks.
    QStringList schemes = m_quick ? QStringList { QStringLiteral("http") }
                                  : QStringList { QStringLiteral("http"), QStringLiteral("https") };
    if (const QString only = qEnvironmentVariable("BENCH_FLOOR_SCHEMES"); !only.isEmpty())
        schemes = only.split(QLatin1Char(','), Qt::SkipEmptyParts);
    const QList<int> rtts = m_quick ? QList<int> { 100 } : QList<int> { 50, 100 };
    const int runs = m_quick ? 1 : 7;
    constexpr int kHosts = 8; // 127.0.0.2 .. 127.0.0.9, one after the other (the pacer)
    ProxyThread proxy;
    QVERIFY2(proxy.listen(kHosts + 1), qPrintable(proxy.errorString()));
    // One check at a time: the proxy stays awake for the last 0.4 ms before each hop is due
    // instead of waking up 0.1-0.2 ms late on every one of them.
    proxy.setBusyWaitUs(400);
    int nextHost = 0;

    for (const QString &scheme : schemes) {
        const bool tls = scheme == QLatin1String("https");
        const QStringList tlsArg = tls ? QStringList { QStringLiteral("--tls") } : QStringList();
        Fakes fakes;
        QVERIFY(startFake(m_jamaBinary, tlsArg, &fakes.jama));
        QVERIFY(startFake(m_jiraBinary,
            tlsArg + QStringList { QStringLiteral("--flavour"), QStringLiteral("cloud") },
            &fakes.cloud));
        QVERIFY(startFake(m_jiraBinary,
            tlsArg
                + QStringList { QStringLiteral("--flavour"), QStringLiteral("data-center"),
                    QStringLiteral("--context-path"), kJiraContext },
            &fakes.dataCenter));
        for (const CheckType &type : checkTypes()) {
            const FakeProcess &fake = fakes.of(type.fake);
            proxy.setTarget(quint16(fake.base.port()));
            const auto request = [&] {
                ValidationRequest r;
                r.baseUrl = through(proxy.url(1 + nextHost++ % kHosts, scheme), fake.base);
                r.application = type.application;
                r.authType = type.authType;
                r.identity = type.identity;
                r.secret = type.secret;
                r.pinnedSha256 = fake.sha256;
                return r;
            };
            // One untimed warm-up (the first TLS handshake loads OpenSSL's tables).
            proxy.setRttMs(0);
            ValidationResult result;
            checkMs(request(), &result);
            QVERIFY2(result.status == ValidationStatus::Verified, qPrintable(result.message));
            for (int rtt : rtts) {
                proxy.setRttMs(rtt);
                QList<double> times;
                QList<double> connections;
                for (int i = 0; i < runs; ++i) {
                    const ValidationRequest r = request();
                    proxy.resetCounts();
                    result = {};
                    times << checkMs(r, &result);
                    QVERIFY2(result.status == ValidationStatus::Verified,
                        qPrintable(QString::fromLatin1(type.name) + QStringLiteral(": ")
                            + result.message));
                    connections << proxy.connectionCount();
                }
                const int requests = requestsOf.value(QString::fromLatin1(type.name));
                const double floor = rtt * (1 + (tls ? 1 : 0) + requests);
                const double t = median(times);
                if (type.fake == FakeKind::Jama && type.authType == QLatin1String("basic") && !tls
                    && rtt == 100)
                    m_basicAt100 = t;
                qInfo("bench_validation: floor %s %s rtt=%d: %.1f ms vs floor %.0f ms = %.2fx "
                      "(target <= 1.05: %s), connections %g (max %g; target 1); median of %d, "
                      "min %.1f ms; floor = RTT x (connect%s + %d requests)",
                    type.name, qPrintable(scheme), rtt, t, floor, t / floor,
                    t / floor <= 1.05 ? "met" : "NOT met", median(connections),
                    *std::max_element(connections.cbegin(), connections.cend()), runs,
                    *std::min_element(times.cbegin(), times.cend()), tls ? " + TLS 1.3" : "",
                    requests);
            }
        }
        for (FakeProcess *f : { &fakes.jama, &fakes.cloud, &fakes.dataCenter }) {
            f->process->kill();
            f->process->waitForFinished();
        }
    }
}

void BenchValidation::validateAllAcrossHosts()
{
    QVERIFY2(m_basicAt100 > 0, "checksAtTheirFloor did not measure one Basic check");
    constexpr int kRtt = 100;
    constexpr int kMaxHosts = 64;
    ProxyThread proxy;
    proxy.setTarget(quint16(m_base.port()));
    proxy.setRttMs(kRtt);
    QVERIFY2(proxy.listen(kMaxHosts), qPrintable(proxy.errorString()));
    QList<QString> urls;
    for (int i = 0; i < kMaxHosts; ++i)
        urls << proxy.url(i).toString();
    // Earlier checks' calls leave the pacer's window first.
    spinUntil([] { return false; }, int(RequestPacer::WindowMs) + 100);

    const QList<int> ns = m_quick ? QList<int> { 1, 8 } : QList<int> { 1, 8, 64 };
    for (int n : ns) {
        QueueCase qc;
        qc.repositorySize = qc.checks = n;
        qc.allBasic = true;
        qc.heartbeat = false;
        qc.url = [&](int i) { return urls.at(i % n); };
        proxy.resetCounts();
        QueueFigures f;
        QVERIFY2(runQueue(qc, &f), "Validate All did not verify every connector");
        qInfo("bench_validation: validate all, %d connectors on %d hosts (Basic, rtt=%d, the "
              "queue's default caps): %.0f ms = %.2fx one check (%.1f ms) (target <= 2: %s); "
              "at most %d running at once, at most %d on one host; connections per check %.2f "
              "(target 1)",
            n, n, kRtt, f.totalMs, f.totalMs / m_basicAt100, m_basicAt100,
            f.totalMs / m_basicAt100 <= 2 ? "met" : "NOT met", f.peakRunning, f.peakPerHost,
            double(proxy.connectionCount()) / n);
    }
    {
        constexpr int n = 8;
        QueueCase qc;
        qc.repositorySize = qc.checks = n;
        qc.allBasic = true;
        qc.heartbeat = false;
        qc.url = [&](int) { return urls.at(0); };
        proxy.resetCounts();
        QueueFigures f;
        QVERIFY2(runQueue(qc, &f), "Validate All did not verify every connector");
        qInfo("bench_validation: validate all, %d connectors on one host (Basic, rtt=%d, the "
              "queue's default caps): %.0f ms = %.2fx one check; at most %d running on that "
              "host at once (target <= 2: %s); connections per check %.2f",
            n, kRtt, f.totalMs, f.totalMs / m_basicAt100, f.peakPerHost,
            f.peakPerHost <= 2 ? "met" : "NOT met", double(proxy.connectionCount()) / n);
    }
    // The next figures check 127.0.0.1 straight: let its pacer window empty.
    spinUntil([] { return false; }, int(RequestPacer::WindowMs) + 100);
}

void BenchValidation::validateAllCommandLine()
{
    // The command line's `validate --all` against `validate NAME`, whole processes (start,
    // keychain reads, checks): N connectors on N hosts through the proxy at RTT 100. It
    // stores N secrets, so it runs only in a throwaway keychain: scripts/bench and
    // scripts/test set CONNECTOR_DESK_BENCH_KEYCHAIN=1 inside their own D-Bus session.
    if (qEnvironmentVariableIntValue("CONNECTOR_DESK_BENCH_KEYCHAIN") != 1)
        QSKIP("needs a throwaway Secret Service: run it through scripts/bench");
    const QString app = qEnvironmentVariable("CONNECTOR_DESK_BINARY");
    QVERIFY2(QFileInfo(app).isExecutable(), "CONNECTOR_DESK_BINARY: the connector-desk binary");
    const int n = m_quick ? 4 : 64;
    const int runs = m_quick ? 1 : 5;
    constexpr int kRtt = 100;
    ProxyThread proxy;
    proxy.setTarget(quint16(m_base.port()));
    proxy.setRttMs(kRtt);
    QVERIFY2(proxy.listen(n), qPrintable(proxy.errorString()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto run = [&](const QStringList &arguments, const QByteArray &input = {}) {
        QProcess p;
        p.start(app, QStringList { QStringLiteral("--data-dir"), dir.path() } + arguments);
        p.write(input);
        p.closeWriteChannel();
        QElapsedTimer t;
        t.start();
        const bool ok = p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit
            && p.exitCode() == 0;
        const double ms = t.nsecsElapsed() / 1e6;
        if (!ok)
            qWarning("%s exited with %d: %s", qPrintable(arguments.join(QLatin1Char(' '))),
                p.exitCode(), p.readAllStandardError().constData());
        return ok ? ms : -1.0;
    };
    for (int i = 0; i < n; ++i)
        QVERIFY(run({ QStringLiteral("add"), QStringLiteral("--name"),
                        QStringLiteral("Host %1").arg(i), QStringLiteral("--url"),
                        proxy.url(i).toString(), QStringLiteral("--auth"), QStringLiteral("basic"),
                        QStringLiteral("--username"), kUser, QStringLiteral("--secret-stdin") },
                    kPassword.toUtf8())
            >= 0);
    QList<double> one, all;
    for (int i = 0; i < runs; ++i) {
        const double ms = run({ QStringLiteral("validate"), QStringLiteral("Host %1").arg(i % n) });
        QVERIFY(ms >= 0);
        one << ms;
    }
    for (int i = 0; i < runs; ++i) {
        proxy.resetCounts();
        const double ms = run({ QStringLiteral("validate"), QStringLiteral("--all") });
        QVERIFY(ms >= 0);
        all << ms;
        QCOMPARE(proxy.connectionCount(), n); // one connection per check
    }
    qInfo("bench_validation: command line, validate --all of %d connectors on %d hosts (Basic, "
          "rtt=%d): %.0f ms vs validate NAME %.0f ms (whole processes, medians of %d) = %.2fx "
          "(target <= 2: %s)",
        n, n, kRtt, median(all), median(one), runs, median(all) / median(one),
        median(all) / median(one) <= 2 ? "met" : "NOT met");
    for (int i = 0; i < n; ++i) // the keychain entries go with the connectors
        QVERIFY(run({ QStringLiteral("remove"), QStringLiteral("Host %1").arg(i) }) >= 0);
}

int main(int argc, char **argv)
{
    TimedApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    BenchValidation bench;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&bench, argc, argv);
}
#include "bench_validation.moc"
