#!/usr/bin/env bash
# A real blue/green deploy of the example Spring Boot app (examples/demo-app), built and deployed with Maven.
#
#   examples/demo.sh           over SSH to a local test server (OpenSSH sshd + nginx + a deploy user, see
#                              scripts/test-server.sh): v1 on an empty server, then v2 while requests keep flowing
#   examples/demo.sh systemd   to a real Debian host with systemd (scripts/systemd-host: its own namespaces, booted in
#                              about a second): v1 and v2 as systemd user units of a non-root deploy user, then the live
#                              app killed with SIGKILL (systemd restarts it) and the whole host rebooted (nginx and the
#                              live release come back by themselves)
#
# Installs what is missing (apt-get), builds the plugin, and stops everything it started at the end (KEEP=1 leaves
# the server running to explore).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MODE=${1:-ssh}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Installing what is missing (openssh-server, nginx, curl, sudo)"
scripts/install-deps.sh

say "Building and installing the plugin"
mvn -B -ntp -q install -DskipTests

# requests keep flowing during a deploy, one of them 3 s long (in flight at the switch): "answer HTTP-status" lines
load() { # load URL SLEEP_MS OUT: until the stop file exists (at most 120 s)
    local end=$((SECONDS + 120)) answer
    while [ $SECONDS -lt $end ] && [ ! -f "$STOP" ]; do
        answer=$(curl -s -m 10 -w '\n%{http_code}' "$1?sleepMs=$2") || answer=$'curl-error\n-'
        if [ "${answer##*$'\n'}" = 200 ]; then echo "${answer%$'\n'*} 200"; else echo "FAILED ${answer##*$'\n'}"; fi
    done > "$3"
}
deploy_under_load() { # deploy_under_load URL PROFILE VERSION
    say "mvn deploy -P$2 -Ddemo.version=$3 (requests keep flowing)"
    rm -f "$STOP" "$WORK"/load-*.txt
    load "$1" 100 "$WORK/load-short.txt" &
    load "$1" 3000 "$WORK/load-long.txt" &
    mvn -B -ntp -f examples/demo-app/pom.xml deploy -P"$2" -Ddemo.version="$3" |
        grep -E '\[(INFO|WARNING|ERROR)\] (bluegreen:|First|Live|Adopt|Upload|Started|Healthy|nginx|Old|Stopped|SUMMARY|BUILD|.*done in)|WARN|ERROR'
    touch "$STOP"
    wait
    say "Requests through nginx during the deploy (answer and HTTP status)"
    sort "$WORK"/load-*.txt | uniq -c
}
until_answers() { # until_answers URL: seconds until it answers 200 (polled every 50 ms, at most 180 s)
    local t0=$SECONDS start end
    start=$(date +%s%N)
    until [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ]; do
        [ $((SECONDS - t0)) -lt 180 ] || { echo "not back within 180 s"; return 1; }
        sleep 0.05
    done
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000000 )) ms"
}

if [ "$MODE" = systemd ]; then
    WORK=/tmp/bluegreen-demo-sdhost
    say "Booting a Debian host with systemd (10.213.88.2): sshd, nginx with the seed's site, a deploy user with sudo for nginx"
    scripts/systemd-host/up.sh "$WORK" demo 10.213.88
    [ "${KEEP:-0}" = 1 ] || trap 'say "Powering the host off"; scripts/systemd-host/down.sh "$WORK"' EXIT
    source "$WORK/env.sh"
    STOP=$WORK/stop-load
    url=$BLUEGREEN_SD_HTTP_URL
    as_deploy() { scripts/systemd-host/ssh.sh "$WORK" deploy "$@"; }
    say "mvn deploy -Pbluegreen-systemd -Ddemo.version=v1 (the first deploy: nothing serves before it)"
    mvn -B -ntp -f examples/demo-app/pom.xml deploy -Pbluegreen-systemd -Ddemo.version=v1 |
        grep -E '\[(INFO|WARNING|ERROR)\] (bluegreen:|First|Live|Upload|Started|Healthy|nginx|SUMMARY|BUILD|.*done in)|WARN|ERROR'
    deploy_under_load "$url" bluegreen-systemd v2
    say "The units on the host (systemctl --user, as the deploy user)"
    as_deploy 'systemctl --user list-units --all --no-legend "demo-app@*"; systemctl --user list-unit-files --no-legend "demo-app@*"'
    pid=$(as_deploy 'systemctl --user show -p MainPID --value demo-app@8081')
    say "kill -9 of the live app (PID $pid): systemd restarts it"
    as_deploy "kill -KILL $pid"
    echo "answering again after $(until_answers "$url")"
    say "systemctl reboot of the whole host: nothing deploys afterwards"
    scripts/systemd-host/ssh.sh "$WORK" root 'systemctl reboot' || true
    sleep 1
    echo "GET $url answering again after $(until_answers "$url") (+1 s): $(curl -s "$url")"
    as_deploy 'systemctl --user list-units --all --no-legend "demo-app@*"'
    exit 0
fi

WORK=/tmp/bluegreen-demo   # outside the checkout: the deploy user must reach it, whatever the checkout's permissions
say "Starting the test server (sshd on 127.0.0.1:2222, nginx on 127.0.0.1:18080)"
scripts/test-server.sh start "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'say "Stopping the test server"; scripts/test-server.sh stop "$WORK"' EXIT
scripts/test-server.sh reset "$WORK"
source "$WORK/env.sh"
STOP=$WORK/stop-load
url=http://127.0.0.1:$BLUEGREEN_IT_NGINX_PORT/

say "mvn deploy -Pbluegreen -Ddemo.version=v1"
mvn -B -ntp -f examples/demo-app/pom.xml deploy -Pbluegreen -Ddemo.version=v1 |
    grep -E '\[(INFO|WARNING|ERROR)\] (bluegreen:|First|Live|Upload|Started|Healthy|nginx|SUMMARY|BUILD|.*done in)|WARN|ERROR'
echo "GET $url -> $(curl -s "$url")"
deploy_under_load "$url" bluegreen v2
echo "GET $url -> $(curl -s "$url")"
say "State file on the server ($BLUEGREEN_IT_HOME/bluegreen/demo-app/state.properties)"
grep -E '^(phase|live\.|previous\.port)' "$BLUEGREEN_IT_HOME/bluegreen/demo-app/state.properties"
