#include "Command.h"
#include "Session.h"

#include <QCommandLineParser>

namespace cd::cli {

namespace {

class RemoveCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("remove"); }
    QString help() const override
    {
        return tr("  remove NAME                       Remove a connector and its secret.\n");
    }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        Q_UNUSED(parser);
        if (args.size() != 1) {
            err() << tr("remove needs exactly one connector name.") << Qt::endl;
            return ExitUsage;
        }
        if (!s.load())
            return ExitUsage;
        const std::optional<Connector> c = s.findByName(args.first());
        if (!c) {
            err() << tr("No connector named \"%1\".").arg(args.first()) << Qt::endl;
            return ExitUsage;
        }
        const RepositoryResult r
            = s.wait([&](RepositoryCallback done) { s.repository.remove(c->id, std::move(done)); });
        if (!r.ok) {
            err() << r.error << Qt::endl;
            return s.failureCode();
        }
        if (!r.warning.isEmpty())
            err() << tr("Warning: %1").arg(r.warning) << Qt::endl;
        err() << tr("Removed \"%1\" and its secret.").arg(c->name) << Qt::endl;
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<Command> makeRemoveCommand()
{
    return std::make_unique<RemoveCommand>();
}

} // namespace cd::cli
