#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class ConnectorsPage;
}

namespace cd::ui {

// The Connectors page: the list of connectors, or the empty state while there is none.
class ConnectorsPage : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectorsPage(QWidget *parent = nullptr);
    ~ConnectorsPage() override;

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateIcons();

    std::unique_ptr<Ui::ConnectorsPage> m_ui;
};

} // namespace cd::ui
