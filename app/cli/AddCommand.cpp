#include "Applications.h"
#include "Command.h"
#include "ConnectorRules.h"
#include "Log.h"
#include "SecretInput.h"
#include "Session.h"
#include "ValidateCommand.h"

#include <QCommandLineParser>
#include <QSet>

namespace cd::cli {

namespace {

// The identity options of every application's auth methods ("username", "client-id",
// "email", ...), once each, with the methods that use them.
QList<QPair<QString, QStringList>> identityOptions()
{
    QList<QPair<QString, QStringList>> list;
    for (const ApplicationProvider *p : Applications::all()) {
        for (const AuthMethod &m : p->authMethods()) {
            if (!m.hasIdentity())
                continue;
            const QString use = QStringLiteral("%1 %2").arg(p->id(), m.id);
            auto it = std::find_if(list.begin(), list.end(),
                [&](const auto &o) { return o.first == m.identityOption; });
            if (it == list.end())
                list.append({ m.identityOption, { use } });
            else
                it->second.append(use);
        }
    }
    return list;
}

QString quotedIds(const QStringList &ids)
{
    QStringList quoted;
    for (const QString &id : ids)
        quoted << QLatin1Char('"') + id + QLatin1Char('"');
    return quoted.join(tr(", "));
}

class AddCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("add"); }
    QString help() const override
    {
        QString text = tr(
            "  add [--application ID] --name N --url U --auth METHOD [IDENTITY]\n"
            "      [--no-verify-ssl] [--project KEY]... --secret-stdin [--validate]\n"
            "                                    Add a connector; the secret is read from\n"
            "                                    standard input. Saved without a network check\n"
            "                                    unless --validate is given. --project scopes\n"
            "                                    it to projects (each is checked by validate).\n");
        // The applications, their methods and identity options, from the providers.
        for (const ApplicationProvider *p : Applications::all()) {
            QStringList methods;
            for (const AuthMethod &m : p->authMethods())
                methods << (m.hasIdentity()
                        ? QStringLiteral("--auth %1 --%2 X").arg(m.id, m.identityOption)
                        : QStringLiteral("--auth %1").arg(m.id));
            text += tr("      --application %1: %2\n").arg(p->id(), methods.join(tr(" | ")));
        }
        return text;
    }
    QList<QCommandLineOption> options() const override
    {
        QList<QCommandLineOption> list {
            { QStringLiteral("application"),
                tr("add: the application (default: %1).").arg(Applications::defaultId()),
                tr("ID") },
            { QStringLiteral("name"), tr("add: the connector's name."), tr("NAME") },
            { QStringLiteral("url"), tr("add: the instance URL."), tr("URL") },
            { QStringLiteral("auth"), tr("add: the authentication method (see the commands)."),
                tr("METHOD") },
            { QStringLiteral("no-verify-ssl"), tr("add: do not verify the server's certificate.") },
            secretStdinOption(),
            { QStringLiteral("validate"), tr("add: validate right after saving.") },
            projectOption(),
        };
        for (const auto &o : identityOptions())
            list.append(
                { o.first, tr("add: the identity for %1.").arg(o.second.join(tr(", "))), tr("X") });
        return list;
    }

    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        QStringList problems;
        if (!args.isEmpty())
            problems.append(tr("add takes no arguments besides its options (unexpected \"%1\").")
                                .arg(args.first()));
        ConnectorDraft draft;
        draft.application = parser.isSet(QStringLiteral("application"))
            ? parser.value(QStringLiteral("application"))
            : Applications::defaultId();
        draft.name = parser.value(QStringLiteral("name"));
        draft.url = parser.value(QStringLiteral("url"));
        draft.verifySsl = !parser.isSet(QStringLiteral("no-verify-ssl"));
        const ApplicationProvider *provider = Applications::find(draft.application);
        const AuthMethod *method = nullptr;
        if (!provider) {
            problems.append(tr("--application: unknown application \"%1\"; expected %2.")
                                .arg(draft.application, quotedIds(Applications::ids())));
        } else {
            const QStringList ids = provider->authMethodIds();
            // An application with one method needs no --auth.
            draft.authType = parser.isSet(QStringLiteral("auth"))
                ? parser.value(QStringLiteral("auth"))
                : (ids.size() == 1 ? ids.constFirst() : QString());
            method = provider->authMethod(draft.authType);
            if (!method)
                problems.append(tr("--auth: %1 connectors sign in with %2.")
                                    .arg(provider->displayName(), quotedIds(ids)));
        }
        if (method) {
            // Another method's identity option is a mistake, not something to ignore.
            for (const auto &o : identityOptions()) {
                if (o.first == method->identityOption || !parser.isSet(o.first))
                    continue;
                problems.append(method->hasIdentity()
                        ? tr("--%1 is not used with --auth %2; use --%3.")
                              .arg(o.first, method->id, method->identityOption)
                        : tr("--%1 is not used with --auth %2, which needs no identity.")
                              .arg(o.first, method->id));
            }
            if (method->hasIdentity())
                draft.identity = parser.value(method->identityOption);
        }
        QStringList projects;
        if (parser.isSet(QStringLiteral("project"))) {
            if (const QString problem
                = projectsFromOption(parser.values(QStringLiteral("project")), &projects);
                !problem.isEmpty())
                problems.append(problem);
            draft.projects = projects.join(QLatin1Char(','));
        }
        if (!parser.isSet(QStringLiteral("secret-stdin")))
            problems.append(tr("add needs --secret-stdin: the secret (password, client secret or "
                               "token) is read from standard input, never from the command "
                               "line."));
        if (!problems.isEmpty()) {
            for (const QString &p : std::as_const(problems))
                err() << p << Qt::endl;
            return ExitUsage;
        }
        if (!s.load())
            return ExitUsage;
        QString secretError;
        if (!readSecretFromStdin(&draft.secret, &secretError)) {
            err() << secretError << Qt::endl;
            return ExitUsage;
        }

