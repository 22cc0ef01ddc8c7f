// Import and export in the window (issue 6): the menu entries and their file dialogs, the
// export file (never a secret), the import dialog (problems, duplicates, renames), and drag
// and drop of an export file onto the main window. Real widgets, offscreen, no network.
#include "AuthEditor.h"
#include "ConnectorDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "Exchange.h"
#include "GuiTestSupport.h"
#include "HeaderBar.h"
#include "ImportDialog.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "MemorySecretStore.h"
#include "NetworkStatus.h"
#include "SecretLineEdit.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace cd;
using namespace cd::ui;
using cd::test::child;

class TestImportExport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void menuEntries();
    void exportAll();
    void exportSelected();
    void exportErrorShown();
    void exportMenuUsesFileDialog();
    void importGoodFile();
    void importMenuUsesFileDialog();
    void importBadFile_data();
    void importBadFile();
    void duplicates_data();
    void duplicates();
    void weakeningAppliedOnlyWhenTicked_data();
    void weakeningAppliedOnlyWhenTicked();
    void nothingToImport();
    void dropJsonFile();
    void dropRejected_data();
    void dropRejected();

private:
    QUuid addDirect(const QString &name, const QString &url, QString type = QStringLiteral("basic"),
        const QString &identity = QStringLiteral("svc"));
    QString writeFile(const QString &name, const QByteArray &data);
    QByteArray exportFileOf(const QList<Connector> &connectors);
    ImportDialog *waitForImportDialog()
    {
        return test::waitForChild<ImportDialog>(window(), "importDialog");
    }
    MainWindow *window() const { return m_app->window(); }
    MemorySecretStore *secrets() const { return m_app->secrets(); }
    InlineMessage *pageMessage() const { return window()->connectorsPage()->pageMessage(); }
    QByteArray storeBytes() const
    {
        QFile f(window()->repository()->store()->filePath());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static Connector connector(const QString &name, const QString &url,
        QString type = QStringLiteral("basic"), const QString &identity = QStringLiteral("svc"))
    {
        return test::makeConnector(name, url, type, identity);
    }

    // Made-up hosts: the window is offline (nothing may go out to the network).
    std::unique_ptr<test::MainWindowFixture> m_app;
    std::unique_ptr<QTemporaryDir> m_files;
};

void TestImportExport::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDeskTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_importexport"));
}

void TestImportExport::init()
{
    m_files = std::make_unique<QTemporaryDir>();
    QVERIFY(m_files->isValid());
    m_app = std::make_unique<test::MainWindowFixture>();
    QVERIFY(m_app->open());
}

void TestImportExport::cleanup()
{
    m_app.reset();
    m_files.reset();
}

QUuid TestImportExport::addDirect(
    const QString &name, const QString &url, QString type, const QString &identity)
{
    return test::addConnector(window()->repository(), connector(name, url, type, identity),
        QStringLiteral("s3cret-of-") + name);
}

QString TestImportExport::writeFile(const QString &name, const QByteArray &data)
{
    const QString path = m_files->filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        qWarning("cannot write %s", qPrintable(path));
    return path;
}

QByteArray TestImportExport::exportFileOf(const QList<Connector> &connectors)
{
    return Exchange::exportConnectors(connectors);
}

void TestImportExport::menuEntries()
{
    QMenu *menu = window()->headerBar()->menu();
    QStringList texts;
    for (QAction *a : menu->actions())
        texts << a->text();
    QVERIFY(texts.contains(QStringLiteral("&Import Connectors…")));
    QVERIFY(texts.contains(QStringLiteral("E&xport All Connectors…")));
    QVERIFY(texts.contains(QStringLiteral("Export &Selected Connectors…")));
    QCOMPARE(window()->importAction()->shortcut(), QKeySequence(QStringLiteral("Ctrl+I")));
    QVERIFY(window()->actions().contains(window()->importAction())); // works with menu closed

    // Nothing to export yet; then a connector, and one selected.
    QVERIFY(window()->importAction()->isEnabled());
    QVERIFY(!window()->exportAllAction()->isEnabled());
    QVERIFY(!window()->exportSelectedAction()->isEnabled());
    const QUuid id
        = addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    QVERIFY(window()->exportAllAction()->isEnabled());
    window()->connectorsPage()->selectConnector(id);
    QTRY_VERIFY(window()->exportSelectedAction()->isEnabled());
}

