#include "UrlNormalizer.h"

#include <QCoreApplication>
#include <QStringList>
#include <QUrl>

namespace cd {

namespace {
QString tr(const char *s)
{
    return QCoreApplication::translate("UrlNormalizer", s);
}

NormalizedUrl refuse(const QString &why)
{
    NormalizedUrl r;
    r.error = why;
    return r;
}
} // namespace

NormalizedUrl normalizeBaseUrl(const QString &input, const UrlRules &rules)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return refuse(rules.emptyMessage);
    for (const QChar c : text) {
        if (c.isSpace())
            return refuse(tr("A URL cannot contain spaces."));
    }

    QString withScheme = text;
    const int sep = text.indexOf(QLatin1String("://"));
    if (sep < 0) {
        // "host:8080/x" parses as scheme "host"; a bare host gets https.
        withScheme = QStringLiteral("https://") + text;
    } else if (sep == 0) {
        return refuse(tr("The URL has no host name."));
    }

    const QUrl url(withScheme, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("https") && scheme != QLatin1String("http"))
        return refuse(tr("Use an https:// address (the scheme \"%1\" is not supported).")
                          .arg(url.scheme().isEmpty() ? text.left(sep) : url.scheme()));
    // Checked before validity: a password in the URL must be refused with this message
    // whatever else is wrong with it.
    const int schemeEnd = int(withScheme.indexOf(QLatin1String("://"))) + 3;
    int authorityEnd = -1;
    for (const QChar end : { QLatin1Char('/'), QLatin1Char('?'), QLatin1Char('#') }) {
        const int at = int(withScheme.indexOf(end, schemeEnd));
        if (at >= 0 && (authorityEnd < 0 || at < authorityEnd))
            authorityEnd = at;
    }
    const QString authority
        = withScheme.mid(schemeEnd, authorityEnd < 0 ? -1 : authorityEnd - schemeEnd);
    if (authority.contains(QLatin1Char('@')) || !url.userInfo().isEmpty())
        return refuse(tr("Remove the user name and password from the URL: credentials go in "
                         "the authentication fields, never in the URL."));
    // A port out of range: say so, rather than the URL parser's own words.
    {
        const int close = authority.lastIndexOf(QLatin1Char(']'));
        const int colon = authority.lastIndexOf(QLatin1Char(':'));
        if (colon > close) {
            const QString port = authority.mid(colon + 1);
            bool number = !port.isEmpty();
            for (const QChar c : port)
                number = number && c.isDigit();
            if (!number && !port.isEmpty())
                return refuse(tr("“%1” is not a port number: after the colon, enter the port "
                                 "(1 to 65535), or leave both out.")
                                  .arg(port));
            if (number && (port.toLongLong() < 1 || port.toLongLong() > 65535 || port.size() > 5))
                return refuse(tr("The port %1 is not valid: use a number from 1 to 65535, or "
                                 "leave it out for the standard port.")
                                  .arg(port));
        }
    }
    if (!url.isValid())
        return refuse(tr("This is not a valid URL. Check it for typos; it looks like %1.")
                          .arg(rules.example));
    if (url.host().isEmpty())
        return refuse(tr("The URL has no host name."));

    QStringList segments = url.path(QUrl::FullyEncoded).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (rules.basePath)
        segments = rules.basePath(segments);

    QString host = url.host(QUrl::FullyEncoded).toLower();
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']'); // an IPv6 literal keeps its brackets
    QString result = scheme + QStringLiteral("://") + host;
    if (url.port() != -1)
        result += QLatin1Char(':') + QString::number(url.port());
    if (!segments.isEmpty())
        result += QLatin1Char('/') + segments.join(QLatin1Char('/'));

    NormalizedUrl r;
    r.ok = true;
    r.url = result;
    if (scheme == QLatin1String("http"))
        r.warning = tr("This address uses plain http: the credentials would cross the network "
                       "unencrypted. Use https unless the instance offers nothing else.");
    return r;
}

} // namespace cd

namespace cd {

QStringList segmentsBefore(const QStringList &segments, const QString &name)
{
    for (int i = 0; i < segments.size(); ++i) {
        if (segments.at(i).compare(name, Qt::CaseInsensitive) == 0)
            return segments.mid(0, i);
    }
    return segments;
}

} // namespace cd
