#!/usr/bin/env bash
# Runs a command on a test host started by up.sh, over SSH with its pinned host key (StrictHostKeyChecking=yes).
#
#   usage: scripts/systemd-host/ssh.sh DIR [root|deploy] [CMD...]   (user default deploy; no CMD: a login shell)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 1 ] || { echo "usage: ssh.sh DIR [root|deploy] [CMD...]" >&2; exit 2; }
sdhost_load "$1"
shift
user=$SDHOST_DEPLOY_USER
if [ $# -ge 1 ] && { [ "$1" = root ] || [ "$1" = "$SDHOST_DEPLOY_USER" ]; }; then user=$1; shift; fi
mapfile -t opts < <(sdhost_ssh_opts "$user")
[ $# -ge 1 ] || opts+=(-t)
exec ssh "${opts[@]}" "$SDHOST_ADDR" "$@"