void TestImportExport::exportAll()
{
    addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    addDirect(QStringLiteral("SAML"), QStringLiteral("https://saml.jamacloud.com/contour"),
        QStringLiteral("oauth"), QStringLiteral("client-1"));
    QCOMPARE(secrets()->contents().size(), 2);

    const QString path = m_files->filePath(QStringLiteral("all.json"));
    QVERIFY(window()->exportToFile(path, false));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray data = f.readAll();
    const Exchange::ImportPlan plan = Exchange::parseImport(data, {});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(QLatin1Char('\n'))));
    QCOMPARE(plan.entries.size(), 2);
    QStringList names;
    for (const Exchange::ImportEntry &e : plan.entries)
        names << e.connector.name;
    names.sort();
    QCOMPARE(names, QStringList({ QStringLiteral("Prod"), QStringLiteral("SAML") }));
    for (const QString &secret : secrets()->contents())
        QVERIFY2(!data.contains(secret.toUtf8()), "a secret was exported");
    QVERIFY(!data.contains("s3cret"));

    QCOMPARE(pageMessage()->kind(), InlineMessage::Kind::Success);
    QVERIFY(pageMessage()->isVisible());
    QVERIFY2(pageMessage()->text().contains(QDir::toNativeSeparators(path)),
        qPrintable(pageMessage()->text()));
    QVERIFY(pageMessage()->text().contains(QStringLiteral("2 connectors")));
}

void TestImportExport::exportSelected()
{
    addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    const QUuid test
        = addDirect(QStringLiteral("Test"), QStringLiteral("https://test.jamacloud.com"));
    const QString path = m_files->filePath(QStringLiteral("one.json"));

    // Nothing selected: nothing written, and the page says why.
    QVERIFY(!window()->exportToFile(path, true));
    QVERIFY(!QFile::exists(path));
    QCOMPARE(pageMessage()->kind(), InlineMessage::Kind::Error);

    window()->connectorsPage()->selectConnector(test);
    QCOMPARE(window()->connectorsPage()->selectedId(), test);
    QVERIFY(window()->exportToFile(path, true));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray data = f.readAll();
    const Exchange::ImportPlan plan = Exchange::parseImport(data, {});
    QVERIFY(plan.ok());
    QCOMPARE(plan.entries.size(), 1);
    QCOMPARE(plan.entries.first().connector.name, QStringLiteral("Test"));
    QCOMPARE(plan.entries.first().connector.url, QStringLiteral("https://test.jamacloud.com"));
    for (const QString &secret : secrets()->contents())
        QVERIFY2(!data.contains(secret.toUtf8()), "a secret was exported");
    QCOMPARE(pageMessage()->kind(), InlineMessage::Kind::Success);
    QVERIFY(pageMessage()->text().contains(QStringLiteral("“Test”")));
    QVERIFY(pageMessage()->text().contains(QDir::toNativeSeparators(path)));
}

void TestImportExport::exportErrorShown()
{
    addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    const QString path = m_files->filePath(QStringLiteral("no-such-folder/all.json"));
    QVERIFY(!window()->exportToFile(path, false));
    QVERIFY(!QFile::exists(path));
    QCOMPARE(pageMessage()->kind(), InlineMessage::Kind::Error);
    QVERIFY(pageMessage()->text().contains(QDir::toNativeSeparators(path)));
}

