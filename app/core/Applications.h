#pragma once

#include <QList>
#include <QString>
#include <QUrl>

namespace cd {

// An application a connector can link to. Today there is one: Jama Connect.
struct Application
{
    QString id; // stable, used in files and on the command line: "jama-connect"
    QString displayName; // "Jama Connect"
    QString urlPlaceholder;
    QUrl apiCredentialsHelp; // where to learn how to get a Client ID and Client Secret
};

namespace Applications {
const QList<Application> &all();
// nullptr when the id is unknown.
const Application *find(const QString &id);
QString defaultId();
} // namespace Applications

} // namespace cd
