// The repository's transactions over connectors.json and an in-memory secret store,
// including a keychain that fails and one that never answers.
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "SecretStore.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

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

Connector make(const QString &name, AuthType type = AuthType::Basic)
{
    Connector c;
    c.name = name;
    c.url = QStringLiteral("https://%1.jamacloud.com").arg(name.toLower());
    c.authType = type;
    c.identity = QStringLiteral("svc-") + name;
    return c;
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
    void removeAndRestore();
    void removeKeepsEverythingWhenSecretCannotBeRemoved();
    void loadTouchesNoKeychain();
    void blockedStoreRefusesEverything();
    void operationsRunInOrder();
    void importIsAllOrNothing();
    void recordedResultsAreWrittenLater();
    void lateKeychainAnswersAreUndone();
    void resultDuringRemoveDoesNotBringItBack();

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
    QCOMPARE(m_secrets->contents().value(secretKey(id, AuthType::Basic)), QStringLiteral("s3cret"));
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
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("s3cret"), o.callback());
    QTRY_VERIFY(o.done);
    QVERIFY(!o.result.ok);
    QVERIFY2(o.result.error.contains(QLatin1String("not saved")), qPrintable(o.result.error));
    QVERIFY(o.result.error.contains(QLatin1String("keychain")));
    QVERIFY(m_repo->connectors().isEmpty());
    QVERIFY(!QFile::exists(m_store->filePath()));
}

void TestRepository::addFailsWhenKeychainHangs()
{
    m_secrets->setMode(MemorySecretStore::Mode::Hanging);
    m_secrets->setTimeout(200);
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("s3cret"), o.callback());
    QTRY_VERIFY_WITH_TIMEOUT(o.done, 5000);
    QVERIFY(!o.result.ok);
    QVERIFY2(o.result.error.contains(QLatin1String("did not answer")), qPrintable(o.result.error));
    QVERIFY(m_repo->connectors().isEmpty());
    QVERIFY(!QFile::exists(m_store->filePath()));
    QVERIFY(m_secrets->contents().isEmpty());
    QVERIFY(!m_repo->isBusy()); // the queue moved on
}

void TestRepository::addRemovesSecretWhenRecordFails()
{
    // A data folder that cannot be created: the record cannot be written.
    QTemporaryDir dir;
    QFile blocker(dir.filePath(QStringLiteral("file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    ConnectorStore store(dir.filePath(QStringLiteral("file/data")));
    ConnectorRepository repo(&store, m_secrets);
    QString error;
    QVERIFY(repo.load(&error));
    Outcome o;
    repo.add(make("Alpha"), QStringLiteral("s3cret"), o.callback());
    QTRY_VERIFY(o.done);
    QVERIFY(!o.result.ok);
    QVERIFY2(
        o.result.error.contains(QLatin1String("cannot be created")), qPrintable(o.result.error));
    QVERIFY(repo.connectors().isEmpty());
    QVERIFY(m_secrets->contents().isEmpty()); // the secret was taken back out
}

void TestRepository::updateKeepsOrReplacesSecret()
{
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("first"), o.callback());
    QTRY_VERIFY(o.done);
    const QUuid id = o.result.id;
    const QString key = secretKey(id, AuthType::Basic);

    Connector c = *m_repo->find(id);
    c.validation.status = ValidationStatus::Verified;
    QString error;
    QVERIFY(m_repo->setValidation(id, c.validation, &error));
    c = *m_repo->find(id);
    c.name = QStringLiteral("Alpha renamed");
    Outcome keep;
    m_repo->update(c, std::nullopt, keep.callback());
    QTRY_VERIFY(keep.done);
    QVERIFY2(keep.result.ok, qPrintable(keep.result.error));
    QCOMPARE(m_secrets->contents().value(key), QStringLiteral("first"));
    QCOMPARE(onDisk().first().name, QStringLiteral("Alpha renamed"));
    // A rename does not change what was verified.
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::Verified);

    Outcome replace;
    m_repo->update(*m_repo->find(id), QStringLiteral("second"), replace.callback());
    QTRY_VERIFY(replace.done);
    QVERIFY(replace.result.ok);
    QCOMPARE(m_secrets->contents().value(key), QStringLiteral("second"));
    // New credentials are not verified yet.
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::NotVerified);
}