void TestImportExport::exportMenuUsesFileDialog()
{
    addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    window()->exportAllAction()->trigger();
    QPointer<QFileDialog> dialog = child<QFileDialog>(window(), "exportFileDialog");
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
    QCOMPARE(dialog->defaultSuffix(), QStringLiteral("json"));
    QVERIFY(dialog->isModal()); // open(): window-modal, no nested loop (we are still here)
    // The suggested name is never the data file's own.
    const QStringList suggested = dialog->selectedFiles();
    QVERIFY(!suggested.isEmpty());
    QVERIFY2(
        QFileInfo(suggested.first()).fileName().startsWith(QStringLiteral("connector-export-")),
        qPrintable(suggested.first()));

    // The suffix is added when missing.
    const QString path = m_files->filePath(QStringLiteral("from-menu"));
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept(), as the Save/Open button
    QTRY_VERIFY(!dialog); // deletes itself on close
    QTRY_VERIFY(QFile::exists(path + QStringLiteral(".json")));
    QCOMPARE(pageMessage()->kind(), InlineMessage::Kind::Success);

    // Replacing an existing file is confirmed first, asynchronously.
    const QString existing = writeFile(QStringLiteral("existing.json"), "old");
    window()->exportAllAction()->trigger();
    dialog = child<QFileDialog>(window(), "exportFileDialog");
    QVERIFY(dialog);
    Q_EMIT dialog->fileSelected(existing);
    dialog->reject();
    auto *box = test::waitForChild<QMessageBox>(window(), "replaceFileMessageBox");
    QVERIFY(box);
    const auto contents = [&existing] {
        QFile f(existing);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QCOMPARE(contents(), QByteArray("old")); // not before the user confirms
    QTest::mouseClick(child<QPushButton>(box, "confirmReplacePushButton"), Qt::LeftButton);
    QTRY_VERIFY(Exchange::parseImport(contents(), {}).ok());
}

void TestImportExport::importGoodFile()
{
    const QString path = writeFile(QStringLiteral("good.json"),
        exportFileOf(
            { connector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com")),
                connector(QStringLiteral("SAML"), QStringLiteral("https://saml.jamacloud.com"),
                    QStringLiteral("oauth"), QStringLiteral("client-1")) }));
    ImportDialog *dialog = window()->importFile(path);
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->isModal());
    QVERIFY(!dialog->hasProblems());
    QCOMPARE(child<QListWidget>(dialog, "addedListWidget")->count(), 2);
    QVERIFY(!child<QWidget>(dialog, "duplicatesGroupBox")->isVisible());
    QVERIFY(!child<QWidget>(dialog, "renamesGroupBox")->isVisible());
    QVERIFY(!child<QWidget>(dialog, "problemsGroupBox")->isVisible());
    QPushButton *import = child<QPushButton>(dialog, "importPushButton");
    QCOMPARE(import->accessibleName(), QStringLiteral("Import"));
    QVERIFY(import->isEnabled());
    QVERIFY(import->isDefault());
    QVERIFY(window()->repository()->connectors().isEmpty()); // nothing before Import

    QPointer<ImportDialog> closing(dialog);
    QTest::keyClick(dialog, Qt::Key_Return); // the default button, by keyboard
    QTRY_COMPARE(window()->repository()->connectors().size(), 2);
    QTRY_VERIFY(!closing);

    ConnectorListModel *model = window()->connectorsPage()->model();
    QCOMPARE(model->rowCount(), 2);
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(model->index(row, ConnectorListModel::StatusColumn).data().toString(),
            QStringLiteral("Needs secret"));
    for (const Connector &c : window()->repository()->connectors())
        QVERIFY(c.needsSecret);
    QVERIFY(secrets()->contents().isEmpty());
    QCOMPARE(pageMessage()->kind(), InlineMessage::Kind::Success);
    QVERIFY2(pageMessage()->text().contains(QStringLiteral("Imported 2 connectors")),
        qPrintable(pageMessage()->text()));
    QVERIFY(pageMessage()->text().contains(QStringLiteral("Enter Secrets")));
    QVERIFY(pageMessage()->text().contains(QStringLiteral("secret")));

    // Enter Secrets, from the banner's button by mouse: each connector in turn, the cursor in
    // its secret field; typing and Enter saves and goes on.
    auto *enter = child<QPushButton>(pageMessage(), "enterSecretsPushButton");
    QVERIFY(enter);
    QTest::mouseClick(enter, Qt::LeftButton);
    QStringList titles;
    for (int i = 0; i < 2; ++i) {
        ConnectorDialog *edit = nullptr;
        QTRY_VERIFY((edit = qobject_cast<ConnectorDialog *>(QApplication::activeModalWidget()))
            && edit->isVisible() && !titles.contains(edit->windowTitle()));
        titles << edit->windowTitle();
        QVERIFY(test::activate(edit));
        QWidget *secretField = edit->currentAuthEditor()->secretEdit();
        QTRY_COMPARE(QApplication::focusWidget(), secretField);
        QTest::keyClicks(secretField, QStringLiteral("entered-%1").arg(i));
        QTest::keyClick(secretField, Qt::Key_Return);
        QTRY_VERIFY(!edit->isVisible() || edit->isSaving());
    }
    QCOMPARE(titles,
        (QStringList {
            QStringLiteral("Enter Secret (1 of 2)"), QStringLiteral("Enter Secret (2 of 2)") }));
    QTRY_COMPARE(secrets()->contents().size(), 2);
    for (const Connector &c : window()->repository()->connectors())
        QTRY_VERIFY(!window()->repository()->find(c.id)->needsSecret);
    QTRY_VERIFY(pageMessage()->text().contains(QStringLiteral("Entered 2 of 2 secrets")));
}

