#include "Log.h"

#include <QTest>

using namespace cd;

class TestLog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void redact_data();
    void redact();
    void redactHeaders();
    void categoriesQuietByDefault();
};

void TestLog::redact_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("kept");

    QTest::newRow("basic header") << "Authorization: Basic dXNlcjpodW50ZXIy"
                                  << "dXNlcjpodW50ZXIy"
                                  << "Authorization: ";
    QTest::newRow("bearer header lower case") << "authorization: Bearer eyJhbGciOi.abc.def\nnext"
                                              << "eyJhbGciOi"
                                              << "\nnext";
    QTest::newRow("proxy header") << "Proxy-Authorization: Basic c2VjcmV0"
                                  << "c2VjcmV0"
                                  << "Proxy-Authorization";
    QTest::newRow("url user info") << "GET https://svc:hunter2@jama.example.com/rest/v1"
                                   << "hunter2"
                                   << "https://jama.example.com/rest/v1";
    QTest::newRow("json token") << R"({"access_token":"abc.def\"ghi","token_type":"Bearer"})"
                                << "abc.def"
                                << "\"token_type\":\"Bearer\"";
    QTest::newRow("json password") << R"({"password" : "p@ss"})"
                                   << "p@ss"
                                   << "password";
    QTest::newRow("form secret") << "grant_type=client_credentials&client_secret=s3cr3t&x=1"
                                 << "s3cr3t"
                                 << "grant_type=client_credentials";
    QTest::newRow("cookie") << "Cookie: JSESSIONID=abcdef"
                            << "abcdef"
                            << "Cookie";
}

void TestLog::redact()
{
    QFETCH(QString, input);
    QFETCH(QString, secret);
    QFETCH(QString, kept);
    const QString out = Log::redact(input);
    QVERIFY2(!out.contains(secret), qPrintable(out));
    QVERIFY2(out.contains(kept), qPrintable(out));
}

void TestLog::redactHeaders()
{
    const QList<QPair<QByteArray, QByteArray>> in { { "Content-Type", "application/json" },
        { "Authorization", "Basic Zm9vOmJhcg==" } };
    const auto out = Log::redactHeaders(in);
    QCOMPARE(out.size(), 2);
    QCOMPARE(out[0].second, QByteArray("application/json"));
    QCOMPARE(out[1].second, QByteArray("<redacted>"));
}

void TestLog::categoriesQuietByDefault()
{
    QVERIFY(!lcStore().isDebugEnabled());
    QVERIFY(!lcKeychain().isInfoEnabled());
    QVERIFY(lcNet().isWarningEnabled());
    Log::enableVerbose();
    QVERIFY(lcStore().isDebugEnabled());
    QVERIFY(lcNet().isDebugEnabled());
}

QTEST_GUILESS_MAIN(TestLog)
#include "tst_log.moc"
