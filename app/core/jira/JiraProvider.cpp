#include "JiraProvider.h"

#include "Check.h"
#include "JiraCheck.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QUrl>

namespace cd::jira {

namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("JiraProvider", s);
}

QString accountNote()
{
    return tr("The account needs the Browse projects, Create issues and Edit issues permissions "
              "in the projects you integrate.");
}

class JiraCloudProvider final : public ApplicationProvider
{
public:
    JiraCloudProvider()
    {
        AuthMethod token;
        token.id = QStringLiteral("api-token");
        token.displayName = tr("API token");
        token.identityKey = QStringLiteral("email");
        token.identityOption = QStringLiteral("email");
        token.identityLabel = tr("E&mail");
        token.identityPlaceholder = QStringLiteral("integration@example.com");
        token.identityMissing = tr("Enter the email address of the Atlassian account.");
        token.secretKeySuffix = QStringLiteral("api-token");
        token.secretLabel = tr("API t&oken");
        token.secretMissing = tr("Enter the API token.");
        token.helpText = tr("Jira Cloud's REST API takes an API token, not the account's "
                            "password.");
        token.helpLinkText = tr("How do I create an API token?");
        token.helpLink = QUrl(QStringLiteral("https://support.atlassian.com/atlassian-account/"
                                             "docs/manage-api-tokens-for-your-atlassian-account/"));
        m_methods = { token };
    }

    QString id() const override { return QStringLiteral("jira-cloud"); }
    QString displayName() const override { return tr("Jira Cloud"); }
    QString productName() const override { return tr("Jira"); }
    QString urlPlaceholder() const override
    {
        return QStringLiteral("https://yourcompany.atlassian.net");
    }
    NormalizedUrl normalizeUrl(const QString &input) const override
    {
        return normalizeCloudUrl(input);
    }
    const QList<AuthMethod> &authMethods() const override { return m_methods; }
    QString accountNote() const override { return jira::accountNote(); }
    QString vendorSupport() const override { return tr("Atlassian Support"); }
    std::unique_ptr<CheckProtocol> createCheck(const ValidationRequest &request) const override
    {
        const std::optional<JiraCheck::Method> method = JiraCheck::methodFor(request.authType);
        if (!method || *method != JiraCheck::Method::ApiToken)
            return nullptr;
        return std::make_unique<JiraCheck>(JiraCheck::Flavour::Cloud, *method, request);
    }

private:
    QList<AuthMethod> m_methods;
};

class JiraDataCenterProvider final : public ApplicationProvider
{
public:
    JiraDataCenterProvider()
    {
        AuthMethod basic
            = AuthMethod::usernameAndPassword(tr("Enter the username of the Jira account."));
        // Not Jama's "password": a connector moved from one application to the other always
        // gets a new keychain key, written and committed with its pending mark.
        basic.secretKeySuffix = QStringLiteral("jira-password");

        AuthMethod pat;
        pat.id = QStringLiteral("pat");
        pat.displayName = tr("Personal access token");
        pat.secretKeySuffix = QStringLiteral("token");
        pat.secretLabel = tr("T&oken");
        pat.secretMissing = tr("Enter the personal access token.");
        pat.helpText = tr("A personal access token (Jira 8.14 or later) says who it belongs to: "
                          "no username is needed.");
        pat.helpLinkText = tr("How do I create a personal access token?");
        pat.helpLink = QUrl(QStringLiteral(
            "https://confluence.atlassian.com/enterprise/using-personal-access-tokens-"
            "1026032365.html"));
        m_methods = { basic, pat };
    }

    QString id() const override { return QStringLiteral("jira-data-center"); }
    QString displayName() const override { return tr("Jira Data Center"); }
    QString productName() const override { return tr("Jira"); }
    QString urlPlaceholder() const override { return QStringLiteral("https://jira.example.com"); }
    NormalizedUrl normalizeUrl(const QString &input) const override
    {
        return normalizeDataCenterUrl(input);
    }
    const QList<AuthMethod> &authMethods() const override { return m_methods; }
    QString authHint() const override
    {
        return tr("If Basic authentication is switched off on your Jira, select Personal access "
                  "token.");
    }
    QString accountNote() const override { return jira::accountNote(); }
    QString vendorSupport() const override { return tr("Atlassian Support"); }
    std::unique_ptr<CheckProtocol> createCheck(const ValidationRequest &request) const override
    {
        const std::optional<JiraCheck::Method> method = JiraCheck::methodFor(request.authType);
        if (!method || *method == JiraCheck::Method::ApiToken)
            return nullptr;
        return std::make_unique<JiraCheck>(JiraCheck::Flavour::DataCenter, *method, request);
    }

private:
    QList<AuthMethod> m_methods;
};

bool isLocal(const QString &host)
{
    QHostAddress address;
    return host == QLatin1String("localhost")
        || (address.setAddress(QString(host).remove(QLatin1Char('[')).remove(QLatin1Char(']')))
            && address.isLoopback());
}

} // namespace

std::unique_ptr<ApplicationProvider> makeCloudProvider()
{
    return std::make_unique<JiraCloudProvider>();
}

std::unique_ptr<ApplicationProvider> makeDataCenterProvider()
{
    return std::make_unique<JiraDataCenterProvider>();
}

NormalizedUrl normalizeCloudUrl(const QString &input)
{
    UrlRules rules;
    rules.emptyMessage = tr("Enter the address of your Jira Cloud site.");
    rules.example = QStringLiteral("https://yourcompany.atlassian.net");
    // A Cloud site is served at its root: any path is a page of it.
    rules.basePath = [](const QStringList &) { return QStringList(); };
    NormalizedUrl r = normalizeBaseUrl(input, rules);
    if (r.ok) {
        const QString host = QUrl(r.url).host().toLower();
        if (!host.endsWith(QLatin1String(".atlassian.net")) && !isLocal(host)) {
            const QString elsewhere = tr("Jira Cloud sites are at https://<site>.atlassian.net. "
                                         "For a Jira on your organisation's own servers, choose "
                                         "Jira Data Center.");
            r.warning = r.warning.isEmpty() ? elsewhere : r.warning + QLatin1Char(' ') + elsewhere;
        }
    }
    return r;
}

NormalizedUrl normalizeDataCenterUrl(const QString &input)
{
    UrlRules rules;
    rules.emptyMessage = tr("Enter the URL of your Jira instance.");
    rules.example = QStringLiteral("https://jira.example.com or https://jira.example.com/jira");
    rules.basePath = [](const QStringList &segments) {
        // Browser, API and login paths below the context path.
        static const char *const pages[] = { "browse", "secure", "rest", "projects", "plugins",
            "issues", "servicedesk", "dashboards", "login.jsp", "logout" };
        for (int i = 0; i < segments.size(); ++i) {
            const QString s = segments.at(i).toLower();
            if (s.endsWith(QLatin1String(".jsp")) || s.endsWith(QLatin1String(".jspa")))
                return segments.mid(0, i);
            for (const char *page : pages) {
                if (s == QLatin1String(page))
                    return segments.mid(0, i);
            }
        }
        return segments;
    };
    return normalizeBaseUrl(input, rules);
}

} // namespace cd::jira
