#include "ConnectorsPage.h"

#include "ui_ConnectorsPage.h"

#include <QEvent>
#include <QIcon>
#include <QStyle>

namespace cd::ui {

ConnectorsPage::ConnectorsPage(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::ConnectorsPage>())
{
    m_ui->setupUi(this);
    QFont titleFont = m_ui->emptyTitleLabel->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    m_ui->emptyTitleLabel->setFont(titleFont);
    // The Add New Connector dialog arrives with the connector store; until then the button
    // says so instead of pretending.
    m_ui->emptyAddConnectorPushButton->setEnabled(false);
    m_ui->emptyAddConnectorPushButton->setToolTip(tr("Adding connectors is not available yet."));
    updateIcons();
}

ConnectorsPage::~ConnectorsPage() = default;

void ConnectorsPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::StyleChange)
        updateIcons();
}

void ConnectorsPage::updateIcons()
{
    const int size = style()->pixelMetric(QStyle::PM_LargeIconSize, nullptr, this) * 3;
    m_ui->emptyIconLabel->setPixmap(QIcon(QStringLiteral(":/icons/connector-desk.svg"))
                                        .pixmap(QSize(size, size), devicePixelRatioF()));
}

} // namespace cd::ui
