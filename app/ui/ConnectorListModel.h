#pragma once

#include "Connector.h"

#include <QAbstractTableModel>
#include <QCollator>
#include <QDateTime>
#include <QSet>
#include <QSortFilterProxyModel>
#include <functional>

class QTimer;

namespace cd {
class ConnectorRepository;
}

namespace cd::ui {

// The connectors of the repository as a table, in the repository's order. Follows the
// repository's signals; knows which connectors are being validated right now.
class ConnectorListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        ApplicationColumn,
        UrlColumn,
        AuthenticationColumn,
        StatusColumn,
        LastCheckedColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role { IdRole = Qt::UserRole + 1, SortRole };

    explicit ConnectorListModel(ConnectorRepository *repository, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const Connector &connectorAt(int row) const;
    int rowOf(const QUuid &id) const;

    void setValidating(const QUuid &id, bool validating);
    bool isValidating(const QUuid &id) const { return m_validating.contains(id); }

    // The clock used for "5 minutes ago" (tests set a fixed one).
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }

    static QString relativeTime(const QDateTime &when, const QDateTime &now);
    QString statusText(const Connector &c) const;
    static QString needsSecretText();
    static QString validatingText();

private:
    void onAdded(const QUuid &id);
    void onUpdated(const QUuid &id);
    void onAboutToBeRemoved(const QUuid &id);
    void onRemoved(const QUuid &id);
    void onReset();

    ConnectorRepository *m_repository;
    QList<QUuid> m_ids; // mirrors the repository's order
    QSet<QUuid> m_validating;
    int m_removingRow = -1;
    std::function<QDateTime()> m_clock;
    QTimer *m_tick = nullptr;
};

// Filters on name, URL, identity, application and project keys (case-insensitive, as you
// type) and sorts by SortRole.
class ConnectorFilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ConnectorFilterProxyModel(QObject *parent = nullptr);
    void setSearchText(const QString &text);
    QString searchText() const { return m_needle; }
    // Which connectors to show by their state ("Show:" on the page).
    enum class StatusFilter { All, Failed, Warning, NeedsSecret, NotVerified, Verified };
    void setStatusFilter(StatusFilter filter);
    StatusFilter statusFilter() const { return m_statusFilter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    int statusRank(const Connector &c) const;

    QString m_needle;
    StatusFilter m_statusFilter = StatusFilter::All;
    QCollator m_collator;
};

} // namespace cd::ui
