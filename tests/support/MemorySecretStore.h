#pragma once

#include "SecretStore.h"

#include <QHash>

namespace cd {

// Secrets in memory only: a test double for unit tests and benchmarks (the real keychain is
// tested in the Secret Service). Can simulate a failing or a
// hanging keychain.
class MemorySecretStore : public SecretStore
{
    Q_OBJECT
public:
    enum class Mode { Working, Failing, Hanging };
    using SecretStore::SecretStore;

    void setMode(Mode mode) { m_mode = mode; }
    // Makes only writes fail (reads and removes work), or only removes.
    void setFailWrites(bool fail) { m_failWrites = fail; }
    void setFailRemoves(bool fail) { m_failRemoves = fail; }
    // Carries out each call only after `ms` (a slow keychain; with a shorter timeout, a
    // call that "times out" and then happens after all).
    void setDelay(int ms) { m_delayMs = ms; }
    // The same for removals only (a removal that times out after a quick read).
    void setRemoveDelay(int ms) { m_removeDelayMs = ms; }

    QHash<QString, QString> contents() const { return m_secrets; }
    int callCount() const { return m_calls; }

protected:
    void start(Op op, const QString &key, const QString &secret,
        std::function<void(const SecretResult &)> answer) override;

private:
    void carryOut(Op op, const QString &key, const QString &secret,
        const std::function<void(const SecretResult &)> &answer);

    QHash<QString, QString> m_secrets;
    Mode m_mode = Mode::Working;
    bool m_failWrites = false;
    bool m_failRemoves = false;
    int m_delayMs = 0;
    int m_removeDelayMs = 0;
    int m_calls = 0;
};

} // namespace cd
