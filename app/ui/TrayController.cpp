#include "TrayController.h"

#include "ConnectorRepository.h"
#include "HealthMonitor.h"
#include "StatusIcons.h"
#include "Text.h"

#include <QAction>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QSystemTrayIcon>

namespace cd::ui {

namespace {

constexpr int kDefaultCoalesceMs = 1500;
constexpr int kMaxNamesListed = 5;
std::optional<bool> g_availabilityForTesting;

// The app icon, with the status as a badge in its lower right corner (none when every
// connector is verified, or there is none).
QIcon trayIconFor(ValidationStatus status)
{
    const QIcon app(QStringLiteral(":/icons/connector-desk.svg"));
    if (status == ValidationStatus::Verified)
        return app;
    const QIcon &badge = validationStatusIcon(status);
    QIcon icon;
    for (int size : { 16, 22, 24, 32, 48, 64 }) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        app.paint(&p, QRect(0, 0, size, size));
        const int b = (size * 9 + 15) / 16 / 2 + size / 8; // about 60 % of the icon
        badge.paint(&p, QRect(size - b, size - b, b, b));
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace

TrayController::TrayController(ConnectorRepository *repository, HealthMonitor *health,
    std::optional<bool> trayAvailable, QObject *parent)
    : QObject(parent)
    , m_repository(repository)
    , m_health(health)
    , m_available(trayAvailable          ? *trayAvailable
              : g_availabilityForTesting ? *g_availabilityForTesting
                                         : QSystemTrayIcon::isSystemTrayAvailable())
    , m_menu(std::make_unique<QMenu>())
    , m_icon(std::make_unique<QSystemTrayIcon>())
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_menu->setAccessibleName(tr("Connector Desk"));
    m_summary = m_menu->addAction(QString());
    m_summary->setObjectName(QStringLiteral("traySummaryAction"));
    m_summary->setEnabled(false);
    m_menu->addSeparator();
    m_open = m_menu->addAction(tr("&Open Connector Desk"));
    m_open->setObjectName(QStringLiteral("trayOpenAction"));
    connect(m_open, &QAction::triggered, this, &TrayController::openRequested);
    m_validateAll = m_menu->addAction(tr("&Validate All Connectors"));
    m_validateAll->setObjectName(QStringLiteral("trayValidateAllAction"));
    connect(m_validateAll, &QAction::triggered, this, &TrayController::validateAllRequested);
    m_menu->addSeparator();
    m_quit = m_menu->addAction(tr("&Quit"));
    m_quit->setObjectName(QStringLiteral("trayQuitAction"));
    connect(m_quit, &QAction::triggered, this, &TrayController::quitRequested);

    m_icon->setContextMenu(m_menu.get());
    connect(m_icon.get(), &QSystemTrayIcon::activated, this,
        [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                Q_EMIT openRequested();
        });
    connect(m_icon.get(), &QSystemTrayIcon::messageClicked, this, [this] {
        if (m_lastNotified.isEmpty())
            Q_EMIT openRequested();
        else
            Q_EMIT openConnectorsRequested(m_lastNotified);
    });

    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(kDefaultCoalesceMs);
    connect(&m_coalesce, &QTimer::timeout, this, &TrayController::flush);
    connect(health, &HealthMonitor::summaryChanged, this, &TrayController::updateStatus);
    connect(repository, &ConnectorRepository::connectorRemoved, this,
        [this](const QUuid &id) { m_pending.removeAll(id); });
    updateStatus();
}

TrayController::~TrayController()
{
    m_icon->hide();
    m_icon->setContextMenu(nullptr);
}

void TrayController::setAvailabilityForTesting(std::optional<bool> available)
{
    g_availabilityForTesting = available;
}

bool TrayController::refreshAvailability()
{
    const bool available = g_availabilityForTesting ? *g_availabilityForTesting
                                                    : QSystemTrayIcon::isSystemTrayAvailable();
    if (available == m_available)
        return m_available;
    m_available = available;
    if (available) {
        show();
    } else {
        m_shown = false;
        m_icon->hide();
    }
    return m_available;
}

void TrayController::show()
{
    if (!m_available)
        return;
    m_shown = true;
    m_icon->show();
}

void TrayController::hide()
{
    m_shown = false;
    m_icon->hide();
}

bool TrayController::isVisible() const
{
    return m_available && m_shown;
}

QString TrayController::toolTip() const
{
    return tr("Connector Desk: %1").arg(m_health->summaryText());
}

void TrayController::updateStatus()
{
    const ValidationStatus worst = m_health->worstStatus();
    if (!m_iconSet || worst != m_iconStatus) {
        m_iconStatus = worst;
        m_iconSet = true;
        m_icon->setIcon(trayIconFor(worst));
    }
    const QString tip = toolTip();
    if (tip != m_icon->toolTip()) // a D-Bus call per change where the tray is a panel's
        m_icon->setToolTip(tip);
    m_summary->setText(m_health->summaryText());
}

QString TrayController::notificationText(const QString &text, int maxLength)
{
    // Notification servers may read markup (freedesktop body-markup, Qt's own balloon tip
    // guesses rich text): look-alikes keep the text readable and inert everywhere.
    QString s = Text::inert(text).simplified();
    s.replace(QLatin1Char('<'), QChar(0x2039))
        .replace(QLatin1Char('>'), QChar(0x203A))
        .replace(QLatin1Char('&'), QChar(0xFF06));
    if (s.size() > maxLength)
        s = s.left(maxLength - 1) + QChar(0x2026);
    return s;
}

void TrayController::notifyDegraded(const QUuid &id)
{
    if (!m_notify || m_pending.contains(id))
        return;
    m_pending.append(id);
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void TrayController::flush()
{
    QList<std::pair<QUuid, Connector>> items;
    for (const QUuid &id : std::as_const(m_pending)) {
        const std::optional<Connector> c = m_repository->find(id);
        // Still not working when the notification goes out (an edit may have fixed it).
        if (c
            && (c->validation.status == ValidationStatus::Failed
                || c->validation.status == ValidationStatus::Warning))
            items.append({ id, *c });
    }
    m_pending.clear();
    if (items.isEmpty())
        return;
    QString title;
    QString body;
    if (items.size() == 1) {
        const Connector &c = items.first().second;
        const QString name = notificationText(c.name, 80);
        title = c.validation.status == ValidationStatus::Failed
            ? tr("“%1” stopped working").arg(name)
            : tr("“%1” has a warning").arg(name);
        body = notificationText(c.validation.message, 300);
        if (body.isEmpty())
            body = tr("Open it in Connector Desk for the details.");
    } else {
        title = tr("%n connector(s) stopped working", nullptr, int(items.size()));
        QStringList names;
        for (qsizetype i = 0; i < items.size() && i < kMaxNamesListed; ++i)
            names << notificationText(items[i].second.name, 60);
        body = names.join(tr(", "));
        if (items.size() > kMaxNamesListed)
            body += tr(" and %n more", nullptr, int(items.size() - kMaxNamesListed));
        body += QLatin1Char('.');
    }
    m_lastNotified.clear();
    bool anyFailed = false;
    for (const auto &item : std::as_const(items)) {
        m_lastNotified.append(item.first);
        anyFailed = anyFailed || item.second.validation.status == ValidationStatus::Failed;
    }
    const bool byTray = isVisible() && QSystemTrayIcon::supportsMessages();
    if (byTray)
        m_icon->showMessage(
            title, body, anyFailed ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning, 15000);
    Q_EMIT notificationShown(title, body, m_lastNotified, byTray);
}

void TrayController::showInformation(const QString &title, const QString &text)
{
    if (isVisible() && QSystemTrayIcon::supportsMessages())
        m_icon->showMessage(title, text, QSystemTrayIcon::Information, 8000);
}

} // namespace cd::ui
