#pragma once

#include "Connector.h"

#include <QIcon>

namespace cd::ui {

// The app's status icons (resources/icons/status-*.svg), made once: building a QIcon from an
// SVG path per data() call would defeat the icon cache and re-render the SVG on every repaint.

// A connector's status in the list; `validating` wins over the status.
const QIcon &validationStatusIcon(ValidationStatus status, bool validating = false);
// One step of a checklist: pass as verified, warn as warning, fail as failed, unknown as not
// verified.
const QIcon &checkStatusIcon(CheckStatus status);

} // namespace cd::ui
