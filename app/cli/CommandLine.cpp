#include "CommandLine.h"

#include "AppInfo.h"
#include "Commands.h"
#include "Log.h"
#include "Paths.h"
#include "Text.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QNetworkProxyFactory>
#include <QTextStream>
#include <cstring>

namespace cd::cli {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("CommandLine", text);
}

// Options that take a value (ours, and Qt's own GUI options), so that their value is not
// mistaken for a subcommand.
bool takesValue(const char *arg)
{
    static const char *const withValue[] = { "--data-dir", "-platform", "-style", "--style",
        "-stylesheet", "-display", "-qwindowgeometry", "-qwindowtitle", "-qwindowicon", "-session",
        "-platformtheme", "-plugin" };
    for (const char *o : withValue) {
        if (std::strcmp(arg, o) == 0)
            return true;
    }
    return false;
}

void addGlobalOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        tr("Connector Desk prepares and verifies Jama Connect Interchange connectors (Jama\n"
           "Connect, Jira Cloud, Jira Data Center).\n"
           "Without a command it opens its window."));
    parser.addOption({ QStringLiteral("data-dir"),
        tr("Keep the connectors (connectors.db) in DIR (default: $CONNECTOR_DESK_DATA_DIR, or the "
           "platform's application data folder)."),
        tr("DIR") });
    parser.addOption(
        { QStringLiteral("verbose"), tr("Log debug messages to stderr (never secrets).") });
    parser.addHelpOption();
    parser.addVersionOption();
}

QStringList globalOptionNames()
{
    return { QStringLiteral("data-dir"), QStringLiteral("verbose") };
}

// Every command's options, in one parser: a global option may come before or after the
// command; runConsole() refuses options that do not belong to the command given.
void addCommandOptions(QCommandLineParser &parser)
{
    parser.addOptions(Commands::allOptions());
}

void fillGlobalOptions(const QCommandLineParser &parser, GlobalOptions *options)
{
    options->verbose = parser.isSet(QStringLiteral("verbose"));
    options->dataDir = Paths::dataDir(parser.value(QStringLiteral("data-dir")));
    if (options->verbose)
        Log::enableVerbose();
}

} // namespace

bool wantsConsole(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!std::strcmp(a, "--version") || !std::strcmp(a, "-v") || !std::strcmp(a, "--help")
            || !std::strcmp(a, "-h") || !std::strcmp(a, "--help-all") || !std::strcmp(a, "-?"))
            return true;
        if (takesValue(a)) {
            ++i;
            continue;
        }
        if (a[0] != '-')
            return true; // a subcommand
    }
    return false;
}

int runConsole(const QStringList &arguments)
{
    QCommandLineParser parser;
    addGlobalOptions(parser);
    addCommandOptions(parser);
    parser.addPositionalArgument(QStringLiteral("command"),
        tr("One of: %1. Without a command the window opens.")
            .arg(Commands::names().join(QLatin1String(", "))),
        tr("[command]"));
    QTextStream err(stderr);
    if (!parser.parse(arguments)) {
        err << Text::inert(parser.errorText()) << Qt::endl
            << tr("Run '%1 --help' for usage.").arg(QStringLiteral("connector-desk")) << Qt::endl;
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << AppInfo::displayName() << ' ' << AppInfo::version() << Qt::endl;
        return ExitOk;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText() << '\n' << Commands::helpText();
        return ExitOk;
    }
    GlobalOptions options;
    fillGlobalOptions(parser, &options);
    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0);
    if (!Commands::names().contains(command)) {
        err << tr("Unknown command '%1'. Run '%2 --help' for usage.")
                   .arg(Text::inert(command), QStringLiteral("connector-desk"))
            << Qt::endl;
        return ExitUsage;
    }
    // Options of another command are a mistake, not something to ignore silently.
    const QStringList allowed = Commands::optionsOf(command) + globalOptionNames();
    for (const QString &name : parser.optionNames()) {
        if (!allowed.contains(name)) {
            err << tr("The option --%1 does not apply to '%2'. Run '%3 --help' for usage.")
                       .arg(name, command, QStringLiteral("connector-desk"))
                << Qt::endl;
            return ExitUsage;
        }
    }
    // Validation honours the system's proxy settings, like the window.
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    return Commands::run(command, positional.mid(1), parser, options);
}

bool parseGuiArguments(const QStringList &arguments, GlobalOptions *options, QString *error)
{
    QCommandLineParser parser;
    addGlobalOptions(parser);
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return false;
    }
    fillGlobalOptions(parser, options);
    return true;
}

} // namespace cd::cli
