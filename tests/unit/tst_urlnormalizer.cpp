#include "UrlNormalizer.h"
#include "jama/JamaProvider.h"
#include "jira/JiraProvider.h"

#include <QTest>

using namespace cd;

class TestUrlNormalizer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void jira_data();
    void jira();
};

void TestUrlNormalizer::accepted_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("warns");
    QTest::newRow("IPv6 literal with port") << "https://[::1]:8443/rest/v1"
                                            << "https://[::1]:8443" << false;
    QTest::newRow("IPv6 literal, no scheme") << "[fe80::1]/contour"
                                             << "https://[fe80::1]/contour" << false;
    QTest::newRow("port then query") << "https://jama.example.com:8443?x=1"
                                     << "https://jama.example.com:8443" << false;
    QTest::newRow("port then fragment") << "https://jama.example.com:8443#/home"
                                        << "https://jama.example.com:8443" << false;
    QTest::newRow("cloud") << "https://acme.jamacloud.com"
                           << "https://acme.jamacloud.com" << false;
    QTest::newRow("no scheme") << "acme.jamacloud.com"
                               << "https://acme.jamacloud.com" << false;
    QTest::newRow("surrounding spaces") << "  acme.jamacloud.com/  "
                                        << "https://acme.jamacloud.com" << false;
    QTest::newRow("upper-case host") << "https://ACME.JamaCloud.com"
                                     << "https://acme.jamacloud.com" << false;
    QTest::newRow("trailing slashes") << "https://acme.jamacloud.com///"
                                      << "https://acme.jamacloud.com" << false;
    QTest::newRow("rest") << "https://acme.jamacloud.com/rest"
                          << "https://acme.jamacloud.com" << false;
    QTest::newRow("rest v1") << "https://acme.jamacloud.com/rest/v1/"
                             << "https://acme.jamacloud.com" << false;
    QTest::newRow("rest latest") << "https://acme.jamacloud.com/rest/latest"
                                 << "https://acme.jamacloud.com" << false;
    QTest::newRow("rest api call") << "https://acme.jamacloud.com/rest/v1/users/current"
                                   << "https://acme.jamacloud.com" << false;
    QTest::newRow("login page") << "https://acme.jamacloud.com/login.req"
                                << "https://acme.jamacloud.com" << false;
    QTest::newRow("login page query") << "https://acme.jamacloud.com/login.req?x=1#top"
                                      << "https://acme.jamacloud.com" << false;
    QTest::newRow("context path") << "https://jama.example.com/contour"
                                  << "https://jama.example.com/contour" << false;
    QTest::newRow("context path + rest") << "https://jama.example.com/contour/rest/v1"
                                         << "https://jama.example.com/contour" << false;
    QTest::newRow("context path + login") << "jama.example.com/contour/login.req"
                                          << "https://jama.example.com/contour" << false;
    QTest::newRow("explicit port") << "https://jama.example.com:8443/jama/"
                                   << "https://jama.example.com:8443/jama" << false;
    QTest::newRow("explicit default port kept") << "https://jama.example.com:443"
                                                << "https://jama.example.com:443" << false;
    QTest::newRow("host and port, no scheme") << "jama.example.com:8443"
                                              << "https://jama.example.com:8443" << false;
    QTest::newRow("http warns") << "http://host:8080/jama"
                                << "http://host:8080/jama" << true;
    QTest::newRow("HTTPS upper-case scheme") << "HTTPS://acme.jamacloud.com"
                                             << "https://acme.jamacloud.com" << false;
    QTest::newRow("ip address") << "https://10.0.0.5/jama"
                                << "https://10.0.0.5/jama" << false;
    QTest::newRow("path named rest-api kept") << "https://h.example.com/rest-api"
                                              << "https://h.example.com/rest-api" << false;
}

void TestUrlNormalizer::accepted()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(bool, warns);
    const NormalizedUrl r = jama::normalizeUrl(input);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.url, expected);
    QCOMPARE(!r.warning.isEmpty(), warns);
    QVERIFY(r.error.isEmpty());
    // Normalising is idempotent.
    QCOMPARE(jama::normalizeUrl(r.url).url, expected);
}

