#include "Exchange.h"

#include "Applications.h"
#include "ConnectorJson.h"
#include "ConnectorRules.h"
#include "Text.h"
#include "UrlNormalizer.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>
#include <QUrl>
#include <algorithm>
#include <utility>

namespace cd::Exchange {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Exchange", text);
}

namespace F {
const QLatin1String format("format"), schemaVersion("schemaVersion"), exportedAt("exportedAt"),
    connectors("connectors"), application("application"), name("name"), url("url"),
    verifySsl("verifySsl"), authType("authType"), pinned("pinnedCertificateSha256"),
    projects("projects");
} // namespace F

// Field names that would carry a secret: refused, so that no file format variant can smuggle
// one into the keychain-less world (or suggest that one is supported).
bool looksLikeSecret(const QString &key)
{
    const QString k = key.toLower().remove(QLatin1Char('_')).remove(QLatin1Char('-'));
    static const QStringList words { QStringLiteral("password"), QStringLiteral("secret"),
        QStringLiteral("token"), QStringLiteral("passwd"), QStringLiteral("credential") };
    for (const QString &w : words) {
        if (k.contains(w))
            return true;
    }
    return false;
}

// "a", "b" or "c": ids as they are typed in a file.
QString quoted(const QStringList &ids, const QString &separator)
{
    QStringList list;
    for (const QString &id : ids)
        list << QLatin1Char('"') + id + QLatin1Char('"');
    return list.join(separator);
}

QString place(int index, const QString &field = QString())
{
    QString p = QStringLiteral("connectors[%1]").arg(index);
    if (!field.isEmpty())
        p += QLatin1Char('.') + field;
    return p;
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// A required, non-empty string field.
bool requiredString(
    const QJsonObject &o, const QString &key, int index, QStringList *errors, QString *out)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined()) {
        errors->append(tr("%1: missing.").arg(place(index, key)));
        return false;
    }
    if (!v.isString()) {
        errors->append(tr("%1: expected a string, found %2.").arg(place(index, key), typeName(v)));
        return false;
    }
    *out = v.toString().trimmed();
    if (out->isEmpty()) {
        errors->append(tr("%1: empty.").arg(place(index, key)));
        return false;
    }
    return true;
}

QByteArray parseFingerprint(const QString &text)
{
    QString hex = text;
    hex.remove(QLatin1Char(':')).remove(QLatin1Char(' '));
    for (const QChar ch : hex) {
        if (!ch.isDigit() && !QStringLiteral("abcdefABCDEF").contains(ch))
            return {};
    }
    const QByteArray raw = QByteArray::fromHex(hex.toLatin1());
    return raw.size() == 32 && hex.size() == 64 ? raw : QByteArray();
}

