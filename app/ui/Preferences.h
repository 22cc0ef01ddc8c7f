#pragma once

#include <QtGlobal>

namespace cd::ui {

// The settings of the Preferences dialog (issue 16), kept in QSettings under "preferences/".
// Missing or unreadable values read as the defaults; nothing here is a secret.
struct Preferences
{
    // Re-check healthy connectors every this many hours: 0 (off), 1, 6 or 24 (the default).
    int recheckHours = 24;
    // A desktop notification when a connector that worked stops working.
    bool notifyOnProblems = true;
    // Closing the window keeps Connector Desk running in the tray (where there is one).
    bool keepRunningInTray = false;

    // The choices the dialog offers, in its order.
    static constexpr int kRecheckChoices[] = { 0, 1, 6, 24 };
    static bool isRecheckChoice(int hours);
    qint64 recheckIntervalMs() const { return qint64(recheckHours) * 60 * 60 * 1000; }

    static Preferences load();
    // Writes them and makes sure they reached the settings file; the reason when not.
    QString save() const;

    bool operator==(const Preferences &o) const
    {
        return recheckHours == o.recheckHours && notifyOnProblems == o.notifyOnProblems
            && keepRunningInTray == o.keepRunningInTray;
    }
    bool operator!=(const Preferences &o) const { return !(*this == o); }
};

} // namespace cd::ui
