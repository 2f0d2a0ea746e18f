#!/usr/bin/env bash
# One command on a Raspberry Pi (or any Debian box): installs voice-coach as a
# system service that starts at boot, with nobody logged in.
#   sudo ./systemd/install-pi.sh                  with internet
#   sudo ./systemd/install-pi.sh --offline DIR    without: from a bundle (tools/offline-bundle.sh)
# It copies this checkout to /opt/voice-coach (as root's own files), creates the system user
# voice-coach (in the audio group), installs the packages and the Python
# environment, downloads and verifies the Dutch model into /var/lib/voice-coach,
# renders all speech into /var/cache/voice-coach, offers the sound cards it finds
# for the speaker and microphone, puts `voice-coach` on PATH, installs the unit
# and starts it.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo "$0" "$@"
source_dir=$(cd "$(dirname "$0")/.." && pwd)
target=/opt/voice-coach
install_options=()
case "${1:-}" in
    --offline) install_options=(--offline "$(cd "${2:?--offline needs the bundle folder}" && pwd)") ;;
    "") ;;
    *) echo "install-pi.sh: unknown option $1 (use --offline DIR)" >&2; exit 2 ;;
esac
[ ${#install_options[@]} -eq 0 ] || "$source_dir/tools/bundle-sums.sh" check "${install_options[1]}"  # before anything changes

"$source_dir/systemd/copy-tree.sh" "$source_dir" "$target"  # root's own copy: the checkout's owner cannot change it
id voice-coach >/dev/null 2>&1 \
    || useradd --system --user-group --home-dir /var/lib/voice-coach --shell /usr/sbin/nologin voice-coach
usermod -a -G audio voice-coach
install -d -m 0700 -o voice-coach -g voice-coach /var/lib/voice-coach /var/cache/voice-coach
install -d -m 0755 /etc/voice-coach
[ -f /etc/voice-coach/config.toml ] || install -m 0644 "$target/docs/config.example.toml" /etc/voice-coach/config.toml

# Model and speech go where the service looks (its StateDirectory and CacheDirectory),
# written by the service user itself: root never works inside a folder that user owns.
VOICE_COACH_USER=voice-coach STATE_DIRECTORY=/var/lib/voice-coach CACHE_DIRECTORY=/var/cache/voice-coach "$target/install.sh" "${install_options[@]}"
ln -sfn "$target/.venv/bin/voice-coach" /usr/local/bin/voice-coach
install -d -m 0755 /etc/voice-coach/scripts  # the coach's own exercises (docs/OWN_SCRIPTS.md)

# The service cannot use a desktop's sound server (PipeWire or PulseAudio): offer the cards by name.
coach=(/usr/local/bin/voice-coach --config /etc/voice-coach/config.toml)
choose_card() {  # $1: speaker or microphone, $2: output or input
    local key=$1 kind=$2 cards=() choice
    grep -Eq "^[[:space:]]*$key[[:space:]]*=" /etc/voice-coach/config.toml && return 0  # already chosen
    mapfile -t cards < <("${coach[@]}" devices --plain | sed -n "s/^$kind //p")
    [ ${#cards[@]} -gt 0 ] || { echo "No sound card found for the $key; plug one in, then: voice-coach devices" >&2; return 0; }
    if [ ${#cards[@]} -eq 1 ]; then
        choice=1
    elif [ ! -t 0 ]; then
        echo "Several cards can be the $key; choose one: sudo voice-coach --config /etc/voice-coach/config.toml config set $key NAME" >&2
        return 0
    else
        echo "Which card is the $key?"
        for i in "${!cards[@]}"; do echo "  $((i + 1))) ${cards[$i]}"; done
        read -r -p "Number [1]: " choice
        [[ "$choice" =~ ^[0-9]+$ ]] && [ "$choice" -ge 1 ] && [ "$choice" -le ${#cards[@]} ] || choice=1
    fi
    "${coach[@]}" config set "$key" "${cards[$((choice - 1))]}"
}
choose_card speaker output
choose_card microphone input
"${coach[@]}" devices

install -m 0644 "$target/systemd/voice-coach.service" /etc/systemd/system/voice-coach.service
systemctl daemon-reload
systemctl enable --now voice-coach.service
echo "voice-coach is running: say \"start ademoefening\". Status: systemctl status voice-coach"
