#include "JamaProvider.h"

#include "Check.h"
#include "JamaCheck.h"

#include <QCoreApplication>

namespace cd::jama {

namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("JamaProvider", s);
}

class JamaProvider final : public ApplicationProvider
{
public:
    JamaProvider()
    {
        AuthMethod basic
            = AuthMethod::usernameAndPassword(tr("Enter the username of the service account."));
        basic.identityPlaceholder = QStringLiteral("InterchangeServiceAccount");

        AuthMethod oauth;
        oauth.id = QStringLiteral("oauth");
        oauth.displayName = tr("oAuth");
        oauth.identityKey = QStringLiteral("clientId");
        oauth.identityOption = QStringLiteral("client-id");
        oauth.identityLabel = tr("Client &ID");
        oauth.identityMissing = tr("Enter the Client ID.");
        oauth.secretKeySuffix = QStringLiteral("client-secret");
        oauth.secretLabel = tr("Client S&ecret");
        oauth.secretMissing = tr("Enter the Client Secret.");
        oauth.helpLinkText = tr("How do I get a Client ID and Client Secret?");
        oauth.helpLink = QUrl(QStringLiteral(
            "https://help.jamasoftware.com/ah/en/manage-your-profile/set-api-credentials.html"));
        m_methods = { basic, oauth };
    }

    QString id() const override { return QStringLiteral("jama-connect"); }
    QString displayName() const override { return tr("Jama Connect"); }
    QString productName() const override { return tr("Jama"); }
    QString urlPlaceholder() const override
    {
        return QStringLiteral("https://yourcompany.jamacloud.com");
    }
    NormalizedUrl normalizeUrl(const QString &input) const override
    {
        return jama::normalizeUrl(input);
    }
    const QList<AuthMethod> &authMethods() const override { return m_methods; }
    QString authHint() const override
    {
        return tr("If your Jama instance uses SAML authentication, select oAuth.");
    }
    QString accountNote() const override
    {
        return tr("The service account needs admin privileges, a Creator license, and read and "
                  "write access to the items you integrate.");
    }
    QString vendorSupport() const override { return tr("Jama Software Support"); }
    // shared/jama-rest.md: "about 10 calls per second per instance, 429 over it".
    int callsPerSecond() const override { return 10; }
    std::unique_ptr<CheckProtocol> createCheck(const ValidationRequest &request) const override
    {
        const std::optional<JamaCheck::Method> method = JamaCheck::methodFor(request.authType);
        if (!method)
            return nullptr;
        return std::make_unique<JamaCheck>(*method, request);
    }

private:
    QList<AuthMethod> m_methods;
};

} // namespace

std::unique_ptr<ApplicationProvider> makeProvider()
{
    return std::make_unique<JamaProvider>();
}

NormalizedUrl normalizeUrl(const QString &input)
{
    UrlRules rules;
    rules.emptyMessage = tr("Enter the URL of your Jama Connect instance.");
    rules.example = QStringLiteral("https://jama.example.com or https://jama.example.com/contour");
    rules.basePath = [](QStringList segments) {
        // An API URL: cut at "rest" when what follows is an API version or nothing.
        for (int i = 0; i < segments.size(); ++i) {
            if (segments.at(i).compare(QLatin1String("rest"), Qt::CaseInsensitive) != 0)
                continue;
            const QString next = segments.value(i + 1).toLower();
            if (next.isEmpty() || next == QLatin1String("v1") || next == QLatin1String("latest")
                || next == QLatin1String("labs") || next == QLatin1String("oauth")) {
                segments = segments.mid(0, i);
                break;
            }
        }
        if (!segments.isEmpty()
            && segments.constLast().compare(QLatin1String("login.req"), Qt::CaseInsensitive) == 0)
            segments.removeLast();
        return segments;
    };
    return normalizeBaseUrl(input, rules);
}

} // namespace cd::jama
