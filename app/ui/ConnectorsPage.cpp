#include "ConnectorsPage.h"

#include "AppInfo.h"
#include "Applications.h"
#include "ChangeSecretDialog.h"
#include "ChecklistView.h"
#include "ConnectorDialog.h"
#include "ConnectorListModel.h"
#include "ConnectorStore.h"
#include "History.h"
#include "InlineMessage.h"
#include "PlainText.h"
#include "StatusIcons.h"
#include "ValidationQueue.h"
#include "ui_ConnectorsPage.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QGuiApplication>
#include <QHeaderView>
#include <QIcon>
#include <QKeyEvent>
#include <QLocale>
#include <QMap>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QSysInfo>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QUrl>
#include <algorithm>

namespace cd::ui {

ConnectorsPage::ConnectorsPage(ConnectorRepository *repository, QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::ConnectorsPage>())
    , m_repository(repository)
{
    m_ui->setupUi(this);
    QFont titleFont = m_ui->emptyTitleLabel->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    m_ui->emptyTitleLabel->setFont(titleFont);

    m_ui->pageMessage->setClosable(true);
    m_ui->notificationMessage->setClosable(true);
    // Details can be reached with Tab and read or selected with the keyboard.
    m_ui->detailLabel->setFocusPolicy(Qt::StrongFocus);
    m_ui->detailLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // The list gets the room; Details as much as its text needs (the user can drag).
    m_ui->detailSplitter->setStretchFactor(0, 1);
    m_ui->detailSplitter->setStretchFactor(1, 0);
    // Once the user drags the handle, Details keep the height they were given.
    connect(m_ui->detailSplitter, &QSplitter::splitterMoved, this, [this] {
        if (!m_fittingDetails)
            m_userSizedDetails = true;
    });
    m_ui->detailChecklistView->hide();
    // (fitDetails() gives Details their height; the splitter's stretch keeps it on resizes.)
    m_ui->detailGroupBox->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    m_model = new ConnectorListModel(repository, this);
    m_proxy = new ConnectorFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_ui->connectorsTableView->setModel(m_proxy);
    m_ui->connectorsTableView->sortByColumn(ConnectorListModel::NameColumn, Qt::AscendingOrder);
    configureColumns();

    createActions();

    m_ui->searchLineEdit->installEventFilter(this);
    using Filter = ConnectorFilterProxyModel::StatusFilter;
    const QList<QPair<QString, Filter>> filters { { tr("All"), Filter::All },
        { tr("Failed"), Filter::Failed }, { tr("Warning"), Filter::Warning },
        { tr("Needs secret"), Filter::NeedsSecret }, { tr("Not verified"), Filter::NotVerified },
        { tr("Verified"), Filter::Verified } };
    for (const auto &f : filters)
        m_ui->statusFilterComboBox->addItem(f.first, int(f.second));
    connect(
        m_ui->statusFilterComboBox, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
            m_proxy->setStatusFilter(Filter(m_ui->statusFilterComboBox->currentData().toInt()));
            updatePage();
            updateActions();
            updateDetails();
        });
    // A visible focus frame on the list: where Enter, Del and F5 act.
    m_ui->connectorsTableView->setStyleSheet(
        QStringLiteral("QTableView:focus { border: 2px solid palette(highlight); }"));
    connect(m_ui->searchLineEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setSearchText(text);
        updatePage();
    });
    connect(m_ui->connectorsTableView, &QAbstractItemView::doubleClicked, this,
        [this](const QModelIndex &index) {
            if (index.isValid())
                openEditDialog(index.data(ConnectorListModel::IdRole).toUuid());
        });
    connect(m_ui->connectorsTableView, &QWidget::customContextMenuRequested, this,
        &ConnectorsPage::showContextMenu);
    // Actions and Details follow the selection. A mouse press makes the row current before
    // it selects it (and a click on empty space clears the selection but keeps the current
    // index): currentRowChanged alone sees the old selection, so follow selectionChanged too.
    const auto followSelection = [this] {
        updateActions();
        updateDetails();
        // Details take room from the list: keep the selected row in view (after the layout
        // has given Details its height). Only when the selection changes: a result arriving
        // for some row must not pull the list back while the user scrolls.
        QTimer::singleShot(0, this, [this] {
            const QModelIndex current = m_ui->connectorsTableView->currentIndex();
            if (current.isValid() && !selectedId().isNull())
                m_ui->connectorsTableView->scrollTo(current);
        });
    };
    connect(m_ui->connectorsTableView->selectionModel(), &QItemSelectionModel::currentRowChanged,
        this, followSelection);
    connect(m_ui->connectorsTableView->selectionModel(), &QItemSelectionModel::selectionChanged,
        this, followSelection);
    connect(m_ui->emptyAddConnectorPushButton, &QPushButton::clicked, this,
        &ConnectorsPage::openAddDialog);
    connect(
        m_ui->addConnectorPushButton, &QPushButton::clicked, this, &ConnectorsPage::openAddDialog);

    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved }) {
        connect(m_proxy, signal, this, [this] {
            updatePage();
            updateActions();
        });
    }
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        updatePage();
        updateActions();
        updateStoreMessage();
    });
    // Details follow a change of a selected connector only: a Validate All of 500 changes a
    // row a few hundred times a second, and rebuilding Details (and the page's layout) for
    // each would hold the GUI thread for milliseconds every time.
    connect(m_model, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
            for (const QUuid &id : selectedIds()) {
                const int row = m_model->rowOf(id);
                if (row >= topLeft.row() && row <= bottomRight.row()) {
                    scheduleDetailsUpdate();
                    return;
                }
            }
        });
    connect(repository, &ConnectorRepository::saveFailed, this, [this](const QString &error) {
        m_ui->pageMessage->showMessage(
            InlineMessage::Kind::Error, tr("Validation results could not be saved: %1").arg(error));
    });

    updateIcons();
    updatePage();
    updateActions();
    updateDetails();
    updateStoreMessage();
    const QString migrated = repository->store()->migrationNotice();
    if (!migrated.isEmpty())
        m_ui->pageMessage->showMessage(InlineMessage::Kind::Information, migrated);
}

ConnectorsPage::~ConnectorsPage() = default;

InlineMessage *ConnectorsPage::pageMessage() const
{
    return m_ui->pageMessage;
}

InlineMessage *ConnectorsPage::notificationMessage() const
{
    return m_ui->notificationMessage;
}

