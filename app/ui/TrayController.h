#pragma once

#include "Connector.h"

#include <QList>
#include <QObject>
#include <QTimer>
#include <QUuid>
#include <memory>
#include <optional>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace cd {
class ConnectorRepository;
class HealthMonitor;
} // namespace cd

namespace cd::ui {

// The tray icon and the notifications (issue 16).
//
// Tray: where the desktop has one (QSystemTrayIcon::isSystemTrayAvailable()), an icon showing
// the worst status (the app icon, with a warning or failure badge), a tooltip with the counts,
// and a menu: the counts (disabled), Open Connector Desk, Validate All Connectors, Quit. The
// icon and the menu exist without a tray too (not shown), so the window's behaviour is the
// same everywhere and testable.
//
// Notifications: notifyDegraded() for a connector that stopped working. Those arriving within
// a moment of each other (one server's certificate renewed under twenty connectors) make one
// notification naming them. Shown by the tray icon where it can show messages; either way
// notificationShown() tells the window, which falls back to its page banner. Activating the
// notification asks to open those connectors. Names and server messages are made inert first:
// no control characters, and no markup that a notification server could interpret.
class TrayController : public QObject
{
    Q_OBJECT
public:
    // `trayAvailable`: nullopt asks QSystemTrayIcon, unless setAvailabilityForTesting()
    // decided.
    TrayController(ConnectorRepository *repository, HealthMonitor *health,
        std::optional<bool> trayAvailable = std::nullopt, QObject *parent = nullptr);
    ~TrayController() override;

    bool isTrayAvailable() const { return m_available; }
    // Asks the desktop again (a panel may come after the app's start, or go), shows the icon
    // when a tray came; returns isTrayAvailable().
    bool refreshAvailability();
    // What controllers made from now on take as the desktop's answer (nullopt: ask it). For
    // tests of the window's tray behaviour on a platform without a tray (offscreen).
    static void setAvailabilityForTesting(std::optional<bool> available);
    // Shows the tray icon (where there is a tray).
    void show();
    void hide();
    bool isVisible() const;

    QSystemTrayIcon *trayIcon() const { return m_icon.get(); }
    QMenu *menu() const { return m_menu.get(); }
    QAction *summaryAction() const { return m_summary; }
    QAction *openAction() const { return m_open; }
    QAction *validateAllAction() const { return m_validateAll; }
    QAction *quitAction() const { return m_quit; }
    // The status the icon shows now.
    ValidationStatus iconStatus() const { return m_iconStatus; }
    QString toolTip() const;

    void setNotificationsEnabled(bool enabled) { m_notify = enabled; }
    bool notificationsEnabled() const { return m_notify; }
    // How long notifications are gathered into one (ms; 0: the next turn of the event loop).
    void setCoalesceInterval(int ms) { m_coalesce.setInterval(ms); }
    // `id` stopped working (HealthMonitor::degraded).
    void notifyDegraded(const QUuid &id);
    // A message that is not about connectors (kept running in the tray).
    void showInformation(const QString &title, const QString &text);
    // The connectors the last notification was about.
    QList<QUuid> lastNotified() const { return m_lastNotified; }

    // The text a notification shows for a name or a server's message.
    static QString notificationText(const QString &text, int maxLength);

Q_SIGNALS:
    void openRequested();
    void openConnectorsRequested(const QList<QUuid> &ids);
    void validateAllRequested();
    void quitRequested();
    // A notification was made (whether or not a tray could show it).
    void notificationShown(
        const QString &title, const QString &body, const QList<QUuid> &ids, bool shownByTray);

private:
    void updateStatus();
    void flush();

    ConnectorRepository *m_repository;
    HealthMonitor *m_health;
    bool m_available = false;
    bool m_notify = true;
    bool m_shown = false;
    std::unique_ptr<QMenu> m_menu;
    std::unique_ptr<QSystemTrayIcon> m_icon;
    QAction *m_summary = nullptr;
    QAction *m_open = nullptr;
    QAction *m_validateAll = nullptr;
    QAction *m_quit = nullptr;
    ValidationStatus m_iconStatus = ValidationStatus::NotVerified;
    bool m_iconSet = false;
    QTimer m_coalesce;
    QList<QUuid> m_pending;
    QList<QUuid> m_lastNotified;
};

} // namespace cd::ui
