#pragma once

#include "Connector.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QUuid>
#include <algorithm>

namespace cd {

// The import/export file: connectors without their secrets, to move them between machines.
//
// Format (schema 1; a newer minor version may add fields, which are ignored on import):
//   {"format": "connector-desk-connectors", "schemaVersion": 1, "exportedAt": "<UTC ISO>",
//    "connectors": [
//      {"application": "jama-connect" | "jira-cloud" | "jira-data-center" | ...,
//       "name": "...", "url": "https://...", "verifySsl": true,
//       "authType": an auth method id of that application ("basic", "oauth", "api-token",
//                   "pat"),
//       "<identity key of that method>": "..."  ("username", "clientId", "email"; none
//                                               for "pat"),
//       "pinnedCertificateSha256": "<64 hex digits>"   (only when a certificate is pinned)}]}
//
// There is no secret in it, and no way to put one there: an import file with a field that
// looks like a secret ("password", "clientSecret", ...) is refused.
//
// Import is in two pure steps: parseImport() checks the whole file and reports every
// problem with its place ("connectors[3].url: ..."); only a file without errors goes on to
// resolveImport(), which decides what is added, replaced or skipped and renames name clashes.
namespace Exchange {

constexpr int kSchemaVersion = 1;
constexpr qint64 kMaxFileSize = 16 * 1024 * 1024;
QString formatId(); // "connector-desk-connectors"

QByteArray exportConnectors(const QList<Connector> &connectors,
    const QDateTime &exportedAt = QDateTime::currentDateTimeUtc());

struct ImportEntry
{
    int index = -1; // position in the file's "connectors" array
    Connector connector; // null id, normalised URL; no validation state
    // The entry lists its projects (an export of 1.0 has none: replacing keeps the stored ones).
    bool hasProjects = false;
    // An existing connector with the same application, instance URL and username/client ID.
    QUuid duplicateOf;
};

struct ImportPlan
{
    QStringList errors; // each with its place; any error: nothing may be imported
    QStringList notices; // accepted, worth telling (the warnings `add` gives), with places
    QList<ImportEntry> entries;
    bool ok() const { return errors.isEmpty(); }
    int duplicateCount() const;
};

ImportPlan parseImport(const QByteArray &data, const QList<Connector> &existing);

enum class DuplicateChoice { Skip, Replace };

// A replacement that would let the kept secret go out less safely than now: Verify SSL
// turned off, the trusted certificate removed or replaced, another host.
struct SecurityChange
{
    int index = -1; // in the file
    QUuid id; // the existing connector
    QString name; // its name now
    QStringList changes; // "turns Verify SSL off", ...
    bool applied = false;
};

struct ImportChanges
{
    QList<Connector> added; // new connectors, to be added without a secret
    QList<Connector> replaced; // existing connectors (their ids) with the imported values
    QStringList notices; // skipped/replaced duplicates and renames, each with its place
    int skipped = 0;
    // Every weakening replacement; those not applied keep the stored Verify SSL and pin.
    QList<SecurityChange> weakened;
    bool hasUnappliedWeakening() const
    {
        return std::any_of(
            weakened.cbegin(), weakened.cend(), [](const SecurityChange &c) { return !c.applied; });
    }
};

// `plan` must be ok(). Name clashes (with existing connectors or earlier entries) are
// resolved by renaming to "NAME (imported)", "NAME (imported 2)", ... A replacement that
// weakens security is listed in `weakened` and applied only for the file indexes in
// `applyWeakerAt`; otherwise the connector keeps its Verify SSL and trusted certificate.
ImportChanges resolveImport(const ImportPlan &plan, const QList<Connector> &existing,
    DuplicateChoice choice, const QSet<int> &applyWeakerAt = {});

// What replacing `stored` by `imported` (keeping its secret) would make less safe; empty when
// nothing (turning verification on or adding a pin needs no consent).
QStringList weakerSecurity(const Connector &stored, const Connector &imported);

// The same connector as far as an import is concerned: application, instance URL, auth
// type and username/client ID (the last two compared case-insensitively).
bool sameAccount(const Connector &a, const Connector &b);

} // namespace Exchange

} // namespace cd
