#!/usr/bin/env bash
# Boots a throw-away "real Debian host with systemd" for end-to-end tests: systemd 252 as PID 1 of its own
# PID/mount/UTS/IPC/network/cgroup namespaces, its root a tmpfs overlay over this machine's own / (nothing is
# written to the real /), reachable over a veth pair: host side NET.1, test host NET.2 (a /30).
# Inside: Debian's sshd (pinned ed25519 host key, key login for root and the non-root user 'deploy'), nginx with
# the blue/green site (nginx-site.conf), sudo rules for deploy (sudoers-deploy), lingering and a persistent journal.
#
#   usage: scripts/systemd-host/up.sh [DIR [NAME [NET]]]
#          (or SDHOST_DIR / SDHOST_NAME / SDHOST_NET; defaults /tmp/bluegreen-sdhost, bgsd, 10.213.77)
#
# Returns once systemd finished booting (systemctl is-system-running --wait says "running") and sshd accepted a
# login; then DIR/env.sh holds the BLUEGREEN_SD_* variables (address, users, keys, known_hosts, include, PID).
# Several hosts at once: give each its own DIR, NAME and NET. Stop with down.sh DIR. Needs root and the packages
# of scripts/install-deps.sh. Timeouts: SDHOST_BOOT_TIMEOUT (60 s), SDHOST_SSH_TIMEOUT (30 s).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sdhost_settings "$@"

check_preconditions() {
    local p
    [ "$(id -u)" = 0 ] || sdhost_die "run as root"
    for p in /lib/systemd/systemd /usr/sbin/sshd /usr/sbin/nginx /usr/bin/sudo /usr/sbin/visudo /usr/bin/unshare \
        /usr/bin/nsenter /usr/bin/setpriv /usr/sbin/useradd; do
        [ -x "$p" ] || sdhost_die "$p missing (scripts/install-deps.sh installs what is needed)"
    done
    [ -d $SDHOST_CG_UNIFIED ] && [ -d $SDHOST_CG_NAMED ] || sdhost_die "expected cgroup2 at $SDHOST_CG_UNIFIED and name=systemd at $SDHOST_CG_NAMED"
    if p=$(sdhost_outer_pid); then sdhost_die "already running (outer PID $p); down.sh $SDHOST_DIR first"; fi
    if [ -d "$SDHOST_RUN" ]; then "$SDHOST_HERE/down.sh" "$SDHOST_DIR"; fi   # what a crashed host in DIR left
    for p in $SDHOST_CG_UNIFIED $SDHOST_CG_NAMED; do
        ! grep -qsE . "$p/$SDHOST_NAME/cgroup.procs" || sdhost_die "cgroup $p/$SDHOST_NAME is in use (another host named $SDHOST_NAME?)"
    done
    ! ip link show "$SDHOST_VETH" >/dev/null 2>&1 || sdhost_die "interface $SDHOST_VETH exists (another host named $SDHOST_NAME?)"
    ! ip -o -4 addr show | grep -q " ${SDHOST_NET//./\\.}\.[0-9]*/" || sdhost_die "$SDHOST_NET.x is already in use on this machine"
}

# keys made on this side, so the test host's identity is known before it boots
make_keys() {
    local k
    mkdir -p "$SDHOST_KEYS" && chmod 700 "$SDHOST_KEYS"
    for k in ssh_host_ed25519_key id_root id_deploy; do
        [ -s "$SDHOST_KEYS/$k" ] || ssh-keygen -q -t ed25519 -N '' -C "bluegreen-sdhost-$SDHOST_NAME-$k" -f "$SDHOST_KEYS/$k"
    done
    echo "$SDHOST_ADDR $(cut -d' ' -f1,2 "$SDHOST_KEYS/ssh_host_ed25519_key.pub")" > "$SDHOST_KNOWN_HOSTS"
}

make_cgroups() {
    local h
    for h in $SDHOST_CG_UNIFIED $SDHOST_CG_NAMED; do
        if [ -d "$h/$SDHOST_NAME" ]; then   # left over by a crash: must be empty
            find "$h/$SDHOST_NAME" -depth -type d -exec rmdir {} + 2>/dev/null ||
                sdhost_die "cgroup $h/$SDHOST_NAME is still in use"
        fi
        mkdir "$h/$SDHOST_NAME"
    done
}

# the outer process: joins the cgroups, then becomes outer.sh in new mount/UTS/IPC/net/cgroup namespaces
start_outer() {
    mkdir -p "$SDHOST_LOGS" "$SDHOST_ROOT" "$SDHOST_RW"
    : > "$SDHOST_LOGS/console.log"
    setsid bash -c 'echo $$ > "$1/outer.pid"
        echo $$ > "$2/cgroup.procs"; echo $$ > "$3/cgroup.procs"
        exec unshare --mount --propagation private --uts --ipc --net --cgroup "$4/outer.sh"' \
        outer "$SDHOST_RUN" "$SDHOST_CG_UNIFIED/$SDHOST_NAME" "$SDHOST_CG_NAMED/$SDHOST_NAME" "$SDHOST_HERE" \
        </dev/null >>"$SDHOST_LOGS/outer.log" 2>&1 &
}

