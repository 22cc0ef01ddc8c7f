// The import/export format: pure functions, data-driven.
#include "Exchange.h"
#include "Text.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cd;

namespace {

Connector makeConnector(
    const QString &name, const QString &url, QString type, const QString &identity)
{
    Connector c;
    c.id = QUuid::createUuid();
    c.name = name;
    c.url = url;
    c.authType = type;
    c.identity = identity;
    return c;
}

QByteArray fileWith(const QJsonArray &connectors, int schemaVersion = 1)
{
    QJsonObject top;
    top.insert(QStringLiteral("format"), QStringLiteral("connector-desk-connectors"));
    top.insert(QStringLiteral("schemaVersion"), schemaVersion);
    top.insert(QStringLiteral("connectors"), connectors);
    return QJsonDocument(top).toJson();
}

QJsonObject entry(const QString &name = QStringLiteral("Prod"),
    const QString &url = QStringLiteral("https://acme.jamacloud.com"))
{
    return QJsonObject { { QStringLiteral("application"), QStringLiteral("jama-connect") },
        { QStringLiteral("name"), name }, { QStringLiteral("url"), url },
        { QStringLiteral("verifySsl"), true },
        { QStringLiteral("authType"), QStringLiteral("basic") },
        { QStringLiteral("username"), QStringLiteral("svc") } };
}

} // namespace

class TestExchange : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void exportHasFieldsAndNoSecret();
    void roundTrip();
    void badFiles_data();
    void badFiles();
    void reportsEveryProblem();
    void normalisesAndDefaults();
    void duplicates_data();
    void duplicates();
    void nameClashIsRenamed();
    void replaceKeepsIdentityAndState();
    void sameAccountTwiceIsAccepted();
    void jiraEntries();
    void projectsTravel();
    void tokensWithoutIdentityMatchByName();
    void ownExportOfSameAccountRoundTrips();
    void weakeningNeedsConsent_data();
    void weakeningNeedsConsent();
};

void TestExchange::exportHasFieldsAndNoSecret()
{
    Connector basic
        = makeConnector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"),
            QStringLiteral("basic"), QStringLiteral("svc"));
    basic.pinnedCertificateSha256 = QByteArray(32, '\xab');
    basic.verifySsl = false;
    basic.validation.status = ValidationStatus::Verified;
    basic.validation.message = QStringLiteral("checked");
    Connector oauth
        = makeConnector(QStringLiteral("Test"), QStringLiteral("https://jama.example.com/contour"),
            QStringLiteral("oauth"), QStringLiteral("client-1"));
    const QByteArray data = Exchange::exportConnectors(
        { basic, oauth }, QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC));
    const QJsonObject top = QJsonDocument::fromJson(data).object();
    QCOMPARE(top.value(QStringLiteral("format")).toString(),
        QStringLiteral("connector-desk-connectors"));
    QCOMPARE(top.value(QStringLiteral("schemaVersion")).toInt(), 1);
    QCOMPARE(
        top.value(QStringLiteral("exportedAt")).toString(), QStringLiteral("2024-05-01T10:00:00Z"));
    const QJsonArray list = top.value(QStringLiteral("connectors")).toArray();
    QCOMPARE(list.size(), 2);
    const QJsonObject b = list.at(0).toObject();
    QCOMPARE(b.keys(),
        (QStringList { "application", "authType", "name", "pinnedCertificateSha256", "projects",
            "url", "username", "verifySsl" }));
    QCOMPARE(b.value(QStringLiteral("verifySsl")).toBool(), false);
    QCOMPARE(b.value(QStringLiteral("pinnedCertificateSha256")).toString(),
        QStringLiteral("ab").repeated(32));
    const QJsonObject o = list.at(1).toObject();
    QCOMPARE(o.value(QStringLiteral("authType")).toString(), QStringLiteral("oauth"));
    QCOMPARE(o.value(QStringLiteral("clientId")).toString(), QStringLiteral("client-1"));
    QVERIFY(!o.contains(QStringLiteral("username")));
    // No id, no state, nothing secret-like.
    for (const char *word : { "id\"", "password", "secret", "token", "validation", "checked" })
        QVERIFY2(!data.contains(word), word);
}