void ConnectorsPage::setValidation(ValidationQueue *queue, QNetworkAccessManager *nam)
{
    m_queue = queue;
    m_nam = nam;
    m_validateAction->setVisible(true);
    connect(this, &ConnectorsPage::validateRequested, queue, &ValidationQueue::enqueue);
    connect(this, &ConnectorsPage::connectorSaved, queue, [queue](const QUuid &id, bool changed) {
        if (changed)
            queue->enqueue(id);
    });
    // "Validating…" while a check runs; queued work (e.g. offline) keeps its last status.
    connect(queue, &ValidationQueue::started, m_model,
        [this](const QUuid &id) { m_model->setValidating(id, true); });
    connect(
        queue, &ValidationQueue::pendingChanged, m_model, [this](const QUuid &id, bool pending) {
            if (!pending)
                m_model->setValidating(id, false);
        });
    connect(queue, &ValidationQueue::finished, this, &ConnectorsPage::onValidationFinished);
    for (const Connector &c : m_repository->connectors())
        m_model->setValidating(c.id, queue->isRunning(c.id));
}

void ConnectorsPage::onValidationFinished(const QUuid &id, const ValidationResult &result)
{
    m_model->setValidating(id, false);
    // Nothing was recorded on the row: the reason is said here.
    if (result.failure == ValidationResult::Failure::Unsupported)
        m_ui->pageMessage->showMessage(InlineMessage::Kind::Warning, result.message);
    if (result.failure == ValidationResult::Failure::Tls && result.certificate) {
        const std::optional<Connector> c = m_repository->find(id);
        // Verify SSL off does not loosen a pin: a pinned connector is offered the new one too.
        if (c && (c->verifySsl || !c->pinnedCertificateSha256.isEmpty()))
            offerCertificateTrust(id, result);
    }
}

void ConnectorsPage::offerCertificateTrust(const QUuid &id, const ValidationResult &result)
{
    const std::optional<Connector> c = m_repository->find(id);
    if (!c || !result.certificate)
        return;
    const CertificateInfo cert = *result.certificate;
    const QByteArray previous = result.expectedSha256;
    m_ui->pageMessage->showMessage(InlineMessage::Kind::Warning,
        previous.isEmpty()
            ? tr("“%1”: the server's certificate is not trusted by this computer.").arg(c->name)
            : tr("“%1”: the certificate changed: the server presents a different certificate "
                 "from the one you trusted. Nothing was sent.")
                  .arg(c->name));
    QPushButton *trust = m_ui->pageMessage->addButton(
        previous.isEmpty() ? tr("&Trust This Certificate…") : tr("&Review the New Certificate…"));
    trust->setObjectName(QStringLiteral("trustCertificatePushButton"));
    connect(trust, &QPushButton::clicked, this, [this, id, cert, previous] {
        const std::optional<Connector> c = m_repository->find(id);
        if (!c)
            return;
        auto *box = new QMessageBox(QMessageBox::Warning,
            previous.isEmpty() ? tr("Trust This Certificate?") : tr("Trust the New Certificate?"),
            previous.isEmpty()
                ? tr("Trust the certificate of %1 for the connector “%2”?")
                      .arg(QUrl(c->url).host(), c->name)
                : tr("The certificate of %1 changed. Trust the new certificate for the "
                     "connector “%2”?")
                      .arg(QUrl(c->url).host(), c->name),
            QMessageBox::NoButton, window());
        box->setObjectName(QStringLiteral("trustCertificateMessageBox"));
        box->setTextFormat(Qt::PlainText);
        box->setAttribute(Qt::WA_DeleteOnClose);
        CertificateInfo old;
        old.sha256 = previous;
        const QString changed = previous.isEmpty()
            ? QString()
            : tr("<b>Trusted until now (SHA-256):</b> %1<br><b>Presented now (SHA-256):</b> "
                 "%2<br><br>")
                  .arg(old.fingerprintText(), cert.fingerprintText());
        box->setInformativeText(
            tr("Only do this for your own self-hosted instance with its own certificate "
               "authority, after comparing the fingerprint with the one your administrator "
               "gives you. The connector will then accept exactly this certificate and "
               "still refuse any other.<br><br>")
            + (previous.isEmpty()
                    ? tr("<b>SHA-256 fingerprint:</b> %1<br>").arg(cert.fingerprintText())
                    : changed)
            + tr("<b>Subject:</b> %1<br><b>Issuer:</b> %2<br>"
                 "<b>Valid:</b> %3 to %4<br><b>Problems:</b> %5")
                  .arg(cert.subject.toHtmlEscaped(), cert.issuer.toHtmlEscaped(),
                      QLocale().toString(cert.notBefore.toLocalTime(), QLocale::ShortFormat),
                      QLocale().toString(cert.notAfter.toLocalTime(), QLocale::ShortFormat),
                      cert.errors.join(QStringLiteral("; ")).toHtmlEscaped()));
        QPushButton *yes = box->addButton(tr("&Trust"), QMessageBox::AcceptRole);
        yes->setObjectName(QStringLiteral("confirmTrustPushButton"));
        QPushButton *no = box->addButton(QMessageBox::Cancel);
        box->setDefaultButton(no);
        connect(box, &QMessageBox::finished, this, [this, box, yes, id, cert] {
            if (box->clickedButton() != yes)
                return;
            std::optional<Connector> c = m_repository->find(id);
            if (!c)
                return;
            c->pinnedCertificateSha256 = cert.sha256;
            QPointer<ConnectorsPage> self(this);
            m_repository->update(*c, std::nullopt, [self, id](const RepositoryResult &r) {
                if (!self)
                    return;
                if (!r.ok) {
                    self->m_ui->pageMessage->showMessage(InlineMessage::Kind::Error, r.error);
                    return;
                }
                self->m_ui->pageMessage->clear();
                if (self->m_queue)
                    self->m_queue->enqueue(id);
            });
        });
        box->open();
    });
}

