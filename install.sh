#!/usr/bin/env bash
# Installs everything voice-coach needs on Debian / Raspberry Pi OS (Bookworm or newer):
# the system packages, a Python virtual environment in .venv and the package itself.
#   ./install.sh          the voice coach
#   ./install.sh --test   the voice coach plus what the test suite needs
set -euo pipefail
cd "$(dirname "$0")"

with_tests=false
[ "${1:-}" = "--test" ] && with_tests=true

# espeak-ng: the Dutch voice; libportaudio2: audio in and out; libatomic1: needed by
# vosk's libvosk.so on arm64 (a Pi); python3-venv: the virtual environment.
packages=(espeak-ng libportaudio2 libatomic1 python3 python3-venv)
$with_tests && packages+=(sox)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "voice-coach needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
if $with_tests; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
else
    .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
if ! $with_tests; then
    # The Dutch speech model (39 MB) comes from the Vosk site; every file is verified.
    if ! .venv/bin/voice-coach model verify >/dev/null 2>&1; then
        .venv/bin/voice-coach model download \
            || echo "warning: no speech model yet, so the coach cannot listen; retry: .venv/bin/voice-coach model download" >&2
    fi
    .venv/bin/voice-coach prerender  # every sentence rendered once, so speaking starts at once
fi
echo "voice-coach installed in $(pwd)/.venv"
