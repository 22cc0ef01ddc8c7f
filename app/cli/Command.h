#pragma once

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>
#include <memory>

class QCommandLineParser;

namespace cd::cli {

class Session;

// One console command (KeePassXC's cli/Command idea): its name, its help, its options and
// what it does live together; the list in Commands.cpp drives --help, option checking and
// dispatch.
class Command
{
public:
    virtual ~Command() = default;

    virtual QString name() const = 0;
    // The help text's entry: usage lines, then what it does (already wrapped).
    virtual QString help() const = 0;
    // Options it accepts besides the global ones. Two commands may share an option name.
    virtual QList<QCommandLineOption> options() const { return {}; }
    // `args` are the positional arguments after the command name. Returns an ExitCode.
    virtual int run(Session &session, const QStringList &args, const QCommandLineParser &parser)
        = 0;
};

std::unique_ptr<Command> makeListCommand();
std::unique_ptr<Command> makeAddCommand();
std::unique_ptr<Command> makeEditCommand();
std::unique_ptr<Command> makeValidateCommand();
std::unique_ptr<Command> makeExportCommand();
std::unique_ptr<Command> makeImportCommand();
std::unique_ptr<Command> makeRemoveCommand();
std::unique_ptr<Command> makeSetSecretCommand();
std::unique_ptr<Command> makeHistoryCommand();

} // namespace cd::cli
