// The repository's transactions over connectors.db and an in-memory secret store,
// including a keychain that fails and one that never answers, a database another process
// holds busy, and a process that died between the keychain and the database.
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "FaultySecretStore.h"
#include "MemorySecretStore.h"
#include "TestSupport.h"
#include "ValidationQueue.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace cd;

namespace {
// Collects the result of one asynchronous repository call.
struct Outcome
{
    bool done = false;
    RepositoryResult result;
    RepositoryCallback callback()
    {
        return [this](const RepositoryResult &r) {
            done = true;
            result = r;
        };
    }
};

// Another process's write transaction on the database, held until release() or destruction.
class BusyDatabase
{
public:
    explicit BusyDatabase(const QString &path)
        : m_db(path)
        , m_held(m_db.exec(QStringLiteral("BEGIN IMMEDIATE")))
    { }
    ~BusyDatabase() { release(); }
    void release()
    {
        if (m_held)
            m_db.exec(QStringLiteral("ROLLBACK"));
        m_held = false;
        m_db.close();
    }
    bool held() const { return m_held; }

private:
    test::SqliteConnection m_db;
    bool m_held = false;
};

Connector make(const QString &name, const QString &type = QStringLiteral("basic"))
{
    return test::makeConnector(name, QStringLiteral("https://%1.jamacloud.com").arg(name.toLower()),
        type, QStringLiteral("svc-") + name);
}
} // namespace

class TestRepository : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void addWritesSecretAndRecord();
    void addFailsWhenKeychainFails();
    void addFailsWhenKeychainHangs();
    void addRemovesSecretWhenRecordFails();
    void updateKeepsOrReplacesSecret();
    void updateRestoresSecretWhenRecordFails();
    void switchAuthTypeDropsOldSecret();
    void switchAuthTypeNeedsSecret();
    void switchApplicationMovesSecret();
    void newerApplicationIsLeftAlone();
    void removeAndRestore();
    void removeKeepsEverythingWhenSecretCannotBeRemoved();
    void loadTouchesNoKeychain();
    void blockedStoreRefusesEverything();
    void operationsRunInOrder();
    void importIsAllOrNothing();
    void recordedResultsAreWrittenAtOnce();
    void lateKeychainAnswersAreUndone();
    void resultDuringRemoveDoesNotBringItBack();
    void otherProcessesChangesAreApplied();
    void editOfConnectorRemovedElsewhereIsRefused();
    void interruptedAddIsUndoneAtNextOpen();
    void interruptedRemoveIsFinishedAtNextOpen();
    void editFromAStaleCopyIsRefused();
    void busyDatabaseIsRetriedWithoutWaiting();
    void rotateSecretChecksEveryConnectorFirst();
    void rotateSecretIsUndoneWhenTheSaveFails();
    void rotateSecretLateWriteIsUndone();
    // The status history.
    void statusRun_data();
    void statusRun();
    void historyAndFailingSince();
    void undoBringsTheHistoryBack();

private:
    QList<Connector> onDisk() const;
    QTemporaryDir *m_dir = nullptr;
    ConnectorStore *m_store = nullptr;
    MemorySecretStore *m_secrets = nullptr;
    ConnectorRepository *m_repo = nullptr;
};

void TestRepository::init()
{
    m_dir = new QTemporaryDir;
    m_store = new ConnectorStore(m_dir->path());
    m_secrets = new MemorySecretStore;
    m_repo = new ConnectorRepository(m_store, m_secrets);
    QString error;
    QVERIFY(m_repo->load(&error));
}

void TestRepository::cleanup()
{
    delete m_repo;
    delete m_secrets;
    delete m_store;
    delete m_dir;
}

QList<Connector> TestRepository::onDisk() const
{
    ConnectorStore again(m_dir->path());
    QList<Connector> list;
    QString error;
    again.load(&list, &error);
    return list;
}

void TestRepository::addWritesSecretAndRecord()
{
    QSignalSpy added(m_repo, &ConnectorRepository::connectorAdded);
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("s3cret"), o.callback());
    QVERIFY(!o.done); // asynchronous, never inside the call
    QTRY_VERIFY(o.done);
    QVERIFY2(o.result.ok, qPrintable(o.result.error));
    QCOMPARE(added.count(), 1);
    const QUuid id = o.result.id;
    QVERIFY(!id.isNull());
    QCOMPARE(m_secrets->contents().value(
                 secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("s3cret"));
    const QList<Connector> disk = onDisk();
    QCOMPARE(disk.size(), 1);
    QCOMPARE(disk.first().id, id);
    QVERIFY(disk.first().createdAt.isValid());
    QFile f(m_store->filePath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(!f.readAll().contains("s3cret"));
}

void TestRepository::addFailsWhenKeychainFails()
{
    m_secrets->setMode(MemorySecretStore::Mode::Failing);
    const RepositoryResult o = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->add(make("Alpha"), QStringLiteral("s3cret"), done);
    });
    QVERIFY(!o.ok);
    QVERIFY2(o.error.contains(QLatin1String("not saved")), qPrintable(o.error));
    QVERIFY(o.error.contains(QLatin1String("keychain")));
    QVERIFY(m_repo->connectors().isEmpty());
    QVERIFY(onDisk().isEmpty());
}

void TestRepository::addFailsWhenKeychainHangs()
{
    m_secrets->setMode(MemorySecretStore::Mode::Hanging);
    m_secrets->setTimeout(200);
    const RepositoryResult o = test::waitFor(
        [&](const RepositoryCallback &done) {
            m_repo->add(make("Alpha"), QStringLiteral("s3cret"), done);
        },
        5000);
    QVERIFY(!o.ok);
    QVERIFY2(o.error.contains(QLatin1String("did not answer")), qPrintable(o.error));
    QVERIFY(m_repo->connectors().isEmpty());
    QVERIFY(onDisk().isEmpty());
    QVERIFY(m_secrets->contents().isEmpty());
    QVERIFY(!m_repo->isBusy()); // the queue moved on
}