void TestExchange::roundTrip()
{
    Connector a
        = makeConnector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"),
            QStringLiteral("basic"), QStringLiteral("svc"));
    a.pinnedCertificateSha256 = QByteArray::fromHex(QByteArray("01").repeated(32));
    Connector b = makeConnector(QStringLiteral("Test"), QStringLiteral("http://jama:8080/jama"),
        QStringLiteral("oauth"), QStringLiteral("cid"));
    b.verifySsl = false;
    const Exchange::ImportPlan plan
        = Exchange::parseImport(Exchange::exportConnectors({ a, b }), {});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    QCOMPARE(plan.entries.size(), 2);
    for (int i = 0; i < 2; ++i) {
        const Connector &in = i == 0 ? a : b;
        const Connector &got = plan.entries.at(i).connector;
        QCOMPARE(plan.entries.at(i).index, i);
        QVERIFY(got.id.isNull());
        QCOMPARE(got.name, in.name);
        QCOMPARE(got.url, in.url);
        QCOMPARE(got.verifySsl, in.verifySsl);
        QCOMPARE(got.authType, in.authType);
        QCOMPARE(got.identity, in.identity);
        QCOMPARE(got.pinnedCertificateSha256, in.pinnedCertificateSha256);
        QCOMPARE(got.application, in.application);
    }
}

void TestExchange::badFiles_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("error"); // a part of the (only) error

    auto with = [](const QString &key, const QJsonValue &value) {
        QJsonObject e = entry();
        if (value.isNull()) // QJsonValue(): leave the field out
            e.remove(key);
        else
            e.insert(key, value);
        return fileWith({ e });
    };
    QTest::newRow("not json") << QByteArray("{\"format\":") << "not valid JSON";
    QTest::newRow("array") << QByteArray("[]") << "expected a JSON object";
    QTest::newRow("wrong format") << QByteArray(
        R"({"format":"other","schemaVersion":1,"connectors":[]})")
                                  << "format:";
    QTest::newRow("newer schema") << fileWith({}, 2) << "newer Connector Desk";
    QTest::newRow("schema not a number") << QByteArray(
        R"({"format":"connector-desk-connectors","schemaVersion":"1","connectors":[]})")
                                         << "schemaVersion:";
    QTest::newRow("no connectors")
        << QByteArray(R"({"format":"connector-desk-connectors","schemaVersion":1})")
        << "connectors:";
    QTest::newRow("entry not object") << fileWith({ 3 }) << "connectors[0]: expected an object";
    QTest::newRow("missing name") << with(QStringLiteral("name"), QJsonValue())
                                  << "connectors[0].name: missing";
    QTest::newRow("empty name") << with(QStringLiteral("name"), QStringLiteral("  "))
                                << "connectors[0].name: empty";
    QTest::newRow("long name") << with(QStringLiteral("name"), QString(101, QLatin1Char('n')))
                               << "connectors[0].name: The name is too long";
    QTest::newRow("bad url") << with(QStringLiteral("url"), QStringLiteral("ftp://x"))
                             << "connectors[0].url:";
    QTest::newRow("url with password")
        << with(QStringLiteral("url"), QStringLiteral("https://u:pw@acme.jamacloud.com"))
        << "connectors[0].url:";
    QTest::newRow("url not string")
        << with(QStringLiteral("url"), 5) << "connectors[0].url: expected a string";
    QTest::newRow("unknown application") << with(QStringLiteral("application"),
        QStringLiteral("jira")) << "connectors[0].application: unknown application";
    QTest::newRow("bad auth") << with(QStringLiteral("authType"), QStringLiteral("saml"))
                              << "connectors[0].authType:";
    QTest::newRow("verifySsl string")
        << with(QStringLiteral("verifySsl"), QStringLiteral("yes")) << "connectors[0].verifySsl:";
    QTest::newRow("missing username")
        << with(QStringLiteral("username"), QJsonValue()) << "connectors[0].username: missing";
    QTest::newRow("clientId with basic") << with(QStringLiteral("clientId"), QStringLiteral("c"))
                                         << "connectors[0].clientId: not used";
    QTest::newRow("bad fingerprint") << with(QStringLiteral("pinnedCertificateSha256"),
        QStringLiteral("abcd")) << "connectors[0].pinnedCertificateSha256:";
    QTest::newRow("password field") << with(QStringLiteral("password"), QStringLiteral("x"))
                                    << "connectors[0].password: secrets are never imported";
    QTest::newRow("clientSecret field") << with(QStringLiteral("client_secret"),
        QStringLiteral("x")) << "connectors[0].client_secret: secrets are never imported";
    QTest::newRow("escape sequence in a name")
        << fileWith({ entry(QStringLiteral("A\x1b]52;c;aGk=\x07")) })
        << "connectors[0].name: The name contains the control character U+001B";
    QTest::newRow("bidi override in a name")
        << fileWith({ entry(QStringLiteral("Prod\u202Eevil")) })
        << "connectors[0].name: The name contains the control character U+202E";
    QTest::newRow("C1 control in a name") << fileWith({ entry(QStringLiteral("Pro\u0085d")) })
                                          << "connectors[0].name: The name contains the "
                                             "control character U+0085";
    QTest::newRow("same name twice")
        << fileWith({ entry(QStringLiteral("A")),
               entry(QStringLiteral("a"), QStringLiteral("https://other.jamacloud.com")) })
        << "connectors[1].name: the name \"a\" is also used by connectors[0]";
}

