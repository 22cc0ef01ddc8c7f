#pragma once

#include "Exchange.h"

#include <QDialog>
#include <memory>

class QPushButton;

namespace Ui {
class ImportDialog;
}

namespace cd {
class ConnectorRepository;
}

namespace cd::ui {

// "Import Connectors": what an export file would change, before anything changes.
//
// The whole file is checked first (Exchange::parseImport). A file with problems shows every
// problem with its place and only a Close button: nothing can be imported from it. Otherwise
// the dialog lists the connectors to be added, those already here (duplicates: one choice
// for the whole file, Skip or Replace), the replacements that would weaken security (each
// applied only when ticked) and the name clashes that will be renamed; "Import"
// applies it through the repository in one save (all or nothing). A save error stays in the
// dialog with the choice kept. Open it with open(), never exec().
class ImportDialog : public QDialog
{
    Q_OBJECT
public:
    struct Outcome
    {
        QString filePath;
        int added = 0;
        int replaced = 0;
        int skipped = 0;
        int renamed = 0;
    };

    // `data`: the file's bytes; `filePath`: shown to the user.
    ImportDialog(cd::ConnectorRepository *repository, const QString &filePath,
        const QByteArray &data, QWidget *parent = nullptr);
    ~ImportDialog() override;

    bool hasProblems() const { return !m_plan.ok(); }
    QStringList problems() const { return m_plan.errors; }
    cd::Exchange::DuplicateChoice duplicateChoice() const;
    void setDuplicateChoice(cd::Exchange::DuplicateChoice choice);
    // What "Import" would apply now.
    cd::Exchange::ImportChanges changes() const { return m_changes; }
    bool isImporting() const { return m_importing; }
    QString filePath() const { return m_filePath; }

    QPushButton *importButton() const { return m_import; }
    QPushButton *cancelButton() const { return m_cancel; }

Q_SIGNALS:
    // Saved; the dialog then closes.
    void imported(const cd::ui::ImportDialog::Outcome &outcome);

public Q_SLOTS:
    // Applies the import (the Import button).
    void startImport();
    void reject() override;

private:
    void replan();
    void refresh();
    void setImporting(bool importing);

    std::unique_ptr<Ui::ImportDialog> m_ui;
    cd::ConnectorRepository *m_repository;
    QString m_filePath;
    QByteArray m_data;
    cd::Exchange::ImportPlan m_plan;
    cd::Exchange::ImportChanges m_changes;
    QPushButton *m_import = nullptr;
    QPushButton *m_cancel = nullptr;
    bool m_importing = false;
    bool m_replanQueued = false;
    QSet<int> m_applyWeakerAt; // file indexes whose weaker security the user ticked
};

} // namespace cd::ui
