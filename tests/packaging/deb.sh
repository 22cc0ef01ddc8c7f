#!/usr/bin/env bash
# deb.sh SOURCE_DIR WORK_DIR VERSION APP_ID QT_PLUGIN_DIR
# Builds a Release tree (tests off, no sanitizers) in WORK_DIR/build, makes the .deb with
# CPack, and checks it the way a user's machine would see it:
#  - control fields (name, version, computed Depends, Recommends) and contents;
#  - `dpkg -x` into an empty root: every library of the installed binary resolves, and the
#    Qt plugins it needs at run time (xcb, SVG) are shipped by packages it depends on or
#    recommends;
#  - the installed binary prints "Connector Desk VERSION";
#  - apt accepts it (simulated install) and lintian reports no errors.
set -euo pipefail
src=$1 work=$2 version=$3 app_id=$4 plugins=${5:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

for tool in cmake cpack dpkg-deb dpkg-shlibdeps file ldd lintian; do
    command -v "$tool" >/dev/null || fail "$tool not found (scripts/test installs it)"
done

build="$work/build" dist="$work/dist" root="$work/root"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ -f "$build/CMakeCache.txt" ] && ! grep -q "^CMAKE_HOME_DIRECTORY:INTERNAL=$src\$" "$build/CMakeCache.txt"; then
    rm -rf "$build"
fi

step "Configure and build (Release) in $build"
cmake -S "$src" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCONNECTOR_DESK_BUILD_TESTS=OFF -DCONNECTOR_DESK_SANITIZE=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" -j2

step "cpack -G DEB"
rm -rf "$dist" "$root"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$dist"
debs=("$dist"/connector-desk_"$version"_*.deb)
[ -f "${debs[0]}" ] || fail "no connector-desk_${version}_*.deb in $dist"
deb=${debs[0]}
echo "built $deb"

step "Control fields"
dpkg-deb --info "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = connector-desk ] || fail "Package is $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version is $(field Version), project() says $version"
for f in Maintainer Section Homepage Description; do
    [ -n "$(field "$f")" ] || fail "no $f field"
done
depends=$(field Depends) recommends=$(field Recommends)
for p in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6keychain1; do
    # (Ubuntu 24.04 names them with a t64 suffix.)
    grep -qE "(^|[ ,|])$p(t64)?([ ,(]|$)" <<<"$depends" || fail "Depends lacks $p: $depends"
done
grep -q gnome-keyring <<<"$recommends" || fail "Recommends names no Secret Service provider"
grep -qE "libqt6svg6(t64)?([ ,(]|$)" <<<"$depends, $recommends" || fail "neither Depends nor Recommends has libqt6svg6"

step "Contents"
listing=$(dpkg-deb --contents "$deb" | awk '{print $NF}' | sed 's|^\./|/|')
need_file() { grep -qxF "$1" <<<"$listing" || fail "the package lacks $1"; }
need_file /usr/bin/connector-desk
need_file "/usr/share/applications/$app_id.desktop"
need_file "/usr/share/metainfo/$app_id.metainfo.xml"
need_file "/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
for s in 16 32 48 64 128 256 512; do
    need_file "/usr/share/icons/hicolor/${s}x${s}/apps/$app_id.png"
done
need_file /usr/share/doc/connector-desk/copyright
need_file /usr/share/doc/connector-desk/changelog.gz
need_file /usr/share/man/man1/connector-desk.1.gz

step "Install into an empty root ($root)"
mkdir -p "$root"
dpkg -x "$deb" "$root"
bin="$root/usr/bin/connector-desk"
[ -x "$bin" ] || fail "$bin is not executable"
file "$root/usr/share/icons/hicolor/256x256/apps/$app_id.png" | grep -q "256 x 256" ||
    fail "the 256 px icon is not 256 x 256"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root/usr/share/applications/$app_id.desktop"
fi

step "Linked libraries resolve"
ldd "$bin"
if ldd "$bin" | grep -q "not found"; then fail "unresolved libraries"; fi

owner_listed() { # PATH: the package owning PATH is in Depends or Recommends
    local pkg
    pkg=$(dpkg-query -S "$1" 2>/dev/null | head -n1 | cut -d: -f1) || true
    [ -n "$pkg" ] || fail "no package owns $1"
    pkg=${pkg%t64}
    grep -qE "(^|[ ,|])$pkg(t64)?([ ,(]|$)" <<<"$depends, $recommends" ||
        fail "$1 comes from $pkg, which the package neither depends on nor recommends"
    echo "$1: from $pkg (listed)"
}
if [ -n "$plugins" ] && [ -d "$plugins" ]; then
    step "Run-time Qt plugins ($plugins)"
    for plugin in platforms/libqxcb.so iconengines/libqsvgicon.so imageformats/libqsvg.so; do
        [ -f "$plugins/$plugin" ] || fail "$plugins/$plugin missing"
        if ldd "$plugins/$plugin" | grep -q "not found"; then fail "$plugin has unresolved libraries"; fi
        owner_listed "$plugins/$plugin"
    done
fi

step "Run the installed binary"
out=$(env -u LD_LIBRARY_PATH QT_QPA_PLATFORM=offscreen "$bin" --version)
echo "$out"
[ "$out" = "Connector Desk $version" ] || fail "--version printed '$out', expected 'Connector Desk $version'"

if command -v apt-get >/dev/null; then
    step "apt-get install --simulate"
    apt-get install --simulate --no-install-recommends "$deb" ||
        fail "apt cannot install the package (missing dependencies?)"
fi

step "lintian"
lintian --fail-on error --display-info "$deb" 2>&1 | grep -v "running with root privileges" || true
lintian --fail-on error "$deb" >/dev/null 2>&1 || fail "lintian reports errors"
echo "packaging_deb OK: $deb"
