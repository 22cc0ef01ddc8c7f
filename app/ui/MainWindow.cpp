#include "MainWindow.h"

#include "AppContext.h"
#include "AppInfo.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "Exchange.h"
#include "HeaderBar.h"
#include "HealthMonitor.h"
#include "ImportDialog.h"
#include "InlineMessage.h"
#include "NetworkStatus.h"
#include "Paths.h"
#include "PreferencesDialog.h"
#include "RecheckScheduler.h"
#include "SecretStore.h"
#include "TrayController.h"
#include "UiSetup.h"
#include "ValidationQueue.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDate>
#include <QDir>
#include <QDragEnterEvent>
#include <QDragMoveEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>
#include <QWindow>
#include <utility>

namespace cd::ui {

namespace {
const auto kGeometryKey = QStringLiteral("MainWindow/geometry");
const auto kStateKey = QStringLiteral("MainWindow/state");
const auto kExchangeDirKey = QStringLiteral("MainWindow/importExportDirectory");

QString nativePath(const QString &path)
{
    return QDir::toNativeSeparators(path);
}
} // namespace

namespace {
constexpr int kCheckAddedElsewhereAfterMs = 3000;
// The work left from the last run (pending checks, overdue scheduled ones) starts this long
// after the list shows.
constexpr int kResumeWorkAfterMs = 2000;
} // namespace

MainWindow::MainWindow(const QString &dataDir, SecretStore *secrets, QWidget *parent)
    : MainWindow(dataDir, StartUp::Immediate, secrets, parent)
{ }

MainWindow::MainWindow(
    const QString &dataDir, StartUp startUp, SecretStore *secrets, QWidget *parent)
    : QMainWindow(parent)
    , m_dataDir(dataDir)
    , m_secrets(secrets)
    , m_deferred(startUp == StartUp::Deferred)
{
    // Deferred: the window icon (an SVG rendered at four sizes) after the first frame.
    setUpApplication(m_deferred ? WindowIcon::Later : WindowIcon::Now);
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(AppInfo::displayName());

    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("pagesStackedWidget"));
    setCentralWidget(m_pages);

    if (!m_deferred) {
        createHeader();
        createContext(false);
        loadConnectors();
        connectNetworkStatus();
        setMinimumSizeFromFont();
        restoreWindowState();
        return;
    }
    // The first frame: the window at its size, its background, no text yet (the font
    // database is read only for the next one). showEvent() goes on from there.
    restoreWindowState();
}

void MainWindow::createHeader()
{
    m_header = new HeaderBar(this);
    setMenuWidget(m_header);
    m_header->addPage(tr("&Connectors"));
    connect(m_header, &HeaderBar::pageRequested, m_pages, &QStackedWidget::setCurrentIndex);
}

void MainWindow::showLoading()
{
    createHeader();
    // While the connectors load: neither the list nor "no connectors yet" (that could be
    // wrong), and no network state (not asked for yet).
    m_header->setNetworkStateVisible(false);
    auto *loading = new QLabel(tr("Loading connectors…"), m_pages);
    loading->setObjectName(QStringLiteral("loadingConnectorsLabel"));
    loading->setAlignment(Qt::AlignCenter);
    loading->setAccessibleName(tr("Loading connectors"));
    loading->setAccessibleDescription(tr("The list of connectors appears in a moment."));
    m_loadingPage = loading;
    m_pages->addWidget(loading);
    setMinimumSizeFromFont();
    Q_EMIT loadingShown();
}

void MainWindow::createContext(bool networkLater)
{
    // The store, the keychain, the repository, the network and the queue: built once, in
    // core, the way the command line and the tests build them too. Nothing here calls the
    // keychain.
    m_context = std::make_unique<AppContext>(m_dataDir, AppContext::Mode::Window,
        networkLater ? AppContext::NetworkStart::Later : AppContext::NetworkStart::Now, m_secrets);
}

