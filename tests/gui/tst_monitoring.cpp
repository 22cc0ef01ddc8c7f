// Keeping connectors healthy (issue 16), in the window against the local fake Jama server:
// scheduled re-checks with an injected clock (a password changed at the server becomes
// Failed on the next scheduled check, with exactly one notification, and the tray follows;
// a rejected connector is never sent again; offline skips and resumes; spreading keeps the
// per-host limit), the Preferences dialog by keyboard and by mouse, the tray's menu, closing
// into the tray, and notification text made inert.
#include "ConnectorRepository.h"
#include "ConnectorsPage.h"
#include "FakeJamaServer.h"
#include "GuiTestSupport.h"
#include "HeaderBar.h"
#include "HealthMonitor.h"
#include "InlineMessage.h"
#include "MainWindow.h"
#include "MemorySecretStore.h"
#include "NetworkStatus.h"
#include "PreferencesDialog.h"
#include "RecheckScheduler.h"
#include "TestSupport.h"
#include "TrayController.h"
#include "ValidationQueue.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTest>

using namespace cd;
using namespace cd::ui;
using cd::test::child;

namespace {
constexpr qint64 kHour = RecheckScheduler::kHourMs;
} // namespace

class TestMonitoring : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void passwordChangedAtServerFailsOnNextScheduledCheck();
    void rejectedConnectorIsNotSentAgain();
    void offlineSkipsAndResumes();
    void spreadingKeepsThePerHostLimit();
    void dueTimesAreSpread();
    void offNeverChecks();
    void editStartsOverWithoutNotification();
    void notReachedInBetweenStillNotifies();
    void otherProcessResultNotifies();
    void manyAtOnceMakeOneNotification();
    void notificationTextIsInert_data();
    void notificationTextIsInert();
    void preferencesByKeyboard();
    void preferencesByMouse();
    void preferencesCancelChangesNothing();
    void preferencesSurviveARestart();
    void badStoredPreferencesReadAsDefaults();
    void trayMenuAndStatus();
    void trayValidateAllAndOpen();
    void closeKeepsRunningInTray();
    void closeQuitsWithoutTheSetting();
    void nothingStartsDuringStartUp();
    void notificationKeepsThePageMessage();
    void preferencesThatCannotBeSavedStayOpen();
    // Last: it ends with a real quit of the application object.
    void systemQuitWhileHiddenClosesForGood();

private:
    MainWindow *window() const { return m_app->window(); }
    // A Basic connector of the fake server's "named" account, verified by a first check.
    QUuid addVerified(const QString &name, const QString &host = QStringLiteral("127.0.0.1"));
    ValidationStatus statusOf(const QUuid &id) const
    {
        return window()->repository()->find(id)->validation.status;
    }
    // The scheduler's clock runs `offset` ahead of the real one (checks record real times).
    void useClockOffset();
    // Restarts the window as on a desktop with a system tray (forced: offscreen has none),
    // with "Keep running in the tray" saved as `keepInTray`. False when it did not open.
    bool reopenWithTray(bool keepInTray = true);
    void setPassword(const QString &username, const QString &password);
    // Records `status` for `id` as a check at `at` would.
    void record(const QUuid &id, ValidationStatus status, const QDateTime &at,
        const QString &message = {}, bool rejected = false);

    std::unique_ptr<fake::FakeJamaServer> m_server;
    std::unique_ptr<test::MainWindowFixture> m_app;
    qint64 m_offsetMs = 0;
};

void TestMonitoring::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings under ~/.qttest, not the user's
    // Without an organisation QSettings writes nothing (AccessError) and keeps values only in
    // memory: Preferences are saved for real here.
    QCoreApplication::setOrganizationName(QStringLiteral("ConnectorDeskTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_monitoring"));
}

void TestMonitoring::init()
{
    QSettings().clear();
    TrayController::setAvailabilityForTesting(std::nullopt);
    m_server = std::make_unique<fake::FakeJamaServer>();
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));
    test::MainWindowFixture::Options options;
    options.network = NetworkStatus::State::Online;
    options.activate = false;
    m_app = std::make_unique<test::MainWindowFixture>(options);
    QVERIFY(m_app->open());
    m_offsetMs = 0;
    useClockOffset();
    // Looks happen when a test calls tick(), not on the scheduler's own timer.
    window()->recheckScheduler()->setTickInterval(24 * 60 * 60 * 1000);
    window()->recheckScheduler()->start(); // the window starts it 2 s after the list shows
    window()->tray()->setCoalesceInterval(0);
}

void TestMonitoring::cleanup()
{
    if (m_app)
        m_app->close();
    m_server.reset();
    m_app.reset();
    TrayController::setAvailabilityForTesting(std::nullopt);
    QSettings().clear();
}

bool TestMonitoring::reopenWithTray(bool keepInTray)
{
    m_app->close();
    TrayController::setAvailabilityForTesting(true);
    Preferences p;
    p.keepRunningInTray = keepInTray;
    return p.save().isEmpty() && m_app->open();
}

