#include "ConnectorDialog.h"

#include "Applications.h"
#include "AuthEditor.h"
#include "ChecklistView.h"
#include "ConnectorRepository.h"
#include "InlineMessage.h"
#include "ProjectCompleter.h"
#include "SecretLineEdit.h"
#include "ValidationJob.h"
#include "ui_ConnectorDialog.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QLayout>
#include <QPointer>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTimer>
#include <utility>

namespace cd::ui {

namespace {
const auto kName = QStringLiteral("name");
const auto kUrl = QStringLiteral("url");
const auto kIdentity = QStringLiteral("identity");
const auto kSecret = QStringLiteral("secret");
const auto kProjects = QStringLiteral("projects");
} // namespace

ConnectorDialog::ConnectorDialog(ConnectorRepository *repository, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::ConnectorDialog>())
    , m_repository(repository)
{
    m_ui->setupUi(this);
    setObjectName(QStringLiteral("connectorDialog"));
    setWindowModality(Qt::WindowModal);

    for (const ApplicationProvider *app : Applications::all())
        m_ui->applicationComboBox->addItem(app->displayName(), app->id());
    // The methods change with the application: the field follows its longest entry.
    m_ui->authTypeComboBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_submit = m_ui->buttonBox->addButton(tr("&Submit"), QDialogButtonBox::AcceptRole);
    m_submit->setObjectName(QStringLiteral("submitPushButton"));
    m_submit->setAccessibleName(tr("Submit"));
    m_submit->setDefault(true);
    m_cancel = m_ui->buttonBox->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelPushButton"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setAccessibleName(tr("Cancel"));
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &ConnectorDialog::submit);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &ConnectorDialog::reject);

    // Shown once a network access manager is given (setNetworkAccessManager).
    m_ui->testConnectionPushButton->hide();
    m_ui->loadProjectsButton->hide();
    m_ui->busyProgressBar->hide();
    connect(m_ui->testConnectionPushButton, &QPushButton::clicked, this,
        &ConnectorDialog::testConnection);
    connect(m_ui->loadProjectsButton, &QPushButton::clicked, this, &ConnectorDialog::loadProjects);
    // The checklist of the last test; shown with its result.
    m_ui->checklistView->hide();
    m_completer = new ProjectCompleter(this);

    setUpAuthEditors();

    connect(m_ui->nameLineEdit, &QLineEdit::textChanged, this, &ConnectorDialog::revalidate);
    connect(m_ui->nameLineEdit, &QLineEdit::editingFinished, this, [this] { touch(kName); });
    connect(m_ui->urlLineEdit, &QLineEdit::textChanged, this, [this] {
        m_pendingPin.clear(); // a trusted certificate belongs to the address it came from
        revalidate();
    });
    connect(m_ui->urlLineEdit, &QLineEdit::editingFinished, this,
        &ConnectorDialog::onUrlEditingFinished);
    connect(m_ui->verifySslCheckBox, &QCheckBox::toggled, this, &ConnectorDialog::revalidate);
    connect(m_ui->projectsLineEdit, &QLineEdit::textChanged, this, &ConnectorDialog::revalidate);
    connect(
        m_ui->projectsLineEdit, &QLineEdit::editingFinished, this, [this] { touch(kProjects); });
    connect(m_ui->authTypeComboBox, qOverload<int>(&QComboBox::currentIndexChanged), this,
        &ConnectorDialog::onAuthTypeChanged);
    connect(m_ui->applicationComboBox, qOverload<int>(&QComboBox::currentIndexChanged), this,
        &ConnectorDialog::onApplicationChanged);

    // Fields wide enough for a typical instance URL (font-relative, not fixed pixels), so
    // the inline messages read as sentences rather than narrow columns.
    const int fieldWidth = fontMetrics().averageCharWidth() * 44;
    m_ui->nameLineEdit->setMinimumWidth(fieldWidth);
    m_ui->urlLineEdit->setMinimumWidth(fieldWidth);
    m_ui->nameLineEdit->setFocus();
    revalidate();
}

