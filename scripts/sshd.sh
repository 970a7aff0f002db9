#!/usr/bin/env bash
# A private OpenSSH sshd on 127.0.0.1:PORT that lets USER in with a key made here (tests, demo, benchmark).
#   usage: scripts/sshd.sh start|stop DIR PORT USER
# start writes DIR/client_ed25519 (the key to log in with) and DIR/known_hosts (the server's key).
# LISTEN=ADDRESS listens there instead of 127.0.0.1; HOST_CA=KEY signs the host key with that CA (a host certificate for
# the address: clients trust it with an @cert-authority line of the CA's public key).
set -euo pipefail
ACTION=${1:?usage: sshd.sh start|stop DIR PORT USER}
DIR=${2:?DIR}
PORT=${3:?PORT}
LOGIN_USER=${4:?USER}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)   # sshd re-executes itself: every path must be absolute
SSHD_BIN=$(command -v sshd || echo /usr/sbin/sshd)
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ -n "$st" && "$st" != Z* ]]; }

case "$ACTION" in
start)
    [ -f "$DIR/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_ed25519"
    [ -f "$DIR/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bluegreen-test -f "$DIR/client_ed25519"
    cp "$DIR/client_ed25519.pub" "$DIR/authorized_keys"
    LISTEN=${LISTEN:-127.0.0.1}
    echo "[$LISTEN]:$PORT $(cut -d' ' -f1,2 "$DIR/host_ed25519.pub")" > "$DIR/known_hosts"
    certificate=""
    if [ -n "${HOST_CA:-}" ]; then
        ssh-keygen -q -s "$HOST_CA" -I "bluegreen-test-host" -h -n "$LISTEN" -V -1h:+1d "$DIR/host_ed25519.pub"
        certificate="HostCertificate $DIR/host_ed25519-cert.pub"
    fi
    cat > "$DIR/sshd_config" <<CONF
Port $PORT
ListenAddress $LISTEN
HostKey $DIR/host_ed25519
$certificate
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
AllowUsers $LOGIN_USER
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
CONF
    mkdir -p /run/sshd
    if ! { [ -s "$DIR/sshd.pid" ] && alive "$(cat "$DIR/sshd.pid")"; }; then
        "$SSHD_BIN" -t -f "$DIR/sshd_config"
        "$SSHD_BIN" -f "$DIR/sshd_config" -E "$DIR/sshd.log"
        for _ in $(seq 100); do [ -s "$DIR/sshd.pid" ] && break; sleep 0.05; done
    fi
    ;;
stop)
    if [ -s "$DIR/sshd.pid" ]; then
        pid=$(cat "$DIR/sshd.pid")
        if alive "$pid"; then kill -TERM "$pid"; fi
        rm -f "$DIR/sshd.pid"
    fi
    ;;
*) echo "usage: sshd.sh start|stop DIR PORT USER" >&2; exit 2 ;;
esac
