#include "Paths.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
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

bool makePrivateDir(const QString &dir)
{
    if (!QDir().mkpath(dir))
        return false;
#if !defined(Q_OS_WIN)
    QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
#endif
    return true;
}

bool writePrivateFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    bool ok = file.open(QIODevice::WriteOnly);
#if !defined(Q_OS_WIN)
    // The temporary file takes the mode of the file it replaces (or 0666 less the umask):
    // narrow it before a byte is written, so the data is never readable by others.
    ok = ok && file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
#endif
    ok = ok && file.write(data) == data.size();
    ok = ok && file.commit();
    if (!ok) {
        *error = file.errorString();
        file.cancelWriting();
    }
    return ok;
}

} // namespace cd::Paths