void MainWindow::loadConnectors()
{
    // Never more than a moment on this thread when another process holds the database: the
    // repository tries again from the event loop instead.
    m_repository = m_context->repository();
    QString loadError;
    m_repository->load(&loadError); // a failure is shown on the page, with the choices
    // Changes by other windows, command lines and scheduled runs show up within a second
    // (one cheap PRAGMA data_version per look when nothing changed).
    m_repository->setWatchInterval(500);

    m_connectorsPage = new ConnectorsPage(m_repository, m_pages);
    m_connectorsPage->setObjectName(QStringLiteral("connectorsPage"));
    if (m_loadingPage) {
        // The page takes the loading page's place (index 0, where the header bar points).
        m_pages->removeWidget(m_loadingPage);
        m_loadingPage->deleteLater();
        m_loadingPage = nullptr;
    }
    m_pages->addWidget(m_connectorsPage);

    // Background validation, offline-first: the context's queue follows NetworkStatus.
    m_nam = m_context->network();
    m_queue = m_context->queue();
    m_connectorsPage->setValidation(m_queue, m_nam);
    connect(m_queue, &ValidationQueue::finished, this, &MainWindow::onValidationFinishedForSummary);
    // Connectors a command line (or another window) added while this one is open are checked
    // like the window's own, once that process had a moment to check them itself
    // (`add --validate`): still "Not verified" then, they are queued here.
    connect(m_repository, &ConnectorRepository::addedElsewhere, m_queue,
        [this](const QList<QUuid> &ids) {
            QTimer::singleShot(kCheckAddedElsewhereAfterMs, m_queue, [this, ids] {
                for (const QUuid &id : ids) {
                    const std::optional<Connector> c = m_repository->find(id);
                    if (c && c->validation.status == ValidationStatus::NotVerified
                        && !c->needsSecret)
                        m_queue->enqueue(id);
                }
            });
        });
    // Work left from the last run ("Not verified" connectors) resumes once the window is up:
    // loading and showing the list itself never touches the keychain.
    QTimer::singleShot(kResumeWorkAfterMs, m_queue, &ValidationQueue::enqueuePending);

    createMonitoring();
    createActions();
    setAcceptDrops(true); // a .json export file dropped on the window is imported
}

void MainWindow::createMonitoring()
{
    // Re-checks on a schedule, the statuses watched for a connector that stops working, the
    // tray icon: all from Preferences, and all without the keychain until a check runs.
    m_preferences = Preferences::load();
    m_health = new HealthMonitor(m_repository, this);
    m_scheduler = new RecheckScheduler(m_repository, m_queue, this);
    m_tray = new TrayController(m_repository, m_health, std::nullopt, this);
    connect(m_health, &HealthMonitor::degraded, m_tray, &TrayController::notifyDegraded);
    connect(m_tray, &TrayController::notificationShown, this,
        [this](const QString &title, const QString &body, const QList<QUuid> &ids, bool byTray) {
            if (!byTray)
                showNotificationInWindow(title, body, ids);
        });
    connect(m_tray, &TrayController::openRequested, this, [this] { showFromTray(); });
    connect(m_tray, &TrayController::openConnectorsRequested, this,
        [this](const QList<QUuid> &ids) { showFromTray(ids); });
    connect(m_tray, &TrayController::validateAllRequested, this, &MainWindow::validateAll);
    connect(m_tray, &TrayController::quitRequested, this, &MainWindow::quit);
    applyPreferences(m_preferences);
    m_tray->show();
    QTimer::singleShot(kResumeWorkAfterMs, m_scheduler, &RecheckScheduler::start);
    // A quit that does not come through quit() (the session ending, the Dock's Quit): the
    // window closes for good then, also from the tray.
    qApp->installEventFilter(this);
}

void MainWindow::applyPreferences(const Preferences &preferences)
{
    m_preferences = preferences;
    m_scheduler->setInterval(preferences.recheckIntervalMs());
    m_tray->setNotificationsEnabled(preferences.notifyOnProblems);
}

