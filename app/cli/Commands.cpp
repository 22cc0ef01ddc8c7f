#include "Commands.h"

#include "Applications.h"
#include "ConnectorRepository.h"
#include "ConnectorRules.h"
#include "ConnectorStore.h"
#include "Exchange.h"
#include "Log.h"
#include "NetworkStatus.h"
#include "Paths.h"
#include "SecretStore.h"
#include "Text.h"
#include "ValidationQueue.h"
#include "WatchedSecretStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSet>
#include <QTextStream>
#include <algorithm>
#include <cstdio>

#if defined(Q_OS_WIN)
#include <io.h>
#include <windows.h>
#else
#include <csignal>
#include <termios.h>
#include <unistd.h>
#endif
#include <optional>

namespace cd::cli {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Commands", text);
}

// What the commands print: every string goes through Text::inert, so a connector name from
// an import file or a message from a server cannot send escape sequences to the terminal.
class InertStream
{
public:
    explicit InertStream(FILE *file)
        : m_stream(file)
    { }
    InertStream &operator<<(const QString &text)
    {
        m_stream << Text::inert(text);
        return *this;
    }
    // Literals are this program's own text (layout such as '\n' included): as they are.
    InertStream &operator<<(const char *text)
    {
        m_stream << text;
        return *this;
    }
    InertStream &operator<<(char c)
    {
        m_stream << c;
        return *this;
    }
    InertStream &operator<<(QTextStreamFunction f)
    {
        m_stream << f; // Qt::endl, Qt::flush
        return *this;
    }
    void flush() { m_stream.flush(); }
    // JSON as QJsonDocument wrote it (C0 controls escaped), with the rest escaped too.
    void writeJson(const QString &json)
    {
        m_stream << Text::inertJson(json);
        m_stream.flush();
    }

private:
    QTextStream m_stream;
};

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

constexpr qint64 kMaxSecretBytes = 64 * 1024;

// Most serious first: keychain, validation failed, network, success.
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
class Session
{
public:
    explicit Session(const GlobalOptions &options)
        : store(options.dataDir)
        , keychain(QStringLiteral("connector-desk"))
        , secrets(&keychain)
        , repository(&store, &secrets)
    {
        const int timeoutMs = qEnvironmentVariableIntValue("CONNECTOR_DESK_KEYCHAIN_TIMEOUT_MS");
        if (timeoutMs > 0) {
            keychain.setTimeout(timeoutMs);
            secrets.setTimeout(timeoutMs + 2000);
        }
    }

    // Opens connectors.db; prints the reason (which names the file) on failure. Finishes a
    // keychain change that a killed process left half-done before anything else happens.
    bool load()
    {
        QString error;
        if (!repository.load(&error)) {
            err() << tr("Cannot use the connectors: %1").arg(error) << Qt::endl;
            return false;
        }
        if (!store.migrationNotice().isEmpty())
            err() << store.migrationNotice() << Qt::endl;
        if (repository.isBusy()) {
            QEventLoop loop; // bounded by the keychain timeout
            QObject::connect(&repository, &ConnectorRepository::idle, &loop, &QEventLoop::quit);
            loop.exec();
        }
        return true;
    }

    // Runs one repository operation to its end (every one of them is bounded by the
    // keychain timeout) on this process's event loop.
    RepositoryResult wait(const std::function<void(RepositoryCallback)> &op)
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

    // The exit code of a failed repository operation.
    int failureCode(const RepositoryResult &r) const
    {
        Q_UNUSED(r);
        return secrets.keychainFailed() ? ExitKeychain : ExitUsage;
    }

    // Names are unique regardless of case.
    std::optional<Connector> findByName(const QString &name) const
    {
        for (const Connector &c : repository.connectors()) {
            if (c.name.trimmed().compare(name.trimmed(), Qt::CaseInsensitive) == 0)
                return c;
        }
        return std::nullopt;
    }

    ConnectorStore store;
    KeychainSecretStore keychain;
    WatchedSecretStore secrets;
    ConnectorRepository repository;
    QNetworkAccessManager nam;
};

