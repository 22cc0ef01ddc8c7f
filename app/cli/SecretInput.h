#pragma once

#include <QString>

namespace cd::cli {

// Reads a secret from standard input: at a terminal with a prompt and echo off (restored on
// every path, and when SIGINT, SIGTERM or SIGHUP ends the process there), else the piped
// bytes. One trailing newline is stripped; empty or more than 64 KiB is refused.
bool readSecretFromStdin(QString *secret, QString *error);

} // namespace cd::cli
