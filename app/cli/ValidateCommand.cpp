#include "ValidateCommand.h"

#include "Command.h"
#include "ConnectorStore.h"
#include "Session.h"
#include "ValidationQueue.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QHash>
#include <QJsonObject>

namespace cd::cli {

namespace {

// A connector whose credentials the server rejected (HTTP 401, or a Jama account that is
// locked by repeated sign-ins) is not sent again by --all: only `validate NAME`, an edit or a
// new secret sends them again.
ValidationResult notResent(const Connector &c)
{
    ValidationResult r;
    r.status = ValidationStatus::Failed;
    r.failure = ValidationResult::Failure::CredentialsRejected;
    // What the server said the last time says what to do (e.g. Jira's "sign in once in a
    // browser at …"); then why it is not sent again.
    const QString last
        = c.validation.message.isEmpty() ? QString() : c.validation.message + QLatin1Char(' ');
    r.message = last
        + tr("Not checked again: the server rejected these credentials%1, and sending "
             "them again could lock the account. Correct them (edit the connector or "
             "enter a new secret), or run \"validate %2\" to send them once more.")
              .arg(c.validation.checkedAt.isValid()
                      ? tr(" on %1").arg(isoOrEmpty(c.validation.checkedAt))
                      : QString(),
                  c.name);
    return r;
}

// The steps that did not pass, under the connector's line: "    [fail] Project NOPE: ...".
void printChecks(const QList<CheckItem> &checks)
{
    for (const CheckItem &item : checks) {
        if (item.status == CheckStatus::Pass)
            continue;
        out() << "    " << checkItemText(item) << Qt::endl;
    }
}

} // namespace

int validateIds(Session &s, const QList<QUuid> &ids, bool json, bool skipRejected, bool changedOnly)
{
    ValidationQueue &queue = *s.context.queue();
    QHash<QUuid, ValidationResult> results;
    QHash<QUuid, ValidationStatus> before; // the status recorded before this run
    QList<QUuid> toCheck;
    for (const QUuid &id : ids) {
        const std::optional<Connector> c = s.repository.find(id);
        if (c)
            before.insert(id, c->validation.status);
        if (skipRejected && c && c->validation.credentialsRejected)
            results.insert(id, notResent(*c));
        else
            toCheck.append(id);
    }
    QEventLoop loop;
    // The results were checked but could not be kept (e.g. the database busy for too long).
    bool notKept = false;
    QObject::connect(
        &s.repository, &ConnectorRepository::saveFailed, &loop, [&notKept](const QString &error) {
            notKept = true;
            err() << error << Qt::endl;
        });
    QObject::connect(
        &queue, &ValidationQueue::finished, &loop, [&](const QUuid &id, const ValidationResult &r) {
            if (!ids.contains(id) || results.contains(id))
                return;
            results.insert(id, r);
            // A transient failure stays recorded as "Not verified" (pending for
            // the window); this process does not wait for a retry.
            queue.cancel(id);
            if (results.size() == ids.size())
                loop.quit();
        });
    for (const QUuid &id : std::as_const(toCheck))
        queue.enqueue(id);
    if (!toCheck.isEmpty())
        loop.exec(); // bounded: every check ends by the keychain and validator timeouts

    int code = ExitOk;
    QJsonArray array;
    for (const QUuid &id : ids) {
        const std::optional<Connector> c = s.repository.find(id);
        const ValidationResult r = results.value(id);
        const bool unsupported = r.failure == ValidationResult::Failure::Unsupported;
        const int rc = exitCodeFor(r);
        // --all: a newer version's connector is said to be not checked, and does not fail
        // the run of those this version can check.
        if (severity(rc) > severity(code) && !(skipRejected && unsupported))
            code = rc;
        if (!c)
            continue;
        // A keychain failure is not recorded on the connector (it says nothing about it), but
        // this run's answer is that failure.
        const bool notRecorded = r.failure == ValidationResult::Failure::Keychain || unsupported
            || (skipRejected && !toCheck.contains(id));
        ValidationState v
            = notRecorded ? validationStateFor(r, QDateTime::currentDateTimeUtc()) : c->validation;
        if (notRecorded && r.failure == ValidationResult::Failure::CredentialsRejected)
            v.checkedAt = c->validation.checkedAt; // when they were rejected, not now
        if (changedOnly && v.status == before.value(id, v.status))
            continue; // the same as its last recorded result: not reported
        if (json) {
            QJsonObject o;
            if (changedOnly)
                o.insert(QLatin1String("previousStatus"), statusId(before.value(id)));
            o.insert(QLatin1String("name"), c->name);
            o.insert(QLatin1String("status"), statusId(v.status));
            o.insert(QLatin1String("message"), v.message);
            o.insert(QLatin1String("licenseType"),
                v.account.licenseType.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                : QJsonValue(v.account.licenseType));
            o.insert(QLatin1String("checkedAt"), isoOrNull(v.checkedAt));
            o.insert(QLatin1String("checks"), checksToJson(v.checks));
            array.append(o);
        } else {
            out() << tr("%1: %2").arg(c->name,
                v.hostNotFound && v.status == ValidationStatus::Failed
                    ? tr("Host not found")
                    : statusDisplayName(v.status))
                  << Qt::endl;
            printChecks(v.checks);
        }
        if (v.status != ValidationStatus::Verified && !v.message.isEmpty())
            err() << tr("%1: %2").arg(c->name, v.message) << Qt::endl;
        if (r.failure == ValidationResult::Failure::NoSecret)
            err() << tr("%1: enter its secret in the window (Enter Secrets… in the menu), then "
                        "validate it again.")
                         .arg(c->name)
                  << Qt::endl;
    }
    if (json)
        printJson(array);
    // Checked, but the result could not be recorded (said above): not a success.
    if (notKept && code == ExitOk)
        return ExitUsage;
    return code;
}

namespace {

class ValidateCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("validate"); }
    QString help() const override
    {
        return tr(
            "  validate (NAME | --all [--changed-only]) [--json]\n"
            "                                    Check connectors against their instance.\n"
            "                                    --all does not re-send credentials the server\n"
            "                                    rejected; validate NAME does. --changed-only\n"
            "                                    reports only those whose status changed.\n");
    }
    QList<QCommandLineOption> options() const override
    {
        return { { QStringLiteral("all"), tr("validate: every connector.") },
            { QStringLiteral("changed-only"),
                tr("validate --all: report only the connectors whose status changed since "
                   "their last recorded result (the exit code is the whole run's).") },
            jsonOption() };
    }
    int run(Session &s, const QStringList &args, const QCommandLineParser &parser) override
    {
        const bool all = parser.isSet(QStringLiteral("all"));
        if (all == !args.isEmpty() || args.size() > 1) {
            err() << tr("validate needs one connector name or --all.") << Qt::endl;
            return ExitUsage;
        }
        const bool changedOnly = parser.isSet(QStringLiteral("changed-only"));
        if (changedOnly && !all) {
            err() << tr("--changed-only goes with validate --all.") << Qt::endl;
            return ExitUsage;
        }
        if (!s.load())
            return ExitUsage;
        QList<QUuid> ids;
        if (all) {
            for (const Connector &c : s.repository.connectors())
                ids.append(c.id);
            if (ids.isEmpty())
                err() << tr("No connectors in %1.").arg(s.context.store()->filePath()) << Qt::endl;
        } else {
            const std::optional<Connector> c = s.findByName(args.first());
            if (!c) {
                err() << tr("No connector named \"%1\".").arg(args.first()) << Qt::endl;
                return ExitUsage;
            }
            ids.append(c->id);
        }
        return validateIds(s, ids, parser.isSet(QStringLiteral("json")), all, changedOnly);
    }
};

} // namespace

std::unique_ptr<Command> makeValidateCommand()
{
    return std::make_unique<ValidateCommand>();
}

} // namespace cd::cli
