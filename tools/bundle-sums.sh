#!/usr/bin/env bash
# The offline bundle's SHA256SUMS: written when the bundle is made, checked before anything of
# it is installed (every .deb goes to dpkg -i as root, every wheel into the environment).
#   tools/bundle-sums.sh write DIR   hash every file of debs/ wheels/ piper/ model/ voices/, and pin
#                                    each wheel with its hash (pip --require-hashes): those of wheels/
#                                    in DIR/requirements.txt, Piper's in DIR/piper/requirements.txt
#   tools/bundle-sums.sh check DIR   stop (exit 1) unless every such file is listed and unchanged
set -euo pipefail
mode=${1:-} dir=${2:?usage: bundle-sums.sh write|check DIR}
cd "$dir"
folders=()
for folder in debs wheels piper model voices; do [ -d "$folder" ] && folders+=("$folder"); done
fail() { echo "install: the offline bundle $dir $1; make it again with tools/offline-bundle.sh and carry it over" >&2; exit 1; }

bundle_files() {  # every plain file that is installed from the bundle, one per line, sorted
    [ ${#folders[@]} -eq 0 ] || find "${folders[@]}" -type f -print | LC_ALL=C sort
}
case "$mode" in
    write)
        pins() {  # $1: a folder of wheels
            "${PYTHON:-python3}" - "$1" <<'PY'
import collections, hashlib, pathlib, sys
pins = collections.defaultdict(list)
for wheel in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    name, version = wheel.name.split("-")[:2]
    if name.lower().replace("_", "-") != "voice-coach":  # installed from the checkout itself
        pins[f"{name}=={version}"].append(hashlib.sha256(wheel.read_bytes()).hexdigest())
for pin, hashes in pins.items():
    print(pin, *(f"--hash=sha256:{digest}" for digest in hashes))
PY
        }
        pins wheels > requirements.txt
        [ ! -d piper ] || pins piper > piper/requirements.txt
        { bundle_files; echo requirements.txt; } | while IFS= read -r file; do sha256sum -- "$file"; done > SHA256SUMS
        ;;
    check)
        [ -f SHA256SUMS ] || fail "has no SHA256SUMS"
        strange=$([ ${#folders[@]} -eq 0 ] || find "${folders[@]}" ! -type f ! -type d -print)
        [ -z "$strange" ] || fail "holds what is not a plain file (a link, FIFO or device): $(echo $strange)"
        unlisted=$(LC_ALL=C comm -23 <(bundle_files) <(sed 's/^[0-9a-f]*  //' SHA256SUMS | LC_ALL=C sort))
        [ -z "$unlisted" ] || fail "holds files that are not in its SHA256SUMS: $(echo $unlisted)"
        changed=$(sha256sum --quiet --strict -c SHA256SUMS 2>&1) || fail "was changed since it was made: $(echo $changed)"
        ;;
    *) echo "usage: bundle-sums.sh write|check DIR" >&2; exit 2 ;;
esac
