#include "ConnectorRules.h"

#include "Applications.h"
#include "Text.h"
#include "UrlNormalizer.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

namespace cd::ConnectorRules {

namespace {
QString tr(const char *s)
{
    return QCoreApplication::translate("ConnectorRules", s);
}
} // namespace

QString checkName(const QString &rawName, const QList<Connector> &existing, const QUuid &self)
{
    const QString name = rawName.trimmed();
    if (name.isEmpty())
        return tr("Enter a name for the connector.");
    if (name.size() > kMaxNameLength)
        return tr("The name is too long: at most %1 characters.").arg(kMaxNameLength);
    // Names are shown in terminals, lists and messages, and come from import files too:
    // an escape sequence, a line break or a bidi override would make them say something else.
    if (const char32_t c = Text::firstControl(name))
        return tr("The name contains the control character %1. Use letters, digits, spaces "
                  "and punctuation only.")
            .arg(Text::codePointName(c));
    for (const Connector &c : existing) {
        if (c.id != self && c.name.trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return tr("A connector named \"%1\" already exists. Choose another name.").arg(c.name);
    }
    return {};
}

QString uniqueName(const QString &name, const QString &suffix, const QString &numberedSuffix,
    const QList<Connector> &existing, const QUuid &self)
{
    for (int n = 1;; ++n) {
        const QString tail = n == 1 ? suffix : numberedSuffix.arg(n);
        const QString candidate = name.left(kMaxNameLength - int(tail.size())).trimmed() + tail;
        if (checkName(candidate, existing, self).isEmpty())
            return candidate;
    }
}

const Connector *findSameInstance(const QString &application, const QString &normalizedUrl,
    const QList<Connector> &existing, const QUuid &self)
{
    for (const Connector &c : existing) {
        if (c.id != self && c.application == application
            && c.url.compare(normalizedUrl, Qt::CaseInsensitive) == 0)
            return &c;
    }
    return nullptr;
}

QString parseProjects(const QStringList &entries, QStringList *projects)
{
    QStringList keys;
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    for (const QString &entry : entries) {
        for (const QString &raw : entry.split(separators, Qt::SkipEmptyParts)) {
            const QString key = raw.trimmed();
            if (key.isEmpty())
                continue;
            if (const char32_t c = Text::firstControl(key))
                return tr("The project key “%1” contains the control character %2. Use "
                          "letters, digits, '_' and '-' only.")
                    .arg(Text::inert(key.left(kMaxProjectKeyLength)), Text::codePointName(c));
            if (key.size() > kMaxProjectKeyLength)
                return tr("The project key “%1…” is too long: at most %2 characters.")
                    .arg(key.left(20))
                    .arg(kMaxProjectKeyLength);
            for (const QChar ch : key) {
                // ASCII only: a Cyrillic "А" in "АCME" looks like a key and never matches one.
                if (!((ch.unicode() < 128 && ch.isLetterOrNumber()) || ch == QLatin1Char('_')
                        || ch == QLatin1Char('-')))
                    return tr("“%1” is not a project key: use letters, digits, '_' and '-' "
                              "(for example ACME), separated by commas.")
                        .arg(Text::inert(key));
            }
            if (!keys.contains(key, Qt::CaseInsensitive))
                keys << key;
        }
    }
    if (keys.size() > kMaxProjects)
        return tr("Too many projects: at most %1 per connector.").arg(kMaxProjects);
    *projects = keys;
    return {};
}

QString parseProjectsJson(const QJsonValue &value, QStringList *projects)
{
    QStringList entries;
    bool strings = value.isArray();
    for (const QJsonValue &v : value.toArray()) {
        strings = strings && v.isString();
        entries << v.toString();
    }
    if (!strings)
        return tr("expected a list of project keys, for example [\"ACME\", \"DEMO\"]");
    return parseProjects(entries, projects);
}

DraftCheck check(
    const ConnectorDraft &draft, const QList<Connector> &existing, const Connector *previous)
{
    DraftCheck r;
    r.projects = parseProjects({ draft.projects }, &r.normalizedProjects);
    r.name = checkName(draft.name, existing, draft.id);
    const ApplicationProvider *provider = Applications::find(draft.application);
    if (!provider) {
        r.application = tr("Choose the application this connector links to.");
        return r;
    }

    const NormalizedUrl url = provider->normalizeUrl(draft.url);
    if (url.ok) {
        r.normalizedUrl = url.url;
        r.urlWarning = url.warning;
        if (const Connector *same
            = findSameInstance(draft.application, url.url, existing, draft.id)) {
            r.duplicateOf = same->id;
            r.duplicateNotice = tr("The connector \"%1\" already links to this instance. One "
                                   "connector can serve many integrations; add another only "
                                   "for a different service account.")
                                    .arg(same->name);
        }
    } else {
        r.url = url.error;
    }

    const AuthMethod *method = provider->authMethod(draft.authType);
    if (!method) {
        r.authType = tr("%1 connectors sign in with %2, not \"%3\".")
                         .arg(provider->displayName(), provider->authMethodIds().join(tr(" or ")),
                             draft.authType);
        return r;
    }
    if (method->hasIdentity() && draft.identity.trimmed().isEmpty())
        r.identity = method->identityMissing;

    // A secret is needed when adding, and when editing changes the application or the
    // authentication type (the stored secret belongs to the other one), and for a connector
    // that has none yet.
    const bool secretRequired = !previous || previous->application != draft.application
        || previous->authType != draft.authType || previous->needsSecret;
    if (secretRequired && draft.secret.isEmpty())
        r.secret = method->secretMissing;
    return r;
}

} // namespace cd::ConnectorRules
