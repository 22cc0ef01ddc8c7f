#include "SecretInput.h"

#include "Session.h"

#include <QFile>

#if defined(Q_OS_WIN)
#include <io.h>
#include <windows.h>
#else
#include <csignal>
#include <termios.h>
#include <unistd.h>
#endif

namespace cd::cli {

namespace {

constexpr qint64 kMaxSecretBytes = 64 * 1024;

#if !defined(Q_OS_WIN)
// The terminal settings to put back if a signal ends the process at the secret prompt
// (Ctrl-C, kill): tcsetattr() is async-signal-safe.
termios g_savedTerminal {};
volatile std::sig_atomic_t g_echoOff = 0;

extern "C" void restoreTerminalAndDie(int sig)
{
    if (g_echoOff)
        tcsetattr(STDIN_FILENO, TCSANOW, &g_savedTerminal);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}
#endif

// Reads the secret from standard input: one trailing newline is stripped.
// Terminal echo off while a secret is typed at a prompt (restored on every path, and when
// SIGINT, SIGTERM or SIGHUP ends the process there).
class EchoOff
{
public:
    EchoOff()
    {
#if defined(Q_OS_WIN)
        m_handle = GetStdHandle(STD_INPUT_HANDLE);
        m_ok = GetConsoleMode(m_handle, &m_mode)
            && SetConsoleMode(m_handle, m_mode & ~DWORD(ENABLE_ECHO_INPUT));
#else
        m_ok = tcgetattr(STDIN_FILENO, &m_saved) == 0;
        if (m_ok) {
            g_savedTerminal = m_saved;
            g_echoOff = 1;
            struct sigaction action
            {
            };
            action.sa_handler = restoreTerminalAndDie;
            sigemptyset(&action.sa_mask);
            for (int i = 0; i < kSignalCount; ++i)
                sigaction(kSignals[i], &action, &m_previous[i]);
            termios quiet = m_saved;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            m_ok = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
#endif
    }
    ~EchoOff()
    {
#if defined(Q_OS_WIN)
        if (m_ok)
            SetConsoleMode(m_handle, m_mode);
#else
        if (m_ok)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
        if (g_echoOff) {
            g_echoOff = 0;
            for (int i = 0; i < kSignalCount; ++i)
                sigaction(kSignals[i], &m_previous[i], nullptr);
        }
#endif
    }
    EchoOff(const EchoOff &) = delete;
    EchoOff &operator=(const EchoOff &) = delete;

private:
    bool m_ok = false;
#if defined(Q_OS_WIN)
    HANDLE m_handle = nullptr;
    DWORD m_mode = 0;
#else
    static constexpr int kSignalCount = 3;
    static constexpr int kSignals[kSignalCount] = { SIGINT, SIGTERM, SIGHUP };
    termios m_saved {};
    struct sigaction m_previous[kSignalCount]
    {
    };
#endif
};

bool stdinIsTerminal()
{
#if defined(Q_OS_WIN)
    return _isatty(_fileno(stdin));
#else
    return isatty(STDIN_FILENO);
#endif
}

} // namespace

bool readSecretFromStdin(QString *secret, QString *error)
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly)) {
        *error = tr("Cannot read the secret from standard input.");
        return false;
    }
    QByteArray data;
    if (stdinIsTerminal()) {
        // Typed by hand: one line, never shown on the screen or left in the scrollback.
        err() << tr("Secret (not shown), then Enter: ") << Qt::flush;
        {
            const EchoOff quiet;
            data = in.readLine(kMaxSecretBytes + 2);
        }
        err() << Qt::endl;
    } else {
        data = in.read(kMaxSecretBytes + 1);
    }
    if (data.size() > kMaxSecretBytes) {
        *error = tr("The secret on standard input is too long.");
        return false;
    }
    if (data.endsWith('\n')) {
        data.chop(1);
        if (data.endsWith('\r'))
            data.chop(1);
    }
    if (data.isEmpty()) {
        *error = tr("The secret on standard input is empty.");
        return false;
    }
    *secret = QString::fromUtf8(data);
    return true;
}

} // namespace cd::cli