void TestExchange::badFiles()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, error);
    const Exchange::ImportPlan plan = Exchange::parseImport(data, {});
    QVERIFY(!plan.ok());
    QVERIFY(plan.entries.isEmpty()); // a bad file imports nothing
    QCOMPARE(plan.errors.size(), 1);
    QVERIFY2(plan.errors.first().contains(error), qPrintable(plan.errors.first()));
}

void TestExchange::reportsEveryProblem()
{
    QJsonObject bad1 = entry(QStringLiteral("One"));
    bad1.insert(QStringLiteral("url"), QStringLiteral("not a url"));
    QJsonObject bad3
        = entry(QStringLiteral("Three"), QStringLiteral("https://three.jamacloud.com"));
    bad3.insert(
        QStringLiteral("authType"), QStringLiteral("oauth")); // username given, clientId missing
    bad3.insert(QStringLiteral("verifySsl"), 1);
    const QByteArray data = fileWith(
        { entry(QStringLiteral("Zero"), QStringLiteral("https://zero.jamacloud.com")), bad1,
            entry(QStringLiteral("Two"), QStringLiteral("https://two.jamacloud.com")), bad3 });
    const Exchange::ImportPlan plan = Exchange::parseImport(data, {});
    QVERIFY(!plan.ok());
    QVERIFY(plan.entries.isEmpty());
    const QString all = plan.errors.join(QLatin1Char('\n'));
    QCOMPARE(plan.errors.size(), 4);
    QVERIFY2(all.contains(QStringLiteral("connectors[1].url:")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("connectors[3].verifySsl:")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("connectors[3].username: not used")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("connectors[3].clientId: missing")), qPrintable(all));
}

void TestExchange::normalisesAndDefaults()
{
    QJsonObject e
        = entry(QStringLiteral("  Spaced  "), QStringLiteral("ACME.jamacloud.com/rest/v1/"));
    e.remove(QStringLiteral("verifySsl"));
    e.insert(QStringLiteral("pinnedCertificateSha256"),
        QStringLiteral("AB:").repeated(31) + QStringLiteral("AB"));
    e.insert(QStringLiteral("futureField"), 42); // a newer minor version: ignored
    const Exchange::ImportPlan plan = Exchange::parseImport(fileWith({ e }), {});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    const Connector &c = plan.entries.first().connector;
    QCOMPARE(c.name, QStringLiteral("Spaced"));
    QCOMPARE(c.url, QStringLiteral("https://acme.jamacloud.com"));
    QVERIFY(c.verifySsl);
    QCOMPARE(c.pinnedCertificateSha256, QByteArray(32, '\xab'));
}

