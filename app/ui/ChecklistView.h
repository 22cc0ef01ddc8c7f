#pragma once

#include "Connector.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QTreeWidget>

class QAction;

namespace cd::ui {

// The checklist of a check (ValidationResult::checks, ValidationState::checks), read-only:
// one row per step with its status icon, its label and its message (plain text, wrapped).
// A Tab stop; Ctrl+C and the context menu's Copy put every row on the clipboard as
// lines() says. Used by the connector dialog (Test Connection) and the Details pane.
class ChecklistView : public QTreeWidget
{
    Q_OBJECT
public:
    enum Column { CheckColumn, ResultColumn };
    enum Role { StatusIdRole = Qt::UserRole + 1 };

    explicit ChecklistView(QWidget *parent = nullptr);

    void setChecks(const QList<CheckItem> &checks);
    const QList<CheckItem> &checks() const { return m_checks; }
    QAction *copyAction() const { return m_copy; }
    // Copies every row (lines()) to the clipboard.
    void copy();

    // One row per line as text (Copy, diagnostics): checkItemText(),
    // "[pass] Credentials: Accepted: signed in as …".
    static QStringList lines(const QList<CheckItem> &checks);
    // "Pass: Credentials — Accepted: signed in as …": what a screen reader says for a row.
    static QString accessibleText(const CheckItem &item);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void relayoutRows();
    int contentHeight() const;

    QList<CheckItem> m_checks;
    QAction *m_copy = nullptr;
};

} // namespace cd::ui