PreferencesDialog *MainWindow::openPreferences()
{
    if (m_preferencesDialog) {
        m_preferencesDialog->raise();
        m_preferencesDialog->activateWindow();
        return m_preferencesDialog;
    }
    auto *dialog = new PreferencesDialog(m_preferences, m_tray->refreshAvailability(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PreferencesDialog::applied, this, &MainWindow::applyPreferences);
    m_preferencesDialog = dialog;
    dialog->open();
    return dialog;
}

void MainWindow::showNotificationInWindow(
    const QString &title, const QString &body, const QList<QUuid> &ids)
{
    // No tray to show it: the page banner says it, with a way to the connectors, and the
    // window asks for attention (the taskbar entry flashes where the desktop does that).
    InlineMessage *message = m_connectorsPage->notificationMessage();
    message->showMessage(InlineMessage::Kind::Error, tr("%1: %2").arg(title, body));
    QPushButton *show
        = message->addButton(ids.size() == 1 ? tr("&Go to Connector") : tr("&Go to Connectors"));
    show->setObjectName(QStringLiteral("showNotifiedPushButton"));
    connect(show, &QPushButton::clicked, this, [this, ids] { showFromTray(ids); });
    QApplication::alert(this);
}

void MainWindow::showFromTray(const QList<QUuid> &ids)
{
    m_hiddenInTray = false;
    m_quitting = false; // a quit that was refused (a save running) is over
    QGuiApplication::setQuitOnLastWindowClosed(true);
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
    if (!ids.isEmpty() && m_connectorsPage) {
        m_connectorsPage->selectConnectors(ids);
        m_connectorsPage->focusList();
    }
}

void MainWindow::quit()
{
    m_quitting = true;
    close();
}

void MainWindow::connectNetworkStatus()
{
    m_network = m_context->networkStatus();
    m_header->setNetworkState(m_network->state());
    connect(m_network, &NetworkStatus::stateChanged, m_header, &HeaderBar::setNetworkState);
    // Scheduled re-checks wait while offline and look again once back (Unknown: they run,
    // like the queue).
    m_scheduler->setOnline(m_network->state() != NetworkStatus::State::Offline);
    connect(
        m_network, &NetworkStatus::stateChanged, m_scheduler, [this](NetworkStatus::State state) {
            m_scheduler->setOnline(state != NetworkStatus::State::Offline);
        });
}

void MainWindow::finishDeferredStartUp()
{
    m_network->loadBackend(); // the header follows (stateChanged)
    m_header->setNetworkState(m_network->state());
    m_header->setNetworkStateVisible(true);
    setUpWindowIcon();
    m_connectorsPage->prepareDetails();
    Q_EMIT startUpFinished();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_deferred || m_shownOnce)
        return;
    m_shownOnce = true;
    // One step per frame: the header and "Loading connectors…", the list, the rest.
    afterNextFrame([this] {
        if (!isVisible()) // closed before its first frame: nothing to load
            return;
        showLoading();
        afterNextFrame([this] {
            createContext(true);
            loadConnectors();
            connectNetworkStatus();
            Q_EMIT connectorsLoaded();
            afterNextFrame([this] { finishDeferredStartUp(); });
        });
    });
}

void MainWindow::afterNextFrame(std::function<void()> then)
{
    m_afterFrame = std::move(then);
    if (QWindow *window = windowHandle())
        window->installEventFilter(this);
    installEventFilter(this); // widgets ask for a repaint here or on the QWindow
    if (!m_frameFallback) {
        m_frameFallback = new QTimer(this);
        m_frameFallback->setSingleShot(true);
        m_frameFallback->setInterval(1000);
        connect(m_frameFallback, &QTimer::timeout, this, &MainWindow::nextFrameDone);
    }
    m_frameFallback->start();
}

void MainWindow::nextFrameDone()
{
    if (!m_afterFrame)
        return;
    m_frameFallback->stop();
    if (QWindow *window = windowHandle())
        window->removeEventFilter(this);
    removeEventFilter(this);
    // From the event loop: after the frame being painted now has been flushed.
    QTimer::singleShot(0, this, [then = std::exchange(m_afterFrame, {})] { then(); });
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == qApp && event->type() == QEvent::Quit) {
        m_quitting = true;
        // Hidden in the tray the window gets no close from Qt (only visible windows do): close
        // it here, so that a save still running finishes first (the quit then waits).
        if (m_hiddenInTray && !close()) {
            event->ignore();
            return true;
        }
        return QMainWindow::eventFilter(watched, event);
    }
    if (m_afterFrame && (watched == this || watched == windowHandle())) {
        if ((event->type() == QEvent::Expose && windowHandle() && windowHandle()->isExposed())
            || event->type() == QEvent::UpdateRequest)
            nextFrameDone();
    }
    return QMainWindow::eventFilter(watched, event);
}

MainWindow::~MainWindow()
{
    // Children go after the members, but the page uses the context (a member): take the page
    // down while the context exists.
    delete m_pages;
}

void MainWindow::validateAll()
{
    ValidateAllRun run;
    for (const Connector &c : m_repository->connectors()) {
        if (c.validation.credentialsRejected)
            ++run.skippedRejected;
        else if (c.needsSecret)
            ++run.skippedNoSecret;
    }
    const QList<QUuid> ids = m_queue->enqueueAll();
    run.pending = QSet<QUuid>(ids.cbegin(), ids.cend());
    run.total = int(ids.size());
    m_validateAll = run;
    if (run.pending.isEmpty()) {
        showValidateAllSummary();
        return;
    }
    pageMessage()->showMessage(
        InlineMessage::Kind::Information, tr("Validating %n connector(s)…", nullptr, run.total));
}

