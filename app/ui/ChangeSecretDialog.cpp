#include "ChangeSecretDialog.h"

#include "Applications.h"
#include "ConnectorRepository.h"
#include "InlineMessage.h"
#include "PlainText.h"
#include "SecretLineEdit.h"
#include "Text.h"
#include "ui_ChangeSecretDialog.h"

#include <QDialogButtonBox>
#include <QListWidget>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>

namespace cd::ui {

namespace {

struct Words
{
    QString title; // "Client Secret": in titles and buttons
    QString lower; // "client secret": in sentences
};

Words words(ChangeSecretDialog::SecretKind kind)
{
    using Kind = ChangeSecretDialog::SecretKind;
    switch (kind) {
    case Kind::Password:
        return { ChangeSecretDialog::tr("Password"), ChangeSecretDialog::tr("password") };
    case Kind::ClientSecret:
        return { ChangeSecretDialog::tr("Client Secret"), ChangeSecretDialog::tr("client secret") };
    case Kind::Token:
        return { ChangeSecretDialog::tr("Token"), ChangeSecretDialog::tr("token") };
    case Kind::Secret:
        return { ChangeSecretDialog::tr("Secret"), ChangeSecretDialog::tr("secret") };
    }
    Q_UNREACHABLE();
    return {};
}

} // namespace

ChangeSecretDialog::SecretKind ChangeSecretDialog::secretKind(const AuthMethod *method)
{
    if (!method)
        return SecretKind::Secret;
    if (method->id == QLatin1String("basic"))
        return SecretKind::Password;
    if (method->id == QLatin1String("oauth"))
        return SecretKind::ClientSecret;
    if (method->id == QLatin1String("api-token") || method->id == QLatin1String("pat"))
        return SecretKind::Token;
    return SecretKind::Secret; // another application's method: the neutral word
}

QString ChangeSecretDialog::actionText(SecretKind kind)
{
    // Alt+H: free in the page's toolbar and context menu and in the window's menu.
    return tr("C&hange %1…").arg(words(kind).title);
}

ChangeSecretDialog::Target ChangeSecretDialog::target(const QList<Connector> &connectors)
{
    Target t;
    t.connectors = connectors;
    if (connectors.isEmpty()) {
        t.problem = tr("Select the connectors whose password, client secret or token changed.");
        return t;
    }
    for (const Connector &c : connectors) {
        if (!Applications::knows(c)) {
            t.problem = tr("“%1” was made by a newer Connector Desk: change its secret there.")
                            .arg(Text::inert(c.name));
            return t;
        }
    }
    const Connector &first = connectors.first();
    for (const Connector &c : connectors) {
        if (c.application != first.application) {
            t.problem = tr("The selected connectors are for different applications.");
            return t;
        }
    }
    for (const Connector &c : connectors) {
        if (c.authType.compare(first.authType, Qt::CaseInsensitive) != 0) {
            t.problem = tr("The selected connectors use different authentication types.");
            return t;
        }
    }
    t.method = Applications::authMethod(first.application, first.authType);
    if (t.method->secretKeySuffix.isEmpty()) {
        t.problem = tr("“%1” has no secret to change.").arg(t.method->displayName);
        return t;
    }
    if (t.method->hasIdentity()) {
        // As import tells one account from another (Exchange::sameAccount).
        t.account = first.identity.trimmed();
        for (const Connector &c : connectors) {
            if (c.identity.trimmed().compare(t.account, Qt::CaseInsensitive) != 0) {
                t.problem = tr("The selected connectors use different accounts.");
                return t;
            }
        }
        return t;
    }
    // A token alone names no account: only what a check found can say that two share one.
    t.account = first.validation.account.username.trimmed();
    if (connectors.size() == 1)
        return t;
    for (const Connector &c : connectors) {
        const QString account = c.validation.account.username.trimmed();
        if (account.isEmpty()) {
            t.problem = tr("“%1” names no account, and “%2” has not been checked yet: select "
                           "one connector, or connectors whose check found the same account.")
                            .arg(t.method->displayName, Text::inert(c.name));
            return t;
        }
        if (account.compare(t.account, Qt::CaseInsensitive) != 0) {
            t.problem = tr("The selected connectors use different accounts.");
            return t;
        }
    }
    return t;
}

ChangeSecretDialog::ChangeSecretDialog(
    ConnectorRepository *repository, const QList<QUuid> &ids, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::ChangeSecretDialog>())
    , m_repository(repository)
{
    m_ui->setupUi(this);
    // Wide enough for its notes to read as sentences, not a column (font-relative).
    setMinimumWidth(fontMetrics().averageCharWidth() * 72);
    setObjectName(QStringLiteral("changeSecretDialog"));
    setWindowModality(Qt::WindowModal);

    QList<Connector> connectors;
    QString missing;
    for (const QUuid &id : ids) {
        if (const std::optional<Connector> c = repository->find(id))
            connectors.append(*c);
        else
            missing = tr("A selected connector no longer exists (it was deleted in another "
                         "window or command).");
    }
    m_target = target(connectors);
    if (m_target.ok() && !missing.isEmpty())
        m_target.problem = missing;
    m_kind = secretKind(m_target.method);
    const Words w = words(m_kind);
    const int count = int(m_target.connectors.size());

    setWindowTitle(tr("Change %1").arg(w.title));
    m_change
        = m_ui->buttonBox->addButton(tr("C&hange %1").arg(w.title), QDialogButtonBox::AcceptRole);
    m_change->setObjectName(QStringLiteral("changePushButton"));
    m_change->setAccessibleName(tr("Change %1").arg(w.title));
    m_change->setDefault(true);
    m_cancel = m_ui->buttonBox->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelPushButton"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setAccessibleName(tr("Cancel"));
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &ChangeSecretDialog::startChange);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &ChangeSecretDialog::reject);

    // Names and accounts may come from an import file or another program: shown inert, as
    // plain text (the labels and the list never take markup).
    m_ui->introLabel->setText(count == 1
            ? tr("The new %1 is stored for this connector:").arg(w.lower)
            : tr("The new %1 is stored for these %2 connectors, all or nothing:")
                  .arg(w.lower)
                  .arg(count));
    for (const Connector &c : std::as_const(m_target.connectors)) {
        const QString text = tr("%1 — %2").arg(Text::inert(c.name), Text::inert(c.url));
        auto *item = new QListWidgetItem(text, m_ui->connectorsListWidget);
        item->setToolTip(plainToolTip(text));
    }
    QListWidget *list = m_ui->connectorsListWidget;
    list->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    list->setMinimumHeight(list->fontMetrics().height() * 2);
    list->setMaximumHeight(list->fontMetrics().height() * 10);
    const QString account = m_target.account.isEmpty()
        ? tr("not known until the connector is checked")
        : Text::inert(m_target.account);
    m_ui->accountValueLabel->setText(m_target.method
            ? tr("%1 (%2, %3)")
                  .arg(account, m_target.method->displayName,
                      Applications::displayName(m_target.connectors.first().application))
            : account);
    m_ui->noteLabel->setText(
        tr("Change the %1 on the server first: Connector Desk only stores the new one in the "
           "keychain, then checks the connectors again.")
            .arg(w.lower));

    m_ui->newSecretLabel->setText(tr("&New %1").arg(w.lower));
    m_ui->newSecretLineEdit->setAccessibleName(withoutMnemonic(m_ui->newSecretLabel->text()));
    m_ui->confirmSecretLabel->setText(tr("C&onfirm %1").arg(w.lower));
    m_ui->confirmSecretLineEdit->setAccessibleName(
        withoutMnemonic(m_ui->confirmSecretLabel->text()));
    m_ui->busyProgressBar->hide();

    for (SecretLineEdit *edit : { m_ui->newSecretLineEdit, m_ui->confirmSecretLineEdit })
        connect(edit, &QLineEdit::textChanged, this, &ChangeSecretDialog::revalidate);
    connect(m_ui->newSecretLineEdit, &QLineEdit::editingFinished, this, [this] {
        m_touched |= NewField;
        revalidate();
    });
    connect(m_ui->confirmSecretLineEdit, &QLineEdit::editingFinished, this, [this] {
        m_touched |= NewField | ConfirmField;
        revalidate();
    });
    // Enter in the first field goes on to the second while that is empty; Enter says what is
    // missing (the change button takes it only once both fields agree).
    connect(m_ui->newSecretLineEdit, &QLineEdit::returnPressed, this, [this] {
        m_touched |= NewField;
        revalidate();
        if (!m_ui->newSecretLineEdit->text().isEmpty()
            && m_ui->confirmSecretLineEdit->text().isEmpty())
            m_ui->confirmSecretLineEdit->setFocus(Qt::TabFocusReason);
    });
    connect(m_ui->confirmSecretLineEdit, &QLineEdit::returnPressed, this, [this] {
        m_touched |= NewField | ConfirmField;
        revalidate();
    });

    if (!m_target.ok())
        m_ui->changeMessage->showMessage(InlineMessage::Kind::Error, m_target.problem);
    m_ui->newSecretLineEdit->setFocus();
    revalidate();
}

