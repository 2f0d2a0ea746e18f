#!/usr/bin/env bash
# Gathers, on a machine with internet, everything a Pi without internet needs to install
# voice-coach, into one folder to carry over (a USB stick):
#   wheels/  voice-coach's own wheel and every Python package it needs, for the Pi's architecture
#   piper/   Piper (piper-tts, GPL) and the packages it needs, when asked for (--piper)
#   debs/    the Debian packages install.sh would fetch (espeak-ng, PortAudio, libspeexdsp1, libatomic1, ...)
#   model/   the Dutch speech model zip, when given (--model)
#   voices/  Piper voice files (NAME.onnx and NAME.onnx.json), when given (--voice)
#   SHA256SUMS and requirements.txt (each wheel pinned to its hash), from tools/bundle-sums.sh
# Then, on the Pi, from the checkout:  sudo ./systemd/install-pi.sh --offline /media/usb/bundle
#
# Usage: tools/offline-bundle.sh OUT [--arch arm64|amd64] [--python 3.11] [--model ZIP]
#                                [--piper] [--voice FILE.onnx]... [--no-debs] [--tests]
#   --arch     the Pi's Debian architecture [default: arm64]
#   --python   the Pi's Python version [default: 3.11, as on Raspberry Pi OS Bookworm]
#   --piper    also Piper, so that install.sh --piper (install-pi.sh's default) installs it offline
#   --tests    also the test suite's Python packages (pytest, hypothesis), for the CI's Pi check
#   --no-debs  leave out the Debian packages
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: offline-bundle.sh OUT [--arch arm64|amd64] [--python 3.11] [--model ZIP] [--piper] [--voice FILE.onnx]... [--no-debs] [--tests]}
shift
arch=arm64 python_version=3.11 model="" debs=true tests=false piper=false voices=()
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch=${2:?--arch needs arm64 or amd64}; shift 2 ;;
        --python) python_version=${2:?--python needs a version such as 3.11}; shift 2 ;;
        --model) model=${2:?--model needs the model zip}; shift 2 ;;
        --voice) voices+=("${2:?--voice needs a .onnx file}"); shift 2 ;;
        --no-debs) debs=false; shift ;;
        --piper) piper=true; shift ;;
        --tests) tests=true; shift ;;
        *) echo "offline-bundle: unknown option $1" >&2; exit 2 ;;
    esac
done
case "$arch" in
    arm64) platforms=(manylinux2014_aarch64 manylinux_2_17_aarch64 manylinux_2_28_aarch64) ;;
    amd64) platforms=(manylinux2014_x86_64 manylinux_2_17_x86_64 manylinux_2_28_x86_64) ;;
    *) echo "offline-bundle: --arch must be arm64 or amd64, not $arch" >&2; exit 2 ;;
esac
[ -z "$model" ] || [ -f "$model" ] || { echo "offline-bundle: no model zip at $model" >&2; exit 2; }
for voice in "${voices[@]}"; do
    [ -f "$voice" ] && [ -f "$voice.json" ] || { echo "offline-bundle: $voice needs $voice.json beside it" >&2; exit 2; }
done
python=${PYTHON:-python3}
mkdir -p "$out/wheels"

# voice-coach's own wheel (pure Python), and the pure-Python ones that PyPI has only as source
# (vosk needs srt), built here; every other package as the target's binary wheel.
"$python" -m pip wheel -q --disable-pip-version-check --no-deps -w "$out/wheels" "$repo" srt
requirements() {  # $1: main, tests or piper: the requirements of pyproject.toml for that part, one a line
    "$python" - "$repo/pyproject.toml" "$1" <<'EOF'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
part = sys.argv[2]
if part == "main":
    wanted = project["dependencies"]
elif part == "tests":
    wanted = [r for r in project["optional-dependencies"]["test"] if r.split(">")[0].split("=")[0] in ("pytest", "hypothesis")]
else:
    wanted = project["optional-dependencies"]["piper"]
print("\n".join(wanted))
EOF
}
platform_options=()
for p in "${platforms[@]}"; do platform_options+=(--platform "$p"); done
binaries() {  # $1: the folder, then the requirements: the target's binary wheels of them and all they need
    local folder=$1
    shift
    "$python" -m pip download -q --disable-pip-version-check --only-binary=:all: "${platform_options[@]}" \
        --python-version "$python_version" --implementation cp --find-links "$out/wheels" -d "$folder" "$@"
}
mapfile -t wanted < <(requirements main; ! $tests || requirements tests)
binaries "$out/wheels" "${wanted[@]}"
if $piper; then
    # Apart, so that install.sh installs Piper only when asked to (it is GPL, an optional extra).
    mkdir -p "$out/piper"
    mapfile -t wanted < <(requirements piper)
    binaries "$out/piper" "${wanted[@]}"
fi
# setuptools lets install.sh build the checkout itself (pip install -e .) without an index.
"$python" -m pip download -q --disable-pip-version-check --no-deps -d "$out/wheels" "setuptools>=77"

if $debs; then
    # The packages install.sh needs, with their dependencies, from Debian's own archive for the
    # target architecture (a private apt state: the system's lists are not touched).
    state=$(mktemp -d)
    trap 'rm -rf "$state"' EXIT
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$out/debs"
    apt_arch=(-o APT::Architecture="$arch" -o APT::Architectures="$arch" -o Dir::State::Lists="$state/lists"
              -o Dir::Cache="$state/cache" -o Dir::State::Status=/dev/null)
    apt-get -q "${apt_arch[@]}" update >/dev/null
    wanted=(espeak-ng libportaudio2 libspeexdsp1 libatomic1 python3-venv)
    mapfile -t closure < <(apt-cache "${apt_arch[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances "${wanted[@]}" | grep '^\w' | grep -v -x -E 'debconf-2.0|perlapi|awk' | sort -u)
    (cd "$out/debs" && apt-get -q "${apt_arch[@]}" download "${closure[@]}" >/dev/null 2>&1 || true)
    for package in "${wanted[@]}"; do
        ls "$out/debs/${package}_"*.deb >/dev/null 2>&1 || { echo "offline-bundle: could not download $package for $arch" >&2; exit 1; }
    done
fi
if [ -n "$model" ]; then mkdir -p "$out/model" && cp "$model" "$out/model/"; fi
if [ ${#voices[@]} -gt 0 ]; then
    mkdir -p "$out/voices"
    for voice in "${voices[@]}"; do cp "$voice" "$voice.json" "$out/voices/"; done
fi
PYTHON=$python "$repo/tools/bundle-sums.sh" write "$out"  # checked by install.sh before anything is installed
echo "offline bundle for $arch (Python $python_version) in $out: $(ls "$out/wheels" | wc -l) wheels$($piper && echo ", Piper"; $debs && echo ", $(ls "$out/debs" | wc -l) Debian packages")"