void TestRepository::addRemovesSecretWhenRecordFails()
{
    // Another process holds the database longer than the busy timeout: the record cannot be
    // written.
    m_store->setBusyTimeout(100);
    BusyDatabase busy(m_store->filePath());
    QVERIFY(busy.held());
    const RepositoryResult o = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->add(make("Alpha"), QStringLiteral("s3cret"), done);
    });
    QVERIFY(!o.ok);
    QVERIFY2(o.error.contains(QLatin1String("busy")), qPrintable(o.error));
    QVERIFY2(o.error.contains(QLatin1String("try again")), qPrintable(o.error));
    QVERIFY(m_repo->connectors().isEmpty());
    QVERIFY(m_secrets->contents().isEmpty()); // nothing reached the keychain

    // The row fails after the secret was stored: another process took the name meanwhile.
    m_store->setBusyTimeout(ConnectorStore::kDefaultBusyTimeoutMs);
    busy.release();
    m_secrets->setDelay(150);
    Outcome clash;
    m_repo->add(make("Beta"), QStringLiteral("s3cret"), clash.callback());
    QTest::qWait(50); // the keychain is being written
    ConnectorStore otherStore(m_dir->path());
    QList<Connector> none;
    QString error;
    QVERIFY(otherStore.load(&none, &error));
    Connector theirs = make("BETA");
    theirs.id = QUuid::createUuid();
    QVERIFY(otherStore.insert(theirs, &error));
    QTRY_VERIFY_WITH_TIMEOUT(clash.done, 3000);
    QVERIFY(!clash.result.ok);
    QVERIFY2(clash.result.error.contains(QLatin1String("already exists")),
        qPrintable(clash.result.error));
    QTRY_VERIFY(!m_repo->isBusy());
    m_secrets->setDelay(0);
    QVERIFY(m_secrets->contents().isEmpty()); // the secret was taken back out
}

void TestRepository::updateKeepsOrReplacesSecret()
{
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("first"));
    const QString key = secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"));

    Connector c = *m_repo->find(id);
    c.validation.status = ValidationStatus::Verified;
    QString error;
    QVERIFY(m_repo->setValidation(id, c.validation, &error));
    c = *m_repo->find(id);
    c.name = QStringLiteral("Alpha renamed");
    const RepositoryResult keep = test::waitFor(
        [&](const RepositoryCallback &done) { m_repo->update(c, std::nullopt, done); });
    QVERIFY2(keep.ok, qPrintable(keep.error));
    QCOMPARE(m_secrets->contents().value(key), QStringLiteral("first"));
    QCOMPARE(onDisk().first().name, QStringLiteral("Alpha renamed"));
    // A rename does not change what was verified.
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::Verified);

    const RepositoryResult replace = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->update(*m_repo->find(id), QStringLiteral("second"), done);
    });
    QVERIFY(replace.ok);
    QCOMPARE(m_secrets->contents().value(key), QStringLiteral("second"));
    // New credentials are not verified yet.
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::NotVerified);
}

void TestRepository::updateRestoresSecretWhenRecordFails()
{
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("first"));
    m_store->setBusyTimeout(100);
    {
        BusyDatabase busy(m_store->filePath());
        QVERIFY(busy.held());
        const RepositoryResult u = test::waitFor([&](const RepositoryCallback &done) {
            m_repo->update(*m_repo->find(id), QStringLiteral("second"), done);
        });
        QVERIFY(!u.ok);
        QVERIFY(u.error.contains(QLatin1String("not saved")));
        QCOMPARE(m_secrets->contents().value(
                     secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
            QStringLiteral("first"));
    }
    // The same with a change of authentication type: the new secret goes, the old one stays.
    Connector c = *m_repo->find(id);
    c.authType = QStringLiteral("oauth");
    c.identity = QStringLiteral("client");
    {
        // The database becomes busy while the new secret is being written.
        m_secrets->setDelay(150);
        Outcome u;
        m_repo->update(c, QStringLiteral("client-secret"), u.callback());
        QTest::qWait(60);
        BusyDatabase busy(m_store->filePath());
        QVERIFY(busy.held());
        QTRY_VERIFY_WITH_TIMEOUT(u.done, 3000);
        QVERIFY(!u.result.ok);
        QTRY_VERIFY(!m_repo->isBusy());
        m_secrets->setDelay(0);
    }
    QCOMPARE(m_secrets->contents().size(), 1);
    QCOMPARE(m_secrets->contents().value(
                 secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("first"));
    QCOMPARE(onDisk().first().authType, QStringLiteral("basic"));
}

void TestRepository::switchAuthTypeDropsOldSecret()
{
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("password"));
    Connector c = *m_repo->find(id);
    c.authType = QStringLiteral("oauth");
    c.identity = QStringLiteral("client-id");
    const RepositoryResult u = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->update(c, QStringLiteral("client-secret"), done);
    });
    QVERIFY2(u.ok, qPrintable(u.error));
    const auto contents = m_secrets->contents();
    QCOMPARE(contents.size(), 1);
    QCOMPARE(contents.value(secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("oauth"))),
        QStringLiteral("client-secret"));
    QVERIFY(
        !contents.contains(secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))));
    QCOMPARE(onDisk().first().authType, QStringLiteral("oauth"));
}

void TestRepository::switchAuthTypeNeedsSecret()
{
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("password"));
    Connector c = *m_repo->find(id);
    c.authType = QStringLiteral("oauth");
    const RepositoryResult u = test::waitFor(
        [&](const RepositoryCallback &done) { m_repo->update(c, std::nullopt, done); });
    QVERIFY(!u.ok);
    QVERIFY(u.error.contains(QLatin1String("Client Secret")));
    QCOMPARE(m_repo->find(id)->authType, QStringLiteral("basic"));
    QCOMPARE(m_secrets->contents().size(), 1);
}

void TestRepository::removeAndRestore()
{
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("password"));
    const Connector before = *m_repo->find(id);
    QSignalSpy removed(m_repo, &ConnectorRepository::connectorRemoved);
    const RepositoryResult r
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->remove(id, done); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(removed.count(), 1);
    QVERIFY(m_repo->connectors().isEmpty());
    QVERIFY(onDisk().isEmpty());
    QVERIFY(m_secrets->contents().isEmpty());
    QVERIFY(r.removedHadSecret);

    const RepositoryResult undo
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->restore(r, done); });
    QVERIFY2(undo.ok, qPrintable(undo.error));
    QCOMPARE(*m_repo->find(id), before); // same id, same timestamps
    QCOMPARE(m_secrets->contents().value(
                 secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("password"));
    QCOMPARE(onDisk().size(), 1);
}

