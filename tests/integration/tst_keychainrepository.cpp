// The repository against the real Secret Service of the test harness: every change is
// checked with the independent `secret-tool`, and after each one no file under HOME or the
// data folder contains the secret.
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "FaultySecretStore.h"
#include "MemorySecretStore.h"
#include "TestSupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace cd;

class TestKeychainRepository : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void addUpdateSwitchRemove();
    void undoDeleteRestoresSecret();
    // Rotating a secret shared by several connectors (one service account's new password).
    void rotateSecretWritesEveryConnector();
    void rotateSecretIsAllOrNothing_data();
    void rotateSecretIsAllOrNothing();
    void rotateSecretReportsFailedRestore();

private:
    static QString lookup(const QString &key);
    void verifyNoFileContains(const QString &secret);
    RepositoryResult wait(const std::function<void(RepositoryCallback)> &op);

    QTemporaryDir m_data;
    KeychainSecretStore m_secrets;
    std::unique_ptr<ConnectorStore> m_store;
    std::unique_ptr<ConnectorRepository> m_repo;
};

void TestKeychainRepository::initTestCase()
{
    QVERIFY2(test::secretServiceAvailable(),
        "No Secret Service on the session bus: run the tests through scripts/test.");
    QCOMPARE(m_secrets.service(), QStringLiteral("connector-desk"));
    m_store = std::make_unique<ConnectorStore>(m_data.path());
    m_repo = std::make_unique<ConnectorRepository>(m_store.get(), &m_secrets);
    QString error;
    QVERIFY(m_repo->load(&error));
}

QString TestKeychainRepository::lookup(const QString &key)
{
    const auto r = test::runProcess(QStringLiteral("secret-tool"),
        { QStringLiteral("lookup"), QStringLiteral("server"), QStringLiteral("connector-desk"),
            QStringLiteral("user"), key });
    return r.exitCode == 0 ? QString::fromUtf8(r.out) : QString();
}

void TestKeychainRepository::verifyNoFileContains(const QString &secret)
{
    const QByteArray needle = secret.toUtf8();
    QStringList hits = test::filesContaining(QDir::homePath(), needle);
    hits += test::filesContaining(m_data.path(), needle);
    QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1String(", "))));
}

RepositoryResult TestKeychainRepository::wait(const std::function<void(RepositoryCallback)> &op)
{
    bool done = false;
    RepositoryResult result;
    op([&](const RepositoryResult &r) {
        done = true;
        result = r;
    });
    if (!QTest::qWaitFor([&] { return done; }, 30000))
        result.error = QStringLiteral("timed out waiting for the repository");
    return result;
}

