#pragma once

#include <QObject>
#include <QString>

namespace cd {

// Whether the machine is online, as far as the operating system can tell.
//
// Uses QNetworkInformation's reachability where a backend exists (NetworkManager, glib,
// Windows, macOS). Without a backend the state stays Unknown: nothing pretends to know.
// A fixed state can be forced (tests; an environment without a backend that needs one).
class NetworkStatus : public QObject
{
    Q_OBJECT
public:
    enum class State { Unknown, Online, Offline };
    Q_ENUM(State)

    explicit NetworkStatus(QObject *parent = nullptr);

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
};

} // namespace cd
