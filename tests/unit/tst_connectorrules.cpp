#include "ConnectorRules.h"
#include "Text.h"

#include <QTest>

using namespace cd;

class TestConnectorRules : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void projects_data();
    void projects();
    void fields_data();
    void fields();
    void secretWhenEditing();
    void duplicateInstance();
    void uniqueName();

private:
    static QList<Connector> existing();
};

QList<Connector> TestConnectorRules::existing()
{
    Connector a;
    a.id = QUuid::createUuid();
    a.name = QStringLiteral("Acme Production");
    a.url = QStringLiteral("https://acme.jamacloud.com");
    a.identity = QStringLiteral("svc");
    Connector b;
    b.id = QUuid::createUuid();
    b.name = QStringLiteral("Lab");
    b.url = QStringLiteral("https://jama.lab.example.com/contour");
    b.authType = QStringLiteral("oauth");
    b.identity = QStringLiteral("client-1");
    return { a, b };
}

static ConnectorDraft goodDraft()
{
    ConnectorDraft d;
    d.application = QStringLiteral("jama-connect");
    d.name = QStringLiteral("New one");
    d.url = QStringLiteral("new.jamacloud.com");
    d.identity = QStringLiteral("InterchangeServiceAccount");
    d.secret = QStringLiteral("pw");
    return d;
}

void TestConnectorRules::fields_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("errorField"); // empty: valid
    QTest::addColumn<QString>("contains");

    QTest::newRow("all good") << ""
                              << ""
                              << ""
                              << "";
    QTest::newRow("name empty") << "name"
                                << ""
                                << "name"
                                << "Enter a name";
    QTest::newRow("name blank") << "name"
                                << "   "
                                << "name"
                                << "Enter a name";
    QTest::newRow("name 100 chars") << "name" << QString(100, QLatin1Char('n')) << ""
                                    << "";
    QTest::newRow("name 101 chars") << "name" << QString(101, QLatin1Char('n')) << "name"
                                    << "at most 100";
    QTest::newRow("name taken") << "name"
                                << "Acme Production"
                                << "name"
                                << "already exists";
    QTest::newRow("name taken other case, spaces") << "name"
                                                   << "  acme PRODUCTION "
                                                   << "name"
                                                   << "already exists";
    QTest::newRow("url empty") << "url"
                               << ""
                               << "url"
                               << "Enter the URL";
    QTest::newRow("url with password") << "url"
                                       << "https://a:b@h.com"
                                       << "url"
                                       << "user name";
    QTest::newRow("url ftp") << "url"
                             << "ftp://h.com"
                             << "url"
                             << "not supported";
    QTest::newRow("username empty") << "identity"
                                    << ""
                                    << "identity"
                                    << "username";
    QTest::newRow("secret empty when adding") << "secret"
                                              << ""
                                              << "secret"
                                              << "password";
    QTest::newRow("application unknown") << "application"
                                         << "jira"
                                         << "application"
                                         << "application";
}

void TestConnectorRules::fields()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, errorField);
    QFETCH(QString, contains);
    ConnectorDraft d = goodDraft();
    if (field == "name")
        d.name = value;
    else if (field == "url")
        d.url = value;
    else if (field == "identity")
        d.identity = value;
    else if (field == "secret")
        d.secret = value;
    else if (field == "application")
        d.application = value;
    const DraftCheck c = ConnectorRules::check(d, existing());
    const QHash<QString, QString> errors { { "name", c.name }, { "url", c.url },
        { "identity", c.identity }, { "secret", c.secret }, { "application", c.application } };
    for (auto it = errors.begin(); it != errors.end(); ++it) {
        if (it.key() == errorField)
            QVERIFY2(it.value().contains(contains, Qt::CaseInsensitive), qPrintable(it.value()));
        else
            QVERIFY2(it.value().isEmpty(), qPrintable(it.key() + ": " + it.value()));
    }
    QCOMPARE(c.isValid(), errorField.isEmpty());
}

void TestConnectorRules::secretWhenEditing()
{
    const QList<Connector> all = existing();
    const Connector &basic = all.first();
    ConnectorDraft d = goodDraft();
    d.id = basic.id;
    d.name = basic.name; // its own name is not a duplicate
    d.url = basic.url;
    d.secret.clear();
    QVERIFY(ConnectorRules::check(d, all, &basic).isValid()); // empty = keep the stored one
    d.authType = QStringLiteral("oauth");
    const DraftCheck c = ConnectorRules::check(d, all, &basic);
    QVERIFY(!c.isValid());
    QVERIFY(c.secret.contains(QLatin1String("Client Secret")));
    QVERIFY(c.identity.isEmpty());
    d.identity.clear();
    QVERIFY(ConnectorRules::check(d, all, &basic).identity.contains(QLatin1String("Client ID")));
}

