#include "Command.h"
#include "Exchange.h"
#include "Paths.h"
#include "Session.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <algorithm>

namespace cd::cli {

namespace {

class ExportCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("export"); }
    QString help() const override
    {
        return tr(
            "  export FILE [NAME...]             Write connectors (never secrets) to FILE.\n");
    }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        Q_UNUSED(parser);
        if (args.isEmpty()) {
            err() << tr("export needs a file name (\"-\" for standard output).") << Qt::endl;
            return ExitUsage;
        }
        if (!s.load())
            return ExitUsage;
        const QString fileName = args.first();
        QList<Connector> selected;
        if (args.size() == 1) {
            selected = s.repository.connectors();
        } else {
            bool missing = false;
            for (const QString &name : args.mid(1)) {
                const std::optional<Connector> c = s.findByName(name);
                if (!c) {
                    err() << tr("No connector named \"%1\".").arg(name) << Qt::endl;
                    missing = true;
                } else if (!std::any_of(selected.cbegin(), selected.cend(),
                               [&](const Connector &x) { return x.id == c->id; })) {
                    selected.append(*c);
                }
            }
            if (missing) {
                err() << tr("Nothing was exported.") << Qt::endl;
                return ExitUsage;
            }
        }
        const QByteArray data = Exchange::exportConnectors(selected);
        if (fileName == QLatin1String("-")) {
            QFile o;
            if (!o.open(stdout, QIODevice::WriteOnly) || o.write(data) != data.size()) {
                err() << tr("Cannot write to standard output.") << Qt::endl;
                return ExitUsage;
            }
            o.flush();
        } else {
            QString error;
            if (!Paths::writePrivateFile(fileName, data, &error)) {
                err()
                    << tr("Cannot write %1: %2").arg(QFileInfo(fileName).absoluteFilePath(), error)
                    << Qt::endl;
                return ExitUsage;
            }
        }
        err() << QCoreApplication::translate("Commands",
            "Exported %n connector(s) (without secrets).", nullptr, int(selected.size()))
              << Qt::endl;
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<Command> makeExportCommand()
{
    return std::make_unique<ExportCommand>();
}

} // namespace cd::cli
