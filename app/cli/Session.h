#pragma once

#include "AppContext.h"
#include "Check.h"
#include "CommandLine.h"
#include "ConnectorRepository.h"

#include <QCommandLineOption>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>
#include <functional>
#include <optional>

namespace cd::cli {

// What the commands print: every string goes through Text::inert, so a connector name from
// an import file or a message from a server cannot send escape sequences to the terminal.
class InertStream
{
public:
    explicit InertStream(FILE *file);
    InertStream &operator<<(const QString &text);
    // Literals are this program's own text (layout such as '\n' included): as they are.
    InertStream &operator<<(const char *text);
    InertStream &operator<<(char c);
    InertStream &operator<<(QTextStreamFunction f); // Qt::endl, Qt::flush
    void flush();
    // JSON as QJsonDocument wrote it (C0 controls escaped), with the rest escaped too.
    void writeJson(const QString &json);

private:
    QTextStream m_stream;
};

InertStream &out();
InertStream &err();

QString tr(const char *text); // in the "Commands" context

// Everything a command works with: the objects the window uses (AppContext).
class Session
{
public:
    explicit Session(const GlobalOptions &options);

    // Opens connectors.db; prints the reason (which names the file) on failure. Finishes a
    // keychain change that a killed process left half-done before anything else happens.
    bool load();
    // Runs one repository operation to its end (every one of them is bounded by the
    // keychain timeout) on this process's event loop.
    RepositoryResult wait(const std::function<void(RepositoryCallback)> &op);
    // The exit code of a failed repository operation.
    int failureCode() const;
    // Names are unique regardless of case.
    std::optional<Connector> findByName(const QString &name) const;
    // For a command that takes exactly one connector name (`remove NAME`, `history NAME`):
    // opens connectors.db and finds it; otherwise prints why (the wrong number of names, the
    // file, no such connector) and returns nothing: the command then exits ExitUsage.
    std::optional<Connector> loadNamed(const QString &command, const QStringList &args);

    AppContext context;
    ConnectorRepository &repository;
};

// Most serious first: keychain, validation failed, network, success.
int severity(int code);
int exitCodeFor(const ValidationResult &r);
QString statusText(const Connector &c);
QString isoOrEmpty(const QDateTime &t);
QJsonValue isoOrNull(const QDateTime &t);
void printJson(const QJsonArray &array);
// A connector as `list --json` (and `edit --json`) print it; never a secret.
QJsonObject connectorJson(const Connector &c);
// Options shared by several commands (one entry in --help each).
QCommandLineOption jsonOption(); // --json: list, validate, edit, set-secret
// --secret-stdin: add, set-secret (the secret is read from standard input only).
QCommandLineOption secretStdinOption();
QCommandLineOption projectOption(); // --project KEY: add, edit
// `--project` values → the scope (see ConnectorRules::parseProjects). A bad or missing key
// is a usage problem: returns it ("--project: ..."), or an empty string.
QString projectsFromOption(const QStringList &values, QStringList *projects);
// Columns as wide as their longest cell, up to 40 characters (the full values: --json).
void printTable(const QList<QStringList> &rows);

} // namespace cd::cli
