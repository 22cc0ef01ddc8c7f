#include "GuiTestSupport.h"

#include "MainWindow.h"

#include <QAbstractButton>
#include <QAction>
#include <QGroupBox>
#include <QHash>
#include <QLabel>
#include <QMenu>

namespace cd::test {

namespace {
// The mnemonic letter of a text ("&Name" -> 'n'), or 0.
QChar mnemonicOf(const QString &text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text.at(i) != QLatin1Char('&'))
            continue;
        if (text.at(i + 1) == QLatin1Char('&')) {
            ++i;
            continue;
        }
        return text.at(i + 1).toLower();
    }
    return {};
}

} // namespace

// Every mnemonic a user can press in `window` now (visible labels with buddies, buttons,
// check boxes, radio buttons, group boxes), and those of each menu; "where: duplicates".
QStringList duplicateMnemonics(QWidget *window, const QString &where)
{
    QStringList problems;
    QHash<QChar, QStringList> seen;
    const auto note = [&](const QString &text, const QString &what) {
        const QChar m = mnemonicOf(text);
        if (!m.isNull())
            seen[m].append(what + QStringLiteral(" \"") + text + QLatin1Char('"'));
    };
    for (QWidget *w : window->findChildren<QWidget *>()) {
        if (!w->isVisibleTo(window) || w->window() != window)
            continue;
        if (auto *label = qobject_cast<QLabel *>(w); label && label->buddy())
            note(label->text(), QStringLiteral("label"));
        else if (auto *button = qobject_cast<QAbstractButton *>(w))
            note(button->text(), QString::fromLatin1(w->metaObject()->className()));
        else if (auto *group = qobject_cast<QGroupBox *>(w); group && group->isCheckable())
            note(group->title(), QStringLiteral("group"));
    }
    for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
        if (it.value().size() > 1)
            problems.append(QStringLiteral("%1: Alt+%2 for %3")
                                .arg(where, QString(it.key().toUpper()),
                                    it.value().join(QStringLiteral(", "))));
    }
    for (QMenu *menu : window->findChildren<QMenu *>()) {
        QHash<QChar, QStringList> inMenu;
        for (QAction *action : menu->actions()) {
            const QChar m = mnemonicOf(action->text());
            if (!m.isNull() && action->isVisible())
                inMenu[m].append(action->text());
        }
        for (auto it = inMenu.cbegin(); it != inMenu.cend(); ++it) {
            if (it.value().size() > 1)
                problems.append(QStringLiteral("%1, menu %2: %3 for %4")
                                    .arg(where, menu->objectName(), QString(it.key().toUpper()),
                                        it.value().join(QStringLiteral(", "))));
        }
    }
    return problems;
}

void missingChild(const QObject *parent, const char *type, const QString &name)
{
    const QString where = !parent        ? QStringLiteral("a null parent")
        : parent->objectName().isEmpty() ? QString::fromLatin1(parent->metaObject()->className())
                                         : parent->objectName();
    fail(QStringLiteral("no %1 named \"%2\" in %3").arg(QString::fromLatin1(type), name, where));
}

bool activate(QWidget *window)
{
    QApplication::setActiveWindow(window);
    if (QTest::qWaitForWindowActive(window))
        return true;
    fail(QStringLiteral("%1 did not become active").arg(window->objectName()));
    return false;
}

MainWindowFixture::MainWindowFixture()
    : MainWindowFixture(Options())
{ }

MainWindowFixture::MainWindowFixture(const Options &options)
    : m_options(options)
{
    if (!m_dir.isValid())
        fail(QStringLiteral("no temporary data folder: %1").arg(m_dir.errorString()));
    if (!m_options.osKeychain)
        m_secrets = std::make_unique<MemorySecretStore>();
}

MainWindowFixture::~MainWindowFixture()
{
    close(); // the window before the secrets it uses and the folder it has open
}

ui::MainWindow *MainWindowFixture::create()
{
    close();
    m_window = std::make_unique<ui::MainWindow>(m_dir.path(), m_secrets.get());
    // Tests point connectors at made-up hosts: by default nothing may go out to the network.
    if (m_options.network)
        m_window->networkStatus()->forceState(*m_options.network);
    return m_window.get();
}

bool MainWindowFixture::open()
{
    create()->show();
    if (m_options.activate)
        return activate(m_window.get());
    if (QTest::qWaitForWindowExposed(m_window.get()))
        return true;
    fail(QStringLiteral("the main window was not exposed"));
    return false;
}

void MainWindowFixture::close()
{
    m_window.reset();
}

} // namespace cd::test
