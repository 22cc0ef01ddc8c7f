#include "HeaderBar.h"

#include "AppInfo.h"
#include "PlainText.h"

#include <QButtonGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QMenu>
#include <QStyle>
#include <QToolButton>

namespace cd::ui {

HeaderBar::HeaderBar(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("headerBar"));
    setAccessibleName(tr("Header bar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);

    auto *layout = new QHBoxLayout(this);

    m_iconLabel = new QLabel(this);
    m_iconLabel->setObjectName(QStringLiteral("productIconLabel"));
    layout->addWidget(m_iconLabel);

    auto *title = new QLabel(AppInfo::displayName(), this);
    title->setObjectName(QStringLiteral("productNameLabel"));
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    title->setFont(titleFont);
    layout->addWidget(title);
    layout->addSpacing(style()->pixelMetric(QStyle::PM_LayoutHorizontalSpacing) * 4);

    m_navLayout = new QHBoxLayout;
    m_navLayout->setSpacing(0);
    layout->addLayout(m_navLayout);
    m_pages = new QButtonGroup(this);
    m_pages->setExclusive(true);
    connect(m_pages, &QButtonGroup::idClicked, this, &HeaderBar::pageRequested);

    layout->addStretch(1);

    m_networkIcon = new QLabel(this);
    m_networkIcon->setObjectName(QStringLiteral("networkIconLabel"));
    layout->addWidget(m_networkIcon);
    m_networkLabel = new QLabel(this);
    m_networkLabel->setObjectName(QStringLiteral("networkStateLabel"));
    layout->addWidget(m_networkLabel);

    m_menu = new QMenu(tr("Menu"), this);
    m_menu->setObjectName(QStringLiteral("applicationMenu"));
    m_menuButton = new QToolButton(this);
    m_menuButton->setObjectName(QStringLiteral("menuToolButton"));
    m_menuButton->setIcon(QIcon(QStringLiteral(":/icons/menu.svg")));
    m_menuButton->setText(tr("Menu"));
    m_menuButton->setAccessibleName(tr("Menu"));
    m_menuButton->setToolTip(tr("Menu (Alt+M)"));
    m_menuButton->setShortcut(QKeySequence(tr("Alt+M")));
    m_menuButton->setPopupMode(QToolButton::InstantPopup);
    m_menuButton->setAutoRaise(true);
    m_menuButton->setMenu(m_menu);
    layout->addWidget(m_menuButton);

    updatePalette();
    setNetworkState(NetworkStatus::State::Unknown);
}

int HeaderBar::addPage(const QString &text)
{
    auto *button = new QToolButton(this);
    const int index = m_pages->buttons().size();
    button->setObjectName(QStringLiteral("navigation%1ToolButton").arg(index));
    button->setText(text);
    button->setAccessibleName(withoutMnemonic(text));
    button->setCheckable(true);
    button->setAutoRaise(true);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_pages->addButton(button, index);
    m_navLayout->addWidget(button);
    if (index == 0)
        button->setChecked(true);
    return index;
}

void HeaderBar::setCurrentPage(int index)
{
    if (QAbstractButton *b = m_pages->button(index))
        b->setChecked(true);
}

QAbstractButton *HeaderBar::pageButton(int index) const
{
    return m_pages->button(index);
}

void HeaderBar::setNetworkStateVisible(bool visible)
{
    m_networkIcon->setVisible(visible);
    m_networkLabel->setVisible(visible);
}

void HeaderBar::setNetworkState(NetworkStatus::State state)
{
    m_networkState = state;
    QString iconPath;
    QString tip;
    switch (state) {
    case NetworkStatus::State::Online:
        iconPath = QStringLiteral(":/icons/network-online.svg");
        tip = tr("The network is reachable: connectors are validated as they are saved.");
        break;
    case NetworkStatus::State::Offline:
        iconPath = QStringLiteral(":/icons/network-offline.svg");
        tip = tr("No network: connectors are saved now and validated when the network returns.");
        break;
    case NetworkStatus::State::Unknown:
        iconPath = QStringLiteral(":/icons/network-unknown.svg");
        tip = tr("This system does not report whether the network is reachable.");
        break;
    }
    const QString text = NetworkStatus::describe(state);
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_networkIcon->setPixmap(QIcon(iconPath).pixmap(QSize(size, size), devicePixelRatioF()));
    m_networkLabel->setText(text);
    m_networkLabel->setToolTip(tip);
    m_networkIcon->setToolTip(tip);
    m_networkLabel->setAccessibleName(tr("Network: %1").arg(text));
}

void HeaderBar::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (!m_networkLabel)
        return; // still constructing
    switch (event->type()) {
    case QEvent::PaletteChange:
    case QEvent::StyleChange:
        updatePalette();
        setNetworkState(m_networkState);
        break;
    default:
        break;
    }
}

void HeaderBar::updatePalette()
{
    const int size = style()->pixelMetric(QStyle::PM_LargeIconSize, nullptr, this);
    m_iconLabel->setPixmap(QIcon(QStringLiteral(":/icons/connector-desk.svg"))
                               .pixmap(QSize(size, size), devicePixelRatioF()));
}

} // namespace cd::ui