QJsonObject connectorJson(const Connector &c)
{
    QJsonObject o;
    o.insert(QLatin1String("id"), c.id.toString(QUuid::WithoutBraces));
    o.insert(QLatin1String("application"), c.application);
    o.insert(QLatin1String("name"), c.name);
    o.insert(QLatin1String("url"), c.url);
    o.insert(QLatin1String("verifySsl"), c.verifySsl);
    o.insert(QLatin1String("authType"), authTypeId(c.authType));
    o.insert(c.authType == AuthType::Basic ? QLatin1String("username") : QLatin1String("clientId"),
        c.identity);
    o.insert(QLatin1String("needsSecret"), c.needsSecret);
    o.insert(QLatin1String("status"), statusId(c.validation.status));
    o.insert(QLatin1String("message"), c.validation.message);
    o.insert(QLatin1String("checkedAt"), isoOrNull(c.validation.checkedAt));
    return o;
}

void printJson(const QJsonArray &array)
{
    out().writeJson(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
}

void printTable(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    // Columns as wide as their longest cell, up to kMaxColumn: one 100-character name must
    // not push every other row's columns off the screen (the full values: --json).
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

// ---- list ----------------------------------------------------------------------------

int runList(Session &s, const QCommandLineParser &parser)
{
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
        err() << tr("No connectors in %1.").arg(s.store.filePath()) << Qt::endl;
        return ExitOk;
    }
    QList<QStringList> rows;
    rows.append({ tr("NAME"), tr("APPLICATION"), tr("URL"), tr("AUTH"), tr("USER / CLIENT ID"),
        tr("STATUS") });
    for (const Connector &c : all) {
        const Application *app = Applications::find(c.application);
        rows.append({ c.name, app ? app->displayName : c.application, c.url,
            authTypeDisplayName(c.authType), c.identity, statusText(c) });
    }
    printTable(rows);
    return ExitOk;
}

// ---- validate --------------------------------------------------------------------------

// A connector whose credentials the server rejected (HTTP 401, or a Jama account that is
// locked by repeated sign-ins) is not sent again by --all: only `validate NAME`, an edit or a
// new secret sends them again.
ValidationResult notResent(const Connector &c)
{
    ValidationResult r;
    r.status = ValidationStatus::Failed;
    r.failure = ValidationResult::Failure::CredentialsRejected;
    r.message = tr("Not checked again: the server rejected these credentials%1, and sending "
                   "them again could lock the account. Correct them (edit the connector or "
                   "enter a new secret), or run \"validate %2\" to send them once more.")
                    .arg(c.validation.checkedAt.isValid()
                            ? tr(" on %1").arg(isoOrEmpty(c.validation.checkedAt))
                            : QString(),
                        c.name);
    return r;
}

int validateIds(Session &s, const QList<QUuid> &ids, bool json, bool skipRejected = false)
{
    ValidationQueue queue(&s.repository, &s.nam);
    QHash<QUuid, ValidationResult> results;
    QList<QUuid> toCheck;
    for (const QUuid &id : ids) {
        const std::optional<Connector> c = s.repository.find(id);
        if (skipRejected && c && c->validation.credentialsRejected)
            results.insert(id, notResent(*c));
        else
            toCheck.append(id);
    }
    QEventLoop loop;
    // The results were checked but could not be kept (e.g. the database busy for too long).
    bool notKept = false;
    QObject::connect(&s.repository, &ConnectorRepository::saveFailed, &loop,
        [&notKept](const QString &error) {
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
        const int rc = exitCodeFor(r);
        if (severity(rc) > severity(code))
            code = rc;
        if (!c)
            continue;
        // A keychain failure is not recorded on the connector (it says nothing about it), but
        // this run's answer is that failure.
        const bool notRecorded = r.failure == ValidationResult::Failure::Keychain
            || (skipRejected && !toCheck.contains(id));
        ValidationState v
            = notRecorded ? validationStateFor(r, QDateTime::currentDateTimeUtc()) : c->validation;
        if (notRecorded && r.failure == ValidationResult::Failure::CredentialsRejected)
            v.checkedAt = c->validation.checkedAt; // when they were rejected, not now
        if (json) {
            QJsonObject o;
            o.insert(QLatin1String("name"), c->name);
            o.insert(QLatin1String("status"), statusId(v.status));
            o.insert(QLatin1String("message"), v.message);
            o.insert(QLatin1String("licenseType"),
                v.account.licenseType.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                : QJsonValue(v.account.licenseType));
            o.insert(QLatin1String("checkedAt"), isoOrNull(v.checkedAt));
            array.append(o);
        } else {
            out() << tr("%1: %2").arg(c->name,
                v.hostNotFound && v.status == ValidationStatus::Failed
                    ? tr("Host not found")
                    : statusDisplayName(v.status))
                  << Qt::endl;
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

int runValidate(Session &s, const QStringList &args, const QCommandLineParser &parser)
{
    const bool all = parser.isSet(QStringLiteral("all"));
    if (all == !args.isEmpty() || args.size() > 1) {
        err() << tr("validate needs one connector name or --all.") << Qt::endl;
        return ExitUsage;
    }
    if (!s.load())
        return ExitUsage;
    QList<QUuid> ids;
    if (all) {
        for (const Connector &c : s.repository.connectors())
            ids.append(c.id);
        if (ids.isEmpty())
            err() << tr("No connectors in %1.").arg(s.store.filePath()) << Qt::endl;
    } else {
        const std::optional<Connector> c = s.findByName(args.first());
        if (!c) {
            err() << tr("No connector named \"%1\".").arg(args.first()) << Qt::endl;
            return ExitUsage;
        }
        ids.append(c->id);
    }
    return validateIds(s, ids, parser.isSet(QStringLiteral("json")), all);
}

// ---- add -------------------------------------------------------------------------------

#if !defined(Q_OS_WIN)
// The terminal settings to put back if a signal ends the process at the secret prompt
// (Ctrl-C, kill): tcsetattr() is async-signal-safe.
termios g_savedTerminal {};
volatile std::sig_atomic_t g_echoOff = 0;

extern "C" void restoreTerminalAndDie(int sig)
{
    if (g_echoOff)
        tcsetattr(STDIN_FILENO, TCSANOW, &g_savedTerminal);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}
#endif

// Reads the secret from standard input: one trailing newline is stripped.
// Terminal echo off while a secret is typed at a prompt (restored on every path, and when
// SIGINT, SIGTERM or SIGHUP ends the process there).
class EchoOff
{
public:
    EchoOff()
    {
#if defined(Q_OS_WIN)
        m_handle = GetStdHandle(STD_INPUT_HANDLE);
        m_ok = GetConsoleMode(m_handle, &m_mode)
            && SetConsoleMode(m_handle, m_mode & ~DWORD(ENABLE_ECHO_INPUT));
#else
        m_ok = tcgetattr(STDIN_FILENO, &m_saved) == 0;
        if (m_ok) {
            g_savedTerminal = m_saved;
            g_echoOff = 1;
            struct sigaction action
            {
            };
            action.sa_handler = restoreTerminalAndDie;
            sigemptyset(&action.sa_mask);
            for (int i = 0; i < kSignalCount; ++i)
                sigaction(kSignals[i], &action, &m_previous[i]);
            termios quiet = m_saved;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            m_ok = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
#endif
    }
    ~EchoOff()
    {
#if defined(Q_OS_WIN)
        if (m_ok)
            SetConsoleMode(m_handle, m_mode);
#else
        if (m_ok)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
        if (g_echoOff) {
            g_echoOff = 0;
            for (int i = 0; i < kSignalCount; ++i)
                sigaction(kSignals[i], &m_previous[i], nullptr);
        }
#endif
    }
    EchoOff(const EchoOff &) = delete;
    EchoOff &operator=(const EchoOff &) = delete;

private:
    bool m_ok = false;
#if defined(Q_OS_WIN)
    HANDLE m_handle = nullptr;
    DWORD m_mode = 0;
#else
    static constexpr int kSignalCount = 3;
    static constexpr int kSignals[kSignalCount] = { SIGINT, SIGTERM, SIGHUP };
    termios m_saved {};
    struct sigaction m_previous[kSignalCount]
    {
    };
#endif
};

bool stdinIsTerminal()
{
#if defined(Q_OS_WIN)
    return _isatty(_fileno(stdin));
#else
    return isatty(STDIN_FILENO);
#endif
}

bool readSecretFromStdin(QString *secret, QString *error)
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly)) {
        *error = tr("Cannot read the secret from standard input.");
        return false;
    }
    QByteArray data;
    if (stdinIsTerminal()) {
        // Typed by hand: one line, never shown on the screen or left in the scrollback.
        err() << tr("Secret (not shown), then Enter: ") << Qt::flush;
        {
            const EchoOff quiet;
            data = in.readLine(kMaxSecretBytes + 2);
        }
        err() << Qt::endl;
    } else {
        data = in.read(kMaxSecretBytes + 1);
    }
    if (data.size() > kMaxSecretBytes) {
        *error = tr("The secret on standard input is too long.");
        return false;
    }
    if (data.endsWith('\n')) {
        data.chop(1);
        if (data.endsWith('\r'))
            data.chop(1);
    }
    if (data.isEmpty()) {
        *error = tr("The secret on standard input is empty.");
        return false;
    }
    *secret = QString::fromUtf8(data);
    return true;
}

int runAdd(Session &s, const QStringList &args, const QCommandLineParser &parser)
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
    const QString auth = parser.value(QStringLiteral("auth"));
    if (!authTypeFromId(auth, &draft.authType))
        problems.append(tr("--auth: expected \"basic\" or \"oauth\"."));
    const QString wanted = draft.authType == AuthType::Basic ? QStringLiteral("username")
                                                             : QStringLiteral("client-id");
    const QString other = draft.authType == AuthType::Basic ? QStringLiteral("client-id")
                                                            : QStringLiteral("username");
    if (parser.isSet(other))
        problems.append(tr("--%1 is not used with --auth %2; use --%3.").arg(other, auth, wanted));
    draft.identity = parser.value(wanted);
    if (!parser.isSet(QStringLiteral("secret-stdin")))
        problems.append(tr("add needs --secret-stdin: the password or client secret is read from "
                           "standard input, never from the command line."));
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
        { QStringLiteral("--") + wanted, check.identity },
        { QStringLiteral("--secret-stdin"), check.secret },
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
    c.authType = draft.authType;
    c.identity = draft.identity.trimmed();
    const QString secret = draft.secret;
    draft.secret.clear();
    const RepositoryResult r
        = s.wait([&](RepositoryCallback done) { s.repository.add(c, secret, std::move(done)); });
    if (!r.ok) {
        err() << r.error << Qt::endl;
        return s.failureCode(r);
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

// ---- remove ------------------------------------------------------------------------------

int runRemove(Session &s, const QStringList &args)
{
    if (args.size() != 1) {
        err() << tr("remove needs exactly one connector name.") << Qt::endl;
        return ExitUsage;
    }
    if (!s.load())
        return ExitUsage;
    const std::optional<Connector> c = s.findByName(args.first());
    if (!c) {
        err() << tr("No connector named \"%1\".").arg(args.first()) << Qt::endl;
        return ExitUsage;
    }
    const RepositoryResult r
        = s.wait([&](RepositoryCallback done) { s.repository.remove(c->id, std::move(done)); });
    if (!r.ok) {
        err() << r.error << Qt::endl;
        return s.failureCode(r);
    }
    if (!r.warning.isEmpty())
        err() << tr("Warning: %1").arg(r.warning) << Qt::endl;
    err() << tr("Removed \"%1\" and its secret.").arg(c->name) << Qt::endl;
    return ExitOk;
}

// ---- export ------------------------------------------------------------------------------

int runExport(Session &s, const QStringList &args)
{
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
            err() << tr("Cannot write %1: %2").arg(QFileInfo(fileName).absoluteFilePath(), error)
                  << Qt::endl;
            return ExitUsage;
        }
    }
    err() << QCoreApplication::translate(
        "Commands", "Exported %n connector(s) (without secrets).", nullptr, int(selected.size()))
          << Qt::endl;
    return ExitOk;
}

// ---- import ------------------------------------------------------------------------------

int runImport(Session &s, const QStringList &args, const QCommandLineParser &parser)
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
        err() << tr("Duplicates were skipped; run again with --replace-duplicates to replace them.")
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

} // namespace

QStringList Commands::names()
{
    return { QStringLiteral("list"), QStringLiteral("add"), QStringLiteral("validate"),
        QStringLiteral("export"), QStringLiteral("import"), QStringLiteral("remove") };
}

QStringList Commands::optionsOf(const QString &command)
{
    if (command == QLatin1String("list"))
        return { QStringLiteral("json") };
    if (command == QLatin1String("add"))
        return { QStringLiteral("application"), QStringLiteral("name"), QStringLiteral("url"),
            QStringLiteral("auth"), QStringLiteral("username"), QStringLiteral("client-id"),
            QStringLiteral("no-verify-ssl"), QStringLiteral("secret-stdin"),
            QStringLiteral("validate") };
    if (command == QLatin1String("validate"))
        return { QStringLiteral("all"), QStringLiteral("json") };
    if (command == QLatin1String("import"))
        return { QStringLiteral("replace-duplicates"), QStringLiteral("allow-weaker-security") };
    return {};
}

QString Commands::helpText()
{
    return tr("Commands:\n"
              "  list [--json]                     List the connectors.\n"
              "  add --application jama-connect --name N --url U\n"
              "      --auth basic|oauth (--username X | --client-id X)\n"
              "      [--no-verify-ssl] --secret-stdin [--validate]\n"
              "                                    Add a connector; the secret is read from\n"
              "                                    standard input. Saved without a network check\n"
              "                                    unless --validate is given.\n"
              "  validate (NAME | --all) [--json]  Check connectors against their instance.\n"
              "                                    --all does not re-send credentials the server\n"
              "                                    rejected; validate NAME does.\n"
              "  export FILE [NAME...]             Write connectors (never secrets) to FILE.\n"
              "  import FILE [--replace-duplicates [--allow-weaker-security]]\n"
              "                                    Add the connectors of an export file (they\n"
              "                                    need a secret afterwards). A replacement that\n"
              "                                    turns Verify SSL off or drops or changes a\n"
              "                                    trusted certificate is refused unless\n"
              "                                    --allow-weaker-security is given.\n"
              "  remove NAME                       Remove a connector and its secret.\n"
              "\n"
              "Exit codes: 0 success (warnings on stderr), 1 validation failed, 2 usage or bad\n"
              "input, 3 network unreachable or timed out, 4 keychain unavailable.\n");
}

int Commands::run(const QString &command, const QStringList &args, const QCommandLineParser &parser,
    const GlobalOptions &options)
{
    Session session(options);
    qCDebug(lcCli).noquote() << "command" << command << "data dir" << options.dataDir;
    int code = ExitUsage;
    if (command == QLatin1String("list")) {
        if (!args.isEmpty()) {
            err() << tr("list takes no arguments.") << Qt::endl;
            return ExitUsage;
        }
        code = runList(session, parser);
    } else if (command == QLatin1String("add")) {
        code = runAdd(session, args, parser);
    } else if (command == QLatin1String("validate")) {
        code = runValidate(session, args, parser);
    } else if (command == QLatin1String("export")) {
        code = runExport(session, args);
    } else if (command == QLatin1String("import")) {
        code = runImport(session, args, parser);
    } else if (command == QLatin1String("remove")) {
        code = runRemove(session, args);
    }
    out().flush();
    err().flush();
    return code;
}

} // namespace cd::cli