void TestRepository::updateRestoresSecretWhenRecordFails()
{
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("first"), o.callback());
    QTRY_VERIFY(o.done);
    const QUuid id = o.result.id;
    // Make the next save fail: the data folder becomes a file.
    QVERIFY(QFile::remove(m_store->filePath()));
    QVERIFY(QDir(m_dir->path()).rmdir(m_dir->path()));
    QFile blocker(m_dir->path());
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();

    Outcome u;
    m_repo->update(*m_repo->find(id), QStringLiteral("second"), u.callback());
    QTRY_VERIFY(u.done);
    QVERIFY(!u.result.ok);
    QVERIFY(u.result.error.contains(QLatin1String("not saved")));
    QCOMPARE(m_secrets->contents().value(secretKey(id, AuthType::Basic)), QStringLiteral("first"));
    QFile::remove(m_dir->path());
    QDir().mkpath(m_dir->path());
}

void TestRepository::switchAuthTypeDropsOldSecret()
{
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("password"), o.callback());
    QTRY_VERIFY(o.done);
    const QUuid id = o.result.id;
    Connector c = *m_repo->find(id);
    c.authType = AuthType::OAuth;
    c.identity = QStringLiteral("client-id");
    Outcome u;
    m_repo->update(c, QStringLiteral("client-secret"), u.callback());
    QTRY_VERIFY(u.done);
    QVERIFY2(u.result.ok, qPrintable(u.result.error));
    const auto contents = m_secrets->contents();
    QCOMPARE(contents.size(), 1);
    QCOMPARE(contents.value(secretKey(id, AuthType::OAuth)), QStringLiteral("client-secret"));
    QVERIFY(!contents.contains(secretKey(id, AuthType::Basic)));
    QCOMPARE(onDisk().first().authType, AuthType::OAuth);
}

void TestRepository::switchAuthTypeNeedsSecret()
{
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("password"), o.callback());
    QTRY_VERIFY(o.done);
    Connector c = *m_repo->find(o.result.id);
    c.authType = AuthType::OAuth;
    Outcome u;
    m_repo->update(c, std::nullopt, u.callback());
    QTRY_VERIFY(u.done);
    QVERIFY(!u.result.ok);
    QVERIFY(u.result.error.contains(QLatin1String("Client Secret")));
    QCOMPARE(m_repo->find(o.result.id)->authType, AuthType::Basic);
    QCOMPARE(m_secrets->contents().size(), 1);
}

void TestRepository::removeAndRestore()
{
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("password"), o.callback());
    QTRY_VERIFY(o.done);
    const QUuid id = o.result.id;
    const Connector before = *m_repo->find(id);
    QSignalSpy removed(m_repo, &ConnectorRepository::connectorRemoved);
    Outcome r;
    m_repo->remove(id, r.callback());
    QTRY_VERIFY(r.done);
    QVERIFY2(r.result.ok, qPrintable(r.result.error));
    QCOMPARE(removed.count(), 1);
    QVERIFY(m_repo->connectors().isEmpty());
    QVERIFY(onDisk().isEmpty());
    QVERIFY(m_secrets->contents().isEmpty());
    QVERIFY(r.result.removedHadSecret);

    Outcome undo;
    m_repo->restore(r.result, undo.callback());
    QTRY_VERIFY(undo.done);
    QVERIFY2(undo.result.ok, qPrintable(undo.result.error));
    QCOMPARE(*m_repo->find(id), before); // same id, same timestamps
    QCOMPARE(
        m_secrets->contents().value(secretKey(id, AuthType::Basic)), QStringLiteral("password"));
    QCOMPARE(onDisk().size(), 1);
}

