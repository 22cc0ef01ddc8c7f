#pragma once

#include <QLineEdit>
#include <optional>

class QAction;

namespace cd::ui {

// A masked line edit for a password or client secret, with a show/hide toggle.
//
// When editing a connector whose secret is stored, the field starts empty with the
// placeholder "Unchanged": the secret is not read from the keychain unless the user asks
// to see it (the toggle then emits revealRequested(); the owner reads it and calls
// setRevealedSecret()). newSecret() is empty (keep the stored one) unless the user typed
// something different.
class SecretLineEdit : public QLineEdit
{
    Q_OBJECT
public:
    explicit SecretLineEdit(QWidget *parent = nullptr);

    // A secret is stored for the edited connector: show "Unchanged" and offer to reveal it.
    void setStoredSecretAvailable(bool available);
    void setRevealedSecret(const QString &secret);
    // What to save: nullopt keeps the stored secret.
    std::optional<QString> newSecret() const;
    void setRevealed(bool revealed);
    void clearSecret();
    QAction *toggleAction() const { return m_toggle; }

Q_SIGNALS:
    void revealRequested();

private:
    void updateToggle();

    QAction *m_toggle = nullptr;
    bool m_stored = false;
    std::optional<QString> m_revealed;
};

} // namespace cd::ui
