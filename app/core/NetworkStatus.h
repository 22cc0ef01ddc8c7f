#pragma once

#include <QObject>
#include <QString>

namespace cd {

// Whether the machine is online, as far as the operating system can tell.
//
// Uses QNetworkInformation's reachability where a backend exists (NetworkManager, glib,
// Windows, macOS). Without a backend the state stays Unknown: nothing pretends to know.
// A fixed state can be forced (tests; an environment without a backend that needs one).
// Loading the backend loads a plugin and asks D-Bus: the window does it after its first frame
// (Start::Later, then loadBackend()); until then the state is Unknown.
class NetworkStatus : public QObject
{
    Q_OBJECT
public:
    enum class State { Unknown, Online, Offline };
    Q_ENUM(State)
    enum class Start { Now, Later };

    explicit NetworkStatus(QObject *parent = nullptr);
    explicit NetworkStatus(Start start, QObject *parent = nullptr);

    // Asks the operating system (once; later calls do nothing).
    void loadBackend();
    bool isBackendLoaded() const { return m_backendLoaded; }

    State state() const { return m_state; }
    // The QNetworkInformation backend in use, or an empty string when there is none.
    QString backendName() const { return m_backend; }

    // Replaces the operating system's answer (tests, and the --offline switch).
    void forceState(State state);
    // What the operating system reports when an interface comes or goes (tests call it too).
    void notifyNetworkChanged();

    static QString describe(State state);

Q_SIGNALS:
    void stateChanged(cd::NetworkStatus::State state);
    // Reachability or the kind of connection changed (a VPN or another network joined): names
    // that did not resolve before may now.
    void networkChanged();

private:
    void setState(State state);
    void updateFromBackend();

    State m_state = State::Unknown;
    QString m_backend;
    bool m_forced = false;
    bool m_backendLoaded = false;
};

} // namespace cd
