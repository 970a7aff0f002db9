#!/usr/bin/env bash
# A real blue/green deploy on this machine, twice: the example Spring Boot app (examples/demo-app) is built and
# deployed with `mvn deploy -Pbluegreen` over SSH to a local test server (OpenSSH sshd + nginx + a deploy
# user, see scripts/test-server.sh): first v1 on an empty server, then v2 while requests keep flowing.
# Installs what is missing (apt-get), builds the plugin, and stops everything it started at the end
# (KEEP=1 leaves the server running to explore: curl http://127.0.0.1:18080/).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Installing what is missing (openssh-server, nginx, curl)"
scripts/install-deps.sh

say "Building and installing the plugin"
mvn -B -ntp -q install -DskipTests

ENV_DIR=/tmp/bluegreen-demo   # outside the checkout: the deploy user must reach it, whatever the checkout's permissions
say "Starting the test server (sshd on 127.0.0.1:2222, nginx on 127.0.0.1:18080)"
scripts/test-server.sh start "$ENV_DIR"
[ "${KEEP:-0}" = 1 ] || trap 'say "Stopping the test server"; scripts/test-server.sh stop "$ENV_DIR"' EXIT
scripts/test-server.sh reset "$ENV_DIR"
source "$ENV_DIR/env.sh"

deploy() {
    say "mvn deploy -Pbluegreen -Ddemo.version=$1"
    mvn -B -ntp -f examples/demo-app/pom.xml deploy -Pbluegreen -Ddemo.version="$1" |
        grep -E '\[(INFO|WARNING|ERROR)\] (bluegreen:|First|Live|Adopt|Upload|Started|Healthy|nginx|Old|Stopped|SUMMARY|BUILD|.*done in)|WARN|ERROR'
}

deploy v1
echo "GET http://127.0.0.1:$BLUEGREEN_IT_NGINX_PORT/ -> $(curl -s "http://127.0.0.1:$BLUEGREEN_IT_NGINX_PORT/")"

# requests keep flowing during the second deploy, one of them 3 s long (in flight at the switch)
load() {
    local end=$((SECONDS + 60)) answer
    while [ $SECONDS -lt $end ] && [ ! -f "$ENV_DIR/stop-load" ]; do
        answer=$(curl -s -m 10 -w ' %{http_code}' "http://127.0.0.1:$BLUEGREEN_IT_NGINX_PORT/?sleepMs=$1") || answer="curl-error"
        echo "$answer"
    done
}
rm -f "$ENV_DIR/stop-load"
load 100 > "$ENV_DIR/load-short.txt" &
load 3000 > "$ENV_DIR/load-long.txt" &
deploy v2
touch "$ENV_DIR/stop-load"
wait
echo "GET http://127.0.0.1:$BLUEGREEN_IT_NGINX_PORT/ -> $(curl -s "http://127.0.0.1:$BLUEGREEN_IT_NGINX_PORT/")"
say "Requests through nginx during the v2 deploy (answer and HTTP status)"
sort "$ENV_DIR"/load-*.txt | uniq -c
say "State file on the server ($BLUEGREEN_IT_HOME/bluegreen/demo-app/state.properties)"
grep -E '^(phase|live\.|previous\.port)' "$BLUEGREEN_IT_HOME/bluegreen/demo-app/state.properties"
