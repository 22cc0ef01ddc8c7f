#include "MainWindow.h"

#include "AppInfo.h"
#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "ConnectorsPage.h"
#include "SecretStore.h"
#include "ValidationQueue.h"
#include "HeaderBar.h"
#include "NetworkStatus.h"
#include "UiSetup.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QMenu>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QTimer>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace cd::ui {

namespace {
const auto kGeometryKey = QStringLiteral("MainWindow/geometry");
const auto kStateKey = QStringLiteral("MainWindow/state");
} // namespace

MainWindow::MainWindow(const QString &dataDir, SecretStore *secrets, QWidget *parent)
    : QMainWindow(parent)
    , m_dataDir(dataDir)
    , m_store(std::make_unique<ConnectorStore>(dataDir))
    , m_secrets(secrets)
{
    setUpApplication();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(AppInfo::displayName());

    m_header = new HeaderBar(this);
    setMenuWidget(m_header);

    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("pagesStackedWidget"));
    if (!m_secrets) {
        auto *keychain = new KeychainSecretStore(QStringLiteral("connector-desk"), this);
        const int timeoutMs = qEnvironmentVariableIntValue("CONNECTOR_DESK_KEYCHAIN_TIMEOUT_MS");
        if (timeoutMs > 0)
            keychain->setTimeout(timeoutMs);
        m_secrets = keychain;
    }
    m_repository = new ConnectorRepository(m_store.get(), m_secrets, this);
    QString loadError;
    m_repository->load(&loadError); // a failure is shown on the page, with the choices

    m_connectorsPage = new ConnectorsPage(m_repository, m_pages);
    m_connectorsPage->setObjectName(QStringLiteral("connectorsPage"));
    m_pages->addWidget(m_connectorsPage);
    setCentralWidget(m_pages);

    m_header->addPage(tr("&Connectors"));
    connect(m_header, &HeaderBar::pageRequested, m_pages, &QStackedWidget::setCurrentIndex);

    m_network = new NetworkStatus(this);
    m_header->setNetworkState(m_network->state());
    connect(m_network, &NetworkStatus::stateChanged, m_header, &HeaderBar::setNetworkState);

    // Background validation, offline-first: nothing starts while the system says Offline.
    m_nam = new QNetworkAccessManager(this);
    m_queue = new ValidationQueue(m_repository, m_nam, this);
    m_queue->setNetworkAvailable(m_network->state() != NetworkStatus::State::Offline);
    connect(m_network, &NetworkStatus::stateChanged, m_queue, [this](NetworkStatus::State s) {
        m_queue->setNetworkAvailable(s != NetworkStatus::State::Offline);
    });
    m_connectorsPage->setValidation(m_queue, m_nam);
    // Work left from the last run ("Not verified" connectors) resumes once the window is up:
    // loading and showing the list itself never touches the keychain.
    QTimer::singleShot(2000, m_queue, &ValidationQueue::enqueuePending);

    createActions();
    restoreWindowState();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu *menu = m_header->menu();

    auto *about = new QAction(tr("&About Connector Desk"), this);
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    menu->addAction(about);

    auto *validateAll = new QAction(tr("Validate &All Connectors"), this);
    validateAll->setObjectName(QStringLiteral("validateAllAction"));
    validateAll->setShortcut(QKeySequence(tr("Ctrl+Shift+F5")));
    validateAll->setShortcutContext(Qt::WindowShortcut);
    connect(validateAll, &QAction::triggered, m_queue, &ValidationQueue::enqueueAll);
    menu->addAction(validateAll);
    addAction(validateAll);

    menu->addSeparator();

    auto *quit = new QAction(tr("&Quit"), this);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setShortcutContext(Qt::ApplicationShortcut);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    menu->addAction(quit);
    addAction(quit); // the shortcut works while the menu is closed
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
    box->setInformativeText(tr("Qt %1 (built with %2)<br>QtKeychain %3<br>Data folder: %4")
                                .arg(QString::fromLatin1(qVersion()),
                                     QStringLiteral(QT_VERSION_STR), AppInfo::qtKeychainVersion(),
                                     m_dataDir.toHtmlEscaped()));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
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

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    event->accept();
}

} // namespace cd::ui
