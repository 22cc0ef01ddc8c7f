#include "Applications.h"
#include "Command.h"
#include "ConnectorStore.h"
#include "History.h"
#include "Session.h"

#include <QCommandLineParser>
#include <algorithm>

namespace cd::cli {

namespace {

class ListCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("list"); }
    QString help() const override
    {
        return tr("  list [--json]                     List the connectors.\n");
    }
    QList<QCommandLineOption> options() const override { return { jsonOption() }; }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        if (!args.isEmpty()) {
            err() << tr("list takes no arguments.") << Qt::endl;
            return ExitUsage;
        }
        if (!s.load())
            return ExitUsage;
        const QList<Connector> &all = s.repository.connectors();
        if (parser.isSet(QStringLiteral("json"))) {
            // Since when each one's status holds: every history in one SELECT.
            QString historyError;
            const QHash<QUuid, QList<HistoryEntry>> histories
                = s.repository.histories(&historyError);
            if (!historyError.isEmpty()) // "statusSince" is then null
                err() << tr("Warning: %1").arg(historyError) << Qt::endl;
            QJsonArray array;
            for (const Connector &c : all) {
                QJsonObject o = connectorJson(c);
                o.insert(QLatin1String("statusSince"),
                    isoOrNull(statusRun(histories.value(c.id), c.validation).since));
                array.append(o);
            }
            printJson(array);
            return ExitOk;
        }
        if (all.isEmpty()) {
            err() << tr("No connectors in %1.").arg(s.context.store()->filePath()) << Qt::endl;
            return ExitOk;
        }
        // A PROJECTS column only when some connector has a scope: the table stays as narrow
        // as before for those that have none (the full lists: --json).
        const bool scoped = std::any_of(
            all.cbegin(), all.cend(), [](const Connector &c) { return !c.projects.isEmpty(); });
        QList<QStringList> rows;
        QStringList header { tr("NAME"), tr("APPLICATION"), tr("URL"), tr("AUTH"), tr("IDENTITY") };
        if (scoped)
            header << tr("PROJECTS");
        rows.append(header << tr("STATUS"));
        for (const Connector &c : all) {
            QStringList row { c.name, Applications::displayName(c.application), c.url,
                Applications::authDisplayName(c.application, c.authType), c.identity };
            if (scoped)
                row << c.projects.join(QLatin1String(", "));
            rows.append(row << statusText(c));
        }
        printTable(rows);
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<Command> makeListCommand()
{
    return std::make_unique<ListCommand>();
}

} // namespace cd::cli