void TestUrlNormalizer::refused_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << ""
                           << "Enter the URL";
    QTest::newRow("blank") << "   "
                           << "Enter the URL";
    QTest::newRow("space inside") << "https://acme jamacloud.com"
                                  << "spaces";
    QTest::newRow("ftp") << "ftp://acme.jamacloud.com"
                         << "not supported";
    QTest::newRow("file") << "file:///etc/passwd"
                          << "not supported";
    QTest::newRow("javascript") << "javascript://alert(1)"
                                << "not supported";
    QTest::newRow("user and password") << "https://svc:hunter2@acme.jamacloud.com"
                                       << "user name and password";
    QTest::newRow("user only") << "https://svc@acme.jamacloud.com"
                               << "user name and password";
    QTest::newRow("no scheme with password") << "svc:pw@acme.jamacloud.com"
                                             << "user name and password";
    QTest::newRow("no host") << "https://"
                             << "host";
    QTest::newRow("only path") << "https:///rest/v1"
                               << "host";
    QTest::newRow("scheme separator only") << "://acme"
                                           << "host";
    QTest::newRow("port too large") << "127.0.0.1:99999"
                                    << "The port 99999 is not valid: use a number from 1 to 65535";
    QTest::newRow("port zero") << "https://acme.jamacloud.com:0"
                               << "The port 0 is not valid";
    QTest::newRow("port not a number") << "https://acme.jamacloud.com:https"
                                       << "“https” is not a port number";
    QTest::newRow("IPv6 port too large") << "https://[::1]:70000"
                                         << "The port 70000 is not valid";
}

void TestUrlNormalizer::refused()
{
    QFETCH(QString, input);
    QFETCH(QString, reason);
    const NormalizedUrl r = jama::normalizeUrl(input);
    QVERIFY2(!r.ok, qPrintable(r.url));
    QVERIFY(r.url.isEmpty());
    QVERIFY2(r.error.contains(reason, Qt::CaseInsensitive), qPrintable(r.error));
    // Never the URL parser's own words (e.g. 'source was "..."; scheme = "https"').
    QVERIFY2(!r.error.contains(QLatin1String("source was")), qPrintable(r.error));
    // The refusal never repeats a secret from the input.
    QVERIFY(!r.error.contains(QLatin1String("hunter2")));
}

void TestUrlNormalizer::jira_data()
{
    QTest::addColumn<bool>("cloud");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("warns");
    // Cloud: browser URLs are pages of the site; the site is its root.
    QTest::newRow("cloud site") << true << "acme.atlassian.net"
                                << "https://acme.atlassian.net" << false;
    QTest::newRow("cloud board") << true
                                 << "https://acme.atlassian.net/jira/software/projects/KEY/"
                                    "boards/1"
                                 << "https://acme.atlassian.net" << false;
    QTest::newRow("cloud issue") << true << "https://ACME.atlassian.net/browse/KEY-123"
                                 << "https://acme.atlassian.net" << false;
    QTest::newRow("cloud dashboard") << true << "https://acme.atlassian.net/secure/Dashboard.jspa"
                                     << "https://acme.atlassian.net" << false;
    QTest::newRow("cloud api") << true << "https://acme.atlassian.net/rest/api/3/myself?x=1"
                               << "https://acme.atlassian.net" << false;
    QTest::newRow("cloud elsewhere warns") << true << "https://jira.example.com/jira"
                                           << "https://jira.example.com" << true;
    QTest::newRow("cloud loopback: only the http warning") << true << "http://127.0.0.1:8080"
                                                           << "http://127.0.0.1:8080" << true;
    // Data Center: the context path stays, the page below it goes.
    QTest::newRow("dc root") << false << "jira.example.com"
                             << "https://jira.example.com" << false;
    QTest::newRow("dc context") << false << "https://jira.example.com/jira/"
                                << "https://jira.example.com/jira" << false;
    QTest::newRow("dc issue") << false << "https://jira.example.com/jira/browse/KEY-1"
                              << "https://jira.example.com/jira" << false;
    QTest::newRow("dc board") << false
                              << "https://jira.example.com/secure/RapidBoard.jspa?rapidView=1"
                              << "https://jira.example.com" << false;
    QTest::newRow("dc api") << false << "https://jira.example.com:8443/jira/rest/api/2/myself"
                            << "https://jira.example.com:8443/jira" << false;
    QTest::newRow("dc login") << false << "https://jira.example.com/tools/login.jsp"
                              << "https://jira.example.com/tools" << false;
    QTest::newRow("dc projects") << false << "https://jira.example.com/projects/KEY/issues"
                                 << "https://jira.example.com" << false;
}

void TestUrlNormalizer::jira()
{
    QFETCH(bool, cloud);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(bool, warns);
    const NormalizedUrl r
        = cloud ? jira::normalizeCloudUrl(input) : jira::normalizeDataCenterUrl(input);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.url, expected);
    QCOMPARE(!r.warning.isEmpty(), warns);
    // Idempotent: the saved form normalises to itself.
    const NormalizedUrl again
        = cloud ? jira::normalizeCloudUrl(r.url) : jira::normalizeDataCenterUrl(r.url);
    QCOMPARE(again.url, expected);
    // The rules every application shares hold for Jira too.
    const NormalizedUrl withPassword = cloud
        ? jira::normalizeCloudUrl(QStringLiteral("https://u:pw@acme.atlassian.net"))
        : jira::normalizeDataCenterUrl(QStringLiteral("https://u:pw@jira.example.com"));
    QVERIFY(!withPassword.ok);
}

QTEST_GUILESS_MAIN(TestUrlNormalizer)
#include "tst_urlnormalizer.moc"
