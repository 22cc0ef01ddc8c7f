#pragma once

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace cd::cli {

// Options every mode understands.
struct GlobalOptions
{
    QString dataDir; // resolved data directory (see Paths::dataDir)
    bool verbose = false;
};

// True when the arguments ask for something that needs no window: --version, --help or a
// subcommand. Decided on raw argv, before any QCoreApplication exists, so that those paths
// never create a QGuiApplication (and so work with no display).
bool wantsConsole(int argc, char **argv);

// The console path. Needs a QCoreApplication. Returns the process exit code.
int runConsole(const QStringList &arguments);

// The GUI path's parsing: fills `options`; on a usage error returns false and sets `error`.
bool parseGuiArguments(const QStringList &arguments, GlobalOptions *options, QString *error);

// Exit codes of the command line (a stable interface, documented in the README).
enum ExitCode {
    ExitOk = 0,
    ExitValidationFailed = 1,
    ExitUsage = 2,
    ExitNetwork = 3,
    ExitKeychain = 4,
};

} // namespace cd::cli
