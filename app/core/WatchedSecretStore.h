#pragma once

#include "SecretStore.h"

#include <QPointer>

namespace cd {

// Passes every call to another secret store and remembers whether the keychain itself
// failed (unavailable, locked, denied, timed out: anything but "not found"), so that the
// command line can tell a keychain failure (exit code 4) from other failures.
class WatchedSecretStore : public SecretStore
{
public:
    WatchedSecretStore(SecretStore *inner, QObject *parent = nullptr);

    bool keychainFailed() const { return m_failed; }
    QString lastError() const { return m_lastError; }

protected:
    void start(Op op, const QString &key, const QString &secret,
        std::function<void(const SecretResult &)> answer) override;

private:
    QPointer<SecretStore> m_inner;
    bool m_failed = false;
    QString m_lastError;
};

} // namespace cd
