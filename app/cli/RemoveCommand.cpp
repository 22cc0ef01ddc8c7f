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
        const std::optional<Connector> c = s.loadNamed(name(), args);
        if (!c)
            return ExitUsage;
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
