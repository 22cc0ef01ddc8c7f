#include "AppContext.h"

#include "ConnectorRepository.h"
#include "ConnectorStore.h"
#include "NetworkStatus.h"
#include "SecretStore.h"
#include "ValidationQueue.h"
#include "WatchedSecretStore.h"

#include <QNetworkAccessManager>

namespace cd {

namespace {
// The window's connection waits this long on a busy database; the repository then retries
// from the event loop (up to the store's usual busy timeout), so the GUI thread never sleeps
// long in SQLite's busy handler.
constexpr int kWindowBusyTimeoutMs = 50;
} // namespace

int AppContext::keychainTimeoutMsFromEnvironment()
{
    const int ms = qEnvironmentVariableIntValue("CONNECTOR_DESK_KEYCHAIN_TIMEOUT_MS");
    return ms > 0 ? ms : 0;
}

AppContext::AppContext(const QString &dataDir, Mode mode, SecretStore *secrets, QObject *parent)
    : AppContext(dataDir, mode, NetworkStart::Now, secrets, parent)
{ }

AppContext::AppContext(const QString &dataDir, Mode mode, NetworkStart networkStart,
    SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_store(std::make_unique<ConnectorStore>(dataDir))
{
    if (!secrets) {
        m_keychain = std::make_unique<KeychainSecretStore>(QStringLiteral("connector-desk"));
        if (const int ms = keychainTimeoutMsFromEnvironment())
            m_keychain->setTimeout(ms);
        secrets = m_keychain.get();
    }
    m_secrets = secrets;
    switch (mode) {
    case Mode::Window:
        m_store->setBusyTimeout(kWindowBusyTimeoutMs);
        // Every check result is written on the window's thread; the disk waits of a checkpoint
        // are not.
        m_store->setBackgroundCheckpoints(true);
        break;
    case Mode::CommandLine:
        // Its exit code tells a keychain failure (4) from others. (The window keeps the store
        // itself: a late keychain answer after a timeout must reach the repository.)
        m_watched = std::make_unique<WatchedSecretStore>(secrets);
        m_secrets = m_watched.get();
        break;
    }
    m_repository = std::make_unique<ConnectorRepository>(m_store.get(), m_secrets);
    switch (mode) {
    case Mode::Window:
        m_repository->setBusyRetry(ConnectorStore::kDefaultBusyTimeoutMs);
        break;
    case Mode::CommandLine:
        break;
    }

    m_network = std::make_unique<QNetworkAccessManager>();
    m_networkStatus = std::make_unique<NetworkStatus>(networkStart);
    m_queue = std::make_unique<ValidationQueue>(m_repository.get(), m_network.get());
    switch (mode) {
    case Mode::Window:
        m_queue->yieldToTheWindow();
        // Offline-first: nothing starts while the system says Offline.
        m_queue->setNetworkAvailable(m_networkStatus->state() != NetworkStatus::State::Offline);
        connect(m_networkStatus.get(), &NetworkStatus::stateChanged, m_queue.get(),
            [this](NetworkStatus::State s) {
                m_queue->setNetworkAvailable(s != NetworkStatus::State::Offline);
            });
        connect(m_networkStatus.get(), &NetworkStatus::networkChanged, m_queue.get(),
            &ValidationQueue::networkChanged);
        break;
    case Mode::CommandLine:
        // A command checks what it was asked to, now; its exit code says when the network
        // was the problem.
        break;
    }
}

AppContext::~AppContext() = default;

bool AppContext::keychainFailed() const
{
    return m_watched && m_watched->keychainFailed();
}

} // namespace cd
