#!/usr/bin/env bash
# Installs everything voice-coach needs on Debian / Raspberry Pi OS (Bookworm or newer):
# the system packages, a Python virtual environment in .venv and the package itself.
#   ./install.sh                the voice coach
#   ./install.sh --test         the voice coach plus what the test suite needs
#   ./install.sh --offline DIR  without internet, from a bundle made by tools/offline-bundle.sh
#                               (Debian packages, Python wheels, the model zip, Piper voices)
# As root with VOICE_COACH_USER=NAME (systemd/install-pi.sh does this), the model
# download and the speech rendering run as that user: root never works inside a
# folder the service user owns.
set -euo pipefail
cd "$(dirname "$0")"

with_tests=false offline=""
while [ $# -gt 0 ]; do
    case "$1" in
        --test) with_tests=true; shift ;;
        --offline) offline=$(cd "${2:?--offline needs the bundle folder}" && pwd); shift 2 ;;
        *) echo "install.sh: unknown option $1 (use --test or --offline DIR)" >&2; exit 2 ;;
    esac
done
# Nothing of a bundle is installed (its .debs go to dpkg as root) unless all of it is as it was made.
[ -z "$offline" ] || tools/bundle-sums.sh check "$offline"

# espeak-ng: the Dutch voice; libportaudio2: audio in and out; libspeexdsp1: the echo
# canceller that lets the coach hear "stop" over its own voice; libatomic1: needed by
# vosk's libvosk.so on arm64 (a Pi); python3-venv: the virtual environment.
packages=(espeak-ng libportaudio2 libspeexdsp1 libatomic1 python3 python3-venv)
$with_tests && packages+=(sox)
# MBROLA's Dutch voice (clearer than espeak-ng) where the system's own apt sources
# offer it (Raspberry Pi OS enables contrib and non-free); the sources are never changed.
if apt-cache show mbrola-nl2 >/dev/null 2>&1; then packages+=(mbrola mbrola-nl2); fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if [ ${#missing[@]} -gt 0 ] && [ -n "$offline" ]; then
    # Only the bundle's packages that are not installed yet: nothing installed is downgraded.
    debs=()
    for deb in "$offline"/debs/*.deb; do
        [ -e "$deb" ] || break
        installed "$(dpkg-deb -f "$deb" Package)" || debs+=("$deb")
    done
    [ ${#debs[@]} -gt 0 ] || { echo "install.sh: $offline/debs lacks ${missing[*]}; make the bundle again without --no-debs" >&2; exit 1; }
    echo "Installing ${#debs[@]} Debian packages from $offline/debs"
    $sudo dpkg -i "${debs[@]}"
elif [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    # At a Pi's first boot the automatic updates often hold apt's lock: wait for it.
    lock_wait=(-o DPkg::Lock::Timeout=900)
    if fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1; then
        echo "Another package installation is running; waiting for it to finish (up to 15 minutes)..."
    fi
    $sudo apt-get "${lock_wait[@]}" update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock_wait[@]}" install -y -q "${missing[@]}"
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "voice-coach needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
if [ -n "$offline" ]; then
    pip+=(--no-index --find-links "$offline/wheels")
    "${pip[@]}" --require-hashes -r "$offline/requirements.txt"  # every wheel pinned to its hash
else
    "${pip[@]}" --upgrade pip
fi
if $with_tests; then
    "${pip[@]}" -e '.[test]'
    tools/fetch-mbrola.sh  # MBROLA for its tests, through a private sources list
else
    "${pip[@]}" -e .
fi
if ! $with_tests; then
    as_user=()
    if [ -n "${VOICE_COACH_USER:-}" ] && [ "$(id -u)" -eq 0 ]; then
        as_user=(runuser -u "$VOICE_COACH_USER" -- env STATE_DIRECTORY="${STATE_DIRECTORY:-}" CACHE_DIRECTORY="${CACHE_DIRECTORY:-}")
    fi
    coach=("${as_user[@]}" "$(pwd)/.venv/bin/voice-coach")
    # The Dutch speech model (39 MB) comes from the Vosk site, or from the bundle; every file is verified.
    model_from=()
    if [ -n "$offline" ]; then
        for zip in "$offline"/model/*.zip; do [ -e "$zip" ] && model_from=(--from "$zip"); done
    fi
    if "${coach[@]}" model verify >/dev/null 2>&1; then
        :
    elif [ -n "$offline" ] && [ ${#model_from[@]} -eq 0 ]; then
        echo "warning: the bundle has no model zip, so the coach cannot listen yet; later: ${coach[*]} model download --from ZIP" >&2
    else
        "${coach[@]}" model download "${model_from[@]}" \
            || echo "warning: no speech model yet, so the coach cannot listen; retry: ${coach[*]} model download (or --from a zip you carried over)" >&2
    fi
    if [ -n "$offline" ]; then
        for onnx in "$offline"/voices/*.onnx; do
            [ -e "$onnx" ] && "${coach[@]}" voice download "$(basename "$onnx" .onnx)" --from "$offline/voices"
        done
    fi
    "${coach[@]}" prerender  # every sentence rendered once, so speaking starts at once
fi
echo "voice-coach installed in $(pwd)/.venv"