void TestExchange::duplicates_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("authType");
    QTest::addColumn<QString>("identity");
    QTest::addColumn<bool>("duplicate");
    QTest::newRow("same") << "https://acme.jamacloud.com"
                          << "basic"
                          << "svc" << true;
    QTest::newRow("url spelled otherwise") << "ACME.jamacloud.com/login.req"
                                           << "basic"
                                           << "svc" << true;
    QTest::newRow("username case") << "https://acme.jamacloud.com"
                                   << "basic"
                                   << "SVC" << true;
    QTest::newRow("other username") << "https://acme.jamacloud.com"
                                    << "basic"
                                    << "svc2" << false;
    QTest::newRow("other instance") << "https://other.jamacloud.com"
                                    << "basic"
                                    << "svc" << false;
    QTest::newRow("oauth with same text") << "https://acme.jamacloud.com"
                                          << "oauth"
                                          << "svc" << false;
}

void TestExchange::duplicates()
{
    QFETCH(QString, url);
    QFETCH(QString, authType);
    QFETCH(QString, identity);
    QFETCH(bool, duplicate);
    const Connector existing
        = makeConnector(QStringLiteral("Existing"), QStringLiteral("https://acme.jamacloud.com"),
            QStringLiteral("basic"), QStringLiteral("svc"));
    QJsonObject e = entry(QStringLiteral("Imported"), url);
    e.remove(QStringLiteral("username"));
    e.insert(QStringLiteral("authType"), authType);
    e.insert(authType == QLatin1String("basic") ? QStringLiteral("username")
                                                : QStringLiteral("clientId"),
        identity);
    const Exchange::ImportPlan plan = Exchange::parseImport(fileWith({ e }), { existing });
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    QCOMPARE(plan.entries.first().duplicateOf, duplicate ? existing.id : QUuid());
    QCOMPARE(plan.duplicateCount(), duplicate ? 1 : 0);

    const Exchange::ImportChanges skip
        = Exchange::resolveImport(plan, { existing }, Exchange::DuplicateChoice::Skip);
    QCOMPARE(skip.added.size(), duplicate ? 0 : 1);
    QCOMPARE(skip.skipped, duplicate ? 1 : 0);
    QVERIFY(skip.replaced.isEmpty());
    const Exchange::ImportChanges replace
        = Exchange::resolveImport(plan, { existing }, Exchange::DuplicateChoice::Replace);
    QCOMPARE(replace.added.size(), duplicate ? 0 : 1);
    QCOMPARE(replace.replaced.size(), duplicate ? 1 : 0);
    QCOMPARE(replace.skipped, 0);
    if (duplicate) {
        QCOMPARE(replace.replaced.first().id, existing.id);
        QCOMPARE(replace.replaced.first().name, QStringLiteral("Imported"));
        QVERIFY(skip.notices.first().startsWith(QStringLiteral("connectors[0]: ")));
    }
}

void TestExchange::nameClashIsRenamed()
{
    const Connector a = makeConnector(QStringLiteral("Prod"),
        QStringLiteral("https://a.jamacloud.com"), QStringLiteral("basic"), QStringLiteral("x"));
    const Connector b = makeConnector(QStringLiteral("Prod (imported)"),
        QStringLiteral("https://b.jamacloud.com"), QStringLiteral("basic"), QStringLiteral("x"));
    const QByteArray data
        = fileWith({ entry(QStringLiteral("prod"), QStringLiteral("https://c.jamacloud.com")),
            entry(QStringLiteral("Prod (imported 2)"), QStringLiteral("https://d.jamacloud.com")),
            entry(QString(100, QLatin1Char('L')), QStringLiteral("https://e.jamacloud.com")) });
    const Connector longName = makeConnector(QString(100, QLatin1Char('L')),
        QStringLiteral("https://f.jamacloud.com"), QStringLiteral("basic"), QStringLiteral("x"));
    const QList<Connector> existing { a, b, longName };
    const Exchange::ImportPlan plan = Exchange::parseImport(data, existing);
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    const Exchange::ImportChanges changes
        = Exchange::resolveImport(plan, existing, Exchange::DuplicateChoice::Skip);
    QCOMPARE(changes.added.size(), 3);
    // "Prod (imported)" exists, so the first entry takes "(imported 2)"; the second entry's
    // own name is then taken, so it is renamed in turn.
    QCOMPARE(changes.added.at(0).name, QStringLiteral("prod (imported 2)"));
    QCOMPARE(changes.added.at(1).name, QStringLiteral("Prod (imported 2) (imported)"));
    QCOMPARE(changes.added.at(2).name.size(), 100);
    QVERIFY(changes.added.at(2).name.endsWith(QStringLiteral(" (imported)")));
    QCOMPARE(changes.notices.size(), 3);
    QVERIFY2(changes.notices.at(0).startsWith(QStringLiteral("connectors[0]: ")),
        qPrintable(changes.notices.at(0)));
    QVERIFY(changes.notices.at(0).contains(QStringLiteral("\"prod (imported 2)\"")));
    for (const Connector &c : changes.added)
        QVERIFY(c.id.isNull());
}

