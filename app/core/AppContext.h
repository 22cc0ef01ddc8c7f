#pragma once

#include "NetworkStatus.h"

#include <QObject>
#include <QString>
#include <memory>

class QNetworkAccessManager;

namespace cd {

class ConnectorRepository;
class ConnectorStore;
class KeychainSecretStore;
class SecretStore;
class ValidationQueue;
class WatchedSecretStore;

// The composition root: the objects that make up Connector Desk, built in one place and
// handed to the window, the command line, the tests and the benchmarks alike.
//
//   ConnectorStore (connectors.db in dataDir)
//   SecretStore: the OS keychain (KeychainSecretStore, its timeout from
//       CONNECTOR_DESK_KEYCHAIN_TIMEOUT_MS; the command line watches it for failures), or the
//       one a test passes
//   ConnectorRepository (store + secrets)
//   QNetworkAccessManager, NetworkStatus, ValidationQueue (repository + network)
//   the application providers: Applications (a registry, not an object of this class)
//
// Window: the store waits at most 50 ms on a busy database and the repository retries from
// the event loop; other processes' changes are watched; the queue follows NetworkStatus
// (whose backend the window's deferred start-up loads only after its first frame: until then
// the state is Unknown and the queue may run).
// Command line: the store waits up to its busy timeout (a console may block), no watching.
class AppContext : public QObject
{
    Q_OBJECT
public:
    enum class Mode { Window, CommandLine };
    // When NetworkStatus asks the operating system: now, or (the window's deferred start-up)
    // when networkStatus()->loadBackend() is called; the queue follows it either way.
    using NetworkStart = NetworkStatus::Start;

    // `secrets`: nullptr means the OS keychain; a test passes its own (not owned).
    AppContext(const QString &dataDir, Mode mode, SecretStore *secrets = nullptr,
        QObject *parent = nullptr);
    AppContext(const QString &dataDir, Mode mode, NetworkStart networkStart, SecretStore *secrets,
        QObject *parent = nullptr);
    ~AppContext() override;

    ConnectorStore *store() const { return m_store.get(); }
    SecretStore *secrets() const { return m_secrets; }
    // Command line: whether a keychain call failed (unavailable, locked, denied, timed out).
    bool keychainFailed() const;
    ConnectorRepository *repository() const { return m_repository.get(); }
    QNetworkAccessManager *network() const { return m_network.get(); }
    NetworkStatus *networkStatus() const { return m_networkStatus.get(); }
    ValidationQueue *queue() const { return m_queue.get(); }

    // CONNECTOR_DESK_KEYCHAIN_TIMEOUT_MS, read here only; 0 when unset (the default applies).
    static int keychainTimeoutMsFromEnvironment();

private:
    // Destroyed in reverse order: the queue before the repository before the store.
    std::unique_ptr<ConnectorStore> m_store;
    std::unique_ptr<KeychainSecretStore> m_keychain; // null when a test passed its store
    std::unique_ptr<WatchedSecretStore> m_watched; // command line only
    SecretStore *m_secrets = nullptr; // what the repository uses
    std::unique_ptr<ConnectorRepository> m_repository;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<NetworkStatus> m_networkStatus;
    std::unique_ptr<ValidationQueue> m_queue;
};

} // namespace cd
