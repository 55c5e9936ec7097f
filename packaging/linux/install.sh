#!/bin/sh
# Install AutoGLM Desktop for this user, into ~/.local (no root needed).
#
#   ./install.sh              install, or update an earlier install
#   ./install.sh --uninstall  remove it (conversations, settings and models stay)
#
# PREFIX=/some/where ./install.sh installs under another prefix instead of ~/.local.
# The app goes to $PREFIX/lib/autoglm-desktop, the command to $PREFIX/bin/autoglm, the
# menu entry to $PREFIX/share/applications and the icon to the hicolor theme.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-"$HOME/.local"}
app_dir="$prefix/lib/autoglm-desktop"
bin_link="$prefix/bin/autoglm"
desktop_file="$prefix/share/applications/autoglm-desktop.desktop"
icon_file="$prefix/share/icons/hicolor/scalable/apps/autoglm-desktop.svg"

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$prefix/share/applications" >/dev/null 2>&1 || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" >/dev/null 2>&1 || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$app_dir"
    rm -f "$desktop_file" "$icon_file"
    if [ -L "$bin_link" ]; then rm -f "$bin_link"; fi
    refresh_caches
    echo "AutoGLM Desktop was removed (your conversations, settings and models are kept)."
    exit 0
fi
if [ -n "${1:-}" ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi
if [ ! -x "$here/autoglm" ]; then
    echo "install.sh: run me from the unpacked AutoGLM Desktop folder (autoglm is missing here)." >&2
    exit 1
fi

# Copy next to the old install first, then swap, so a failed copy leaves the old one working.
mkdir -p "$prefix/lib" "$prefix/bin" "$(dirname "$desktop_file")" "$(dirname "$icon_file")"
if [ "$here" != "$app_dir" ]; then
    rm -rf "$app_dir.new"
    cp -a "$here" "$app_dir.new"
    rm -rf "$app_dir"
    mv "$app_dir.new" "$app_dir"
fi
ln -sfn "$app_dir/autoglm" "$bin_link"
sed -e "s|^Exec=.*|Exec=\"$app_dir/autoglm\" gui|" -e "s|^TryExec=.*|TryExec=$app_dir/autoglm|" \
    "$app_dir/autoglm-desktop.desktop" > "$desktop_file"
cp "$app_dir/autoglm-desktop.svg" "$icon_file"
refresh_caches

echo "AutoGLM Desktop $("$app_dir/autoglm" --version | sed 's/^AutoGLM Desktop //') is installed:"
echo "  find it in your applications menu, or run: $bin_link"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "  ($prefix/bin is not on your PATH; add it to run 'autoglm' by name.)" ;;
esac
# The few system libraries the bundle does not carry (present on most desktops).
missing=""
for lib in libportaudio.so.2 libxcb-cursor.so.0 libEGL.so.1 libfontconfig.so.1; do
    if command -v ldconfig >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
        missing="$missing $lib"
    fi
done
if [ -n "$missing" ]; then
    echo "  Note: these system libraries were not found:$missing"
    echo "  On Debian/Ubuntu: sudo apt-get install libportaudio2 libxcb-cursor0 libegl1 libfontconfig1"
fi
