#pragma once

#include "ConnectorRepository.h"

#include <QList>
#include <QWidget>
#include <memory>

class QAction;
class QNetworkAccessManager;
class QModelIndex;

namespace Ui {
class ConnectorsPage;
}

namespace cd {
class ValidationQueue;
struct ValidationResult;
} // namespace cd

namespace cd::ui {

class ConnectorDialog;
class ConnectorFilterProxyModel;
class InlineMessage;
class ConnectorListModel;

// The Connectors page: the list of connectors (or the empty state while there is none),
// search, per-connector actions, the Add New Connector dialog, delete with undo, and the
// choice to make when connectors.json cannot be read.
class ConnectorsPage : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectorsPage(ConnectorRepository *repository, QWidget *parent = nullptr);
    ~ConnectorsPage() override;

    // Connects the page to the background validator: "Validate Now", "Validating…" rows,
    // validation after Submit, Test Connection in the dialog, and "Trust this certificate".
    void setValidation(ValidationQueue *queue, QNetworkAccessManager *nam);
    // Styles what Details show with a first result and draws the status icons: once, after
    // the list's first frame (MainWindow's deferred start-up), not before it.
    void prepareDetails();
    // Offers to pin the certificate shown in a failed check (asynchronous confirmation).
    void offerCertificateTrust(const QUuid &id, const ValidationResult &result);

    ConnectorListModel *model() const { return m_model; }
    ConnectorFilterProxyModel *proxy() const { return m_proxy; }
    // The one selected connector; null when none or several are selected.
    QUuid selectedId() const;
    // Every selected connector, in the list's order.
    QList<QUuid> selectedIds() const;
    void selectConnectors(const QList<QUuid> &ids);
    void selectConnector(const QUuid &id);

    // The message line at the top of the page (results of imports, deletes, saves).
    InlineMessage *pageMessage() const;
    // A line of its own for notifications of connectors that stopped working, where the
    // desktop cannot show them (so that they never replace a result or an Undo above).
    InlineMessage *notificationMessage() const;
    QAction *addConnectorAction() const { return m_addAction; }
    QAction *editAction() const { return m_editAction; }
    QAction *duplicateAction() const { return m_duplicateAction; }
    QAction *deleteAction() const { return m_deleteAction; }
    QAction *undoAction() const { return m_undoAction; }
    QAction *validateAction() const { return m_validateAction; }
    QAction *searchAction() const { return m_searchAction; }
    QAction *copyDiagnosticsAction() const { return m_copyDiagnosticsAction; }
    QAction *enterSecretsAction() const { return m_enterSecretsAction; }
    // "Change Password…" (Client Secret, Token): one new secret for the selected connectors of
    // one account (ChangeSecretDialog), then they are checked again.
    QAction *changeSecretAction() const { return m_changeSecretAction; }
    // Opens the dialog for each connector that needs a secret, one after another, with the
    // cursor in the secret field; Cancel stops (and says how many are left).
    void enterSecrets();
    // The selected connector's details and last result as plain text, for a support ticket:
    // never a secret.
    QString diagnosticsText(const QUuid &id) const;
    // The list, where keyboard work on connectors happens (after a dialog closes, too).
    void focusList();

    // Opens the dialog (asynchronously; returns it for tests).
    ConnectorDialog *openAddDialog();
    ConnectorDialog *openEditDialog(const QUuid &id);
    ConnectorDialog *openDuplicateDialog(const QUuid &id);
    // Asks for confirmation (asynchronously), then deletes.
    void requestDelete(const QUuid &id);
    void requestDelete(const QList<QUuid> &ids); // one confirmation naming them all
    void deleteWithoutConfirmation(const QUuid &id);
    void deleteWithoutConfirmation(const QList<QUuid> &ids); // one Undo for them all
    void undoDelete();

Q_SIGNALS:
    // A connector was saved from the dialog; credentialsChanged: worth validating again.
    void connectorSaved(const QUuid &id, bool credentialsChanged);
    void validateRequested(const QUuid &id);

protected:
    void changeEvent(QEvent *event) override;
    // The search field: Esc clears it (then leaves it), Down moves into the list.
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // False (and the page says why) for a connector of a newer version's application or
    // auth method.
    bool knownToThisVersion(const Connector &c);
    void createActions();
    void updateIcons();
    void updatePage();
    void updateActions();
    void updateDetails();
    // updateDetails() on the next turn of the event loop, once.
    void scheduleDetailsUpdate();
    // Details: "Failing since …" for the run of results, and the list of the last results.
    static QString statusSinceText(const StatusRun &run);
    void showHistory(const QList<HistoryEntry> &history);
    void fitDetails();
    void updateStoreMessage();
    void showContextMenu(const QPoint &pos);
    void configureColumns();
    void fitColumns();
    void enterNextSecret();

    std::unique_ptr<Ui::ConnectorsPage> m_ui;
    ConnectorRepository *m_repository;
    ConnectorListModel *m_model = nullptr;
    ConnectorFilterProxyModel *m_proxy = nullptr;
    QAction *m_addAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_validateAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_searchAction = nullptr;
    QAction *m_copyDiagnosticsAction = nullptr;
    QAction *m_enterSecretsAction = nullptr;
    QAction *m_changeSecretAction = nullptr;
    QList<QUuid> m_secretWalk; // Enter Secrets: the connectors still to come
    int m_secretWalkTotal = 0;
    int m_secretWalkDone = 0;
    bool m_fittingColumns = false;
    bool m_userSizedColumns = false;
    bool m_fittingDetails = false;
    bool m_userSizedDetails = false; // the user dragged the handle between list and Details
    bool m_detailsUpdatePending = false;
    void onValidationFinished(const QUuid &id, const ValidationResult &result);

    ValidationQueue *m_queue = nullptr;
    QNetworkAccessManager *m_nam = nullptr;
    // Deleted connectors, secrets included, newest last; one entry per delete (one or several).
    QList<QList<RepositoryResult>> m_undoStack;
    bool m_busy = false;
};

} // namespace cd::ui