void TestMonitoring::useClockOffset()
{
    window()->recheckScheduler()->setClock(
        [this] { return QDateTime::currentDateTimeUtc().addMSecs(m_offsetMs); });
}

QUuid TestMonitoring::addVerified(const QString &name, const QString &host)
{
    const QUuid id = test::addConnector(window()->repository(),
        test::makeConnector(name, m_server->baseUrl(host).toString(), QStringLiteral("basic"),
            QStringLiteral("named")),
        QStringLiteral("password"));
    if (id.isNull())
        return id;
    window()->validationQueue()->enqueue(id);
    if (!QTest::qWaitFor([&] { return statusOf(id) == ValidationStatus::Verified; }, 15000)) {
        test::fail(QStringLiteral("%1 was not verified").arg(name));
        return {};
    }
    if (!QTest::qWaitFor([&] { return !window()->validationQueue()->isPending(id); }, 5000))
        test::fail(QStringLiteral("%1 stayed pending").arg(name));
    return id;
}

void TestMonitoring::setPassword(const QString &username, const QString &password)
{
    QList<fake::FakeAccount> accounts = m_server->accounts();
    for (fake::FakeAccount &a : accounts) {
        if (a.username == username)
            a.password = password;
    }
    m_server->setAccounts(accounts);
}

void TestMonitoring::record(const QUuid &id, ValidationStatus status, const QDateTime &at,
    const QString &message, bool rejected)
{
    ValidationState v = window()->repository()->find(id)->validation;
    v.status = status;
    v.checkedAt = at;
    v.message = message;
    v.credentialsRejected = rejected;
    QVERIFY(window()->repository()->recordValidation(id, v));
}

void TestMonitoring::passwordChangedAtServerFailsOnNextScheduledCheck()
{
    RecheckScheduler *scheduler = window()->recheckScheduler();
    TrayController *tray = window()->tray();
    QCOMPARE(scheduler->interval(), 24 * kHour); // the default
    const QUuid id = addVerified(QStringLiteral("Production"));
    QVERIFY(!id.isNull());
    QCOMPARE(tray->iconStatus(), ValidationStatus::Verified);
    QSignalSpy notifications(tray, &TrayController::notificationShown);

    // Before it is due nothing is sent.
    m_offsetMs = 21 * kHour;
    m_server->clearRequests();
    QVERIFY(scheduler->tick().isEmpty());
    QTest::qWait(100);
    QCOMPARE(m_server->requestCount(), 0);

    // The service account's password expires; the next scheduled check finds out.
    setPassword(QStringLiteral("named"), QStringLiteral("rotated-at-the-server"));
    m_offsetMs = 24 * kHour + 1000;
    QCOMPARE(scheduler->tick(), QList<QUuid> { id });
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), ValidationStatus::Failed, 15000);
    QVERIFY(window()->repository()->find(id)->validation.credentialsRejected);
    QTRY_COMPARE(notifications.size(), 1);
    const QList<QVariant> n = notifications.first();
    QVERIFY2(
        n.at(0).toString().contains(QStringLiteral("Production")), qPrintable(n.at(0).toString()));
    QVERIFY(!n.at(1).toString().isEmpty()); // the reason
    QCOMPARE(n.at(2).value<QList<QUuid>>(), QList<QUuid> { id });
    QCOMPARE(n.at(3).toBool(), false); // no tray here (offscreen): the window showed it
    QVERIFY(window()->connectorsPage()->notificationMessage()->text().contains(
        QStringLiteral("Production")));
    // The tray follows.
    QCOMPARE(tray->iconStatus(), ValidationStatus::Failed);
    QVERIFY2(tray->toolTip().contains(QStringLiteral("1 failed")), qPrintable(tray->toolTip()));
    QCOMPARE(tray->summaryAction()->text(), window()->healthMonitor()->summaryText());
    QVERIFY(!tray->trayIcon()->icon().isNull());

    // Exactly one: later looks neither send it again nor notify again.
    m_offsetMs = 72 * kHour;
    QVERIFY(scheduler->tick().isEmpty());
    QTest::qWait(300);
    QCOMPARE(notifications.size(), 1);

    // "Show" in the banner brings the window to that connector.
    window()->connectorsPage()->selectConnectors({});
    QPushButton *show = child<QPushButton>(window(), QStringLiteral("showNotifiedPushButton"));
    QVERIFY(show);
    QTest::mouseClick(show, Qt::LeftButton);
    QCOMPARE(window()->connectorsPage()->selectedIds(), QList<QUuid> { id });
}

