#include "ConnectorListModel.h"

#include "Applications.h"
#include "ConnectorRepository.h"
#include "PlainText.h"
#include "StatusIcons.h"

#include <QIcon>
#include <QLocale>
#include <QTimer>
#include <algorithm>

namespace cd::ui {

ConnectorListModel::ConnectorListModel(ConnectorRepository *repository, QObject *parent)
    : QAbstractTableModel(parent)
    , m_repository(repository)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    connect(repository, &ConnectorRepository::connectorAdded, this, &ConnectorListModel::onAdded);
    connect(
        repository, &ConnectorRepository::connectorUpdated, this, &ConnectorListModel::onUpdated);
    connect(repository, &ConnectorRepository::connectorAboutToBeRemoved, this,
        &ConnectorListModel::onAboutToBeRemoved);
    connect(
        repository, &ConnectorRepository::connectorRemoved, this, &ConnectorListModel::onRemoved);
    connect(repository, &ConnectorRepository::aboutToReset, this, [this] { beginResetModel(); });
    connect(repository, &ConnectorRepository::reset, this, &ConnectorListModel::onReset);
    m_ids.reserve(repository->connectors().size());
    for (const Connector &c : repository->connectors())
        m_ids.append(c.id);

    // "5 minutes ago" ages: refresh that column once a minute.
    m_tick = new QTimer(this);
    m_tick->setInterval(60 * 1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        if (!m_ids.isEmpty())
            Q_EMIT dataChanged(index(0, LastCheckedColumn),
                index(int(m_ids.size()) - 1, LastCheckedColumn), { Qt::DisplayRole });
    });
    m_tick->start();
}

int ConnectorListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int ConnectorListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Connector &ConnectorListModel::connectorAt(int row) const
{
    return m_repository->connectors().at(row);
}

int ConnectorListModel::rowOf(const QUuid &id) const
{
    return int(m_ids.indexOf(id));
}

QString ConnectorListModel::relativeTime(const QDateTime &when, const QDateTime &now)
{
    if (!when.isValid())
        return tr("Never");
    const qint64 secs = when.secsTo(now);
    if (secs < 60)
        return tr("Just now");
    if (secs < 3600)
        return tr("%n minute(s) ago", nullptr, int(secs / 60));
    if (secs < 24 * 3600)
        return tr("%n hour(s) ago", nullptr, int(secs / 3600));
    const qint64 days = when.toLocalTime().date().daysTo(now.toLocalTime().date());
    if (days <= 1)
        return tr("Yesterday");
    if (days < 30)
        return tr("%n day(s) ago", nullptr, int(days));
    return QLocale().toString(when.toLocalTime().date(), QLocale::ShortFormat);
}

QString ConnectorListModel::statusText(const Connector &c) const
{
    if (m_validating.contains(c.id))
        return validatingText();
    if (c.needsSecret)
        return needsSecretText();
    if (c.validation.hostNotFound && c.validation.status == ValidationStatus::Failed)
        return tr("Host not found");
    return statusDisplayName(c.validation.status);
}

QString ConnectorListModel::needsSecretText()
{
    return tr("Needs secret");
}

QString ConnectorListModel::validatingText()
{
    return tr("Validating…");
}

QVariant ConnectorListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Connector &c = connectorAt(index.row());
    if (role == IdRole)
        return c.id;
    switch (index.column()) {
    case NameColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return c.name;
        break;
    case ApplicationColumn:
        if (role == Qt::DisplayRole || role == SortRole) {
            return Applications::displayName(c.application);
        }
        break;
    case UrlColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return c.url;
        if (role == Qt::ToolTipRole)
            return plainToolTip(c.url);
        break;
    case AuthenticationColumn:
        if (role == Qt::DisplayRole || role == SortRole) {
            return role == SortRole ? Applications::authDisplayName(c.application, c.authType)
                                    : Applications::authSummary(c);
        }
        break;
    case StatusColumn: {
        const bool validating = m_validating.contains(c.id);
        switch (role) {
        case Qt::DisplayRole:
            return statusText(c);
        case SortRole:
            return validating ? -1 : int(c.validation.status);
        case Qt::DecorationRole:
            return validationStatusIcon(c.validation.status, validating);
        case Qt::ToolTipRole:
            return validating ? tr("Checking the credentials against the server…")
                              : plainToolTip(c.validation.message.isEmpty() ? statusText(c)
                                                                            : c.validation.message);
        default:
            break;
        }
        break;
    }
    case LastCheckedColumn:
        switch (role) {
        case Qt::DisplayRole:
            return relativeTime(c.validation.checkedAt, m_clock());
        case SortRole:
            return c.validation.checkedAt.isValid() ? c.validation.checkedAt.toMSecsSinceEpoch()
                                                    : qint64(0);
        case Qt::ToolTipRole:
            return c.validation.checkedAt.isValid()
                ? QLocale().toString(c.validation.checkedAt.toLocalTime(), QLocale::LongFormat)
                : tr("Never checked");
        default:
            break;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant ConnectorListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case ApplicationColumn:
        return tr("Application");
    case UrlColumn:
        return tr("URL");
    case AuthenticationColumn:
        return tr("Authentication");
    case StatusColumn:
        return tr("Status");
    case LastCheckedColumn:
        return tr("Last checked");
    default:
        return {};
    }
}

