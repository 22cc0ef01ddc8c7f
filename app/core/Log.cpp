#include "Log.h"

#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcApp, "connectordesk.app", QtWarningMsg)
Q_LOGGING_CATEGORY(lcStore, "connectordesk.store", QtWarningMsg)
Q_LOGGING_CATEGORY(lcKeychain, "connectordesk.keychain", QtWarningMsg)
Q_LOGGING_CATEGORY(lcNet, "connectordesk.net", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUi, "connectordesk.ui", QtWarningMsg)
Q_LOGGING_CATEGORY(lcCli, "connectordesk.cli", QtWarningMsg)

namespace cd::Log {

namespace {
const QString kRedacted = QStringLiteral("<redacted>");

bool isSensitiveHeader(const QByteArray &name)
{
    const QByteArray n = name.trimmed().toLower();
    return n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "set-cookie";
}
} // namespace

void enableVerbose()
{
    QLoggingCategory::setFilterRules(QStringLiteral("connectordesk.*.debug=true\n"
                                                    "connectordesk.*.info=true"));
}

QString redact(const QString &input)
{
    static const QRegularExpression header(
        QStringLiteral(R"(((?:proxy-)?authorization|cookie|set-cookie)(\s*[:=]\s*)[^\r\n]*)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression userInfo(QStringLiteral(R"(([a-z][a-z0-9+.-]*://)[^/@\s]*@)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression jsonValue(
        QStringLiteral(
            R"___(("(?:password|client_secret|clientSecret|secret|access_token|refresh_token|token)"\s*:\s*)"(?:[^"\\]|\\.)*")___"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression formValue(
        QStringLiteral(
            R"(((?:^|[?&\s])(?:password|client_secret|secret|access_token|refresh_token)=)[^&\s]*)"),
        QRegularExpression::CaseInsensitiveOption);

    QString text = input;
    text.replace(header, QStringLiteral("\\1\\2") + kRedacted);
    text.replace(userInfo, QStringLiteral("\\1"));
    text.replace(jsonValue, QStringLiteral("\\1\"") + kRedacted + QLatin1Char('"'));
    text.replace(formValue, QStringLiteral("\\1") + kRedacted);
    return text;
}

QByteArray redactHeaderValue(const QByteArray &name, const QByteArray &value)
{
    return isSensitiveHeader(name) ? kRedacted.toLatin1() : value;
}

QList<QPair<QByteArray, QByteArray>> redactHeaders(
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QList<QPair<QByteArray, QByteArray>> out;
    out.reserve(headers.size());
    for (const auto &h : headers)
        out.append({ h.first, redactHeaderValue(h.first, h.second) });
    return out;
}

} // namespace cd::Log