void TestMonitoring::rejectedConnectorIsNotSentAgain()
{
    RecheckScheduler *scheduler = window()->recheckScheduler();
    const QUuid id = addVerified(QStringLiteral("Sandbox"));
    QVERIFY(!id.isNull());
    record(id, ValidationStatus::Failed, QDateTime::currentDateTimeUtc().addDays(-3),
        QStringLiteral("The username or password was rejected."), true);
    m_server->clearRequests();
    for (qint64 hours : { 24, 48, 240 }) {
        m_offsetMs = hours * kHour;
        QVERIFY(scheduler->tick().isEmpty());
    }
    QTest::qWait(200);
    QCOMPARE(m_server->requestCount(), 0);
    QVERIFY(!window()->validationQueue()->isPending(id));
    QVERIFY(!scheduler->dueAt(*window()->repository()->find(id)).isValid());
    // The rule itself, not only "Failed is never due": even a Verified or Warning connector
    // marked rejected (a newer result elsewhere may say so) is never sent.
    for (ValidationStatus status : { ValidationStatus::Verified, ValidationStatus::Warning }) {
        record(id, status, QDateTime::currentDateTimeUtc().addDays(-3), QString(), true);
        QVERIFY(!scheduler->dueAt(*window()->repository()->find(id)).isValid());
        QVERIFY(scheduler->tick().isEmpty());
    }
    QTest::qWait(100);
    QCOMPARE(m_server->requestCount(), 0);
}

void TestMonitoring::offlineSkipsAndResumes()
{
    RecheckScheduler *scheduler = window()->recheckScheduler();
    const QUuid id = addVerified(QStringLiteral("QA"));
    QVERIFY(!id.isNull());
    const QDateTime firstCheck = window()->repository()->find(id)->validation.checkedAt;
    QSignalSpy started(scheduler, &RecheckScheduler::rechecksStarted);

    window()->networkStatus()->forceState(NetworkStatus::State::Offline);
    QVERIFY(!scheduler->isOnline());
    m_server->clearRequests();
    m_offsetMs = 30 * kHour;
    QVERIFY(scheduler->tick().isEmpty());
    QTest::qWait(200);
    QCOMPARE(m_server->requestCount(), 0);
    QCOMPARE(started.size(), 0);

    // Back online: what came due meanwhile is checked without waiting for the next look.
    window()->networkStatus()->forceState(NetworkStatus::State::Online);
    QTRY_COMPARE(started.size(), 1);
    QCOMPARE(started.first().first().value<QList<QUuid>>(), QList<QUuid> { id });
    QTRY_VERIFY_WITH_TIMEOUT(
        window()->repository()->find(id)->validation.checkedAt > firstCheck, 15000);
    QCOMPARE(statusOf(id), ValidationStatus::Verified);
    QVERIFY(m_server->requestCount() > 0);
}

void TestMonitoring::spreadingKeepsThePerHostLimit()
{
    RecheckScheduler *scheduler = window()->recheckScheduler();
    ValidationQueue *queue = window()->validationQueue();
    QList<QUuid> ids;
    for (int i = 0; i < 10; ++i) {
        const QUuid id = test::addConnector(window()->repository(),
            test::makeConnector(QStringLiteral("Slow %1").arg(i), m_server->baseUrl().toString(),
                QStringLiteral("basic"), QStringLiteral("slow")),
            QStringLiteral("password"));
        QVERIFY(!id.isNull());
        ids << id;
    }
    // Whatever the window may have started for them meanwhile (its start-up work) is dropped.
    queue->cancelAll();
    // All checked together an hour ago (Validate All); a check now makes one not due again.
    const QDateTime checked = QDateTime::currentDateTimeUtc().addSecs(-3600);
    for (const QUuid &id : std::as_const(ids))
        record(id, ValidationStatus::Verified, checked);
    m_server->setDelayMs(300);
    scheduler->setInterval(kHour);
    scheduler->setTickInterval(RecheckScheduler::kDefaultTickMs); // a look a minute

    // Every one is due; one look takes at most startsPerTick() of them, and the queue lets
    // at most two at once talk to the one server.
    QCOMPARE(scheduler->dueNow().size(), 10);
    QCOMPARE(scheduler->startsPerTick(), RecheckScheduler::kMinStartsPerTick);
    const QString host = ValidationQueue::hostKey(m_server->baseUrl().toString());
    int most = 0;
    connect(queue, &ValidationQueue::started, this,
        [&] { most = qMax(most, queue->runningForHost(host)); });
    // Every look (the one the new interval makes at once, then the test's) takes a few.
    QList<QUuid> sent;
    connect(scheduler, &RecheckScheduler::rechecksStarted, this, [&](const QList<QUuid> &now) {
        QVERIFY(now.size() <= RecheckScheduler::kMinStartsPerTick);
        for (const QUuid &id : now)
            QVERIFY(!sent.contains(id)); // a connector checked now is not due again
        sent << now;
    });
    for (int look = 0; look < 6 && sent.size() < 10; ++look) {
        QTRY_VERIFY_WITH_TIMEOUT(queue->runningCount() == 0 && queue->queuedCount() == 0, 20000);
        scheduler->tick();
    }
    QTRY_VERIFY_WITH_TIMEOUT(queue->runningCount() == 0 && queue->queuedCount() == 0, 20000);
    QCOMPARE(sent.size(), 10);
    QCOMPARE(most, ValidationQueue::kDefaultMaxPerHost);
    for (const QUuid &id : std::as_const(ids))
        QCOMPARE(statusOf(id), ValidationStatus::Verified);
}

