#!/usr/bin/env bash
# How long the packaged app takes from exec to a visible main window, under X.
#
#   packaging/linux/time_to_window.sh PATH/TO/autoglm [TIMEOUT_S]
#
# Uses $DISPLAY when set; otherwise starts a private Xvfb for the measurement. The app
# runs with AUTOGLM_HOME in a fresh temporary folder (so nothing of the user's is touched)
# and is polled with `xdotool search --onlyvisible --name '^AutoGLM Desktop'` every 20 ms (the
# hidden "Qt Selection Owner for autoglm" window must not count); the window
# counts from the first match. Prints `window_s=<seconds>` and exits 0, or exits 1 if no
# window appeared within TIMEOUT_S (default 60).
set -euo pipefail
binary=${1:?usage: time_to_window.sh PATH/TO/autoglm [TIMEOUT_S]}
timeout_s=${2:-60}
command -v xdotool >/dev/null || { echo "time_to_window.sh: xdotool is needed (apt-get install xdotool)" >&2; exit 2; }

scratch=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
    if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
    if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT

if [ -z "${DISPLAY:-}" ]; then
    for n in $(seq 90 140); do
        if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then
            Xvfb ":$n" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
            xvfb_pid=$!
            export DISPLAY=":$n"
            break
        fi
    done
    for _ in $(seq 600); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.05; done
    xdotool getdisplaygeometry >/dev/null 2>&1 || { echo "time_to_window.sh: Xvfb on $DISPLAY did not start" >&2; exit 1; }
fi

start=$(date +%s%N)
AUTOGLM_HOME="$scratch/home" QT_QPA_PLATFORM=xcb "$binary" gui >"$scratch/app.log" 2>&1 &
app_pid=$!
while :; do
    if xdotool search --onlyvisible --name '^AutoGLM Desktop' >/dev/null 2>&1; then
        elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
        printf 'window_s=%d.%03d\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000))
        exit 0
    fi
    if ! kill -0 "$app_pid" 2>/dev/null; then
        echo "time_to_window.sh: the app exited before showing a window:" >&2
        tail -n 20 "$scratch/app.log" >&2
        exit 1
    fi
    if [ $(( $(date +%s%N) - start )) -gt $(( timeout_s * 1000000000 )) ]; then
        echo "time_to_window.sh: no window within ${timeout_s} s" >&2
        exit 1
    fi
    sleep 0.02
done