void TestConnectorRules::duplicateInstance()
{
    const QList<Connector> all = existing();
    ConnectorDraft d = goodDraft();
    d.url = QStringLiteral("HTTPS://ACME.jamacloud.com/rest/v1/");
    DraftCheck c = ConnectorRules::check(d, all);
    QVERIFY(c.isValid()); // a notice, not an error
    QCOMPARE(c.duplicateOf, all.first().id);
    QVERIFY(c.duplicateNotice.contains(QLatin1String("Acme Production")));

    d.url = QStringLiteral("jama.lab.example.com/contour/login.req");
    c = ConnectorRules::check(d, all);
    QCOMPARE(c.duplicateOf, all.at(1).id);

    // Another context path on the same host is another instance.
    d.url = QStringLiteral("jama.lab.example.com/other");
    QVERIFY(ConnectorRules::check(d, all).duplicateOf.isNull());

    // Editing a connector does not find itself.
    d.id = all.first().id;
    d.name = all.first().name;
    d.url = all.first().url;
    QVERIFY(ConnectorRules::check(d, all, &all.first()).duplicateOf.isNull());
}

void TestConnectorRules::uniqueName()
{
    const QString copy = QStringLiteral(" (copy)");
    const QString copyN = QStringLiteral(" (copy %1)");
    QList<Connector> all = existing();
    QCOMPARE(ConnectorRules::uniqueName(QStringLiteral("Lab"), copy, copyN, all),
        QStringLiteral("Lab (copy)"));
    Connector taken;
    taken.id = QUuid::createUuid();
    taken.name = QStringLiteral("lab (COPY)");
    all << taken;
    QCOMPARE(ConnectorRules::uniqueName(QStringLiteral("Lab"), copy, copyN, all),
        QStringLiteral("Lab (copy 2)"));
    // A name at the length limit is shortened, never the suffix.
    const QString longName(ConnectorRules::kMaxNameLength, QLatin1Char('x'));
    const QString made = ConnectorRules::uniqueName(longName, copy, copyN, all);
    QCOMPARE(made.size(), ConnectorRules::kMaxNameLength);
    QVERIFY(made.endsWith(copy));
    QVERIFY(ConnectorRules::checkName(made, all, QUuid()).isEmpty());
}

void TestConnectorRules::projects_data()
{
    QTest::addColumn<QStringList>("entries");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("problem"); // a part of the message; empty: accepted
    QTest::newRow("empty") << QStringList() << QStringList() << QString();
    QTest::newRow("blank") << QStringList { "  ", "," } << QStringList() << QString();
    QTest::newRow("one") << QStringList { "ACME" } << QStringList { "ACME" } << QString();
    QTest::newRow("separators") << QStringList { " ACME, DEMO;TEST  QA " }
                                << QStringList { "ACME", "DEMO", "TEST", "QA" } << QString();
    QTest::newRow("duplicates ignoring case") << QStringList { "ACME", "acme", "DEMO,ACME" }
                                              << QStringList { "ACME", "DEMO" } << QString();
    QTest::newRow("ids and dashes")
        << QStringList { "20", "MY_PROJ-2" } << QStringList { "20", "MY_PROJ-2" } << QString();
    QTest::newRow("html") << QStringList { "<b>x</b>" } << QStringList() << "is not a project key";
    QTest::newRow("escape") << QStringList { "A\x1b[31m" } << QStringList()
                            << "control character U+001B";
    QTest::newRow("bidi") << QStringList { QString::fromUtf8("A\u202EB") } << QStringList()
                          << "control character";
    QTest::newRow("too long") << QStringList { QString(65, QLatin1Char('A')) } << QStringList()
                              << "too long";
    QStringList many;
    for (int i = 0; i <= ConnectorRules::kMaxProjects; ++i)
        many << QStringLiteral("P%1").arg(i);
    QTest::newRow("too many") << many << QStringList() << "Too many projects";
}

void TestConnectorRules::projects()
{
    QFETCH(QStringList, entries);
    QFETCH(QStringList, expected);
    QFETCH(QString, problem);
    QStringList out { QStringLiteral("unchanged") };
    const QString said = ConnectorRules::parseProjects(entries, &out);
    if (problem.isEmpty()) {
        QVERIFY2(said.isEmpty(), qPrintable(said));
        QCOMPARE(out, expected);
    } else {
        QVERIFY2(said.contains(problem), qPrintable(said));
        QCOMPARE(out, QStringList { QStringLiteral("unchanged") }); // nothing half-parsed
        QCOMPARE(Text::firstControl(said), char32_t(0));
    }
    // The dialog's draft goes through the same rules.
    ConnectorDraft d;
    d.application = QStringLiteral("jama-connect");
    d.name = QStringLiteral("N");
    d.url = QStringLiteral("https://jama.example.com");
    d.identity = QStringLiteral("svc");
    d.secret = QStringLiteral("s");
    d.projects = entries.join(QLatin1Char(','));
    const DraftCheck check = ConnectorRules::check(d, {});
    QCOMPARE(check.projects.isEmpty(), problem.isEmpty());
    if (problem.isEmpty())
        QCOMPARE(check.normalizedProjects, expected);
}

QTEST_GUILESS_MAIN(TestConnectorRules)
#include "tst_connectorrules.moc"
