#include "SecretLineEdit.h"

#include <QAction>
#include <QIcon>
#include <QKeySequence>

namespace cd::ui {

SecretLineEdit::SecretLineEdit(QWidget *parent)
    : QLineEdit(parent)
{
    setEchoMode(QLineEdit::Password);
    setClearButtonEnabled(false);
    // No input method may learn the secret; no drag of it out of the field.
    setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText
        | Qt::ImhNoAutoUppercase);
    setDragEnabled(false);
    m_toggle = addAction(QIcon(QStringLiteral(":/icons/eye.svg")), QLineEdit::TrailingPosition);
    m_toggle->setObjectName(QStringLiteral("revealAction"));
    m_toggle->setCheckable(true);
    // The eye is not a Tab stop (it sits inside the field): Ctrl+H in the field toggles it.
    m_toggle->setShortcut(QKeySequence(tr("Ctrl+H")));
    m_toggle->setShortcutContext(Qt::WidgetShortcut);
    connect(m_toggle, &QAction::toggled, this, [this](bool on) {
        if (on && text().isEmpty() && m_stored && !m_revealed) {
            // Ask the owner to read the stored secret; stays hidden until it arrives.
            m_toggle->setChecked(false);
            Q_EMIT revealRequested();
            return;
        }
        setRevealed(on);
    });
    updateToggle();
}

void SecretLineEdit::setStoredSecretAvailable(bool available)
{
    m_stored = available;
    setPlaceholderText(available ? tr("Unchanged") : QString());
    updateToggle();
}

void SecretLineEdit::setRevealedSecret(const QString &secret)
{
    m_revealed = secret;
    setText(secret);
    setRevealed(true);
}

std::optional<QString> SecretLineEdit::newSecret() const
{
    if (m_stored && (text().isEmpty() || (m_revealed && text() == *m_revealed)))
        return std::nullopt;
    return text();
}

void SecretLineEdit::setRevealed(bool revealed)
{
    setEchoMode(revealed ? QLineEdit::Normal : QLineEdit::Password);
    {
        const QSignalBlocker block(m_toggle);
        m_toggle->setChecked(revealed);
    }
    updateToggle();
}

void SecretLineEdit::clearSecret()
{
    setText(QString()); // unlike clear(), also empties the undo history: Ctrl+Z brings nothing back
    m_revealed.reset();
    setRevealed(false);
}

void SecretLineEdit::updateToggle()
{
    const bool shown = echoMode() == QLineEdit::Normal;
    m_toggle->setIcon(
        QIcon(shown ? QStringLiteral(":/icons/eye-off.svg") : QStringLiteral(":/icons/eye.svg")));
    const QString label = shown
        ? tr("Hide")
        : (text().isEmpty() && m_stored ? tr("Reveal stored secret") : tr("Show"));
    m_toggle->setText(label);
    m_toggle->setToolTip(QStringLiteral("%1 (%2)").arg(
        label, m_toggle->shortcut().toString(QKeySequence::NativeText)));
}

} // namespace cd::ui