void TestExchange::replaceKeepsIdentityAndState()
{
    Connector old
        = makeConnector(QStringLiteral("Old name"), QStringLiteral("https://acme.jamacloud.com"),
            QStringLiteral("basic"), QStringLiteral("SVC"));
    old.validation.status = ValidationStatus::Verified;
    old.createdAt = QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
    const Connector other = makeConnector(QStringLiteral("Taken"),
        QStringLiteral("https://x.jamacloud.com"), QStringLiteral("basic"), QStringLiteral("y"));
    QJsonObject e = entry(QStringLiteral("Taken"));
    e.insert(QStringLiteral("verifySsl"), false);
    const Exchange::ImportPlan plan = Exchange::parseImport(fileWith({ e }), { old, other });
    QVERIFY(plan.ok());
    const Exchange::ImportChanges changes
        = Exchange::resolveImport(plan, { old, other }, Exchange::DuplicateChoice::Replace);
    QCOMPARE(changes.replaced.size(), 1);
    const Connector &r = changes.replaced.first();
    QCOMPARE(r.id, old.id);
    QCOMPARE(r.identity, QStringLiteral("SVC"));
    QCOMPARE(r.createdAt, old.createdAt);
    QCOMPARE(
        r.validation.status, ValidationStatus::Verified); // the repository decides about a reset
    // Turning Verify SSL off for a kept secret is listed, and applied only when asked for.
    QVERIFY(r.verifySsl);
    QCOMPARE(changes.weakened.size(), 1);
    QVERIFY(!changes.weakened.first().applied);
    QCOMPARE(r.name, QStringLiteral("Taken (imported)"));
    const Exchange::ImportChanges applied
        = Exchange::resolveImport(plan, { old, other }, Exchange::DuplicateChoice::Replace, { 0 });
    QVERIFY(!applied.replaced.first().verifySsl);
    QVERIFY(applied.weakened.first().applied);
}

void TestExchange::sameAccountTwiceIsAccepted()
{
    // What `add` accepts (two connectors for one account, with a notice), import accepts.
    const Exchange::ImportPlan plan = Exchange::parseImport(
        fileWith({ entry(QStringLiteral("A")), entry(QStringLiteral("B")) }), {});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    QCOMPARE(plan.entries.size(), 2);
    QCOMPARE(plan.notices.size(), 1);
    QVERIFY2(plan.notices.first().startsWith(QStringLiteral("connectors[1]: \"B\" links to the "
                                                            "same instance as \"A\"")),
        qPrintable(plan.notices.first()));
    const Exchange::ImportChanges changes
        = Exchange::resolveImport(plan, {}, Exchange::DuplicateChoice::Skip);
    QCOMPARE(changes.added.size(), 2);
    QVERIFY(changes.notices.contains(plan.notices.first()));
}