void ConnectorDialog::growToFit()
{
    // Word-wrapped messages need height-for-width, which a top-level window does not follow
    // by itself: grow when a message appears, and shrink back when it goes, unless the user
    // has resized the dialog since (then their height stays, unless it is too small).
    QLayout *l = layout();
    const int wanted
        = l->hasHeightForWidth() ? l->totalHeightForWidth(width()) : l->totalSizeHint().height();
    const bool ours = m_fittedHeight < 0 || height() == m_fittedHeight;
    if (wanted > height() || (ours && wanted < height())) {
        resize(width(), wanted);
        m_fittedHeight = height();
    }
}

ConnectorDialog::~ConnectorDialog()
{
    // Children still emit while they are torn down (editingFinished on losing focus, changed
    // when a secret field is cleared): nothing of this half-destroyed dialog may run then.
    const QList<QObject *> children = findChildren<QObject *>();
    for (QObject *child : children)
        disconnect(child, nullptr, this, nullptr);
}

const ApplicationProvider *ConnectorDialog::provider() const
{
    return Applications::find(m_ui->applicationComboBox->currentData().toString());
}

void ConnectorDialog::setUpAuthEditors()
{
    // The pages of the application chosen, and nothing of another one: what was typed on
    // the pages that go is gone with them, so a hidden secret is never saved.
    const QList<AuthEditor *> leaving = std::exchange(m_editors, {});
    // Their fields emit while they are cleared and torn down (textChanged, editingFinished on
    // losing focus): none of that may reach this dialog, which no longer has these pages.
    for (AuthEditor *editor : leaving) {
        disconnect(editor, nullptr, this, nullptr);
        for (QObject *child : editor->findChildren<QObject *>())
            disconnect(child, nullptr, this, nullptr);
    }
    for (AuthEditor *editor : leaving) {
        editor->clear();
        m_ui->authStackedWidget->removeWidget(editor);
        // At once: no hidden page of another application stays among the dialog's children
        // (this runs from the Application combo, never from a signal of an editor).
        delete editor;
    }
    const QSignalBlocker blocker(m_ui->authTypeComboBox);
    m_ui->authTypeComboBox->clear();
    const ApplicationProvider *app = provider();
    if (!app)
        return;
    for (const AuthMethod &method : app->authMethods()) {
        auto *editor = new AuthEditor(method, m_ui->authStackedWidget);
        m_editors.append(editor);
        m_ui->authStackedWidget->addWidget(editor);
        m_ui->authTypeComboBox->addItem(method.displayName, method.id);
        connect(editor, &AuthEditor::changed, this, &ConnectorDialog::revalidate);
        if (QLineEdit *identity = editor->identityEdit())
            connect(identity, &QLineEdit::editingFinished, this, [this] { touch(kIdentity); });
        connect(
            editor->secretEdit(), &QLineEdit::editingFinished, this, [this] { touch(kSecret); });
        connect(editor, &AuthEditor::revealRequested, this, &ConnectorDialog::revealSecret);
    }
    m_ui->authTypeComboBox->setCurrentIndex(0);
    m_ui->authStackedWidget->setCurrentIndex(0);
    // One method: nothing else to choose, but the field stays a Tab stop that says which one
    // it is (its label's Alt+T lands there).

    m_ui->urlLineEdit->setPlaceholderText(app->urlPlaceholder());
    const QString hint = app->authHint();
    m_ui->authHintLabel->setText(hint);
    m_ui->authHintLabel->setVisible(!hint.isEmpty());
    m_ui->authTypeComboBox->setAccessibleDescription(hint);
    m_ui->serviceAccountNoteLabel->setText(app->accountNote());
    alignLabels();
    setUpTabOrder();
}

void ConnectorDialog::onApplicationChanged()
{
    setUpAuthEditors();
    m_touched.remove(kIdentity);
    m_touched.remove(kSecret);
    // Editing, and back at the stored application: its stored identity and secret again.
    if (m_original && m_original->application == provider()->id()) {
        const int index = m_ui->authTypeComboBox->findData(m_original->authType);
        if (index >= 0) {
            m_ui->authTypeComboBox->setCurrentIndex(index);
            m_ui->authStackedWidget->setCurrentIndex(index);
            currentAuthEditor()->load(m_original->identity, !m_original->needsSecret);
        }
    }
    revalidate();
}