void TestRepository::removeKeepsEverythingWhenSecretCannotBeRemoved()
{
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("password"));
    m_secrets->setFailRemoves(true);
    const RepositoryResult r
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->remove(id, done); });
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(QLatin1String("Nothing was deleted")), qPrintable(r.error));
    QCOMPARE(m_repo->connectors().size(), 1);
    QCOMPARE(onDisk().size(), 1);
    QCOMPARE(m_secrets->contents().size(), 1);
}

void TestRepository::loadTouchesNoKeychain()
{
    for (int i = 0; i < 20; ++i) {
        QVERIFY(
            !test::addConnector(m_repo, make(QStringLiteral("C%1").arg(i)), QStringLiteral("pw"))
                 .isNull());
    }
    const int calls = m_secrets->callCount();
    ConnectorRepository fresh(m_store, m_secrets);
    QString error;
    QVERIFY(fresh.load(&error));
    QCOMPARE(fresh.connectors().size(), 20);
    QCOMPARE(m_secrets->callCount(), calls);
}

void TestRepository::blockedStoreRefusesEverything()
{
    QFile f(m_store->filePath());
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{oops");
    f.close();
    QString error;
    QVERIFY(!m_repo->load(&error));
    QVERIFY(m_repo->isBlocked());
    const RepositoryResult o = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->add(make("Alpha"), QStringLiteral("pw"), done);
    });
    QVERIFY(!o.ok);
    QVERIFY2(o.error.contains(QLatin1String("connectors.db")), qPrintable(o.error));
    QVERIFY(m_secrets->contents().isEmpty()); // nothing reached the keychain either
    QString movedTo;
    QVERIFY(m_repo->resolveByMovingAside(&movedTo, &error));
    QVERIFY(!test::addConnector(m_repo, make("Alpha"), QStringLiteral("pw")).isNull());
}

void TestRepository::operationsRunInOrder()
{
    QStringList order;
    for (int i = 0; i < 5; ++i) {
        m_repo->add(make(QStringLiteral("N%1").arg(i)), QStringLiteral("pw"),
            [&order, i](const RepositoryResult &r) {
                QVERIFY(r.ok);
                order << QString::number(i);
            });
    }
    QVERIFY(m_repo->isBusy());
    QTRY_COMPARE(order.size(), 5);
    QCOMPARE(order.join(QLatin1Char(',')), QStringLiteral("0,1,2,3,4"));
    QCOMPARE(onDisk().size(), 5);
}

void TestRepository::importIsAllOrNothing()
{
    const QUuid existing
        = test::addConnector(m_repo, make("Existing"), QStringLiteral("kept-secret"));
    QSignalSpy added(m_repo, &ConnectorRepository::connectorAdded);
    QSignalSpy updated(m_repo, &ConnectorRepository::connectorUpdated);

    Connector replacement = *m_repo->find(existing);
    replacement.verifySsl = false;
    const RepositoryResult imp = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->importConnectors(
            { make("New A"), make("New B", QStringLiteral("oauth")) }, { replacement }, done);
    });
    QVERIFY2(imp.ok, qPrintable(imp.error));
    QCOMPARE(added.count(), 2);
    QCOMPARE(updated.count(), 1);
    const QList<Connector> disk = onDisk();
    QCOMPARE(disk.size(), 3);
    QVERIFY(disk.at(1).needsSecret && disk.at(2).needsSecret);
    QVERIFY(!disk.at(0).needsSecret);
    QVERIFY(!disk.at(0).verifySsl);
    // The replaced connector keeps its secret; imported ones have none.
    QCOMPARE(m_secrets->contents().size(), 1);
    QCOMPARE(m_secrets->contents().value(
                 secretKey(existing, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        QStringLiteral("kept-secret"));

    // A replacement that changes the auth type fails, and nothing of the import is saved.
    Connector bad = *m_repo->find(existing);
    bad.authType = QStringLiteral("oauth");
    const RepositoryResult fail = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->importConnectors({ make("New C") }, { bad }, done);
    });
    QVERIFY(!fail.ok);
    QVERIFY(fail.error.startsWith(QLatin1String("Nothing was imported")));
    QCOMPARE(m_repo->connectors().size(), 3);
    QCOMPARE(onDisk().size(), 3);
}

void TestRepository::recordedResultsAreWrittenAtOnce()
{
    const QUuid id = test::addConnector(m_repo, make("Checked"), QStringLiteral("pw"));
    QSignalSpy updated(m_repo, &ConnectorRepository::connectorUpdated);
    QSignalSpy failed(m_repo, &ConnectorRepository::saveFailed);
    ValidationState v;
    v.status = ValidationStatus::Verified;
    v.message = QStringLiteral("ok");
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(m_repo->recordValidation(id, v));
    QCOMPARE(updated.count(), 1);
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::Verified);
    QCOMPARE(onDisk().first().validation, v); // one UPDATE, committed before it returns

    // Busy beyond the timeout: shown, and reported.
    m_store->setBusyTimeout(50);
    BusyDatabase busy(m_store->filePath());
    v.status = ValidationStatus::Failed;
    QVERIFY(m_repo->recordValidation(id, v));
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::Failed);
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.first().first().toString().contains(QLatin1String("busy")));
}