void TestImportExport::importMenuUsesFileDialog()
{
    const QString path = writeFile(QStringLiteral("menu.json"),
        exportFileOf(
            { connector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com")) }));
    QTest::keyClick(window(), Qt::Key_I, Qt::ControlModifier);
    QPointer<QFileDialog> dialog = child<QFileDialog>(window(), "importFileDialog");
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptOpen);
    QCOMPARE(dialog->fileMode(), QFileDialog::ExistingFile);
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept(), as the Save/Open button
    QTRY_VERIFY(!dialog);
    ImportDialog *import = waitForImportDialog();
    QVERIFY(import);
    QCOMPARE(import->filePath(), path);
    QTest::mouseClick(child<QPushButton>(import, "importPushButton"), Qt::LeftButton);
    QTRY_COMPARE(window()->repository()->connectors().size(), 1);

    // Cancel in the file dialog changes nothing.
    window()->importAction()->trigger();
    dialog = child<QFileDialog>(window(), "importFileDialog");
    QVERIFY(dialog);
    dialog->reject();
    QTRY_VERIFY(!dialog);
    QTest::qWait(20);
    QVERIFY(!window()->findChild<ImportDialog *>());
}

void TestImportExport::importBadFile_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QStringList>("places");

    QTest::newRow("not json") << QByteArray("{\"format\": ")
                              << QStringList { QStringLiteral("JSON") };
    QTest::newRow("other format") << QByteArray(R"({"format": "something-else"})")
                                  << QStringList { QStringLiteral("format") };
    QTest::newRow("newer schema") << QByteArray(
        R"({"format": "connector-desk-connectors", "schemaVersion": 9, "connectors": []})")
                                  << QStringList { QStringLiteral("schemaVersion") };
    QTest::newRow("entries") << QByteArray(
        R"({"format": "connector-desk-connectors", "schemaVersion": 1, "connectors": [
             {"application": "jama-connect", "name": "A", "authType": "basic", "username": "u"},
             {"application": "jama-connect", "name": "B", "url": "https://b.jamacloud.com",
              "authType": "basic", "username": "u", "password": "hunter2"},
             {"application": "jama-connect", "name": "C", "url": "https://c.jamacloud.com",
              "authType": "kerberos", "username": "u"}]})")
                             << QStringList { QStringLiteral("connectors[0].url"),
                                    QStringLiteral("connectors[1].password"),
                                    QStringLiteral("connectors[2].authType") };
}

void TestImportExport::importBadFile()
{
    QFETCH(QByteArray, data);
    QFETCH(QStringList, places);
    addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    const QByteArray before = storeBytes();
    QVERIFY(!before.isEmpty());
    const QList<Connector> connectorsBefore = window()->repository()->connectors();

    const QString path = writeFile(QStringLiteral("bad.json"), data);
    ImportDialog *dialog = window()->importFile(path);
    QVERIFY(dialog);
    QVERIFY(dialog->hasProblems());
    QCOMPARE(dialog->windowTitle(), QStringLiteral("Cannot Import Connectors"));
    auto *problems = child<QListWidget>(dialog, "problemsListWidget");
    QVERIFY(problems->isVisible());
    QCOMPARE(problems->count(), int(dialog->problems().size()));
    QCOMPARE(problems->count(), int(places.size()));
    for (int i = 0; i < places.size(); ++i)
        QVERIFY2(problems->item(i)->text().contains(places.at(i)),
            qPrintable(problems->item(i)->text()));
    QVERIFY(!child<QPushButton>(dialog, "importPushButton")->isVisible());
    QVERIFY(!child<QWidget>(dialog, "addedGroupBox")->isVisible());
    QVERIFY(child<QLabel>(dialog, "summaryLabel")
                ->text()
                .contains(QStringLiteral("Nothing has been changed")));
    QCOMPARE(pageMessage()->kind(), InlineMessage::Kind::Error);
    QVERIFY(pageMessage()->text().contains(QStringLiteral("Nothing was imported")));

    // Enter does not import anything; Close (by keyboard) closes.
    QPointer<ImportDialog> closing(dialog);
    QPushButton *close = child<QPushButton>(dialog, "cancelPushButton");
    QCOMPARE(close->text(), QStringLiteral("Close"));
    QCOMPARE(close->accessibleName(), QStringLiteral("Close"));
    QTest::keyClick(dialog, Qt::Key_Escape);
    QTRY_VERIFY(!closing);

    QCOMPARE(storeBytes(), before); // byte-identical
    QCOMPARE(window()->repository()->connectors().size(), connectorsBefore.size());
    QCOMPARE(window()->repository()->connectors().first().name, QStringLiteral("Prod"));
}

