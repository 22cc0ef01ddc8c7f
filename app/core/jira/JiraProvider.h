#pragma once

#include "ApplicationProvider.h"

#include <memory>

namespace cd::jira {

// Jira Cloud: https://<site>.atlassian.net, email + API token (sent as Basic).
std::unique_ptr<ApplicationProvider> makeCloudProvider();
// Jira Data Center (and Server): any base URL, a context path kept; Basic (username +
// password) or a personal access token (Bearer). Facts: shared/jira-rest.md.
std::unique_ptr<ApplicationProvider> makeDataCenterProvider();

// Pure. Cloud: the site root (a browser URL's path is dropped); a host that is not
// *.atlassian.net is accepted with a warning. Data Center: the context path before a
// browser, API or login path ("/jira/browse/KEY-1" → "/jira").
NormalizedUrl normalizeCloudUrl(const QString &input);
NormalizedUrl normalizeDataCenterUrl(const QString &input);

} // namespace cd::jira
