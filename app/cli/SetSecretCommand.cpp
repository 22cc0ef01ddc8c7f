#include "Command.h"
#include "Log.h"
#include "SecretInput.h"
#include "Session.h"

#include <QCommandLineParser>
#include <QSet>

namespace cd::cli {

namespace {

// Rotates a secret: one new secret (a service account's new password) for every named
// connector, all or nothing (see ConnectorRepository::rotateSecret). Sends nothing: the
// connectors are "not verified" until the next validate.
class SetSecretCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("set-secret"); }
    QString help() const override
    {
        return tr("  set-secret NAME... --secret-stdin [--json]\n"
                  "                                    Store one new secret, read from standard\n"
                  "                                    input, for every named connector (all or\n"
                  "                                    nothing). Sends nothing; they are not\n"
                  "                                    verified until the next validate.\n");
    }
    QList<QCommandLineOption> options() const override
    {
        return { secretStdinOption(), jsonOption() };
    }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        QStringList problems;
        if (args.isEmpty())
            problems.append(tr("set-secret needs at least one connector name."));
        if (!parser.isSet(QStringLiteral("secret-stdin")))
            problems.append(tr("set-secret needs --secret-stdin: the secret (password, client "
                               "secret or token) is read from standard input, never from the "
                               "command line."));
        if (!problems.isEmpty()) {
            for (const QString &p : std::as_const(problems))
                err() << p << Qt::endl;
            err() << help().toUtf8().constData();
            err().flush();
            return ExitUsage;
        }
        if (!s.load())
            return ExitUsage;
        // Every name first: one that is not found changes nothing, and no secret is asked for.
        QList<Connector> targets;
        QSet<QUuid> seen;
        bool allFound = true;
        for (const QString &name : args) {
            const std::optional<Connector> c = s.findByName(name);
            if (!c) {
                err() << tr("No connector named \"%1\".").arg(name) << Qt::endl;
                allFound = false;
            } else if (!seen.contains(c->id)) { // the same connector named twice: once
                seen.insert(c->id);
                targets.append(*c);
            }
        }
        if (!allFound) {
            err() << tr("Nothing was changed.") << Qt::endl;
            return ExitUsage;
        }
        QString secret;
        QString secretError;
        if (!readSecretFromStdin(&secret, &secretError)) {
            err() << secretError << Qt::endl;
            return ExitUsage;
        }
        QList<QUuid> ids;
        for (const Connector &c : std::as_const(targets))
            ids.append(c.id);
        const RepositoryResult r = s.wait([&](RepositoryCallback done) {
            s.repository.rotateSecret(ids, secret, std::move(done));
        });
        secret.clear();
        if (!r.ok) {
            err() << r.error << Qt::endl;
            return s.failureCode();
        }
        qCDebug(lcCli) << "secret changed for" << r.changed.size() << "connectors";
        QJsonArray array;
        for (const QUuid &id : r.changed) {
            const std::optional<Connector> c = s.repository.find(id);
            if (!c)
                continue;
            err() << tr("Changed the secret of \"%1\" (not verified until the next validate).")
                         .arg(c->name)
                  << Qt::endl;
            array.append(connectorJson(*c));
        }
        if (parser.isSet(QStringLiteral("json")))
            printJson(array);
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<Command> makeSetSecretCommand()
{
    return std::make_unique<SetSecretCommand>();
}

} // namespace cd::cli
