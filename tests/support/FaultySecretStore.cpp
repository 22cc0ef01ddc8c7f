#include "FaultySecretStore.h"

#include <QTimer>

namespace cd {

FaultySecretStore::FaultySecretStore(SecretStore *inner, QObject *parent)
    : SecretStore(parent)
    , m_inner(inner)
{
    setTimeout(inner->timeout());
}

void FaultySecretStore::reset()
{
    m_failWrites.clear();
    m_hangWrites.clear();
    m_failRemoves.clear();
    m_writeDelays.clear();
    m_onWrite = {};
    m_writes = 0;
    m_removes = 0;
}

void FaultySecretStore::start(Op op, const QString &key, const QString &secret,
    std::function<void(const SecretResult &)> answer)
{
    const auto refuse = [&answer](const char *what) {
        SecretResult r;
        r.error = SecretResult::Error::AccessDenied;
        r.message = messageFor(r.error, QString::fromLatin1(what));
        answer(r);
    };
    if (op == Op::Write) {
        ++m_writes;
        if (m_onWrite)
            m_onWrite(m_writes);
        if (m_hangWrites.contains(m_writes))
            return; // never answers
        if (m_failWrites.contains(m_writes))
            return refuse("simulated write failure");
        if (const int ms = m_writeDelays.value(m_writes); ms > 0) {
            QTimer::singleShot(ms, this, [this, key, secret, answer = std::move(answer)] {
                if (m_inner)
                    m_inner->write(key, secret, this, answer);
            });
            return;
        }
    } else if (op == Op::Remove) {
        ++m_removes;
        if (m_failRemoves.contains(m_removes))
            return refuse("simulated remove failure");
    }
    if (!m_inner) {
        SecretResult r;
        r.error = SecretResult::Error::Other;
        r.message = messageFor(r.error, QStringLiteral("no inner store"));
        return answer(r);
    }
    switch (op) {
    case Op::Read:
        m_inner->read(key, this, std::move(answer));
        break;
    case Op::Write:
        m_inner->write(key, secret, this, std::move(answer));
        break;
    case Op::Remove:
        m_inner->remove(key, this, std::move(answer));
        break;
    }
}

} // namespace cd