void ConnectorDialog::alignLabels()
{
    // The credential pages have their own form layouts: give every label column the same
    // width so that the fields line up as one form.
    QList<QLabel *> labels { m_ui->applicationLabel, m_ui->nameLabel, m_ui->urlLabel,
        m_ui->authTypeLabel, m_ui->projectsLabel };
    for (AuthEditor *editor : std::as_const(m_editors))
        labels += editor->labels();
    for (QLabel *l : labels)
        l->setMinimumWidth(0);
    int width = 0;
    for (QLabel *l : labels)
        width = qMax(width, l->sizeHint().width());
    for (QLabel *l : labels)
        l->setMinimumWidth(width);
}

void ConnectorDialog::setUpTabOrder()
{
    QList<QWidget *> chain { m_ui->applicationComboBox, m_ui->nameLineEdit, m_ui->urlLineEdit,
        m_ui->verifySslCheckBox, m_ui->authTypeComboBox };
    for (AuthEditor *editor : std::as_const(m_editors))
        chain << editor->focusChain();
    chain << m_ui->projectsLineEdit << m_ui->loadProjectsButton << m_ui->checklistView
          << m_ui->testConnectionPushButton << m_submit << m_cancel;
    for (int i = 1; i < chain.size(); ++i)
        QWidget::setTabOrder(chain.at(i - 1), chain.at(i));
}

bool ConnectorDialog::isStoredMethod(const AuthEditor *editor) const
{
    // The stored secret is the edited connector's, for its application and auth method.
    return m_original && editor && m_original->authType == editor->authType()
        && m_original->application == m_ui->applicationComboBox->currentData().toString();
}

AuthEditor *ConnectorDialog::currentAuthEditor() const
{
    return m_editors.value(m_ui->authStackedWidget->currentIndex());
}

void ConnectorDialog::editConnector(const Connector &connector)
{
    m_mode = Mode::Edit;
    m_original = connector;
    setWindowTitle(tr("Edit Connector"));
    fillFrom(connector, connector.name, !connector.needsSecret);
    // Deleted by another window or command while open here: said at once, and Submit would
    // not create it again (the draft stays, to be copied or cancelled).
    connect(m_repository, &ConnectorRepository::connectorRemoved, this, [this](const QUuid &id) {
        if (!m_original || id != m_original->id || m_saving)
            return;
        m_removedElsewhere = true;
        m_ui->saveMessage->showMessage(InlineMessage::Kind::Error,
            tr("“%1” was deleted in another Connector Desk window or command. It cannot be "
               "saved from here; Cancel to close, or add it again as a new connector.")
                .arg(m_original->name));
        revalidate();
    });
    // An imported connector is opened to get its secret: the cursor goes there.
    if (connector.needsSecret)
        currentAuthEditor()->secretEdit()->setFocus(Qt::OtherFocusReason);
}

void ConnectorDialog::fillFrom(const Connector &connector, const QString &name, bool secretStored)
{
    m_ui->applicationComboBox->setCurrentIndex(
        qMax(0, m_ui->applicationComboBox->findData(connector.application)));
    m_ui->nameLineEdit->setText(name);
    m_ui->urlLineEdit->setText(connector.url);
    m_ui->verifySslCheckBox->setChecked(connector.verifySsl);
    m_ui->authTypeComboBox->setCurrentIndex(
        qMax(0, m_ui->authTypeComboBox->findData(connector.authType)));
    currentAuthEditor()->load(connector.identity, secretStored);
    m_ui->projectsLineEdit->setText(connector.projects.join(QStringLiteral(", ")));
    m_touched = { kName, kUrl, kIdentity, kProjects };
    revalidate();
}

void ConnectorDialog::duplicateConnector(const Connector &connector)
{
    m_mode = Mode::Duplicate;
    m_original.reset();
    setWindowTitle(tr("Add New Connector"));
    // A free name: "X (copy)", "X (copy 2)", ...; a duplicate has no secret of its own.
    fillFrom(connector,
        ConnectorRules::uniqueName(
            connector.name, tr(" (copy)"), tr(" (copy %1)"), m_repository->connectors()),
        false);
    m_ui->nameLineEdit->selectAll();
}

