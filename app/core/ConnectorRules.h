#pragma once

#include "Connector.h"

#include <QJsonValue>
#include <QList>
#include <QString>

namespace cd {

// What the user entered for a connector, before it becomes one.
struct ConnectorDraft
{
    QUuid id; // null when adding; the edited connector's id when editing
    QString application;
    QString name;
    QString url; // as typed
    bool verifySsl = true;
    QString authType = QStringLiteral("basic"); // an auth method id of the application
    QString identity; // ignored by a method without one
    QString secret; // as typed; when editing, empty means "keep the stored one"
    QString projects; // the scope as typed: project keys (or Jama ids), separated by commas
};

// Per-field problems of a draft. Empty strings mean "fine".
struct DraftCheck
{
    QString application;
    QString name;
    QString url;
    QString urlWarning; // accepted, but worth telling (plain http)
    QString authType; // the application offers no such method
    QString identity;
    QString secret;
    QString projects;
    QString normalizedUrl;
    QStringList normalizedProjects;
    // A connector to the same application and instance already exists: a notice, not an
    // error (two service accounts on one instance are legitimate).
    QString duplicateNotice;
    QUuid duplicateOf;

    bool isValid() const
    {
        return application.isEmpty() && name.isEmpty() && url.isEmpty() && authType.isEmpty()
            && identity.isEmpty() && secret.isEmpty() && projects.isEmpty();
    }
};

namespace ConnectorRules {

constexpr int kMaxNameLength = 100;
constexpr int kMaxProjectKeyLength = 64;
constexpr int kMaxProjects = 100;

// The scope as entered (each entry may hold several keys separated by commas, semicolons or
// spaces) → trimmed keys in the order given, duplicates (ignoring case) dropped. Returns a
// problem naming the entry, or an empty string. A key is letters, digits, '_' and '-'.
QString parseProjects(const QStringList &entries, QStringList *projects);
// The same for a JSON value (export files, connectors.json): an array of strings, or a
// problem.
QString parseProjectsJson(const QJsonValue &value, QStringList *projects);

// `existing` are all stored connectors; `previous` is the edited connector (nullptr when adding).
DraftCheck check(const ConnectorDraft &draft, const QList<Connector> &existing,
    const Connector *previous = nullptr);

QString checkName(const QString &name, const QList<Connector> &existing, const QUuid &self);

// The first free name "<name><suffix>", then "<name><numberedSuffix>" with %1 = 2, 3, ...
// (e.g. " (copy)" / " (copy %1)"), the name shortened so that the whole stays within
// kMaxNameLength and the suffix is never cut.
QString uniqueName(const QString &name, const QString &suffix, const QString &numberedSuffix,
    const QList<Connector> &existing, const QUuid &self = QUuid());

// The first connector (other than `self`) with the same application and normalised URL.
const Connector *findSameInstance(const QString &application, const QString &normalizedUrl,
    const QList<Connector> &existing, const QUuid &self = QUuid());

} // namespace ConnectorRules

} // namespace cd
