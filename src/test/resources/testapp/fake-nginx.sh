#!/bin/sh
# A stand-in nginx master for the core tests: writes its PID to $1, keeps one "worker" child, and on SIGUSR1 (the
# tests' reload: SIGHUP may be ignored when the suite runs under nohup, and a shell cannot trap a signal ignored on
# entry) starts a new worker; the old one lingers $2 seconds (default 0), like a worker finishing its requests.
echo $$ > "$1"
linger=${2:-0}
sleep 300 & worker=$!
trap 'old=$worker; sleep 300 & worker=$!; ( sleep "$linger"; kill $old ) &' USR1
trap 'kill $worker 2>/dev/null; exit 0' TERM
while :; do wait; done
