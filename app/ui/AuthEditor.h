#pragma once

#include "ApplicationProvider.h"

#include <QWidget>
#include <memory>
#include <optional>

class QLabel;
class QLineEdit;

namespace Ui {
class AuthEditor;
} // namespace Ui

namespace cd::ui {

class InlineMessage;
class SecretLineEdit;

// One page of the Authentication Type stack: the credentials of one auth method of one
// application (QGIS QgsAuthMethodEdit's idea), built from the provider's AuthMethod: its
// identity field (or none), its secret field, its help. The dialog only talks to this class.
//
// Object names follow the method, so that tests and the accessibility tree read them the
// same way for every application: <identityKey>LineEdit ("usernameLineEdit",
// "clientIdLineEdit", "emailLineEdit"), <secret suffix in camel case>LineEdit
// ("passwordLineEdit", "clientSecretLineEdit", "apiTokenLineEdit", "tokenLineEdit",
// "jiraPasswordLineEdit"),
// <method id in camel case>AuthEditor ("basicAuthEditor", "oauthAuthEditor").
class AuthEditor : public QWidget
{
    Q_OBJECT
public:
    explicit AuthEditor(const AuthMethod &method, QWidget *parent = nullptr);
    ~AuthEditor() override;

    QString authType() const { return m_method.id; }
    const AuthMethod &method() const { return m_method; }

    // Shows a stored connector's identity; `secretStored`: a secret is in the keychain
    // (shown as "Unchanged", never read unless the user asks to reveal it).
    void load(const QString &identity, bool secretStored);
    QString identity() const; // empty for a method without one
    std::optional<QString> newSecret() const;
    // Forgets everything typed: a page switched away from never keeps a hidden secret.
    void clear();
    void setErrors(const QString &identityError, const QString &secretError);
    void setRevealedSecret(const QString &secret);

    // nullptr for a method without an identity.
    QLineEdit *identityEdit() const;
    SecretLineEdit *secretEdit() const;
    // The labels of the fields shown (for aligning them with the dialog's).
    QList<QLabel *> labels() const;
    // The widgets of this page in Tab order.
    QList<QWidget *> focusChain() const;

    // "api-token" → "apiToken".
    static QString camelCase(const QString &id);

Q_SIGNALS:
    void changed();
    void revealRequested();

private:
    AuthMethod m_method;
    std::unique_ptr<::Ui::AuthEditor> m_ui;
};

} // namespace cd::ui