void TestMonitoring::dueTimesAreSpread()
{
    RecheckScheduler *scheduler = window()->recheckScheduler();
    const QDateTime checked = QDateTime::currentDateTimeUtc();
    QSet<qint64> seen;
    for (int i = 0; i < 20; ++i) {
        Connector c = test::makeConnector(
            QStringLiteral("C%1").arg(i), QStringLiteral("https://x.example"));
        c.id = QUuid::createUuid();
        c.validation.status = i % 2 ? ValidationStatus::Warning : ValidationStatus::Verified;
        c.validation.checkedAt = checked;
        const QDateTime due = scheduler->dueAt(c);
        QVERIFY(due.isValid());
        const qint64 after = checked.msecsTo(due);
        QVERIFY2(after > qint64(24 * kHour * (1 - RecheckScheduler::kSpreadFraction)) - 1
                && after <= 24 * kHour,
            qPrintable(QString::number(after)));
        QCOMPARE(scheduler->dueAt(c), due); // fixed per connector
        seen.insert(after);
    }
    QVERIFY2(seen.size() >= 18, "connectors checked together come due at different times");
    // Not eligible: not verified, failed, no secret, never checked.
    Connector c = test::makeConnector(QStringLiteral("N"), QStringLiteral("https://x.example"));
    c.id = QUuid::createUuid();
    c.validation.checkedAt = checked;
    QVERIFY(!scheduler->dueAt(c).isValid());
    c.validation.status = ValidationStatus::Failed;
    QVERIFY(!scheduler->dueAt(c).isValid());
    c.validation.status = ValidationStatus::Verified;
    c.needsSecret = true;
    QVERIFY(!scheduler->dueAt(c).isValid());
    c.needsSecret = false;
    c.validation.checkedAt = QDateTime();
    QVERIFY(!scheduler->dueAt(c).isValid());
}

void TestMonitoring::offNeverChecks()
{
    RecheckScheduler *scheduler = window()->recheckScheduler();
    const QUuid id = addVerified(QStringLiteral("Off"));
    QVERIFY(!id.isNull());
    Preferences p = window()->preferences();
    p.recheckHours = 0;
    window()->applyPreferences(p);
    QVERIFY(!scheduler->isEnabled());
    m_server->clearRequests();
    m_offsetMs = 1000 * kHour;
    QVERIFY(scheduler->tick().isEmpty());
    QVERIFY(scheduler->dueNow().isEmpty());
    QTest::qWait(100);
    QCOMPARE(m_server->requestCount(), 0);
    p.recheckHours = 1;
    window()->applyPreferences(p);
    QCOMPARE(scheduler->interval(), kHour);
    QCOMPARE(scheduler->dueNow(), QList<QUuid> { id });
}

void TestMonitoring::editStartsOverWithoutNotification()
{
    const QUuid id = addVerified(QStringLiteral("Edited"));
    QVERIFY(!id.isNull());
    QSignalSpy degraded(window()->healthMonitor(), &HealthMonitor::degraded);
    // The user changes the URL to a server that refuses: the failure follows their own edit.
    Connector c = *window()->repository()->find(id);
    c.url = QStringLiteral("http://127.0.0.1:1");
    QVERIFY(test::waitFor([&](RepositoryCallback done) {
        window()->repository()->update(c, std::nullopt, done);
    }).ok);
    record(id, ValidationStatus::Failed, QDateTime::currentDateTimeUtc(), QStringLiteral("No."));
    QTest::qWait(50);
    QCOMPARE(degraded.size(), 0);
}

void TestMonitoring::notReachedInBetweenStillNotifies()
{
    const QUuid id = addVerified(QStringLiteral("Flaky"));
    QVERIFY(!id.isNull());
    QSignalSpy degraded(window()->healthMonitor(), &HealthMonitor::degraded);
    const QDateTime t = QDateTime::currentDateTimeUtc();
    record(id, ValidationStatus::NotVerified, t, QStringLiteral("The server did not answer."));
    QCOMPARE(degraded.size(), 0);
    record(id, ValidationStatus::Warning, t.addSecs(60), QStringLiteral("Floating license."));
    QCOMPARE(degraded.size(), 1);
    QCOMPARE(degraded.first().at(1).value<ValidationStatus>(), ValidationStatus::Warning);
    // Warning -> Failed is not "stopped working" again.
    record(id, ValidationStatus::Failed, t.addSecs(120), QStringLiteral("Forbidden."));
    QCOMPARE(degraded.size(), 1);
    // Working again, then failing: a new notification.
    record(id, ValidationStatus::Verified, t.addSecs(180));
    record(id, ValidationStatus::Failed, t.addSecs(240), QStringLiteral("Forbidden."));
    QCOMPARE(degraded.size(), 2);
}

