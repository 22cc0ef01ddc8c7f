#pragma once

#include "SecretStore.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <functional>

namespace cd {

// Passes every call to another secret store (the real keychain, or a MemorySecretStore),
// except the writes and removes chosen to fail: the Nth write (counted from 1 since the
// store was made or reset()) fails with "access denied" without reaching the inner store,
// or never answers (the caller's timeout then reports it). For all-or-nothing tests: three
// connectors, the second write fails.
class FaultySecretStore : public SecretStore
{
    Q_OBJECT
public:
    explicit FaultySecretStore(SecretStore *inner, QObject *parent = nullptr);

    void failWrite(int n) { m_failWrites.insert(n); }
    void hangWrite(int n) { m_hangWrites.insert(n); }
    void failRemove(int n) { m_failRemoves.insert(n); }
    // The Nth write reaches the inner store only after `ms` (with a shorter timeout: a write
    // that is reported as timed out, then happens after all).
    void delayWrite(int n, int ms) { m_writeDelays.insert(n, ms); }
    // Called with N as the Nth write starts (before it reaches the inner store): a test can
    // change the database "meanwhile" at an exact point.
    void onWrite(std::function<void(int)> hook) { m_onWrite = std::move(hook); }
    // Forgets the chosen failures and starts counting again.
    void reset();

    int writes() const { return m_writes; }
    int removes() const { return m_removes; }

protected:
    void start(Op op, const QString &key, const QString &secret,
        std::function<void(const SecretResult &)> answer) override;

private:
    QPointer<SecretStore> m_inner;
    QSet<int> m_failWrites;
    QSet<int> m_hangWrites;
    QSet<int> m_failRemoves;
    QHash<int, int> m_writeDelays;
    std::function<void(int)> m_onWrite;
    int m_writes = 0;
    int m_removes = 0;
};

} // namespace cd
