#include "Paths.h"

#include <QDir>
#include <QStandardPaths>

namespace cd::Paths {

QString dataDir(const QString &commandLineValue)
{
    QString dir = commandLineValue;
    if (dir.isEmpty())
        dir = qEnvironmentVariable("CONNECTOR_DESK_DATA_DIR");
    if (dir.isEmpty())
        dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir::cleanPath(QDir(dir).absolutePath());
}

} // namespace cd::Paths
