#pragma once

#include <QMainWindow>

class QStackedWidget;

namespace cd {
class NetworkStatus;
}

namespace cd::ui {

class ConnectorsPage;
class HeaderBar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(const QString &dataDir, QWidget *parent = nullptr);
    ~MainWindow() override;

    HeaderBar *headerBar() const { return m_header; }
    ConnectorsPage *connectorsPage() const { return m_connectorsPage; }
    cd::NetworkStatus *networkStatus() const { return m_network; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void showAbout();
    void restoreWindowState();

    QString m_dataDir;
    HeaderBar *m_header = nullptr;
    QStackedWidget *m_pages = nullptr;
    ConnectorsPage *m_connectorsPage = nullptr;
    cd::NetworkStatus *m_network = nullptr;
};

} // namespace cd::ui
