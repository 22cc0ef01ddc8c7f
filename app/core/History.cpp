#include "History.h"

namespace cd {

HistoryEntry historyEntry(const ValidationState &state)
{
    HistoryEntry e;
    e.checkedAt = state.checkedAt;
    e.status = state.status;
    e.message = state.message;
    e.credentialsRejected = state.credentialsRejected;
    e.hostNotFound = state.hostNotFound;
    return e;
}

StatusRun statusRun(const QList<HistoryEntry> &history)
{
    StatusRun run;
    if (history.isEmpty())
        return run;
    run.status = history.constFirst().status;
    for (const HistoryEntry &e : history) {
        // A check that did not reach the server says nothing about a definite status: failing,
        // then once unreachable, then failing again is one run.
        if (e.status == ValidationStatus::NotVerified
            && run.status != ValidationStatus::NotVerified)
            continue;
        if (e.status != run.status)
            return run; // complete: the result before the run had another status
        run.since = e.checkedAt;
        ++run.count;
    }
    run.complete = history.size() < kHistoryLimit;
    return run;
}

StatusRun statusRun(const QList<HistoryEntry> &history, const ValidationState &current)
{
    if (history.isEmpty() || !current.checkedAt.isValid()
        || history.constFirst().checkedAt != current.checkedAt
        || history.constFirst().status != current.status)
        return StatusRun { current.status, {}, 0, true };
    return statusRun(history);
}

QDateTime statusSince(const QList<HistoryEntry> &history)
{
    return statusRun(history).since;
}

} // namespace cd
