#include "ConnectorJson.h"

#include "Applications.h"
#include "ConnectorRules.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace cd::ConnectorJson {

namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("ConnectorJson", s);
}

const QString kFileName = QStringLiteral("connectors.json");

// Field names of schema 1.
namespace F {
const QLatin1String schemaVersion("schemaVersion"), schemaMinor("schemaMinor"),
    connectors("connectors"), id("id"), application("application"), name("name"), url("url"),
    verifySsl("verifySsl"), authType("authType"), username("username"),
    pinned("pinnedCertificateSha256"), needsSecret("needsSecret"), validation("validation"),
    status("status"), message("message"), checkedAt("checkedAt"),
    credentialsRejected("credentialsRejected"), hostNotFound("hostNotFound"), account("account"),
    displayName("displayName"), licenseType("licenseType"), createdAt("createdAt"),
    updatedAt("updatedAt"), projects("projects"), checks("checks");
}

// The fields this version reads; the identity fields of every auth method among them (one
// of another method than the connector's is not ours to keep).
QSet<QString> knownConnectorFields()
{
    QSet<QString> known { F::id, F::application, F::name, F::url, F::verifySsl, F::authType,
        F::pinned, F::validation, F::createdAt, F::updatedAt, F::needsSecret, F::projects };
    for (const ApplicationProvider *p : Applications::all()) {
        for (const AuthMethod &m : p->authMethods()) {
            if (m.hasIdentity())
                known.insert(m.identityKey);
        }
    }
    return known;
}

QString dateToJson(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

bool optionalString(const QJsonObject &o, QLatin1String key, QString *out, QString *error)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString()) {
        *error = tr("\"%1\" must be text").arg(key);
        return false;
    }
    *out = v.toString();
    return true;
}

bool optionalBool(
    const QJsonObject &o, QLatin1String key, const QString &shownKey, bool *out, QString *error)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isBool()) {
        *error = tr("\"%1\" must be true or false").arg(shownKey);
        return false;
    }
    *out = v.toBool();
    return true;
}

bool requiredString(const QJsonObject &o, QLatin1String key, QString *out, QString *error)
{
    if (!o.value(key).isString()) {
        *error = o.contains(key) ? tr("\"%1\" must be text").arg(key)
                                 : tr("\"%1\" is missing").arg(key);
        return false;
    }
    *out = o.value(key).toString();
    return true;
}

bool optionalDate(const QJsonObject &o, QLatin1String key, QDateTime *out, QString *error)
{
    QString s;
    if (!optionalString(o, key, &s, error))
        return false;
    if (s.isEmpty())
        return true;
    *out = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!out->isValid()) {
        *error = tr("\"%1\" is not a date: %2").arg(key, s);
        return false;
    }
    *out = out->toUTC();
    return true;
}

} // namespace

QString identityKey(const QString &application, const QString &authType)
{
    const AuthMethod *m = Applications::authMethod(application, authType);
    return m ? m->identityKey : QString();
}

QJsonObject definitionToJson(const Connector &c)
{
    QJsonObject o;
    o.insert(F::application, c.application);
    o.insert(F::name, c.name);
    o.insert(F::url, c.url);
    o.insert(F::verifySsl, c.verifySsl);
    o.insert(F::authType, c.authType);
    if (const QString key = identityKey(c.application, c.authType); !key.isEmpty())
        o.insert(key, c.identity);
    if (!c.pinnedCertificateSha256.isEmpty())
        o.insert(F::pinned, QString::fromLatin1(c.pinnedCertificateSha256.toHex()));
    o.insert(F::projects, QJsonArray::fromStringList(c.projects));
    return o;
}

