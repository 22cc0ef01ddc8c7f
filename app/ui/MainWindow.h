#pragma once

#include "Preferences.h"

#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QUuid>
#include <functional>
#include <memory>
#include <optional>

class QAction;
class QFileDialog;
class QMimeData;
class QStackedWidget;
class QTimer;

namespace cd {
class ConnectorRepository;
class AppContext;
class ConnectorStore;
class HealthMonitor;
class NetworkStatus;
class RecheckScheduler;
class SecretStore;
class ValidationQueue;
struct ValidationResult;
} // namespace cd

class QNetworkAccessManager;

namespace cd::ui {

class ConnectorsPage;
class HeaderBar;
class ImportDialog;
class InlineMessage;
class PreferencesDialog;
class TrayController;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // How the window starts (issue 15, "first frame first").
    //   Immediate: everything is ready when the constructor returns (the tests' window).
    //   Deferred (the app): one step per frame, each after the previous frame was painted.
    //     1. The constructor: the window at its remembered size, nothing in it yet (no text:
    //        the font database is not read before the first frame).
    //     2. The header bar and a neutral "Loading connectors…" page, the network state hidden
    //        (not known yet) (loadingShown()).
    //     3. The store opened and loaded, the list built (connectorsLoaded()).
    //     4. The network backend loaded, the window icon set (startUpFinished()).
    //     Nothing touches the keychain before the first frame. Until loadingShown(),
    //     headerBar() is nullptr; until connectorsLoaded(), so are the objects that come from
    //     the context (page, repository, network, queue).
    enum class StartUp { Immediate, Deferred };

    // `secrets`: where secrets live; nullptr means the OS keychain (tests pass their own).
    explicit MainWindow(
        const QString &dataDir, cd::SecretStore *secrets = nullptr, QWidget *parent = nullptr);
    MainWindow(const QString &dataDir, StartUp startUp, cd::SecretStore *secrets = nullptr,
        QWidget *parent = nullptr);
    ~MainWindow() override;

    // Whether the connectors are loaded and the list is built (at once after Immediate).
    bool isStartedUp() const { return m_connectorsPage != nullptr; }

    HeaderBar *headerBar() const { return m_header; }
    ConnectorsPage *connectorsPage() const { return m_connectorsPage; }
    cd::NetworkStatus *networkStatus() const { return m_network; }
    cd::ConnectorRepository *repository() const { return m_repository; }
    cd::ValidationQueue *validationQueue() const { return m_queue; }
    QNetworkAccessManager *networkAccessManager() const { return m_nam; }

    // Keeping connectors healthy (issue 16): the scheduled re-checks, the statuses watched for
    // notifications, the tray icon and its menu, the Preferences that drive them.
    cd::RecheckScheduler *recheckScheduler() const { return m_scheduler; }
    cd::HealthMonitor *healthMonitor() const { return m_health; }
    TrayController *tray() const { return m_tray; }
    QAction *preferencesAction() const { return m_preferencesAction; }
    QAction *quitAction() const { return m_quitAction; }
    const Preferences &preferences() const { return m_preferences; }
    // Applies (does not save) `preferences`: the re-check interval, notifications, the tray.
    void applyPreferences(const Preferences &preferences);
    // Opens Preferences (asynchronously; returned for tests).
    PreferencesDialog *openPreferences();
    // Whether the window was closed into the tray (Connector Desk still running).
    bool isHiddenInTray() const { return m_hiddenInTray; }
    // Shows the window again (from the tray or a notification), with `ids` selected if given.
    void showFromTray(const QList<QUuid> &ids = {});
    // Quits: closes the window for good, even when it would stay in the tray.
    void quit();

    QAction *importAction() const { return m_importAction; }
    QAction *exportAllAction() const { return m_exportAllAction; }
    QAction *exportSelectedAction() const { return m_exportSelectedAction; }

    // Validates every connector that can be (not those whose credentials were rejected or
    // that have no secret) and ends with a summary in the page banner.
    void validateAll();

