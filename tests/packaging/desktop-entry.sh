#!/usr/bin/env bash
# desktop-entry.sh FILE APP_ID — the configured .desktop file validates and launches the
# installed binary under the application id's icon.
set -euo pipefail
file=$1 app_id=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v desktop-file-validate >/dev/null || fail "desktop-file-validate not found (desktop-file-utils)"
[ -f "$file" ] || fail "$file missing (configure the tree first)"
[ "$(basename "$file")" = "$app_id.desktop" ] || fail "the file is not named after the application id"

out=$(desktop-file-validate "$file" 2>&1) || fail "desktop-file-validate: $out"
# Hints are fine; errors and warnings are not (desktop-file-validate exits 0 on warnings).
if grep -qE ': (error|warning):' <<<"$out"; then fail "desktop-file-validate: $out"; fi

key() { sed -n "s/^$1=//p" "$file" | head -n1; }
[ "$(key Type)" = Application ] || fail "Type"
[ "$(key Exec)" = connector-desk ] || fail "Exec is '$(key Exec)'"
[ "$(key Icon)" = "$app_id" ] || fail "Icon is '$(key Icon)'"
[ "$(key StartupWMClass)" = connector-desk ] || fail "StartupWMClass is '$(key StartupWMClass)'"
[ -n "$(key Categories)" ] || fail "no Categories"
[ -n "$(key Keywords)" ] || fail "no Keywords"
echo "desktop entry OK: $file"
