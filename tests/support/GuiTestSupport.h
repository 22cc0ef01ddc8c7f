#pragma once

// What the widget tests share: a main window over a data folder of its own, finding a child
// widget that must be there, and waiting for a dialog to appear. (Core helpers, such as
// adding a connector and waiting for it, are in TestSupport.h.)
#include "MemorySecretStore.h"
#include "NetworkStatus.h"
#include "TestSupport.h"

#include <QApplication>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>
#include <memory>
#include <optional>

namespace cd::ui {
class MainWindow;
} // namespace cd::ui

namespace cd::test {

// Fails the running test: `parent` has no child of type `type` named `name`.
void missingChild(const QObject *parent, const char *type, const QString &name);

// `parent`'s descendant of type T named `name`; nullptr, and the test fails saying which
// child of what was not found, when there is none. For a child that may rightly be absent,
// use findChild().
template<class T> T *child(const QObject *parent, const QString &name)
{
    T *found = parent ? parent->findChild<T *>(name) : nullptr;
    if (!found)
        missingChild(parent, T::staticMetaObject.className(), name);
    return found;
}

// Waits (the event loop running) until `parent` has a visible child of type T named `name`,
// as a dialog or message box that opens asynchronously. nullptr, and the test fails, when
// none appeared within `timeoutMs`.
template<class T> T *waitForChild(const QObject *parent, const QString &name, int timeoutMs = 5000)
{
    T *found = nullptr;
    if (QTest::qWaitFor(
            [&] {
                found = parent->findChild<T *>(name);
                return found && found->isVisible();
            },
            timeoutMs))
        return found;
    missingChild(parent, T::staticMetaObject.className(), name);
    return nullptr;
}

// Every mnemonic a user can press in `window` now (visible labels with buddies, buttons,
// check boxes, group boxes) and in each of its menus, twice or more: "where: Alt+X for ...".
// Empty when each is unique.
QStringList duplicateMnemonics(QWidget *window, const QString &where);

// Makes `window` the active window and waits until it is; false (the test fails) otherwise.
bool activate(QWidget *window);

// Waits until the application's modal widget is a visible T (a dialog opened with open()),
// then activates it. nullptr, and the test fails, when none appeared or it did not activate.
template<class T> T *waitForModal(int timeoutMs = 5000)
{
    T *dialog = nullptr;
    if (!QTest::qWaitFor(
            [&] {
                dialog = qobject_cast<T *>(QApplication::activeModalWidget());
                return dialog && dialog->isVisible();
            },
            timeoutMs)) {
        fail(QStringLiteral("no %1 became the modal window")
                 .arg(QString::fromLatin1(T::staticMetaObject.className())));
        return nullptr;
    }
    return activate(dialog) ? dialog : nullptr;
}

// A main window over a temporary data folder, with secrets in memory (or, asked for, in the
// OS keychain), as a test's init() sets one up and its cleanup() takes it down. The window
// can be closed and opened again over the same data and secrets (a restart).
class MainWindowFixture
{
public:
    struct Options
    {
        // The network state the window is pinned to; nullopt: what the system says.
        std::optional<NetworkStatus::State> network = NetworkStatus::State::Offline;
        // Wait until the window is active (keyboard tests), not only exposed.
        bool activate = true;
        // The OS keychain instead of a MemorySecretStore (the Secret Service tests).
        bool osKeychain = false;
    };

    MainWindowFixture();
    explicit MainWindowFixture(const Options &options);
    ~MainWindowFixture();
    MainWindowFixture(const MainWindowFixture &) = delete;
    MainWindowFixture &operator=(const MainWindowFixture &) = delete;

    // Creates the window (closing one still open), pinned to the network state asked for,
    // without showing it.
    ui::MainWindow *create();
    // Creates and shows the window, then waits until it is exposed (and active, unless
    // Options::activate is false). False, and the test fails, when it is not.
    bool open();
    // Deletes the window (without a close event); the data folder and the secrets stay.
    void close();

    ui::MainWindow *window() const { return m_window.get(); }
    // nullptr with the OS keychain.
    MemorySecretStore *secrets() const { return m_secrets.get(); }
    QString dataDir() const { return m_dir.path(); }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

private:
    Options m_options;
    QTemporaryDir m_dir;
    std::unique_ptr<MemorySecretStore> m_secrets;
    std::unique_ptr<ui::MainWindow> m_window; // declared last: deleted first
};

} // namespace cd::test
