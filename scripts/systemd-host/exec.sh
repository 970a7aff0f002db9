#!/usr/bin/env bash
# Runs a command inside a test host started by up.sh, as root, without SSH (nsenter into its namespaces): for what SSH
# cannot do to itself, e.g. stop and start the host's sshd.
#
#   usage: scripts/systemd-host/exec.sh DIR CMD...
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -ge 2 ] || { echo "usage: exec.sh DIR CMD..." >&2; exit 2; }
sdhost_load "$1"
shift
pid=$(sdhost_systemd_pid 20) || sdhost_die "the test host is not running"
exec nsenter -t "$pid" -a "$@"
