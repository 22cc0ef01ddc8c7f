#!/usr/bin/env bash
# Runs inside dbus-run-session (see scripts/test): starts a throwaway unlocked
# gnome-keyring and an Xvfb display, then CTest. Everything ends with the session.
set -euo pipefail

# A fresh "login" collection, unlocked with a throwaway password given on stdin.
printf '%s' "throwaway-$$" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
# Wait until the Secret Service answers on the bus (bounded: 5 s).
for _ in $(seq 1 50); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
        grep -q "boolean true"; then
        break
    fi
    sleep 0.1
done

# QT_QPA_PLATFORM stays offscreen; tests that need a real X server select xcb themselves
# and find the Xvfb display that xvfb-run provides.
exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    ctest --test-dir "$CONNECTOR_DESK_BUILD_DIR" --output-on-failure --no-tests=error "$@"
