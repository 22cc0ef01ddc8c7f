#include "Commands.h"

#include "Command.h"
#include "Log.h"
#include "Session.h"

#include <QSet>
#include <vector>

namespace cd::cli::Commands {

namespace {

const std::vector<std::unique_ptr<Command>> &commands()
{
    static const std::vector<std::unique_ptr<Command>> list = [] {
        std::vector<std::unique_ptr<Command>> built;
        built.push_back(makeListCommand());
        built.push_back(makeAddCommand());
        built.push_back(makeEditCommand());
        built.push_back(makeValidateCommand());
        built.push_back(makeHistoryCommand());
        built.push_back(makeExportCommand());
        built.push_back(makeImportCommand());
        built.push_back(makeSetSecretCommand());
        built.push_back(makeRemoveCommand());
        return built;
    }();
    return list;
}

Command *lookup(const QString &name)
{
    for (const auto &c : commands()) {
        if (c->name() == name)
            return c.get();
    }
    return nullptr;
}

} // namespace

QList<const Command *> all()
{
    QList<const Command *> list;
    for (const auto &c : commands())
        list.append(c.get());
    return list;
}

const Command *find(const QString &name)
{
    return lookup(name);
}

QStringList names()
{
    QStringList list;
    for (const auto &c : commands())
        list << c->name();
    return list;
}

QList<QCommandLineOption> allOptions()
{
    QList<QCommandLineOption> list;
    QSet<QString> seen;
    for (const auto &c : commands()) {
        for (const QCommandLineOption &o : c->options()) {
            if (!seen.contains(o.names().constFirst())) {
                seen.insert(o.names().constFirst());
                list.append(o);
            }
        }
    }
    return list;
}

QStringList optionsOf(const QString &command)
{
    QStringList list;
    if (const Command *c = find(command)) {
        for (const QCommandLineOption &o : c->options())
            list << o.names();
    }
    return list;
}

QString helpText()
{
    QString text = tr("Commands:\n");
    for (const auto &c : commands())
        text += c->help();
    text += tr("\n"
               "Exit codes: 0 success (warnings on stderr), 1 validation failed, 2 usage or bad\n"
               "input, 3 network unreachable or timed out, 4 keychain unavailable.\n");
    return text;
}

int run(const QString &command, const QStringList &args, const QCommandLineParser &parser,
    const GlobalOptions &options)
{
    Command *c = lookup(command);
    if (!c)
        return ExitUsage;
    qCDebug(lcCli).noquote() << "command" << command << "data dir" << options.dataDir;
    Session session(options);
    const int code = c->run(session, args, parser);
    out().flush();
    err().flush();
    return code;
}

} // namespace cd::cli::Commands
