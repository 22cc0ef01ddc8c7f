#pragma once

#include "ApplicationProvider.h"

#include <QList>
#include <QString>
#include <memory>

namespace cd {

struct Connector;

// The registry of application providers. The built-in ones are registered in
// Applications.cpp, one line each; tests (and a future plug-in loader) add their own.
namespace Applications {

// In registration order (the order of the Application field).
QList<const ApplicationProvider *> all();
// nullptr when the id is unknown.
const ApplicationProvider *find(const QString &id);
// The ids of all(), in order (for messages that list the choices).
QStringList ids();
QString defaultId();
// Registers a provider; one with the same id is replaced. Call on the main thread before
// the providers are used by the window or a command. False (and nothing registered) when
// one of its keychain suffixes is another application's.
bool add(std::unique_ptr<ApplicationProvider> provider);
// Removes a registered provider (for tests that registered one). Built-ins stay.
void remove(const QString &id);

// The auth method of a connector (nullptr for an unknown application or method).
const AuthMethod *authMethod(const QString &application, const QString &authType);
// Whether this version knows the connector's application and auth method; one it does not
// (a newer version wrote it) is never checked, changed, removed or opened in the dialog.
bool knows(const Connector &c);
// "Basic", "API token", ...; the id itself when unknown.
QString authDisplayName(const QString &application, const QString &authType);
// "Basic (jdoe)", "Personal access token": the method and the identity, if it has one.
QString authSummary(const Connector &c);
// "Jama Connect"; the id itself when unknown.
QString displayName(const QString &application);

} // namespace Applications

} // namespace cd
