#include "ChecklistView.h"

#include "PlainText.h"
#include "StatusIcons.h"

#include <QAction>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QGuiApplication>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
#include <QStyledItemDelegate>

namespace cd::ui {

namespace {
// The message wraps: a row is as high as its message needs at the width of its column.
// (QTreeView asks the delegate for a size without any width, which never wraps.)
class WrappingDelegate : public QStyledItemDelegate
{
public:
    explicit WrappingDelegate(QTreeView *view)
        : QStyledItemDelegate(view)
        , m_view(view)
    { }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        if (index.column() != ChecklistView::ResultColumn)
            return QStyledItemDelegate::sizeHint(option, index);
        QStyleOptionViewItem wrapped(option);
        const int width = m_view->header()->sectionSize(index.column());
        wrapped.rect = QRect(0, 0, qMax(width, 1), qMax(option.fontMetrics.height(), 1));
        return QStyledItemDelegate::sizeHint(wrapped, index);
    }

private:
    QTreeView *m_view;
};
} // namespace

ChecklistView::ChecklistView(QWidget *parent)
    : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("checklistView"));
    setAccessibleName(tr("Checklist"));
    setColumnCount(2);
    setHeaderLabels({ tr("Check"), tr("Result") });
    setRootIsDecorated(false);
    setItemsExpandable(false);
    setUniformRowHeights(false);
    setWordWrap(true);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setItemDelegate(new WrappingDelegate(this));
    header()->setSectionsMovable(false);
    header()->setSectionResizeMode(CheckColumn, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(true);
    // A new width of the message column gives the rows new heights.
    connect(header(), &QHeaderView::sectionResized, this, [this](int column) {
        if (column == ResultColumn)
            relayoutRows();
    });

    m_copy = new QAction(tr("&Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyChecklistAction"));
    m_copy->setShortcut(QKeySequence::Copy); // shown in the menu; the key is handled below
    m_copy->setShortcutContext(Qt::WidgetShortcut);
    m_copy->setToolTip(tr("Copy every step of the checklist as text"));
    connect(m_copy, &QAction::triggered, this, &ChecklistView::copy);
}

void ChecklistView::setChecks(const QList<CheckItem> &checks)
{
    if (checks == m_checks && topLevelItemCount() == checks.size())
        return;
    m_checks = checks;
    clear();
    QList<QTreeWidgetItem *> rows;
    rows.reserve(checks.size());
    for (const CheckItem &check : checks) {
        auto *row = new QTreeWidgetItem;
        // Server text is inert already (core); it is shown as plain text, never as markup.
        row->setText(CheckColumn, check.label);
        row->setIcon(CheckColumn, checkStatusIcon(check.status));
        row->setToolTip(CheckColumn, checkStatusDisplayName(check.status));
        row->setText(ResultColumn, check.message);
        row->setToolTip(ResultColumn, plainToolTip(check.message));
        const QString spoken = accessibleText(check);
        for (const int column : { int(CheckColumn), int(ResultColumn) }) {
            row->setData(column, Qt::AccessibleTextRole, spoken);
            row->setData(column, StatusIdRole, checkStatusId(check.status));
        }
        row->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        rows.append(row);
    }
    addTopLevelItems(rows);
    m_copy->setEnabled(!checks.isEmpty());
    relayoutRows();
}

void ChecklistView::copy()
{
    if (m_checks.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(
        lines(m_checks).join(QLatin1Char('\n')) + QLatin1Char('\n'));
}

QStringList ChecklistView::lines(const QList<CheckItem> &checks)
{
    QStringList out;
    out.reserve(checks.size());
    for (const CheckItem &check : checks)
        out.append(checkItemText(check));
    return out;
}

QString ChecklistView::accessibleText(const CheckItem &item)
{
    //: What a screen reader says for one step: status: label — message
    return tr("%1: %2 — %3").arg(checkStatusDisplayName(item.status), item.label, item.message);
}

int ChecklistView::contentHeight() const
{
    int height = 2 * frameWidth();
    if (!header()->isHidden())
        height += header()->sizeHint().height();
    for (int row = 0; row < topLevelItemCount(); ++row)
        height += indexRowSizeHint(indexFromItem(topLevelItem(row)));
    return height;
}

QSize ChecklistView::sizeHint() const
{
    // Every row in view, up to about twenty lines of text (then it scrolls).
    const int most = fontMetrics().height() * 20;
    return QSize(QTreeWidget::sizeHint().width(), qMin(contentHeight(), most));
}

QSize ChecklistView::minimumSizeHint() const
{
    const int rows = qMin(topLevelItemCount(), 3);
    int height = 2 * frameWidth() + header()->sizeHint().height();
    for (int row = 0; row < rows; ++row)
        height += indexRowSizeHint(indexFromItem(topLevelItem(row)));
    return QSize(QTreeWidget::minimumSizeHint().width(), height);
}

void ChecklistView::relayoutRows()
{
    scheduleDelayedItemsLayout();
    updateGeometry();
}

bool ChecklistView::event(QEvent *event)
{
    // Ctrl+C is this list's own while it has the focus, whatever a window's shortcut says.
    if (event->type() == QEvent::ShortcutOverride
        && static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
        event->accept();
        return true;
    }
    return QTreeWidget::event(event);
}

void ChecklistView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copy();
        event->accept();
        return;
    }
    QTreeWidget::keyPressEvent(event);
}

void ChecklistView::contextMenuEvent(QContextMenuEvent *event)
{
    // popup(), not exec(): no nested event loop.
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("checklistContextMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(m_copy);
    menu->popup(event->globalPos());
    event->accept();
}

void ChecklistView::resizeEvent(QResizeEvent *event)
{
    QTreeWidget::resizeEvent(event);
    relayoutRows();
}

} // namespace cd::ui