// Checks one entry; appends its problems to `errors`. Returns false when it has any.
bool parseEntry(const QJsonValue &value, int index, Connector *c, QStringList *errors)
{
    if (!value.isObject()) {
        errors->append(tr("%1: expected an object, found %2.").arg(place(index), typeName(value)));
        return false;
    }
    const QJsonObject o = value.toObject();
    const qsizetype before = errors->size();

    for (auto it = o.begin(); it != o.end(); ++it) {
        if (looksLikeSecret(it.key()))
            errors->append(tr("%1: secrets are never imported; remove this field from the file.")
                               .arg(place(index, it.key())));
    }

    QString text;
    const ApplicationProvider *provider = nullptr;
    if (requiredString(o, F::application, index, errors, &text)) {
        provider = Applications::find(text);
        if (!provider) {
            errors->append(tr("%1: unknown application \"%2\" (this version knows %3).")
                               .arg(place(index, F::application), text,
                                   quoted(Applications::ids(), tr(", "))));
        }
        c->application = text;
    }
    if (requiredString(o, F::name, index, errors, &text)) {
        const QString problem = ConnectorRules::checkName(text, {}, QUuid());
        if (!problem.isEmpty())
            errors->append(QStringLiteral("%1: %2").arg(place(index, F::name), problem));
        c->name = text;
    }
    if (requiredString(o, F::url, index, errors, &text) && provider) {
        const NormalizedUrl url = provider->normalizeUrl(text);
        if (url.ok)
            c->url = url.url;
        else
            errors->append(QStringLiteral("%1: %2").arg(place(index, F::url), url.error));
    }
    const QJsonValue verify = o.value(F::verifySsl);
    if (verify.isUndefined())
        c->verifySsl = true;
    else if (verify.isBool())
        c->verifySsl = verify.toBool();
    else
        errors->append(tr("%1: expected true or false, found %2.")
                           .arg(place(index, F::verifySsl), typeName(verify)));

    if (requiredString(o, F::authType, index, errors, &text) && provider) {
        const AuthMethod *method = provider->authMethod(text);
        if (!method) {
            errors->append(tr("%1: %2 connectors sign in with %3, not \"%4\".")
                               .arg(place(index, F::authType), provider->displayName(),
                                   quoted(provider->authMethodIds(), tr(" or ")), text));
        } else {
            c->authType = method->id;
            // The identity field of another method is a mistake in the file, not a field
            // to drop silently.
            QSet<QString> others;
            for (const ApplicationProvider *p : Applications::all()) {
                for (const AuthMethod &m : p->authMethods()) {
                    if (m.hasIdentity() && m.identityKey != method->identityKey)
                        others.insert(m.identityKey);
                }
            }
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (!others.contains(it.key()))
                    continue;
                errors->append(method->hasIdentity()
                        ? tr("%1: not used with %2 authentication; use \"%3\".")
                              .arg(place(index, it.key()), method->displayName, method->identityKey)
                        : tr("%1: not used with %2 authentication, which has no identity "
                             "field.")
                              .arg(place(index, it.key()), method->displayName));
            }
            if (method->hasIdentity()
                && requiredString(o, method->identityKey, index, errors, &text))
                c->identity = text;
        }
    }
    const QJsonValue pinned = o.value(F::pinned);
    if (!pinned.isUndefined() && !pinned.isNull()) {
        const QByteArray raw
            = pinned.isString() ? parseFingerprint(pinned.toString()) : QByteArray();
        if (raw.isEmpty())
            errors->append(tr("%1: expected a SHA-256 fingerprint (64 hexadecimal digits).")
                               .arg(place(index, F::pinned)));
        c->pinnedCertificateSha256 = raw;
    }
    const QJsonValue projects = o.value(F::projects);
    if (!projects.isUndefined() && !projects.isNull()) {
        const QString problem = ConnectorRules::parseProjectsJson(projects, &c->projects);
        if (!problem.isEmpty())
            errors->append(QStringLiteral("%1: %2").arg(place(index, F::projects), problem));
    }
    return errors->size() == before;
}

QString importedName(const QString &name, const QList<Connector> &taken, const QUuid &self)
{
    return ConnectorRules::uniqueName(name, tr(" (imported)"), tr(" (imported %1)"), taken, self);
}

} // namespace

QString formatId()
{
    return QStringLiteral("connector-desk-connectors");
}

bool sameAccount(const Connector &a, const Connector &b)
{
    // A method without an identity (a personal access token) cannot tell two accounts apart:
    // then only the same name is the same connector.
    const bool sameIdentity = a.identity.isEmpty() && b.identity.isEmpty()
        ? a.name.trimmed().compare(b.name.trimmed(), Qt::CaseInsensitive) == 0
        : a.identity.compare(b.identity, Qt::CaseInsensitive) == 0;
    return a.application == b.application
        && a.authType.compare(b.authType, Qt::CaseInsensitive) == 0
        && a.url.compare(b.url, Qt::CaseInsensitive) == 0 && sameIdentity;
}

QByteArray exportConnectors(const QList<Connector> &connectors, const QDateTime &exportedAt)
{
    QJsonArray list;
    for (const Connector &c : connectors) {
        // Built from the fixed set of definition fields: nothing else (never a secret, not
        // even unknown fields of a newer version) gets in.
        list.append(ConnectorJson::definitionToJson(c));
    }
    QJsonObject top;
    top.insert(F::format, formatId());
    top.insert(F::schemaVersion, kSchemaVersion);
    top.insert(F::exportedAt, exportedAt.toUTC().toString(Qt::ISODate));
    top.insert(F::connectors, list);
    // The same JSON value with bidi and other control characters escaped: an export printed
    // to a terminal ("export -") or opened in an editor shows them as \uXXXX.
    return Text::inertJson(QString::fromUtf8(QJsonDocument(top).toJson(QJsonDocument::Indented)))
        .toUtf8();
}

