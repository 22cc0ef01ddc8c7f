#include "MemorySecretStore.h"

#include <QTimer>

namespace cd {

void MemorySecretStore::start(Op op, const QString &key, const QString &secret,
    std::function<void(const SecretResult &)> answer)
{
    ++m_calls;
    if (m_mode == Mode::Hanging)
        return; // never answers, like a keychain waiting on an unlock prompt
    const int delay = op == Op::Remove && m_removeDelayMs > 0 ? m_removeDelayMs : m_delayMs;
    if (delay > 0) {
        QTimer::singleShot(
            delay, this, [this, op, key, secret, answer] { carryOut(op, key, secret, answer); });
        return;
    }
    carryOut(op, key, secret, answer);
}

void MemorySecretStore::carryOut(Op op, const QString &key, const QString &secret,
    const std::function<void(const SecretResult &)> &answer)
{
    SecretResult r;
    if (m_mode == Mode::Failing) {
        r.error = SecretResult::Error::NoService;
        r.message = messageFor(r.error, QStringLiteral("simulated failure"));
        return answer(r);
    }
    switch (op) {
    case Op::Read: {
        const auto it = m_secrets.constFind(key);
        if (it == m_secrets.constEnd()) {
            r.error = SecretResult::Error::NotFound;
            r.message = messageFor(r.error);
        } else {
            r.secret = *it;
        }
        break;
    }
    case Op::Write:
        if (m_failWrites) {
            r.error = SecretResult::Error::AccessDenied;
            r.message = messageFor(r.error, QStringLiteral("simulated write failure"));
        } else {
            m_secrets.insert(key, secret);
        }
        break;
    case Op::Remove:
        if (m_failRemoves) {
            r.error = SecretResult::Error::AccessDenied;
            r.message = messageFor(r.error, QStringLiteral("simulated remove failure"));
        } else {
            m_secrets.remove(key);
        }
        break;
    }
    answer(r);
}

} // namespace cd
