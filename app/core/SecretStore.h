#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <functional>

namespace cd {

struct SecretResult
{
    enum class Error { None, NotFound, NoService, Locked, AccessDenied, Timeout, Other };
    Error error = Error::None;
    QString message; // user-facing, says what to do; empty when error == None
    QString secret; // read() only

    bool ok() const { return error == Error::None; }
};

using SecretCallback = std::function<void(const SecretResult &)>;

// Where secrets live. Every call is asynchronous: the callback runs later from the event
// loop (never from inside the call), exactly once, and not at all if `context` (required)
// is destroyed first. Keys look like "connector/<uuid>/password" (see secretKey()).
//
// Every call has a timeout (default 30 s): a backend that never answers (a keychain
// waiting on an unlock prompt nobody sees) produces Error::Timeout, never a hang. A late
// answer after the timeout is ignored.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultTimeoutMs = 30000;
    using QObject::QObject;

    // `late`, if given, receives the backend's answer when it arrives after the timeout was
    // already reported: a write or remove that "failed" may still have happened, and the
    // caller can undo it (see ConnectorRepository).
    void read(const QString &key, QObject *context, SecretCallback done);
    void write(const QString &key, const QString &secret, QObject *context, SecretCallback done,
        SecretCallback late = {});
    // Removing a key that does not exist succeeds.
    void remove(
        const QString &key, QObject *context, SecretCallback done, SecretCallback late = {});

    void setTimeout(int ms) { m_timeoutMs = ms; }
    int timeout() const { return m_timeoutMs; }

    static QString messageFor(
        SecretResult::Error error, const QString &detail = QString(), int timeoutMs = 0);

protected:
    enum class Op { Read, Write, Remove };
    // Backends answer through `answer` once (late answers are ignored). They may call it
    // synchronously: delivery to the caller is always deferred to the event loop.
    virtual void start(Op op, const QString &key, const QString &secret,
        std::function<void(const SecretResult &)> answer)
        = 0;

private:
    void run(Op op, const QString &key, const QString &secret, QObject *context,
        SecretCallback done, SecretCallback late);
    int m_timeoutMs = kDefaultTimeoutMs;
};

// Secrets in the operating system's keychain through QtKeychain: the Secret Service or
// KWallet on Linux, Keychain on macOS, Credential Manager on Windows. Service name
// "connector-desk"; the insecure plain-text fallback is off. QtKeychain jobs can wait for
// ever (an unlock prompt nobody answers): the base class's timeout covers that.
class KeychainSecretStore : public SecretStore
{
    Q_OBJECT
public:
    explicit KeychainSecretStore(
        const QString &service = QStringLiteral("connector-desk"), QObject *parent = nullptr);

    QString service() const { return m_service; }

protected:
    void start(Op op, const QString &key, const QString &secret,
        std::function<void(const SecretResult &)> answer) override;

private:
    QString m_service;
};

} // namespace cd