        const DraftCheck check = ConnectorRules::check(draft, s.repository.connectors());
        const QList<QPair<QString, QString>> fields {
            { QStringLiteral("--application"), check.application },
            { QStringLiteral("--name"), check.name },
            { QStringLiteral("--url"), check.url },
            { QStringLiteral("--auth"), check.authType },
            { QStringLiteral("--") + method->identityOption, check.identity },
            { QStringLiteral("--secret-stdin"), check.secret },
            { QStringLiteral("--project"), check.projects },
        };
        bool valid = true;
        for (const auto &f : fields) {
            if (!f.second.isEmpty()) {
                err() << f.first << QStringLiteral(": ") << f.second << Qt::endl;
                valid = false;
            }
        }
        if (!valid || !check.isValid())
            return ExitUsage;
        if (!check.urlWarning.isEmpty())
            err() << tr("Warning: %1").arg(check.urlWarning) << Qt::endl;
        if (!check.duplicateNotice.isEmpty())
            err() << tr("Notice: %1").arg(check.duplicateNotice) << Qt::endl;

        Connector c;
        c.application = draft.application;
        c.name = draft.name.trimmed();
        c.url = check.normalizedUrl;
        c.verifySsl = draft.verifySsl;
        c.authType = method->id;
        c.identity = method->hasIdentity() ? draft.identity.trimmed() : QString();
        c.projects = projects;
        const QString secret = draft.secret;
        draft.secret.clear();
        const RepositoryResult r = s.wait(
            [&](RepositoryCallback done) { s.repository.add(c, secret, std::move(done)); });
        if (!r.ok) {
            err() << r.error << Qt::endl;
            return s.failureCode();
        }
        qCDebug(lcCli) << "added connector" << r.id;
        const bool validate = parser.isSet(QStringLiteral("validate"));
        // With --validate the check's own line follows; without, say that none was made.
        err() << (validate ? tr("Added \"%1\".").arg(c.name)
                           : tr("Added \"%1\" (not verified yet).").arg(c.name))
              << Qt::endl;
        out() << r.id.toString(QUuid::WithoutBraces) << Qt::endl;
        if (!validate)
            return ExitOk;
        return validateIds(s, { r.id }, false);
    }
};

} // namespace

std::unique_ptr<Command> makeAddCommand()
{
    return std::make_unique<AddCommand>();
}

} // namespace cd::cli
