#include "TestSupport.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>

namespace cd::test {

ProcessResult runProcess(const QString &program, const QStringList &arguments,
    const QByteArray &input, const QProcessEnvironment &env, int timeoutMs)
{
    ProcessResult r;
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, arguments);
    if (!p.waitForStarted(10000))
        return r;
    r.started = true;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.crashed = true;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitCode();
    if (p.exitStatus() == QProcess::CrashExit)
        r.crashed = true;
    return r;
}

QString appBinary()
{
    return qEnvironmentVariable("CONNECTOR_DESK_BINARY");
}

QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
        QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        if (f.readAll().contains(needle))
            hits << path;
    }
    return hits;
}

bool secretServiceAvailable()
{
    const ProcessResult r = runProcess(QStringLiteral("dbus-send"),
        { QStringLiteral("--session"), QStringLiteral("--print-reply"),
            QStringLiteral("--dest=org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
            QStringLiteral("org.freedesktop.DBus.NameHasOwner"),
            QStringLiteral("string:org.freedesktop.secrets") },
        {}, QProcessEnvironment::systemEnvironment(), 10000);
    return r.exitCode == 0 && r.out.contains("boolean true");
}

} // namespace cd::test
