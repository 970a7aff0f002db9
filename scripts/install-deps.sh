#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmark need on a fresh Debian machine: OpenSSH server,
# nginx, curl, and for the systemd test host (scripts/systemd-host/) sudo, D-Bus and pam_systemd.
# Idempotent; apt is kept from starting the distribution's nginx/sshd/dbus services.
set -euo pipefail
need=()
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v lsof >/dev/null 2>&1 || need+=(lsof)
# the systemd test host boots the host's own / (overlaid): what runs inside must be installed here
[ -x /lib/systemd/systemd ] || need+=(systemd)
command -v sudo >/dev/null 2>&1 || need+=(sudo)
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus)
dpkg -s libpam-systemd >/dev/null 2>&1 || need+=(libpam-systemd)
[ ${#need[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || { echo "install-deps: missing ${need[*]}; run as root or install them" >&2; exit 1; }
echo "install-deps: installing ${need[*]}" >&2
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
fi
rc=0
{ DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } || rc=$?
[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
exit $rc
