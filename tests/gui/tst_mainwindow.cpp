#include "AppInfo.h"
#include "ConnectorListModel.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "GuiTestSupport.h"
#include "HeaderBar.h"
#include "MainWindow.h"
#include "NetworkStatus.h"

#include <QAbstractButton>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QWindow>
#include <functional>

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
    // The app's start-up (MainWindow::StartUp::Deferred): first frame first.
    void deferredFirstFrameBeforeStoreNetworkAndKeychain();
    void deferredLoadingStateThenEmptyState();
    void deferredClosedBeforeFirstFrame();

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

namespace {

// Calls `then` once, when `window`'s QWindow receives its first expose that exposes it (before
// the window paints it, and before anything the window queues from it has run).
class FirstExposeWatcher : public QObject
{
public:
    FirstExposeWatcher(QWidget *window, std::function<void()> then)
        : m_window(window->windowHandle())
        , m_then(std::move(then))
    {
        m_window->installEventFilter(this);
    }
    bool seen() const { return m_seen; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (!m_seen && watched == m_window && event->type() == QEvent::Expose
            && m_window->isExposed()) {
            m_seen = true;
            m_then();
        }
        return false;
    }

private:
    QWindow *m_window;
    std::function<void()> m_then;
    bool m_seen = false;
};

void writeConnectors(const QString &dataDir, int count)
{
    ConnectorStore store(dataDir);
    QList<Connector> list;
    QString error;
    QVERIFY2(store.load(&list, &error), qPrintable(error));
    // Not verified: a check (and a keychain read) is due, after the start-up.
    list = test::generatedConnectors(count, ValidationStatus::NotVerified);
    QVERIFY2(store.write(list, {}, &error), qPrintable(error));
}

} // namespace

void TestMainWindow::deferredFirstFrameBeforeStoreNetworkAndKeychain()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeConnectors(dir.path(), 3);
    if (QTest::currentTestFailed())
        return;
    MemorySecretStore secrets; // counts every call
    ui::MainWindow w(dir.path(), ui::MainWindow::StartUp::Deferred, &secrets);
    QVERIFY(!w.isStartedUp());
    QVERIFY(!w.repository());
    QCOMPARE(secrets.callCount(), 0);

    QSignalSpy loadingShown(&w, &ui::MainWindow::loadingShown);
    QSignalSpy loaded(&w, &ui::MainWindow::connectorsLoaded);
    QSignalSpy finished(&w, &ui::MainWindow::startUpFinished);
    // The next frame: the header bar and a neutral loading state, never "no connectors yet",
    // and the network state not shown before it is known.
    struct
    {
        bool headerBar = false, emptyState = true, repository = true, networkShown = true;
        QString loadingName, loadingText;
    } atLoading;
    connect(&w, &ui::MainWindow::loadingShown, this, [&] {
        atLoading.headerBar = w.headerBar();
        if (auto *loading = w.findChild<QLabel *>(QStringLiteral("loadingConnectorsLabel"))) {
            atLoading.loadingName = loading->accessibleName();
            atLoading.loadingText = loading->text();
        }
        atLoading.emptyState = w.findChild<QWidget *>(QStringLiteral("emptyStateWidget"));
        atLoading.repository = w.repository();
        auto *network = w.headerBar()->findChild<QLabel *>(QStringLiteral("networkStateLabel"));
        atLoading.networkShown = network && network->isVisibleTo(&w);
    });
    // Then the connectors, still before the network backend.
    struct
    {
        int connectors = -1, rows = -1, secretCalls = -1;
        bool loadingLabelVisible = true, backendLoaded = true;
    } atLoaded;
    connect(&w, &ui::MainWindow::connectorsLoaded, this, [&] {
        atLoaded.connectors = int(w.repository()->connectors().size());
        atLoaded.rows = w.connectorsPage()->proxy()->rowCount();
        auto *loading = w.findChild<QLabel *>(QStringLiteral("loadingConnectorsLabel"));
        atLoaded.loadingLabelVisible = loading && loading->isVisibleTo(&w);
        atLoaded.backendLoaded = w.networkStatus()->isBackendLoaded();
        atLoaded.secretCalls = secrets.callCount();
    });
    // At the first frame: no store opened, no network backend, no keychain call, no header.
    bool checkedFirstFrame = false;
    int callsAtFirstFrame = -1;
    w.show();
    FirstExposeWatcher watcher(&w, [&] {
        checkedFirstFrame = !w.repository() && !w.networkStatus() && !w.headerBar()
            && loadingShown.isEmpty() && loaded.isEmpty();
        callsAtFirstFrame = secrets.callCount();
    });
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_VERIFY(watcher.seen());
    QVERIFY(checkedFirstFrame);
    QCOMPARE(callsAtFirstFrame, 0);

    // Then, after the frame that shows it, the rest: the network state, shown.
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    QCOMPARE(loadingShown.size(), 1);
    QCOMPARE(loaded.size(), 1);
    QVERIFY(atLoading.headerBar);
    QCOMPARE(atLoading.loadingName, QStringLiteral("Loading connectors"));
    QVERIFY(atLoading.loadingText.startsWith(QStringLiteral("Loading connectors")));
    QVERIFY(!atLoading.emptyState);
    QVERIFY(!atLoading.repository);
    QVERIFY(!atLoading.networkShown);
    QCOMPARE(atLoaded.connectors, 3);
    QCOMPARE(atLoaded.rows, 3);
    QVERIFY(!atLoaded.loadingLabelVisible);
    QVERIFY(!atLoaded.backendLoaded);
    QCOMPARE(atLoaded.secretCalls, 0); // loading never reads a secret

    QVERIFY(w.isStartedUp());
    QVERIFY(w.networkStatus()->isBackendLoaded());
    QTRY_VERIFY(child<QLabel>(w.headerBar(), "networkStateLabel")->isVisible());
    QVERIFY(!QApplication::windowIcon().isNull());
}

void TestMainWindow::deferredLoadingStateThenEmptyState()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString db = QDir(dir.path()).filePath(QStringLiteral("connectors.db"));
    MemorySecretStore secrets;
    ui::MainWindow w(dir.path(), ui::MainWindow::StartUp::Deferred, &secrets);
    bool dbAtFirstFrame = true;
    w.show();
    FirstExposeWatcher watcher(&w, [&] { dbAtFirstFrame = QFileInfo::exists(db); });
    QSignalSpy loaded(&w, &ui::MainWindow::connectorsLoaded);
    QVERIFY(loaded.wait(10000));
    QVERIFY(watcher.seen());
    QVERIFY(!dbAtFirstFrame); // the store was not even opened before the first frame
    QVERIFY(QFileInfo::exists(db));
    // An empty store: now, and only now, the empty state.
    auto *empty = child<QWidget>(&w, "emptyStateWidget");
    QVERIFY(empty);
    QTRY_VERIFY(empty->isVisible());
    QCOMPARE(secrets.callCount(), 0);
}

void TestMainWindow::deferredClosedBeforeFirstFrame()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MemorySecretStore secrets;
    ui::MainWindow w(dir.path(), ui::MainWindow::StartUp::Deferred, &secrets);
    QSignalSpy loaded(&w, &ui::MainWindow::connectorsLoaded);
    w.show();
    w.close();
    QTest::qWait(200);
    QVERIFY(loaded.isEmpty());
    QVERIFY(!w.repository());
    QVERIFY(!QFileInfo::exists(QDir(dir.path()).filePath(QStringLiteral("connectors.db"))));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
