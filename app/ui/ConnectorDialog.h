#pragma once

#include "Connector.h"
#include "ConnectorRules.h"
#include "ValidationJob.h"

#include <QDialog>
#include <QSet>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QPushButton;

namespace Ui {
class ConnectorDialog;
}

namespace cd {
class ApplicationProvider;
class ConnectorRepository;
class ValidationJob;
} // namespace cd

namespace cd::ui {

class AuthEditor;
class InlineMessage;
class ProjectCompleter;

// The "Add New Connector" dialog (and "Edit Connector"). Follows Jama Connect Interchange's
// own form: Application, Name, URL, Verify SSL, Authentication Type, then the credentials
// of that type, then the connector's scope (Projects, with Load Projects to complete keys).
// Submit is enabled only while the form is valid; it saves through the repository (keychain
// first) and closes. A save error stays inside the dialog with everything typed kept.
// Test Connection shows the check's checklist. Open it with open(), never exec().
class ConnectorDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Add, Edit, Duplicate };

    explicit ConnectorDialog(ConnectorRepository *repository, QWidget *parent = nullptr);
    ~ConnectorDialog() override;

    // Edit an existing connector (its secret is never read unless the user reveals it).
    void editConnector(const Connector &connector);
    // Add a new connector prefilled from another one (no secret, a new name).
    void duplicateConnector(const Connector &connector);

    // Enables Test Connection (validates the typed values without saving).
    void setNetworkAccessManager(QNetworkAccessManager *nam);
    // Starts (or, while one runs, cancels) a test of the typed values, the projects typed
    // included (not started while they are not valid: the field says why).
    void testConnection();
    bool isTesting() const;
    // Lists every project the account of the typed values can see (or, while that runs,
    // cancels it); the keys then complete in the Projects field.
    void loadProjects();
    bool isLoadingProjects() const { return m_load != nullptr; }
    ProjectCompleter *projectCompleter() const { return m_completer; }
    // What the dialog says while a check is at `status` ("Checking projects…").
    static QString statusText(ValidationJob::Status status, const QString &host);
    QByteArray pendingPin() const { return m_pendingPin; }
    // The result of the last Test Connection, when nothing that it checked has changed since
    // (URL, Verify SSL, trusted certificate, authentication type, identity, secret, projects)
    // and it says something about the connector (not cancelled, not "unreachable"): Submit
    // then records it instead of sending the credentials again.
    std::optional<ValidationResult> reusableTestResult() const;

    Mode mode() const { return m_mode; }
    ConnectorDraft draft() const;
    DraftCheck currentCheck() const;
    bool isSaving() const { return m_saving; }
    AuthEditor *currentAuthEditor() const;
    QPushButton *submitButton() const { return m_submit; }
    QPushButton *cancelButton() const { return m_cancel; }

Q_SIGNALS:
    // The connector was saved (added or updated); the dialog then closes.
    void saved(const QUuid &id, bool credentialsChanged);

public Q_SLOTS:
    void reject() override;
    void done(int result) override;

private:
    void setUpAuthEditors();
    void fillFrom(const Connector &connector, const QString &name, bool secretStored);
    void alignLabels();
    void setUpTabOrder();
    void onAuthTypeChanged(int index);
    void onApplicationChanged();
    const ApplicationProvider *provider() const;
    bool isStoredMethod(const AuthEditor *editor) const;
    void onUrlEditingFinished();
    void touch(const QString &field);
    void revalidate();
    void submit();
    void setSaving(bool saving);
    void revealSecret();
    void growToFit();
    // The request a check of the typed values sends (Test Connection and Load Projects).
    ValidationRequest requestFor(const QString &secret) const;
    // URL and identity valid, and a secret to send (typed, or stored and unchanged).
    bool canCheck(const DraftCheck &check) const;
    // Calls `then` with the secret to send: the one typed, or (editing, secret unchanged) the
    // stored one, read from the keychain asynchronously; `where` says that it is read, and
    // why it could not be. Not called when there is none, the dialog closed, or what was
    // asked changed meanwhile (the stored secret is never sent anywhere else).
    void withSecret(InlineMessage *where, const std::function<void(const QString &)> &then);
    // The projects typed, normalised; nullopt while the field is not valid.
    std::optional<QStringList> typedProjects() const;
    void startTest(const QString &secret);
    void showTestResult(const ValidationResult &result);
    void startLoad(const QString &secret);
    void showLoadResult(const ValidationResult &result);
    void setLoadButtonLoading(bool loading);
    // The application, instance, method and account loaded projects belong to.
    QString loadKey() const;

    std::unique_ptr<Ui::ConnectorDialog> m_ui;
    ConnectorRepository *m_repository;
    QList<AuthEditor *> m_editors;
    QPushButton *m_submit = nullptr;
    QPushButton *m_cancel = nullptr;
    Mode m_mode = Mode::Add;
    std::optional<Connector> m_original;
    QSet<QString> m_touched;
    bool m_saving = false;
    bool m_removedElsewhere = false; // the connector being edited was deleted by another process
    QNetworkAccessManager *m_nam = nullptr;
    ValidationJob *m_test = nullptr;
    ValidationJob *m_load = nullptr; // Load Projects
    bool m_readingSecret = false; // for a test or a load, from the keychain
    ProjectCompleter *m_completer = nullptr; // on the Projects field once projects are loaded
    QString m_loadedFor; // loadKey() of the projects loaded; empty: none
    // What the last test sent (the secret as a hash), and what it found.
    struct TestedInput
    {
        QString url;
        bool verifySsl = true;
        QByteArray pin;
        QString application;
        QString authType;
        QString identity;
        QByteArray secretHash; // empty: the stored secret was used
        // The scope checked, normalised; the field's text when it is not valid.
        QStringList projects;
        bool operator==(const TestedInput &o) const
        {
            return url == o.url && verifySsl == o.verifySsl && pin == o.pin
                && application == o.application && authType == o.authType && identity == o.identity
                && secretHash == o.secretHash && projects == o.projects;
        }
    };
    TestedInput currentInput() const;
    QByteArray testedPin() const;
    QString normalizedUrl() const;
    std::optional<TestedInput> m_testedInput;
    std::unique_ptr<ValidationResult> m_lastTest;
    QByteArray m_pendingPin; // a certificate the user trusted in this dialog
    int m_fittedHeight = -1; // the height growToFit() last gave the dialog
};

} // namespace cd::ui