QJsonObject toJson(const Connector &c)
{
    QJsonObject o = c.unknownFields;
    o.insert(F::id, c.id.toString(QUuid::WithoutBraces));
    const QJsonObject definition = definitionToJson(c);
    for (auto it = definition.begin(); it != definition.end(); ++it)
        o.insert(it.key(), it.value());
    if (c.needsSecret)
        o.insert(F::needsSecret, true);
    QJsonObject v;
    v.insert(F::status, statusId(c.validation.status));
    if (!c.validation.message.isEmpty())
        v.insert(F::message, c.validation.message);
    if (c.validation.checkedAt.isValid())
        v.insert(F::checkedAt, dateToJson(c.validation.checkedAt));
    if (c.validation.credentialsRejected)
        v.insert(F::credentialsRejected, true);
    if (c.validation.hostNotFound)
        v.insert(F::hostNotFound, true);
    if (c.validation.account != AccountInfo()) {
        v.insert(F::account,
            QJsonObject { { F::displayName, c.validation.account.displayName },
                { F::username, c.validation.account.username },
                { F::licenseType, c.validation.account.licenseType } });
    }
    if (!c.validation.checks.isEmpty())
        v.insert(F::checks, checksToJson(c.validation.checks));
    o.insert(F::validation, v);
    if (c.createdAt.isValid())
        o.insert(F::createdAt, dateToJson(c.createdAt));
    if (c.updatedAt.isValid())
        o.insert(F::updatedAt, dateToJson(c.updatedAt));
    return o;
}

bool fromJson(const QJsonObject &o, Connector *c, QString *error)
{
    Connector r;
    QString text;
    if (!requiredString(o, F::id, &text, error))
        return false;
    r.id = QUuid::fromString(text);
    if (r.id.isNull()) {
        *error = tr("\"id\" is not a UUID: %1").arg(text);
        return false;
    }
    if (!requiredString(o, F::application, &r.application, error)
        || !requiredString(o, F::name, &r.name, error) || !requiredString(o, F::url, &r.url, error)
        || !requiredString(o, F::authType, &text, error))
        return false;
    r.authType = text;
    // A method the application does not offer is a damaged file; an application this
    // version does not know is kept as it is.
    if (const ApplicationProvider *p = Applications::find(r.application)) {
        const AuthMethod *method = p->authMethod(r.authType);
        if (!method) {
            *error = tr("\"authType\" \"%1\" is not an authentication type of %2")
                         .arg(text, p->displayName());
            return false;
        }
        r.authType = method->id; // "Basic" written by hand is "basic"
    }
    if (const QString key = identityKey(r.application, r.authType); !key.isEmpty()) {
        if (!optionalString(o, QLatin1String(key.toLatin1()), &r.identity, error))
            return false;
    }
    if (!optionalBool(o, F::verifySsl, F::verifySsl, &r.verifySsl, error))
        return false;
    text.clear();
    if (!optionalString(o, F::pinned, &text, error))
        return false;
    if (!text.isEmpty()) {
        r.pinnedCertificateSha256 = QByteArray::fromHex(text.toLatin1());
        if (r.pinnedCertificateSha256.size() != 32) {
            *error = tr("\"pinnedCertificateSha256\" is not a SHA-256 fingerprint");
            return false;
        }
    }
    if (!optionalBool(o, F::needsSecret, F::needsSecret, &r.needsSecret, error))
        return false;
    if (o.contains(F::projects)) {
        if (const QString problem
            = ConnectorRules::parseProjectsJson(o.value(F::projects), &r.projects);
            !problem.isEmpty()) {
            *error = tr("\"projects\": %1").arg(problem);
            return false;
        }
    }
    if (o.contains(F::validation)) {
        const QJsonValue vv = o.value(F::validation);
        if (!vv.isObject()) {
            *error = tr("\"validation\" must be an object");
            return false;
        }
        const QJsonObject v = vv.toObject();
        text.clear();
        if (!optionalString(v, F::status, &text, error))
            return false;
        if (!text.isEmpty() && !statusFromId(text, &r.validation.status)) {
            *error = tr("\"validation.status\" is unknown: %1").arg(text);
            return false;
        }
        if (!optionalString(v, F::message, &r.validation.message, error)
            || !optionalDate(v, F::checkedAt, &r.validation.checkedAt, error))
            return false;
        if (!optionalBool(v, F::credentialsRejected,
                QStringLiteral("validation.credentialsRejected"), &r.validation.credentialsRejected,
                error)
            || !optionalBool(v, F::hostNotFound, QStringLiteral("validation.hostNotFound"),
                &r.validation.hostNotFound, error))
            return false;
        if (v.contains(F::account)) {
            if (!v.value(F::account).isObject()) {
                *error = tr("\"validation.account\" must be an object");
                return false;
            }
            const QJsonObject a = v.value(F::account).toObject();
            if (!optionalString(a, F::displayName, &r.validation.account.displayName, error)
                || !optionalString(a, F::username, &r.validation.account.username, error)
                || !optionalString(a, F::licenseType, &r.validation.account.licenseType, error))
                return false;
        }
        r.validation.checks = checksFromJson(v.value(F::checks).toArray());
    }
    if (!optionalDate(o, F::createdAt, &r.createdAt, error)
        || !optionalDate(o, F::updatedAt, &r.updatedAt, error))
        return false;
    const QSet<QString> known = knownConnectorFields();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key()))
            r.unknownFields.insert(it.key(), it.value());
    }
    *c = r;
    return true;
}

