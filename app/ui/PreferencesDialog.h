#pragma once

#include "Preferences.h"

#include <QDialog>
#include <memory>

class QComboBox;
class QCheckBox;

namespace Ui {
class PreferencesDialog;
}

namespace cd::ui {

class InlineMessage;

// "Preferences": how often connectors are re-checked, notifications, the tray. OK saves them
// (QSettings) and reports them through applied(); Cancel changes nothing. Open it with
// open(), never exec().
class PreferencesDialog : public QDialog
{
    Q_OBJECT
public:
    // `trayAvailable`: whether this desktop has a system tray (the tray choice needs one).
    PreferencesDialog(const Preferences &current, bool trayAvailable, QWidget *parent = nullptr);
    ~PreferencesDialog() override;

    // What the dialog shows now.
    Preferences preferences() const;

    QComboBox *recheckComboBox() const;
    QCheckBox *notifyCheckBox() const;
    QCheckBox *keepInTrayCheckBox() const;
    // Why OK could not save (the dialog then stays open).
    InlineMessage *saveMessage() const;

Q_SIGNALS:
    void applied(const cd::ui::Preferences &preferences);

private:
    void apply();

    std::unique_ptr<Ui::PreferencesDialog> m_ui;
    Preferences m_initial;
    InlineMessage *m_message = nullptr;
    bool m_trayAvailable;
};

} // namespace cd::ui
