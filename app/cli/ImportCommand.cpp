#include "Command.h"
#include "Exchange.h"
#include "Session.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QSet>

namespace cd::cli {

namespace {

class ImportCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("import"); }
    QString help() const override
    {
        return tr(
            "  import FILE [--replace-duplicates [--allow-weaker-security]]\n"
            "                                    Add the connectors of an export file (they\n"
            "                                    need a secret afterwards). A replacement that\n"
            "                                    turns Verify SSL off or drops or changes a\n"
            "                                    trusted certificate is refused unless\n"
            "                                    --allow-weaker-security is given.\n");
    }
    QList<QCommandLineOption> options() const override
    {
        return { { QStringLiteral("replace-duplicates"),
                     tr("import: replace connectors that are already here (default: skip "
                        "them).") },
            { QStringLiteral("allow-weaker-security"),
                tr("import: let a replacement turn Verify SSL off or drop or change a trusted "
                   "certificate (refused by default).") } };
    }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        if (args.size() != 1) {
            err() << tr("import needs exactly one file name.") << Qt::endl;
            return ExitUsage;
        }
        if (!s.load())
            return ExitUsage;
        const QString fileName = args.first();
        QFile file(fileName);
        if (!file.open(QIODevice::ReadOnly)) {
            err() << tr("Cannot read %1: %2")
                         .arg(QFileInfo(fileName).absoluteFilePath(), file.errorString())
                  << Qt::endl;
            return ExitUsage;
        }
        const QByteArray data = file.read(Exchange::kMaxFileSize + 1);
        const Exchange::ImportPlan plan = Exchange::parseImport(data, s.repository.connectors());
        if (!plan.ok()) {
            for (const QString &e : plan.errors)
                err() << fileName << QStringLiteral(": ") << e << Qt::endl;
            err() << tr("Nothing was imported.") << Qt::endl;
            return ExitUsage;
        }
        const bool replace = parser.isSet(QStringLiteral("replace-duplicates"));
        const Exchange::DuplicateChoice choice
            = replace ? Exchange::DuplicateChoice::Replace : Exchange::DuplicateChoice::Skip;
        Exchange::ImportChanges changes
            = Exchange::resolveImport(plan, s.repository.connectors(), choice);
        if (!changes.weakened.isEmpty()) {
            // A replacement keeps the stored secret: sending it less safely needs consent.
            if (!parser.isSet(QStringLiteral("allow-weaker-security"))) {
                for (const Exchange::SecurityChange &w : std::as_const(changes.weakened))
                    err() << fileName << QStringLiteral(": ")
                          << tr("connectors[%1]: replacing \"%2\" %3, and its stored secret would "
                                "be sent that way.")
                                 .arg(w.index)
                                 .arg(w.name, w.changes.join(tr(", ")))
                          << Qt::endl;
                err() << tr("Nothing was imported: run again with --allow-weaker-security to apply "
                            "these changes, or correct the file.")
                      << Qt::endl;
                return ExitUsage;
            }
            QSet<int> indexes;
            for (const Exchange::SecurityChange &w : std::as_const(changes.weakened)) {
                indexes.insert(w.index);
                err() << tr("Warning: connectors[%1]: replacing \"%2\" %3 (allowed by "
                            "--allow-weaker-security).")
                             .arg(w.index)
                             .arg(w.name, w.changes.join(tr(", ")))
                      << Qt::endl;
            }
            changes = Exchange::resolveImport(plan, s.repository.connectors(), choice, indexes);
        }
        for (const QString &n : changes.notices)
            err() << n << Qt::endl;
        if (changes.skipped > 0)
            err() << tr(
                "Duplicates were skipped; run again with --replace-duplicates to replace them.")
                  << Qt::endl;
        if (!changes.added.isEmpty() || !changes.replaced.isEmpty()) {
            const RepositoryResult r = s.wait([&](RepositoryCallback done) {
                s.repository.importConnectors(changes.added, changes.replaced, std::move(done));
            });
            if (!r.ok) {
                err() << r.error << Qt::endl;
                return ExitUsage;
            }
        }
        err() << tr("Imported %1 new, replaced %2, skipped %3.")
                     .arg(changes.added.size())
                     .arg(changes.replaced.size())
                     .arg(changes.skipped)
              << Qt::endl;
        if (!changes.added.isEmpty())
            err() << tr(
                "Imported connectors have no secret (\"Needs secret\"): enter one in the window "
                "before validating them.")
                  << Qt::endl;
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<Command> makeImportCommand()
{
    return std::make_unique<ImportCommand>();
}

} // namespace cd::cli
