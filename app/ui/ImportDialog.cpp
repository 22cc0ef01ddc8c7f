#include "ImportDialog.h"

#include "Applications.h"
#include "ConnectorRepository.h"
#include "InlineMessage.h"
#include "PlainText.h"
#include "ui_ImportDialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QTimer>
#include <algorithm>
#include <optional>

namespace cd::ui {

namespace {

QString describe(const Connector &c)
{
    return ImportDialog::tr("%1 — %2 (%3, %4)")
        .arg(c.name, c.url, Applications::displayName(c.application), Applications::authSummary(c));
}

QString place(int index)
{
    return QStringLiteral("connectors[%1]").arg(index);
}

QListWidgetItem *addItem(QListWidget *list, const QString &text, const QString &toolTip)
{
    auto *item = new QListWidgetItem(text, list);
    item->setToolTip(plainToolTip(toolTip));
    return item;
}

} // namespace

ImportDialog::ImportDialog(ConnectorRepository *repository, const QString &filePath,
    const QByteArray &data, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::ImportDialog>())
    , m_repository(repository)
    , m_filePath(filePath)
    , m_data(data)
{
    m_ui->setupUi(this);
    setObjectName(QStringLiteral("importDialog"));
    setWindowModality(Qt::WindowModal);

    m_import = m_ui->buttonBox->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    m_import->setObjectName(QStringLiteral("importPushButton"));
    m_import->setAccessibleName(tr("Import"));
    m_import->setDefault(true);
    m_cancel = m_ui->buttonBox->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelPushButton"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setAccessibleName(tr("Cancel"));
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &ImportDialog::startImport);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &ImportDialog::reject);
    connect(m_ui->replaceRadioButton, &QRadioButton::toggled, this, &ImportDialog::refresh);
    connect(m_ui->weakerListWidget, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        const int index = item->data(Qt::UserRole).toInt();
        if (item->checkState() == Qt::Checked)
            m_applyWeakerAt.insert(index);
        else
            m_applyWeakerAt.remove(index);
        // What Import applies follows the tick at once; the lists are rebuilt from the event
        // loop, not while the list is delivering this signal.
        if (m_plan.ok())
            m_changes = Exchange::resolveImport(
                m_plan, m_repository->connectors(), duplicateChoice(), m_applyWeakerAt);
        QTimer::singleShot(0, this, &ImportDialog::refresh);
    });
    for (QListWidget *list : { m_ui->problemsListWidget, m_ui->addedListWidget,
             m_ui->duplicatesListWidget, m_ui->weakerListWidget, m_ui->renamesListWidget }) {
        list->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
        list->setMinimumHeight(list->fontMetrics().height() * 3);
    }

    // The plan follows the repository while the dialog is open, so that what is shown is
    // what "Import" applies.
    auto queueReplan = [this] {
        if (m_replanQueued || m_importing)
            return;
        m_replanQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_replanQueued = false;
            if (!m_importing)
                replan();
        });
    };
    connect(repository, &ConnectorRepository::connectorAdded, this, queueReplan);
    connect(repository, &ConnectorRepository::connectorUpdated, this, queueReplan);
    connect(repository, &ConnectorRepository::connectorRemoved, this, queueReplan);
    connect(repository, &ConnectorRepository::reset, this, queueReplan);

    replan();
    if (hasProblems()) {
        setWindowTitle(tr("Cannot Import Connectors"));
        m_import->hide();
        m_cancel->setText(tr("Close"));
        m_cancel->setAccessibleName(tr("Close"));
        m_cancel->setDefault(true);
        m_ui->problemsListWidget->setFocus();
    } else {
        m_import->setFocus();
    }
    // Lists as tall as their contents (the scroll area bounds that), so that a short list does
    // not push the buttons off a small screen; the dialog can be resized.
    resize(QSize(qMax(620, sizeHint().width()), qMin(sizeHint().height(), 600)));
}

ImportDialog::~ImportDialog() = default;