void TestRepository::removeKeepsEverythingWhenSecretCannotBeRemoved()
{
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("password"), o.callback());
    QTRY_VERIFY(o.done);
    m_secrets->setFailRemoves(true);
    Outcome r;
    m_repo->remove(o.result.id, r.callback());
    QTRY_VERIFY(r.done);
    QVERIFY(!r.result.ok);
    QVERIFY2(
        r.result.error.contains(QLatin1String("Nothing was deleted")), qPrintable(r.result.error));
    QCOMPARE(m_repo->connectors().size(), 1);
    QCOMPARE(onDisk().size(), 1);
    QCOMPARE(m_secrets->contents().size(), 1);
}

void TestRepository::loadTouchesNoKeychain()
{
    for (int i = 0; i < 20; ++i) {
        Outcome o;
        m_repo->add(make(QStringLiteral("C%1").arg(i)), QStringLiteral("pw"), o.callback());
        QTRY_VERIFY(o.done);
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
    Outcome o;
    m_repo->add(make("Alpha"), QStringLiteral("pw"), o.callback());
    QTRY_VERIFY(o.done);
    QVERIFY(!o.result.ok);
    QVERIFY(o.result.error.contains(QLatin1String("connectors.json")));
    QVERIFY(m_secrets->contents().isEmpty()); // nothing reached the keychain either
    QString movedTo;
    QVERIFY(m_repo->resolveByMovingAside(&movedTo, &error));
    Outcome again;
    m_repo->add(make("Alpha"), QStringLiteral("pw"), again.callback());
    QTRY_VERIFY(again.done);
    QVERIFY(again.result.ok);
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
    Outcome o;
    m_repo->add(make("Existing"), QStringLiteral("kept-secret"), o.callback());
    QTRY_VERIFY(o.done);
    const QUuid existing = o.result.id;
    QSignalSpy added(m_repo, &ConnectorRepository::connectorAdded);
    QSignalSpy updated(m_repo, &ConnectorRepository::connectorUpdated);

    Connector replacement = *m_repo->find(existing);
    replacement.verifySsl = false;
    Outcome imp;
    m_repo->importConnectors(
        { make("New A"), make("New B", AuthType::OAuth) }, { replacement }, imp.callback());
    QTRY_VERIFY(imp.done);
    QVERIFY2(imp.result.ok, qPrintable(imp.result.error));
    QCOMPARE(added.count(), 2);
    QCOMPARE(updated.count(), 1);
    const QList<Connector> disk = onDisk();
    QCOMPARE(disk.size(), 3);
    QVERIFY(disk.at(1).needsSecret && disk.at(2).needsSecret);
    QVERIFY(!disk.at(0).needsSecret);
    QVERIFY(!disk.at(0).verifySsl);
    // The replaced connector keeps its secret; imported ones have none.
    QCOMPARE(m_secrets->contents().size(), 1);
    QCOMPARE(m_secrets->contents().value(secretKey(existing, AuthType::Basic)),
        QStringLiteral("kept-secret"));

    // A replacement that changes the auth type fails, and nothing of the import is saved.
    Connector bad = *m_repo->find(existing);
    bad.authType = AuthType::OAuth;
    Outcome fail;
    m_repo->importConnectors({ make("New C") }, { bad }, fail.callback());
    QTRY_VERIFY(fail.done);
    QVERIFY(!fail.result.ok);
    QVERIFY(fail.result.error.startsWith(QLatin1String("Nothing was imported")));
    QCOMPARE(m_repo->connectors().size(), 3);
    QCOMPARE(onDisk().size(), 3);
}

void TestRepository::recordedResultsAreWrittenLater()
{
    Outcome o;
    m_repo->add(make("Checked"), QStringLiteral("pw"), o.callback());
    QTRY_VERIFY(o.done);
    const QUuid id = o.result.id;
    QSignalSpy updated(m_repo, &ConnectorRepository::connectorUpdated);
    ValidationState v;
    v.status = ValidationStatus::Verified;
    v.message = QStringLiteral("ok");
    v.checkedAt = QDateTime::currentDateTimeUtc();
    m_repo->setSaveDelay(100);
    QVERIFY(m_repo->recordValidation(id, v));
    // In memory (and in views) at once; on disk a moment later, off the GUI thread.
    QCOMPARE(updated.count(), 1);
    QCOMPARE(m_repo->find(id)->validation.status, ValidationStatus::Verified);
    QVERIFY(m_repo->hasUnsavedResults());
    QCOMPARE(onDisk().first().validation.status, ValidationStatus::NotVerified);
    QTRY_COMPARE(onDisk().first().validation.status, ValidationStatus::Verified);
    QVERIFY(!m_repo->hasUnsavedResults());

    // flush() writes at once; so does the destructor.
    v.status = ValidationStatus::Failed;
    QVERIFY(m_repo->recordValidation(id, v));
    QString error;
    QVERIFY(m_repo->flush(&error));
    QCOMPARE(onDisk().first().validation.status, ValidationStatus::Failed);
    v.status = ValidationStatus::Warning;
    QVERIFY(m_repo->recordValidation(id, v));
    delete m_repo;
    m_repo = nullptr;
    QCOMPARE(onDisk().first().validation.status, ValidationStatus::Warning);
    m_repo = new ConnectorRepository(m_store, m_secrets);
}

void TestRepository::resultDuringRemoveDoesNotBringItBack()
{
    Outcome added;
    m_repo->add(make("Going"), QStringLiteral("pw"), added.callback());
    QTRY_VERIFY(added.done);
    const QUuid id = added.result.id;
    // A slow keychain: the record is already gone from the file while the secret is removed.
    m_secrets->setDelay(300);
    m_repo->setSaveDelay(0);
    Outcome removed;
    m_repo->remove(id, removed.callback());
    QTRY_VERIFY(onDisk().isEmpty());
    QVERIFY(!removed.done);
    // A check of that connector finishes now and records its result.
    ValidationState v;
    v.status = ValidationStatus::Verified;
    v.checkedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(!m_repo->recordValidation(id, v)); // refused: it is being removed
    QString error;
    QVERIFY(m_repo->flush(&error));
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
    Outcome add;
    m_repo->add(make("Late"), QStringLiteral("late-secret"), add.callback());
    QTRY_VERIFY(add.done);
    QVERIFY(!add.result.ok);
    QVERIFY2(
        add.result.error.contains(QLatin1String("did not answer")), qPrintable(add.result.error));
    QVERIFY(m_repo->connectors().isEmpty());
    // The late write lands, then is taken out again.
    QTRY_VERIFY(m_secrets->callCount() >= 2);
    QTRY_VERIFY_WITH_TIMEOUT(m_secrets->contents().isEmpty(), 3000);

    // A delete whose secret removal times out keeps the connector; when the removal then
    // happens after all, the secret is written back.
    m_secrets->setTimeout(5000);
    m_secrets->setDelay(0);
    Outcome keep;
    m_repo->add(make("Kept"), QStringLiteral("kept-secret"), keep.callback());
    QTRY_VERIFY(keep.done);
    QVERIFY(keep.result.ok);
    const QString key = secretKey(keep.result.id, AuthType::Basic);
    m_secrets->setTimeout(100);
    m_secrets->setDelay(400);
    Outcome del;
    m_repo->remove(keep.result.id, del.callback());
    QTRY_VERIFY_WITH_TIMEOUT(del.done, 3000);
    QVERIFY(!del.result.ok);
    QVERIFY(del.result.error.startsWith(QLatin1String("Nothing was deleted")));
    QCOMPARE(m_repo->connectors().size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_secrets->contents().value(key) == QLatin1String("kept-secret"), 3000);
    QTest::qWait(600);
    QCOMPARE(m_secrets->contents().value(key), QStringLiteral("kept-secret"));
}

QTEST_GUILESS_MAIN(TestRepository)
#include "tst_repository.moc"