wait_for_file() { # wait_for_file FILE SECONDS WHAT
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        [ -e "$1" ] && return 0
        if ((i > 10)) && ! sdhost_outer_pid >/dev/null; then
            sdhost_die "the outer process died while waiting for $3; see $SDHOST_LOGS/outer.log"
        fi
        sleep 0.05
    done
    sdhost_die "timeout waiting for $3; see $SDHOST_LOGS/outer.log"
}

make_veth() {
    local outer=$1
    ip link add "$SDHOST_VETH" type veth peer name host0 netns "$outer"
    ip addr add "$SDHOST_NET.1/30" dev "$SDHOST_VETH"
    ip link set "$SDHOST_VETH" up
    nsenter -t "$outer" -n ip addr add "$SDHOST_ADDR/30" dev host0
    nsenter -t "$outer" -n ip link set host0 up
}

wait_booted() {
    local sd state i
    sd=$(sdhost_systemd_pid 200) || sdhost_die "systemd did not start; see $SDHOST_LOGS/outer.log and console.log"
    for ((i = 0; i < 200; i++)); do [ -S "/proc/$sd/root/run/systemd/private" ] && break; sleep 0.05; done
    state=$(timeout "${SDHOST_BOOT_TIMEOUT:-60}" nsenter -t "$sd" -a systemctl is-system-running --wait) || true
    if [ "$state" != running ]; then
        nsenter -t "$sd" -a systemctl --failed --no-legend --plain >&2 || true
        sdhost_die "boot ended '$state', not running (see above; SDHOST_KEEP_ON_FAILURE=1 keeps the host to look inside)"
    fi
}

wait_ssh() {
    local end opts
    end=$(($(date +%s) + ${SDHOST_SSH_TIMEOUT:-30}))
    mapfile -t opts < <(sdhost_ssh_opts "$SDHOST_DEPLOY_USER")
    until ssh "${opts[@]}" -o ConnectTimeout=2 "$SDHOST_ADDR" true 2>/dev/null; do
        (($(date +%s) < end)) || sdhost_die "no SSH login to $SDHOST_DEPLOY_USER@$SDHOST_ADDR"
        sleep 0.1
    done
}

write_env() {
    local outer=$1
    cat > "$SDHOST_DIR/env.sh" <<ENV
# written by scripts/systemd-host/up.sh; the test host '$SDHOST_NAME'
export BLUEGREEN_SD_DIR='$SDHOST_DIR'
export BLUEGREEN_SD_NAME='$SDHOST_NAME'
export BLUEGREEN_SD_HOST='$SDHOST_ADDR'
export BLUEGREEN_SD_SSH_PORT='22'
export BLUEGREEN_SD_USER='$SDHOST_DEPLOY_USER'
export BLUEGREEN_SD_KEY='$SDHOST_KEYS/id_deploy'
export BLUEGREEN_SD_ROOT_KEY='$SDHOST_KEYS/id_root'
export BLUEGREEN_SD_KNOWN_HOSTS='$SDHOST_KNOWN_HOSTS'
export BLUEGREEN_SD_HTTP_URL='http://$SDHOST_ADDR/'
export BLUEGREEN_SD_NGINX_INCLUDE='$SDHOST_INCLUDE'
export BLUEGREEN_SD_NGINX_TEST='sudo -n nginx -t -q'
export BLUEGREEN_SD_NGINX_RELOAD='sudo -n systemctl reload nginx'
export BLUEGREEN_SD_PID='$outer'
ENV
}

# a failed start tears down what it started, unless SDHOST_KEEP_ON_FAILURE=1 (to look inside with nsenter)
on_exit() {
    local rc=$?
    if [ $rc != 0 ] && [ "${SDHOST_KEEP_ON_FAILURE:-0}" != 1 ]; then
        "$SDHOST_HERE/down.sh" "$SDHOST_DIR" "$SDHOST_NAME" "$SDHOST_NET" >&2 || true
    fi
    exit $rc
}

main() {
    local t0 outer
    t0=$(sdhost_now)
    check_preconditions
    trap on_exit EXIT
    mkdir -p "$SDHOST_DIR"
    printf 'NAME=%s\nNET=%s\nKEYS=%s\n' "$SDHOST_NAME" "$SDHOST_NET" "$SDHOST_KEYS" > "$SDHOST_DIR/settings"
    rm -rf "$SDHOST_RUN" && mkdir "$SDHOST_RUN"   # from now on down.sh cleans up this host's veth and cgroups
    make_keys
    make_cgroups
    start_outer
    wait_for_file "$SDHOST_RUN/outer.pid" 5 "the outer process"
    outer=$(sdhost_read_pid "$SDHOST_RUN/outer.pid")
    wait_for_file "$SDHOST_RUN/prepared" 30 "the overlay root"
    make_veth "$outer"
    : > "$SDHOST_RUN/net-ready"          # outer.sh boots systemd now
    wait_booted
    sdhost_log "booted after $(sdhost_since "$t0") s (systemctl is-system-running: running)"
    wait_ssh
    sdhost_log "ssh login as $SDHOST_DEPLOY_USER@$SDHOST_ADDR after $(sdhost_since "$t0") s"
    write_env "$outer"
    sdhost_log "up: outer PID $outer, systemd PID $(sdhost_systemd_pid), $SDHOST_DIR/env.sh"
}

main
