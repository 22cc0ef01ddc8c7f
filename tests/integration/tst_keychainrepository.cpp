// The repository against the real Secret Service of the test harness: every change is
// checked with the independent `secret-tool`, and after each one no file under HOME or the
// data folder contains the secret.
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
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

QTEST_GUILESS_MAIN(TestKeychainRepository)
#include "tst_keychainrepository.moc"
