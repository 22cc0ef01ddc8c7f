#include "Paths.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#if !defined(Q_OS_WIN)
#include <sys/stat.h>
#endif
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
    // Group and others lose their access; the owner's bits stay as they are (a folder the
    // owner made read-only stays read-only, and is reported as such).
    const QByteArray path = QFile::encodeName(dir);
    struct stat st;
    if (::stat(path.constData(), &st) == 0 && (st.st_mode & 077) != 0)
        ::chmod(path.constData(), st.st_mode & 0700);
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
