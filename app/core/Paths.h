#pragma once

#include <QByteArray>
#include <QString>

namespace cd::Paths {

// The data directory: the --data-dir option if given, else $CONNECTOR_DESK_DATA_DIR, else
// QStandardPaths::AppDataLocation. Returned as an absolute, clean path; not created here.
QString dataDir(const QString &commandLineValue = QString());

// Private files. The connectors file and exports name customers' instances and service
// accounts, so on Unix they are readable by their owner only, whatever the umask:
// - makePrivateDir() creates `dir` (and its parents) and sets it to 0700 (an existing one is
//   tightened too);
// - writePrivateFile() writes `data` atomically (QSaveFile: temporary file, then rename) with
//   mode 0600, also when it replaces an existing file with wider permissions.
// On Windows the permission bits do nothing useful: files live in the user's profile, whose
// ACL already keeps other users out.
bool makePrivateDir(const QString &dir);
bool writePrivateFile(const QString &path, const QByteArray &data, QString *error);

} // namespace cd::Paths
