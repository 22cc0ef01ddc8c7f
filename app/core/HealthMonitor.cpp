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
        if (const std::optional<Connector> c = m_repository->find(id))
            m_seen.insert(id, seen(*c));
        recount();
    });
    connect(repository, &ConnectorRepository::connectorUpdated, this, &HealthMonitor::onUpdated);
    connect(repository, &ConnectorRepository::connectorRemoved, this, [this](const QUuid &id) {
        m_seen.remove(id);
        recount();
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
    for (const Connector &c : m_repository->connectors())
        m_seen.insert(c.id, seen(c));
    recount();
}

void HealthMonitor::onUpdated(const QUuid &id)
{
    const std::optional<Connector> c = m_repository->find(id);
    if (!c)
        return;
    auto it = m_seen.find(id);
    if (it == m_seen.end()) {
        m_seen.insert(id, seen(*c));
        recount();
        return;
    }
    const ValidationStatus now = c->validation.status;
    Seen &s = *it;
    const bool edited = s.updatedAt != c->updatedAt;
    const ValidationStatus before = s.definite;
    s.status = now;
    s.updatedAt = c->updatedAt;
    if (edited)
        s.definite = now;
    else if (now != ValidationStatus::NotVerified)
        s.definite = now;
    recount();
    if (!edited && before == ValidationStatus::Verified
        && (now == ValidationStatus::Warning || now == ValidationStatus::Failed))
        Q_EMIT degraded(id, now);
}

void HealthMonitor::recount()
{
    Counts counts;
    for (const Seen &s : std::as_const(m_seen)) {
        switch (s.status) {
        case ValidationStatus::Verified:
            ++counts.verified;
            break;
        case ValidationStatus::Warning:
            ++counts.warning;
            break;
        case ValidationStatus::Failed:
            ++counts.failed;
            break;
        case ValidationStatus::NotVerified:
            ++counts.notVerified;
            break;
        }
    }
    if (counts == m_counts)
        return;
    m_counts = counts;
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
