#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

namespace cd {

// Outcome of the last check of a connector against its instance.
enum class ValidationStatus { NotVerified, Verified, Warning, Failed };

// What the server said about the account behind the credentials (Jama users/current,
// Jira myself).
struct AccountInfo
{
    QString displayName;
    QString username;
    QString licenseType; // Jama's literal: NAMED, FLOATING, STAKEHOLDER, ...; empty for Jira

    bool operator==(const AccountInfo &o) const
    {
        return displayName == o.displayName && username == o.username
            && licenseType == o.licenseType;
    }
    bool operator!=(const AccountInfo &o) const { return !(*this == o); }
};

// One step of the checklist a check answers.
enum class CheckStatus { Pass, Warn, Fail, Unknown };
QString checkStatusId(CheckStatus status); // "pass", "warn", "fail", "unknown"
bool checkStatusFromId(const QString &id, CheckStatus *status);
QString checkStatusDisplayName(CheckStatus status); // "Pass", "Warning", "Failed", "Unknown"

struct CheckItem
{
    // Stable: "reachable", "secure-connection", "credentials", "account-active", "license",
    // "api-access", "projects-visible", "project:<KEY>", "write-access", "admin".
    QString id;
    CheckStatus status = CheckStatus::Unknown;
    QString label; // translated, short: "Credentials", "Project ACME"
    QString message; // one sentence, inert text

    bool operator==(const CheckItem &o) const
    {
        return id == o.id && status == o.status && label == o.label && message == o.message;
    }
    bool operator!=(const CheckItem &o) const { return !(*this == o); }
};

// [{"id", "status", "label", "message"}, ...]; unknown statuses read as Unknown, items
// without an id are dropped, text is made inert.
// One step as text, the same in copied diagnostics and the command line:
// "[fail] Project NOPE: Not among the projects …" (the id when there is no label).
QString checkItemText(const CheckItem &item);
QJsonArray checksToJson(const QList<CheckItem> &checks);
QList<CheckItem> checksFromJson(const QJsonArray &array);

struct ValidationState
{
    ValidationStatus status = ValidationStatus::NotVerified;
    QString message;
    QDateTime checkedAt; // UTC; invalid when never checked
    AccountInfo account;
    // The server rejected the credentials (HTTP 401): not re-queued until edited.
    bool credentialsRejected = false;
    // The host name did not resolve while the machine was online: a typo or a VPN that is not
    // up, not an outage. Failed, shown as "Host not found"; checked again when the network
    // changes, never on a timer.
    bool hostNotFound = false;
    // The checklist of the last check (see CheckItem); empty before the first check and for
    // results of versions before 1.1.
    QList<CheckItem> checks;

    bool operator==(const ValidationState &o) const
    {
        return status == o.status && message == o.message && checkedAt == o.checkedAt
            && account == o.account && credentialsRejected == o.credentialsRejected
            && hostNotFound == o.hostNotFound && checks == o.checks;
    }
    bool operator!=(const ValidationState &o) const { return !(*this == o); }
};

// A connector: a named, reusable link to one instance of an application.
// Secrets (password, client secret, token) are not part of it: they live only in the
// keychain, keyed by the connector's id (see SecretStore, secretKey()).
struct Connector
{
    QUuid id;
    QString application = QStringLiteral("jama-connect"); // an id of the Applications registry
    QString name;
    QString url; // normalised instance base URL (see UrlNormalizer)
    bool verifySsl = true;
    // An auth method id of the application's provider: "basic", "oauth", "api-token", "pat".
    QString authType = QStringLiteral("basic");
    QString identity; // username, client ID, email; empty for a method without one
    QByteArray pinnedCertificateSha256; // raw 32 bytes, or empty when nothing is pinned
    // The scope: the projects its integrations use (Jama project keys or ids, Jira project
    // keys), in the order entered, without duplicates; empty: not scoped.
    QStringList projects;
    // No secret was ever stored for it (imported): "Needs secret" until one is entered.
    bool needsSecret = false;
    ValidationState validation;
    QDateTime createdAt; // UTC
    QDateTime updatedAt; // UTC
    // Fields of a newer schema minor version we do not know: kept so a save loses nothing.
    QJsonObject unknownFields;

    bool operator==(const Connector &o) const;
    bool operator!=(const Connector &o) const { return !(*this == o); }
};

QString statusId(ValidationStatus status); // "not-verified", "verified", ...
bool statusFromId(const QString &id, ValidationStatus *status);
QString statusDisplayName(ValidationStatus status); // "Not verified", "Verified", ...

// The keychain key of a connector's secret for an auth method of its application:
// connector/<uuid>/<the method's secretKeySuffix> (password, client-secret, api-token, ...);
// connector/<uuid>/secret-<method> for a method this version does not know.
QString secretKey(const QUuid &id, const QString &application, const QString &authType);
QString secretKey(const Connector &c);

} // namespace cd

Q_DECLARE_METATYPE(cd::Connector)