Exchange::DuplicateChoice ImportDialog::duplicateChoice() const
{
    return m_ui->replaceRadioButton->isChecked() ? Exchange::DuplicateChoice::Replace
                                                 : Exchange::DuplicateChoice::Skip;
}

void ImportDialog::setDuplicateChoice(Exchange::DuplicateChoice choice)
{
    if (choice == Exchange::DuplicateChoice::Replace)
        m_ui->replaceRadioButton->setChecked(true);
    else
        m_ui->skipRadioButton->setChecked(true);
}

void ImportDialog::replan()
{
    m_plan = Exchange::parseImport(m_data, m_repository->connectors());
    refresh();
}

void ImportDialog::refresh()
{
    const QString file = QDir::toNativeSeparators(m_filePath);
    const bool problems = hasProblems();
    m_ui->problemsGroupBox->setVisible(problems);
    m_ui->problemsListWidget->clear();
    m_ui->addedListWidget->clear();
    m_ui->duplicatesListWidget->clear();
    m_ui->renamesListWidget->clear();
    const int weakerRow = m_ui->weakerListWidget->currentRow();
    {
        const QSignalBlocker quiet(m_ui->weakerListWidget);
        m_ui->weakerListWidget->clear();
    }
    if (problems) {
        for (QWidget *w : { static_cast<QWidget *>(m_ui->addedGroupBox),
                 static_cast<QWidget *>(m_ui->duplicatesGroupBox),
                 static_cast<QWidget *>(m_ui->weakerGroupBox),
                 static_cast<QWidget *>(m_ui->renamesGroupBox),
                 static_cast<QWidget *>(m_ui->secretNoteLabel) })
            w->hide();
        for (const QString &problem : m_plan.errors)
            addItem(m_ui->problemsListWidget, problem, problem);
        m_ui->problemsListWidget->setCurrentRow(0);
        const qsizetype n = m_plan.errors.size();
        m_ui->summaryLabel->setText(
            (n == 1 ? tr("%1 cannot be imported: it has a problem.").arg(file)
                    : tr("%1 cannot be imported: it has %2 problems.").arg(file).arg(n))
            + QLatin1Char(' ')
            + tr("Nothing has been changed. Correct the file and import it again."));
        m_changes = {};
        return;
    }

    const QList<Connector> &existing = m_repository->connectors();
    const Exchange::DuplicateChoice choice = duplicateChoice();
    m_changes = Exchange::resolveImport(m_plan, existing, choice, m_applyWeakerAt);
    {
        const QSignalBlocker quiet(m_ui->weakerListWidget);
        for (const Exchange::SecurityChange &w : std::as_const(m_changes.weakened)) {
            auto *item = addItem(m_ui->weakerListWidget,
                tr("Replacing “%1” %2.").arg(w.name, w.changes.join(tr(", "))),
                tr("In the file: %1").arg(place(w.index)));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(w.applied ? Qt::Checked : Qt::Unchecked);
            item->setData(Qt::UserRole, w.index);
        }
        if (weakerRow >= 0 && weakerRow < m_ui->weakerListWidget->count())
            m_ui->weakerListWidget->setCurrentRow(weakerRow);
    }
    m_ui->weakerGroupBox->setVisible(!m_changes.weakened.isEmpty());

    // resolveImport() keeps the file's order: match its results back to the entries.
    qsizetype added = 0;
    qsizetype replaced = 0;
    int newCount = 0;
    int duplicates = 0;
    for (const Exchange::ImportEntry &e : std::as_const(m_plan.entries)) {
        const QString where = tr("In the file: %1").arg(place(e.index));
        std::optional<Connector> result;
        if (e.duplicateOf.isNull()) {
            ++newCount;
            if (added < m_changes.added.size())
                result = m_changes.added.at(added++);
            if (result)
                addItem(m_ui->addedListWidget, describe(*result), where);
        } else {
            ++duplicates;
            const auto it = std::find_if(existing.cbegin(), existing.cend(),
                [&](const Connector &c) { return c.id == e.duplicateOf; });
            const QString here = it != existing.cend() ? it->name : QString();
            addItem(m_ui->duplicatesListWidget,
                choice == Exchange::DuplicateChoice::Skip
                    ? tr("“%1” is already here as “%2”: skipped.").arg(e.connector.name, here)
                    : tr("“%1” replaces “%2” (its secret is kept).").arg(e.connector.name, here),
                where + QStringLiteral("\n") + describe(e.connector));
            if (choice == Exchange::DuplicateChoice::Replace
                && replaced < m_changes.replaced.size())
                result = m_changes.replaced.at(replaced++);
        }
        if (result && result->name != e.connector.name)
            addItem(m_ui->renamesListWidget,
                tr("“%1” will be imported as “%2”.").arg(e.connector.name, result->name), where);
    }
    m_ui->addedGroupBox->setVisible(newCount > 0);
    m_ui->duplicatesGroupBox->setVisible(duplicates > 0);
    m_ui->renamesGroupBox->setVisible(m_ui->renamesListWidget->count() > 0);
    m_ui->secretNoteLabel->setVisible(!m_changes.added.isEmpty());

    const qsizetype toAdd = m_changes.added.size();
    const qsizetype toReplace = m_changes.replaced.size();
    QString summary = tr("%1 holds %2 connectors: %3 to add, %4 to replace, %5 to skip.")
                          .arg(file)
                          .arg(m_plan.entries.size())
                          .arg(toAdd)
                          .arg(toReplace)
                          .arg(m_changes.skipped);
    m_ui->summaryLabel->setText(summary);
    const bool nothing = toAdd == 0 && toReplace == 0;
    if (!m_importing) {
        if (nothing)
            m_ui->importMessage->showMessage(InlineMessage::Kind::Information,
                m_plan.entries.isEmpty()
                    ? tr("There is nothing to import: the file holds no connectors.")
                    : tr("There is nothing to import: every connector in the file is already "
                         "here. Choose Replace duplicates to overwrite them."));
        else if (m_ui->importMessage->kind() == InlineMessage::Kind::Information)
            m_ui->importMessage->clear();
    }
    m_import->setEnabled(!nothing && !m_importing);
}