void TestMonitoring::otherProcessResultNotifies()
{
    // A scheduled command line (another process, its own connection) records the failure:
    // the window's notification follows the change it sees.
    const QUuid id = addVerified(QStringLiteral("Shared"));
    QVERIFY(!id.isNull());
    QSignalSpy notifications(window()->tray(), &TrayController::notificationShown);
    {
        ConnectorStore other(m_app->dataDir());
        QList<Connector> loaded;
        QString error;
        QVERIFY2(other.load(&loaded, &error), qPrintable(error));
        ValidationState v = window()->repository()->find(id)->validation;
        v.status = ValidationStatus::Failed;
        v.message = QStringLiteral("The license is now Floating.");
        v.checkedAt = QDateTime::currentDateTimeUtc();
        QVERIFY2(other.setValidation(id, v, &error), qPrintable(error));
    }
    QTRY_COMPARE_WITH_TIMEOUT(notifications.size(), 1, 5000);
    QVERIFY(notifications.first().at(1).toString().contains(QStringLiteral("Floating")));
}

void TestMonitoring::manyAtOnceMakeOneNotification()
{
    QList<QUuid> ids;
    for (const char *name : { "Prod", "Sandbox", "QA" }) {
        const QUuid id = addVerified(QString::fromLatin1(name));
        QVERIFY(!id.isNull());
        ids << id;
    }
    TrayController *tray = window()->tray();
    tray->setCoalesceInterval(200);
    QSignalSpy notifications(tray, &TrayController::notificationShown);
    const QDateTime t = QDateTime::currentDateTimeUtc();
    for (const QUuid &id : std::as_const(ids))
        record(id, ValidationStatus::Failed, t, QStringLiteral("The certificate changed."));
    QTRY_COMPARE(notifications.size(), 1);
    QTest::qWait(400);
    QCOMPARE(notifications.size(), 1);
    const QList<QVariant> n = notifications.first();
    QVERIFY2(n.at(0).toString().contains(QStringLiteral("3")), qPrintable(n.at(0).toString()));
    for (const char *name : { "Prod", "Sandbox", "QA" })
        QVERIFY(n.at(1).toString().contains(QString::fromLatin1(name)));
    QCOMPARE(n.at(2).value<QList<QUuid>>(), ids);
    QCOMPARE(tray->lastNotified(), ids);
}

void TestMonitoring::notificationTextIsInert_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("markup") << QStringLiteral("<b>Prod</b> <img src=\"http://evil/x\"> & co");
    QTest::newRow("escape") << QStringLiteral("Prod\x1b[31mRED\x1b[0m");
    QTest::newRow("controls") << QStringLiteral("Prod\r\nline\x07\u202Etxt");
    QTest::newRow("long") << QString(500, QLatin1Char('x'));
}

void TestMonitoring::notificationTextIsInert()
{
    QFETCH(QString, text);
    const QString shown = TrayController::notificationText(text, 80);
    QVERIFY(shown.size() <= 80);
    for (const QChar ch : shown) {
        QVERIFY2(ch.category() != QChar::Other_Control && ch.category() != QChar::Other_Format,
            qPrintable(shown));
        QVERIFY2(ch != QLatin1Char('<') && ch != QLatin1Char('>') && ch != QLatin1Char('&'),
            qPrintable(shown));
    }
    // And through a notification: a hostile name stays text in the title and the banner.
    const QUuid id = addVerified(text.left(60));
    QVERIFY(!id.isNull());
    QSignalSpy notifications(window()->tray(), &TrayController::notificationShown);
    record(id, ValidationStatus::Failed, QDateTime::currentDateTimeUtc(), text);
    QTRY_COMPARE(notifications.size(), 1);
    for (int i : { 0, 1 }) {
        const QString s = notifications.first().at(i).toString();
        QVERIFY2(!s.contains(QLatin1Char('<')) && !s.contains(QChar(0x1b)), qPrintable(s));
    }
    QCOMPARE(
        window()->connectorsPage()->notificationMessage()->label()->textFormat(), Qt::PlainText);
}

