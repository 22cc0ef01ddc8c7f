// Untrusted text made inert (Text), and the name rule that refuses control characters.
#include "ConnectorRules.h"
#include "Text.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cd;

class TestText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void controls_data();
    void controls();
    void inertJsonKeepsTheValue();
    void namesRefuseControls_data();
    void namesRefuseControls();
};

void TestText::controls_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("inert");
    QTest::newRow("plain") << QStringLiteral("Acme Production")
                           << QStringLiteral("Acme Production");
    QTest::newRow("markup is not a control")
        << QStringLiteral("<a href=\"x\">L</a>") << QStringLiteral("<a href=\"x\">L</a>");
    QTest::newRow("OSC 52") << QStringLiteral("a\x1b]52;c;aGk=\x07")
                            << QStringLiteral("a\\x1B]52;c;aGk=\\x07");
    QTest::newRow("newline and tab")
        << QStringLiteral("a\nb\tc") << QStringLiteral("a\\x0Ab\\x09c");
    QTest::newRow("DEL and C1") << QStringLiteral("a\x7f\u0085\u009b")
                                << QStringLiteral("a\\x7F\\x85\\x9B");
    QTest::newRow("bidi override")
        << QStringLiteral("abc\u202Egpj.exe") << QStringLiteral("abc\\u202Egpj.exe");
    QTest::newRow("bidi isolate") << QStringLiteral("\u2066x\u2069")
                                  << QStringLiteral("\\u2066x\\u2069");
    QTest::newRow("line separator") << QStringLiteral("a\u2028b") << QStringLiteral("a\\u2028b");
    QTest::newRow("non-BMP kept") << QStringLiteral("ok \U0001F600")
                                  << QStringLiteral("ok \U0001F600");
    QTest::newRow("accents kept") << QStringLiteral("Müller Ünïcode")
                                  << QStringLiteral("Müller Ünïcode");
}

void TestText::controls()
{
    QFETCH(QString, text);
    QFETCH(QString, inert);
    QCOMPARE(Text::inert(text), inert);
    QCOMPARE(Text::firstControl(text) != 0, text != inert);
    for (const char32_t c : Text::inert(text).toUcs4())
        QVERIFY(!Text::isControl(c));
}

void TestText::inertJsonKeepsTheValue()
{
    const QString value = QStringLiteral("x\x1b\u0085\u202Ey\n");
    const QString json = QString::fromUtf8(QJsonDocument(
        QJsonObject { { QStringLiteral("name"),
            value } }).toJson(QJsonDocument::Indented));
    const QString inert = Text::inertJson(json);
    for (const char32_t c : inert.toUcs4())
        QVERIFY(!Text::isControl(c) || c == '\n' || c == ' '); // only the layout's newlines
    QCOMPARE(
        QJsonDocument::fromJson(inert.toUtf8()).object().value(QStringLiteral("name")).toString(),
        value);
}

void TestText::namesRefuseControls_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("codePoint"); // empty: accepted
    QTest::newRow("plain") << QStringLiteral("Acme") << QString();
    QTest::newRow("markup") << QStringLiteral("<b>Acme</b>") << QString();
    QTest::newRow("escape") << QStringLiteral("Acme\x1b[2J") << QStringLiteral("U+001B");
    QTest::newRow("bell") << QStringLiteral("Ac\x07me") << QStringLiteral("U+0007");
    QTest::newRow("line break inside") << QStringLiteral("Acme\nProd") << QStringLiteral("U+000A");
    QTest::newRow("C1 CSI") << QStringLiteral("Ac\u009bme") << QStringLiteral("U+009B");
    QTest::newRow("RLO") << QStringLiteral("Acme\u202Eevil") << QStringLiteral("U+202E");
    QTest::newRow("LRI") << QStringLiteral("Acme\u2066") << QStringLiteral("U+2066");
}

void TestText::namesRefuseControls()
{
    QFETCH(QString, name);
    QFETCH(QString, codePoint);
    const QString problem = ConnectorRules::checkName(name, {}, QUuid());
    if (codePoint.isEmpty()) {
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        return;
    }
    QVERIFY2(problem.contains(codePoint), qPrintable(problem));
    QVERIFY(problem.contains(QStringLiteral("control character")));
}

QTEST_GUILESS_MAIN(TestText)
#include "tst_text.moc"