void TestImportExport::duplicates_data()
{
    QTest::addColumn<bool>("replace");
    QTest::newRow("skip") << false;
    QTest::newRow("replace") << true;
}

void TestImportExport::duplicates()
{
    QFETCH(bool, replace);
    const QUuid prod
        = addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    const QString prodSecret = secrets()->contents().value(
        secretKey(prod, QStringLiteral("jama-connect"), QStringLiteral("basic")));
    QVERIFY(!prodSecret.isEmpty());

    Connector dup
        = connector(QStringLiteral("Production"), QStringLiteral("https://acme.jamacloud.com"));
    dup.verifySsl = false;
    const Connector clash
        = connector(QStringLiteral("Prod"), QStringLiteral("https://other.jamacloud.com"));
    const QString path = writeFile(QStringLiteral("dups.json"), exportFileOf({ dup, clash }));

    ImportDialog *dialog = window()->importFile(path);
    QVERIFY(dialog);
    QVERIFY(!dialog->hasProblems());
    auto *duplicates = child<QListWidget>(dialog, "duplicatesListWidget");
    auto *renames = child<QListWidget>(dialog, "renamesListWidget");
    auto *skip = child<QRadioButton>(dialog, "skipRadioButton");
    auto *replaceButton = child<QRadioButton>(dialog, "replaceRadioButton");
    QVERIFY(duplicates->isVisible());
    QCOMPARE(duplicates->count(), 1);
    QCOMPARE(skip->accessibleName(), QStringLiteral("Skip duplicates"));
    QCOMPARE(replaceButton->accessibleName(), QStringLiteral("Replace duplicates"));
    QCOMPARE(skip->text().remove(QLatin1Char('&')), skip->accessibleName());
    QCOMPARE(replaceButton->text().remove(QLatin1Char('&')), replaceButton->accessibleName());
    QVERIFY(skip->isChecked()); // the safe default
    QCOMPARE(dialog->duplicateChoice(), Exchange::DuplicateChoice::Skip);
    // Skip: "Prod" is taken by the existing connector, so the new one is renamed.
    QCOMPARE(renames->count(), 1);
    QVERIFY(renames->item(0)->text().contains(QStringLiteral("Prod (imported)")));

    if (replace) {
        // By keyboard: focus the choice and move to Replace with an arrow key.
        QVERIFY(test::activate(dialog));
        skip->setFocus(Qt::TabFocusReason);
        QTest::keyClick(skip, Qt::Key_Right);
        QTRY_VERIFY(replaceButton->isChecked());
        QCOMPARE(dialog->duplicateChoice(), Exchange::DuplicateChoice::Replace);
        // The existing "Prod" becomes "Production", so "Prod" is free again: no rename.
        QCOMPARE(renames->count(), 0);
        QVERIFY(!renames->isVisible());
        // Turning Verify SSL off for the kept secret is listed, not ticked: not applied.
        auto *weaker = child<QListWidget>(dialog, "weakerListWidget");
        QVERIFY(weaker->isVisible());
        QCOMPARE(weaker->count(), 1);
        QCOMPARE(weaker->item(0)->checkState(), Qt::Unchecked);
    }
    QTest::mouseClick(child<QPushButton>(dialog, "importPushButton"), Qt::LeftButton);
    QTRY_COMPARE(window()->repository()->connectors().size(), 2);

    const std::optional<Connector> existing = window()->repository()->find(prod);
    QVERIFY(existing);
    QVERIFY(!existing->needsSecret);
    // The replaced (or skipped) connector keeps its secret.
    QCOMPARE(secrets()->contents().value(
                 secretKey(prod, QStringLiteral("jama-connect"), QStringLiteral("basic"))),
        prodSecret);
    QCOMPARE(secrets()->contents().size(), 1);
    Connector added;
    for (const Connector &c : window()->repository()->connectors()) {
        if (c.id != prod)
            added = c;
    }
    QVERIFY(added.needsSecret);
    QCOMPARE(added.url, QStringLiteral("https://other.jamacloud.com"));
    if (replace) {
        QCOMPARE(existing->name, QStringLiteral("Production"));
        QVERIFY(existing->verifySsl); // not ticked: kept
        QCOMPARE(added.name, QStringLiteral("Prod"));
        QVERIFY(pageMessage()->text().contains(QStringLiteral("Replaced 1 connector")));
    } else {
        QCOMPARE(existing->name, QStringLiteral("Prod"));
        QVERIFY(existing->verifySsl);
        QCOMPARE(added.name, QStringLiteral("Prod (imported)"));
        QVERIFY(pageMessage()->text().contains(QStringLiteral("Skipped 1 connector")));
    }
    QVERIFY(pageMessage()->text().contains(QStringLiteral("Imported 1 connector")));
}