ConnectorDraft ConnectorDialog::draft() const
{
    ConnectorDraft d;
    if (m_original)
        d.id = m_original->id;
    d.application = m_ui->applicationComboBox->currentData().toString();
    d.name = m_ui->nameLineEdit->text();
    d.url = m_ui->urlLineEdit->text();
    d.verifySsl = m_ui->verifySslCheckBox->isChecked();
    if (AuthEditor *editor = currentAuthEditor()) {
        d.authType = editor->authType();
        d.identity = editor->identity();
        d.secret = editor->newSecret().value_or(QString());
    }
    d.projects = m_ui->projectsLineEdit->text();
    return d;
}

DraftCheck ConnectorDialog::currentCheck() const
{
    return ConnectorRules::check(
        draft(), m_repository->connectors(), m_original ? &*m_original : nullptr);
}

void ConnectorDialog::onAuthTypeChanged(int index)
{
    AuthEditor *leaving = currentAuthEditor();
    m_ui->authStackedWidget->setCurrentIndex(index);
    AuthEditor *entering = currentAuthEditor();
    if (leaving != entering) {
        // Nothing typed on a hidden page survives, so a hidden secret is never saved.
        leaving->clear();
        if (isStoredMethod(entering))
            entering->load(m_original->identity, !m_original->needsSecret);
        m_touched.remove(kIdentity);
        m_touched.remove(kSecret);
    }
    revalidate();
}

void ConnectorDialog::onUrlEditingFinished()
{
    const ApplicationProvider *app = provider();
    const NormalizedUrl n = app ? app->normalizeUrl(m_ui->urlLineEdit->text()) : NormalizedUrl();
    if (n.ok && n.url != m_ui->urlLineEdit->text())
        m_ui->urlLineEdit->setText(n.url); // show the form that will be saved
    touch(kUrl);
}

void ConnectorDialog::touch(const QString &field)
{
    m_touched.insert(field);
    revalidate();
}

void ConnectorDialog::revalidate()
{
    const DraftCheck check = currentCheck();
    using Kind = InlineMessage::Kind;
    m_ui->nameMessage->showMessage(Kind::Error, m_touched.contains(kName) ? check.name : QString());
    if (m_touched.contains(kUrl) && !check.url.isEmpty())
        m_ui->urlMessage->showMessage(Kind::Error, check.url);
    else
        m_ui->urlMessage->showMessage(Kind::Warning, check.urlWarning);
    m_ui->duplicateMessage->showMessage(Kind::Information, check.duplicateNotice);
    m_ui->verifySslMessage->showMessage(Kind::Warning,
        m_ui->verifySslCheckBox->isChecked()
            ? QString()
            : tr("Leave Verify SSL selected unless %1 instructed you to "
                 "deselect it. Without it, anyone between you and the server can read the "
                 "credentials.")
                  .arg(provider() ? provider()->vendorSupport() : tr("the vendor's support")));
    if (AuthEditor *editor = currentAuthEditor())
        editor->setErrors(m_touched.contains(kIdentity) ? check.identity : QString(),
            m_touched.contains(kSecret) ? check.secret : QString());
    m_ui->projectsMessage->showMessage(
        Kind::Error, m_touched.contains(kProjects) ? check.projects : QString());
    m_submit->setEnabled(check.isValid() && !m_saving && !m_removedElsewhere);
    // A test result describes what was tested: once any of it changes, it goes.
    if (!m_test && m_testedInput && !(*m_testedInput == currentInput())) {
        m_testedInput.reset();
        m_lastTest.reset();
        m_ui->testMessage->clear();
        m_ui->checklistView->setChecks({});
        m_ui->checklistView->hide();
    }
    // Loaded projects are those one account sees on one instance: another one, and they go.
    if (!m_loadedFor.isEmpty() && !m_load && m_loadedFor != loadKey()) {
        m_loadedFor.clear();
        m_completer->setProjects({});
        m_ui->projectsLineEdit->setCompleter(nullptr);
        m_ui->projectsLoadMessage->clear();
    }
    QTimer::singleShot(0, this, &ConnectorDialog::growToFit);
    // One check at a time: a test and a load would send the same credentials twice.
    const bool checkable = !m_saving && canCheck(check);
    m_ui->testConnectionPushButton->setEnabled(m_test || (!m_load && checkable));
    m_ui->loadProjectsButton->setEnabled(m_load || (!m_test && checkable));
    m_submit->setToolTip(check.isValid() ? QString() : tr("Fill in every field to submit."));
}