void TestMonitoring::preferencesByKeyboard()
{
    QVERIFY(test::activate(window()));
    QAction *action = window()->preferencesAction();
    QVERIFY(!action->shortcut().isEmpty());
    QVERIFY(window()->headerBar()->menu()->actions().contains(action));
    QTest::keySequence(window(), action->shortcut());
    auto *dialog = test::waitForModal<PreferencesDialog>();
    QVERIFY(dialog);
    QComboBox *combo = dialog->recheckComboBox();
    QCOMPARE(combo->count(), 4);
    QCOMPARE(combo->currentText(), QStringLiteral("Every 24 hours"));
    QCOMPARE(combo->itemText(0), QStringLiteral("Off"));
    QCOMPARE(combo->itemText(1), QStringLiteral("Every hour"));
    QCOMPARE(combo->itemText(2), QStringLiteral("Every 6 hours"));
    QVERIFY(test::duplicateMnemonics(dialog, QStringLiteral("Preferences")).isEmpty());
    // Accessible names are the visible labels.
    QCOMPARE(combo->accessibleName(), QStringLiteral("Re-check connectors"));
    for (QCheckBox *box : { dialog->notifyCheckBox(), dialog->keepInTrayCheckBox() })
        QCOMPARE(box->accessibleName(), box->text().remove(QLatin1Char('&')));
    // No tray here: the choice is disabled and the dialog says why.
    QVERIFY(!dialog->keepInTrayCheckBox()->isEnabled());
    QVERIFY(child<QLabel>(dialog, QStringLiteral("trayNoteLabel"))
                ->text()
                .contains(QStringLiteral("no system tray")));

    // Alt+R goes to the combo box; Up picks "Every 6 hours"; Alt+N unticks notifications.
    QTest::keyClick(dialog, Qt::Key_R, Qt::AltModifier);
    QTRY_VERIFY(combo->hasFocus());
    QTest::keyClick(combo, Qt::Key_Up);
    QCOMPARE(combo->currentText(), QStringLiteral("Every 6 hours"));
    QTest::keyClick(dialog, Qt::Key_N, Qt::AltModifier);
    QTRY_VERIFY(!dialog->notifyCheckBox()->isChecked()); // an animated click
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_VERIFY(!dialog->isVisible());
    QCOMPARE(window()->recheckScheduler()->interval(), 6 * kHour);
    QVERIFY(!window()->tray()->notificationsEnabled());
    QCOMPARE(QSettings().value(QStringLiteral("preferences/recheckHours")).toInt(), 6);
}

void TestMonitoring::preferencesByMouse()
{
    window()->preferencesAction()->trigger();
    auto *dialog = test::waitForModal<PreferencesDialog>();
    QVERIFY(dialog);
    QComboBox *combo = dialog->recheckComboBox();
    // Opens the list with a click and picks "Every hour" with a click on its row.
    QTest::mouseClick(combo, Qt::LeftButton);
    QAbstractItemView *list = combo->view();
    QTRY_VERIFY(list->isVisible());
    // The list ignores a release that comes within a double-click time of it opening.
    QTest::qWait(QApplication::doubleClickInterval() + 100);
    const QRect row = list->visualRect(list->model()->index(1, 0));
    QTest::mouseMove(list->viewport(), row.center());
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, row.center());
    QTRY_COMPARE(combo->currentText(), QStringLiteral("Every hour"));
    QCheckBox *notify = dialog->notifyCheckBox();
    QTest::mouseClick(notify, Qt::LeftButton, {}, QPoint(6, notify->height() / 2)); // its box
    QVERIFY(!notify->isChecked());
    QTest::mouseClick(child<QPushButton>(dialog, QStringLiteral("okPushButton")), Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());
    QCOMPARE(window()->recheckScheduler()->interval(), kHour);
    QCOMPARE(window()->preferences().recheckHours, 1);
    QVERIFY(!window()->preferences().notifyOnProblems);
}

void TestMonitoring::preferencesCancelChangesNothing()
{
    auto *dialog = window()->openPreferences();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    dialog->recheckComboBox()->setCurrentIndex(0);
    dialog->notifyCheckBox()->setChecked(false);
    QTest::mouseClick(
        child<QPushButton>(dialog, QStringLiteral("cancelPushButton")), Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());
    QCOMPARE(window()->recheckScheduler()->interval(), 24 * kHour);
    QVERIFY(window()->tray()->notificationsEnabled());
    QVERIFY(!QSettings().contains(QStringLiteral("preferences/recheckHours")));
}

void TestMonitoring::preferencesSurviveARestart()
{
    Preferences p;
    p.recheckHours = 6;
    p.notifyOnProblems = false;
    QVERIFY(p.save().isEmpty());
    m_app->close();
    QVERIFY(m_app->open());
    QCOMPARE(window()->recheckScheduler()->interval(), 6 * kHour);
    QVERIFY(!window()->tray()->notificationsEnabled());
    auto *dialog = window()->openPreferences();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QCOMPARE(dialog->recheckComboBox()->currentText(), QStringLiteral("Every 6 hours"));
    QVERIFY(!dialog->notifyCheckBox()->isChecked());
    dialog->reject();
}

void TestMonitoring::badStoredPreferencesReadAsDefaults()
{
    QSettings s;
    s.setValue(QStringLiteral("preferences/recheckHours"), QStringLiteral("banana"));
    s.setValue(QStringLiteral("preferences/keepRunningInTray"), QStringLiteral("\x1b[31m"));
    QCOMPARE(Preferences::load().recheckHours, 24);
    s.setValue(QStringLiteral("preferences/recheckHours"), 7);
    QCOMPARE(Preferences::load().recheckHours, 24);
    s.setValue(QStringLiteral("preferences/recheckHours"), -1);
    QCOMPARE(Preferences::load().recheckHours, 24);
    s.setValue(QStringLiteral("preferences/recheckHours"), 1);
    QCOMPARE(Preferences::load().recheckHours, 1);
}