void TestExchange::ownExportOfSameAccountRoundTrips()
{
    Connector a
        = makeConnector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"),
            QStringLiteral("basic"), QStringLiteral("svc"));
    Connector b
        = makeConnector(QStringLiteral("Prod again"), QStringLiteral("https://acme.jamacloud.com"),
            QStringLiteral("basic"), QStringLiteral("SVC"));
    const QByteArray file = Exchange::exportConnectors({ a, b });
    // Into an empty data dir: both added.
    const Exchange::ImportPlan empty = Exchange::parseImport(file, {});
    QVERIFY2(empty.ok(), qPrintable(empty.errors.join(QLatin1Char('\n'))));
    QCOMPARE(Exchange::resolveImport(empty, {}, Exchange::DuplicateChoice::Skip).added.size(), 2);
    // Back into the data dir it came from: each entry stands for its own connector (by name).
    const Exchange::ImportPlan same = Exchange::parseImport(file, { a, b });
    QVERIFY(same.ok());
    QCOMPARE(same.entries.size(), 2);
    QCOMPARE(same.entries.at(0).duplicateOf, a.id);
    QCOMPARE(same.entries.at(1).duplicateOf, b.id);
    const Exchange::ImportChanges skip
        = Exchange::resolveImport(same, { a, b }, Exchange::DuplicateChoice::Skip);
    QCOMPARE(skip.skipped, 2);
    QVERIFY(skip.added.isEmpty());
}

void TestExchange::weakeningNeedsConsent_data()
{
    QTest::addColumn<bool>("storedVerify");
    QTest::addColumn<QString>("storedPin"); // "", "A"
    QTest::addColumn<bool>("fileVerify");
    QTest::addColumn<QString>("filePin"); // "", "A", "B"
    QTest::addColumn<QString>("change"); // expected change text, "" for none

    QTest::newRow("verify turned off") << true << "" << false << ""
                                       << "turns Verify SSL off";
    QTest::newRow("pin dropped") << true << "A" << true << ""
                                 << "removes the trusted certificate";
    QTest::newRow("pin changed") << true << "A" << true << "B"
                                 << "replaces the trusted certificate";
    QTest::newRow("pin dropped with verify off") << false << "A" << false << ""
                                                 << "removes the trusted certificate";
    QTest::newRow("verify turned on") << false << "" << true << ""
                                      << "";
    QTest::newRow("pin added") << true << "" << true << "A"
                               << "";
    QTest::newRow("unchanged") << true << "A" << true << "A"
                               << "";
}

void TestExchange::weakeningNeedsConsent()
{
    QFETCH(bool, storedVerify);
    QFETCH(QString, storedPin);
    QFETCH(bool, fileVerify);
    QFETCH(QString, filePin);
    QFETCH(QString, change);
    const QByteArray pinA(32, 'a');
    const QByteArray pinB(32, 'b');
    const auto pin = [&](const QString &p) {
        return p == QLatin1String("A") ? pinA : p == QLatin1String("B") ? pinB : QByteArray();
    };
    Connector stored
        = makeConnector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"),
            QStringLiteral("basic"), QStringLiteral("svc"));
    stored.verifySsl = storedVerify;
    stored.pinnedCertificateSha256 = pin(storedPin);
    QJsonObject e = entry();
    e.insert(QStringLiteral("verifySsl"), fileVerify);
    if (!filePin.isEmpty())
        e.insert(
            QStringLiteral("pinnedCertificateSha256"), QString::fromLatin1(pin(filePin).toHex()));
    const Exchange::ImportPlan plan = Exchange::parseImport(fileWith({ e }), { stored });
    QVERIFY(plan.ok());
    const Exchange::ImportChanges held
        = Exchange::resolveImport(plan, { stored }, Exchange::DuplicateChoice::Replace);
    QCOMPARE(held.replaced.size(), 1);
    const Connector &kept = held.replaced.first();
    if (change.isEmpty()) {
        QVERIFY(held.weakened.isEmpty());
        QCOMPARE(kept.verifySsl, fileVerify); // strengthening needs nothing
        QCOMPARE(kept.pinnedCertificateSha256, pin(filePin));
        return;
    }
    QCOMPARE(held.weakened.size(), 1);
    QCOMPARE(held.weakened.first().name, QStringLiteral("Prod"));
    QVERIFY2(held.weakened.first().changes.join(QLatin1Char(' ')).contains(change),
        qPrintable(held.weakened.first().changes.join(QLatin1Char(' '))));
    QVERIFY(held.hasUnappliedWeakening());
    // Not consented: the stored security settings stay.
    QCOMPARE(kept.verifySsl, storedVerify || fileVerify);
    QCOMPARE(kept.pinnedCertificateSha256, stored.pinnedCertificateSha256);
    // Consented: the file's values.
    const Exchange::ImportChanges applied
        = Exchange::resolveImport(plan, { stored }, Exchange::DuplicateChoice::Replace, { 0 });
    QCOMPARE(applied.replaced.first().verifySsl, fileVerify);
    QCOMPARE(applied.replaced.first().pinnedCertificateSha256, pin(filePin));
    QVERIFY(!applied.hasUnappliedWeakening());
}

