#!/usr/bin/env python3
"""Runs `connector-desk add --secret-stdin` on a pseudo-terminal, waits until it has turned
echo off at its secret prompt, sends the signal named on the command line (INT, TERM) and
reports whether the terminal's echo came back. Used by tst_cli (terminalRestoredOnSignal)."""
import os
import pty
import select
import signal
import sys
import termios
import time


def main():
    sig = getattr(signal, "SIG" + sys.argv[1])
    data_dir = sys.argv[2]
    binary = os.environ["CONNECTOR_DESK_BINARY"]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(binary, [binary, "--data-dir", data_dir, "add", "--name", "Typed",
                          "--url", "https://jama.example.com", "--auth", "basic",
                          "--username", "svc", "--secret-stdin"])
    if not termios.tcgetattr(fd)[3] & termios.ECHO:
        print("echo was off before the prompt")
        return 1
    seen = b""
    deadline = time.time() + 30
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
        if b"Secret" in seen and not termios.tcgetattr(fd)[3] & termios.ECHO:
            break
    else:
        print("no prompt with echo off within 30 s; saw: %r" % seen)
        os.kill(pid, signal.SIGKILL)
        return 1
    os.kill(pid, sig)
    _, status = os.waitpid(pid, 0)
    if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != sig:
        print("the process did not end by the signal: status %d" % status)
        return 1
    if termios.tcgetattr(fd)[3] & termios.ECHO:
        print("echo restored")
        return 0
    print("echo still off after SIG%s" % sys.argv[1])
    return 1


if __name__ == "__main__":
    sys.exit(main())