void ConnectorsPage::configureColumns()
{
    QTableView *view = m_ui->connectorsTableView;
    QHeaderView *header = view->horizontalHeader();
    // Fixed, font-based widths: measuring 10,000 rows' contents would stall the view.
    const QFontMetrics fm(view->font());
    const int em = fm.horizontalAdvance(QLatin1Char('M'));
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(em * 3);
    // Widths follow the view's width (fitColumns) until the user drags a column.
    view->viewport()->installEventFilter(this);
    connect(header, &QHeaderView::sectionResized, this, [this] {
        if (!m_fittingColumns)
            m_userSizedColumns = true;
    });
    fitColumns();
    header->setSortIndicatorShown(true);
    header->setHighlightSections(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(
        fm.height() + style()->pixelMetric(QStyle::PM_FocusFrameVMargin) * 4 + 4);
    view->setTabKeyNavigation(false); // Tab leaves the table, arrows move inside it
}

void ConnectorsPage::fitColumns()
{
    if (m_userSizedColumns)
        return;
    QTableView *view = m_ui->connectorsTableView;
    QHeaderView *header = view->horizontalHeader();
    const QFontMetrics fm(view->font());
    const int em = fm.horizontalAdvance(QLatin1Char('M'));
    const int pad = em; // cell margins and the sort indicator
    // Status fits its longest text with its icon ("Needs secret", not "Needs se…").
    int status = 0;
    for (const QString &text : { statusDisplayName(ValidationStatus::NotVerified),
             statusDisplayName(ValidationStatus::Verified),
             statusDisplayName(ValidationStatus::Warning),
             statusDisplayName(ValidationStatus::Failed), ConnectorListModel::needsSecretText(),
             ConnectorListModel::validatingText(), tr("Status") })
        status = qMax(status, fm.horizontalAdvance(text));
    status += style()->pixelMetric(QStyle::PM_SmallIconSize) + pad * 2;
    // Application fits the longest application's name ("Jira Data Center").
    int application = fm.horizontalAdvance(tr("Application"));
    for (const ApplicationProvider *p : Applications::all())
        application = qMax(application, fm.horizontalAdvance(p->displayName()));
    application += pad * 2;
    // Minimum and preferred widths; what is left goes to the URL, then the name.
    struct Column
    {
        int column, minimum, preferred;
    };
    const Column columns[] = { { ConnectorListModel::NameColumn, em * 8, em * 14 },
        { ConnectorListModel::ApplicationColumn, em * 5, qMax(em * 5, application) },
        { ConnectorListModel::UrlColumn, em * 10, em * 18 },
        { ConnectorListModel::AuthenticationColumn, em * 6, em * 14 },
        { ConnectorListModel::StatusColumn, status, status },
        { ConnectorListModel::LastCheckedColumn, em * 6, em * 10 } };
    const int available = view->viewport()->width();
    int minimum = 0;
    int preferred = 0;
    for (const Column &c : columns) {
        minimum += c.minimum;
        preferred += c.preferred;
    }
    m_fittingColumns = true;
    for (const Column &c : columns) {
        int width = c.preferred;
        if (available < preferred) {
            // Shrink every column towards its minimum in proportion to what it can give.
            const double share = preferred > minimum
                ? double(qMax(0, available - minimum)) / double(preferred - minimum)
                : 0.0;
            width = c.minimum + int((c.preferred - c.minimum) * qMin(1.0, share));
        } else if (c.column == ConnectorListModel::UrlColumn) {
            width = c.preferred + (available - preferred) * 2 / 3;
        } else if (c.column == ConnectorListModel::NameColumn) {
            width = c.preferred + (available - preferred) / 3;
        }
        header->resizeSection(c.column, width);
    }
    m_fittingColumns = false;
}

void ConnectorsPage::createActions()
{
    QTableView *view = m_ui->connectorsTableView;
    auto make = [this](const QString &text, const QString &name, const QKeySequence &key) {
        auto *a = new QAction(text, this);
        a->setObjectName(name);
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setToolTip(QStringLiteral("%1 (%2)").arg(
                QString(text).remove(QLatin1Char('&')), key.toString(QKeySequence::NativeText)));
        }
        return a;
    };

    m_addAction
        = make(tr("&Add Connector…"), QStringLiteral("addConnectorAction"), QKeySequence::New);
    m_addAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_addAction, &QAction::triggered, this, &ConnectorsPage::openAddDialog);
    QWidget::addAction(m_addAction);

    m_editAction = make(tr("&Edit…"), QStringLiteral("editConnectorAction"), QKeySequence());
    m_editAction->setShortcuts({ QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter) });
    m_editAction->setShortcutContext(Qt::WidgetShortcut);
    m_editAction->setToolTip(tr("Edit the selected connector (Enter)"));
    connect(m_editAction, &QAction::triggered, this, [this] { openEditDialog(selectedId()); });
    view->addAction(m_editAction);

    m_duplicateAction = make(
        tr("D&uplicate…"), QStringLiteral("duplicateConnectorAction"), QKeySequence(tr("Ctrl+D")));
    m_duplicateAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_duplicateAction, &QAction::triggered, this,
        [this] { openDuplicateDialog(selectedId()); });
    QWidget::addAction(m_duplicateAction);

    m_validateAction = make(
        tr("&Validate Now"), QStringLiteral("validateConnectorAction"), QKeySequence::Refresh);
    m_validateAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_validateAction, &QAction::triggered, this, [this] {
        for (const QUuid &id : selectedIds())
            Q_EMIT validateRequested(id);
    });
    // Shown once a validator is connected to validateRequested (see MainWindow).
    m_validateAction->setVisible(false);
    QWidget::addAction(m_validateAction);

    m_deleteAction
        = make(tr("&Delete…"), QStringLiteral("deleteConnectorAction"), QKeySequence::Delete);
    m_deleteAction->setShortcutContext(Qt::WidgetShortcut); // Del in the search field edits text
    connect(m_deleteAction, &QAction::triggered, this, [this] { requestDelete(selectedIds()); });
    view->addAction(m_deleteAction);

    m_undoAction = make(tr("Undo De&lete"), QStringLiteral("undoDeleteAction"), QKeySequence::Undo);
    m_undoAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_undoAction, &QAction::triggered, this, &ConnectorsPage::undoDelete);
    QWidget::addAction(m_undoAction);

    m_copyDiagnosticsAction = make(tr("&Copy Diagnostics"), QStringLiteral("copyDiagnosticsAction"),
        QKeySequence(tr("Ctrl+Shift+C")));
    m_copyDiagnosticsAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_copyDiagnosticsAction, &QAction::triggered, this, [this] {
        const QUuid id = selectedId();
        const std::optional<Connector> c = m_repository->find(id);
        if (!c)
            return;
        QGuiApplication::clipboard()->setText(diagnosticsText(id));
        m_ui->pageMessage->showMessage(InlineMessage::Kind::Information,
            tr("Copied the diagnostics of “%1” (no secret): paste them into a support ticket.")
                .arg(c->name));
    });
    QWidget::addAction(m_copyDiagnosticsAction);

    m_enterSecretsAction
        = make(tr("Enter Sec&rets…"), QStringLiteral("enterSecretsAction"), QKeySequence());
    connect(m_enterSecretsAction, &QAction::triggered, this, &ConnectorsPage::enterSecrets);
    QWidget::addAction(m_enterSecretsAction);

    // Its text follows the selection's secret (updateActions()).
    m_changeSecretAction
        = make(ChangeSecretDialog::actionText(ChangeSecretDialog::SecretKind::Secret),
            QStringLiteral("changeSecretAction"), QKeySequence());
    connect(m_changeSecretAction, &QAction::triggered, this, [this] {
        if (m_repository->isBlocked())
            return;
        auto *dialog = new ChangeSecretDialog(m_repository, selectedIds(), window());
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        if (!dialog->currentTarget().ok()) { // changed since the action was last updated
            m_ui->pageMessage->showMessage(
                InlineMessage::Kind::Error, dialog->currentTarget().problem);
            delete dialog;
            updateActions();
            return;
        }
        connect(dialog, &QDialog::finished, this,
            [this] { QTimer::singleShot(0, this, &ConnectorsPage::focusList); });
        connect(
            dialog, &ChangeSecretDialog::changed, this, [this, dialog](const QList<QUuid> &ids) {
                // Validate Now is shown once a validator takes validateRequested.
                m_ui->pageMessage->showMessage(InlineMessage::Kind::Success,
                    dialog->changedText(m_validateAction->isVisible()));
                for (const QUuid &id : ids)
                    Q_EMIT validateRequested(id);
            });
        dialog->open();
    });
    QWidget::addAction(m_changeSecretAction);

    m_searchAction = make(tr("&Find"), QStringLiteral("searchAction"), QKeySequence::Find);
    m_searchAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_searchAction, &QAction::triggered, this, [this] {
        m_ui->searchLineEdit->setFocus(Qt::ShortcutFocusReason);
        m_ui->searchLineEdit->selectAll();
    });
    QWidget::addAction(m_searchAction);

    m_ui->addConnectorPushButton->setToolTip(m_addAction->toolTip());
    QToolBar *bar = m_ui->connectorsToolBar;
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(m_editAction);
    bar->addAction(m_duplicateAction);
    bar->addAction(m_validateAction);
    bar->addAction(m_deleteAction);
    bar->addSeparator();
    bar->addAction(m_undoAction);
}