void TestExchange::jiraEntries()
{
    // Each application's methods and identity keys, ids as typed by hand included.
    const QByteArray good = R"({"format": "connector-desk-connectors", "schemaVersion": 1,
        "connectors": [
          {"application": "jira-cloud", "name": "Cloud", "url": "https://acme.atlassian.net/browse/A-1",
           "authType": "API-Token", "email": "svc@acme.example"},
          {"application": "jira-data-center", "name": "DC", "url": "https://jira.acme.example/jira/secure/Dashboard.jspa",
           "authType": "pat"},
          {"application": "jama-connect", "name": "Jama", "url": "https://acme.jamacloud.com",
           "authType": "Basic", "username": "svc"}]})";
    const Exchange::ImportPlan plan = Exchange::parseImport(good, {});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    QCOMPARE(plan.entries.size(), 3);
    QCOMPARE(plan.entries.at(0).connector.authType, QStringLiteral("api-token"));
    QCOMPARE(plan.entries.at(0).connector.identity, QStringLiteral("svc@acme.example"));
    QCOMPARE(plan.entries.at(0).connector.url, QStringLiteral("https://acme.atlassian.net"));
    QCOMPARE(plan.entries.at(1).connector.identity, QString());
    QCOMPARE(plan.entries.at(1).connector.url, QStringLiteral("https://jira.acme.example/jira"));
    QCOMPARE(plan.entries.at(2).connector.authType, QStringLiteral("basic"));

    // Every problem at its place: a method of another application, another method's
    // identity, an identity for a method that has none, an unknown application.
    const QByteArray bad = R"({"format": "connector-desk-connectors", "schemaVersion": 1,
        "connectors": [
          {"application": "jira-cloud", "name": "A", "url": "https://a.atlassian.net", "authType": "oauth", "clientId": "x"},
          {"application": "jira-cloud", "name": "B", "url": "https://b.atlassian.net", "authType": "api-token", "username": "x", "email": "e@x"},
          {"application": "jira-data-center", "name": "C", "url": "https://c.example", "authType": "pat", "username": "x"},
          {"application": "jira-server", "name": "D", "url": "https://d.example", "authType": "basic", "username": "x"}]})";
    const Exchange::ImportPlan refused = Exchange::parseImport(bad, {});
    QVERIFY(!refused.ok());
    const QString all = refused.errors.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QLatin1String("connectors[0].authType: Jira Cloud connectors sign in "
                                        "with \"api-token\", not \"oauth\"")),
        qPrintable(all));
    QVERIFY2(all.contains(QLatin1String(
                 "connectors[1].username: not used with API token authentication; use \"email\"")),
        qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("connectors[2].username: not used with Personal access "
                                        "token authentication, which has no identity field")),
        qPrintable(all));
    QVERIFY2(all.contains(
                 QLatin1String("connectors[3].application: unknown application \"jira-server\"")),
        qPrintable(all));
    QCOMPARE(refused.errors.size(), 4);
}

void TestExchange::tokensWithoutIdentityMatchByName()
{
    // Two personal access tokens on one instance may be two service accounts: without an
    // identity only the same name is the same connector (a replacement would otherwise give
    // one account's token to the other).
    Connector a = makeConnector(QStringLiteral("Team A"),
        QStringLiteral("https://jira.example.com"), QStringLiteral("pat"), QString());
    a.application = QStringLiteral("jira-data-center");
    Connector b = a;
    b.id = QUuid::createUuid();
    b.name = QStringLiteral("Team B");
    QVERIFY(!Exchange::sameAccount(a, b));
    b.name = QStringLiteral("team a");
    QVERIFY(Exchange::sameAccount(a, b));
    // With an identity the name does not matter, as before.
    Connector c = makeConnector(QStringLiteral("One"), QStringLiteral("https://jira.example.com"),
        QStringLiteral("basic"), QStringLiteral("svc"));
    c.application = QStringLiteral("jira-data-center");
    Connector d = c;
    d.name = QStringLiteral("Two");
    QVERIFY(Exchange::sameAccount(c, d));
}

