#include "InlineMessage.h"

#include "PlainText.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

namespace cd::ui {

InlineMessage::InlineMessage(QWidget *parent)
    : QWidget(parent)
{
    m_layout = new QHBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_icon = new QLabel(this);
    m_icon->setAlignment(Qt::AlignTop);
    m_layout->addWidget(m_icon, 0, Qt::AlignTop);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    // Messages carry connector names and what servers say: always plain text, so markup in
    // them shows as written and can never become a link.
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setOpenExternalLinks(false);
    m_layout->addWidget(m_text, 1);
    hide();
}

void InlineMessage::showMessage(Kind kind, const QString &text)
{
    if (text.isEmpty()) {
        clear();
        return;
    }
    // A new message replaces the old one whole, buttons included: an Undo or a "Trust This
    // Certificate" belongs to the message it came with (add new buttons after this call).
    qDeleteAll(m_buttons);
    m_buttons.clear();
    m_kind = kind;
    m_text->setText(text);
    setAccessibleName(text);
    updateIcon();
    show();
}

void InlineMessage::clear()
{
    m_text->clear();
    setAccessibleName(QString());
    qDeleteAll(m_buttons);
    m_buttons.clear();
    hide();
}

QString InlineMessage::text() const
{
    return m_text->text();
}

void InlineMessage::setClosable(bool closable)
{
    if (closable && !m_close) {
        m_close = new QToolButton(this);
        m_close->setObjectName(QStringLiteral("dismissToolButton"));
        m_close->setAutoRaise(true);
        m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton, nullptr, this));
        m_close->setText(tr("Dismiss"));
        m_close->setToolTip(tr("Dismiss this message"));
        m_close->setAccessibleName(tr("Dismiss"));
        m_layout->addWidget(m_close, 0, Qt::AlignTop);
        connect(m_close, &QToolButton::clicked, this, &InlineMessage::clear);
    }
    if (m_close)
        m_close->setVisible(closable);
}

QPushButton *InlineMessage::addButton(const QString &text)
{
    auto *button = new QPushButton(text, this);
    button->setAccessibleName(withoutMnemonic(text));
    // Buttons go before the Dismiss button, which stays last.
    m_layout->insertWidget(
        m_close ? m_layout->indexOf(m_close) : m_layout->count(), button, 0, Qt::AlignTop);
    m_buttons.append(button);
    return button;
}

void InlineMessage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::StyleChange && m_icon)
        updateIcon();
}

void InlineMessage::updateIcon()
{
    QStyle::StandardPixmap pixmap = QStyle::SP_MessageBoxInformation;
    switch (m_kind) {
    case Kind::Warning:
        pixmap = QStyle::SP_MessageBoxWarning;
        break;
    case Kind::Error:
        pixmap = QStyle::SP_MessageBoxCritical;
        break;
    case Kind::Success:
        pixmap = QStyle::SP_DialogApplyButton;
        break;
    case Kind::Information:
        break;
    }
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()
                          ->standardIcon(pixmap, nullptr, this)
                          .pixmap(QSize(size, size), devicePixelRatioF()));
}

} // namespace cd::ui