void MainWindow::onValidationFinishedForSummary(const QUuid &id, const ValidationResult &r)
{
    if (!m_validateAll || !m_validateAll->pending.remove(id))
        return;
    ValidateAllRun &run = *m_validateAll;
    if (r.failure == ValidationResult::Failure::Cancelled)
        ++run.cancelled;
    else if (r.isTransient() || r.failure == ValidationResult::Failure::Keychain)
        ++run.notReached;
    else if (r.status == ValidationStatus::Verified)
        ++run.verified;
    else if (r.status == ValidationStatus::Warning)
        ++run.warning;
    else
        ++run.failed;
    if (run.pending.isEmpty())
        showValidateAllSummary();
}

void MainWindow::showValidateAllSummary()
{
    if (!m_validateAll)
        return;
    const ValidateAllRun run = *m_validateAll;
    m_validateAll.reset();
    QStringList outcome;
    if (run.verified)
        outcome << tr("%n verified", nullptr, run.verified);
    if (run.warning)
        outcome << tr("%n with a warning", nullptr, run.warning);
    if (run.failed)
        outcome << tr("%n failed", nullptr, run.failed);
    if (run.notReached)
        outcome << tr("%n not reached (checked again later)", nullptr, run.notReached);
    if (run.cancelled)
        outcome << tr("%n cancelled", nullptr, run.cancelled);
    QStringList skipped;
    if (run.skippedRejected)
        skipped << tr("%n with rejected credentials (edit them or use Validate Now)", nullptr,
            run.skippedRejected);
    if (run.skippedNoSecret)
        skipped << tr("%n needing a secret", nullptr, run.skippedNoSecret);
    QString text = run.total == 0
        ? tr("Nothing was checked.")
        : tr("%n checked: ", nullptr, run.total) + outcome.join(tr(", ")) + QLatin1Char('.');
    if (!skipped.isEmpty())
        text += QLatin1Char(' ')
            + tr("%n skipped: ", nullptr, run.skippedRejected + run.skippedNoSecret)
            + skipped.join(tr(", ")) + QLatin1Char('.');
    const InlineMessage::Kind kind = run.failed                 ? InlineMessage::Kind::Error
        : (run.warning || run.notReached || !skipped.isEmpty()) ? InlineMessage::Kind::Warning
                                                                : InlineMessage::Kind::Success;
    pageMessage()->showMessage(kind, text);
}