int ImportPlan::duplicateCount() const
{
    int n = 0;
    for (const ImportEntry &e : entries)
        n += e.duplicateOf.isNull() ? 0 : 1;
    return n;
}

ImportPlan parseImport(const QByteArray &data, const QList<Connector> &existing)
{
    ImportPlan plan;
    if (data.size() > kMaxFileSize) {
        plan.errors.append(tr("The file is too large for a connector export (more than %1 MiB).")
                               .arg(kMaxFileSize / (1024 * 1024)));
        return plan;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        plan.errors.append(tr("The file is not valid JSON: %1 (at byte %2).")
                               .arg(parseError.errorString())
                               .arg(parseError.offset));
        return plan;
    }
    if (!doc.isObject()) {
        plan.errors.append(tr("The file is not a Connector Desk export: expected a JSON object."));
        return plan;
    }
    const QJsonObject top = doc.object();
    if (top.value(F::format).toString() != formatId()) {
        plan.errors.append(
            tr("format: expected \"%1\": this is not a Connector Desk export.").arg(formatId()));
        return plan;
    }
    const QJsonValue version = top.value(F::schemaVersion);
    if (!version.isDouble() || version.toDouble() != double(version.toInt())
        || version.toInt() < 1) {
        plan.errors.append(tr("schemaVersion: expected a whole number of at least 1."));
        return plan;
    }
    if (version.toInt() > kSchemaVersion) {
        plan.errors.append(tr("schemaVersion: the file was written by a newer Connector Desk "
                              "(schema %1; this version reads schema %2). Update Connector Desk.")
                               .arg(version.toInt())
                               .arg(kSchemaVersion));
        return plan;
    }
    const QJsonValue list = top.value(F::connectors);
    if (!list.isArray()) {
        plan.errors.append(tr("connectors: expected an array, found %1.").arg(typeName(list)));
        return plan;
    }

    const QJsonArray array = list.toArray();
    QSet<QUuid> claimed; // existing connectors an entry already stands for
    for (int i = 0; i < array.size(); ++i) {
        ImportEntry entry;
        entry.index = i;
        const QJsonValue projects = array.at(i).toObject().value(F::projects);
        entry.hasProjects = !projects.isUndefined() && !projects.isNull(); // as parseEntry reads it
        if (!parseEntry(array.at(i), i, &entry.connector, &plan.errors))
            continue;
        // Two entries with one name make the file ambiguous: an error, not a choice. Two
        // connectors for one account are what `add` accepts (with a notice), and so what an
        // export can hold: accepted with the same notice.
        bool clash = false;
        for (const ImportEntry &earlier : std::as_const(plan.entries)) {
            if (earlier.connector.name.compare(entry.connector.name, Qt::CaseInsensitive) == 0) {
                plan.errors.append(
                    tr("%1: the name \"%2\" is also used by %3.")
                        .arg(place(i, F::name), entry.connector.name, place(earlier.index)));
                clash = true;
            }
        }
        if (clash)
            continue;
        // The existing connector this entry stands for: one with the same account, preferably
        // of the same name, that no earlier entry stands for already.
        const Connector *match = nullptr;
        for (const Connector &c : existing) {
            if (!sameAccount(c, entry.connector) || claimed.contains(c.id))
                continue;
            if (!match || c.name.compare(entry.connector.name, Qt::CaseInsensitive) == 0)
                match = &c;
            if (c.name.compare(entry.connector.name, Qt::CaseInsensitive) == 0)
                break;
        }
        if (match) {
            entry.duplicateOf = match->id;
            claimed.insert(match->id);
        } else {
            // The notice `add` gives: another connector already links to this instance.
            const Connector *same = ConnectorRules::findSameInstance(
                entry.connector.application, entry.connector.url, existing);
            for (int k = 0; !same && k < plan.entries.size(); ++k) {
                const Connector &earlier = plan.entries.at(k).connector;
                if (earlier.application == entry.connector.application
                    && earlier.url.compare(entry.connector.url, Qt::CaseInsensitive) == 0)
                    same = &earlier;
            }
            if (same)
                plan.notices.append(QStringLiteral("%1: %2").arg(place(i),
                    tr("\"%1\" links to the same instance as \"%2\". One connector can serve "
                       "many integrations; keep both only for different service accounts.")
                        .arg(entry.connector.name, same->name)));
        }
        plan.entries.append(entry);
    }
    if (!plan.ok()) {
        plan.entries.clear();
        plan.notices.clear();
    }
    return plan;
}

