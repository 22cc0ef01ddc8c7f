#pragma once

#include "Connector.h"

#include <QJsonObject>
#include <QList>
#include <QString>

// The JSON form of a connector, shared by the export format and by connectors.json, the
// store of Connector Desk 0.x (read once, when it is migrated into connectors.db).
//
// connectors.json: {"schemaVersion": 1, "schemaMinor": 0, "connectors": [ {...}, ... ]}.
// A newer minor version may add fields: unknown per-connector fields are kept in
// Connector::unknownFields. A newer major version is refused.
namespace cd::ConnectorJson {

inline constexpr int kFileSchemaMajor = 1;
inline constexpr qint64 kMaxFileSize = 64 * 1024 * 1024;

QJsonObject toJson(const Connector &c);
// The JSON key of the identity of an auth method ("username", "clientId", "email"); empty
// for a method without one or one this version does not know.
QString identityKey(const QString &application, const QString &authType);
// The fields that define a connector (application, name, url, verifySsl, authType,
// the method's identity field, pinned certificate): no id, no state, never a secret.
QJsonObject definitionToJson(const Connector &c);
// Returns false with a reason naming the field.
bool fromJson(const QJsonObject &o, Connector *c, QString *error);
QByteArray serialize(
    const QList<Connector> &connectors, const QJsonObject &topLevelExtra, int schemaMinor);

// Reads a connectors.json file. Returns false with a reason (not naming the file: the caller
// does) when it is unreadable, damaged or of a newer major version.
bool readFile(const QString &path, QList<Connector> *connectors, QString *problem);

} // namespace cd::ConnectorJson
