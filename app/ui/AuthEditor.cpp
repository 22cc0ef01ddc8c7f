#include "AuthEditor.h"

#include "InlineMessage.h"
#include "PlainText.h"
#include "SecretLineEdit.h"
#include "ui_AuthEditor.h"

#include <QDesktopServices>
#include <QFont>
#include <QPalette>
#include <QToolButton>
#include <QUrl>

namespace cd::ui {

QString AuthEditor::camelCase(const QString &id)
{
    const QStringList parts = id.split(QLatin1Char('-'), Qt::SkipEmptyParts);
    QString out = parts.value(0);
    for (int i = 1; i < parts.size(); ++i)
        out += parts.at(i).left(1).toUpper() + parts.at(i).mid(1);
    return out;
}

AuthEditor::AuthEditor(const AuthMethod &method, QWidget *parent)
    : QWidget(parent)
    , m_method(method)
    , m_ui(std::make_unique<Ui::AuthEditor>())
{
    m_ui->setupUi(this);
    setObjectName(camelCase(method.id) + QStringLiteral("AuthEditor"));

    if (method.hasIdentity()) {
        const QString name = method.identityKey;
        m_ui->identityLabel->setText(method.identityLabel);
        m_ui->identityLabel->setObjectName(name + QStringLiteral("Label"));
        m_ui->identityLineEdit->setObjectName(name + QStringLiteral("LineEdit"));
        m_ui->identityLineEdit->setAccessibleName(withoutMnemonic(method.identityLabel));
        m_ui->identityLineEdit->setPlaceholderText(method.identityPlaceholder);
        m_ui->identityMessage->setObjectName(name + QStringLiteral("Message"));
        connect(m_ui->identityLineEdit, &QLineEdit::textChanged, this, &AuthEditor::changed);
    } else {
        // No row at all: a hidden field would still be a Tab stop for some styles.
        m_ui->formLayout->removeRow(m_ui->identityMessage);
        m_ui->formLayout->removeRow(m_ui->identityLineEdit);
        m_ui->identityLabel = nullptr;
        m_ui->identityLineEdit = nullptr;
        m_ui->identityMessage = nullptr;
    }

    const QString secretName = camelCase(method.secretKeySuffix);
    m_ui->secretLabel->setText(method.secretLabel);
    m_ui->secretLabel->setObjectName(secretName + QStringLiteral("Label"));
    m_ui->secretLineEdit->setObjectName(secretName + QStringLiteral("LineEdit"));
    m_ui->secretLineEdit->setAccessibleName(withoutMnemonic(method.secretLabel));
    m_ui->secretMessage->setObjectName(secretName + QStringLiteral("Message"));
    connect(m_ui->secretLineEdit, &QLineEdit::textChanged, this, &AuthEditor::changed);
    connect(
        m_ui->secretLineEdit, &SecretLineEdit::revealRequested, this, &AuthEditor::revealRequested);

    if (method.helpText.isEmpty()) {
        m_ui->formLayout->removeRow(m_ui->helpLabel);
        m_ui->helpLabel = nullptr;
    } else {
        m_ui->helpLabel->setText(method.helpText);
    }

    if (method.helpLinkText.isEmpty()) {
        m_ui->formLayout->removeRow(m_ui->credentialsHelpButton);
        m_ui->credentialsHelpButton = nullptr;
    } else {
        // A button, not a link in a label: one Tab stop with a visible focus frame (a label
        // with a link takes two, the first one invisible), Space or Enter opens it.
        QToolButton *link = m_ui->credentialsHelpButton;
        const QUrl help = method.helpLink;
        link->setText(method.helpLinkText);
        link->setAccessibleName(method.helpLinkText);
        link->setToolTip(help.toString());
        link->setCursor(Qt::PointingHandCursor);
        QFont font = link->font();
        font.setUnderline(true);
        link->setFont(font);
        QPalette palette = link->palette();
        palette.setColor(QPalette::ButtonText, palette.color(QPalette::Link));
        link->setPalette(palette);
        connect(link, &QAbstractButton::clicked, this, [help] { QDesktopServices::openUrl(help); });
    }
}

AuthEditor::~AuthEditor() = default;

void AuthEditor::load(const QString &identity, bool secretStored)
{
    if (m_ui->identityLineEdit)
        m_ui->identityLineEdit->setText(identity);
    m_ui->secretLineEdit->clearSecret();
    m_ui->secretLineEdit->setStoredSecretAvailable(secretStored);
}

QString AuthEditor::identity() const
{
    return m_ui->identityLineEdit ? m_ui->identityLineEdit->text().trimmed() : QString();
}

std::optional<QString> AuthEditor::newSecret() const
{
    return m_ui->secretLineEdit->newSecret();
}

void AuthEditor::clear()
{
    if (m_ui->identityLineEdit)
        m_ui->identityLineEdit->setText(QString()); // clears the undo history too
    m_ui->secretLineEdit->clearSecret();
    m_ui->secretLineEdit->setStoredSecretAvailable(false);
    setErrors({}, {});
}

void AuthEditor::setErrors(const QString &identityError, const QString &secretError)
{
    if (m_ui->identityMessage)
        m_ui->identityMessage->showMessage(InlineMessage::Kind::Error, identityError);
    m_ui->secretMessage->showMessage(InlineMessage::Kind::Error, secretError);
}

void AuthEditor::setRevealedSecret(const QString &secret)
{
    m_ui->secretLineEdit->setRevealedSecret(secret);
}

QLineEdit *AuthEditor::identityEdit() const
{
    return m_ui->identityLineEdit;
}

SecretLineEdit *AuthEditor::secretEdit() const
{
    return m_ui->secretLineEdit;
}

QList<QLabel *> AuthEditor::labels() const
{
    QList<QLabel *> list;
    if (m_ui->identityLabel)
        list << m_ui->identityLabel;
    list << m_ui->secretLabel;
    return list;
}

QList<QWidget *> AuthEditor::focusChain() const
{
    QList<QWidget *> chain;
    if (m_ui->identityLineEdit)
        chain << m_ui->identityLineEdit;
    chain << m_ui->secretLineEdit;
    if (m_ui->credentialsHelpButton)
        chain << m_ui->credentialsHelpButton;
    return chain;
}

} // namespace cd::ui
