#pragma once

#include "NetworkStatus.h"

#include <QFrame>

class QAbstractButton;
class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QMenu;
class QToolButton;

namespace cd::ui {

// The bar across the top of the window: product name and icon, page navigation, the
// network state, and the application menu.
class HeaderBar : public QFrame
{
    Q_OBJECT
public:
    explicit HeaderBar(QWidget *parent = nullptr);

    // Adds a navigation entry; returns its index. The first one added is checked.
    int addPage(const QString &text);
    void setCurrentPage(int index);
    QAbstractButton *pageButton(int index) const;

    void setNetworkState(cd::NetworkStatus::State state);
    // Hides the network state while it is not known yet (the window's deferred start-up).
    void setNetworkStateVisible(bool visible);
    QMenu *menu() const { return m_menu; }

Q_SIGNALS:
    void pageRequested(int index);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updatePalette();

    QHBoxLayout *m_navLayout = nullptr;
    QButtonGroup *m_pages = nullptr;
    QLabel *m_iconLabel = nullptr;
    QLabel *m_networkIcon = nullptr;
    QLabel *m_networkLabel = nullptr;
    QToolButton *m_menuButton = nullptr;
    QMenu *m_menu = nullptr;
    cd::NetworkStatus::State m_networkState = cd::NetworkStatus::State::Unknown;
};

} // namespace cd::ui
