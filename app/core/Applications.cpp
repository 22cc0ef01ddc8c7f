#include "Applications.h"

#include <QCoreApplication>

namespace cd::Applications {

const QList<Application> &all()
{
    static const QList<Application> apps {
        { QStringLiteral("jama-connect"),
            QCoreApplication::translate("Applications", "Jama Connect"),
            QStringLiteral("https://yourcompany.jamacloud.com"),
            QUrl(QStringLiteral("https://help.jamasoftware.com/ah/en/manage-your-profile/"
                                "set-api-credentials.html")) },
    };
    return apps;
}

const Application *find(const QString &id)
{
    for (const Application &a : all()) {
        if (a.id == id)
            return &a;
    }
    return nullptr;
}

QString defaultId()
{
    return all().constFirst().id;
}

} // namespace cd::Applications