void ConnectorDialog::setSaving(bool saving)
{
    m_saving = saving;
    for (QWidget *w : { static_cast<QWidget *>(m_ui->applicationComboBox),
             static_cast<QWidget *>(m_ui->nameLineEdit), static_cast<QWidget *>(m_ui->urlLineEdit),
             static_cast<QWidget *>(m_ui->verifySslCheckBox),
             static_cast<QWidget *>(m_ui->authTypeComboBox),
             static_cast<QWidget *>(m_ui->authStackedWidget),
             static_cast<QWidget *>(m_ui->projectsLineEdit) })
        w->setEnabled(!saving);
    m_cancel->setEnabled(!saving);
    m_ui->busyProgressBar->setVisible(saving);
    if (saving)
        m_ui->saveMessage->showMessage(
            InlineMessage::Kind::Information, tr("Saving… storing the secret in the keychain."));
    revalidate();
}

void ConnectorDialog::submit()
{
    const DraftCheck check = currentCheck();
    if (!check.isValid() || m_saving) {
        m_touched = { kName, kUrl, kIdentity, kSecret, kProjects };
        revalidate();
        return;
    }
    const ConnectorDraft d = draft();
    Connector c = m_original.value_or(Connector());
    c.application = d.application;
    c.name = d.name.trimmed();
    c.url = check.normalizedUrl;
    c.verifySsl = d.verifySsl;
    c.authType = d.authType;
    c.identity = d.identity;
    c.projects = check.normalizedProjects;
    // A pin belongs to the instance it was made for; Verify SSL off does not loosen it.
    c.pinnedCertificateSha256 = testedPin(); // or the one trusted in Test Connection
    const std::optional<QString> secret = currentAuthEditor()->newSecret();
    // Worth checking again: the credentials, or the projects they are checked against.
    const bool credentialsChanged = !m_original || secret.has_value() || m_original->url != c.url
        || m_original->application != c.application || m_original->authType != c.authType
        || m_original->identity != c.identity || m_original->verifySsl != c.verifySsl
        || m_original->projects != c.projects;

    setSaving(true);
    QPointer<ConnectorDialog> self(this);
    auto done = [self, credentialsChanged](const RepositoryResult &r) {
        if (!self)
            return;
        self->setSaving(false);
        if (!r.ok) {
            self->m_ui->saveMessage->showMessage(InlineMessage::Kind::Error, r.error);
            return;
        }
        self->m_ui->saveMessage->clear();
        Q_EMIT self->saved(r.id, credentialsChanged);
        self->accept();
    };
    if (m_original)
        m_repository->update(c, secret, done);
    else
        m_repository->add(c, secret.value_or(QString()), done);
}

void ConnectorDialog::reject()
{
    if (m_saving)
        return; // the keychain is answering; its timeout bounds the wait
    QDialog::reject();
}

void ConnectorDialog::done(int result)
{
    delete m_test; // aborts a running test, emits nothing
    m_test = nullptr;
    delete m_load; // and a running Load Projects
    m_load = nullptr;
    for (AuthEditor *editor : m_editors)
        editor->clear(); // no secret stays in a closed dialog's widgets, whatever closed it
    QDialog::done(result);
}

void ConnectorDialog::setNetworkAccessManager(QNetworkAccessManager *nam)
{
    m_nam = nam;
    m_ui->testConnectionPushButton->setVisible(nam != nullptr);
    m_ui->loadProjectsButton->setVisible(nam != nullptr);
    revalidate();
}

bool ConnectorDialog::isTesting() const
{
    return m_test != nullptr;
}

void ConnectorDialog::testConnection()
{
    if (m_test) {
        m_test->cancel(); // finishes with Cancelled, shown like any result
        return;
    }
    if (m_load || m_readingSecret || !m_nam)
        return;
    const DraftCheck check = currentCheck();
    if (!check.projects.isEmpty()) {
        // The scope is part of the test: said at the field, and nothing is sent.
        touch(kProjects);
        m_ui->projectsLineEdit->setFocus(Qt::OtherFocusReason);
        return;
    }
    if (!canCheck(check))
        return;
    withSecret(m_ui->testMessage, [this](const QString &secret) { startTest(secret); });
}

