// Proves the test harness's Secret Service is real: QtKeychain writes a secret, the
// independent `secret-tool` reads the same secret back, QtKeychain deletes it, and
// `secret-tool` no longer finds it.
#include "TestSupport.h"

#include <QSignalSpy>
#include <QTest>
#include <QUuid>
#include <qt6keychain/keychain.h>

class TestSecretService : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void writeLookupDelete();

private:
    static QKeychain::Error runJob(QKeychain::Job *job);
};

void TestSecretService::initTestCase()
{
    QVERIFY2(cd::test::secretServiceAvailable(),
        "No Secret Service on the session bus: run the tests through scripts/test, "
        "which starts a throwaway gnome-keyring.");
}

QKeychain::Error TestSecretService::runJob(QKeychain::Job *job)
{
    QSignalSpy finished(job, &QKeychain::Job::finished);
    job->start();
    if (!finished.wait(20000))
        return QKeychain::OtherError;
    return job->error();
}

void TestSecretService::writeLookupDelete()
{
    const QString service = QStringLiteral("connector-desk-harness-test");
    const QString key = QStringLiteral("connector/%1/password")
                            .arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    const QString secret = QStringLiteral("harness-%1").arg(QUuid::createUuid().toString());

    auto *write = new QKeychain::WritePasswordJob(service, this);
    write->setInsecureFallback(false);
    write->setKey(key);
    write->setTextData(secret);
    QCOMPARE(runJob(write), QKeychain::NoError);

    const auto lookup = cd::test::runProcess(QStringLiteral("secret-tool"),
        { QStringLiteral("lookup"), QStringLiteral("server"), service, QStringLiteral("user"),
            key });
    QCOMPARE(lookup.exitCode, 0);
    QCOMPARE(QString::fromUtf8(lookup.out).trimmed(), secret);

    auto *del = new QKeychain::DeletePasswordJob(service, this);
    del->setKey(key);
    QCOMPARE(runJob(del), QKeychain::NoError);

    const auto gone = cd::test::runProcess(QStringLiteral("secret-tool"),
        { QStringLiteral("lookup"), QStringLiteral("server"), service, QStringLiteral("user"),
            key });
    QVERIFY(gone.out.trimmed().isEmpty());
    QVERIFY(gone.exitCode != 0);
}

QTEST_GUILESS_MAIN(TestSecretService)
#include "tst_secretservice.moc"