bool ConnectorsPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_ui->connectorsTableView->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    if (watched == m_ui->searchLineEdit && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Escape) {
            if (!m_ui->searchLineEdit->text().isEmpty())
                m_ui->searchLineEdit->clear();
            else
                focusList();
            return true;
        }
        if (key == Qt::Key_Down && m_proxy->rowCount() > 0) {
            focusList();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ConnectorsPage::focusList()
{
    QTableView *view = m_ui->connectorsTableView;
    if (!view->isVisible() || m_proxy->rowCount() == 0)
        return;
    if (!view->selectionModel()->hasSelection()) {
        const QModelIndex first = m_proxy->index(0, 0);
        view->selectionModel()->setCurrentIndex(
            first, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    view->setFocus(Qt::OtherFocusReason);
}

void ConnectorsPage::scheduleDetailsUpdate()
{
    // Once per turn of the event loop however many results arrived for the selection (a
    // result changes a row twice: its state, then "validating" off), and not inside the
    // queue's recording of a batch.
    if (m_detailsUpdatePending)
        return;
    m_detailsUpdatePending = true;
    QTimer::singleShot(0, this, [this] {
        m_detailsUpdatePending = false;
        updateDetails();
    });
}

void ConnectorsPage::prepareDetails()
{
    // The styling of the parts of Details that appear with the first result (the checklist,
    // the history) and the status icons at the list's size, so that the first result of a
    // Validate All does not pay for them.
    m_ui->detailChecklistView->ensurePolished();
    m_ui->detailHistoryTreeWidget->ensurePolished();
    const int small = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    const QSize size = m_ui->connectorsTableView->iconSize().isValid()
        ? m_ui->connectorsTableView->iconSize()
        : QSize(small, small);
    for (const ValidationStatus status : { ValidationStatus::NotVerified,
             ValidationStatus::Verified, ValidationStatus::Warning, ValidationStatus::Failed })
        validationStatusIcon(status).pixmap(size, devicePixelRatioF());
    validationStatusIcon(ValidationStatus::NotVerified, true).pixmap(size, devicePixelRatioF());
}

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

void ConnectorsPage::updatePage()
{
    const bool empty = m_model->rowCount() == 0;
    m_ui->pageStackedWidget->setCurrentWidget(empty ? m_ui->emptyStateWidget : m_ui->listWidget);
    const bool noMatch = !empty && m_proxy->rowCount() == 0;
    m_ui->noMatchLabel->setVisible(noMatch);
    if (noMatch) {
        const bool filtered
            = m_proxy->statusFilter() != ConnectorFilterProxyModel::StatusFilter::All;
        const QString state = m_ui->statusFilterComboBox->currentText();
        if (m_proxy->searchText().isEmpty())
            m_ui->noMatchLabel->setText(tr("No connector is “%1”.").arg(state));
        else if (filtered)
            m_ui->noMatchLabel->setText(
                tr("No “%1” connector matches “%2”.").arg(state, m_proxy->searchText()));
        else
            m_ui->noMatchLabel->setText(
                tr("No connector matches “%1”.").arg(m_proxy->searchText()));
    }
}

QUuid ConnectorsPage::selectedId() const
{
    const QList<QUuid> ids = selectedIds();
    return ids.size() == 1 ? ids.first() : QUuid();
}

QList<QUuid> ConnectorsPage::selectedIds() const
{
    QModelIndexList rows = m_ui->connectorsTableView->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
        [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<QUuid> ids;
    ids.reserve(rows.size());
    for (const QModelIndex &index : std::as_const(rows))
        ids.append(index.data(ConnectorListModel::IdRole).toUuid());
    return ids;
}

void ConnectorsPage::selectConnectors(const QList<QUuid> &ids)
{
    QItemSelection selection;
    QModelIndex first;
    for (const QUuid &id : ids) {
        const int row = m_model->rowOf(id);
        const QModelIndex index
            = row < 0 ? QModelIndex() : m_proxy->mapFromSource(m_model->index(row, 0));
        if (!index.isValid())
            continue;
        if (!first.isValid())
            first = index;
        selection.select(index, index);
    }
    QItemSelectionModel *model = m_ui->connectorsTableView->selectionModel();
    model->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid()) {
        model->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
        m_ui->connectorsTableView->scrollTo(first);
    }
}

void ConnectorsPage::selectConnector(const QUuid &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return;
    m_ui->connectorsTableView->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_ui->connectorsTableView->scrollTo(index);
}

void ConnectorsPage::updateActions()
{
    const bool writable = !m_repository->isBlocked();
    const int count = int(selectedIds().size());
    const bool selected = count == 1;
    const bool any = count > 0;
    m_addAction->setEnabled(writable);
    m_ui->addConnectorPushButton->setEnabled(writable);
    m_ui->emptyAddConnectorPushButton->setEnabled(writable);
    m_ui->emptyAddConnectorPushButton->setToolTip(writable
            ? m_addAction->toolTip()
            : tr("Connectors cannot be saved until "
                 "the unreadable file is dealt with."));
    m_editAction->setEnabled(writable && selected);
    m_duplicateAction->setEnabled(writable && selected);
    m_deleteAction->setEnabled(writable && any);
    m_validateAction->setEnabled(any);
    m_copyDiagnosticsAction->setEnabled(selected);
    m_enterSecretsAction->setEnabled(writable
        && std::any_of(m_repository->connectors().cbegin(), m_repository->connectors().cend(),
            [](const Connector &c) { return c.needsSecret; }));
    {
        QList<Connector> chosen;
        for (const QUuid &id : selectedIds()) {
            if (const std::optional<Connector> c = m_repository->find(id))
                chosen.append(*c);
        }
        const ChangeSecretDialog::Target target = ChangeSecretDialog::target(chosen);
        m_changeSecretAction->setText(
            ChangeSecretDialog::actionText(ChangeSecretDialog::secretKind(target.method)));
        m_changeSecretAction->setEnabled(writable && target.ok());
        m_changeSecretAction->setToolTip(plainToolTip(!writable
                ? tr("Connectors cannot be saved until the unreadable file is dealt with.")
                : target.ok() ? tr("Store one new secret for the selected connectors (all or "
                                   "nothing), then check them again.")
                              : target.problem));
    }
    m_undoAction->setEnabled(writable && !m_undoStack.isEmpty() && !m_busy);
    if (m_undoStack.isEmpty())
        m_undoAction->setText(tr("Undo De&lete"));
    else if (m_undoStack.constLast().size() == 1)
        m_undoAction->setText(
            tr("Undo De&lete of “%1”")
                .arg(literalMnemonic(m_undoStack.constLast().first().removed->name)));
    else
        m_undoAction->setText(
            tr("Undo De&lete of %1 Connectors").arg(m_undoStack.constLast().size()));
}

QString ConnectorsPage::diagnosticsText(const QUuid &id) const
{
    // What support needs to understand a check, as plain text: never a secret (the connector
    // has none; the keychain is not read here).
    const std::optional<Connector> c = m_repository->find(id);
    if (!c)
        return {};
    const ValidationState &v = c->validation;
    QStringList lines;
    const auto line = [&lines](const QString &key, const QString &value) {
        lines.append(QStringLiteral("%1: %2").arg(key, value));
    };
    line(tr("Connector"), c->name);
    line(tr("Application"), Applications::displayName(c->application));
    line(tr("URL"), c->url);
    line(tr("Authentication"), Applications::authSummary(*c));
    line(tr("Projects"),
        c->projects.isEmpty() ? tr("none (not scoped)") : c->projects.join(tr(", ")));
    line(tr("Verify SSL"), c->verifySsl ? tr("on") : tr("off"));
    line(tr("Trusted certificate (SHA-256)"),
        c->pinnedCertificateSha256.isEmpty()
            ? tr("none")
            : QString::fromLatin1(c->pinnedCertificateSha256.toHex(':').toUpper()));
    line(
        tr("Secret stored"), c->needsSecret ? tr("no (needs secret)") : tr("yes, in the keychain"));
    line(tr("Status"), m_model->statusText(*c));
    if (!v.message.isEmpty())
        line(tr("Result"), v.message);
    if (v.credentialsRejected)
        line(tr("Credentials rejected"), tr("yes: not sent again until edited"));
    line(tr("Last checked"),
        v.checkedAt.isValid() ? v.checkedAt.toUTC().toString(Qt::ISODate) : tr("never"));
    if (!v.account.username.isEmpty())
        line(tr("Account"),
            v.account.licenseType.isEmpty()
                ? QStringLiteral("%1 (%2)").arg(v.account.displayName, v.account.username)
                : QStringLiteral("%1 (%2), license %3")
                      .arg(v.account.displayName, v.account.username, v.account.licenseType));
    // The last check step by step, as the Details pane shows it.
    if (v.checks.isEmpty()) {
        line(tr("Checklist"), tr("none"));
    } else {
        lines.append(tr("Checklist:"));
        for (const QString &step : ChecklistView::lines(v.checks))
            lines.append(QStringLiteral("  ") + step);
    }
    line(tr("Created"), c->createdAt.toUTC().toString(Qt::ISODate));
    line(tr("Updated"), c->updatedAt.toUTC().toString(Qt::ISODate));
    line(tr("Connector Desk"), AppInfo::version());
    line(tr("Qt"), QString::fromLatin1(qVersion()));
    line(tr("QtKeychain"), AppInfo::qtKeychainVersion());
    line(tr("System"), QSysInfo::prettyProductName());
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void ConnectorsPage::updateDetails()
{
    const QList<QUuid> ids = selectedIds();
    if (ids.size() > 1) {
        // Several: what they are, and what can be done with them at once.
        QMap<QString, int> states;
        QList<Connector> chosen;
        for (const QUuid &one : ids) {
            if (const std::optional<Connector> c = m_repository->find(one)) {
                ++states[m_model->statusText(*c)];
                chosen.append(*c);
            }
        }
        // One account: its secret can be changed for all of them at once, too.
        const ChangeSecretDialog::Target target = ChangeSecretDialog::target(chosen);
        const QString change = target.ok()
            ? tr(" So does %1, for the account they share.")
                  .arg(withoutMnemonic(
                      ChangeSecretDialog::actionText(ChangeSecretDialog::secretKind(target.method)))
                           .remove(QChar(0x2026))
                           .toHtmlEscaped())
            : QString();
        QStringList parts;
        for (auto it = states.cbegin(); it != states.cend(); ++it)
            parts.append(QStringLiteral("%1 %2").arg(it.value()).arg(it.key().toHtmlEscaped()));
        m_ui->detailGroupBox->setVisible(true);
        m_ui->detailChecklistView->setChecks({});
        m_ui->detailChecklistView->hide();
        m_ui->detailHistoryTreeWidget->clear();
        m_ui->detailHistoryLabel->hide();
        m_ui->detailHistoryTreeWidget->hide();
        m_ui->detailLabel->setText(
            tr("<b>%1 connectors selected</b> (%2).<br>Validate Now, Delete and Export Selected "
               "act on all of them.%3")
                .arg(ids.size())
                .arg(parts.join(QStringLiteral(", ")), change));
        return;
    }
    const QUuid id = selectedId();
    const std::optional<Connector> c = id.isNull() ? std::nullopt : m_repository->find(id);
    m_ui->detailGroupBox->setVisible(c.has_value());
    if (!c)
        return;
    const auto esc = [](const QString &s) { return s.toHtmlEscaped(); };
    QString html
        = QStringLiteral("<b>%1</b> — %2<br>%3<br>")
              .arg(esc(c->name), esc(Applications::displayName(c->application)), esc(c->url));
    html += tr("Authentication: %1").arg(esc(Applications::authSummary(*c)));
    html += QStringLiteral("<br>")
        + (c->projects.isEmpty() ? tr("Projects: none (not scoped)")
                                 : tr("Projects: %1").arg(esc(c->projects.join(tr(", ")))));
    if (!c->verifySsl)
        html += QStringLiteral("<br>") + tr("SSL certificate verification is off.");
    if (!c->pinnedCertificateSha256.isEmpty())
        html += QStringLiteral("<br>")
            + tr("Trusted certificate (SHA-256): %1")
                  .arg(QString::fromLatin1(c->pinnedCertificateSha256.toHex(':').toUpper()));
    html += QStringLiteral("<br><b>%1</b>").arg(esc(m_model->statusText(*c)));
    if (!c->validation.message.isEmpty())
        html += QStringLiteral(": ") + esc(c->validation.message);
    // When it broke, at a glance: one indexed SELECT of its last results.
    QString historyError;
    const QList<HistoryEntry> history = m_repository->history(c->id, &historyError);
    if (const QString since = statusSinceText(statusRun(history, c->validation)); !since.isEmpty())
        html += QStringLiteral("<br><b>%1</b>").arg(esc(since));
    if (c->validation.checkedAt.isValid())
        html += QStringLiteral("<br>")
            + tr("Last checked: %1")
                  .arg(esc(QLocale().toString(
                      c->validation.checkedAt.toLocalTime(), QLocale::LongFormat)));
    const AccountInfo &a = c->validation.account;
    if (!a.username.isEmpty() || !a.displayName.isEmpty())
        html += QStringLiteral("<br>")
            + (a.licenseType.isEmpty()
                    ? tr("Account: %1 (%2)").arg(esc(a.displayName), esc(a.username))
                    : tr("Account: %1 (%2), license %3")
                          .arg(esc(a.displayName), esc(a.username), esc(a.licenseType)));
    if (!historyError.isEmpty())
        html += QStringLiteral("<br>") + esc(historyError);
    m_ui->detailLabel->setText(html);
    // The last check step by step (plain text rows, server text as written).
    m_ui->detailChecklistView->setChecks(c->validation.checks);
    m_ui->detailChecklistView->setVisible(!c->validation.checks.isEmpty());
    showHistory(history);
    // After the layout has taken the new content in.
    QTimer::singleShot(0, this, &ConnectorsPage::fitDetails);
}

QString ConnectorsPage::statusSinceText(const StatusRun &run)
{
    if (run.count == 0)
        return {};
    const QString since = QLocale().toString(run.since.toLocalTime(), QLocale::LongFormat);
    switch (run.status) {
    case ValidationStatus::Failed:
        if (!run.complete)
            return tr("Failing since %1 or earlier (all of the last %2 checks)")
                .arg(since)
                .arg(run.count);
        return run.count == 1
            ? tr("Failing since %1 (the last check only)").arg(since)
            : tr("Failing since %1 (%2 checks in a row)").arg(since).arg(run.count);
    case ValidationStatus::Warning:
        if (!run.complete)
            return tr("Warning since %1 or earlier (all of the last %2 checks)")
                .arg(since)
                .arg(run.count);
        return run.count == 1
            ? tr("Warning since %1 (the last check only)").arg(since)
            : tr("Warning since %1 (%2 checks in a row)").arg(since).arg(run.count);
    case ValidationStatus::NotVerified:
    case ValidationStatus::Verified:
        return {};
    }
    return {};
}

void ConnectorsPage::showHistory(const QList<HistoryEntry> &history)
{
    // Plain-text items (markup in a server's message stays text), the full message and time
    // in the tool tip.
    QTreeWidget *tree = m_ui->detailHistoryTreeWidget;
    tree->clear();
    m_ui->detailHistoryLabel->setVisible(!history.isEmpty());
    tree->setVisible(!history.isEmpty());
    if (history.isEmpty())
        return;
    QList<QTreeWidgetItem *> items;
    for (const HistoryEntry &e : history) {
        const QDateTime local = e.checkedAt.toLocalTime();
        const QString status = e.hostNotFound && e.status == ValidationStatus::Failed
            ? tr("Host not found")
            : statusDisplayName(e.status);
        auto *item = new QTreeWidgetItem(
            QStringList { QLocale().toString(local, QLocale::ShortFormat), status, e.message });
        item->setIcon(1, validationStatusIcon(e.status));
        item->setToolTip(0, QLocale().toString(local, QLocale::LongFormat));
        item->setToolTip(2, plainToolTip(e.message));
        // What a screen reader says for the row.
        const QString spoken = e.message.isEmpty()
            ? tr("%1: %2").arg(QLocale().toString(local, QLocale::LongFormat), status)
            : tr("%1: %2, %3")
                  .arg(QLocale().toString(local, QLocale::LongFormat), status, e.message);
        for (int column = 0; column < 3; ++column)
            item->setData(column, Qt::AccessibleTextRole, spoken);
        items.append(item);
    }
    tree->addTopLevelItems(items);
    tree->resizeColumnToContents(0);
    tree->resizeColumnToContents(1);
    // Compact: up to 6 rows shown, the rest scrolls.
    const int rows = int(qMin<qsizetype>(history.size(), 6));
    tree->setFixedHeight(tree->header()->sizeHint().height() + rows * tree->sizeHintForRow(0)
        + 2 * tree->frameWidth());
}

void ConnectorsPage::fitDetails()
{
    // Details as high as their text and checklist need, up to nearly half of the page (the
    // list keeps the rest), until the user sizes them by hand.
    QSplitter *splitter = m_ui->detailSplitter;
    QList<int> sizes = splitter->sizes();
    if (m_userSizedDetails || !m_ui->detailGroupBox->isVisible() || sizes.size() != 2)
        return;
    const int total = sizes.at(0) + sizes.at(1);
    // (The scroll area's own size hint keeps the size its contents had when it was made.)
    QLayout *contents = m_ui->detailContents->layout();
    const int width = m_ui->detailScrollArea->viewport()->width();
    const int needed = contents->hasHeightForWidth() ? contents->totalHeightForWidth(width)
                                                     : contents->totalSizeHint().height();
    const int chrome
        = qMax(0, m_ui->detailGroupBox->height() - m_ui->detailScrollArea->viewport()->height());
    const int wanted = qMin(needed + chrome, total * 45 / 100);
    if (wanted <= 0 || wanted == sizes.at(1))
        return;
    sizes = { total - wanted, wanted };
    m_fittingDetails = true;
    splitter->setSizes(sizes);
    m_fittingDetails = false;
}

void ConnectorsPage::updateStoreMessage()
{
    m_ui->storeMessage->clear();
    if (!m_repository->isBlocked()) {
        updateActions();
        return;
    }
    const bool acknowledged = m_repository->store()->isReadOnlyAcknowledged();
    m_ui->storeMessage->showMessage(InlineMessage::Kind::Error,
        acknowledged ? tr("Read-only: %1 Nothing can be added or changed until the file is moved "
                          "aside.")
                           .arg(m_repository->loadError())
                     : m_repository->loadError());
    if (!acknowledged) {
        QPushButton *keep = m_ui->storeMessage->addButton(tr("&Keep Read-Only"));
        keep->setObjectName(QStringLiteral("keepReadOnlyPushButton"));
        connect(keep, &QPushButton::clicked, this, [this] {
            m_repository->store()->keepReadOnly();
            updateStoreMessage();
        });
    }
    QPushButton *move = m_ui->storeMessage->addButton(tr("Move Aside and &Start Empty"));
    move->setObjectName(QStringLiteral("moveAsidePushButton"));
    connect(move, &QPushButton::clicked, this, [this] {
        QString movedTo;
        QString error;
        if (!m_repository->resolveByMovingAside(&movedTo, &error)) {
            m_ui->pageMessage->showMessage(InlineMessage::Kind::Error, error);
            return;
        }
        updateStoreMessage();
        m_ui->pageMessage->showMessage(InlineMessage::Kind::Information,
            tr("The unreadable file was kept as %1.").arg(QDir::toNativeSeparators(movedTo)));
    });
    updateActions();
}

void ConnectorsPage::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_ui->connectorsTableView->indexAt(pos);
    // A click on one of several selected rows acts on all of them (Change Password…, Delete).
    if (index.isValid()
        && !m_ui->connectorsTableView->selectionModel()->isRowSelected(index.row(), QModelIndex()))
        selectConnector(index.data(ConnectorListModel::IdRole).toUuid());
    updateActions();
    // popup(), not exec(): no nested event loop.
    auto *popup = new QMenu(this);
    popup->setObjectName(QStringLiteral("connectorContextMenu"));
    popup->setAttribute(Qt::WA_DeleteOnClose);
    popup->addAction(m_editAction);
    popup->addAction(m_duplicateAction);
    popup->addAction(m_changeSecretAction);
    if (m_validateAction->isVisible())
        popup->addAction(m_validateAction);
    popup->addSeparator();
    popup->addAction(m_deleteAction);
    popup->addAction(m_copyDiagnosticsAction);
    popup->addSeparator();
    popup->addAction(m_addAction);
    popup->addAction(m_undoAction);
    popup->popup(m_ui->connectorsTableView->viewport()->mapToGlobal(pos));
}

ConnectorDialog *ConnectorsPage::openAddDialog()
{
    if (m_repository->isBlocked())
        return nullptr;
    auto *dialog = new ConnectorDialog(m_repository, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Back to the list, on the connector just saved (or the one that was selected).
    connect(dialog, &QDialog::finished, this,
        [this] { QTimer::singleShot(0, this, &ConnectorsPage::focusList); });
    if (m_nam)
        dialog->setNetworkAccessManager(m_nam);
    connect(dialog, &ConnectorDialog::saved, this, [this, dialog](const QUuid &id, bool changed) {
        selectConnector(id);
        m_ui->pageMessage->clear();
        // Tested just before Submit with nothing changed since: that result stands, and the
        // credentials are not sent a second time (a rejected password twice can lock the
        // account).
        if (const std::optional<ValidationResult> tested = dialog->reusableTestResult()) {
            // Whatever was queued or running for it (a retry, an edit's re-check) would send
            // the same credentials again.
            if (m_queue)
                m_queue->cancel(id);
            m_repository->recordValidation(
                id, validationStateFor(*tested, QDateTime::currentDateTimeUtc()));
            if (tested->failure == ValidationResult::Failure::Tls && tested->certificate)
                onValidationFinished(id, *tested);
            changed = false;
        }
        Q_EMIT connectorSaved(id, changed);
    });
    dialog->open();
    return dialog;
}

bool ConnectorsPage::knownToThisVersion(const Connector &c)
{
    if (Applications::knows(c))
        return true;
    // The dialog would show it as another application or method, and saving it would turn
    // it into that.
    pageMessage()->showMessage(InlineMessage::Kind::Error,
        tr("“%1” was made by a newer Connector Desk (application “%2”, authentication “%3”): "
           "open it there to change it.")
            .arg(c.name, c.application, c.authType));
    return false;
}

ConnectorDialog *ConnectorsPage::openEditDialog(const QUuid &id)
{
    const std::optional<Connector> c = m_repository->find(id);
    if (!c || m_repository->isBlocked() || !knownToThisVersion(*c))
        return nullptr;
    ConnectorDialog *dialog = openAddDialog();
    dialog->editConnector(*c);
    return dialog;
}

void ConnectorsPage::enterSecrets()
{
    // Every connector that has no secret yet, in the list's order, one dialog after another.
    QList<QUuid> ids;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QUuid id = m_proxy->index(row, 0).data(ConnectorListModel::IdRole).toUuid();
        const std::optional<Connector> c = m_repository->find(id);
        // Not a newer version's connector: the dialog cannot take its secret.
        if (c && c->needsSecret && Applications::knows(*c))
            ids.append(id);
    }
    if (ids.isEmpty()) {
        m_ui->pageMessage->showMessage(InlineMessage::Kind::Information,
            tr("Every connector has its secret: there is nothing to enter."));
        return;
    }
    m_secretWalk = ids;
    m_secretWalkTotal = int(ids.size());
    m_secretWalkDone = 0;
    enterNextSecret();
}

void ConnectorsPage::enterNextSecret()
{
    while (!m_secretWalk.isEmpty()) {
        const QUuid id = m_secretWalk.takeFirst();
        const std::optional<Connector> c = m_repository->find(id);
        if (!c || !c->needsSecret)
            continue; // removed, or given a secret meanwhile
        ConnectorDialog *dialog = openEditDialog(id);
        if (!dialog)
            break;
        const int number = m_secretWalkTotal - int(m_secretWalk.size());
        dialog->setWindowTitle(tr("Enter Secret (%1 of %2)").arg(number).arg(m_secretWalkTotal));
        connect(dialog, &ConnectorDialog::saved, this, [this] {
            ++m_secretWalkDone;
            QTimer::singleShot(0, this, &ConnectorsPage::enterNextSecret);
        });
        connect(dialog, &QDialog::rejected, this, [this] {
            const int left = int(m_secretWalk.size()) + 1;
            m_secretWalk.clear();
            m_ui->pageMessage->showMessage(InlineMessage::Kind::Information,
                tr("Entered %1 of %2 secrets; %3 connectors still need one (Enter Secrets… "
                   "in the menu goes on).")
                    .arg(m_secretWalkDone)
                    .arg(m_secretWalkTotal)
                    .arg(left));
        });
        return;
    }
    if (m_secretWalkTotal > 0)
        m_ui->pageMessage->showMessage(InlineMessage::Kind::Success,
            tr("Entered %1 of %2 secrets.").arg(m_secretWalkDone).arg(m_secretWalkTotal));
    m_secretWalkTotal = 0;
}

ConnectorDialog *ConnectorsPage::openDuplicateDialog(const QUuid &id)
{
    const std::optional<Connector> c = m_repository->find(id);
    if (!c || m_repository->isBlocked() || !knownToThisVersion(*c))
        return nullptr;
    ConnectorDialog *dialog = openAddDialog();
    dialog->duplicateConnector(*c);
    return dialog;
}

void ConnectorsPage::requestDelete(const QUuid &id)
{
    requestDelete(QList<QUuid> { id });
}

void ConnectorsPage::requestDelete(const QList<QUuid> &ids)
{
    QList<Connector> doomed;
    for (const QUuid &id : ids) {
        if (const std::optional<Connector> c = m_repository->find(id))
            doomed.append(*c);
    }
    if (doomed.isEmpty() || m_repository->isBlocked())
        return;
    QString text;
    if (doomed.size() == 1) {
        text = tr("Delete the connector “%1”?").arg(doomed.first().name);
    } else {
        QStringList names;
        for (const Connector &c : std::as_const(doomed))
            names.append(QStringLiteral("• ") + c.name);
        text = tr("Delete these %1 connectors?").arg(doomed.size()) + QLatin1Char('\n')
            + names.join(QLatin1Char('\n'));
    }
    auto *box = new QMessageBox(QMessageBox::Warning,
        doomed.size() == 1 ? tr("Delete Connector") : tr("Delete Connectors"), text,
        QMessageBox::NoButton, window());
    box->setObjectName(QStringLiteral("deleteMessageBox"));
    box->setTextFormat(Qt::PlainText); // names are shown as written, never as markup
    box->setInformativeText(doomed.size() == 1
            ? tr("Its secret (password, client secret or token) is removed from the keychain "
                 "too. You can undo this until you quit Connector Desk.")
            : tr("Their secrets (passwords, client secrets, tokens) are removed from the "
                 "keychain too. One Undo brings them all back, until you quit Connector Desk."));
    QPushButton *del = box->addButton(tr("&Delete"), QMessageBox::DestructiveRole);
    del->setObjectName(QStringLiteral("confirmDeletePushButton"));
    QPushButton *cancel = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(cancel);
    box->setEscapeButton(cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QList<QUuid> confirmed;
    for (const Connector &c : std::as_const(doomed))
        confirmed.append(c.id);
    connect(box, &QMessageBox::finished, this, [this, box, del, confirmed] {
        if (box->clickedButton() == del)
            deleteWithoutConfirmation(confirmed);
    });
    box->open();
}

void ConnectorsPage::deleteWithoutConfirmation(const QUuid &id)
{
    deleteWithoutConfirmation(QList<QUuid> { id });
}

void ConnectorsPage::deleteWithoutConfirmation(const QList<QUuid> &ids)
{
    QList<QUuid> present;
    for (const QUuid &id : ids) {
        if (m_repository->find(id))
            present.append(id);
    }
    if (present.isEmpty())
        return;
    m_busy = true;
    updateActions();
    m_ui->pageMessage->showMessage(InlineMessage::Kind::Information,
        present.size() == 1 ? tr("Deleting “%1”…").arg(m_repository->find(present.first())->name)
                            : tr("Deleting %1 connectors…").arg(present.size()));
    // One removal after another (the repository runs them in order); one undo for them all.
    struct Batch
    {
        int left = 0;
        QList<RepositoryResult> removed;
        QStringList errors;
    };
    auto batch = std::make_shared<Batch>();
    batch->left = int(present.size());
    QPointer<ConnectorsPage> self(this);
    for (const QUuid &id : std::as_const(present)) {
        m_repository->remove(id, [self, batch](const RepositoryResult &r) {
            if (r.ok)
                batch->removed.append(r);
            else
                batch->errors.append(r.error);
            if (--batch->left > 0 || !self)
                return;
            self->m_busy = false;
            if (!batch->removed.isEmpty())
                self->m_undoStack.append(batch->removed);
            if (!batch->errors.isEmpty()) {
                self->m_ui->pageMessage->showMessage(InlineMessage::Kind::Error,
                    (batch->removed.isEmpty() ? QString()
                                              : tr("Deleted %1; the others were not deleted.")
                                                    .arg(batch->removed.size())
                                + QLatin1Char(' '))
                        + batch->errors.join(QLatin1Char(' ')));
            } else {
                self->m_ui->pageMessage->showMessage(InlineMessage::Kind::Information,
                    batch->removed.size() == 1
                        ? tr("Deleted “%1”.").arg(batch->removed.first().removed->name)
                        : tr("Deleted %1 connectors.").arg(batch->removed.size()));
            }
            if (!batch->removed.isEmpty()) {
                QPushButton *undo = self->m_ui->pageMessage->addButton(tr("U&ndo"));
                undo->setObjectName(QStringLiteral("undoPushButton"));
                connect(undo, &QPushButton::clicked, self, &ConnectorsPage::undoDelete);
            }
            self->updateActions();
        });
    }
}

void ConnectorsPage::undoDelete()
{
    if (m_undoStack.isEmpty() || m_busy || m_repository->isBlocked())
        return;
    const QList<RepositoryResult> group = m_undoStack.takeLast();
    m_busy = true;
    updateActions();
    struct Batch
    {
        int left = 0;
        QList<RepositoryResult> failed;
        QStringList errors;
        QList<QUuid> restored;
    };
    auto batch = std::make_shared<Batch>();
    batch->left = int(group.size());
    QPointer<ConnectorsPage> self(this);
    for (const RepositoryResult &removed : group) {
        m_repository->restore(removed, [self, batch, removed](const RepositoryResult &r) {
            if (r.ok) {
                batch->restored.append(r.id);
            } else {
                batch->failed.append(removed);
                batch->errors.append(r.error);
            }
            if (--batch->left > 0 || !self)
                return;
            self->m_busy = false;
            if (!batch->failed.isEmpty()) {
                self->m_undoStack.append(batch->failed); // still undoable
                self->m_ui->pageMessage->showMessage(
                    InlineMessage::Kind::Error, batch->errors.join(QLatin1Char(' ')));
            } else {
                self->m_ui->pageMessage->showMessage(InlineMessage::Kind::Success,
                    batch->restored.size() == 1
                        ? tr("Restored “%1”.").arg(removed.removed->name)
                        : tr("Restored %1 connectors.").arg(batch->restored.size()));
            }
            self->selectConnectors(batch->restored);
            self->updateActions();
        });
    }
}

} // namespace cd::ui