void MainWindow::showShortcuts()
{
    // Listed from the actions themselves, so the list cannot disagree with the keys.
    QStringList rows;
    QList<QAction *> actions = m_header->menu()->actions();
    for (QAction *a : std::as_const(actions)) {
        if (a->isSeparator() || a->shortcut().isEmpty())
            continue;
        rows.append(QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                            QString(a->text()).remove(QLatin1Char('&')).toHtmlEscaped()));
    }
    const QList<QPair<QString, QString>> more { { tr("Enter"), tr("Edit the selected connector") },
        { tr("Esc"), tr("In the search field: clear it, then go back to the list") },
        { tr("Down"), tr("In the search field: go to the list") },
        { tr("Ctrl+H"), tr("In a password or secret field: show or hide it") },
        { tr("Alt+M"), tr("Open the menu") } };
    for (const auto &m : more)
        rows.append(QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(m.first.toHtmlEscaped(), m.second.toHtmlEscaped()));
    auto *box = new QMessageBox(QMessageBox::NoIcon, tr("Keyboard Shortcuts"),
        QStringLiteral("<table cellspacing=\"6\">%1</table>").arg(rows.join(QString())),
        QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("shortcutsMessageBox"));
    box->setTextFormat(Qt::RichText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::createActions()
{
    QMenu *menu = m_header->menu();
    // A menu entry whose shortcut works while the menu is closed, too.
    const auto menuAction
        = [this, menu](const QString &text, const QString &name, const QKeySequence &key) {
              auto *action = new QAction(text, this);
              action->setObjectName(name);
              action->setShortcut(key);
              action->setShortcutContext(Qt::WindowShortcut);
              menu->addAction(action);
              addAction(action);
              return action;
          };

    auto *about = new QAction(tr("A&bout Connector Desk"), this);
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    menu->addAction(about);

    // What the page offers, in the menu too (a menu is where people look for commands).
    ConnectorsPage *page = m_connectorsPage;
    for (QAction *action : { page->addConnectorAction(), page->editAction(),
             page->duplicateAction(), page->validateAction(), page->deleteAction(),
             page->undoAction(), page->enterSecretsAction(), page->changeSecretAction(),
             page->copyDiagnosticsAction(), page->searchAction() })
        menu->addAction(action);
    menu->addSeparator();

    QAction *validateAll = menuAction(tr("Validate All Connec&tors"),
        QStringLiteral("validateAllAction"), QKeySequence(tr("Ctrl+Shift+F5")));
    connect(validateAll, &QAction::triggered, this, &MainWindow::validateAll);

    menu->addSeparator();

    m_importAction = menuAction(
        tr("&Import Connectors…"), QStringLiteral("importAction"), QKeySequence(tr("Ctrl+I")));
    connect(m_importAction, &QAction::triggered, this, &MainWindow::openImportFileDialog);

    m_exportAllAction = new QAction(tr("E&xport All Connectors…"), this);
    m_exportAllAction->setObjectName(QStringLiteral("exportAllAction"));
    connect(m_exportAllAction, &QAction::triggered, this, [this] { openExportFileDialog(false); });
    menu->addAction(m_exportAllAction);

    m_exportSelectedAction = new QAction(tr("Export &Selected Connectors…"), this);
    m_exportSelectedAction->setObjectName(QStringLiteral("exportSelectedAction"));
    connect(
        m_exportSelectedAction, &QAction::triggered, this, [this] { openExportFileDialog(true); });
    menu->addAction(m_exportSelectedAction);

    // Enabled states follow the list, the selection (the page's Validate Now action changes with
    // it) and whether the database can be written.
    connect(menu, &QMenu::aboutToShow, this, &MainWindow::updateExchangeActions);
    connect(m_connectorsPage->validateAction(), &QAction::changed, this,
        &MainWindow::updateExchangeActions); // enabled exactly while something is selected
    connect(m_repository, &ConnectorRepository::connectorAdded, this,
        &MainWindow::updateExchangeActions);
    connect(m_repository, &ConnectorRepository::connectorRemoved, this,
        &MainWindow::updateExchangeActions);
    connect(m_repository, &ConnectorRepository::reset, this, &MainWindow::updateExchangeActions);
    updateExchangeActions();

    menu->addSeparator();

    // Ctrl+, where the platform has no standard key for it (GNOME, Windows).
    const QKeySequence preferencesKey = QKeySequence(QKeySequence::Preferences).isEmpty()
        ? QKeySequence(tr("Ctrl+,"))
        : QKeySequence(QKeySequence::Preferences);
    m_preferencesAction
        = menuAction(tr("Prefere&nces…"), QStringLiteral("preferencesAction"), preferencesKey);
    m_preferencesAction->setMenuRole(QAction::PreferencesRole);
    connect(m_preferencesAction, &QAction::triggered, this, &MainWindow::openPreferences);

    QAction *shortcuts = menuAction(
        tr("&Keyboard Shortcuts"), QStringLiteral("shortcutsAction"), QKeySequence(tr("Ctrl+/")));
    connect(shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);

    m_quitAction = menuAction(tr("&Quit"), QStringLiteral("quitAction"), QKeySequence::Quit);
    m_quitAction->setShortcutContext(Qt::ApplicationShortcut);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::quit);
}

void MainWindow::showAbout()
{
    // Window-modal and asynchronous (open(), not exec()): no nested event loop.
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("aboutMessageBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Connector Desk"));
    box->setIconPixmap(windowIcon().pixmap(QSize(64, 64), devicePixelRatioF()));
    box->setText(tr("<h3>Connector Desk %1</h3>"
                    "<p>Prepare and verify Jama Connect Interchange connectors. Secrets are kept "
                    "only in your system's keychain.</p>")
                     .arg(AppInfo::version().toHtmlEscaped()));
    box->setInformativeText(
        tr("Qt %1 (built with %2)<br>QtKeychain %3<br>Data folder: %4")
            .arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                AppInfo::qtKeychainVersion(), m_dataDir.toHtmlEscaped()));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

