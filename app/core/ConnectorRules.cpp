#include "ConnectorRules.h"

#include "Applications.h"
#include "Text.h"
#include "UrlNormalizer.h"

#include <QCoreApplication>

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

DraftCheck check(
    const ConnectorDraft &draft, const QList<Connector> &existing, const Connector *previous)
{
    DraftCheck r;
    if (!Applications::find(draft.application))
        r.application = tr("Choose the application this connector links to.");

    r.name = checkName(draft.name, existing, draft.id);

    const NormalizedUrl url = normalizeInstanceUrl(draft.url);
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

    if (draft.identity.trimmed().isEmpty()) {
        r.identity = draft.authType == AuthType::OAuth
            ? tr("Enter the Client ID.")
            : tr("Enter the username of the service account.");
    }

    // A secret is needed when adding, and when editing changes the authentication type
    // (the stored secret belongs to the other type), and for a connector that has none yet.
    const bool secretRequired
        = !previous || previous->authType != draft.authType || previous->needsSecret;
    if (secretRequired && draft.secret.isEmpty()) {
        r.secret = draft.authType == AuthType::OAuth ? tr("Enter the Client Secret.")
                                                     : tr("Enter the password.");
    }
    return r;
}

} // namespace cd::ConnectorRules
