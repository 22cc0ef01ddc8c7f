#pragma once

#include <QString>

namespace cd::Paths {

// The data directory: the --data-dir option if given, else $CONNECTOR_DESK_DATA_DIR, else
// QStandardPaths::AppDataLocation. Returned as an absolute, clean path; not created here.
QString dataDir(const QString &commandLineValue = QString());

} // namespace cd::Paths