QStringList weakerSecurity(const Connector &stored, const Connector &imported)
{
    QStringList what;
    if (stored.verifySsl && !imported.verifySsl)
        what.append(tr("turns Verify SSL off"));
    if (!stored.pinnedCertificateSha256.isEmpty()) {
        if (imported.pinnedCertificateSha256.isEmpty())
            what.append(tr("removes the trusted certificate"));
        else if (imported.pinnedCertificateSha256 != stored.pinnedCertificateSha256)
            what.append(tr("replaces the trusted certificate (SHA-256 %1)")
                            .arg(QString::fromLatin1(
                                imported.pinnedCertificateSha256.toHex(':').toUpper())));
    }
    if (QUrl(stored.url).host().compare(QUrl(imported.url).host(), Qt::CaseInsensitive) != 0)
        what.append(tr("moves it to the host %1").arg(QUrl(imported.url).host()));
    return what;
}

ImportChanges resolveImport(const ImportPlan &plan, const QList<Connector> &existing,
    DuplicateChoice choice, const QSet<int> &applyWeakerAt)
{
    ImportChanges changes;
    if (!plan.ok())
        return changes;
    changes.notices = plan.notices;
    // The names as they will be: existing ones (replaced ones updated as we go), then new ones.
    QList<Connector> taken = existing;
    for (const ImportEntry &e : plan.entries) {
        Connector c = e.connector;
        QUuid self;
        if (!e.duplicateOf.isNull()) {
            const auto it = std::find_if(taken.begin(), taken.end(),
                [&](const Connector &x) { return x.id == e.duplicateOf; });
            if (it == taken.end())
                continue; // cannot happen with a plan made against `existing`
            if (choice == DuplicateChoice::Skip) {
                ++changes.skipped;
                changes.notices.append(tr("%1: \"%2\" is already here as \"%3\"; skipped.")
                                           .arg(place(e.index), c.name, it->name));
                continue;
            }
            self = it->id;
            const Connector old = *it;
            c.id = old.id;
            c.createdAt = old.createdAt;
            c.updatedAt = old.updatedAt;
            c.needsSecret = old.needsSecret;
            c.validation = old.validation;
            c.unknownFields = old.unknownFields;
            if (!e.hasProjects)
                c.projects = old.projects;
            // Keep the stored spelling of what identifies the account.
            c.url = old.url;
            c.identity = old.identity;
            // The stored secret stays: whatever would send it less safely than now is applied
            // only when asked for.
            const QStringList weaker = weakerSecurity(old, c);
            if (!weaker.isEmpty()) {
                SecurityChange change;
                change.index = e.index;
                change.id = old.id;
                change.name = old.name;
                change.changes = weaker;
                change.applied = applyWeakerAt.contains(e.index);
                changes.weakened.append(change);
                if (!change.applied) {
                    c.verifySsl = c.verifySsl || old.verifySsl;
                    if (!old.pinnedCertificateSha256.isEmpty())
                        c.pinnedCertificateSha256 = old.pinnedCertificateSha256;
                }
            }
        }
        if (!ConnectorRules::checkName(c.name, taken, self).isEmpty()) {
            const QString renamed = importedName(c.name, taken, self);
            changes.notices.append(tr("%1: a connector named \"%2\" already exists; imported as "
                                      "\"%3\".")
                                       .arg(place(e.index), c.name, renamed));
            c.name = renamed;
        }
        if (!self.isNull()) {
            const auto it = std::find_if(
                taken.begin(), taken.end(), [&](const Connector &x) { return x.id == self; });
            changes.notices.append(
                tr("%1: replaces the existing connector \"%2\".").arg(place(e.index), it->name));
            *it = c;
            changes.replaced.append(c);
        } else {
            c.id = QUuid::createUuid(); // only so later name checks can tell entries apart
            taken.append(c);
            c.id = QUuid();
            changes.added.append(c);
        }
    }
    return changes;
}

} // namespace cd::Exchange
