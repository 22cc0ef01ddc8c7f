#pragma once

#include "Connector.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace cd {

// One recorded validation result of a connector: its status history keeps the newest
// kHistoryLimit of them (ConnectorStore::history(), newest first).
struct HistoryEntry
{
    QDateTime checkedAt; // UTC
    ValidationStatus status = ValidationStatus::NotVerified;
    QString message; // as the check said it (untrusted: shown inert)
    bool credentialsRejected = false;
    bool hostNotFound = false;

    bool operator==(const HistoryEntry &o) const
    {
        return checkedAt == o.checkedAt && status == o.status && message == o.message
            && credentialsRejected == o.credentialsRejected && hostNotFound == o.hostNotFound;
    }
    bool operator!=(const HistoryEntry &o) const { return !(*this == o); }
};

// How many results a connector's history keeps (the oldest go first).
constexpr int kHistoryLimit = 20;

// The entry a recorded validation state makes.
HistoryEntry historyEntry(const ValidationState &state);

// The unbroken newest run of results with the same status ("failing since …").
struct StatusRun
{
    ValidationStatus status = ValidationStatus::NotVerified;
    QDateTime since; // the run's first (oldest) result; invalid for an empty history
    int count = 0; // results in the run
    // False when the run covers the whole history and the history is full (older results
    // were trimmed): the run may have begun before `since`.
    bool complete = true;
};

// Pure. `history` newest first, as ConnectorStore::history() returns it. The run of the
// newest entry's status; for a definite status (Verified, Warning, Failed), "not verified"
// entries inside the run (the server not reached) neither end it nor count.
StatusRun statusRun(const QList<HistoryEntry> &history);
// The same, only when the history's newest entry is the connector's `current` state (same
// time and status): a state recorded without history (by an older version, or reset by an
// edit or a new secret) has no run. Otherwise an empty run (count 0, invalid since).
StatusRun statusRun(const QList<HistoryEntry> &history, const ValidationState &current);
// statusRun(history).since: when the current run of results began.
QDateTime statusSince(const QList<HistoryEntry> &history);

} // namespace cd