void ConnectorDialog::loadProjects()
{
    if (m_load) {
        m_load->cancel(); // finishes with Cancelled: nothing loaded, nothing said
        return;
    }
    if (m_test || m_readingSecret || !m_nam || !canCheck(currentCheck()))
        return;
    withSecret(m_ui->projectsLoadMessage, [this](const QString &secret) { startLoad(secret); });
}

bool ConnectorDialog::canCheck(const DraftCheck &check) const
{
    // A URL, an identity, and a secret (typed, or stored and unchanged).
    const bool secretAvailable = !draft().secret.isEmpty()
        || (m_original && !m_original->needsSecret && isStoredMethod(currentAuthEditor()));
    return currentAuthEditor() && check.url.isEmpty() && check.identity.isEmpty()
        && secretAvailable;
}

void ConnectorDialog::withSecret(
    InlineMessage *where, const std::function<void(const QString &)> &then)
{
    AuthEditor *editor = currentAuthEditor();
    if (!editor)
        return;
    const std::optional<QString> typed = editor->newSecret();
    if (typed && !typed->isEmpty()) {
        then(*typed);
        return;
    }
    if (!m_original || m_original->needsSecret || !isStoredMethod(editor))
        return;
    // Unchanged secret: checking is the user asking for it, so read it now.
    where->showMessage(
        InlineMessage::Kind::Information, tr("Reading the secret from the keychain…"));
    m_readingSecret = true;
    QPointer<ConnectorDialog> self(this);
    QPointer<InlineMessage> message(where);
    const TestedInput asked = currentInput();
    m_repository->readSecret(
        m_original->id, this, [self, message, asked, then](const SecretResult &r) {
            if (!self)
                return;
            self->m_readingSecret = false;
            if (!self->isVisible() || !message)
                return; // closed meanwhile: the secret goes nowhere
            // Changed meanwhile (another application, URL, method or identity): the stored
            // secret belongs to what was asked, and is never sent anywhere else.
            if (!self->isStoredMethod(self->currentAuthEditor())
                || !(self->currentInput() == asked)) {
                message->clear();
                return;
            }
            if (!r.ok()) {
                message->showMessage(InlineMessage::Kind::Error, r.message);
                return;
            }
            then(r.secret);
        });
}

std::optional<QStringList> ConnectorDialog::typedProjects() const
{
    QStringList projects;
    if (!ConnectorRules::parseProjects({ m_ui->projectsLineEdit->text() }, &projects).isEmpty())
        return std::nullopt;
    return projects;
}

QString ConnectorDialog::normalizedUrl() const
{
    // The URL alone, as it will be saved: cheaper than currentCheck(), which also checks the
    // name against every stored connector, and this runs on every keystroke after a test.
    const ApplicationProvider *app = provider();
    return app ? app->normalizeUrl(m_ui->urlLineEdit->text()).url : QString();
}

QByteArray ConnectorDialog::testedPin() const
{
    // The pin the connector will have when submitted (see submit()).
    if (!m_pendingPin.isEmpty())
        return m_pendingPin;
    if (m_original && m_original->url == normalizedUrl())
        return m_original->pinnedCertificateSha256;
    return {};
}

ConnectorDialog::TestedInput ConnectorDialog::currentInput() const
{
    TestedInput in;
    in.url = normalizedUrl();
    in.verifySsl = m_ui->verifySslCheckBox->isChecked();
    in.pin = testedPin();
    in.application = m_ui->applicationComboBox->currentData().toString();
    in.authType = currentAuthEditor() ? currentAuthEditor()->authType() : QString();
    in.identity = currentAuthEditor() ? currentAuthEditor()->identity() : QString();
    const std::optional<QString> typed
        = currentAuthEditor() ? currentAuthEditor()->newSecret() : std::nullopt;
    if (typed && !typed->isEmpty())
        in.secretHash = QCryptographicHash::hash(typed->toUtf8(), QCryptographicHash::Sha256);
    in.projects = typedProjects().value_or(QStringList { m_ui->projectsLineEdit->text() });
    return in;
}