void ImportDialog::setImporting(bool importing)
{
    m_importing = importing;
    m_ui->skipRadioButton->setEnabled(!importing);
    m_ui->replaceRadioButton->setEnabled(!importing);
    m_ui->weakerListWidget->setEnabled(!importing);
    m_cancel->setEnabled(!importing);
    m_import->setEnabled(
        !importing && !(m_changes.added.isEmpty() && m_changes.replaced.isEmpty()));
    if (importing)
        m_ui->importMessage->showMessage(InlineMessage::Kind::Information, tr("Importing…"));
}

void ImportDialog::startImport()
{
    if (m_importing || hasProblems())
        return;
    if (m_replanQueued) {
        m_replanQueued = false;
        replan();
    }
    if (hasProblems() || (m_changes.added.isEmpty() && m_changes.replaced.isEmpty()))
        return;
    Outcome outcome;
    outcome.filePath = m_filePath;
    outcome.added = int(m_changes.added.size());
    outcome.replaced = int(m_changes.replaced.size());
    outcome.skipped = m_changes.skipped;
    outcome.renamed = m_ui->renamesListWidget->count();
    setImporting(true);
    QPointer<ImportDialog> self(this);
    m_repository->importConnectors(
        m_changes.added, m_changes.replaced, [self, outcome](const RepositoryResult &r) {
            if (!self)
                return;
            self->setImporting(false);
            if (!r.ok) {
                // Nothing was saved: the choice stays, so the user can try again.
                self->m_ui->importMessage->showMessage(InlineMessage::Kind::Error, r.error);
                self->replan();
                return;
            }
            self->m_ui->importMessage->clear();
            Q_EMIT self->imported(outcome);
            self->accept();
        });
}

void ImportDialog::reject()
{
    if (m_importing)
        return; // the save is all or nothing and quick; its result decides
    QDialog::reject();
}

} // namespace cd::ui
