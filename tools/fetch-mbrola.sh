#!/usr/bin/env bash
# For the test suite: installs MBROLA and its Dutch voices (Debian contrib and
# non-free) through a private apt sources list, without touching the system's
# sources. Exits 0 without installing when that is impossible (not root, no
# Debian apt, no network); the MBROLA tests then skip and say why.
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "fetch-mbrola: not root, MBROLA not installed" >&2; exit 0; }
command -v apt-get >/dev/null || { echo "fetch-mbrola: no apt-get" >&2; exit 0; }
if dpkg-query -W -f='${Status}' mbrola-nl2 2>/dev/null | grep -q "install ok installed"; then exit 0; fi
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || { echo "fetch-mbrola: no Debian archive keyring" >&2; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
echo "deb [signed-by=$keyring] http://deb.debian.org/debian $codename contrib non-free" > "$work/sources.list"
apt_private=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$work/lists" -o DPkg::Lock::Timeout=900)
if apt-get -q "${apt_private[@]}" update >/dev/null \
    && DEBIAN_FRONTEND=noninteractive apt-get -q -y "${apt_private[@]}" install mbrola mbrola-nl2 mbrola-nl3 >/dev/null; then
    echo "fetch-mbrola: mbrola, mbrola-nl2 and mbrola-nl3 installed"
else
    echo "fetch-mbrola: could not fetch MBROLA (offline?); its tests will skip" >&2
fi
exit 0
