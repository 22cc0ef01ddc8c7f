#include "Command.h"
#include "Session.h"

#include <QCommandLineParser>

namespace cd::cli {

namespace {

// --json: the connector as it is now, as `list --json` prints it (an array of one).
int printResult(Session &s, const QUuid &id, const QCommandLineParser &parser)
{
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        if (const std::optional<Connector> c = s.repository.find(id))
            array.append(connectorJson(*c));
        printJson(array);
    }
    return ExitOk;
}

// Changes a connector's scope. The repository marks it "not verified" (the last check was of
// the old scope) unless its credentials were rejected, which stays; nothing is read from the
// keychain and nothing is sent.
class EditCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("edit"); }
    QString help() const override
    {
        return tr("  edit NAME (--project KEY... | --no-projects) [--json]\n"
                  "                                    Change a connector's scope: --project\n"
                  "                                    replaces it, --no-projects clears it.\n"
                  "                                    Sends nothing; the connector is not\n"
                  "                                    verified until the next validate.\n");
    }
    QList<QCommandLineOption> options() const override
    {
        return { projectOption(),
            { QStringLiteral("no-projects"), tr("edit: clear the connector's scope.") },
            jsonOption() };
    }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        const bool replace = parser.isSet(QStringLiteral("project"));
        const bool clear = parser.isSet(QStringLiteral("no-projects"));
        if (args.size() != 1)
            return usage(tr("edit needs exactly one connector name."));
        if (replace && clear) {
            err() << tr("--project and --no-projects do not go together: --project replaces the "
                        "scope, --no-projects clears it.")
                  << Qt::endl;
            return ExitUsage;
        }
        if (!replace && !clear)
            return usage(tr("edit needs something to change (--project or --no-projects):"));
        QStringList projects;
        if (replace) {
            if (const QString problem
                = projectsFromOption(parser.values(QStringLiteral("project")), &projects);
                !problem.isEmpty()) {
                err() << problem << Qt::endl;
                return ExitUsage;
            }
        }
        if (!s.load())
            return ExitUsage;
        const std::optional<Connector> found = s.findByName(args.first());
        if (!found) {
            err() << tr("No connector named \"%1\".").arg(args.first()) << Qt::endl;
            return ExitUsage;
        }
        if (found->projects == projects) {
            err() << (projects.isEmpty()
                    ? tr("\"%1\" has no projects: nothing changed.").arg(found->name)
                    : tr("\"%1\" already has these projects: nothing changed.").arg(found->name))
                  << Qt::endl;
            return printResult(s, found->id, parser);
        }
        // The copy as loaded: if another process changes the connector before this write, the
        // repository refuses it instead of undoing their change.
        Connector changed = *found;
        changed.projects = projects;
        const RepositoryResult r = s.wait([&](RepositoryCallback done) {
            s.repository.update(changed, std::nullopt, std::move(done));
        });
        if (!r.ok) {
            err() << r.error << Qt::endl;
            return s.failureCode();
        }
        if (!r.warning.isEmpty())
            err() << tr("Warning: %1").arg(r.warning) << Qt::endl;
        err() << (projects.isEmpty()
                ? tr("Updated \"%1\": no projects (not scoped).").arg(found->name)
                : tr("Updated \"%1\": projects %2.")
                      .arg(found->name, projects.join(QLatin1String(", "))))
              << Qt::endl
              << tr("Not checked: run \"validate %1\" to check the new scope.").arg(found->name)
              << Qt::endl;
        return printResult(s, found->id, parser);
    }

private:
    // The problem, then this command's help (this program's own layout: printed as it is).
    int usage(const QString &problem) const
    {
        err() << problem << '\n' << help().toUtf8().constData();
        err().flush();
        return ExitUsage;
    }
};

} // namespace

std::unique_ptr<Command> makeEditCommand()
{
    return std::make_unique<EditCommand>();
}

} // namespace cd::cli
