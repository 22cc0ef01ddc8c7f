#include "HealthMonitor.h"

#include "ConnectorRepository.h"

#include <QCoreApplication>
#include <QStringList>

namespace cd {

HealthMonitor::HealthMonitor(ConnectorRepository *repository, QObject *parent)
    : QObject(parent)
    , m_repository(repository)
{
    connect(repository, &ConnectorRepository::reset, this, &HealthMonitor::rebuild);
    connect(repository, &ConnectorRepository::connectorAdded, this, [this](const QUuid &id) {
        const std::optional<Connector> c = m_repository->find(id);
        if (!c || m_seen.contains(id))
            return;
        m_seen.insert(id, seen(*c));
        change(std::nullopt, c->validation.status);
    });
    connect(repository, &ConnectorRepository::connectorUpdated, this, &HealthMonitor::onUpdated);
    connect(repository, &ConnectorRepository::connectorRemoved, this, [this](const QUuid &id) {
        const auto it = m_seen.constFind(id);
        if (it == m_seen.cend())
            return;
        const ValidationStatus was = it->status;
        m_seen.erase(it);
        change(was, std::nullopt);
    });
    rebuild();
}

HealthMonitor::Seen HealthMonitor::seen(const Connector &c)
{
    Seen s;
    s.status = c.validation.status;
    s.definite = c.validation.status;
    s.updatedAt = c.updatedAt;
    return s;
}

void HealthMonitor::rebuild()
{
    m_seen.clear();
    Counts counts;
    for (const Connector &c : m_repository->connectors()) {
        m_seen.insert(c.id, seen(c));
        count(&counts, c.validation.status, 1);
    }
    if (counts != m_counts) {
        m_counts = counts;
        Q_EMIT summaryChanged();
    }
}

void HealthMonitor::onUpdated(const QUuid &id)
{
    const std::optional<Connector> c = m_repository->find(id);
    if (!c)
        return;
    auto it = m_seen.find(id);
    if (it == m_seen.end()) {
        m_seen.insert(id, seen(*c));
        change(std::nullopt, c->validation.status);
        return;
    }
    const ValidationStatus now = c->validation.status;
    Seen &s = *it;
    const bool edited = s.updatedAt != c->updatedAt;
    const ValidationStatus before = s.definite;
    const ValidationStatus was = s.status;
    s.status = now;
    s.updatedAt = c->updatedAt;
    if (edited)
        s.definite = now;
    else if (now != ValidationStatus::NotVerified)
        s.definite = now;
    change(was, now);
    if (!edited && before == ValidationStatus::Verified
        && (now == ValidationStatus::Warning || now == ValidationStatus::Failed))
        Q_EMIT degraded(id, now);
}

void HealthMonitor::count(Counts *counts, ValidationStatus status, int delta)
{
    switch (status) {
    case ValidationStatus::Verified:
        counts->verified += delta;
        break;
    case ValidationStatus::Warning:
        counts->warning += delta;
        break;
    case ValidationStatus::Failed:
        counts->failed += delta;
        break;
    case ValidationStatus::NotVerified:
        counts->notVerified += delta;
        break;
    }
}

void HealthMonitor::change(std::optional<ValidationStatus> was, std::optional<ValidationStatus> now)
{
    if (was == now)
        return;
    if (was)
        count(&m_counts, *was, -1);
    if (now)
        count(&m_counts, *now, 1);
    Q_EMIT summaryChanged();
}

ValidationStatus HealthMonitor::worstStatus() const
{
    if (m_counts.failed)
        return ValidationStatus::Failed;
    if (m_counts.warning)
        return ValidationStatus::Warning;
    if (m_counts.notVerified || m_counts.total() == 0)
        return ValidationStatus::NotVerified;
    return ValidationStatus::Verified;
}

QString HealthMonitor::summaryText() const
{
    const auto tr = [](const char *s, int n) {
        return QCoreApplication::translate("HealthMonitor", s, nullptr, n);
    };
    if (m_counts.total() == 0)
        return QCoreApplication::translate("HealthMonitor", "No connectors");
    QStringList parts;
    if (m_counts.failed)
        parts << tr("%n failed", m_counts.failed);
    if (m_counts.warning)
        parts << tr("%n with a warning", m_counts.warning);
    if (m_counts.notVerified)
        parts << tr("%n not verified", m_counts.notVerified);
    if (m_counts.verified)
        parts << tr("%n verified", m_counts.verified);
    return parts.join(QCoreApplication::translate("HealthMonitor", ", "));
}

} // namespace cd