void TestImportExport::weakeningAppliedOnlyWhenTicked_data()
{
    QTest::addColumn<bool>("mouse");
    QTest::newRow("keyboard") << false;
    QTest::newRow("mouse") << true;
}

void TestImportExport::weakeningAppliedOnlyWhenTicked()
{
    QFETCH(bool, mouse);
    const QUuid prod
        = addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    const QUuid qa = addDirect(QStringLiteral("QA"), QStringLiteral("https://qa.jamacloud.com"));
    const QByteArray pin(32, '\x42');
    {
        std::optional<Connector> c = window()->repository()->find(qa);
        c->pinnedCertificateSha256 = pin;
        QVERIFY(test::waitFor([&](const RepositoryCallback &done) {
            window()->repository()->update(*c, std::nullopt, done);
        }).ok);
    }
    // The file turns Verify SSL off for Prod and drops QA's trusted certificate.
    Connector prodOff
        = connector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    prodOff.verifySsl = false;
    const Connector qaNoPin
        = connector(QStringLiteral("QA"), QStringLiteral("https://qa.jamacloud.com"));
    const QString path
        = writeFile(QStringLiteral("weaker.json"), exportFileOf({ prodOff, qaNoPin }));

    ImportDialog *dialog = window()->importFile(path);
    QVERIFY(dialog);
    dialog->setDuplicateChoice(Exchange::DuplicateChoice::Replace);
    auto *weaker = child<QListWidget>(dialog, "weakerListWidget");
    QTRY_COMPARE(weaker->count(), 2);
    QVERIFY(weaker->isVisible());
    QVERIFY(weaker->item(0)->text().contains(QStringLiteral("“Prod” turns Verify SSL off")));
    QVERIFY(
        weaker->item(1)->text().contains(QStringLiteral("“QA” removes the trusted certificate")));
    QCOMPARE(weaker->accessibleName(), QStringLiteral("Less secure than now"));
    QVERIFY(dialog->changes().hasUnappliedWeakening());

    // Tick the first (Prod) only.
    if (mouse) {
        // On the check box of the first row, where the style draws it.
        QStyleOptionViewItem option;
        option.initFrom(weaker);
        option.rect = weaker->visualItemRect(weaker->item(0));
        option.features
            = QStyleOptionViewItem::HasCheckIndicator | QStyleOptionViewItem::HasDisplay;
        option.text = weaker->item(0)->text();
        const QRect box = weaker->style()->subElementRect(
            QStyle::SE_ItemViewItemCheckIndicator, &option, weaker);
        QVERIFY(!box.isEmpty());
        QTest::mouseClick(weaker->viewport(), Qt::LeftButton, {}, box.center());
    } else {
        QVERIFY(test::activate(dialog));
        weaker->setFocus(Qt::TabFocusReason);
        weaker->setCurrentRow(0);
        QTest::keyClick(weaker, Qt::Key_Space);
    }
    QTRY_COMPARE(weaker->item(0)->checkState(), Qt::Checked);
    QCOMPARE(weaker->item(1)->checkState(), Qt::Unchecked);
    QTRY_COMPARE(dialog->changes().weakened.size(), 2);
    QVERIFY(dialog->changes().weakened.at(0).applied);
    QVERIFY(!dialog->changes().weakened.at(1).applied);

    QTest::mouseClick(child<QPushButton>(dialog, "importPushButton"), Qt::LeftButton);
    QTRY_VERIFY(!window()->findChild<ImportDialog *>());
    QVERIFY(!window()->repository()->find(prod)->verifySsl); // ticked: applied
    QCOMPARE(window()->repository()->find(qa)->pinnedCertificateSha256, pin); // not ticked: kept
}

