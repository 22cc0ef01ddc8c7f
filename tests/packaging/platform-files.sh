#!/usr/bin/env bash
# platform-files.sh SOURCE_DIR — the committed Windows and macOS packaging files are sound:
# the .ico and .icns hold the sizes the platforms ask for, the Info.plist template is a
# valid plist with the keys a bundle needs, and the version resource and Info.plist take
# the version from project() instead of writing it down.
set -euo pipefail
exec python3 - "$1" <<'PY'
import plistlib
import re
import struct
import sys
from pathlib import Path

src = Path(sys.argv[1])
pkg = src / "packaging"

def fail(what):
    sys.exit("FAIL: " + what)

# Windows icon: ICONDIR header, then 16-byte entries (width 0 means 256).
ico = (pkg / "windows/connector-desk.ico").read_bytes()
reserved, kind, count = struct.unpack_from("<HHH", ico)
if reserved != 0 or kind != 1 or count < 4:
    fail("connector-desk.ico is not a multi-size icon")
sizes = {(ico[6 + 16 * i] or 256) for i in range(count)}
for want in (16, 32, 48, 256):
    if want not in sizes:
        fail(f"connector-desk.ico lacks {want}px (has {sorted(sizes)})")

# macOS icon: 'icns' + total length, then typed elements.
icns = (pkg / "macos/connector-desk.icns").read_bytes()
if icns[:4] != b"icns" or struct.unpack(">I", icns[4:8])[0] != len(icns):
    fail("connector-desk.icns is not an icns file")
types, at = set(), 8
while at < len(icns):
    t, n = icns[at:at + 4].decode("latin-1"), struct.unpack(">I", icns[at + 4:at + 8])[0]
    if n < 8:
        fail("connector-desk.icns is damaged")
    types.add(t)
    at += n
for want in ("ic08", "ic09"):  # 256 and 512 px
    if want not in types:
        fail(f"connector-desk.icns lacks {want} (has {sorted(types)})")

# Info.plist: a valid plist once configured; the version only through project().
template = (pkg / "macos/Info.plist.in").read_text(encoding="utf-8")
values = {"CONNECTOR_DESK_APP_ID": "io.example.Test", "CONNECTOR_DESK_DISPLAY_NAME": "Test",
          "PROJECT_VERSION": "9.8.7"}
configured = re.sub(r"@([A-Za-z0-9_]+)@", lambda m: values.get(m.group(1), "x"), template)
plist = plistlib.loads(configured.encode("utf-8"))
for key, want in (("CFBundleIdentifier", "io.example.Test"),
                  ("CFBundleShortVersionString", "9.8.7"), ("CFBundleVersion", "9.8.7"),
                  ("CFBundleExecutable", "connector-desk"),
                  ("CFBundleIconFile", "connector-desk.icns"),
                  ("NSHighResolutionCapable", True), ("CFBundlePackageType", "APPL")):
    if plist.get(key) != want:
        fail(f"Info.plist {key} is {plist.get(key)!r}, expected {want!r}")

rc = (pkg / "windows/connector-desk.rc.in").read_text(encoding="utf-8")
for needle in ("VERSIONINFO", "ICON", "@PROJECT_VERSION@", "@_cd_v_MAJOR@"):
    if needle not in rc:
        fail(f"connector-desk.rc.in lacks {needle}")
for name, text in (("Info.plist.in", template), ("connector-desk.rc.in", rc)):
    if re.search(r"\b\d+\.\d+\.\d+\b", text.replace("PropertyList-1.0", "")):
        fail(f"{name} writes a version down; take it from project()")

cmake = (pkg / "CMakeLists.txt").read_text(encoding="utf-8")
if not re.search(r'CONNECTOR_DESK_WIX_UPGRADE_GUID "[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}"', cmake):
    fail("no fixed WiX upgrade GUID")
print(f"platform files OK: ico {sorted(sizes)}, icns {sorted(types)}")
PY
