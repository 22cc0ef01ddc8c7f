#!/usr/bin/env bash
# Regenerates the committed platform icons from resources/icons/connector-desk.svg:
#   packaging/windows/connector-desk.ico   (16..256 px; rsvg-convert + ImageMagick `convert`)
#   packaging/macos/connector-desk.icns    (16..1024 px; `iconutil` on macOS, `png2icns` elsewhere)
# The Linux hicolor PNGs are not committed: packaging/CMakeLists.txt renders them at build time.
#
# Debian/Ubuntu: apt-get install librsvg2-bin imagemagick icnsutils
# macOS:         brew install librsvg imagemagick   (iconutil ships with Xcode's command line tools)
# Usage: packaging/make-icons.sh [--ico] [--icns]   (default: both)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
svg="$here/../resources/icons/connector-desk.svg"
want_ico=0 want_icns=0
[ $# -eq 0 ] && set -- --ico --icns
for a in "$@"; do
    case "$a" in
        --ico) want_ico=1 ;;
        --icns) want_icns=1 ;;
        *) echo "usage: $0 [--ico] [--icns]" >&2; exit 2 ;;
    esac
done

command -v rsvg-convert >/dev/null || { echo "rsvg-convert not found (librsvg2-bin / librsvg)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
render() { rsvg-convert --width "$1" --height "$1" --keep-aspect-ratio --output "$2" "$svg"; }

if [ "$want_ico" -eq 1 ]; then
    command -v convert >/dev/null || { echo "ImageMagick's convert not found" >&2; exit 1; }
    pngs=()
    for s in 16 20 24 32 40 48 64 256; do
        render "$s" "$tmp/ico-$s.png"
        pngs+=("$tmp/ico-$s.png")
    done
    # One entry per size; ImageMagick stores the 256 px one PNG-compressed, the rest as BMP.
    convert "${pngs[@]}" "$here/windows/connector-desk.ico"
    echo "wrote packaging/windows/connector-desk.ico"
fi

if [ "$want_icns" -eq 1 ]; then
    if command -v iconutil >/dev/null; then
        set_dir="$tmp/connector-desk.iconset"
        mkdir -p "$set_dir"
        for s in 16 32 128 256 512; do
            render "$s" "$set_dir/icon_${s}x${s}.png"
            render $((s * 2)) "$set_dir/icon_${s}x${s}@2x.png"
        done
        iconutil --convert icns --output "$here/macos/connector-desk.icns" "$set_dir"
    elif command -v png2icns >/dev/null; then
        # libicns takes one PNG per size it knows (16, 32, 48, 128, 256, 512, 1024).
        files=()
        for s in 16 32 48 128 256 512 1024; do
            render "$s" "$tmp/icns-$s.png"
            files+=("$tmp/icns-$s.png")
        done
        png2icns "$here/macos/connector-desk.icns" "${files[@]}" >/dev/null
    else
        echo "neither iconutil (macOS) nor png2icns (icnsutils) found" >&2
        exit 1
    fi
    echo "wrote packaging/macos/connector-desk.icns"
fi
