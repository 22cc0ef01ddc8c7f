#include "AuthEditor.h"

#include "InlineMessage.h"
#include "SecretLineEdit.h"
#include "ui_BasicAuthEditor.h"
#include "ui_OAuthEditor.h"

#include <QDesktopServices>
#include <QFont>
#include <QPalette>
#include <QToolButton>
#include <QUrl>

namespace cd::ui {

void AuthEditor::wire(QLineEdit *identity, InlineMessage *identityMessage, SecretLineEdit *secret,
    InlineMessage *secretMessage, const QList<QLabel *> &labels, QWidget *last)
{
    m_identity = identity;
    m_identityMessage = identityMessage;
    m_secret = secret;
    m_secretMessage = secretMessage;
    m_labels = labels;
    m_last = last ? last : secret;
    connect(m_identity, &QLineEdit::textChanged, this, &AuthEditor::changed);
    connect(m_secret, &QLineEdit::textChanged, this, &AuthEditor::changed);
    connect(m_secret, &SecretLineEdit::revealRequested, this, &AuthEditor::revealRequested);
}

void AuthEditor::load(const QString &identity, bool secretStored)
{
    m_identity->setText(identity);
    m_secret->clearSecret();
    m_secret->setStoredSecretAvailable(secretStored);
}

QString AuthEditor::identity() const
{
    return m_identity->text().trimmed();
}

std::optional<QString> AuthEditor::newSecret() const
{
    return m_secret->newSecret();
}

void AuthEditor::clear()
{
    m_identity->setText(QString()); // clears the undo history too
    m_secret->clearSecret();
    m_secret->setStoredSecretAvailable(false);
    setErrors({}, {});
}

void AuthEditor::setErrors(const QString &identityError, const QString &secretError)
{
    m_identityMessage->showMessage(InlineMessage::Kind::Error, identityError);
    m_secretMessage->showMessage(InlineMessage::Kind::Error, secretError);
}

void AuthEditor::setRevealedSecret(const QString &secret)
{
    m_secret->setRevealedSecret(secret);
}

QWidget *AuthEditor::lastFocusWidget() const
{
    return m_last;
}

BasicAuthEditor::BasicAuthEditor(QWidget *parent)
    : AuthEditor(parent)
    , m_ui(std::make_unique<Ui::BasicAuthEditor>())
{
    m_ui->setupUi(this);
    wire(m_ui->usernameLineEdit, m_ui->usernameMessage, m_ui->passwordLineEdit,
        m_ui->passwordMessage, { m_ui->usernameLabel, m_ui->passwordLabel });
}

BasicAuthEditor::~BasicAuthEditor() = default;

OAuthEditor::OAuthEditor(const QUrl &help, QWidget *parent)
    : AuthEditor(parent)
    , m_ui(std::make_unique<Ui::OAuthEditor>())
{
    m_ui->setupUi(this);
    // A button, not a link in a label: one Tab stop with a visible focus frame (a label with a
    // link takes two, the first one invisible), Space or Enter opens it.
    QToolButton *link = m_ui->credentialsHelpButton;
    link->setToolTip(help.toString());
    link->setCursor(Qt::PointingHandCursor);
    QFont font = link->font();
    font.setUnderline(true);
    link->setFont(font);
    QPalette palette = link->palette();
    palette.setColor(QPalette::ButtonText, palette.color(QPalette::Link));
    link->setPalette(palette);
    connect(m_ui->credentialsHelpButton, &QAbstractButton::clicked, this,
        [help] { QDesktopServices::openUrl(help); });
    wire(m_ui->clientIdLineEdit, m_ui->clientIdMessage, m_ui->clientSecretLineEdit,
        m_ui->clientSecretMessage, { m_ui->clientIdLabel, m_ui->clientSecretLabel },
        m_ui->credentialsHelpButton);
}

OAuthEditor::~OAuthEditor() = default;

} // namespace cd::ui
