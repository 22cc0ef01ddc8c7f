// connectors.db with 10,000 connectors, against baselines measured in the same run:
// - load: ConnectorStore::load (open, integrity check, every row into a Connector) vs a bare
//   SELECT of the same rows through QSqlQuery, every column read (target ratio <= 1.5);
// - recording one validation result (one UPDATE, committed): synchronous=NORMAL (what the
//   store uses for results) and FULL (what it uses for definitions), against rewriting the
//   whole list as connectors.json did (target <= 1 ms).
// Prints the figures; asserts only correctness, never time.
#include "ConnectorJson.h"
#include "ConnectorStore.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace cd;

class BenchStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void load();
    void recordOneResult();

private:
    QTemporaryDir m_dir;
    QList<Connector> m_connectors;
    QByteArray m_bytes;
};

static constexpr int kCount = 10000;

void BenchStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_connectors = test::generatedConnectors(kCount);
    for (int i = 0; i < kCount; ++i) {
        ValidationState &v = m_connectors[i].validation;
        v.message = QStringLiteral("Verified: Named Creator license. Admin privileges cannot be "
                                   "confirmed through the API.");
        v.account = { QStringLiteral("Service Account %1").arg(i),
            QStringLiteral("service-account-%1").arg(i), QStringLiteral("NAMED") };
    }
    m_bytes = ConnectorJson::serialize(m_connectors, {}, 0);
    ConnectorStore store(m_dir.path());
    QList<Connector> none;
    QString error;
    QVERIFY(store.load(&none, &error));
    QVERIFY2(store.write(m_connectors, {}, &error), qPrintable(error));
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

void BenchStore::load()
{
    const int runs = qEnvironmentVariableIntValue("BENCH_QUICK") != 0 ? 1 : 11;
    QList<Connector> loaded;
    double ours = 0, bare = 0;
    QList<double> oursRuns, bareRuns;
    // Alternating, so that both see the same page cache.
    for (int run = 0; run < runs; ++run) {
        oursRuns << medianMs(
            [&] {
                ConnectorStore store(m_dir.path());
                QString e;
                if (!store.load(&loaded, &e))
                    qFatal("load failed: %s", qPrintable(e));
            },
            1);
        qint64 rows = 0;
        bareRuns << medianMs(
            [&] {
                const QString name = QStringLiteral("bare");
                {
                    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
                    db.setDatabaseName(m_dir.filePath(QStringLiteral("connectors.db")));
                    db.open();
                    QSqlQuery q(db);
                    q.setForwardOnly(true);
                    q.exec(QStringLiteral("SELECT * FROM connectors ORDER BY seq"));
                    const int columns = q.record().count();
                    while (q.next()) {
                        for (int c = 0; c < columns; ++c)
                            q.value(c);
                        ++rows;
                    }
                }
                QSqlDatabase::removeDatabase(name);
            },
            1);
        QCOMPARE(rows, qint64(kCount));
    }
    std::sort(oursRuns.begin(), oursRuns.end());
    std::sort(bareRuns.begin(), bareRuns.end());
    ours = oursRuns.at(runs / 2);
    bare = bareRuns.at(runs / 2);
    QCOMPARE(loaded.size(), kCount);
    QCOMPARE(loaded.first(), m_connectors.first());
    QCOMPARE(loaded.last(), m_connectors.last());
    qInfo("bench_store: load of %d connectors: ConnectorStore::load %.1f ms, bare QSqlQuery "
          "SELECT %.1f ms (medians of %d, alternating); ratio %.2f (target <= 1.5)",
        kCount, ours, bare, runs, ours / bare);
}

void BenchStore::recordOneResult()
{
    const int runs = qEnvironmentVariableIntValue("BENCH_QUICK") != 0 ? 5 : 201;
    ConnectorStore store(m_dir.path());
    QList<Connector> loaded;
    QString error;
    QVERIFY(store.load(&loaded, &error));
    int n = 0;
    auto record = [&] {
        ValidationState v;
        v.status = n % 2 ? ValidationStatus::Verified : ValidationStatus::Warning;
        v.message = QStringLiteral("result %1").arg(n);
        v.checkedAt = QDateTime::currentDateTimeUtc();
        const QUuid id = loaded.at((n * 7919) % kCount).id;
        ++n;
        QString e;
        if (!store.setValidation(id, v, &e))
            qFatal("record failed: %s", qPrintable(e));
    };
    const double normal = medianMs(record, runs);

    // The same UPDATE with synchronous=FULL (an fsync of the log per commit), through a
    // second connection set up that way.
    const QString name = QStringLiteral("full");
    double full = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(store.filePath());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA synchronous = FULL")));
        full = medianMs(
            [&] {
                QSqlQuery u(db);
                u.exec(QStringLiteral("BEGIN IMMEDIATE"));
                u.prepare(QStringLiteral("UPDATE connectors SET message = ? WHERE id = ?"));
                u.addBindValue(QStringLiteral("full %1").arg(n));
                u.addBindValue(loaded.at((n++ * 7919) % kCount).id.toString(QUuid::WithoutBraces));
                if (!u.exec() || !QSqlQuery(db).exec(QStringLiteral("COMMIT")))
                    qFatal("full update failed");
            },
            runs);
    }
    QSqlDatabase::removeDatabase(name);

    // What one result cost before: the whole list written again as JSON, atomically.
    const QString jsonPath = m_dir.filePath(QStringLiteral("whole-list.json"));
    const double whole = medianMs(
        [&] {
            QSaveFile f(jsonPath);
            if (!f.open(QIODevice::WriteOnly)
                || f.write(ConnectorJson::serialize(loaded, {}, 0)) < 0 || !f.commit())
                qFatal("whole-file write failed");
        },
        qMin(runs, 7));

    ConnectorStore again(m_dir.path());
    QList<Connector> check;
    QVERIFY(again.load(&check, &error));
    QCOMPARE(check.size(), kCount);
    qInfo("bench_store: record one validation result with %d connectors: %.3f ms "
          "(synchronous=NORMAL, median of %d; target <= 1 ms); synchronous=FULL %.3f ms; "
          "rewriting the whole list as connectors.json did %.1f ms (%.0fx)",
        kCount, normal, runs, full, whole, whole / normal);
}

QTEST_GUILESS_MAIN(BenchStore)
#include "bench_store.moc"