void TestMonitoring::trayMenuAndStatus()
{
    TrayController *tray = window()->tray();
    QMenu *menu = tray->menu();
    QCOMPARE(tray->iconStatus(), ValidationStatus::NotVerified); // no connector yet
    QCOMPARE(tray->summaryAction()->text(), QStringLiteral("No connectors"));
    QStringList texts;
    for (QAction *a : menu->actions()) {
        if (!a->isSeparator())
            texts << a->text();
    }
    QCOMPARE(texts,
        QStringList({ QStringLiteral("No connectors"), QStringLiteral("&Open Connector Desk"),
            QStringLiteral("&Validate All Connectors"), QStringLiteral("&Quit") }));
    QVERIFY(!tray->summaryAction()->isEnabled());
    QCOMPARE(tray->trayIcon()->contextMenu(), menu);

    const QUuid a = addVerified(QStringLiteral("A"));
    const QUuid b = addVerified(QStringLiteral("B"));
    QCOMPARE(tray->iconStatus(), ValidationStatus::Verified);
    QCOMPARE(tray->summaryAction()->text(), QStringLiteral("2 verified"));
    const QDateTime t = QDateTime::currentDateTimeUtc();
    record(a, ValidationStatus::Warning, t, QStringLiteral("Floating."));
    QCOMPARE(tray->iconStatus(), ValidationStatus::Warning);
    record(b, ValidationStatus::Failed, t, QStringLiteral("Forbidden."));
    QCOMPARE(tray->iconStatus(), ValidationStatus::Failed);
    QCOMPARE(tray->summaryAction()->text(), QStringLiteral("1 failed, 1 with a warning"));
    QVERIFY(tray->toolTip().contains(QStringLiteral("1 failed, 1 with a warning")));
    record(b, ValidationStatus::Verified, t);
    record(a, ValidationStatus::Verified, t);
    QCOMPARE(tray->iconStatus(), ValidationStatus::Verified);
    QVERIFY(test::waitFor([&](RepositoryCallback done) {
        window()->repository()->remove(b, done);
    }).ok);
    QCOMPARE(tray->summaryAction()->text(), QStringLiteral("1 verified"));
}

void TestMonitoring::trayValidateAllAndOpen()
{
    const QUuid id = addVerified(QStringLiteral("Tray"));
    QVERIFY(!id.isNull());
    TrayController *tray = window()->tray();
    m_server->clearRequests();
    tray->validateAllAction()->trigger();
    QVERIFY(window()->validationQueue()->isPending(id));
    QTRY_VERIFY_WITH_TIMEOUT(!window()->validationQueue()->isPending(id), 15000);
    QVERIFY(m_server->requestCount() > 0);

    window()->showMinimized();
    QTRY_VERIFY(window()->isMinimized());
    tray->openAction()->trigger();
    QTRY_VERIFY(!window()->isMinimized() && window()->isVisible());

    // Activating a notification opens its connectors.
    window()->connectorsPage()->selectConnectors({});
    Q_EMIT tray->trayIcon()->messageClicked(); // nothing notified yet: just opens
    QVERIFY(window()->connectorsPage()->selectedIds().isEmpty());
    record(id, ValidationStatus::Failed, QDateTime::currentDateTimeUtc(), QStringLiteral("No."));
    QTRY_COMPARE(tray->lastNotified(), QList<QUuid> { id });
    Q_EMIT tray->trayIcon()->messageClicked();
    QCOMPARE(window()->connectorsPage()->selectedIds(), QList<QUuid> { id });
}

void TestMonitoring::closeKeepsRunningInTray()
{
    // A desktop with a tray (forced: offscreen has none), the setting on.
    QVERIFY(reopenWithTray());
    TrayController *tray = window()->tray();
    QVERIFY(tray->isTrayAvailable());
    QVERIFY(tray->isVisible());
    auto *dialog = window()->openPreferences();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY(dialog->keepInTrayCheckBox()->isEnabled());
    QVERIFY(dialog->keepInTrayCheckBox()->isChecked());
    dialog->reject();
    QTRY_VERIFY(!dialog->isVisible());

    QVERIFY(window()->close() == false); // the close is turned into hiding
    QVERIFY(!window()->isVisible());
    QVERIFY(window()->isHiddenInTray());
    QVERIFY(!QGuiApplication::quitOnLastWindowClosed());
    QVERIFY(tray->isVisible());
    // The window's checks go on while hidden.
    const QUuid id = test::addConnector(window()->repository(),
        test::makeConnector(QStringLiteral("Hidden"), m_server->baseUrl().toString(),
            QStringLiteral("basic"), QStringLiteral("named")),
        QStringLiteral("password"));
    window()->validationQueue()->enqueue(id);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(id), ValidationStatus::Verified, 15000);

    tray->openAction()->trigger();
    QTRY_VERIFY(window()->isVisible());
    QVERIFY(!window()->isHiddenInTray());
    QVERIFY(QGuiApplication::quitOnLastWindowClosed());

    // Quit from the tray's menu really closes it, also while hidden.
    window()->close();
    QVERIFY(window()->isHiddenInTray());
    QSignalSpy closed(window(), &MainWindow::closedForGood);
    tray->quitAction()->trigger();
    QCOMPARE(closed.size(), 1);
    QVERIFY(!window()->isVisible());
    QVERIFY(!tray->isVisible());
    QVERIFY(!window()->isHiddenInTray());
    QVERIFY(QGuiApplication::quitOnLastWindowClosed());
}

