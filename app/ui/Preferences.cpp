#include "Preferences.h"

#include <QCoreApplication>
#include <QDir>
#include <QSettings>
#include <algorithm>
#include <iterator>

namespace cd::ui {

namespace {
const char *const kRecheckKey = "preferences/recheckHours";
const char *const kNotifyKey = "preferences/notifyOnProblems";
const char *const kTrayKey = "preferences/keepRunningInTray";

bool readBool(const QSettings &s, const char *key, bool fallback)
{
    const QVariant v = s.value(QLatin1String(key));
    return v.isValid() && v.canConvert<bool>() ? v.toBool() : fallback;
}
} // namespace

bool Preferences::isRecheckChoice(int hours)
{
    return std::find(std::begin(kRecheckChoices), std::end(kRecheckChoices), hours)
        != std::end(kRecheckChoices);
}

Preferences Preferences::load()
{
    const QSettings s;
    Preferences p;
    bool ok = false;
    const int hours = s.value(QLatin1String(kRecheckKey)).toInt(&ok);
    if (ok && isRecheckChoice(hours)) // a hand-edited "7" or "banana" reads as the default
        p.recheckHours = hours;
    p.notifyOnProblems = readBool(s, kNotifyKey, p.notifyOnProblems);
    p.keepRunningInTray = readBool(s, kTrayKey, p.keepRunningInTray);
    return p;
}

QString Preferences::save() const
{
    QSettings s;
    s.setValue(QLatin1String(kRecheckKey), recheckHours);
    s.setValue(QLatin1String(kNotifyKey), notifyOnProblems);
    s.setValue(QLatin1String(kTrayKey), keepRunningInTray);
    s.sync();
    switch (s.status()) {
    case QSettings::NoError:
        return {};
    case QSettings::AccessError:
        return QCoreApplication::translate("Preferences",
            "The preferences could not be saved: %1 cannot be written. Check that folder's "
            "permissions and the free space, then try again.")
            .arg(QDir::toNativeSeparators(s.fileName()));
    case QSettings::FormatError:
        break;
    }
    return QCoreApplication::translate("Preferences",
        "The preferences could not be saved: %1 is not a settings file Connector Desk can "
        "read. Move it aside, then try again.")
        .arg(QDir::toNativeSeparators(s.fileName()));
}

} // namespace cd::ui
