#pragma once

#include "CommandLine.h"

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace cd::cli {

// The console commands (list, add, validate, export, import, remove). Each runs on the
// QCoreApplication's event loop through the same core code the window uses (repository,
// keychain store, validation queue) and returns an ExitCode.
class Commands
{
public:
    // The subcommand names, in the order of the help text.
    static QStringList names();
    // Options (long names) each command accepts besides the global ones.
    static QStringList optionsOf(const QString &command);
    // The help text's command section.
    static QString helpText();

    // `args` are the positional arguments after the command name.
    static int run(const QString &command, const QStringList &args,
        const QCommandLineParser &parser, const GlobalOptions &options);
};

} // namespace cd::cli