void TestRepository::resultDuringRemoveDoesNotBringItBack()
{
    const QUuid id = test::addConnector(m_repo, make("Going"), QStringLiteral("pw"));
    // A slow keychain: the record is already gone from the database while the secret is
    // removed.
    m_secrets->setDelay(300);
    Outcome removed;
    m_repo->remove(id, removed.callback());
    QTRY_VERIFY(onDisk().isEmpty());
    QVERIFY(!removed.done);
    // A check of that connector finishes now and records its result.
    ValidationState v;
    v.status = ValidationStatus::Verified;
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(!m_repo->recordValidation(id, v)); // refused: it is being removed
    QVERIFY(onDisk().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(removed.done, 5000);
    QVERIFY(removed.result.ok);
    QTest::qWait(50); // any deferred write would have landed
    QVERIFY(onDisk().isEmpty());
    QVERIFY(!m_repo->find(id));
    QVERIFY(m_secrets->contents().isEmpty());
    m_secrets->setDelay(0);
}

void TestRepository::lateKeychainAnswersAreUndone()
{
    // A keychain that answers after our timeout: the call is reported as failed, then
    // happens after all. What it did must not stay.
    m_secrets->setTimeout(100);
    m_secrets->setDelay(400);
    const RepositoryResult add = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->add(make("Late"), QStringLiteral("late-secret"), done);
    });
    QVERIFY(!add.ok);
    QVERIFY2(add.error.contains(QLatin1String("did not answer")), qPrintable(add.error));
    QVERIFY(m_repo->connectors().isEmpty());
    // The late write lands, then is taken out again.
    QTRY_VERIFY(m_secrets->callCount() >= 2);
    QTRY_VERIFY_WITH_TIMEOUT(m_secrets->contents().isEmpty(), 3000);

    // A delete whose secret removal times out keeps the connector; when the removal then
    // happens after all, the secret is written back.
    m_secrets->setTimeout(5000);
    m_secrets->setDelay(0);
    const QUuid kept = test::addConnector(m_repo, make("Kept"), QStringLiteral("kept-secret"));
    QVERIFY(!kept.isNull());
    const QString key = secretKey(kept, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    m_secrets->setTimeout(100);
    m_secrets->setRemoveDelay(400); // the read answers at once, the removal late
    const RepositoryResult del
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->remove(kept, done); }, 3000);
    QVERIFY(!del.ok);
    QVERIFY(del.error.startsWith(QLatin1String("Nothing was deleted")));
    QCOMPARE(m_repo->connectors().size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_secrets->contents().value(key) == QLatin1String("kept-secret"), 3000);
    QTest::qWait(600);
    QCOMPARE(m_secrets->contents().value(key), QStringLiteral("kept-secret"));
    QCOMPARE(onDisk().size(), 1); // the record was written back
    QVERIFY(!onDisk().first().needsSecret);
    m_secrets->setRemoveDelay(0);

    // A retry after a timed-out write (Undo pressed again after an unlock prompt): the first
    // write's late answer must not take out the secret the retry stored.
    RepositoryResult removed;
    removed.removed = make("Again");
    removed.removed->id = QUuid::createUuid();
    removed.removedHadSecret = true;
    removed.removedSecret = QStringLiteral("again-secret");
    m_secrets->setDelay(400);
    const RepositoryResult first = test::waitFor(
        [&](const RepositoryCallback &done) { m_repo->restore(removed, done); }, 3000);
    QVERIFY(!first.ok); // timed out
    m_secrets->setDelay(0);
    m_secrets->setTimeout(5000);
    const RepositoryResult second
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->restore(removed, done); });
    QVERIFY2(second.ok, qPrintable(second.error));
    QTest::qWait(600); // the first write's late answer has come
    const QString againKey
        = secretKey(removed.removed->id, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    QCOMPARE(m_secrets->contents().value(againKey), QStringLiteral("again-secret"));
    QVERIFY(m_repo->find(removed.removed->id));
}

void TestRepository::otherProcessesChangesAreApplied()
{
    const QUuid mine = test::addConnector(m_repo, make("Mine"), QStringLiteral("pw"));
    QVERIFY(!m_repo->refresh()); // nothing changed elsewhere

    // Another process (its own connection and repository) adds, changes and removes.
    ConnectorStore otherStore(m_dir->path());
    ConnectorRepository other(&otherStore, m_secrets);
    QString error;
    QVERIFY(other.load(&error));
    const QUuid theirs = test::addConnector(&other, make("Theirs"), QStringLiteral("pw2"));
    ValidationState v;
    v.status = ValidationStatus::Warning;
    QVERIFY(other.setValidation(mine, v, &error));

    QSignalSpy added(m_repo, &ConnectorRepository::connectorAdded);
    QSignalSpy updated(m_repo, &ConnectorRepository::connectorUpdated);
    QSignalSpy removed(m_repo, &ConnectorRepository::connectorRemoved);
    QVERIFY(m_repo->refresh());
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.first().first().toUuid(), theirs);
    QCOMPARE(updated.count(), 1);
    QCOMPARE(m_repo->find(mine)->validation.status, ValidationStatus::Warning);
    QCOMPARE(m_repo->connectors().size(), 2);

    QVERIFY(test::waitFor([&](const RepositoryCallback &done) { other.remove(theirs, done); }).ok);
    // Watching: applied without asking.
    m_repo->setWatchInterval(20);
    QTRY_COMPARE(removed.count(), 1);
    QCOMPARE(m_repo->connectors().size(), 1);
    m_repo->setWatchInterval(0);
}

void TestRepository::editOfConnectorRemovedElsewhereIsRefused()
{
    const QUuid id = test::addConnector(m_repo, make("Edited"), QStringLiteral("pw"));
    Connector draft = *m_repo->find(id);
    ConnectorStore otherStore(m_dir->path());
    ConnectorRepository other(&otherStore, m_secrets);
    QString error;
    QVERIFY(other.load(&error));
    const RepositoryResult r
        = test::waitFor([&](const RepositoryCallback &done) { other.remove(draft.id, done); });
    QVERIFY(r.ok);

    draft.name = QStringLiteral("Edited again");
    for (const std::optional<QString> &secret :
        { std::optional<QString>(), std::optional<QString>(QStringLiteral("new")) }) {
        const RepositoryResult u = test::waitFor(
            [&](const RepositoryCallback &done) { m_repo->update(draft, secret, done); });
        QVERIFY(!u.ok);
        QVERIFY2(u.error.contains(QLatin1String("no longer exists")), qPrintable(u.error));
    }
    QVERIFY(onDisk().isEmpty()); // not created again
    QVERIFY(!m_repo->find(draft.id)); // and gone from this process's list
    QVERIFY(m_secrets->contents().isEmpty());

    // The race: deleted elsewhere while this process is already writing the new secret. The
    // old secret is not put back (no row would own it), the new one is taken out again.
    const QUuid racedId = test::addConnector(m_repo, make("Raced"), QStringLiteral("old"));
    const Connector raced = *m_repo->find(racedId);
    m_secrets->setDelay(150);
    Outcome u;
    m_repo->update(raced, QStringLiteral("new"), u.callback());
    QTest::qWait(50); // the keychain is being read or written
    QVERIFY(
        test::SqliteConnection(m_store->filePath()).exec(QStringLiteral("DELETE FROM connectors")));
    QTRY_VERIFY_WITH_TIMEOUT(u.done, 5000);
    QVERIFY(!u.result.ok);
    QTRY_VERIFY(!m_repo->isBusy());
    m_secrets->setDelay(0);
    QVERIFY2(m_secrets->contents().isEmpty(), qPrintable(m_secrets->contents().keys().join(',')));
    QVERIFY(!m_repo->find(raced.id));
}

