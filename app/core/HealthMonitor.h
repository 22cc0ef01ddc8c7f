#pragma once

#include "Connector.h"

#include <QHash>
#include <QObject>
#include <QUuid>
#include <optional>

namespace cd {

class ConnectorRepository;

// Watches the connectors' statuses (issue 16): the worst of them for the tray, and the moment
// a connector that worked stops working, for a notification.
//
// "Stopped working": the connector's last definite result (Verified, Warning or Failed) was
// Verified and a new result is Warning or Failed, with no change by the user in between. A
// check that could not reach the server ("Not verified", checked again later) is not a
// definite result: Verified, then not reached, then Failed still counts. An edit or a new
// secret (the connector's updatedAt changes) starts over: what follows a change the user made
// is the user's to see, not news. Results recorded by another process (a scheduled command
// line) count the same as the window's own.
class HealthMonitor : public QObject
{
    Q_OBJECT
public:
    explicit HealthMonitor(ConnectorRepository *repository, QObject *parent = nullptr);

    struct Counts
    {
        int verified = 0;
        int warning = 0;
        int failed = 0;
        int notVerified = 0;
        int total() const { return verified + warning + failed + notVerified; }
        bool operator==(const Counts &o) const
        {
            return verified == o.verified && warning == o.warning && failed == o.failed
                && notVerified == o.notVerified;
        }
        bool operator!=(const Counts &o) const { return !(*this == o); }
    };
    Counts counts() const { return m_counts; }
    // Failed, else Warning, else Not verified, else Verified; Not verified when there is no
    // connector at all.
    ValidationStatus worstStatus() const;
    // The summary as one line: "2 failed, 1 with a warning, 5 verified" ("No connectors").
    QString summaryText() const;

Q_SIGNALS:
    // `id` went from Verified to `status` (Warning or Failed); its message says why.
    void degraded(const QUuid &id, cd::ValidationStatus status);
    // counts() (and so perhaps worstStatus()) changed.
    void summaryChanged();

private:
    struct Seen
    {
        ValidationStatus status = ValidationStatus::NotVerified;
        // The last definite result (NotVerified: none since the last change).
        ValidationStatus definite = ValidationStatus::NotVerified;
        QDateTime updatedAt;
    };
    static Seen seen(const Connector &c);
    void rebuild();
    void onUpdated(const QUuid &id);
    static void count(Counts *counts, ValidationStatus status, int delta);
    // One connector's status went from `was` to `now` (nullopt: it came or went).
    void change(std::optional<ValidationStatus> was, std::optional<ValidationStatus> now);

    ConnectorRepository *m_repository;
    QHash<QUuid, Seen> m_seen;
    Counts m_counts;
};

} // namespace cd
