#include "Applications.h"
#include "Command.h"
#include "ConnectorJson.h"
#include "ConnectorStore.h"
#include "Session.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QUuid>

namespace cd::cli {

namespace {

QJsonObject connectorJson(const Connector &c)
{
    QJsonObject o;
    o.insert(QLatin1String("id"), c.id.toString(QUuid::WithoutBraces));
    o.insert(QLatin1String("application"), c.application);
    o.insert(QLatin1String("name"), c.name);
    o.insert(QLatin1String("url"), c.url);
    o.insert(QLatin1String("verifySsl"), c.verifySsl);
    o.insert(QLatin1String("authType"), c.authType);
    if (const QString key = ConnectorJson::identityKey(c.application, c.authType); !key.isEmpty())
        o.insert(key, c.identity);
    o.insert(QLatin1String("needsSecret"), c.needsSecret);
    o.insert(QLatin1String("status"), statusId(c.validation.status));
    o.insert(QLatin1String("message"), c.validation.message);
    o.insert(QLatin1String("checkedAt"), isoOrNull(c.validation.checkedAt));
    return o;
}

class ListCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("list"); }
    QString help() const override
    {
        return tr("  list [--json]                     List the connectors.\n");
    }
    QList<QCommandLineOption> options() const override
    {
        return { { QStringLiteral("json"), tr("list, validate: print JSON on stdout.") } };
    }
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
            QJsonArray array;
            for (const Connector &c : all)
                array.append(connectorJson(c));
            printJson(array);
            return ExitOk;
        }
        if (all.isEmpty()) {
            err() << tr("No connectors in %1.").arg(s.context.store()->filePath()) << Qt::endl;
            return ExitOk;
        }
        QList<QStringList> rows;
        rows.append(
            { tr("NAME"), tr("APPLICATION"), tr("URL"), tr("AUTH"), tr("IDENTITY"), tr("STATUS") });
        for (const Connector &c : all) {
            rows.append({ c.name, Applications::displayName(c.application), c.url,
                Applications::authDisplayName(c.application, c.authType), c.identity,
                statusText(c) });
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