void TestExchange::projectsTravel()
{
    // Exported with the definition, read back as entered (deduplicated), refused at its place
    // when it is not a list of keys.
    Connector scoped = makeConnector(QStringLiteral("Scoped"),
        QStringLiteral("https://jama.example.com"), QStringLiteral("basic"), QStringLiteral("svc"));
    scoped.projects = { QStringLiteral("ACME"), QStringLiteral("20") };
    const QByteArray data = Exchange::exportConnectors({ scoped }, QDateTime::currentDateTimeUtc());
    const QJsonObject entry = QJsonDocument::fromJson(data)
                                  .object()
                                  .value(QStringLiteral("connectors"))
                                  .toArray()
                                  .at(0)
                                  .toObject();
    QCOMPARE(entry.value(QStringLiteral("projects")).toArray(),
        QJsonArray({ QStringLiteral("ACME"), QStringLiteral("20") }));
    const Exchange::ImportPlan plan = Exchange::parseImport(data, {});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    QCOMPARE(plan.entries.at(0).connector.projects, scoped.projects);
    QVERIFY(plan.entries.at(0).hasProjects);

    const QByteArray bad = R"({"format": "connector-desk-connectors", "schemaVersion": 1,
        "connectors": [
          {"application": "jama-connect", "name": "A", "url": "https://a.example", "authType": "basic", "username": "x", "projects": "ACME"},
          {"application": "jama-connect", "name": "B", "url": "https://b.example", "authType": "basic", "username": "x", "projects": ["OK", "<b>x</b>"]},
          {"application": "jama-connect", "name": "C", "url": "https://c.example", "authType": "basic", "username": "x", "projects": ["E\u001b[31m"]},
          {"application": "jama-connect", "name": "D", "url": "https://d.example", "authType": "basic", "username": "x", "projects": [1]}]})";
    const Exchange::ImportPlan refused = Exchange::parseImport(bad, {});
    QVERIFY(!refused.ok());
    const QString all = refused.errors.join(QLatin1Char('\n'));
    for (int i = 0; i < 4; ++i)
        QVERIFY2(all.contains(QStringLiteral("connectors[%1].projects:").arg(i)), qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("<b>x</b>")), qPrintable(all));
    for (const QString &error : refused.errors)
        QVERIFY2(cd::Text::firstControl(error) == 0, qPrintable(error));

    // Replacing a stored connector with an entry of an export without projects (Connector
    // Desk 1.0) keeps the stored scope; one with projects replaces it.
    Connector stored = scoped;
    stored.id = QUuid::createUuid();
    const QByteArray old = R"({"format": "connector-desk-connectors", "schemaVersion": 1,
        "connectors": [
          {"application": "jama-connect", "name": "Scoped", "url": "https://jama.example.com", "authType": "basic", "username": "svc"}]})";
    const Exchange::ImportPlan again = Exchange::parseImport(old, { stored });
    QVERIFY(again.ok());
    const Exchange::ImportChanges kept
        = Exchange::resolveImport(again, { stored }, Exchange::DuplicateChoice::Replace);
    QCOMPARE(kept.replaced.size(), 1);
    QCOMPARE(kept.replaced.at(0).projects, scoped.projects);
    QByteArray changed = old;
    changed.replace("\"username\": \"svc\"}", "\"username\": \"svc\", \"projects\": [\"NEW\"]}");
    const Exchange::ImportPlan withProjects = Exchange::parseImport(changed, { stored });
    QVERIFY(withProjects.ok());
    const Exchange::ImportChanges replaced
        = Exchange::resolveImport(withProjects, { stored }, Exchange::DuplicateChoice::Replace);
    QCOMPARE(replaced.replaced.at(0).projects, QStringList { QStringLiteral("NEW") });
}

QTEST_GUILESS_MAIN(TestExchange)
#include "tst_exchange.moc"
