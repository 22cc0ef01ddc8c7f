#pragma once

#include <QMainWindow>

#include <memory>

class QStackedWidget;

namespace cd {
class ConnectorRepository;
class ConnectorStore;
class NetworkStatus;
class SecretStore;
class ValidationQueue;
}

class QNetworkAccessManager;

namespace cd::ui {

class ConnectorsPage;
class HeaderBar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // `secrets`: where secrets live; nullptr means the OS keychain (tests pass their own).
    explicit MainWindow(const QString &dataDir, cd::SecretStore *secrets = nullptr,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    HeaderBar *headerBar() const { return m_header; }
    ConnectorsPage *connectorsPage() const { return m_connectorsPage; }
    cd::NetworkStatus *networkStatus() const { return m_network; }
    cd::ConnectorRepository *repository() const { return m_repository; }
    cd::ValidationQueue *validationQueue() const { return m_queue; }
    QNetworkAccessManager *networkAccessManager() const { return m_nam; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void showAbout();
    void restoreWindowState();

    QString m_dataDir;
    std::unique_ptr<cd::ConnectorStore> m_store;
    cd::SecretStore *m_secrets = nullptr;
    cd::ConnectorRepository *m_repository = nullptr;
    QNetworkAccessManager *m_nam = nullptr;
    cd::ValidationQueue *m_queue = nullptr;
    HeaderBar *m_header = nullptr;
    QStackedWidget *m_pages = nullptr;
    ConnectorsPage *m_connectorsPage = nullptr;
    cd::NetworkStatus *m_network = nullptr;
};

} // namespace cd::ui