namespace {
// Makes every pending mark look like one of a process that has ended (as after kill -9).
bool abandonMarks(const QString &dbPath)
{
    QProcess p;
    p.start(QStringLiteral("sleep"), { QStringLiteral("0.05") });
    p.waitForStarted();
    const qint64 deadPid = p.processId(); // read while it runs, then it ends
    p.waitForFinished();
    return test::SqliteConnection(dbPath).exec(
        QStringLiteral("UPDATE pending_secrets SET pid = ?"), { deadPid });
}
} // namespace

void TestRepository::interruptedAddIsUndoneAtNextOpen()
{
    // What a process killed between its keychain write and its row leaves behind.
    const QUuid id = QUuid::createUuid();
    const QString key = secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    QString error;
    QVERIFY(m_store->markPendingSecret(key, id, &error));
    bool written = false;
    m_secrets->write(
        key, QStringLiteral("orphan"), this, [&](const SecretResult &) { written = true; });
    QTRY_VERIFY(written);
    QVERIFY(abandonMarks(m_store->filePath()));

    ConnectorStore next(m_dir->path());
    ConnectorRepository reopened(&next, m_secrets);
    QVERIFY(reopened.load(&error));
    QTRY_VERIFY(!reopened.isBusy());
    QVERIFY(m_secrets->contents().isEmpty()); // no secret without its row
    QVERIFY(next.abandonedPendingSecrets(&error).isEmpty());
}

