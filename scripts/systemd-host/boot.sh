#!/usr/bin/env bash
# Run by outer.sh as PID 1 of a fresh PID namespace, in a per-boot copy of the outer mount namespace: gives the
# overlay root a private /proc (its /proc/sys read-only), a read-only /sys, its own cgroup2 (the namespace's
# subtree), a minimal /dev, fresh /run and /tmp (systemd-tmpfiles' "D /tmp" must never see this machine's /tmp),
# pivots into it and execs systemd with container=unshare. Not meant to be run by hand.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sdhost_settings "$SDHOST_DIR" "$SDHOST_NAME" "$SDHOST_NET"
R=$SDHOST_ROOT

mount_proc_sys() {
    mount -t proc proc "$R/proc"
    mount --bind "$R/proc/sys" "$R/proc/sys"                  # no sysctl/binfmt writes to this machine
    mount -o remount,bind,ro "$R/proc/sys"
    cat /proc/sys/kernel/random/uuid > "$SDHOST_RW/boot_id"   # each boot its own boot id (journalctl -b, --list-boots)
    mount --bind "$SDHOST_RW/boot_id" "$R/proc/sys/kernel/random/boot_id"
    if [ -e "$R/proc/sysrq-trigger" ]; then
        mount --bind "$R/proc/sysrq-trigger" "$R/proc/sysrq-trigger"
        mount -o remount,bind,ro "$R/proc/sysrq-trigger"
    fi
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"      # read-only: udev and friends are skipped
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$R/sys/fs/cgroup"   # root = this cgroup namespace's subtree
}

mount_dev() {
    local d=$R/dev
    mount -t tmpfs -o mode=755,nosuid "$SDHOST_NAME-dev" "$d"
    mknod -m 666 "$d/null" c 1 3
    mknod -m 666 "$d/zero" c 1 5
    mknod -m 666 "$d/full" c 1 7
    mknod -m 666 "$d/random" c 1 8
    mknod -m 666 "$d/urandom" c 1 9
    mknod -m 666 "$d/tty" c 5 0
    mkdir "$d/pts" "$d/shm" "$d/mqueue"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$d/pts"
    ln -s pts/ptmx "$d/ptmx"
    ln -s /proc/self/fd "$d/fd"
    ln -s /proc/self/fd/0 "$d/stdin"
    ln -s /proc/self/fd/1 "$d/stdout"
    ln -s /proc/self/fd/2 "$d/stderr"
    touch "$d/console"
    mount --bind "$SDHOST_LOGS/console.log" "$d/console"     # systemd's status output
}

main() {
    mount_proc_sys
    mount_dev
    mount -t tmpfs -o mode=755,nosuid,nodev "$SDHOST_NAME-run" "$R/run"
    mount -t tmpfs -o mode=1777,nosuid,nodev "$SDHOST_NAME-tmp" "$R/tmp"
    cd "$R"
    mkdir -p .oldroot
    pivot_root . .oldroot
    cd /
    umount -l /.oldroot
    rmdir /.oldroot
    exec setpriv --bounding-set -sys_module,-sys_time,-sys_rawio,-wake_alarm,-block_suspend,-mac_admin,-mac_override,-syslog,-sys_pacct,-audit_control,-audit_read \
        env -i container=unshare TERM=linux PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        /lib/systemd/systemd --system --unit=multi-user.target
}

main
