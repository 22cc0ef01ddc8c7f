#pragma once

#include "Connector.h"

#include <QDialog>
#include <QList>
#include <QString>
#include <QUuid>
#include <memory>

class QPushButton;

namespace Ui {
class ChangeSecretDialog;
}

namespace cd {
struct AuthMethod;
class ConnectorRepository;
} // namespace cd

namespace cd::ui {

class InlineMessage;
class SecretLineEdit;

// "Change Password" (Client Secret, Token): a service account's new secret for every
// connector that signs in with it, in one operation (ConnectorRepository::rotateSecret: all
// or nothing). Names the connectors and the account; the new secret is typed twice. The
// change button is enabled only while both fields hold the same secret; a field the user
// has left (or Enter) shows what is missing. While the keychain is written the inputs are
// disabled and Cancel waits; a failure stays in the dialog with what was typed kept; on
// success changed() is emitted and the dialog closes. The secret goes nowhere but the
// repository call, and the fields are cleared whatever closes the dialog. Open it with
// open(), never exec().
class ChangeSecretDialog : public QDialog
{
    Q_OBJECT
public:
    // What the secret of an auth method is called, in the action, the dialog and messages.
    enum class SecretKind { Password, ClientSecret, Token, Secret };
    // By the method's id ("basic" Password, "oauth" Client Secret, "api-token" and "pat"
    // Token); Secret for another method, or none.
    static SecretKind secretKind(const AuthMethod *method);
    // "C&hange Password…", "C&hange Client Secret…", "C&hange Token…", "C&hange Secret…"
    static QString actionText(SecretKind kind);

    // The connectors one new secret would go to, and why it cannot, if it cannot.
    struct Target
    {
        QList<Connector> connectors;
        const AuthMethod *method = nullptr; // the one they share; null when they do not
        QString account; // the identity they share (or the account a check reported)
        QString problem; // empty when one new secret can go to all of them
        bool ok() const { return problem.isEmpty(); }
    };
    // Pure: one or more connectors of the same application and auth method (one this
    // version knows, with a secret) and the same account: the identity compared as import
    // compares it (trimmed, case-insensitive). A method without an identity (a personal
    // access token) says nothing of the account: several connectors only when a check of
    // each reported the same account.
    static Target target(const QList<Connector> &connectors);

    ChangeSecretDialog(
        ConnectorRepository *repository, const QList<QUuid> &ids, QWidget *parent = nullptr);
    ~ChangeSecretDialog() override;

    const Target &currentTarget() const { return m_target; }
    SecretKind kind() const { return m_kind; }
    bool isChanging() const { return m_changing; }
    SecretLineEdit *newSecretEdit() const;
    SecretLineEdit *confirmSecretEdit() const;
    // Errors of the fields (empty, the two differ).
    InlineMessage *secretMessage() const;
    // Progress and the repository's error.
    InlineMessage *changeMessage() const;
    QPushButton *changeButton() const { return m_change; }
    QPushButton *cancelButton() const { return m_cancel; }
    // For the page once changed() came: "Changed the password of 3 connectors; checking
    // them again." (`checking`: a validator takes them; else they are only not verified).
    QString changedText(bool checking) const;

Q_SIGNALS:
    // Every connector of `ids` holds the new secret (the dialog then closes).
    void changed(const QList<QUuid> &ids);

public Q_SLOTS:
    // The change button: stores the new secret for every connector (or shows why not).
    void startChange();
    void reject() override;
    // Clears both fields, whatever closes the dialog.
    void done(int result) override;

private:
    enum Field { NewField = 1, ConfirmField = 2 };
    QString fieldError() const;
    void revalidate();
    void setChanging(bool changing);

    std::unique_ptr<Ui::ChangeSecretDialog> m_ui;
    ConnectorRepository *m_repository;
    Target m_target;
    SecretKind m_kind = SecretKind::Secret;
    QPushButton *m_change = nullptr;
    QPushButton *m_cancel = nullptr;
    int m_touched = 0; // Field flags: the fields whose errors are shown
    bool m_changing = false;
};

} // namespace cd::ui
