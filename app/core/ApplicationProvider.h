#pragma once

// An application a connector can link to (Jama Connect, Jira Cloud, ...), behind one interface
// (the idea of Qt Creator's IDeviceFactory and QGIS' auth method metadata): its id and names,
// its URL rules, the ways of signing in it offers, and the check of its REST API. Adding an
// application is a folder under app/core/ with a provider, and one line in Applications.cpp;
// no caller changes (docs/extending.md).

#include "UrlNormalizer.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <memory>

namespace cd {

class CheckProtocol;
struct ValidationRequest;

// One way of signing in. Everything the dialog, the store, the command line, the export and
// the keychain need to know about it; the check itself is the provider's.
struct AuthMethod
{
    QString id; // "basic", "oauth", "api-token", "pat": files, CLI, list --json
    QString displayName; // "Basic", "oAuth", "API token", "Personal access token"

    // The identity field (username, client ID, email). An empty key: the method has none
    // (a personal access token alone says who it is).
    QString identityKey; // JSON key in list --json and exports: "username", "clientId"
    QString identityOption; // CLI option without "--": "username", "client-id"
    QString identityLabel; // the field's label, with its mnemonic: "&Username"
    QString identityPlaceholder;
    QString identityMissing; // "Enter the username of the service account."

    // The keychain key connector/<uuid>/<suffix>: "password". Unique across applications
    // (Applications::add() refuses a clash), so that a connector moved to another
    // application always gets a new key.
    QString secretKeySuffix;
    QString secretLabel; // "&Password"
    QString secretMissing; // "Enter the password."

    QString helpText; // a sentence under the fields; may be empty
    QString helpLinkText; // "How do I get a Client ID and Client Secret?"; empty: no link
    QUrl helpLink;

    bool hasIdentity() const { return !identityKey.isEmpty(); }

    // "basic": a username and a password, sent as HTTP Basic (Jama, Jira Data Center).
    static AuthMethod usernameAndPassword(const QString &identityMissing);
};

class ApplicationProvider
{
public:
    virtual ~ApplicationProvider() = default;

    virtual QString id() const = 0; // stable: files and command line ("jama-connect")
    virtual QString displayName() const = 0; // "Jama Connect"
    virtual QString productName() const = 0; // in messages about the server: "Jama"
    virtual QString urlPlaceholder() const = 0;
    // Pure: what the user typed (or pasted from a browser) → the instance base URL.
    virtual NormalizedUrl normalizeUrl(const QString &input) const = 0;
    // The first is the default. Translated texts: built once, after the translators are in.
    virtual const QList<AuthMethod> &authMethods() const = 0;
    // Under the Authentication Type field: when to choose which ("SAML: choose oAuth").
    virtual QString authHint() const { return {}; }
    // What the account behind the credentials needs (shown in the dialog).
    virtual QString accountNote() const = 0;
    // Who may tell a user to turn Verify SSL off: "Jama Software Support".
    virtual QString vendorSupport() const = 0;
    // The documented rate limit per instance (calls per second; Jama: 10); 0: none known.
    // Every check of the instance together stays within it (RequestPacer).
    virtual int callsPerSecond() const { return 0; }
    // The application's part of one check (see Check.h).
    virtual std::unique_ptr<CheckProtocol> createCheck(const ValidationRequest &request) const = 0;

    // nullptr when this application has no such method.
    const AuthMethod *authMethod(const QString &id) const;
    // The ids of authMethods(), in order (for messages that list the choices).
    QStringList authMethodIds() const;
};

} // namespace cd
