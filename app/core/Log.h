#pragma once

#include <QByteArray>
#include <QList>
#include <QLoggingCategory>
#include <QPair>
#include <QString>

// Logging categories of Connector Desk. Every category is off below warnings by default;
// `QT_LOGGING_RULES="connectordesk.*.debug=true"` or `--verbose` turns them on.
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcKeychain)
Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcUi)
Q_DECLARE_LOGGING_CATEGORY(lcCli)

namespace cd::Log {

// Turns on debug output of every connectordesk.* category (the --verbose option).
void enableVerbose();

// Redaction: what may be logged of text that can carry a secret.
// - Authorization / Proxy-Authorization / Cookie header values become "<redacted>";
// - user-info in URLs ("https://user:pw@host") is removed;
// - JSON or form values of password, client_secret, access_token, refresh_token, secret
//   become "<redacted>".
QString redact(const QString &text);
QByteArray redactHeaderValue(const QByteArray &name, const QByteArray &value);
QList<QPair<QByteArray, QByteArray>> redactHeaders(
    const QList<QPair<QByteArray, QByteArray>> &headers);

} // namespace cd::Log