QByteArray serialize(
    const QList<Connector> &connectors, const QJsonObject &topLevelExtra, int schemaMinor)
{
    QJsonArray array;
    for (const Connector &c : connectors)
        array.append(toJson(c));
    QJsonObject root = topLevelExtra;
    root.insert(F::schemaVersion, kFileSchemaMajor);
    root.insert(F::schemaMinor, schemaMinor);
    root.insert(F::connectors, array);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool readFile(const QString &path, QList<Connector> *connectors, QString *problem)
{
    auto fail = [&](const QString &why) {
        *problem = why;
        return false;
    };
    connectors->clear();
    const QFileInfo info(path);
    if (info.size() > kMaxFileSize)
        return fail(tr("the file is %1 MiB, larger than the %2 MiB limit")
                        .arg(info.size() / (1024 * 1024))
                        .arg(kMaxFileSize / (1024 * 1024)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(file.errorString());
    const QByteArray bytes = file.read(kMaxFileSize + 1);
    if (file.error() != QFileDevice::NoError)
        return fail(file.errorString());
    if (bytes.size() > kMaxFileSize)
        return fail(
            tr("the file is larger than the %1 MiB limit").arg(kMaxFileSize / (1024 * 1024)));

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(tr("it is not valid JSON (%1 at byte %2); it may be truncated")
                        .arg(parseError.errorString())
                        .arg(parseError.offset));
    if (!doc.isObject())
        return fail(tr("the top level is not a JSON object"));
    const QJsonObject root = doc.object();
    const QJsonValue major = root.value(F::schemaVersion);
    if (!major.isDouble() || major.toDouble() != double(major.toInt()) || major.toInt() < 1)
        return fail(tr("\"schemaVersion\" is missing or not a whole number"));
    if (major.toInt() > kFileSchemaMajor)
        return fail(tr("it was written by a newer Connector Desk (schema version %1; this version "
                       "reads %2). Update Connector Desk")
                        .arg(major.toInt())
                        .arg(kFileSchemaMajor));
    const QJsonValue minor = root.value(F::schemaMinor);
    if (!minor.isUndefined() && !minor.isDouble())
        return fail(tr("\"schemaMinor\" is not a number"));
    const QJsonValue list = root.value(F::connectors);
    if (!list.isArray())
        return fail(tr("\"connectors\" is missing or not a list"));

    QList<Connector> result;
    QSet<QUuid> ids;
    const QJsonArray array = list.toArray();
    result.reserve(array.size());
    for (int i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            return fail(tr("connector #%1 is not a JSON object").arg(i + 1));
        Connector c;
        QString why;
        if (!fromJson(array.at(i).toObject(), &c, &why))
            return fail(tr("connector #%1: %2").arg(i + 1).arg(why));
        if (ids.contains(c.id))
            return fail(tr("connector #%1 (\"%2\") has the same id as another connector: %3")
                            .arg(i + 1)
                            .arg(c.name, c.id.toString(QUuid::WithoutBraces)));
        ids.insert(c.id);
        result.append(std::move(c));
    }

    *connectors = std::move(result);
    return true;
}

} // namespace cd::ConnectorJson
