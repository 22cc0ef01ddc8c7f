# Shared by scripts/run, scripts/test, scripts/package and scripts/screenshots.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian/Ubuntu package names (see README for macOS and Windows equivalents).
BUILD_PACKAGES=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools qt6-svg-dev
    qtkeychain-qt6-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl1-mesa-dev
    libqt6svg6 qt6-qpa-plugins libqt6sql6-sqlite librsvg2-bin)
TEST_PACKAGES=(dbus gnome-keyring libsecret-tools sqlite3 xvfb xauth imagemagick
    fonts-dejavu-core curl openssl python3 python3-yaml desktop-file-utils appstream
    dpkg-dev file lintian)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages NAME... — installs those of NAME that are missing (apt-get).
ensure_packages() {
    local missing=() p
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log "Not a Debian/Ubuntu system: install the packages listed in README.md yourself."
        return 0
    fi
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            # A virtual or renamed package is fine when apt knows it as provided.
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "Installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# configure_and_build PRESET — configures (once) and builds the given CMake preset.
configure_and_build() {
    local preset=$1
    if [ ! -f "$ROOT/build/$preset/CMakeCache.txt" ]; then
        cmake --preset "$preset" -S "$ROOT" >/dev/null
    fi
    cmake --build --preset "$preset" -- -j"$(nproc)"
}
