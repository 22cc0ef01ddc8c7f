#include "PreferencesDialog.h"

#include "InlineMessage.h"
#include "PlainText.h"
#include "ui_PreferencesDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QPushButton>

namespace cd::ui {

PreferencesDialog::PreferencesDialog(
    const Preferences &current, bool trayAvailable, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::PreferencesDialog>())
    , m_initial(current)
    , m_trayAvailable(trayAvailable)
{
    m_ui->setupUi(this);
    // Wide enough for its notes to read as sentences, not a column (font-relative).
    setMinimumWidth(fontMetrics().averageCharWidth() * 72);
    setObjectName(QStringLiteral("preferencesDialog"));
    setWindowModality(Qt::WindowModal);

    QComboBox *combo = m_ui->recheckComboBox;
    for (int hours : Preferences::kRecheckChoices) {
        const QString text = hours == 0 ? tr("Off")
            : hours == 1                ? tr("Every hour")
                                        : tr("Every %n hours", nullptr, hours);
        combo->addItem(text, hours);
    }
    const int index = combo->findData(current.recheckHours);
    combo->setCurrentIndex(index >= 0 ? index : combo->findData(Preferences().recheckHours));

    m_ui->notifyCheckBox->setChecked(current.notifyOnProblems);
    m_ui->keepInTrayCheckBox->setChecked(current.keepRunningInTray && trayAvailable);
    m_ui->keepInTrayCheckBox->setEnabled(trayAvailable);
    m_ui->trayNoteLabel->setText(trayAvailable
            ? tr("Connector Desk then keeps checking and notifying; quit it from the tray "
                 "icon's menu.")
            : tr("This desktop has no system tray, so closing the window quits Connector Desk. "
                 "Notifications appear in the window."));

    m_message = new InlineMessage(this);
    m_message->setObjectName(QStringLiteral("saveMessage"));
    m_ui->dialogLayout->insertWidget(m_ui->dialogLayout->indexOf(m_ui->buttonBox), m_message);

    QPushButton *ok = m_ui->buttonBox->button(QDialogButtonBox::Ok);
    ok->setObjectName(QStringLiteral("okPushButton"));
    ok->setAccessibleName(withoutMnemonic(ok->text()));
    ok->setDefault(true);
    QPushButton *cancel = m_ui->buttonBox->button(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelPushButton"));
    cancel->setAccessibleName(withoutMnemonic(cancel->text()));
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &PreferencesDialog::apply);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
    combo->setFocus(Qt::OtherFocusReason);
}

PreferencesDialog::~PreferencesDialog() = default;

Preferences PreferencesDialog::preferences() const
{
    Preferences p = m_initial;
    p.recheckHours = m_ui->recheckComboBox->currentData().toInt();
    p.notifyOnProblems = m_ui->notifyCheckBox->isChecked();
    // Without a tray the stored choice stays as it was (it applies again on a desktop with one).
    if (m_trayAvailable)
        p.keepRunningInTray = m_ui->keepInTrayCheckBox->isChecked();
    return p;
}

QComboBox *PreferencesDialog::recheckComboBox() const
{
    return m_ui->recheckComboBox;
}

QCheckBox *PreferencesDialog::notifyCheckBox() const
{
    return m_ui->notifyCheckBox;
}

QCheckBox *PreferencesDialog::keepInTrayCheckBox() const
{
    return m_ui->keepInTrayCheckBox;
}

void PreferencesDialog::apply()
{
    const Preferences p = preferences();
    const QString error = p.save();
    if (!error.isEmpty()) {
        // Kept open with the choices made: nothing is lost, the user can fix and try again.
        m_message->showMessage(InlineMessage::Kind::Error, error);
        return;
    }
    Q_EMIT applied(p);
    accept();
}

InlineMessage *PreferencesDialog::saveMessage() const
{
    return m_message;
}

} // namespace cd::ui
