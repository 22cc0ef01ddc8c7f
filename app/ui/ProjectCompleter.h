#pragma once

#include "Check.h"

#include <QCompleter>
#include <QList>

class QStandardItemModel;

namespace cd::ui {

// Completes the project key being typed in a list of keys ("DEMO, P1" completes "P1"): the
// popup shows "KEY — Name", choosing one puts the key in place of what was typed after the
// last separator (',', ';' or a space, as ConnectorRules::parseProjects reads them) and
// keeps what came before. Case-insensitive; names are shown as plain text.
class ProjectCompleter : public QCompleter
{
    Q_OBJECT
public:
    enum Role { KeyRole = Qt::UserRole + 1 };

    explicit ProjectCompleter(QObject *parent = nullptr);

    void setProjects(const QList<ProjectRef> &projects);
    int projectCount() const;

    // The text before the key being typed ("DEMO, ") and that key ("P1").
    static QString headOf(const QString &text);
    static QString tailOf(const QString &text);

    QStringList splitPath(const QString &path) const override;
    QString pathFromIndex(const QModelIndex &index) const override;

private:
    QStandardItemModel *m_model = nullptr;
};

} // namespace cd::ui
