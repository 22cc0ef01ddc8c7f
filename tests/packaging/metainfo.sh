#!/usr/bin/env bash
# metainfo.sh FILE APP_ID VERSION — the configured AppStream metainfo validates (no network)
# and names the application id, its desktop file, its binary and the project's version.
set -euo pipefail
file=$1 app_id=$2 version=$3
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v appstreamcli >/dev/null || fail "appstreamcli not found (appstream)"
[ -f "$file" ] || fail "$file missing (configure the tree first)"
[ "$(basename "$file")" = "$app_id.metainfo.xml" ] || fail "the file is not named after the application id"

appstreamcli validate --no-net --explain "$file" || fail "appstreamcli validate"

python3 - "$file" "$app_id" "$version" <<'PY'
import sys
import xml.etree.ElementTree as ET

path, app_id, version = sys.argv[1:]
root = ET.parse(path).getroot()

def need(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)

need(root.tag == "component" and root.get("type") == "desktop-application", "component type")
need(root.findtext("id") == app_id, "id is not " + app_id)
need(root.find("launchable[@type='desktop-id']") is not None
     and root.findtext("launchable") == app_id + ".desktop", "launchable")
need(root.findtext("provides/binary") == "connector-desk", "provides/binary")
need(root.find("content_rating") is not None, "content_rating")
need(root.find("description") is not None, "description")
shots = [i.text for i in root.iter("image")]
need(shots and all(s.startswith("https://") for s in shots), "screenshots")
releases = [r.get("version") for r in root.iter("release")]
need(releases and releases[0] == version,
     "the newest release is %s, project() says %s" % (releases[:1], version))
PY
echo "metainfo OK: $file"
