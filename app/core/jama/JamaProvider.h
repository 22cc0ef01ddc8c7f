#pragma once

#include "ApplicationProvider.h"

#include <memory>

namespace cd::jama {

// Jama Connect: Basic (service account username + password) or oAuth (client credentials;
// the only choice with SAML). Facts: shared/jama-rest.md.
std::unique_ptr<ApplicationProvider> makeProvider();

// Pure. Jama's URL rules on top of normalizeBaseUrl: keep a context path; cut a trailing
// "/rest", "/rest/v1", "/rest/latest", "/rest/labs", "/rest/oauth" (and what follows them)
// and "/login.req".
NormalizedUrl normalizeUrl(const QString &input);

} // namespace cd::jama
