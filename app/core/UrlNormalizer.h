#pragma once

#include <QString>

namespace cd {

// What the user typed as an instance URL, turned into the instance base URL.
struct NormalizedUrl
{
    bool ok = false;
    QString url; // the normalised base, e.g. "https://jama.example.com/contour"
    QString error; // why it was refused (when !ok); user-facing
    QString warning; // accepted but worth a warning (plain http); user-facing
};

// Pure. Rules (see shared/jama-rest.md): default scheme https; lower-case host; keep an
// explicit port and a context path; strip query, fragment, trailing "/", a trailing
// "/rest", "/rest/v1", "/rest/latest", "/rest/labs" (and anything under them) and
// "/login.req". Refuses an empty host, schemes other than http(s), spaces, and user-info
// ("https://user:pw@host": a secret must never reach a plain file). Plain http is accepted
// with a warning.
NormalizedUrl normalizeInstanceUrl(const QString &input);

} // namespace cd
