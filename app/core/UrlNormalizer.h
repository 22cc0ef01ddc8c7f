#pragma once

#include <QString>
#include <QStringList>
#include <functional>

namespace cd {

// What the user typed as an instance URL, turned into the instance base URL.
struct NormalizedUrl
{
    bool ok = false;
    QString url; // the normalised base, e.g. "https://jama.example.com/contour"
    QString error; // why it was refused (when !ok); user-facing
    QString warning; // accepted but worth a warning (plain http); user-facing
};

// An application's part of the rules.
struct UrlRules
{
    QString emptyMessage; // "Enter the URL of your Jama Connect instance."
    QString example; // "https://jama.example.com or https://jama.example.com/contour"
    // The path segments (percent-encoded, no empty ones) that are the instance's base, from
    // those of the URL typed: cuts an API, login or browser path. Null: the whole path.
    std::function<QStringList(const QStringList &segments)> basePath;
};

// Pure. The rules every application shares: default scheme https; lower-case host; keep an
// explicit port (named when out of range, never the parser's words) and what basePath
// keeps of the path; strip query, fragment and trailing "/". Refuses an empty host, schemes
// other than http(s), spaces, and user-info ("https://user:pw@host": a secret must never
// reach a plain file). Plain http is accepted with a warning. IPv6 literals keep brackets.
NormalizedUrl normalizeBaseUrl(const QString &input, const UrlRules &rules);

// Helpers for basePath: the segments before the first one equal (case-insensitively) to
// `name`, when there is one.
QStringList segmentsBefore(const QStringList &segments, const QString &name);

} // namespace cd
