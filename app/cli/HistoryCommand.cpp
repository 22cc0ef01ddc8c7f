#include "Command.h"
#include "History.h"
#include "Session.h"

#include <QCommandLineParser>

namespace cd::cli {

namespace {

// A result's status as `list` shows one ("Host not found" for a host that did not resolve).
QString entryStatusText(const HistoryEntry &e)
{
    if (e.hostNotFound && e.status == ValidationStatus::Failed)
        return tr("Host not found");
    return statusDisplayName(e.status);
}

// The connector's recorded results, newest first (the last 20): reads connectors.db only,
// touches neither the keychain nor the network.
class HistoryCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("history"); }
    QString help() const override
    {
        return tr("  history NAME [--json]             Show a connector's last results (up to\n"
                  "                                    20), newest first.\n");
    }
    QList<QCommandLineOption> options() const override { return { jsonOption() }; }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        const std::optional<Connector> c = s.loadNamed(name(), args);
        if (!c)
            return ExitUsage;
        QString error;
        const QList<HistoryEntry> history = s.repository.history(c->id, &error);
        if (!error.isEmpty()) {
            err() << error << Qt::endl;
            return ExitUsage;
        }
        if (parser.isSet(QStringLiteral("json"))) {
            QJsonArray array;
            for (const HistoryEntry &e : history) {
                array.append(QJsonObject { { QStringLiteral("checkedAt"), isoOrNull(e.checkedAt) },
                    { QStringLiteral("status"), statusId(e.status) },
                    { QStringLiteral("message"), e.message } });
            }
            printJson(array);
            return ExitOk;
        }
        if (history.isEmpty()) {
            err() << tr("No results recorded for \"%1\" yet.").arg(c->name) << Qt::endl;
            return ExitOk;
        }
        // One line per result: time, status, message (the newest first).
        QList<QStringList> rows;
        for (const HistoryEntry &e : history)
            rows.append({ isoOrEmpty(e.checkedAt), entryStatusText(e), e.message });
        printTable(rows);
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<Command> makeHistoryCommand()
{
    return std::make_unique<HistoryCommand>();
}

} // namespace cd::cli
