#!/usr/bin/env bash
# One command on a Raspberry Pi (or any Debian box): installs voice-coach as a
# system service that starts at boot, with nobody logged in.
#   sudo ./systemd/install-pi.sh
# It copies this checkout to /opt/voice-coach, creates the system user
# voice-coach (in the audio group), installs the packages and the Python
# environment, downloads and verifies the Dutch model into /var/lib/voice-coach,
# renders all speech into /var/cache/voice-coach, installs the unit and starts it.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo "$0" "$@"
source_dir=$(cd "$(dirname "$0")/.." && pwd)
target=/opt/voice-coach

if [ "$source_dir" != "$target" ]; then
    mkdir -p "$target"
    cp -a "$source_dir"/. "$target"/
    rm -rf "$target/.venv"  # a venv does not survive being moved
fi
id voice-coach >/dev/null 2>&1 \
    || useradd --system --user-group --home-dir /var/lib/voice-coach --shell /usr/sbin/nologin voice-coach
usermod -a -G audio voice-coach
install -d -m 0700 -o voice-coach -g voice-coach /var/lib/voice-coach /var/cache/voice-coach
install -d -m 0755 /etc/voice-coach
[ -f /etc/voice-coach/config.toml ] || install -m 0644 "$target/docs/config.example.toml" /etc/voice-coach/config.toml

# Model and speech go where the service looks (its StateDirectory and CacheDirectory),
# written by the service user itself: root never works inside a folder that user owns.
VOICE_COACH_USER=voice-coach STATE_DIRECTORY=/var/lib/voice-coach CACHE_DIRECTORY=/var/cache/voice-coach "$target/install.sh"

install -m 0644 "$target/systemd/voice-coach.service" /etc/systemd/system/voice-coach.service
systemctl daemon-reload
systemctl enable --now voice-coach.service
echo "voice-coach is running: say \"start ademoefening\". Status: systemctl status voice-coach"