ChangeSecretDialog::~ChangeSecretDialog()
{
    // Children still emit while they are torn down (editingFinished on losing focus).
    const QList<QObject *> children = findChildren<QObject *>();
    for (QObject *child : children)
        disconnect(child, nullptr, this, nullptr);
}

SecretLineEdit *ChangeSecretDialog::newSecretEdit() const
{
    return m_ui->newSecretLineEdit;
}

SecretLineEdit *ChangeSecretDialog::confirmSecretEdit() const
{
    return m_ui->confirmSecretLineEdit;
}

InlineMessage *ChangeSecretDialog::secretMessage() const
{
    return m_ui->secretMessage;
}

InlineMessage *ChangeSecretDialog::changeMessage() const
{
    return m_ui->changeMessage;
}

QString ChangeSecretDialog::fieldError() const
{
    const Words w = words(m_kind);
    const QString typed = m_ui->newSecretLineEdit->text();
    const QString confirmed = m_ui->confirmSecretLineEdit->text();
    if ((m_touched & NewField) && typed.isEmpty())
        return tr("Enter the new %1.").arg(w.lower);
    if ((m_touched & ConfirmField) && confirmed.isEmpty())
        return tr("Enter the new %1 again to confirm it.").arg(w.lower);
    if ((m_touched & ConfirmField) && typed != confirmed)
        return tr("The two entries differ: type the same %1 in both fields.").arg(w.lower);
    return {};
}