void TestImportExport::nothingToImport()
{
    addDirect(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com"));
    const QByteArray before = storeBytes();
    const QString path = writeFile(QStringLiteral("same.json"),
        exportFileOf(
            { connector(QStringLiteral("Prod"), QStringLiteral("https://acme.jamacloud.com")) }));
    ImportDialog *dialog = window()->importFile(path);
    QVERIFY(dialog);
    QPushButton *import = child<QPushButton>(dialog, "importPushButton");
    QVERIFY(!import->isEnabled());
    QVERIFY(child<InlineMessage>(dialog, "importMessage")
                ->text()
                .contains(QStringLiteral("nothing to import")));
    child<QRadioButton>(dialog, "replaceRadioButton")->setChecked(true);
    QVERIFY(import->isEnabled());
    dialog->reject();
    QCOMPARE(storeBytes(), before);
}

void TestImportExport::dropJsonFile()
{
    const QString path = writeFile(QStringLiteral("dropped.JSON"),
        exportFileOf({ connector(
            QStringLiteral("Dropped"), QStringLiteral("https://drop.jamacloud.com")) }));
    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(path) });
    const QPoint pos = window()->rect().center();
    QDragEnterEvent enter(
        pos, Qt::CopyAction | Qt::MoveAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window(), &enter);
    QVERIFY(enter.isAccepted());
    QCOMPARE(enter.dropAction(), Qt::CopyAction);
    QDragMoveEvent move(
        pos, Qt::CopyAction | Qt::MoveAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window(), &move);
    QVERIFY(move.isAccepted());
    QDropEvent drop(
        QPointF(pos), Qt::CopyAction | Qt::MoveAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window(), &drop);
    QVERIFY(drop.isAccepted());
    QCOMPARE(drop.dropAction(), Qt::CopyAction);

    ImportDialog *dialog = waitForImportDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->filePath(), QFileInfo(path).absoluteFilePath());
    QTest::mouseClick(child<QPushButton>(dialog, "importPushButton"), Qt::LeftButton);
    QTRY_COMPARE(window()->repository()->connectors().size(), 1);
    QCOMPARE(window()->repository()->connectors().first().name, QStringLiteral("Dropped"));
    QVERIFY(window()->repository()->connectors().first().needsSecret);
}

void TestImportExport::dropRejected_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("text file") << QStringLiteral("txt");
    QTest::newRow("remote url") << QStringLiteral("remote");
    QTest::newRow("two files") << QStringLiteral("two");
    QTest::newRow("plain text") << QStringLiteral("text");
    QTest::newRow("folder named .json") << QStringLiteral("folder");
}

void TestImportExport::dropRejected()
{
    QFETCH(QString, kind);
    const QByteArray good = exportFileOf(
        { connector(QStringLiteral("Dropped"), QStringLiteral("https://drop.jamacloud.com")) });
    QMimeData mime;
    if (kind == QLatin1String("txt")) {
        mime.setUrls({ QUrl::fromLocalFile(writeFile(QStringLiteral("export.txt"), good)) });
    } else if (kind == QLatin1String("remote")) {
        mime.setUrls({ QUrl(QStringLiteral("https://example.com/export.json")) });
    } else if (kind == QLatin1String("two")) {
        mime.setUrls({ QUrl::fromLocalFile(writeFile(QStringLiteral("a.json"), good)),
            QUrl::fromLocalFile(writeFile(QStringLiteral("b.json"), good)) });
    } else if (kind == QLatin1String("text")) {
        mime.setText(QString::fromUtf8(good));
    } else {
        QVERIFY(QDir(m_files->path()).mkdir(QStringLiteral("folder.json")));
        mime.setUrls({ QUrl::fromLocalFile(m_files->filePath(QStringLiteral("folder.json"))) });
    }
    const QPoint pos = window()->rect().center();
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window(), &enter);
    QVERIFY(!enter.isAccepted());
    QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window(), &drop);
    QVERIFY(!drop.isAccepted());
    QTest::qWait(20);
    QVERIFY(!window()->findChild<ImportDialog *>());
    QVERIFY(window()->repository()->connectors().isEmpty());
}

QTEST_MAIN(TestImportExport)
#include "tst_importexport.moc"
