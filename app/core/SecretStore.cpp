#include "SecretStore.h"

#include "Log.h"

#include <QCoreApplication>
#include <QTimer>
#include <memory>
#include <qt6keychain/keychain.h>

namespace cd {

namespace {

// Runs `done` from the event loop, unless `context` dies first.
void deliver(QObject *context, SecretCallback done, SecretResult result)
{
    QTimer::singleShot(
        0, context, [done = std::move(done), result = std::move(result)] { done(result); });
}

SecretResult::Error classify(QKeychain::Error error, const QString &text)
{
    switch (error) {
    case QKeychain::NoError:
        return SecretResult::Error::None;
    case QKeychain::EntryNotFound:
        return SecretResult::Error::NotFound;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return SecretResult::Error::AccessDenied;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return SecretResult::Error::NoService;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    // QtKeychain 0.13 reports most Secret Service trouble as OtherError; its text tells.
    if (text.contains(QLatin1String("not provided by any .service files"))
        || text.contains(QLatin1String("Cannot autolaunch D-Bus"))
        || text.contains(QLatin1String("org.freedesktop.secrets"))
        || text.contains(QLatin1String("No D-Bus")))
        return SecretResult::Error::NoService;
    if (text.contains(QLatin1String("Object does not exist at path"))
        || text.contains(QLatin1String("locked"), Qt::CaseInsensitive))
        return SecretResult::Error::Locked;
    return SecretResult::Error::Other;
}
} // namespace

QString SecretStore::messageFor(SecretResult::Error error, const QString &detail, int timeoutMs)
{
    switch (error) {
    case SecretResult::Error::None:
        return {};
    case SecretResult::Error::NotFound:
        return tr("No secret is stored in the keychain for this connector. Edit the connector "
                  "and enter its password or client secret.");
    case SecretResult::Error::NoService:
        return tr("No keychain is available: no Secret Service (such as GNOME Keyring or "
                  "KWallet) answers in this desktop session. Start one and try again. "
                  "Connector Desk never stores secrets in plain files. (%1)")
            .arg(detail);
    case SecretResult::Error::Locked:
        return tr("The keychain is locked. Unlock it (for example by logging in to your "
                  "desktop session or opening your password manager) and try again. (%1)")
            .arg(detail);
    case SecretResult::Error::AccessDenied:
        return tr("Access to the keychain was denied. Allow Connector Desk to use the keychain "
                  "and try again. (%1)")
            .arg(detail);
    case SecretResult::Error::Timeout:
        return tr("The keychain did not answer within %1 seconds. It may be waiting for you to "
                  "unlock it in another window: unlock it and try again.")
            .arg(timeoutMs / 1000.0, 0, 'g', 3);
    case SecretResult::Error::Other:
        break;
    }
    return tr("The keychain reported an error: %1").arg(detail);
}

// --- SecretStore: delivery and timeout ---------------------------------------------

void SecretStore::read(const QString &key, QObject *context, SecretCallback done)
{
    run(Op::Read, key, QString(), context, std::move(done), {});
}

void SecretStore::write(const QString &key, const QString &secret, QObject *context,
    SecretCallback done, SecretCallback late)
{
    run(Op::Write, key, secret, context, std::move(done), std::move(late));
}

void SecretStore::remove(
    const QString &key, QObject *context, SecretCallback done, SecretCallback late)
{
    run(Op::Remove, key, QString(), context, std::move(done), std::move(late));
}

void SecretStore::run(Op op, const QString &key, const QString &secret, QObject *context,
    SecretCallback done, SecretCallback late)
{
    Q_ASSERT(context);
    // Whichever comes first, the backend's answer or the timeout, answers the caller; the
    // other is ignored.
    struct Pending
    {
        QPointer<QObject> context;
        SecretCallback done;
        bool answered = false;
        QPointer<QTimer> timer;
        SecretCallback late;
        bool timedOut = false;
    };
    auto pending = std::make_shared<Pending>();
    pending->context = context;
    pending->done = std::move(done);
    pending->late = std::move(late);
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    pending->timer = timer;
    const auto answer = [pending, key](const SecretResult &r) {
        if (pending->answered) {
            if (pending->timedOut && r.error != SecretResult::Error::Timeout) {
                qCWarning(lcKeychain).noquote()
                    << "keychain call for" << key << "answered after its timeout";
                if (pending->late && pending->context)
                    deliver(pending->context, std::move(pending->late), r);
            }
            return;
        }
        pending->answered = true;
        if (pending->timer) {
            pending->timer->stop();
            pending->timer->deleteLater();
        }
        if (pending->context)
            deliver(pending->context, std::move(pending->done), r);
    };
    const int timeoutMs = m_timeoutMs;
    connect(timer, &QTimer::timeout, this, [answer, pending, key, timeoutMs] {
        pending->timedOut = true;
        qCWarning(lcKeychain).noquote()
            << "keychain call for" << key << "timed out after" << timeoutMs << "ms";
        SecretResult r;
        r.error = SecretResult::Error::Timeout;
        r.message = messageFor(r.error, QString(), timeoutMs);
        answer(r);
    });
    timer->start(m_timeoutMs);
    start(op, key, secret, answer);
}

// --- KeychainSecretStore -----------------------------------------------------------

KeychainSecretStore::KeychainSecretStore(const QString &service, QObject *parent)
    : SecretStore(parent)
    , m_service(service)
{ }

void KeychainSecretStore::start(Op op, const QString &key, const QString &secret,
    std::function<void(const SecretResult &)> answer)
{
    QKeychain::Job *job = nullptr;
    switch (op) {
    case Op::Read:
        job = new QKeychain::ReadPasswordJob(m_service);
        break;
    case Op::Write: {
        auto *w = new QKeychain::WritePasswordJob(m_service);
        w->setTextData(secret);
        job = w;
        break;
    }
    case Op::Remove:
        job = new QKeychain::DeletePasswordJob(m_service);
        break;
    }
    job->setKey(key);
    job->setInsecureFallback(false); // never a plain-text fallback
    // A hung job cannot be aborted (QtKeychain has no cancel); it deletes itself if it
    // ever finishes, and its late answer is ignored.
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this, [answer, op, key](QKeychain::Job *j) {
        SecretResult r;
        r.error = classify(j->error(), j->errorString());
        if (op == Op::Remove && r.error == SecretResult::Error::NotFound)
            r.error = SecretResult::Error::None; // already gone
        if (r.error != SecretResult::Error::None) {
            r.message = messageFor(r.error, j->errorString());
            if (r.error != SecretResult::Error::NotFound)
                qCWarning(lcKeychain).noquote()
                    << "keychain job for" << key << "failed:" << j->errorString();
        } else if (op == Op::Read) {
            r.secret = static_cast<QKeychain::ReadPasswordJob *>(j)->textData();
        }
        qCDebug(lcKeychain) << "keychain job for" << key << "finished";
        answer(r);
    });
    job->start();
}

} // namespace cd
