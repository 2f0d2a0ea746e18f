#!/usr/bin/env bash
# One command on a Raspberry Pi (or any Debian box): installs voice-coach as a
# system service that starts at boot, with nobody logged in.
#   sudo ./systemd/install-pi.sh                     with internet
#   sudo ./systemd/install-pi.sh --offline DIR       without: from a bundle (tools/offline-bundle.sh)
#   sudo ./systemd/install-pi.sh --no-piper          without Piper: MBROLA nl2 (or espeak-ng) speaks
#   sudo ./systemd/install-pi.sh --piper-voice ID    another Piper voice than voice-coach's choice
#   ./systemd/install-pi.sh --dry-run                say what would be done, change nothing
# It copies this checkout to /opt/voice-coach (as root's own files), creates the system user
# voice-coach (in the audio group), installs the packages and the Python environment, Piper
# (piper-tts, GPL: an optional extra in a process of its own) with its natural Dutch voice
# (verified: size and MD5), downloads and verifies the Dutch model into /var/lib/voice-coach,
# renders all speech with that voice into /var/cache/voice-coach, offers the sound cards it
# finds for the speaker and microphone, puts `voice-coach` on PATH, installs the unit and starts it.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
target=/opt/voice-coach
install_options=() piper_options=(--piper) dry_run=false
while [ $# -gt 0 ]; do
    case "$1" in
        --offline) install_options+=(--offline "$(cd "${2:?--offline needs the bundle folder}" && pwd)"); shift 2 ;;
        --no-piper) piper_options=(); shift ;;
        --piper-voice) piper_options=(--piper-voice "${2:?--piper-voice needs a voice id (voice-coach voices lists them)}"); shift 2 ;;
        --dry-run) dry_run=true; shift ;;
        *) echo "install-pi.sh: unknown option $1 (use --offline DIR, --no-piper, --piper-voice ID or --dry-run)" >&2; exit 2 ;;
    esac
done
install_options+=("${piper_options[@]}")
$dry_run || [ "$(id -u)" -eq 0 ] || exec sudo "$0" "$@"
"$source_dir/install.sh" --check "${install_options[@]}"  # its options and the bundle, before anything changes
run() {  # every step that changes something: shown instead of done with --dry-run
    if $dry_run; then echo "would run: $*"; else "$@"; fi
}

run "$source_dir/systemd/copy-tree.sh" "$source_dir" "$target"  # root's own copy: the checkout's owner cannot change it
id voice-coach >/dev/null 2>&1 \
    || run useradd --system --user-group --home-dir /var/lib/voice-coach --shell /usr/sbin/nologin voice-coach
run usermod -a -G audio voice-coach
run install -d -m 0700 -o voice-coach -g voice-coach /var/lib/voice-coach /var/cache/voice-coach
run install -d -m 0755 /etc/voice-coach
[ -f /etc/voice-coach/config.toml ] || run install -m 0644 "$target/docs/config.example.toml" /etc/voice-coach/config.toml

# Model and speech go where the service looks (its StateDirectory and CacheDirectory),
# written by the service user itself: root never works inside a folder that user owns.
# The service's own config is read, so the voice and rate it sets are the ones rendered.
installer=("$target/install.sh")
$dry_run && installer=("$source_dir/install.sh" --dry-run)  # the copy is not made in a dry run
VOICE_COACH_USER=voice-coach STATE_DIRECTORY=/var/lib/voice-coach CACHE_DIRECTORY=/var/cache/voice-coach \
    VOICE_COACH_CONFIG=/etc/voice-coach/config.toml "${installer[@]}" "${install_options[@]}"
run ln -sfn "$target/.venv/bin/voice-coach" /usr/local/bin/voice-coach
run install -d -m 0755 /etc/voice-coach/scripts  # the coach's own exercises (docs/OWN_SCRIPTS.md)
if $dry_run; then
    echo "would offer the sound cards for the speaker and the microphone, then install and start voice-coach.service"
    exit 0
fi

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
