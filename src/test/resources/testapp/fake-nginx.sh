#!/bin/sh
# A stand-in nginx master for the core tests: writes its PID to $1, keeps one "worker" child, and on
# SIGHUP (the reload) replaces the worker with a new one, like nginx does.
echo $$ > "$1"
sleep 300 & worker=$!
trap 'kill $worker 2>/dev/null; sleep 300 & worker=$!' HUP
trap 'kill $worker 2>/dev/null; exit 0' TERM
while :; do wait; done
