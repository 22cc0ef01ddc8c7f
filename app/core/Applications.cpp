#include "Applications.h"

#include "Connector.h"
#include "jama/JamaProvider.h"
#include "jira/JiraProvider.h"

#include <QCoreApplication>
#include <vector>

namespace cd {

AuthMethod AuthMethod::usernameAndPassword(const QString &identityMissing)
{
    AuthMethod m;
    m.id = QStringLiteral("basic");
    m.displayName = QCoreApplication::translate("AuthMethod", "Basic");
    m.identityKey = QStringLiteral("username");
    m.identityOption = QStringLiteral("username");
    m.identityLabel = QCoreApplication::translate("AuthMethod", "&Username");
    m.identityMissing = identityMissing;
    m.secretKeySuffix = QStringLiteral("password");
    m.secretLabel = QCoreApplication::translate("AuthMethod", "&Password");
    m.secretMissing = QCoreApplication::translate("AuthMethod", "Enter the password.");
    return m;
}

QStringList ApplicationProvider::authMethodIds() const
{
    QStringList list;
    for (const AuthMethod &m : authMethods())
        list << m.id;
    return list;
}

const AuthMethod *ApplicationProvider::authMethod(const QString &id) const
{
    // Ids are lower case; "Basic" typed or written by hand is the same method.
    for (const AuthMethod &m : authMethods()) {
        if (m.id.compare(id, Qt::CaseInsensitive) == 0)
            return &m;
    }
    return nullptr;
}

namespace Applications {

namespace {

struct Registry
{
    std::vector<std::unique_ptr<ApplicationProvider>> providers;
    size_t builtIns = 0;
};

Registry &registry()
{
    static Registry r = [] {
        Registry built;
        // The built-in applications: one line each.
        built.providers.push_back(jama::makeProvider());
        built.providers.push_back(jira::makeCloudProvider());
        built.providers.push_back(jira::makeDataCenterProvider());
        built.builtIns = built.providers.size();
        return built;
    }();
    return r;
}

} // namespace

QList<const ApplicationProvider *> all()
{
    QList<const ApplicationProvider *> list;
    for (const auto &p : registry().providers)
        list.append(p.get());
    return list;
}

const ApplicationProvider *find(const QString &id)
{
    for (const auto &p : registry().providers) {
        if (p->id() == id)
            return p.get();
    }
    return nullptr;
}

QStringList ids()
{
    QStringList list;
    for (const auto &p : registry().providers)
        list << p->id();
    return list;
}

QString defaultId()
{
    return registry().providers.front()->id();
}

bool add(std::unique_ptr<ApplicationProvider> provider)
{
    auto &list = registry().providers;
    // A keychain suffix another application uses would let a connector moved between them
    // overwrite its secret in place.
    for (const auto &p : list) {
        if (p->id() == provider->id())
            continue;
        for (const AuthMethod &theirs : p->authMethods()) {
            for (const AuthMethod &ours : provider->authMethods()) {
                if (theirs.secretKeySuffix == ours.secretKeySuffix) {
                    qWarning("Applications::add: %s uses the keychain suffix %s of %s",
                        qPrintable(provider->id()), qPrintable(ours.secretKeySuffix),
                        qPrintable(p->id()));
                    return false;
                }
            }
        }
    }
    for (auto &p : list) {
        if (p->id() == provider->id()) {
            p = std::move(provider);
            return true;
        }
    }
    list.push_back(std::move(provider));
    return true;
}

void remove(const QString &id)
{
    Registry &r = registry();
    for (size_t i = r.builtIns; i < r.providers.size(); ++i) {
        if (r.providers[i]->id() == id) {
            r.providers.erase(r.providers.begin() + qsizetype(i));
            return;
        }
    }
}

const AuthMethod *authMethod(const QString &application, const QString &authType)
{
    const ApplicationProvider *p = find(application);
    return p ? p->authMethod(authType) : nullptr;
}

bool knows(const Connector &c)
{
    return authMethod(c.application, c.authType) != nullptr;
}

QString authDisplayName(const QString &application, const QString &authType)
{
    const AuthMethod *m = authMethod(application, authType);
    return m ? m->displayName : authType;
}

QString authSummary(const Connector &c)
{
    const QString method = authDisplayName(c.application, c.authType);
    return c.identity.isEmpty()
        ? method
        : QCoreApplication::translate("Applications", "%1 (%2)").arg(method, c.identity);
}

QString displayName(const QString &application)
{
    const ApplicationProvider *p = find(application);
    return p ? p->displayName() : application;
}

} // namespace Applications

} // namespace cd
