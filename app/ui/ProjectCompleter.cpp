#include "ProjectCompleter.h"

#include "PlainText.h"

#include <QAbstractItemView>
#include <QLineEdit>
#include <QStandardItemModel>

namespace cd::ui {

namespace {
bool isSeparator(QChar c)
{
    return c == QLatin1Char(',') || c == QLatin1Char(';') || c.isSpace();
}
} // namespace

ProjectCompleter::ProjectCompleter(QObject *parent)
    : QCompleter(parent)
    , m_model(new QStandardItemModel(this))
{
    setObjectName(QStringLiteral("projectCompleter"));
    setModel(m_model);
    setCompletionRole(KeyRole);
    setCaseSensitivity(Qt::CaseInsensitive);
    setFilterMode(Qt::MatchStartsWith);
    setCompletionMode(QCompleter::PopupCompletion);
    setMaxVisibleItems(10);
}

void ProjectCompleter::setProjects(const QList<ProjectRef> &projects)
{
    m_model->clear();
    for (const ProjectRef &p : projects) {
        // A Jama project without a key is named by its id, as the field accepts it.
        const QString key = p.key.isEmpty() ? p.id : p.key;
        if (key.isEmpty())
            continue;
        // Plain text in the popup's list; the names are inert already (core).
        //: A project offered for completion: key — name
        const QString shown = p.name.isEmpty() ? key : tr("%1 — %2").arg(key, p.name);
        auto *item = new QStandardItem(shown);
        item->setData(key, KeyRole);
        item->setToolTip(plainToolTip(shown));
        item->setEditable(false);
        m_model->appendRow(item);
    }
    if (QAbstractItemView *view = popup())
        view->setTextElideMode(Qt::ElideRight);
}

int ProjectCompleter::projectCount() const
{
    return m_model->rowCount();
}

QString ProjectCompleter::headOf(const QString &text)
{
    qsizetype end = text.size();
    while (end > 0 && !isSeparator(text.at(end - 1)))
        --end;
    return text.left(end);
}

QString ProjectCompleter::tailOf(const QString &text)
{
    return text.mid(headOf(text).size());
}

QStringList ProjectCompleter::splitPath(const QString &path) const
{
    return { tailOf(path) };
}

QString ProjectCompleter::pathFromIndex(const QModelIndex &index) const
{
    const QString key = index.data(KeyRole).toString();
    const auto *edit = qobject_cast<const QLineEdit *>(widget());
    return edit ? headOf(edit->text()) + key : key;
}

} // namespace cd::ui