void ChangeSecretDialog::revalidate()
{
    m_ui->secretMessage->showMessage(InlineMessage::Kind::Error, fieldError());
    const QString typed = m_ui->newSecretLineEdit->text();
    m_change->setEnabled(!m_changing && m_target.ok() && !typed.isEmpty()
        && typed == m_ui->confirmSecretLineEdit->text());
}

void ChangeSecretDialog::setChanging(bool changing)
{
    m_changing = changing;
    m_ui->newSecretLineEdit->setEnabled(!changing);
    m_ui->confirmSecretLineEdit->setEnabled(!changing);
    m_cancel->setEnabled(!changing);
    m_ui->busyProgressBar->setVisible(changing);
    if (changing) {
        const Words w = words(m_kind);
        const int count = int(m_target.connectors.size());
        m_ui->changeMessage->showMessage(InlineMessage::Kind::Information,
            count == 1 ? tr("Changing the %1 of “%2”…")
                             .arg(w.lower, Text::inert(m_target.connectors.first().name))
                       : tr("Changing the %1 of %2 connectors…").arg(w.lower).arg(count));
    }
    revalidate();
}

void ChangeSecretDialog::startChange()
{
    const QString secret = m_ui->newSecretLineEdit->text();
    if (m_changing || !m_target.ok())
        return;
    if (secret.isEmpty() || secret != m_ui->confirmSecretLineEdit->text()) {
        m_touched = NewField | ConfirmField;
        revalidate();
        return;
    }
    QList<QUuid> ids;
    QHash<QUuid, QDateTime> asShown; // refused if any changed since the dialog listed it
    for (const Connector &c : std::as_const(m_target.connectors)) {
        ids.append(c.id);
        asShown.insert(c.id, c.updatedAt);
    }
    setChanging(true);
    QPointer<ChangeSecretDialog> self(this);
    m_repository->rotateSecret(
        ids, secret,
        [self](const RepositoryResult &r) {
            if (!self)
                return;
            self->setChanging(false);
            if (!r.ok) {
                // Everything typed stays; the connector whose write failed is pointed at.
                self->m_ui->changeMessage->showMessage(InlineMessage::Kind::Error, r.error);
                for (int row = 0; row < self->m_target.connectors.size(); ++row) {
                    if (self->m_target.connectors.at(row).id == r.id)
                        self->m_ui->connectorsListWidget->setCurrentRow(row);
                }
                self->m_ui->newSecretLineEdit->setFocus(Qt::OtherFocusReason);
                return;
            }
            self->m_ui->changeMessage->clear();
            Q_EMIT self->changed(r.changed);
            self->accept();
        },
        asShown);
}

QString ChangeSecretDialog::changedText(bool checking) const
{
    const Words w = words(m_kind);
    const int count = int(m_target.connectors.size());
    if (count == 1) {
        const QString name = Text::inert(m_target.connectors.first().name);
        return checking
            ? tr("Changed the %1 of “%2”; checking it again.").arg(w.lower, name)
            : tr("Changed the %1 of “%2”: it is not verified until it is checked again.")
                  .arg(w.lower, name);
    }
    return checking
        ? tr("Changed the %1 of %2 connectors; checking them again.").arg(w.lower).arg(count)
        : tr("Changed the %1 of %2 connectors: they are not verified until they are "
             "checked again.")
              .arg(w.lower)
              .arg(count);
}

void ChangeSecretDialog::reject()
{
    if (m_changing)
        return; // the keychain is answering; its timeout bounds the wait
    QDialog::reject();
}

void ChangeSecretDialog::done(int result)
{
    // No secret stays in a closed dialog's widgets (nor in their undo history).
    m_ui->newSecretLineEdit->clearSecret();
    m_ui->confirmSecretLineEdit->clearSecret();
    m_touched = 0;
    QDialog::done(result);
}

} // namespace cd::ui