std::optional<ValidationResult> ConnectorDialog::reusableTestResult() const
{
    if (!m_lastTest || !m_testedInput || m_test || !(*m_testedInput == currentInput()))
        return std::nullopt;
    if (m_lastTest->failure == ValidationResult::Failure::Cancelled || m_lastTest->isTransient())
        return std::nullopt;
    return *m_lastTest;
}

ValidationRequest ConnectorDialog::requestFor(const QString &secret) const
{
    ValidationRequest request;
    request.baseUrl = QUrl(normalizedUrl());
    request.application = m_ui->applicationComboBox->currentData().toString();
    request.authType = currentAuthEditor()->authType();
    request.identity = currentAuthEditor()->identity();
    request.secret = secret;
    request.verifySsl = m_ui->verifySslCheckBox->isChecked();
    request.pinnedSha256 = testedPin();
    return request;
}

QString ConnectorDialog::statusText(ValidationJob::Status status, const QString &host)
{
    switch (status) {
    case ValidationJob::Status::Idle:
        return tr("Connecting to %1…").arg(host);
    case ValidationJob::Status::RequestingToken:
        return tr("Requesting a token from %1…").arg(host);
    case ValidationJob::Status::RequestingUser:
        return tr("Signing in to %1…").arg(host);
    case ValidationJob::Status::RequestingPermissions:
        return tr("Checking permissions…");
    case ValidationJob::Status::RequestingProjects:
        return tr("Checking projects…");
    case ValidationJob::Status::BackingOff:
        return tr("%1 is busy: trying again shortly…").arg(host);
    case ValidationJob::Status::Finished:
        break;
    }
    return {};
}

void ConnectorDialog::startTest(const QString &secret)
{
    ValidationRequest request = requestFor(secret);
    request.projects = typedProjects().value_or(QStringList());
    m_lastTest.reset();
    m_testedInput = currentInput();
    m_ui->checklistView->setChecks({});
    m_ui->checklistView->hide();
    m_test = new ValidationJob(m_nam, request, this);
    const QString host = request.baseUrl.host();
    connect(m_test, &ValidationJob::statusChanged, this, [this, host](ValidationJob::Status s) {
        const QString text = statusText(s, host);
        if (!text.isEmpty())
            m_ui->testMessage->showMessage(InlineMessage::Kind::Information, text);
    });
    connect(m_test, &ValidationJob::finished, this, [this](const ValidationResult &r) {
        m_test->deleteLater();
        m_test = nullptr;
        m_lastTest = std::make_unique<ValidationResult>(r);
        m_ui->busyProgressBar->hide();
        m_ui->testConnectionPushButton->setText(tr("Test &Connection"));
        m_ui->testConnectionPushButton->setAccessibleName(tr("Test Connection"));
        showTestResult(r);
        revalidate();
    });
    m_ui->busyProgressBar->show();
    m_ui->testConnectionPushButton->setText(tr("&Cancel Test"));
    m_ui->testConnectionPushButton->setAccessibleName(tr("Cancel Test"));
    m_ui->testMessage->showMessage(
        InlineMessage::Kind::Information, statusText(ValidationJob::Status::Idle, host));
    m_test->start();
    revalidate();
}

QString ConnectorDialog::loadKey() const
{
    return QStringList { m_ui->applicationComboBox->currentData().toString(), normalizedUrl(),
        currentAuthEditor() ? currentAuthEditor()->authType() : QString(),
        currentAuthEditor() ? currentAuthEditor()->identity() : QString() }
        .join(QLatin1Char('\n'));
}

void ConnectorDialog::setLoadButtonLoading(bool loading)
{
    m_ui->loadProjectsButton->setText(loading ? tr("Cancel &Loading") : tr("&Load Projects"));
    m_ui->loadProjectsButton->setAccessibleName(
        loading ? tr("Cancel Loading") : tr("Load Projects"));
}

void ConnectorDialog::startLoad(const QString &secret)
{
    ValidationRequest request = requestFor(secret);
    request.listProjects = true;
    m_load = new ValidationJob(m_nam, request, this);
    connect(m_load, &ValidationJob::finished, this, [this](const ValidationResult &r) {
        m_load->deleteLater();
        m_load = nullptr;
        setLoadButtonLoading(false);
        showLoadResult(r);
        revalidate();
    });
    setLoadButtonLoading(true);
    m_ui->projectsLoadMessage->showMessage(
        InlineMessage::Kind::Information, tr("Loading projects…"));
    m_load->start();
    revalidate();
}

