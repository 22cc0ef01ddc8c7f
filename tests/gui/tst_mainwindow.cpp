#include "AppInfo.h"
#include "ConnectorsPage.h"
#include "GuiTestSupport.h"
#include "HeaderBar.h"
#include "MainWindow.h"
#include "NetworkStatus.h"

#include <QAbstractButton>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>

using namespace cd;
using cd::test::child;

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void headerBarAndEmptyState();
    void networkIndicatorFollowsState();
    void aboutNamesVersions();
    void geometryRemembered();

private:
    // The window as the app starts it: the OS keychain (never asked here: nothing is read at
    // start) and the network state the system reports.
    static test::MainWindowFixture::Options asStarted()
    {
        test::MainWindowFixture::Options options;
        options.network = std::nullopt;
        options.activate = false;
        options.osKeychain = true;
        return options;
    }
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDeskTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QSettings().clear();
}

void TestMainWindow::headerBarAndEmptyState()
{
    test::MainWindowFixture app(asStarted());
    QVERIFY(app.open());
    ui::MainWindow &w = *app.window();
    QCOMPARE(w.windowTitle(), QStringLiteral("Connector Desk"));

    auto *header = child<ui::HeaderBar>(&w, "headerBar");
    QVERIFY(header);
    QVERIFY(header->isVisible());
    QCOMPARE(child<QLabel>(header, "productNameLabel")->text(), QStringLiteral("Connector Desk"));
    QAbstractButton *nav = header->pageButton(0);
    QVERIFY(nav);
    QCOMPARE(nav->accessibleName(), QStringLiteral("Connectors"));
    QVERIFY(nav->isChecked());
    QVERIFY(child<QLabel>(header, "networkStateLabel")->isVisible());

    auto *empty = child<QWidget>(&w, "emptyStateWidget");
    QVERIFY(empty);
    QVERIFY(empty->isVisible());
    auto *text = child<QLabel>(empty, "emptyTextLabel");
    QVERIFY(text->text().contains(QStringLiteral("connector")));
    auto *add = child<QPushButton>(empty, "emptyAddConnectorPushButton");
    QVERIFY(add);
    QCOMPARE(add->accessibleName(), QStringLiteral("Add Connector"));
}

void TestMainWindow::networkIndicatorFollowsState()
{
    test::MainWindowFixture app(asStarted());
    ui::MainWindow &w = *app.create(); // not shown
    auto *label = child<QLabel>(&w, "networkStateLabel");
    const QString initial = label->text();
    QVERIFY(initial == "Online" || initial == "Offline" || initial == "Unknown");
    w.networkStatus()->forceState(NetworkStatus::State::Offline);
    QCOMPARE(label->text(), QStringLiteral("Offline"));
    w.networkStatus()->forceState(NetworkStatus::State::Online);
    QCOMPARE(label->text(), QStringLiteral("Online"));
    QCOMPARE(label->accessibleName(), QStringLiteral("Network: Online"));
}

void TestMainWindow::aboutNamesVersions()
{
    test::MainWindowFixture app(asStarted());
    QVERIFY(app.open());
    ui::MainWindow &w = *app.window();
    auto *menu = w.headerBar()->menu();
    QAction *about = nullptr;
    QAction *quit = nullptr;
    for (QAction *a : menu->actions()) {
        if (a->objectName() == QLatin1String("aboutAction"))
            about = a;
        if (a->objectName() == QLatin1String("quitAction"))
            quit = a;
    }
    QVERIFY(about && quit);
    QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
    about->trigger();
    auto *box = test::waitForChild<QMessageBox>(&w, "aboutMessageBox"); // and visible
    QVERIFY(box);
    QVERIFY(box->text().contains(QStringLiteral("Connector Desk ") + AppInfo::version()));
    QVERIFY(box->informativeText().contains(QString::fromLatin1(qVersion())));
    QVERIFY(box->informativeText().contains(QStringLiteral("QtKeychain")));
    box->close();
}

void TestMainWindow::geometryRemembered()
{
    test::MainWindowFixture app(asStarted());
    QVERIFY(app.open());
    app.window()->setGeometry(40, 50, 700, 500);
    const QRect saved = app.window()->geometry();
    app.window()->close();
    QVERIFY(app.open()); // a new window
    QCOMPARE(app.window()->size(), saved.size());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
