#!/usr/bin/env bash
# Stops a test host started by up.sh: SIGRTMIN+4 to its systemd (= "systemctl poweroff": units get SIGTERM and
# their stop timeouts), waits, SIGKILLs by PID only if it does not end (the kernel then kills the whole PID
# namespace), removes the veth and the cgroups. Its mounts were only ever in its own mount namespace: they go with
# it. Idempotent: cleans up what a crashed host left and exits 0 when nothing runs (DIR/run is gone once it is
# down; only then). Keeps DIR (keys, logs).
#
#   usage: scripts/systemd-host/down.sh [DIR]   (default $SDHOST_DIR or /tmp/bluegreen-sdhost)
# Settings: SDHOST_STOP_TIMEOUT (30 s) before SIGKILL.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sdhost_load "${1:-}"

wait_gone() { # wait_gone SECONDS PID...: until none of the PIDs is alive
    local i p left
    for ((i = 0; i < $1 * 20; i++)); do
        left=0
        for p in "${@:2}"; do if sdhost_alive "$p"; then left=1; fi; done
        [ $left = 1 ] || return 0
        sleep 0.05
    done
    return 1
}

# the outer process and the unshare of the current boot (it outlives an outer process that was killed)
stop_host() {
    local outer boot sd pids=() p
    if boot=$(sdhost_boot_pid); then pids+=("$boot"); fi
    if outer=$(sdhost_outer_pid); then pids+=("$outer"); fi
    [ ${#pids[@]} -gt 0 ] || return 0
    if sd=$(sdhost_systemd_pid 20); then
        kill -s SIGRTMIN+4 "$sd" 2>/dev/null || true
    fi
    if ! wait_gone "${SDHOST_STOP_TIMEOUT:-30}" "${pids[@]}"; then
        sdhost_log "no poweroff within ${SDHOST_STOP_TIMEOUT:-30} s: SIGKILL"
        for p in "${pids[@]}"; do   # boot first: unshare --kill-child takes its PID 1 and so the whole namespace along
            if sdhost_ours "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
        done
        wait_gone 10 "${pids[@]}" || sdhost_die "PIDs ${pids[*]} do not end"
    fi
}

remove_veth() {
    if ip link show "$SDHOST_VETH" >/dev/null 2>&1; then ip link del "$SDHOST_VETH" 2>/dev/null || true; fi
}

# the cgroup trees may take a moment to empty after the last process died
remove_cgroups() {
    local h i
    for h in $SDHOST_CG_UNIFIED $SDHOST_CG_NAMED; do
        [ -d "$h/$SDHOST_NAME" ] || continue
        for ((i = 0; i < 100; i++)); do
            find "$h/$SDHOST_NAME" -depth -type d -exec rmdir {} + 2>/dev/null || true
            [ -d "$h/$SDHOST_NAME" ] || break
            sleep 0.05
        done
        [ ! -d "$h/$SDHOST_NAME" ] || sdhost_die "cannot remove cgroup $h/$SDHOST_NAME: $(xargs < "$h/$SDHOST_NAME/cgroup.procs" 2>/dev/null)"
    done
}

main() {
    if [ ! -d "$SDHOST_RUN" ]; then   # never started, or already down (up.sh made sure NAME and NET were free)
        sdhost_log "not running"
        return 0
    fi
    stop_host
    remove_veth
    remove_cgroups
    rm -rf "$SDHOST_RUN"
    rm -f "$SDHOST_DIR/env.sh"
    sdhost_log "down"
}

main
