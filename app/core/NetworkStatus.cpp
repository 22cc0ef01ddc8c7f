#include "NetworkStatus.h"

#include "Log.h"

#include <QCoreApplication>
#include <QNetworkInformation>

namespace cd {

NetworkStatus::NetworkStatus(QObject *parent)
    : NetworkStatus(Start::Now, parent)
{ }

NetworkStatus::NetworkStatus(Start start, QObject *parent)
    : QObject(parent)
{
    if (start == Start::Now)
        loadBackend();
}

void NetworkStatus::loadBackend()
{
    if (m_backendLoaded)
        return;
    m_backendLoaded = true;
    if (QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        QNetworkInformation *info = QNetworkInformation::instance();
        m_backend = info->backendName();
        connect(info, &QNetworkInformation::reachabilityChanged, this,
            &NetworkStatus::updateFromBackend);
        connect(info, &QNetworkInformation::reachabilityChanged, this,
            &NetworkStatus::notifyNetworkChanged);
        connect(info, &QNetworkInformation::transportMediumChanged, this,
            &NetworkStatus::notifyNetworkChanged);
        updateFromBackend();
        qCDebug(lcNet) << "network information backend" << m_backend;
    } else {
        qCDebug(lcNet) << "no network information backend: network state unknown";
    }
}

void NetworkStatus::updateFromBackend()
{
    if (m_forced)
        return;
    QNetworkInformation *info = QNetworkInformation::instance();
    if (!info) {
        setState(State::Unknown);
        return;
    }
    switch (info->reachability()) {
    case QNetworkInformation::Reachability::Online:
    case QNetworkInformation::Reachability::Site:
        // Site: an intranet without the internet, where a self-hosted Jama can live.
        setState(State::Online);
        break;
    case QNetworkInformation::Reachability::Disconnected:
    case QNetworkInformation::Reachability::Local:
        setState(State::Offline);
        break;
    case QNetworkInformation::Reachability::Unknown:
        setState(State::Unknown);
        break;
    }
}

void NetworkStatus::notifyNetworkChanged()
{
    qCDebug(lcNet) << "network changed";
    Q_EMIT networkChanged();
}

void NetworkStatus::forceState(State state)
{
    m_forced = true;
    setState(state);
}

void NetworkStatus::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

QString NetworkStatus::describe(State state)
{
    switch (state) {
    case State::Online:
        return QCoreApplication::translate("NetworkStatus", "Online");
    case State::Offline:
        return QCoreApplication::translate("NetworkStatus", "Offline");
    case State::Unknown:
        break;
    }
    return QCoreApplication::translate("NetworkStatus", "Unknown");
}

} // namespace cd
