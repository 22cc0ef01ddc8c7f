#pragma once

#include <QList>
#include <QUuid>

namespace cd::cli {

class Session;

// Checks the connectors `ids` (through the session's queue), prints one line each (or JSON)
// and returns the most serious exit code. `skipRejected`: credentials the server rejected
// are not sent again (--all), reported as failed.
// `changedOnly`: report only the connectors whose status differs from the one recorded before
// this run (the exit code is still the whole run's).
int validateIds(Session &s, const QList<QUuid> &ids, bool json, bool skipRejected = false,
    bool changedOnly = false);

} // namespace cd::cli