void TestRepository::interruptedRemoveIsFinishedAtNextOpen()
{
    const QUuid kept = test::addConnector(m_repo, make("Kept"), QStringLiteral("kept"));
    const QUuid going = test::addConnector(m_repo, make("Going"), QStringLiteral("going"));
    // Killed after the row was deleted (with its mark), before the keychain removal.
    QString error;
    const QString key = secretKey(going, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    QVERIFY(m_store->remove(going, &error, key));
    // A mark of a row that was written after all (killed before the mark was cleared).
    const QString keptKey
        = secretKey(kept, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    QVERIFY(m_store->markPendingSecret(keptKey, kept, &error));
    QVERIFY(abandonMarks(m_store->filePath()));

    ConnectorStore next(m_dir->path());
    ConnectorRepository reopened(&next, m_secrets);
    QVERIFY(reopened.load(&error));
    QTRY_VERIFY(!reopened.isBusy());
    QCOMPARE(reopened.connectors().size(), 1);
    QCOMPARE(m_secrets->contents().size(), 1);
    QCOMPARE(m_secrets->contents().value(keptKey), QStringLiteral("kept"));
    QVERIFY(next.abandonedPendingSecrets(&error).isEmpty());
}

void TestRepository::editFromAStaleCopyIsRefused()
{
    const QUuid id = test::addConnector(m_repo, make("Shared"), QStringLiteral("pw"));
    const Connector opened = *m_repo->find(id); // what an edit dialog holds
    ConnectorStore otherStore(m_dir->path());
    ConnectorRepository other(&otherStore, m_secrets);
    QString error;
    QVERIFY(other.load(&error));

    // Another process checks it: a rename here keeps that result (it is not the dialog's).
    ValidationState v;
    v.status = ValidationStatus::Verified;
    v.message = QStringLiteral("checked elsewhere");
    QVERIFY(other.setValidation(opened.id, v, &error));
    Connector renamed = opened;
    renamed.name = QStringLiteral("Shared renamed");
    const RepositoryResult r = test::waitFor(
        [&](const RepositoryCallback &done) { m_repo->update(renamed, std::nullopt, done); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(onDisk().first().validation, v);

    // Another process changes its definition: saving the older copy is refused, not
    // silently undoing theirs.
    QVERIFY(other.refresh());
    Connector theirs = *other.find(opened.id);
    theirs.url = QStringLiteral("https://moved.jamacloud.com");
    const RepositoryResult t = test::waitFor(
        [&](const RepositoryCallback &done) { other.update(theirs, std::nullopt, done); });
    QVERIFY(t.ok);
    Connector stale = *m_repo->find(opened.id); // not refreshed yet
    stale.identity = QStringLiteral("someone-else");
    const RepositoryResult s = test::waitFor(
        [&](const RepositoryCallback &done) { m_repo->update(stale, std::nullopt, done); });
    QVERIFY(!s.ok);
    QVERIFY2(s.error.contains(QLatin1String("changed in another")), qPrintable(s.error));
    QCOMPARE(onDisk().first().url, QStringLiteral("https://moved.jamacloud.com"));
    QCOMPARE(onDisk().first().identity, opened.identity);
}

void TestRepository::busyDatabaseIsRetriedWithoutWaiting()
{
    // The window's settings: a short busy timeout, retried from the event loop.
    m_store->setBusyTimeout(50);
    m_repo->setBusyRetry(5000);
    auto busy = std::make_unique<BusyDatabase>(m_store->filePath());
    QVERIFY(busy->held());
    QTimer::singleShot(1500, this, [&] { busy->release(); }); // another process's long write

    // The event loop keeps running meanwhile: the longest gap between ticks stays short.
    QElapsedTimer sinceTick;
    qint64 longest = 0;
    QTimer heartbeat;
    heartbeat.setInterval(10);
    connect(
        &heartbeat, &QTimer::timeout, this, [&] { longest = qMax(longest, sinceTick.restart()); });
    sinceTick.start();
    heartbeat.start();
    Outcome o;
    m_repo->add(make("Patient"), QStringLiteral("pw"), o.callback());
    Outcome imported;
    m_repo->importConnectors({ make("Imported") }, {}, imported.callback());
    QTRY_VERIFY_WITH_TIMEOUT(o.done && imported.done, 8000);
    heartbeat.stop();
    QVERIFY2(o.result.ok, qPrintable(o.result.error)); // waited, then saved
    QVERIFY2(imported.result.ok, qPrintable(imported.result.error));
    QCOMPARE(onDisk().size(), 2);
    // Far below the 1.5 s the other process held the database (a blocking wait would show it).
    QVERIFY2(longest < 1000, qPrintable(QString::number(longest)));

    // A result recorded while busy is shown at once and written when the database is free.
    busy = std::make_unique<BusyDatabase>(m_store->filePath());
    QTimer::singleShot(400, this, [&] { busy->release(); });
    ValidationState v;
    v.status = ValidationStatus::Warning;
    v.message = QStringLiteral("written later");
    QSignalSpy failed(m_repo, &ConnectorRepository::saveFailed);
    QVERIFY(m_repo->recordValidation(o.result.id, v));
    QCOMPARE(m_repo->find(o.result.id)->validation, v);
    QTRY_COMPARE_WITH_TIMEOUT(onDisk().first().validation, v, 3000);
    QCOMPARE(failed.count(), 0);
}

void TestRepository::switchApplicationMovesSecret()
{
    // Jama Basic → Jira Data Center Basic: both a username and a password, but the Jama
    // password must never stay under the connector (nor be sent to Jira): a new key.
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("jama-password"));
    Connector c = *m_repo->find(id);
    c.application = QStringLiteral("jira-data-center");
    c.url = QStringLiteral("https://jira.example.com");
    const RepositoryResult refused = test::waitFor(
        [&](const RepositoryCallback &done) { m_repo->update(c, std::nullopt, done); });
    QVERIFY(!refused.ok);
    QVERIFY2(refused.error.contains(QLatin1String("application")), qPrintable(refused.error));
    const RepositoryResult u = test::waitFor([&](const RepositoryCallback &done) {
        m_repo->update(c, QStringLiteral("jira-password-1"), done);
    });
    QVERIFY2(u.ok, qPrintable(u.error));
    const auto contents = m_secrets->contents();
    QCOMPARE(contents.size(), 1);
    QCOMPARE(
        contents.value(secretKey(id, QStringLiteral("jira-data-center"), QStringLiteral("basic"))),
        QStringLiteral("jira-password-1"));
    QVERIFY(secretKey(id, QStringLiteral("jira-data-center"), QStringLiteral("basic"))
        != secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic")));
    QCOMPARE(onDisk().first().application, QStringLiteral("jira-data-center"));
}

void TestRepository::newerApplicationIsLeftAlone()
{
    // A row a newer Connector Desk wrote, of an application this one does not know.
    Connector future = make("Future");
    future.application = QStringLiteral("future-tracker");
    future.authType = QStringLiteral("magic-link");
    QString error;
    future.id = QUuid::createUuid();
    future.createdAt = future.updatedAt = QDateTime::currentDateTimeUtc();
    {
        ConnectorStore newer(m_dir->path()); // another process's connection
        QList<Connector> rows;
        QVERIFY2(newer.load(&rows, &error), qPrintable(error));
        QVERIFY2(newer.insert(future, &error), qPrintable(error));
    }
    m_repo->refresh();
    QTRY_VERIFY(m_repo->find(future.id).has_value());
    const int calls = m_secrets->callCount();

    // Not removed (its secret's key is the newer version's), not changed, said why.
    const RepositoryResult removed
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->remove(future.id, done); });
    QVERIFY(!removed.ok);
    QVERIFY2(
        removed.error.contains(QLatin1String("newer Connector Desk")), qPrintable(removed.error));
    Connector changed = *m_repo->find(future.id);
    changed.name = QStringLiteral("Renamed");
    const RepositoryResult updated = test::waitFor(
        [&](const RepositoryCallback &done) { m_repo->update(changed, std::nullopt, done); });
    QVERIFY(!updated.ok);

    // Not checked: nothing read from the keychain, nothing recorded over its state.
    QNetworkAccessManager nam;
    ValidationQueue queue(m_repo, &nam);
    QSignalSpy finished(&queue, &ValidationQueue::finished);
    queue.enqueue(future.id);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(1).value<ValidationResult>().failure,
        ValidationResult::Failure::Unsupported);
    QCOMPARE(m_secrets->callCount(), calls);
    const QList<Connector> disk = onDisk();
    QCOMPARE(disk.size(), 1);
    QCOMPARE(disk.first().name, QStringLiteral("Future"));
    QCOMPARE(disk.first().validation, future.validation);
    QCOMPARE(disk.first().application, QStringLiteral("future-tracker"));
    QCOMPARE(disk.first().authType, QStringLiteral("magic-link"));
}

void TestRepository::rotateSecretChecksEveryConnectorFirst()
{
    const QUuid a = test::addConnector(m_repo, make("Alpha"), QStringLiteral("pw-a"));
    const QUuid b = test::addConnector(m_repo, make("Beta"), QStringLiteral("pw-b"));
    Connector future = make("Future");
    future.id = QUuid::createUuid();
    future.application = QStringLiteral("future-tracker");
    future.authType = QStringLiteral("magic-link");
    future.createdAt = future.updatedAt = QDateTime::currentDateTimeUtc();
    QString error;
    {
        ConnectorStore newer(m_dir->path()); // a newer version's process
        QList<Connector> rows;
        QVERIFY2(newer.load(&rows, &error), qPrintable(error));
        QVERIFY2(newer.insert(future, &error), qPrintable(error));
    }
    m_repo->refresh();
    QVERIFY(m_repo->find(future.id).has_value());
    const QHash<QString, QString> secrets = m_secrets->contents();
    const QList<Connector> stored = onDisk();
    const int calls = m_secrets->callCount();
    const auto rotate = [&](const QList<QUuid> &ids, const QString &secret) {
        return test::waitFor(
            [&](const RepositoryCallback &done) { m_repo->rotateSecret(ids, secret, done); });
    };

    RepositoryResult r = rotate({ a, QUuid::createUuid(), b }, QStringLiteral("new"));
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QLatin1String("Nothing was changed.")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QLatin1String("no longer exists")), qPrintable(r.error));
    r = rotate({ a, future.id }, QStringLiteral("new"));
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(QLatin1String("newer Connector Desk")), qPrintable(r.error));
    QCOMPARE(r.id, future.id);
    r = rotate({ a, b }, QString());
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(QLatin1String("empty")), qPrintable(r.error));
    r = rotate({}, QStringLiteral("new"));
    QVERIFY(!r.ok);

    // The keychain was not even asked; nothing changed anywhere.
    QCOMPARE(m_secrets->callCount(), calls);
    QCOMPARE(m_secrets->contents(), secrets);
    QCOMPARE(onDisk(), stored);
    QCOMPARE(test::SqliteConnection(m_store->filePath())
                 .value(QStringLiteral("SELECT count(*) FROM pending_secrets"))
                 .toInt(),
        0);
}

