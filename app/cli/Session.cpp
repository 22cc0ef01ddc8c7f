#include "Session.h"

#include "Applications.h"
#include "ConnectorJson.h"
#include "ConnectorRules.h"
#include "ConnectorStore.h"
#include "NetworkStatus.h"
#include "Text.h"
#include "ValidationJob.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <cstdio>

namespace cd::cli {

QString tr(const char *text)
{
    return QCoreApplication::translate("Commands", text);
}

InertStream::InertStream(FILE *file)
    : m_stream(file)
{ }

InertStream &InertStream::operator<<(const QString &text)
{
    m_stream << Text::inert(text);
    return *this;
}

InertStream &InertStream::operator<<(const char *text)
{
    m_stream << text;
    return *this;
}

InertStream &InertStream::operator<<(char c)
{
    m_stream << c;
    return *this;
}

InertStream &InertStream::operator<<(QTextStreamFunction f)
{
    m_stream << f;
    return *this;
}

void InertStream::flush()
{
    m_stream.flush();
}

void InertStream::writeJson(const QString &json)
{
    m_stream << Text::inertJson(json);
    m_stream.flush();
}

InertStream &out()
{
    static InertStream s(stdout);
    return s;
}

InertStream &err()
{
    static InertStream s(stderr);
    return s;
}

Session::Session(const GlobalOptions &options)
    : context(options.dataDir, AppContext::Mode::CommandLine)
    , repository(*context.repository())
{ }

bool Session::load()
{
    QString error;
    if (!repository.load(&error)) {
        err() << tr("Cannot use the connectors: %1").arg(error) << Qt::endl;
        return false;
    }
    if (!context.store()->migrationNotice().isEmpty())
        err() << context.store()->migrationNotice() << Qt::endl;
    if (repository.isBusy()) {
        QEventLoop loop; // bounded by the keychain timeout
        QObject::connect(&repository, &ConnectorRepository::idle, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

RepositoryResult Session::wait(const std::function<void(RepositoryCallback)> &op)
{
    QEventLoop loop;
    std::optional<RepositoryResult> result;
    op([&](const RepositoryResult &r) {
        result = r;
        loop.quit();
    });
    if (!result)
        loop.exec();
    return *result;
}

int Session::failureCode() const
{
    return context.keychainFailed() ? ExitKeychain : ExitUsage;
}

std::optional<Connector> Session::findByName(const QString &name) const
{
    for (const Connector &c : repository.connectors()) {
        if (c.name.trimmed().compare(name.trimmed(), Qt::CaseInsensitive) == 0)
            return c;
    }
    return std::nullopt;
}

std::optional<Connector> Session::loadNamed(const QString &command, const QStringList &args)
{
    if (args.size() != 1) {
        err() << tr("%1 needs exactly one connector name.").arg(command) << Qt::endl;
        return std::nullopt;
    }
    if (!load())
        return std::nullopt;
    std::optional<Connector> c = findByName(args.first());
    if (!c)
        err() << tr("No connector named \"%1\".").arg(args.first()) << Qt::endl;
    return c;
}

int severity(int code)
{
    switch (code) {
    case ExitKeychain:
        return 4;
    case ExitValidationFailed:
        return 3;
    case ExitNetwork:
        return 2;
    case ExitOk:
        return 0;
    default:
        return 1;
    }
}

int exitCodeFor(const ValidationResult &r)
{
    if (r.status == ValidationStatus::Verified || r.status == ValidationStatus::Warning)
        return ExitOk;
    if (r.failure == ValidationResult::Failure::Keychain)
        return ExitKeychain;
    // A name that does not resolve is the URL's (or the VPN's) fault while online, and an
    // outage only when the machine is offline.
    if (r.failure == ValidationResult::Failure::HostNotFound)
        return NetworkStatus().state() == NetworkStatus::State::Offline ? ExitNetwork
                                                                        : ExitValidationFailed;
    if (r.isTransient())
        return ExitNetwork;
    // Everything else is the connector's own failure, ProjectAccess included (signed in, but
    // a project of its scope is not found or not readable): 1.
    return ExitValidationFailed;
}

QString statusText(const Connector &c)
{
    if (c.needsSecret && c.validation.status == ValidationStatus::NotVerified)
        return tr("Needs secret");
    if (c.validation.hostNotFound && c.validation.status == ValidationStatus::Failed)
        return tr("Host not found");
    return statusDisplayName(c.validation.status);
}

QString isoOrEmpty(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

QJsonValue isoOrNull(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(isoOrEmpty(t)) : QJsonValue(QJsonValue::Null);
}

// Everything a command works with: the same objects the window uses.
void printJson(const QJsonArray &array)
{
    out().writeJson(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
}

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
    o.insert(QLatin1String("projects"), QJsonArray::fromStringList(c.projects));
    o.insert(QLatin1String("needsSecret"), c.needsSecret);
    o.insert(QLatin1String("status"), statusId(c.validation.status));
    o.insert(QLatin1String("message"), c.validation.message);
    o.insert(QLatin1String("checkedAt"), isoOrNull(c.validation.checkedAt));
    return o;
}

QCommandLineOption jsonOption()
{
    return { QStringLiteral("json"),
        tr("list, validate, edit, set-secret, history: print JSON on stdout.") };
}

QCommandLineOption secretStdinOption()
{
    return { QStringLiteral("secret-stdin"),
        tr("add, set-secret: read the secret (password, client secret or token) from standard "
           "input (required).") };
}

QCommandLineOption projectOption()
{
    return { QStringLiteral("project"),
        tr("add, edit: a project of the connector's scope (a Jama project key or id, a Jira "
           "project key); repeat it, or separate keys with commas."),
        tr("KEY") };
}

QString projectsFromOption(const QStringList &values, QStringList *projects)
{
    QStringList keys;
    const QString problem = ConnectorRules::parseProjects(values, &keys);
    if (!problem.isEmpty())
        return QStringLiteral("--project: ") + problem;
    if (keys.isEmpty())
        return tr("--project: no project key given (for example --project ACME).");
    *projects = keys;
    return {};
}

void printTable(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    // One 100-character name must not push every other row's columns off the screen.
    constexpr qsizetype kMaxColumn = 40;
    QList<QStringList> cells = rows;
    for (QStringList &row : cells) {
        for (qsizetype i = 0; i + 1 < row.size(); ++i) {
            if (row.at(i).size() > kMaxColumn)
                row[i] = row.at(i).left(kMaxColumn - 1) + QChar(0x2026);
        }
    }
    for (const QStringList &row : std::as_const(cells)) {
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.append(0);
            widths[i] = qMax(widths[i], row.at(i).size());
        }
    }
    for (const QStringList &row : std::as_const(cells)) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (i + 1 < row.size())
                line += row.at(i).leftJustified(widths.at(i)) + QStringLiteral("  ");
            else
                line += row.at(i);
        }
        out() << line << '\n';
    }
    out().flush();
}

} // namespace cd::cli
