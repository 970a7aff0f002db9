# Sourced by the scripts in scripts/systemd-host/: settings and small helpers shared by all of them.
# Settings come from the arguments DIR NAME NET, else from SDHOST_DIR / SDHOST_NAME / SDHOST_NET.
#   DIR   state directory on the host (keys, logs, env.sh, the overlay's mount points), default /tmp/bluegreen-sdhost
#   NAME  host name inside, cgroup name and veth name suffix (ve-NAME), default bgsd
#   NET   first three octets of the /30: host side NET.1, test host NET.2, default 10.213.77
# shellcheck shell=bash disable=SC2034   # the variables are used by the scripts that source this file

SDHOST_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SDHOST_DEPLOY_USER=deploy
SDHOST_INCLUDE_DIR=/etc/nginx/bluegreen
SDHOST_INCLUDE=$SDHOST_INCLUDE_DIR/service-url.inc
SDHOST_CG_UNIFIED=/sys/fs/cgroup/unified   # the host is a cgroup v1/v2 hybrid: cgroup2 lives here
SDHOST_CG_NAMED=/sys/fs/cgroup/systemd     # v1 name=systemd hierarchy

sdhost_log() { echo "sdhost[${SDHOST_NAME:-?}]: $*" >&2; }
sdhost_die() { sdhost_log "error: $*"; exit 1; }
sdhost_now() { date +%s.%N; }
sdhost_since() { awk -v a="$1" -v b="$(sdhost_now)" 'BEGIN { printf "%.2f", b - a }'; }

# sdhost_settings [DIR [NAME [NET]]]: sets and checks SDHOST_DIR, SDHOST_NAME, SDHOST_NET and the derived paths
sdhost_settings() {
    SDHOST_DIR=${1:-${SDHOST_DIR:-/tmp/bluegreen-sdhost}}
    SDHOST_NAME=${2:-${SDHOST_NAME:-bgsd}}
    SDHOST_NET=${3:-${SDHOST_NET:-10.213.77}}
    [[ $SDHOST_DIR == /* ]] || SDHOST_DIR=$PWD/$SDHOST_DIR
    [[ $SDHOST_NAME =~ ^[a-z][a-z0-9-]{0,11}$ ]] || sdhost_die "NAME '$SDHOST_NAME': 1-12 of [a-z0-9-], a letter first (veth names have 15 characters)"
    [[ $SDHOST_NET =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || sdhost_die "NET '$SDHOST_NET': three octets such as 10.213.77"
    SDHOST_ADDR=$SDHOST_NET.2
    SDHOST_VETH=ve-$SDHOST_NAME
    SDHOST_KEYS=${SDHOST_KEYS:-$SDHOST_DIR/keys}   # SDHOST_KEYS: one key set for several hosts (a fleet)
    SDHOST_KNOWN_HOSTS=$SDHOST_DIR/known_hosts
    SDHOST_RUN=$SDHOST_DIR/run          # pid files and hand-shake files of the running host
    SDHOST_LOGS=$SDHOST_DIR/log
    SDHOST_ROOT=$SDHOST_DIR/root        # mount point of the overlay (only inside the host's mount namespace)
    SDHOST_RW=$SDHOST_DIR/rw            # mount point of the tmpfs holding the overlay's upper layer
    export SDHOST_DIR SDHOST_NAME SDHOST_NET
}

sdhost_alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ -n $st && $st != Z* ]]; }
sdhost_read_pid() { local p; p=$(cat "$1" 2>/dev/null) || return 1; [[ $p =~ ^[0-9]+$ ]] && echo "$p"; }

# sdhost_ours PID: PID is alive and in this host's cgroup (not a stranger that reused a PID from a pid file)
sdhost_ours() {
    sdhost_alive "$1" && grep -qE "^0::/$SDHOST_NAME(/|\$)" "/proc/$1/cgroup" 2>/dev/null
}

# sdhost_outer_pid: PID of the outer process (holds the net/uts/ipc/cgroup/mount namespaces and the overlay), if alive
sdhost_outer_pid() {
    local p
    p=$(sdhost_read_pid "$SDHOST_RUN/outer.pid") && sdhost_ours "$p" && echo "$p"
}

# sdhost_boot_pid: PID of the unshare whose child is the current boot's systemd, if alive
sdhost_boot_pid() {
    local p
    p=$(sdhost_read_pid "$SDHOST_RUN/boot.pid") && sdhost_ours "$p" && echo "$p"
}

# sdhost_systemd_pid [TRIES]: host PID of the test host's systemd (PID 1 of the current boot)
sdhost_systemd_pid() {
    local tries=${1:-1} i boot child
    for ((i = 0; i < tries; i++)); do
        if boot=$(sdhost_boot_pid) &&
            child=$(awk '{ print $1 }' "/proc/$boot/task/$boot/children" 2>/dev/null) && [[ -n $child ]] &&
            [[ $(cat "/proc/$child/comm" 2>/dev/null) == systemd ]]; then
            echo "$child"
            return 0
        fi
        ((i + 1 < tries)) && sleep 0.05
    done
    return 1
}

# sdhost_ssh_opts USER: ssh/sftp options for USER (root or deploy) with the pinned host key
sdhost_ssh_opts() {
    local key
    case "$1" in
    root) key=$SDHOST_KEYS/id_root ;;
    "$SDHOST_DEPLOY_USER") key=$SDHOST_KEYS/id_deploy ;;
    *) sdhost_die "unknown user '$1' (root or $SDHOST_DEPLOY_USER)" ;;
    esac
    printf '%s\n' -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o "UserKnownHostsFile=$SDHOST_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
        -o HostKeyAlgorithms=ssh-ed25519 -o ConnectTimeout=5 -o LogLevel=ERROR -o "User=$1"
}

# sdhost_load DIR: the settings a host in DIR was started with (DIR/settings, written by up.sh), else as sdhost_settings
sdhost_load() {
    local dir=${1:-${SDHOST_DIR:-/tmp/bluegreen-sdhost}} name=${SDHOST_NAME:-} net=${SDHOST_NET:-}
    if [ -r "$dir/settings" ]; then
        name=$(sed -n 's/^NAME=//p' "$dir/settings")
        net=$(sed -n 's/^NET=//p' "$dir/settings")
        SDHOST_KEYS=$(sed -n 's/^KEYS=//p' "$dir/settings")
        [ -n "$SDHOST_KEYS" ] || unset SDHOST_KEYS
    fi
    sdhost_settings "$dir" "$name" "$net"
}
