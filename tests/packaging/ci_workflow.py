"""ci_workflow.py FILE: the GitHub Actions workflow parses as YAML and builds, tests and
packages on Ubuntu, Windows and macOS."""
import sys

import yaml

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    doc = yaml.safe_load(f)

def fail(what):
    sys.exit(f"FAIL: {path}: {what}")

if not isinstance(doc, dict) or "jobs" not in doc:
    fail("no jobs")
# PyYAML reads the bare key `on` as the boolean True.
if "on" not in doc and True not in doc:
    fail("no triggers (on:)")

text = yaml.safe_dump(doc["jobs"])
for os_name in ("ubuntu", "windows", "macos"):
    if os_name not in text:
        fail(f"no {os_name} runner")
for word in ("ctest", "cpack", "upload-artifact", "install-qt-action"):
    if word not in text and (word != "ctest" or "scripts/test" not in text):
        fail(f"nothing runs {word}")
for name, job in doc["jobs"].items():
    if not job.get("steps"):
        fail(f"job {name} has no steps")
print(f"workflow OK: {path} ({len(doc['jobs'])} jobs)")