void MainWindow::setMinimumSizeFromFont()
{
    // The smallest size at which the title, a few rows and Details still read: font-relative.
    const QFontMetrics fm(font());
    setMinimumSize(fm.horizontalAdvance(QLatin1Char('M')) * 46, fm.height() * 28);
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) {
        // First run: a comfortable size, scaled by the style (HiDPI-aware logical pixels).
        const QSize wanted(980, 620);
        const QRect avail = screen() ? screen()->availableGeometry() : QRect(QPoint(), wanted);
        resize(wanted.boundedTo(avail.size() * 9 / 10));
    }
    restoreState(settings.value(kStateKey).toByteArray());
}

void MainWindow::updateExchangeActions()
{
    m_importAction->setEnabled(!m_repository->isBlocked());
    m_exportAllAction->setEnabled(!m_repository->connectors().isEmpty());
    m_exportSelectedAction->setEnabled(!m_connectorsPage->selectedIds().isEmpty());
}

InlineMessage *MainWindow::pageMessage() const
{
    // The Connectors page's own message line: results are shown where the list is.
    return m_connectorsPage->pageMessage();
}

QString MainWindow::exchangeDirectory() const
{
    const QString dir = QSettings().value(kExchangeDirKey).toString();
    if (!dir.isEmpty() && QFileInfo(dir).isDir())
        return dir;
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return documents.isEmpty() ? QDir::homePath() : documents;
}

void MainWindow::rememberExchangeDirectory(const QString &filePath)
{
    QSettings().setValue(kExchangeDirKey, QFileInfo(filePath).absolutePath());
}

QFileDialog *MainWindow::openImportFileDialog()
{
    if (m_fileDialog) {
        m_fileDialog->raise();
        m_fileDialog->activateWindow();
        return m_fileDialog;
    }
    if (m_importDialog) {
        m_importDialog->raise();
        m_importDialog->activateWindow();
        return nullptr;
    }
    auto *dialog = new QFileDialog(this, tr("Import Connectors"), exchangeDirectory(),
        tr("Connector exports (*.json);;All files (*)"));
    dialog->setObjectName(QStringLiteral("importFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        rememberExchangeDirectory(path);
        // After the file dialog has closed: the import dialog is the next window-modal one.
        QTimer::singleShot(0, this, [this, path] { importFile(path); });
    });
    m_fileDialog = dialog;
    dialog->open(); // asynchronous: no nested event loop
    return dialog;
}

