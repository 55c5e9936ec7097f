#!/usr/bin/env bash
# Wrap "AutoGLM Desktop.app" in a compressed, drag-to-Applications disk image.
#
#   packaging/macos/make_dmg.sh PATH/TO/AutoGLM\ Desktop.app OUTPUT.dmg VERSION
#
# Needs macOS (hdiutil). Signing and notarising, when the secrets exist, happen before
# (codesign on the .app, done by PyInstaller with --codesign-identity) and after
# (codesign, xcrun notarytool and stapler on the .dmg, in .github/workflows/installers.yml,
# only when the signing secrets exist: packaging/README.md, "Signing (macOS)").
set -euo pipefail
app=${1:?usage: make_dmg.sh APP OUTPUT.dmg VERSION}
output=${2:?usage: make_dmg.sh APP OUTPUT.dmg VERSION}
version=${3:?usage: make_dmg.sh APP OUTPUT.dmg VERSION}
command -v hdiutil >/dev/null || { echo "make_dmg.sh: hdiutil is macOS-only" >&2; exit 2; }
[ -d "$app" ] || { echo "make_dmg.sh: no app bundle at $app" >&2; exit 1; }

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
# ditto keeps the bundle's symlinks, extended attributes and code signatures intact.
ditto "$app" "$staging/$(basename "$app")"
ln -s /Applications "$staging/Applications"
rm -f "$output"
hdiutil create -volname "AutoGLM Desktop $version" -srcfolder "$staging" -fs HFS+ \
    -format UDZO -imagekey zlib-level=9 -ov "$output"
hdiutil verify "$output"
echo "built $output"