void ConnectorDialog::showLoadResult(const ValidationResult &r)
{
    using Kind = InlineMessage::Kind;
    if (r.failure == ValidationResult::Failure::Cancelled) {
        m_ui->projectsLoadMessage->clear(); // the user stopped it: nothing to say
        return;
    }
    const qsizetype count = r.visibleProjects.size();
    if (count > 0) {
        m_loadedFor = loadKey();
        m_completer->setProjects(r.visibleProjects);
        if (m_ui->projectsLineEdit->completer() != m_completer)
            m_ui->projectsLineEdit->setCompleter(m_completer);
        m_ui->projectsLoadMessage->showMessage(Kind::Success,
            count == 1 ? tr("1 project loaded: type to complete.")
                       : tr("%1 projects loaded: type to complete.").arg(count));
        return;
    }
    if (r.status == ValidationStatus::Failed) {
        m_ui->projectsLoadMessage->showMessage(Kind::Error, r.message); // says what to do
        return;
    }
    // Signed in, but no project listed: what the checklist says about it.
    QString why = r.message;
    for (const CheckItem &item : r.checks) {
        if (item.id == QLatin1String("projects-visible") && !item.message.isEmpty())
            why = item.message;
    }
    m_ui->projectsLoadMessage->showMessage(Kind::Warning, why);
}

void ConnectorDialog::showTestResult(const ValidationResult &r)
{
    using Kind = InlineMessage::Kind;
    if (r.failure == ValidationResult::Failure::Cancelled) {
        m_ui->testMessage->showMessage(Kind::Information, tr("Test cancelled."));
        return;
    }
    Kind kind = Kind::Error;
    switch (r.status) {
    case ValidationStatus::Verified:
        kind = Kind::Success;
        break;
    case ValidationStatus::Warning:
        kind = Kind::Warning;
        break;
    case ValidationStatus::Failed:
    case ValidationStatus::NotVerified:
        break;
    }
    m_ui->testMessage->showMessage(kind, r.message);
    // Step by step: what passed, what did not, and what could not be checked.
    m_ui->checklistView->setChecks(r.checks);
    m_ui->checklistView->setVisible(!r.checks.isEmpty());
    // Verify SSL off does not loosen a pin: a changed pinned certificate is offered too.
    if (r.failure == ValidationResult::Failure::Tls && r.certificate
        && (m_ui->verifySslCheckBox->isChecked() || !r.expectedSha256.isEmpty())) {
        const CertificateInfo cert = *r.certificate;
        QPushButton *trust = m_ui->testMessage->addButton(r.expectedSha256.isEmpty()
                ? tr("Trust T&his Certificate")
                : tr("Trust the New Certi&ficate"));
        trust->setObjectName(QStringLiteral("trustCertificatePushButton"));
        trust->setToolTip(
            tr("Accept exactly this certificate (SHA-256 %1) for this connector, then test again.")
                .arg(cert.fingerprintText()));
        connect(trust, &QPushButton::clicked, this, [this, cert] {
            m_pendingPin = cert.sha256;
            testConnection();
        });
    }
}

void ConnectorDialog::revealSecret()
{
    if (!m_original)
        return;
    AuthEditor *editor = currentAuthEditor();
    m_ui->saveMessage->showMessage(
        InlineMessage::Kind::Information, tr("Reading the secret from the keychain…"));
    QPointer<ConnectorDialog> self(this);
    QPointer<AuthEditor> target(editor);
    m_repository->readSecret(m_original->id, this, [self, target](const SecretResult &r) {
        if (!self || !self->isVisible())
            return; // closed meanwhile: the secret goes nowhere
        self->m_ui->saveMessage->clear();
        if (!r.ok()) {
            self->m_ui->saveMessage->showMessage(InlineMessage::Kind::Error, r.message);
            return;
        }
        if (target && target == self->currentAuthEditor())
            target->setRevealedSecret(r.secret);
    });
}

} // namespace cd::ui