QFileDialog *MainWindow::openExportFileDialog(bool selectedOnly)
{
    if (m_fileDialog) {
        m_fileDialog->raise();
        m_fileDialog->activateWindow();
        return m_fileDialog;
    }
    // Not the data file's own name: an export is a hand-over, dated.
    QString fileName = tr("connector-export-%1.json")
                           .arg(QDate::currentDate().toString(QStringLiteral("yyyy-MM-dd")));
    if (selectedOnly) {
        const QList<QUuid> ids = m_connectorsPage->selectedIds();
        const std::optional<Connector> c
            = ids.isEmpty() ? std::nullopt : m_repository->find(ids.first());
        if (!c) {
            pageMessage()->showMessage(
                InlineMessage::Kind::Error, tr("Select the connector to export first."));
            return nullptr;
        }
        // A file name from the connector's name, without characters file systems refuse.
        QString base = c->name;
        base.replace(
            QRegularExpression(QStringLiteral(R"([\\/:*?"<>|\x00-\x1f]+)")), QStringLiteral("-"));
        base = base.trimmed();
        if (!base.isEmpty() && !base.startsWith(QLatin1Char('.'))
            && base.compare(QLatin1String("connectors"), Qt::CaseInsensitive) != 0)
            fileName = base + QStringLiteral(".json");
    } else if (m_repository->connectors().isEmpty()) {
        pageMessage()->showMessage(
            InlineMessage::Kind::Information, tr("There are no connectors to export."));
        return nullptr;
    }
    auto *dialog = new QFileDialog(this,
        selectedOnly ? tr("Export Selected Connectors") : tr("Export All Connectors"),
        exchangeDirectory(), tr("Connector exports (*.json);;All files (*)"));
    dialog->setObjectName(QStringLiteral("exportFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setDefaultSuffix(QStringLiteral("json"));
    // Replacing an existing file is confirmed below, asynchronously: the widget-based dialog's
    // own confirmation would run a nested event loop.
    dialog->setOption(QFileDialog::DontConfirmOverwrite);
    dialog->selectFile(fileName);
    connect(dialog, &QFileDialog::fileSelected, this, [this, selectedOnly](const QString &path) {
        rememberExchangeDirectory(path);
        QTimer::singleShot(
            0, this, [this, path, selectedOnly] { exportConfirmed(path, selectedOnly); });
    });
    m_fileDialog = dialog;
    dialog->open();
    return dialog;
}

void MainWindow::exportConfirmed(const QString &path, bool selectedOnly)
{
    if (!QFileInfo::exists(path)) {
        exportToFile(path, selectedOnly);
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Replace File"),
        tr("%1 already exists. Replace it?").arg(nativePath(path)), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("replaceFileMessageBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *replace = box->addButton(tr("&Replace"), QMessageBox::AcceptRole);
    replace->setObjectName(QStringLiteral("confirmReplacePushButton"));
    QPushButton *cancel = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(cancel);
    box->setEscapeButton(cancel);
    connect(box, &QMessageBox::finished, this, [this, box, replace, path, selectedOnly] {
        if (box->clickedButton() == replace)
            exportToFile(path, selectedOnly);
    });
    box->open();
}

bool MainWindow::exportToFile(const QString &path, bool selectedOnly)
{
    InlineMessage *message = pageMessage();
    QList<Connector> list;
    if (selectedOnly) {
        for (const QUuid &id : m_connectorsPage->selectedIds()) {
            if (const std::optional<Connector> c = m_repository->find(id))
                list.append(*c);
        }
        if (list.isEmpty()) {
            message->showMessage(
                InlineMessage::Kind::Error, tr("Nothing was exported: no connector is selected."));
            return false;
        }
    } else {
        list = m_repository->connectors();
        if (list.isEmpty()) {
            message->showMessage(
                InlineMessage::Kind::Information, tr("There are no connectors to export."));
            return false;
        }
    }
    // Exchange writes a fixed set of fields: never a secret.
    const QByteArray data = Exchange::exportConnectors(list);
    // Atomic (an existing file is replaced only by a complete one) and private (0600).
    QString error;
    if (!Paths::writePrivateFile(path, data, &error)) {
        message->showMessage(InlineMessage::Kind::Error,
            tr("Could not export to %1: %2. Nothing was written; choose another "
               "file or folder.")
                .arg(nativePath(path), error));
        return false;
    }
    QString text;
    if (selectedOnly && list.size() == 1)
        text = tr("Exported “%1” to %2, without its secret.")
                   .arg(list.first().name, nativePath(path));
    else if (list.size() == 1)
        text = tr("Exported 1 connector to %1, without its secret.").arg(nativePath(path));
    else
        text = tr("Exported %1 connectors to %2, without their secrets.")
                   .arg(list.size())
                   .arg(nativePath(path));
    message->showMessage(InlineMessage::Kind::Success, text);
    return true;
}

ImportDialog *MainWindow::importFile(const QString &path)
{
    if (m_importDialog) {
        m_importDialog->raise();
        m_importDialog->activateWindow();
        return m_importDialog;
    }
    InlineMessage *message = pageMessage();
    if (m_repository->isBlocked()) {
        message->showMessage(InlineMessage::Kind::Error,
            tr("Nothing was imported: connectors cannot be saved until the "
               "unreadable connectors file is dealt with."));
        return nullptr;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        message->showMessage(InlineMessage::Kind::Error,
            tr("Could not read %1: %2. Nothing was imported.")
                .arg(nativePath(path), file.errorString()));
        return nullptr;
    }
    // One byte more than allowed is enough for the check to call the file too large.
    const QByteArray data = file.read(Exchange::kMaxFileSize + 1);
    if (file.error() != QFileDevice::NoError) {
        message->showMessage(InlineMessage::Kind::Error,
            tr("Could not read %1: %2. Nothing was imported.")
                .arg(nativePath(path), file.errorString()));
        return nullptr;
    }
    auto *dialog = new ImportDialog(m_repository, path, data, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (dialog->hasProblems()) {
        const qsizetype n = dialog->problems().size();
        message->showMessage(InlineMessage::Kind::Error,
            n == 1
                ? tr("Nothing was imported from %1: the file has a problem.").arg(nativePath(path))
                : tr("Nothing was imported from %1: the file has %2 problems.")
                      .arg(nativePath(path))
                      .arg(n));
    }
    connect(dialog, &ImportDialog::imported, this, [this](const ImportDialog::Outcome &o) {
        showImported(o.filePath, o.added, o.replaced, o.skipped);
    });
    m_importDialog = dialog;
    dialog->open(); // window-modal and asynchronous
    return dialog;
}

void MainWindow::showImported(const QString &filePath, int added, int replaced, int skipped)
{
    QStringList parts;
    if (added == 1)
        parts << tr("Imported 1 connector from %1. It needs its secret: choose Enter Secrets "
                    "to enter it.")
                     .arg(nativePath(filePath));
    else if (added > 1)
        parts << tr("Imported %1 connectors from %2. Each needs its secret: choose Enter "
                    "Secrets to enter them one after another.")
                     .arg(added)
                     .arg(nativePath(filePath));
    if (replaced == 1)
        parts << tr("Replaced 1 connector (its secret is kept).");
    else if (replaced > 1)
        parts << tr("Replaced %1 connectors (their secrets are kept).").arg(replaced);
    if (skipped == 1)
        parts << tr("Skipped 1 connector that is already here.");
    else if (skipped > 1)
        parts << tr("Skipped %1 connectors that are already here.").arg(skipped);
    pageMessage()->showMessage(InlineMessage::Kind::Success, parts.join(QLatin1Char(' ')));
    if (added > 0) {
        QPushButton *enter = pageMessage()->addButton(tr("Enter Sec&rets…"));
        enter->setObjectName(QStringLiteral("enterSecretsPushButton"));
        connect(enter, &QPushButton::clicked, m_connectorsPage, &ConnectorsPage::enterSecrets);
    }
}

QString MainWindow::importableFile(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    const QList<QUrl> urls = mime->urls();
    if (urls.size() != 1 || !urls.first().isLocalFile())
        return {};
    const QFileInfo info(urls.first().toLocalFile());
    if (info.suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) != 0 || !info.isFile())
        return {};
    return info.absoluteFilePath();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    dragMoveEvent(event); // the same rule: one local .json file, no import already open
}

void MainWindow::dragMoveEvent(QDragMoveEvent *event)
{
    if (!m_importDialog && (event->possibleActions() & Qt::CopyAction)
        && !importableFile(event->mimeData()).isEmpty()) {
        event->setDropAction(Qt::CopyAction);
        event->accept();
        return;
    }
    event->ignore();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = importableFile(event->mimeData());
    if (path.isEmpty() || m_importDialog || !(event->possibleActions() & Qt::CopyAction)) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
    // Once the drop has returned: the drag source is not kept waiting for the dialog.
    QTimer::singleShot(0, this, [this, path] { importFile(path); });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!isStartedUp()) { // closed while loading: nothing is running yet
        QSettings settings;
        settings.setValue(kGeometryKey, saveGeometry());
        settings.setValue(kStateKey, saveState());
        event->accept();
        Q_EMIT closedForGood();
        return;
    }
    // Closing keeps Connector Desk running in the tray when the user chose so (and there is a
    // tray to come back from); Quit really quits.
    // The tray is asked again: a panel that went away since the start is no place to hide in.
    if (!m_quitting && m_preferences.keepRunningInTray && m_tray->refreshAvailability()
        && m_tray->isVisible()) {
        QSettings settings;
        settings.setValue(kGeometryKey, saveGeometry());
        settings.setValue(kStateKey, saveState());
        event->ignore();
        // While hidden, closing some other window (a message box) must not end the app.
        QGuiApplication::setQuitOnLastWindowClosed(false);
        m_hiddenInTray = true;
        hide();
        if (!m_toldAboutTray) {
            m_toldAboutTray = true;
            m_tray->showInformation(tr("Connector Desk is still running"),
                tr("It keeps checking your connectors. Quit it from the tray icon's menu."));
        }
        return;
    }
    // A save or delete still talking to the keychain finishes first (each step is bounded
    // by the keychain timeout), so quitting never leaves a half-saved connector behind.
    // Running validations are simply dropped: they record nothing until they finish, and
    // the connectors they were checking stay "Not verified", pending for the next start.
    if (m_repository->isBusy()) {
        event->ignore();
        if (!m_closeWhenIdle) {
            m_closeWhenIdle = true;
            pageMessage()->showMessage(
                InlineMessage::Kind::Information, tr("Finishing saving before quitting…"));
            connect(m_repository, &ConnectorRepository::idle, this, &QWidget::close,
                Qt::QueuedConnection);
        }
        return;
    }
    m_queue->cancelAll();
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    event->accept();
    m_tray->hide();
    m_hiddenInTray = false;
    QGuiApplication::setQuitOnLastWindowClosed(true);
    Q_EMIT closedForGood();
}

} // namespace cd::ui
