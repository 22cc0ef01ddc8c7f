// Load + save of 10,000 connectors through ConnectorStore, against the same JSON bytes
// parsed and written with bare QJsonDocument + QFile, measured in the same run.
// Target: ratio <= 10. Prints the figures; asserts only correctness, never time.
#include "ConnectorStore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace cd;

class BenchStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void loadAndSave();

private:
    QTemporaryDir m_dir;
    QList<Connector> m_connectors;
    QByteArray m_bytes;
};

static constexpr int kCount = 10000;

void BenchStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_connectors.reserve(kCount);
    for (int i = 0; i < kCount; ++i) {
        Connector c;
        c.id = QUuid::createUuid();
        c.name = QStringLiteral("Connector %1").arg(i);
        c.url = QStringLiteral("https://tenant%1.jamacloud.com/contour").arg(i);
        c.authType = i % 2 ? AuthType::OAuth : AuthType::Basic;
        c.identity = QStringLiteral("service-account-%1").arg(i);
        c.validation.status = ValidationStatus::Verified;
        c.validation.message = QStringLiteral("Verified: Named Creator license. Admin privileges "
                                              "cannot be confirmed through the API.");
        c.validation.checkedAt = QDateTime::currentDateTimeUtc();
        c.validation.account = { QStringLiteral("Service Account %1").arg(i),
            QStringLiteral("service-account-%1").arg(i), QStringLiteral("NAMED") };
        c.createdAt = c.updatedAt = QDateTime::currentDateTimeUtc();
        m_connectors.append(c);
    }
    m_bytes = ConnectorStore::serialize(m_connectors, {}, 0);
}

template<typename F> static double medianMs(F &&f, int runs = 7)
{
    QList<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        times << t.nsecsElapsed() / 1e6;
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

void BenchStore::loadAndSave()
{
    const int runs = qEnvironmentVariableIntValue("BENCH_QUICK") != 0 ? 1 : 7;
    ConnectorStore store(m_dir.path());
    QString error;
    QVERIFY(store.save(m_connectors, &error));

    QList<Connector> loaded;
    const double ours = medianMs(
        [&] {
            QString e;
            const bool ok = store.load(&loaded, &e) && store.save(loaded, &e);
            if (!ok)
                qFatal("store failed: %s", qPrintable(e));
        },
        runs);
    QCOMPARE(loaded.size(), kCount);
    QCOMPARE(loaded.first(), m_connectors.first());

    const QString barePath = m_dir.filePath(QStringLiteral("bare.json"));
    const double bare = medianMs(
        [&] {
            const QJsonDocument doc = QJsonDocument::fromJson(m_bytes);
            QFile f(barePath);
            if (!f.open(QIODevice::WriteOnly) || f.write(doc.toJson()) < 0)
                qFatal("bare write failed");
        },
        runs);

    qInfo("bench_store: %d connectors (%.1f MiB): ConnectorStore load+save %.1f ms (median of %d), "
          "bare QJsonDocument parse+write %.1f ms; ratio %.2f (target <= 10)",
        kCount, m_bytes.size() / 1048576.0, ours, runs, bare, ours / bare);
}

QTEST_GUILESS_MAIN(BenchStore)
#include "bench_store.moc"
