#pragma once

#include <QString>

class QCoreApplication;

namespace cd {

// Identity of the application, shared by the GUI and the command line.
namespace AppInfo {
QString version();
QString displayName();
QString appId();
QString qtKeychainVersion();
// Sets organisation/application names so QSettings and QStandardPaths agree everywhere.
void setUp();
} // namespace AppInfo

} // namespace cd
