#!/bin/sh
# The Debian/Ubuntu system packages PromptCut needs beyond its Python wheels, installed when missing.
#
#   Qt's X11 (xcb) platform plugin: without libxcb-icccm4 and libxcb-keysyms1 Qt aborts at start-up with a
#     message that names libxcb-cursor0 instead; the rest are what a minimal image lacks besides those.
#   xvfb, xauth: a real X server for screenshots and real-window tests on a machine without a display.
#   pulseaudio, pulseaudio-utils: a sound server (with a null sink) for the audio tests; libpulse0, which comes
#     with them, is what miniaudio plays through at run time.
#   libfribidi0: Pillow's wheels carry raqm (text shaping) but load FriBiDi from the system; without it titles
#     in Arabic or Hebrew come out unjoined and in the wrong order (editor.render.text.shaping_available()).
#   python3-venv, only where $PYTHON (default python3) cannot make a virtual environment.
#
# Run by `make` before the pip install. Fast when everything is there (one dpkg-query, no network); apt-get
# update only runs when something is missing. Never fails the build: on a system without apt-get, or when the
# install is refused (no root, no sudo, no network), it says what to install and exits 0.
#
# PROMPTCUT_SYSTEM_PACKAGES=skip skips it (for machines whose packages are managed some other way).

set -u

QT_XCB="libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-shape0 libxcb-render-util0
libxcb-image0 libegl1 libgl1 libfontconfig1 libdbus-1-3"
X_SERVER="xvfb xauth"
AUDIO="pulseaudio pulseaudio-utils"
TEXT="libfribidi0"

say() { echo "system-packages: $*" >&2; }

if [ "${PROMPTCUT_SYSTEM_PACKAGES:-}" = "skip" ]; then
    exit 0
fi

if [ "$(uname -s)" != "Linux" ]; then
    exit 0   # macOS and Windows: Qt's wheels bring what they need
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    say "not a Debian/Ubuntu system; if the editor window or sound does not work, install your distribution's"
    say "packages for: $(echo $QT_XCB $X_SERVER) libpulse fribidi (and a sound server), then run: promptcut doctor"
    exit 0
fi

# PipeWire desktops (Ubuntu 22.10+, Debian 12 GNOME) serve PulseAudio clients through pipewire-pulse, which
# conflicts with the pulseaudio package: installing that would take the desktop's sound server away.
installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q " ok installed$"
}
if installed pipewire-pulse; then
    AUDIO="pulseaudio-utils"
fi

# Debian's python3 comes without venv/ensurepip: `make` could not even create .venv.
VENV_SUPPORT=""
PY="${PYTHON:-python3}"
if command -v "$PY" >/dev/null 2>&1 && ! "$PY" -c "import ensurepip, venv" >/dev/null 2>&1; then
    VENV_SUPPORT="python3-venv"
fi

WANTED=$(echo $QT_XCB $X_SERVER $AUDIO $TEXT $VENV_SUPPORT)

# One dpkg-query for all of them: the common case (nothing missing) costs a few milliseconds.
PRESENT=$(dpkg-query -W -f='${Package} ${Status}\n' $WANTED 2>/dev/null | awk '/ ok installed$/ {print $1}')
MISSING=""
for package in $WANTED; do
    case " $(echo $PRESENT) " in
        *" $package "*) ;;
        *) MISSING="$MISSING $package" ;;
    esac
done
MISSING=$(echo $MISSING)
if [ -z "$MISSING" ]; then
    exit 0
fi

if [ "$(id -u)" = "0" ]; then
    AS_ROOT=""
elif command -v sudo >/dev/null 2>&1; then
    # Ask for a password only where someone can type it; in CI and other non-interactive runs sudo must not hang.
    if [ -t 0 ]; then AS_ROOT="sudo"; else AS_ROOT="sudo -n"; fi
else
    say "missing: $MISSING"
    say "install them as root: apt-get install $MISSING"
    exit 0
fi

say "installing: $MISSING"
if $AS_ROOT env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    && $AS_ROOT env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $MISSING >/dev/null
then
    say "installed: $MISSING"
else
    say "could not install them; please run: sudo apt-get install $MISSING"
    say "(make goes on; the editor window or sound may not work until then: promptcut doctor tells)"
fi
exit 0