void TestRepository::rotateSecretIsUndoneWhenTheSaveFails()
{
    QList<QUuid> ids;
    for (const char *name : { "Alpha", "Beta", "Gamma" })
        ids.append(test::addConnector(
            m_repo, make(QString::fromLatin1(name)), QStringLiteral("old-") + name));
    const QHash<QString, QString> secrets = m_secrets->contents();
    QCOMPARE(secrets.size(), 3);

    // This process's rotation, through a keychain wrapper: as the third secret is written,
    // another process saves Alpha. The rows are saved in one transaction, which refuses
    // Alpha's older copy: no row changes, and every secret goes back.
    FaultySecretStore faulty(m_secrets);
    ConnectorStore store(m_dir->path());
    ConnectorRepository repo(&store, &faulty);
    QString error;
    QVERIFY(repo.load(&error));
    faulty.onWrite([&](int n) {
        if (n == 3)
            QVERIFY(test::SqliteConnection(m_store->filePath())
                        .exec(QStringLiteral("UPDATE connectors SET updated_at = updated_at + 1 "
                                             "WHERE id = ?"),
                            { ids.first().toString(QUuid::WithoutBraces) }));
    });
    const QList<Connector> before = onDisk();
    const RepositoryResult r = test::waitFor([&](const RepositoryCallback &done) {
        repo.rotateSecret(ids, QStringLiteral("rotated"), done);
    });
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QLatin1String("Nothing was changed.")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QLatin1String("changed in another")), qPrintable(r.error));
    QVERIFY(r.notRestored.isEmpty());
    QCOMPARE(faulty.writes(), 6); // three new secrets, three put back
    QCOMPARE(m_secrets->contents(), secrets);
    const QList<Connector> after = onDisk();
    QCOMPARE(after.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(after.at(i).validation, before.at(i).validation);
        QCOMPARE(after.at(i).needsSecret, before.at(i).needsSecret);
    }
    QCOMPARE(after.at(1), before.at(1));
    QCOMPARE(after.at(2), before.at(2));
    QCOMPARE(test::SqliteConnection(m_store->filePath())
                 .value(QStringLiteral("SELECT count(*) FROM pending_secrets"))
                 .toInt(),
        0);
}

void TestRepository::rotateSecretLateWriteIsUndone()
{
    const QUuid a = test::addConnector(m_repo, make("Alpha"), QStringLiteral("old-a"));
    const QUuid b = test::addConnector(m_repo, make("Beta"), QStringLiteral("old-b"));
    const QString keyA = secretKey(a, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    const QString keyB = secretKey(b, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    FaultySecretStore faulty(m_secrets);
    faulty.setTimeout(150);
    faulty.delayWrite(2, 500); // Beta's write: reported as timed out, then it happens
    ConnectorStore store(m_dir->path());
    ConnectorRepository repo(&store, &faulty);
    QString error;
    QVERIFY(repo.load(&error));
    QSignalSpy saveFailed(&repo, &ConnectorRepository::saveFailed);
    const RepositoryResult r = test::waitFor([&](const RepositoryCallback &done) {
        repo.rotateSecret({ a, b }, QStringLiteral("rotated"), done);
    });
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QLatin1String("Nothing was changed.")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QStringLiteral("“Beta”")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QLatin1String("did not answer")), qPrintable(r.error));
    QCOMPARE(r.id, b);
    QCOMPARE(m_secrets->contents().value(keyA), QStringLiteral("old-a"));
    // The late write lands, and is undone.
    QTRY_COMPARE_WITH_TIMEOUT(faulty.writes(), 4, 3000); // new A, new B, old A, old B
    QTRY_COMPARE_WITH_TIMEOUT(m_secrets->contents().value(keyB), QStringLiteral("old-b"), 3000);
    QTRY_COMPARE_WITH_TIMEOUT(test::SqliteConnection(m_store->filePath())
                                  .value(QStringLiteral("SELECT count(*) FROM pending_secrets"))
                                  .toInt(),
        0, 3000);
    QCOMPARE(saveFailed.count(), 0);
    for (const Connector &c : onDisk())
        QVERIFY(c.validation.message.isEmpty());
}

namespace {
HistoryEntry entry(ValidationStatus status, int minute)
{
    HistoryEntry e;
    e.status = status;
    e.checkedAt = QDateTime(QDate(2026, 11, 3), QTime(8, 0), Qt::UTC).addSecs(60 * minute);
    e.message = QStringLiteral("at %1").arg(minute);
    return e;
}
ValidationState stateOf(const HistoryEntry &e)
{
    ValidationState v;
    v.status = e.status;
    v.checkedAt = e.checkedAt;
    v.message = e.message;
    return v;
}
} // namespace

