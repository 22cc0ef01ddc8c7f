#pragma once

#include "Connector.h"

#include <QWidget>
#include <memory>
#include <optional>

class QLabel;
class QLineEdit;

namespace Ui {
class BasicAuthEditor;
class OAuthEditor;
} // namespace Ui

namespace cd::ui {

class InlineMessage;
class SecretLineEdit;

// One page of the Authentication Type stack: the credentials of one authentication type
// (QGIS QgsAuthMethodEdit's idea). The dialog only talks to this interface.
class AuthEditor : public QWidget
{
    Q_OBJECT
public:
    using QWidget::QWidget;

    virtual AuthType authType() const = 0;

    // Shows a stored connector's identity; `secretStored`: a secret is in the keychain
    // (shown as "Unchanged", never read unless the user asks to reveal it).
    void load(const QString &identity, bool secretStored);
    QString identity() const;
    std::optional<QString> newSecret() const;
    // Forgets everything typed: a page switched away from never keeps a hidden secret.
    void clear();
    void setErrors(const QString &identityError, const QString &secretError);
    void setRevealedSecret(const QString &secret);

    QLineEdit *identityEdit() const { return m_identity; }
    SecretLineEdit *secretEdit() const { return m_secret; }
    QList<QLabel *> labels() const { return m_labels; }
    QWidget *lastFocusWidget() const;

Q_SIGNALS:
    void changed();
    void revealRequested();

protected:
    // Subclasses call this after setupUi with their widgets.
    void wire(QLineEdit *identity, InlineMessage *identityMessage, SecretLineEdit *secret,
        InlineMessage *secretMessage, const QList<QLabel *> &labels, QWidget *last = nullptr);

private:
    QLineEdit *m_identity = nullptr;
    SecretLineEdit *m_secret = nullptr;
    InlineMessage *m_identityMessage = nullptr;
    InlineMessage *m_secretMessage = nullptr;
    QList<QLabel *> m_labels;
    QWidget *m_last = nullptr;
};

class BasicAuthEditor : public AuthEditor
{
    Q_OBJECT
public:
    explicit BasicAuthEditor(QWidget *parent = nullptr);
    ~BasicAuthEditor() override;
    AuthType authType() const override { return AuthType::Basic; }

private:
    std::unique_ptr<::Ui::BasicAuthEditor> m_ui;
};

class OAuthEditor : public AuthEditor
{
    Q_OBJECT
public:
    explicit OAuthEditor(const QUrl &help, QWidget *parent = nullptr);
    ~OAuthEditor() override;
    AuthType authType() const override { return AuthType::OAuth; }

private:
    std::unique_ptr<::Ui::OAuthEditor> m_ui;
};

} // namespace cd::ui
