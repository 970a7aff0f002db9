#!/usr/bin/env bash
# Started by up.sh as the outer process, already in its own mount/UTS/IPC/net/cgroup namespaces: mounts the
# overlay root (upper layer on a tmpfs, lower layer this machine's /), customises it (only the upper layer is
# written), waits for up.sh to set up the veth, then boots systemd (boot.sh) again and again while it asks for a
# reboot. Not meant to be run by hand.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sdhost_settings "$SDHOST_DIR" "$SDHOST_NAME" "$SDHOST_NET"
R=$SDHOST_ROOT

mount_overlay() {
    mount -t tmpfs -o mode=755 "$SDHOST_NAME-rw" "$SDHOST_RW"
    mkdir -p "$SDHOST_RW/upper" "$SDHOST_RW/work"
    mount -t overlay "$SDHOST_NAME-root" -o "lowerdir=/,upperdir=$SDHOST_RW/upper,workdir=$SDHOST_RW/work" "$R"
}

set_identity() {
    echo "$SDHOST_NAME" > "$R/etc/hostname"
    hostname "$SDHOST_NAME"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$SDHOST_NAME" > "$R/etc/hosts"
    systemd-id128 new > "$R/etc/machine-id"
}

# units this machine has enabled that must not run in a test host (or cannot: no tty, no clock, no host data)
mask_units() {
    local u
    for u in postgresql.service e2scrub_reap.service getty@tty1.service console-getty.service getty-static.service \
        systemd-timesyncd.service systemd-pstore.service apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
        e2scrub_all.timer fstrim.timer man-db.timer; do
        ln -sf /dev/null "$R/etc/systemd/system/$u"
    done
}

# sshd: Debian's service and sshd_config; the only host key is the ed25519 key made by up.sh (pinned in known_hosts)
setup_sshd() {
    rm -f "$R"/etc/ssh/ssh_host_*
    install -m 600 "$SDHOST_KEYS/ssh_host_ed25519_key" "$R/etc/ssh/ssh_host_ed25519_key"
    install -m 644 "$SDHOST_KEYS/ssh_host_ed25519_key.pub" "$R/etc/ssh/ssh_host_ed25519_key.pub"
    cat > "$R/etc/ssh/sshd_config.d/bluegreen-test-host.conf" <<'CONF'
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
CONF
}

# ids of a user of the test host (the deploy user exists only in the overlay's /etc/passwd)
uid_of() { awk -F: -v u="$1" '$1 == u { print $3 }' "$R/etc/passwd"; }
gid_of() { awk -F: -v u="$1" '$1 == u { print $4 }' "$R/etc/passwd"; }

install_authorized_key() { # install_authorized_key HOME USER PUBKEY
    local uid gid
    uid=$(uid_of "$2") gid=$(gid_of "$2")
    install -d -m 700 -o "$uid" -g "$gid" "$R$1/.ssh"
    install -m 600 -o "$uid" -g "$gid" "$3" "$R$1/.ssh/authorized_keys"
}

setup_root() {
    # a plain Debian root account: this machine's root dotfiles (pyenv init etc.) would slow every SSH command
    install -m 644 "$R/etc/skel/.bashrc" "$R/root/.bashrc"
    install -m 644 "$R/etc/skel/.profile" "$R/root/.profile"
    install_authorized_key /root root "$SDHOST_KEYS/id_root.pub"
}

# the non-root deploy user: key login, reads the journal, lingers (its user manager runs from boot on)
setup_deploy_user() {
    local u=$SDHOST_DEPLOY_USER
    # a uid no user of this machine has (the host's test users count from 1000): processes seen from outside never mix up
    chroot "$R" useradd --create-home --home-dir "/home/$u" --shell /bin/bash --groups systemd-journal --user-group \
        -K UID_MIN=30000 -K GID_MIN=30000 "$u"
    chroot "$R" usermod -p '*' "$u"      # no password, but not locked
    install_authorized_key "/home/$u" "$u" "$SDHOST_KEYS/id_deploy.pub"
    mkdir -p "$R/var/lib/systemd/linger"
    : > "$R/var/lib/systemd/linger/$u"  # = loginctl enable-linger deploy
    install -m 440 "$SDHOST_HERE/sudoers-deploy" "$R/etc/sudoers.d/bluegreen"
    visudo -q -c -f "$R/etc/sudoers.d/bluegreen" >/dev/null
}

# persistent journal (Debian's Storage=auto: persistent once /var/log/journal exists); journald splits it per user
setup_journal() {
    install -d -m 2755 -g systemd-journal "$R/var/log/journal"
}

# nginx: the blue/green site instead of Debian's default; the include lives in a directory the deploy user owns
setup_nginx() {
    rm -f "$R/etc/nginx/sites-enabled/default"
    install -m 644 "$SDHOST_HERE/nginx-site.conf" "$R/etc/nginx/sites-available/bluegreen"
    ln -sfn ../sites-available/bluegreen "$R/etc/nginx/sites-enabled/bluegreen"
    install -d -m 755 -o "$(uid_of "$SDHOST_DEPLOY_USER")" -g "$(gid_of "$SDHOST_DEPLOY_USER")" "$R$SDHOST_INCLUDE_DIR"
}

boot_loop() {
    local rc
    while :; do
        set +e
        unshare --pid --fork --kill-child --mount --propagation private "$SDHOST_HERE/boot.sh" &
        echo $! > "$SDHOST_RUN/boot.pid"
        wait $!
        rc=$?
        set -e
        echo "$(date +%T.%N) systemd (PID 1) ended, rc=$rc" >&2
        [ $rc -eq 129 ] || break # 129: PID 1 killed by SIGHUP = "systemctl reboot" inside; 130 (SIGINT) = poweroff/halt
    done
}

main() {
    local i
    mount_overlay
    set_identity
    mask_units
    setup_sshd
    setup_root
    setup_deploy_user
    setup_journal
    setup_nginx
    : > "$SDHOST_RUN/prepared"
    for ((i = 0; i < 600; i++)); do [ -e "$SDHOST_RUN/net-ready" ] && break; sleep 0.05; done
    [ -e "$SDHOST_RUN/net-ready" ] || { echo "no network from up.sh" >&2; exit 1; }
    boot_loop
}

main
