#!/usr/bin/env bash
# Installs everything voice-coach needs on Debian / Raspberry Pi OS (Bookworm or newer):
# the system packages, a Python virtual environment in .venv and the package itself.
#   ./install.sh                  the voice coach
#   ./install.sh --piper          also Piper (piper-tts, GPL, an optional extra in its own process)
#                                 and its natural Dutch voice, verified (size, MD5), which then speaks
#   ./install.sh --piper-voice ID the same with another voice of `voice-coach voices`, set as the voice
#   ./install.sh --test           the voice coach plus what the test suite needs
#   ./install.sh --offline DIR    without internet, from a bundle made by tools/offline-bundle.sh
#                                 (Debian packages, Python wheels, Piper, the model zip, Piper voices)
#   ./install.sh --dry-run        say what would be done, change nothing
#   ./install.sh --check          check the options (and the bundle) only
# As root with VOICE_COACH_USER=NAME (systemd/install-pi.sh does this), the model and voice
# downloads and the speech rendering run as that user: root never works inside a folder the
# service user owns. VOICE_COACH_CONFIG=FILE: the config those commands read (the service's).
set -euo pipefail
cd "$(dirname "$0")"

usage="use --piper, --piper-voice ID, --test, --offline DIR, --dry-run or --check"
with_tests=false offline="" piper=false piper_voice="" dry_run=false check_only=false
while [ $# -gt 0 ]; do
    case "$1" in
        --test) with_tests=true; shift ;;
        --offline) offline=$(cd "${2:?--offline needs the bundle folder}" && pwd); shift 2 ;;
        --piper) piper=true; shift ;;
        --piper-voice) piper=true piper_voice=${2:?--piper-voice needs a voice id (voice-coach voices lists them)}; shift 2 ;;
        --dry-run) dry_run=true; shift ;;
        --check) check_only=true; shift ;;
        *) echo "install.sh: unknown option $1 ($usage)" >&2; exit 2 ;;
    esac
done
catalogue=voice_coach/data/voices/piper-dutch.tsv
if [ -n "$piper_voice" ] && ! grep -v '^#' "$catalogue" | cut -f1 | grep -qxF -- "$piper_voice"; then
    echo "install.sh: no Dutch Piper voice called $piper_voice; the voices are: $(grep -v '^#' "$catalogue" | cut -f1 | tr '\n' ' ')" >&2
    exit 2
fi
# Nothing of a bundle is installed (its .debs go to dpkg as root) unless all of it is as it was made.
[ -z "$offline" ] || tools/bundle-sums.sh check "$offline"
! $check_only || exit 0

run() {  # every step that changes something: shown instead of done with --dry-run
    if $dry_run; then echo "would run: $*"; else "$@"; fi
}
warn() { echo "warning: $*" >&2; }

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
    run $sudo dpkg -i "${debs[@]}"
elif [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    # At a Pi's first boot the automatic updates often hold apt's lock: wait for it.
    lock_wait=(-o DPkg::Lock::Timeout=900)
    if fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1; then
        echo "Another package installation is running; waiting for it to finish (up to 15 minutes)..."
    fi
    run $sudo apt-get "${lock_wait[@]}" update -q
    run $sudo env DEBIAN_FRONTEND=noninteractive apt-get "${lock_wait[@]}" install -y -q "${missing[@]}"
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "voice-coach needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 1; }
[ -x .venv/bin/python ] || run "$python" -m venv .venv
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
if [ -n "$offline" ]; then
    pip+=(--no-index --find-links "$offline/wheels")
    run "${pip[@]}" --require-hashes -r "$offline/requirements.txt"  # every wheel pinned to its hash
else
    run "${pip[@]}" --upgrade pip
fi
if $with_tests; then
    run "${pip[@]}" -e '.[test]'
    run tools/fetch-mbrola.sh  # MBROLA for its tests, through a private sources list
else
    run "${pip[@]}" -e .
fi
# Piper is GPL: an extra of its own, never imported by the coach (it renders in its own process).
# Without it the coach speaks with MBROLA nl2 (or espeak-ng): a failure here only warns.
if $piper && ! $with_tests; then
    if [ -z "$offline" ]; then
        run "${pip[@]}" -e '.[piper]' || { warn "Piper could not be installed; the coach speaks with MBROLA or espeak-ng"; piper=false; }
    elif [ -f "$offline/piper/requirements.txt" ]; then
        run "${pip[@]}" --find-links "$offline/piper" --require-hashes -r "$offline/piper/requirements.txt"
    else
        warn "the bundle carries no Piper (make it with tools/offline-bundle.sh --piper); the coach speaks with MBROLA or espeak-ng"
        piper=false
    fi
fi
if ! $with_tests; then
    as_user=()
    if [ -n "${VOICE_COACH_USER:-}" ] && [ "$(id -u)" -eq 0 ]; then
        as_user=(runuser -u "$VOICE_COACH_USER" -- env STATE_DIRECTORY="${STATE_DIRECTORY:-}" CACHE_DIRECTORY="${CACHE_DIRECTORY:-}")
    fi
    config=()
    [ -z "${VOICE_COACH_CONFIG:-}" ] || config=(--config "$VOICE_COACH_CONFIG")
    coach=("${as_user[@]}" "$(pwd)/.venv/bin/voice-coach" "${config[@]}")
    # The Dutch speech model (39 MB) comes from the Vosk site, or from the bundle; every file is verified.
    model_from=()
    if [ -n "$offline" ]; then
        for zip in "$offline"/model/*.zip; do [ -e "$zip" ] && model_from=(--from "$zip"); done
    fi
    if ! $dry_run && "${coach[@]}" model verify >/dev/null 2>&1; then
        :
    elif [ -n "$offline" ] && [ ${#model_from[@]} -eq 0 ]; then
        warn "the bundle has no model zip, so the coach cannot listen yet; later: ${coach[*]} model download --from ZIP"
    else
        run "${coach[@]}" model download "${model_from[@]}" \
            || warn "no speech model yet, so the coach cannot listen; retry: ${coach[*]} model download (or --from a zip you carried over)"
    fi
    if [ -n "$offline" ]; then
        for onnx in "$offline"/voices/*.onnx; do
            [ -e "$onnx" ] && run "${coach[@]}" voice download "$(basename "$onnx" .onnx)" --from "$offline/voices"
        done
    elif $piper; then
        # The natural Dutch voice (about 63 MB from rhasspy/piper-voices), verified against the
        # catalogue's size and MD5; without a name, the one voice-coach chooses (voices.py).
        run "${coach[@]}" voice download ${piper_voice:+"$piper_voice"} \
            || warn "the Piper voice could not be downloaded; the coach speaks with MBROLA or espeak-ng; retry: ${coach[*]} voice download $piper_voice"
    fi
    # A voice asked for by name is set in the config (by whoever owns it: root for the service).
    if $piper && [ -n "$piper_voice" ]; then run "$(pwd)/.venv/bin/voice-coach" "${config[@]}" config set voice "$piper_voice"; fi
    # Every sentence rendered once by the voice that will speak, so no sentence is synthesized during an exercise.
    run "${coach[@]}" prerender
fi
if $dry_run; then echo "a dry run: nothing was changed"; else echo "voice-coach installed in $(pwd)/.venv"; fi