void ConnectorListModel::setValidating(const QUuid &id, bool validating)
{
    const bool changed = validating ? !m_validating.contains(id) : m_validating.remove(id);
    if (validating)
        m_validating.insert(id);
    if (!changed)
        return; // no search of the rows: the page asks this of all 10,000 at start
    const int row = rowOf(id);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, StatusColumn), index(row, StatusColumn));
}

void ConnectorListModel::onAdded(const QUuid &id)
{
    const int repoRow = m_repository->indexOf(id);
    beginInsertRows({}, repoRow, repoRow);
    m_ids.insert(repoRow, id);
    endInsertRows();
}

void ConnectorListModel::onUpdated(const QUuid &id)
{
    const int row = rowOf(id);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ConnectorListModel::onAboutToBeRemoved(const QUuid &id)
{
    m_removingRow = rowOf(id);
    if (m_removingRow >= 0)
        beginRemoveRows({}, m_removingRow, m_removingRow);
}

void ConnectorListModel::onRemoved(const QUuid &id)
{
    if (m_removingRow < 0)
        return;
    m_ids.removeAt(m_removingRow);
    m_validating.remove(id);
    m_removingRow = -1;
    endRemoveRows();
}

void ConnectorListModel::onReset()
{
    // beginResetModel() ran on aboutToReset, while the old list was still there.
    m_ids.clear();
    m_ids.reserve(m_repository->connectors().size());
    for (const Connector &c : m_repository->connectors())
        m_ids.append(c.id);
    m_validating.clear();
    endResetModel();
}

ConnectorFilterProxyModel::ConnectorFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ConnectorListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(true);
    setDynamicSortFilter(true);
    m_collator.setCaseSensitivity(Qt::CaseInsensitive);
    m_collator.setNumericMode(true); // "Connector 2" before "Connector 10"
}

int ConnectorFilterProxyModel::statusRank(const Connector &c) const
{
    const auto *model = static_cast<const ConnectorListModel *>(sourceModel());
    return model->isValidating(c.id) ? -1 : int(c.validation.status);
}

bool ConnectorFilterProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Compares the connectors' fields directly: going through data() and QVariant for each
    // of the ~130,000 comparisons of sorting 10,000 rows is most of the cost.
    const auto *model = static_cast<const ConnectorListModel *>(sourceModel());
    const Connector &a = model->connectorAt(left.row());
    const Connector &b = model->connectorAt(right.row());
    switch (left.column()) {
    case ConnectorListModel::NameColumn:
        return m_collator.compare(a.name, b.name) < 0;
    case ConnectorListModel::ApplicationColumn:
        return m_collator.compare(Applications::displayName(a.application),
                   Applications::displayName(b.application))
            < 0;
    case ConnectorListModel::UrlColumn:
        return m_collator.compare(a.url, b.url) < 0;
    case ConnectorListModel::AuthenticationColumn:
        if (a.authType != b.authType)
            return a.authType < b.authType;
        return m_collator.compare(a.identity, b.identity) < 0;
    case ConnectorListModel::StatusColumn:
        return statusRank(a) < statusRank(b);
    case ConnectorListModel::LastCheckedColumn:
        return a.validation.checkedAt < b.validation.checkedAt;
    default:
        return QSortFilterProxyModel::lessThan(left, right);
    }
}

void ConnectorFilterProxyModel::setSearchText(const QString &text)
{
    const QString needle = text.trimmed();
    if (needle == m_needle)
        return;
    m_needle = needle;
    invalidateFilter();
}

void ConnectorFilterProxyModel::setStatusFilter(StatusFilter filter)
{
    if (filter == m_statusFilter)
        return;
    m_statusFilter = filter;
    invalidateFilter();
}

bool ConnectorFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (m_needle.isEmpty() && m_statusFilter == StatusFilter::All)
        return true;
    const auto *model = static_cast<const ConnectorListModel *>(sourceModel());
    const Connector &c = model->connectorAt(sourceRow);
    const ValidationStatus s = c.validation.status;
    bool shown = true;
    switch (m_statusFilter) {
    case StatusFilter::All:
        break;
    case StatusFilter::Failed:
        shown = s == ValidationStatus::Failed;
        break;
    case StatusFilter::Warning:
        shown = s == ValidationStatus::Warning;
        break;
    case StatusFilter::NeedsSecret:
        shown = c.needsSecret;
        break;
    case StatusFilter::NotVerified:
        shown = s == ValidationStatus::NotVerified && !c.needsSecret;
        break;
    case StatusFilter::Verified:
        shown = s == ValidationStatus::Verified;
        break;
    }
    return shown
        && (m_needle.isEmpty() || c.name.contains(m_needle, Qt::CaseInsensitive)
            || c.url.contains(m_needle, Qt::CaseInsensitive)
            || c.identity.contains(m_needle, Qt::CaseInsensitive)
            || Applications::displayName(c.application).contains(m_needle, Qt::CaseInsensitive)
            || std::any_of(c.projects.cbegin(), c.projects.cend(), [this](const QString &key) {
                   return key.contains(m_needle, Qt::CaseInsensitive);
               }));
}

} // namespace cd::ui