void TestKeychainRepository::addUpdateSwitchRemove()
{
    // Unique secrets, so a hit in a file can only come from this test.
    const QString password = QStringLiteral("pw-") + QUuid::createUuid().toString(QUuid::Id128);
    const QString password2 = QStringLiteral("pw2-") + QUuid::createUuid().toString(QUuid::Id128);
    const QString clientSecret = QStringLiteral("cs-") + QUuid::createUuid().toString(QUuid::Id128);

    Connector c;
    c.name = QStringLiteral("Keychain test");
    c.url = QStringLiteral("https://acme.jamacloud.com");
    c.identity = QStringLiteral("InterchangeServiceAccount");
    RepositoryResult r = wait([&](RepositoryCallback cb) { m_repo->add(c, password, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    const QUuid id = r.id;
    const QString basicKey = secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"));
    const QString oauthKey = secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("oauth"));
    QCOMPARE(lookup(basicKey), password);
    verifyNoFileContains(password);

    // Update without a new secret keeps it.
    c = *m_repo->find(id);
    c.name = QStringLiteral("Keychain test renamed");
    r = wait([&](RepositoryCallback cb) { m_repo->update(c, std::nullopt, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(lookup(basicKey), password);

    // Update with a new password replaces it.
    r = wait([&](RepositoryCallback cb) { m_repo->update(*m_repo->find(id), password2, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(lookup(basicKey), password2);
    verifyNoFileContains(password2);

    // Basic -> oAuth: the client secret is stored, the password no longer exists.
    c = *m_repo->find(id);
    c.authType = QStringLiteral("oauth");
    c.identity = QStringLiteral("client-id-1");
    r = wait([&](RepositoryCallback cb) { m_repo->update(c, clientSecret, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY2(r.warning.isEmpty(), qPrintable(r.warning));
    QCOMPARE(lookup(oauthKey), clientSecret);
    QCOMPARE(lookup(basicKey), QString());
    verifyNoFileContains(clientSecret);

    // Reading it back goes through the same store.
    bool read = false;
    QString readBack;
    m_repo->readSecret(id, this, [&](const SecretResult &r) {
        read = r.ok();
        readBack = r.secret;
    });
    QTRY_VERIFY(read);
    QCOMPARE(readBack, clientSecret);

    r = wait([&](RepositoryCallback cb) { m_repo->remove(id, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(lookup(oauthKey), QString());
    QCOMPARE(lookup(basicKey), QString());
    QVERIFY(m_repo->connectors().isEmpty());
    verifyNoFileContains(password);
    verifyNoFileContains(clientSecret);
}

void TestKeychainRepository::undoDeleteRestoresSecret()
{
    const QString password = QStringLiteral("undo-") + QUuid::createUuid().toString(QUuid::Id128);
    Connector c;
    c.name = QStringLiteral("Undo test");
    c.url = QStringLiteral("https://undo.jamacloud.com");
    c.identity = QStringLiteral("svc");
    RepositoryResult r = wait([&](RepositoryCallback cb) { m_repo->add(c, password, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    const QUuid id = r.id;
    const RepositoryResult removed = wait([&](RepositoryCallback cb) { m_repo->remove(id, cb); });
    QVERIFY2(removed.ok, qPrintable(removed.error));
    QCOMPARE(
        lookup(secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))), QString());
    r = wait([&](RepositoryCallback cb) { m_repo->restore(removed, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(
        lookup(secretKey(id, QStringLiteral("jama-connect"), QStringLiteral("basic"))), password);
    QVERIFY(m_repo->find(id).has_value());
    r = wait([&](RepositoryCallback cb) { m_repo->remove(id, cb); });
    QVERIFY(r.ok);
}

namespace {

// Three connectors of one service account, each with its own repository over the real
// keychain through a wrapper that can fail a chosen write: Production and Sandbox (Jama,
// Basic) have a password, Sandbox's was rejected at its last check; QA (Jira Data Center)
// was imported and has none yet.
struct Rotation
{
    QTemporaryDir dir;
    KeychainSecretStore keychain;
    FaultySecretStore faulty { &keychain };
    ConnectorStore store { dir.path() };
    ConnectorRepository repo { &store, &faulty };
    QHash<QString, QUuid> ids; // by name
    QHash<QString, QString> keys; // keychain key by name
    QHash<QString, QString> oldSecrets; // by name; none for QA
    QList<Connector> before; // as stored before the rotation

    bool setUp()
    {
        QString error;
        if (!repo.load(&error))
            return false;
        const QString account = QStringLiteral("svc-shared");
        for (const QString &name : { QStringLiteral("Production"), QStringLiteral("Sandbox") }) {
            const QString secret
                = QStringLiteral("old-%1-").arg(name) + QUuid::createUuid().toString(QUuid::Id128);
            const QUuid id = test::addConnector(&repo,
                test::makeConnector(name,
                    QStringLiteral("https://%1.jamacloud.com").arg(name.toLower()),
                    QStringLiteral("basic"), account),
                secret);
            if (id.isNull())
                return false;
            ids.insert(name, id);
            oldSecrets.insert(name, secret);
        }
        const QUuid qa = test::addWithoutSecret(&repo,
            test::makeConnector(QStringLiteral("QA"), QStringLiteral("https://jira.example.com"),
                QStringLiteral("basic"), account, QStringLiteral("jira-data-center")));
        if (qa.isNull())
            return false;
        ids.insert(QStringLiteral("QA"), qa);
        ValidationState rejected;
        rejected.status = ValidationStatus::Failed;
        rejected.credentialsRejected = true;
        rejected.message = QStringLiteral("The server rejected the username or password.");
        rejected.checkedAt = QDateTime::currentDateTimeUtc();
        if (!repo.setValidation(ids.value(QStringLiteral("Sandbox")), rejected, &error))
            return false;
        for (auto it = ids.cbegin(); it != ids.cend(); ++it)
            keys.insert(it.key(), secretKey(*repo.find(it.value())));
        before = onDisk();
        faulty.reset(); // the writes of the rotation are counted from 1
        return before.size() == 3 && repo.connectors() == before;
    }
    QList<QUuid> idsOf(const QStringList &names) const
    {
        QList<QUuid> list;
        for (const QString &n : names)
            list.append(ids.value(n));
        return list;
    }
    QList<Connector> onDisk() const
    {
        ConnectorStore again(dir.path());
        QList<Connector> list;
        QString error;
        again.load(&list, &error);
        return list;
    }
    int pendingMarks() const
    {
        return test::SqliteConnection(store.filePath())
            .value(QStringLiteral("SELECT count(*) FROM pending_secrets"))
            .toInt();
    }
    RepositoryResult rotate(const QStringList &names, const QString &secret)
    {
        return test::waitFor(
            [&](RepositoryCallback cb) { repo.rotateSecret(idsOf(names), secret, cb); }, 30000);
    }
    // Leaves nothing behind in the session's keychain.
    void tearDown()
    {
        faulty.reset();
        for (const QUuid &id : std::as_const(ids))
            test::waitFor([&](RepositoryCallback cb) { repo.remove(id, cb); }, 30000);
    }
};

} // namespace

void TestKeychainRepository::rotateSecretWritesEveryConnector()
{
    Rotation t;
    QVERIFY(t.setUp());
    const QString secret = QStringLiteral("rotated-") + QUuid::createUuid().toString(QUuid::Id128);
    // Production named twice: it counts once.
    const RepositoryResult r = t.rotate({ QStringLiteral("Production"), QStringLiteral("Sandbox"),
                                            QStringLiteral("QA"), QStringLiteral("Production") },
        secret);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.changed,
        t.idsOf({ QStringLiteral("Production"), QStringLiteral("Sandbox"), QStringLiteral("QA") }));
    QCOMPARE(t.faulty.writes(), 3);
    // Each under its own key (Jira Data Center's password is not Jama's).
    QVERIFY(t.keys.value(QStringLiteral("QA")).endsWith(QLatin1String("/jira-password")));
    for (const QString &key : std::as_const(t.keys))
        QCOMPARE(lookup(key), secret);
    // Checked again: not verified, the rejection of the old password gone, a secret stored.
    const QList<Connector> stored = t.onDisk();
    QCOMPARE(stored, t.repo.connectors());
    for (const Connector &c : stored) {
        QCOMPARE(c.validation.status, ValidationStatus::NotVerified);
        QVERIFY(!c.validation.credentialsRejected);
        QVERIFY(!c.validation.checkedAt.isValid());
        QCOMPARE(
            c.validation.message, QStringLiteral("The secret changed: check the connector again."));
        QVERIFY(!c.needsSecret);
    }
    QCOMPARE(t.pendingMarks(), 0);
    verifyNoFileContains(secret);
    t.tearDown();
}

void TestKeychainRepository::rotateSecretIsAllOrNothing_data()
{
    QTest::addColumn<QStringList>("order");
    QTest::addColumn<int>("failingWrite");
    QTest::addColumn<bool>("hang"); // the write never answers (a keychain waiting on a prompt)
    QTest::addColumn<QString>("failed");
    const QStringList order { "Production", "Sandbox", "QA" };
    QTest::newRow("second write fails") << order << 2 << false << "Sandbox";
    QTest::newRow("third write fails") << order << 3 << false << "QA";
    QTest::newRow("second write times out") << order << 2 << true << "Sandbox";
    // The one written first had no secret: it gets none again.
    QTest::newRow("second fails after one without a secret")
        << QStringList { "QA", "Sandbox", "Production" } << 2 << false << "Sandbox";
}

void TestKeychainRepository::rotateSecretIsAllOrNothing()
{
    QFETCH(QStringList, order);
    QFETCH(int, failingWrite);
    QFETCH(bool, hang);
    QFETCH(QString, failed);
    Rotation t;
    QVERIFY(t.setUp());
    if (hang) {
        t.faulty.setTimeout(1500);
        t.faulty.hangWrite(failingWrite);
    } else {
        t.faulty.failWrite(failingWrite);
    }
    const QString secret = QStringLiteral("rotated-") + QUuid::createUuid().toString(QUuid::Id128);
    const RepositoryResult r = t.rotate(order, secret);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QLatin1String("Nothing was changed.")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QStringLiteral("“%1”").arg(failed)), qPrintable(r.error));
    if (hang)
        QVERIFY2(r.error.contains(QLatin1String("did not answer")), qPrintable(r.error));
    QCOMPARE(r.id, t.ids.value(failed));
    QVERIFY(r.notRestored.isEmpty());
    QVERIFY(r.changed.isEmpty());
    // In the Secret Service: every connector has its previous secret, QA still none.
    QCOMPARE(lookup(t.keys.value(QStringLiteral("Production"))),
        t.oldSecrets.value(QStringLiteral("Production")));
    QCOMPARE(lookup(t.keys.value(QStringLiteral("Sandbox"))),
        t.oldSecrets.value(QStringLiteral("Sandbox")));
    QCOMPARE(lookup(t.keys.value(QStringLiteral("QA"))), QString());
    // And in the store, nothing: the rejection stands, QA still needs its secret.
    QCOMPARE(t.onDisk(), t.before);
    QCOMPARE(t.repo.connectors(), t.before);
    // A write that timed out keeps its mark until its answer comes (or the process ends).
    QCOMPARE(t.pendingMarks(), hang ? 1 : 0);
    verifyNoFileContains(secret);
    t.tearDown();
}

void TestKeychainRepository::rotateSecretReportsFailedRestore()
{
    const QString secret = QStringLiteral("rotated-") + QUuid::createUuid().toString(QUuid::Id128);
    {
        // Sandbox's write fails, then putting Production's previous password back fails too.
        Rotation t;
        QVERIFY(t.setUp());
        t.faulty.failWrite(2);
        t.faulty.failWrite(3);
        const RepositoryResult r = t.rotate(
            { QStringLiteral("Production"), QStringLiteral("Sandbox"), QStringLiteral("QA") },
            secret);
        QVERIFY(!r.ok);
        QVERIFY2(!r.error.contains(QLatin1String("Nothing was changed")), qPrintable(r.error));
        QVERIFY2(r.error.contains(QStringLiteral("for “Sandbox”")), qPrintable(r.error));
        QVERIFY2(r.error.contains(QStringLiteral("“Production” may now hold the new secret")),
            qPrintable(r.error));
        QCOMPARE(r.id, t.ids.value(QStringLiteral("Sandbox")));
        QCOMPARE(r.notRestored, t.idsOf({ QStringLiteral("Production") }));
        QCOMPARE(lookup(t.keys.value(QStringLiteral("Production"))), secret); // as said
        QCOMPARE(lookup(t.keys.value(QStringLiteral("Sandbox"))),
            t.oldSecrets.value(QStringLiteral("Sandbox")));
        QCOMPARE(lookup(t.keys.value(QStringLiteral("QA"))), QString());
        // Production's last result was of the previous password: checked again.
        const Connector production = *t.repo.find(t.ids.value(QStringLiteral("Production")));
        QCOMPARE(production.validation.status, ValidationStatus::NotVerified);
        QCOMPARE(production.validation.message,
            QStringLiteral("The secret changed: check the connector again."));
        QCOMPARE(t.onDisk(), t.repo.connectors());
        const Connector sandbox = *t.repo.find(t.ids.value(QStringLiteral("Sandbox")));
        QVERIFY(sandbox.validation.credentialsRejected);
        QVERIFY(t.repo.find(t.ids.value(QStringLiteral("QA")))->needsSecret);
        t.tearDown();
    }
    {
        // QA had no secret; taking the new one out again fails.
        Rotation t;
        QVERIFY(t.setUp());
        t.faulty.failWrite(2);
        t.faulty.failRemove(1);
        const RepositoryResult r
            = t.rotate({ QStringLiteral("QA"), QStringLiteral("Sandbox") }, secret);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("“QA” may now hold the new secret")),
            qPrintable(r.error));
        QCOMPARE(r.notRestored, t.idsOf({ QStringLiteral("QA") }));
        QCOMPARE(lookup(t.keys.value(QStringLiteral("QA"))), secret);
        QCOMPARE(lookup(t.keys.value(QStringLiteral("Sandbox"))),
            t.oldSecrets.value(QStringLiteral("Sandbox")));
        // Its mark stays: the next start of Connector Desk takes the secret out (its row says
        // it has none).
        QCOMPARE(t.pendingMarks(), 1);
        QVERIFY(t.repo.find(t.ids.value(QStringLiteral("QA")))->needsSecret);
        t.tearDown();
        QCOMPARE(lookup(t.keys.value(QStringLiteral("QA"))), QString());
    }
    verifyNoFileContains(secret);
}

QTEST_GUILESS_MAIN(TestKeychainRepository)
#include "tst_keychainrepository.moc"
