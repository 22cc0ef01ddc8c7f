#pragma once

#include "CommandLine.h"

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace cd::cli {

class Command;

// The console commands (list, add, edit, validate, export, import, set-secret, remove): one
// class each (see Command.h), run on the QCoreApplication's event loop through the same core
// objects the window uses (AppContext).
namespace Commands {

// In the order of the help text.
QList<const Command *> all();
const Command *find(const QString &name);
QStringList names();
// Every command's options, once per name (for the one parser of the command line).
QList<QCommandLineOption> allOptions();
// Option names `command` accepts besides the global ones.
QStringList optionsOf(const QString &command);
// The help text's command section, and the exit codes.
QString helpText();
int run(const QString &command, const QStringList &args, const QCommandLineParser &parser,
    const GlobalOptions &options);

} // namespace Commands

} // namespace cd::cli