void TestRepository::statusRun_data()
{
    using S = ValidationStatus;
    QTest::addColumn<QList<int>>("statuses"); // newest first
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("sinceIndex"); // -1: no time
    QTest::addColumn<bool>("complete");
    QTest::newRow("empty") << QList<int> {} << 0 << -1 << true;
    QTest::newRow("one failure") << QList<int> { int(S::Failed) } << 1 << 0 << true;
    QTest::newRow("three failures after a success") << QList<int> { int(S::Failed), int(S::Failed),
        int(S::Failed), int(S::Verified) } << 3 << 2 << true;
    QTest::newRow("failing again after a success") << QList<int> { int(S::Failed), int(S::Verified),
        int(S::Failed), int(S::Failed) } << 1 << 0 << true;
    QTest::newRow("a warning breaks a failure run")
        << QList<int> { int(S::Failed), int(S::Warning), int(S::Failed) } << 1 << 0 << true;
    // A check that did not reach the server neither ends a run nor counts in it.
    QTest::newRow("not reached inside a run")
        << QList<int> { int(S::Warning), int(S::Warning), int(S::NotVerified), int(S::Warning) }
        << 3 << 3 << true;
    QTest::newRow("not reached, then the status before")
        << QList<int> { int(S::Failed), int(S::NotVerified), int(S::Verified) } << 1 << 0 << true;
    QTest::newRow("a run of not reached") << QList<int> { int(S::NotVerified), int(S::NotVerified),
        int(S::Failed) } << 2 << 1 << true;
    QTest::newRow("verified run") << QList<int> { int(S::Verified), int(S::Verified),
        int(S::Failed) } << 2 << 1 << true;
    QList<int> full(kHistoryLimit, int(S::Failed));
    QTest::newRow("all of a full history: maybe earlier")
        << full << kHistoryLimit << kHistoryLimit - 1 << false;
    QList<int> fewer(kHistoryLimit - 1, int(S::Failed));
    QTest::newRow("all of a history not yet full")
        << fewer << kHistoryLimit - 1 << kHistoryLimit - 2 << true;
    full.last() = int(S::Verified);
    QTest::newRow("full, the oldest different")
        << full << kHistoryLimit - 1 << kHistoryLimit - 2 << true;
}

void TestRepository::statusRun()
{
    QFETCH(QList<int>, statuses);
    QFETCH(int, count);
    QFETCH(int, sinceIndex);
    QFETCH(bool, complete);
    QList<HistoryEntry> history;
    for (int i = 0; i < statuses.size(); ++i)
        history.append(entry(ValidationStatus(statuses.at(i)), 100 - i));
    const StatusRun run = cd::statusRun(history);
    QCOMPARE(run.count, count);
    QCOMPARE(run.complete, complete);
    const QDateTime since = sinceIndex < 0 ? QDateTime() : history.at(sinceIndex).checkedAt;
    QCOMPARE(run.since, since);
    QCOMPARE(statusSince(history), since);
    if (!history.isEmpty()) {
        QCOMPARE(run.status, history.first().status);
        // Against the connector's state: only when the newest entry is that state.
        QCOMPARE(cd::statusRun(history, stateOf(history.first())).since, since);
        ValidationState newer = stateOf(history.first());
        newer.checkedAt = newer.checkedAt.addSecs(1);
        QCOMPARE(cd::statusRun(history, newer).count, 0);
        QVERIFY(!cd::statusRun(history, newer).since.isValid());
        QCOMPARE(cd::statusRun(history, ValidationState()).count, 0); // reset: no run
    }
}

void TestRepository::historyAndFailingSince()
{
    const QUuid id = test::addConnector(m_repo, make("Flaky"), QStringLiteral("pw"));
    QVERIFY(m_repo->history(id).isEmpty());
    // A success, then three failures.
    const QList<HistoryEntry> results { entry(ValidationStatus::Verified, 0),
        entry(ValidationStatus::Failed, 1), entry(ValidationStatus::Failed, 2),
        entry(ValidationStatus::Failed, 3) };
    for (const HistoryEntry &e : results)
        QVERIFY(m_repo->recordValidation(id, stateOf(e)));
    QString error;
    const QList<HistoryEntry> history = m_repo->history(id, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(history, QList<HistoryEntry>({ results[3], results[2], results[1], results[0] }));
    const StatusRun run = cd::statusRun(history, m_repo->find(id)->validation);
    QCOMPARE(run.status, ValidationStatus::Failed);
    QCOMPARE(run.since, results[1].checkedAt); // failing since the first failure
    QCOMPARE(run.count, 3);
    QVERIFY(run.complete);
    QCOMPARE(m_repo->histories().value(id), history);

    // A result that meets a busy database is shown at once: also as the newest of the history,
    // before it is written.
    m_repo->setBusyRetry(5000);
    m_store->setBusyTimeout(50);
    auto busy = std::make_unique<BusyDatabase>(m_store->filePath());
    QVERIFY(busy->held());
    const HistoryEntry fourth = entry(ValidationStatus::Failed, 4);
    QVERIFY(m_repo->recordValidation(id, stateOf(fourth)));
    QCOMPARE(m_repo->history(id).size(), 5);
    QCOMPARE(m_repo->history(id).first(), fourth);
    QCOMPARE(cd::statusRun(m_repo->history(id), m_repo->find(id)->validation).count, 4);
    busy.reset();
    QTRY_COMPARE(m_store->history(id, &error).size(), 5);
    QCOMPARE(m_store->history(id, &error).first(), fourth);
    QCOMPARE(m_repo->history(id).size(), 5); // once
}

void TestRepository::undoBringsTheHistoryBack()
{
    const QUuid id = test::addConnector(m_repo, make("Alpha"), QStringLiteral("password"));
    for (int minute = 0; minute < 4; ++minute)
        QVERIFY(m_repo->recordValidation(id, stateOf(entry(ValidationStatus::Failed, minute))));
    const QList<HistoryEntry> before = m_repo->history(id);
    QCOMPARE(before.size(), 4);

    // A delete whose secret cannot be removed is undone whole: the history stays.
    m_secrets->setFailRemoves(true);
    RepositoryResult r
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->remove(id, done); });
    QVERIFY(!r.ok);
    QCOMPARE(m_repo->history(id), before);
    m_secrets->setFailRemoves(false);

    // Deleted: no rows stay behind in the file.
    r = test::waitFor([&](const RepositoryCallback &done) { m_repo->remove(id, done); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.removedHistory, before);
    QVERIFY(m_repo->history(id).isEmpty());
    QCOMPARE(test::SqliteConnection(m_store->filePath())
                 .value(QStringLiteral("SELECT count(*) FROM history"))
                 .toInt(),
        0);

    // Undo: the connector, its secret and its history.
    const RepositoryResult undo
        = test::waitFor([&](const RepositoryCallback &done) { m_repo->restore(r, done); });
    QVERIFY2(undo.ok, qPrintable(undo.error));
    QCOMPARE(m_repo->history(id), before);
    QString error;
    QCOMPARE(m_store->history(id, &error), before); // on disk, not only in memory
    QCOMPARE(cd::statusRun(m_repo->history(id), m_repo->find(id)->validation).since,
        before.last().checkedAt);
}

QTEST_GUILESS_MAIN(TestRepository)
#include "tst_repository.moc"