void TestMonitoring::closeQuitsWithoutTheSetting()
{
    m_app->close();
    TrayController::setAvailabilityForTesting(true); // nothing saved: the defaults
    QVERIFY(m_app->open());
    QVERIFY(!window()->preferences().keepRunningInTray); // off by default
    QSignalSpy closed(window(), &MainWindow::closedForGood);
    QVERIFY(window()->close());
    QCOMPARE(closed.size(), 1);
    QVERIFY(!window()->isHiddenInTray());
    QVERIFY(!window()->tray()->isVisible());
}

void TestMonitoring::nothingStartsDuringStartUp()
{
    // An overdue Verified connector (the machine was off for two days): the restarted window
    // shows it without checking it (no keychain read during start-up); the scheduler starts
    // once the window is up, and only then is it checked.
    const QUuid id = addVerified(QStringLiteral("Overnight"));
    QVERIFY(!id.isNull());
    record(id, ValidationStatus::Verified, QDateTime::currentDateTimeUtc().addDays(-2));
    m_app->close();
    QVERIFY(m_app->open());
    RecheckScheduler *scheduler = window()->recheckScheduler();
    QVERIFY(!scheduler->isStarted());
    QCOMPARE(scheduler->dueNow(), QList<QUuid> { id });
    const int readsBefore = m_app->secrets()->callCount();
    QTest::qWait(300);
    QVERIFY(!window()->validationQueue()->isPending(id));
    QCOMPARE(m_app->secrets()->callCount(), readsBefore);
    QTRY_VERIFY_WITH_TIMEOUT(scheduler->isStarted(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(window()->repository()->find(id)->validation.checkedAt.daysTo(
                                 QDateTime::currentDateTimeUtc())
            == 0,
        15000);
    QVERIFY(m_app->secrets()->callCount() > readsBefore);
}

void TestMonitoring::notificationKeepsThePageMessage()
{
    const QUuid id = addVerified(QStringLiteral("Banner"));
    QVERIFY(!id.isNull());
    InlineMessage *page = window()->connectorsPage()->pageMessage();
    page->showMessage(InlineMessage::Kind::Error, QStringLiteral("The save failed: disk full."));
    QPushButton *undo = page->addButton(QStringLiteral("&Undo"));
    record(id, ValidationStatus::Failed, QDateTime::currentDateTimeUtc(), QStringLiteral("No."));
    InlineMessage *notification = window()->connectorsPage()->notificationMessage();
    QTRY_VERIFY(notification->text().contains(QStringLiteral("Banner")));
    QCOMPARE(page->text(), QStringLiteral("The save failed: disk full."));
    QVERIFY(page->findChildren<QPushButton *>().contains(undo));
    QVERIFY2(test::duplicateMnemonics(window(), QStringLiteral("window")).isEmpty(),
        qPrintable(
            test::duplicateMnemonics(window(), QStringLiteral("window")).join(QLatin1Char('\n'))));
}

void TestMonitoring::preferencesThatCannotBeSavedStayOpen()
{
    // The settings file cannot be written (here: a folder stands where it goes).
    const QString file = QSettings().fileName();
    QFile::remove(file);
    QVERIFY(QDir().mkpath(file));
    auto *dialog = window()->openPreferences();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    dialog->recheckComboBox()->setCurrentIndex(1);
    QTest::mouseClick(child<QPushButton>(dialog, QStringLiteral("okPushButton")), Qt::LeftButton);
    QTest::qWait(100);
    QVERIFY(dialog->isVisible()); // kept open, the choice kept
    QCOMPARE(dialog->recheckComboBox()->currentText(), QStringLiteral("Every hour"));
    QVERIFY2(dialog->saveMessage()->text().contains(QStringLiteral("could not be saved")),
        qPrintable(dialog->saveMessage()->text()));
    QCOMPARE(window()->recheckScheduler()->interval(), 24 * kHour); // not applied either
    dialog->reject();
    QVERIFY(QDir(file).removeRecursively());
}

void TestMonitoring::systemQuitWhileHiddenClosesForGood()
{
    // The session ends (or the Dock's Quit) while the window is hidden in the tray: Qt closes
    // only visible windows, so the window closes itself for good.
    QVERIFY(reopenWithTray());
    QVERIFY(!window()->close());
    QVERIFY(window()->isHiddenInTray());
    QSignalSpy closed(window(), &MainWindow::closedForGood);
    QEvent quit(QEvent::Quit);
    QCoreApplication::sendEvent(qApp, &quit);
    QCOMPARE(closed.size(), 1);
    QVERIFY(!window()->isHiddenInTray());
    QVERIFY(!window()->tray()->isVisible());
}

QTEST_MAIN(TestMonitoring)
#include "tst_monitoring.moc"