    // Import and export (issue 6). The menu actions ask for the file with a non-blocking
    // QFileDialog (returned for tests), then call importFile() / exportToFile().
    QFileDialog *openImportFileDialog();
    QFileDialog *openExportFileDialog(bool selectedOnly);
    // Reads and checks the whole file, then opens the import dialog (asynchronous; returned
    // for tests): every problem with its place, or what will be added, replaced and renamed.
    // nullptr when the file cannot be read or nothing can be imported now (the page says why).
    ImportDialog *importFile(const QString &path);
    // Writes all connectors, or the selected one, to `path` (atomically; never a secret) and
    // reports the result in the page message. Returns whether the file was written.
    bool exportToFile(const QString &path, bool selectedOnly);
    // The local .json file a drag carries, or an empty string when it carries anything else.
    static QString importableFile(const QMimeData *mime);

Q_SIGNALS:
    // Deferred start-up: the header bar and "Loading connectors…" show from the next frame.
    void loadingShown();
    // Deferred start-up: the connectors are loaded and the list shows them from the next frame.
    void connectorsLoaded();
    // Deferred start-up: the rest (network state, window icon) is done too.
    void startUpFinished();
    // The window closed for good (not into the tray): the app ends (main.cpp quits on it).
    void closedForGood();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    // Start-up, in the order Deferred runs it (Immediate: all in the constructor).
    void createHeader();
    void showLoading(); // the header bar and "Loading connectors…"
    void createContext(bool networkLater);
    void loadConnectors(); // store, list, queue, actions, drops
    void connectNetworkStatus();
    void finishDeferredStartUp(); // network backend, window icon
    // Calls `then` from the event loop once the window has painted its next frame (the first
    // expose, or the next update request), or after a second without one (a window that is
    // never exposed still starts).
    void afterNextFrame(std::function<void()> then);
    void nextFrameDone();

    void createActions();
    void createMonitoring(); // scheduler, health monitor, tray (after loadConnectors)
    void showNotificationInWindow(
        const QString &title, const QString &body, const QList<QUuid> &ids);
    void showShortcuts();
    void onValidationFinishedForSummary(const QUuid &id, const cd::ValidationResult &result);
    void showValidateAllSummary();
    void showAbout();
    void setMinimumSizeFromFont();
    void restoreWindowState();
    void updateExchangeActions();
    void exportConfirmed(const QString &path, bool selectedOnly);
    void showImported(const QString &filePath, int added, int replaced, int skipped);
    InlineMessage *pageMessage() const;
    QString exchangeDirectory() const;
    void rememberExchangeDirectory(const QString &filePath);

    QString m_dataDir;
    cd::SecretStore *m_secrets = nullptr; // what the context is made with; nullptr: keychain
    QWidget *m_loadingPage = nullptr; // Deferred, until the connectors are loaded
    std::function<void()> m_afterFrame;
    QTimer *m_frameFallback = nullptr;
    bool m_deferred = false;
    bool m_shownOnce = false;
    std::unique_ptr<cd::AppContext> m_context; // store, keychain, repository, network, queue
    cd::ConnectorRepository *m_repository = nullptr;
    QNetworkAccessManager *m_nam = nullptr;
    // A "Validate All" in progress: what is still running and what came back, for the summary.
    struct ValidateAllRun
    {
        QSet<QUuid> pending;
        int total = 0, verified = 0, warning = 0, failed = 0, notReached = 0, cancelled = 0;
        int skippedRejected = 0, skippedNoSecret = 0;
    };
    std::optional<ValidateAllRun> m_validateAll;
    cd::ValidationQueue *m_queue = nullptr;
    bool m_closeWhenIdle = false;
    HeaderBar *m_header = nullptr;
    QStackedWidget *m_pages = nullptr;
    ConnectorsPage *m_connectorsPage = nullptr;
    cd::NetworkStatus *m_network = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_exportAllAction = nullptr;
    QAction *m_exportSelectedAction = nullptr;
    QPointer<QFileDialog> m_fileDialog;
    QPointer<ImportDialog> m_importDialog;
    Preferences m_preferences;
    cd::RecheckScheduler *m_scheduler = nullptr;
    cd::HealthMonitor *m_health = nullptr;
    TrayController *m_tray = nullptr;
    QAction *m_preferencesAction = nullptr;
    QAction *m_quitAction = nullptr;
    QPointer<PreferencesDialog> m_preferencesDialog;
    bool m_quitting = false;
    bool m_hiddenInTray = false;
    bool m_toldAboutTray = false;
};

} // namespace cd::ui
