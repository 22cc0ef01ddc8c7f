#pragma once

#include <QList>
#include <QUuid>

namespace cd::cli {

class Session;

// Checks the connectors `ids` (through the session's queue), prints one line each (or JSON)
// and returns the most serious exit code. `skipRejected`: credentials the server rejected
// are not sent again (--all), reported as failed.
int validateIds(Session &s, const QList<QUuid> &ids, bool json, bool skipRejected = false);

} // namespace cd::cli
