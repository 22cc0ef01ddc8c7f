#include "Applications.h"

#include "Connector.h"
#include "jama/JamaProvider.h"
#include "jira/JiraProvider.h"

#include <QCoreApplication>
#include <vector>

namespace cd {

const AuthMethod *ApplicationProvider::authMethod(const QString &id) const
{
    for (const AuthMethod &m : authMethods()) {
        if (m.id == id)
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

QString defaultId()
{
    return registry().providers.front()->id();
}

void add(std::unique_ptr<ApplicationProvider> provider)
{
    auto &list = registry().providers;
    for (auto &p : list) {
        if (p->id() == provider->id()) {
            p = std::move(provider);
            return;
        }
    }
    list.push_back(std::move(provider));
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
