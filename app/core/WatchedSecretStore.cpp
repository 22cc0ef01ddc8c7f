#include "WatchedSecretStore.h"

namespace cd {

WatchedSecretStore::WatchedSecretStore(SecretStore *inner, QObject *parent)
    : SecretStore(parent)
    , m_inner(inner)
{
    // The inner store's own timeout answers first, with its message.
    setTimeout(inner->timeout() + 2000);
}

void WatchedSecretStore::start(Op op, const QString &key, const QString &secret,
    std::function<void(const SecretResult &)> answer)
{
    if (!m_inner) {
        SecretResult r;
        r.error = SecretResult::Error::Other;
        r.message = messageFor(r.error);
        m_failed = true;
        answer(r);
        return;
    }
    auto watched = [this, answer = std::move(answer)](const SecretResult &r) {
        if (!r.ok() && r.error != SecretResult::Error::NotFound) {
            m_failed = true;
            m_lastError = r.message;
        }
        answer(r);
    };
    switch (op) {
    case Op::Read:
        m_inner->read(key, this, std::move(watched));
        break;
    case Op::Write:
        m_inner->write(key, secret, this, std::move(watched));
        break;
    case Op::Remove:
        m_inner->remove(key, this, std::move(watched));
        break;
    }
}

} // namespace cd
