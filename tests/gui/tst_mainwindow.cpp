#include "AppInfo.h"
#include "ConnectorsPage.h"
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
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace cd;

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
    QTemporaryDir m_data;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDeskTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QSettings().clear();
    QVERIFY(m_data.isValid());
}

void TestMainWindow::headerBarAndEmptyState()
{
    ui::MainWindow w(m_data.path());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.windowTitle(), QStringLiteral("Connector Desk"));

    auto *header = w.findChild<ui::HeaderBar *>(QStringLiteral("headerBar"));
    QVERIFY(header);
    QVERIFY(header->isVisible());
    QCOMPARE(header->findChild<QLabel *>(QStringLiteral("productNameLabel"))->text(),
        QStringLiteral("Connector Desk"));
    QAbstractButton *nav = header->pageButton(0);
    QVERIFY(nav);
    QCOMPARE(nav->accessibleName(), QStringLiteral("Connectors"));
    QVERIFY(nav->isChecked());
    QVERIFY(header->findChild<QLabel *>(QStringLiteral("networkStateLabel"))->isVisible());

    auto *empty = w.findChild<QWidget *>(QStringLiteral("emptyStateWidget"));
    QVERIFY(empty);
    QVERIFY(empty->isVisible());
    auto *text = empty->findChild<QLabel *>(QStringLiteral("emptyTextLabel"));
    QVERIFY(text->text().contains(QStringLiteral("connector")));
    auto *add = empty->findChild<QPushButton *>(QStringLiteral("emptyAddConnectorPushButton"));
    QVERIFY(add);
    QCOMPARE(add->accessibleName(), QStringLiteral("Add Connector"));
}

void TestMainWindow::networkIndicatorFollowsState()
{
    ui::MainWindow w(m_data.path());
    auto *label = w.findChild<QLabel *>(QStringLiteral("networkStateLabel"));
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
    ui::MainWindow w(m_data.path());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
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
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = w.findChild<QMessageBox *>(QStringLiteral("aboutMessageBox"))));
    QTRY_VERIFY(box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral("Connector Desk ") + AppInfo::version()));
    QVERIFY(box->informativeText().contains(QString::fromLatin1(qVersion())));
    QVERIFY(box->informativeText().contains(QStringLiteral("QtKeychain")));
    box->close();
}

void TestMainWindow::geometryRemembered()
{
    QRect saved;
    {
        ui::MainWindow w(m_data.path());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.setGeometry(40, 50, 700, 500);
        saved = w.geometry();
        w.close();
    }
    ui::MainWindow again(m_data.path());
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.size(), saved.size());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
