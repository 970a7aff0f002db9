#!/usr/bin/env bash
# Start-up benchmark (issue 20): a petclinic-size Spring Boot app (bench/upload/big-app, ~67 MB, JPA, Thymeleaf, cache)
# deployed over SSH to a private test server, its start to UP (the plugin's summary: launch to the health check's UP)
# and the whole deploy's wall time, with bluegreen.classDataSharing=off (java -jar, today) and =auto (its libraries on
# a plain class path; after the first deploy, from the class-data archive the server dumped after the switch):
#   - new releases with unchanged libraries (v1, v2 alternate: only a controller differs),
#   - rollbacks to a release whose instance is gone (keepOldSeconds=0),
#   - a restart: the same JVM command again (what systemd's restart and a reboot run: the release's argument file),
# on JDK 17 (the default java) and JDK 25 (if present). Targets: new release <= 70 % of today's cold start; rollback,
# restart <= 60 %.
# SYSTEMD=1: then, on a real systemd test host (scripts/systemd-host, runner=systemd, the default java), a kill -9 of
# the live app (systemd restarts it: RestartSec=1 included) and a reboot of the whole host, each until the app answers UP.
#   usage: bench/startup/run.sh [RUNS]      RUNS measured deploys per row (default 3); results in
#          target/bench-results/startup-<date>/      JAVAS="java" measures one JVM only (JAVAS="": none)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${1:-3}
OUT=$ROOT/target/bench-results/startup-$(date +%Y%m%d-%H%M%S)
DIR=/tmp/bluegreen-startup-bench
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
SERVER=(env SSH_PORT=2248 NGINX_PORT=18099 DEPLOY_USER=bluegreen-start "$ROOT/scripts/test-server.sh")
mkdir -p "$OUT"
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}"
log() { echo "startup: $*" >&2; }

"$ROOT/scripts/install-deps.sh"
(cd "$ROOT" && mvn -B -ntp -q install -DskipTests)
"${SERVER[@]}" start "$DIR"
trap '"${SERVER[@]}" stop "$DIR"' EXIT
"${SERVER[@]}" reset "$DIR"
source "$DIR/env.sh"

# the jars: v1 and v2 of big-app, differing in one controller only (the same libraries)
src=$OUT/build/big-app
mkdir -p "$OUT/build" "$DIR/apps"
cp -r "$ROOT/bench/upload/big-app" "$OUT/build/"
rm -rf "$src/target"
for v in v1 v2; do
    sed -i -E "s/VERSION = \"[^\"]*\"/VERSION = \"$v\"/" "$src/src/main/java/io/github/bluegreen/bench/bigapp/VersionController.java"
    log "building big-app $v"
    (cd "$src" && mvn -B -ntp -q package -DskipTests) > "$OUT/build/$v.log" 2>&1
    install -m 644 "$src/target/big-app.jar" "$DIR/apps/big-app-$v.jar"
done
chmod 755 "$DIR/apps"

# where deploy() deploys: the private test server (the systemd section points it at the systemd test host)
TARGET=(-Dbluegreen.host=127.0.0.1 -Dbluegreen.sshPort="$BLUEGREEN_IT_SSH_PORT" -Dbluegreen.user="$BLUEGREEN_IT_USER"
    -Dbluegreen.identityFile="$BLUEGREEN_IT_KEY" -Dbluegreen.knownHosts="$BLUEGREEN_IT_KNOWN_HOSTS"
    -Dbluegreen.nginxInclude="$BLUEGREEN_IT_NGINX_INCLUDE" -Dbluegreen.nginxPidFile="$BLUEGREEN_IT_NGINX_PID"
    -Dbluegreen.nginxTestCommand="$BLUEGREEN_IT_NGINX_TEST" -Dbluegreen.nginxReloadCommand="$BLUEGREEN_IT_NGINX_RELOAD"
    -Dbluegreen.bluePort=19180 -Dbluegreen.greenPort=19181)
deploy() { # deploy APP VERSION MODE JAVA [GOAL]: one deploy (or rollback); prints "start-to-UP-ms wall-ms"
    local app=$1 version=$2 mode=$3 java=$4 goal=${5:-deploy} began ended up log
    began=$(date +%s%N)
    log=$OUT/$began-$app-$goal-$version.log
    mvn -B -o -ntp -f "$ROOT/bench/chaos/pom.xml" "$([ "$goal" = rollback ] && echo bluegreen:rollback || echo deploy)" -Pbluegreen \
        "${TARGET[@]}" -Dbluegreen.appName="$app" -Dbluegreen.artifact="$DIR/apps/big-app-$version.jar" \
        -Dbluegreen.classDataSharing="$mode" -Dbluegreen.javaCommand="$java" \
        -Dbluegreen.healthTimeoutSeconds=180 -Dbluegreen.keepOldSeconds=0 > "$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
    ended=$(date +%s%N)
    up=$(sed -n 's/.*; start to UP \([0-9.]*\) \(m\{0,1\}s\).*/\1 \2/p' "$log" | awk '{ print $2 == "s" ? $1 * 1000 : $1 }')
    echo "${up:-?} $(( (ended - began) / 1000000 ))"
}
wait_for_archive() { # the archive the server dumps after the switch (in the background)
    local i
    for ((i = 0; i < 600; i++)); do
        ls "$BLUEGREEN_IT_HOME"/bluegreen/"$1"/cds/*.jsa > /dev/null 2>&1 && return 0
        sleep 0.5
    done
    log "no archive for $1 after 5 minutes"; exit 1
}
restart() { # restart APP JAVA MODE: the live instance's command run again on a free port (as systemd runs it), start to UP in ms
    local app=$1 base=$BLUEGREEN_IT_HOME/bluegreen/$1 port jar args pid t0 t1 i
    port=$(sed -n 's/.*http:\/\/127.0.0.1:\([0-9]*\);.*/\1/p' "$BLUEGREEN_IT_NGINX_INCLUDE")
    jar=$(ls "$base"/releases/*/big-app-*.jar | while read -r j; do [ -f "$j.$port.args" ] && echo "$j"; done | tail -n 1)
    if [ "$3" = auto ]; then args=("@$jar.$port.args"); else args=(-jar "$(ls -t "$base"/releases/*/big-app-*.jar | head -n 1)"); fi
    t0=$(date +%s%N)
    setpriv --reuid="$BLUEGREEN_IT_USER" --regid="$BLUEGREEN_IT_USER" --init-groups "$2" "${args[@]}" --server.port=19189 > "$OUT/restart-$t0.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 3000; i++)); do
        curl -fs -o /dev/null http://127.0.0.1:19189/actuator/health && break
        sleep 0.05
    done
    t1=$(date +%s%N)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo $(( (t1 - t0) / 1000000 ))
}

{
    echo "| JVM | start | class-data sharing | start to UP, ms (each run) | median | deploy wall time, ms (each run) | median |"
    echo "|---|---|---|---|---|---|---|"
} > "$OUT/table.md"
row() { # row JVM WHAT MODE "UP WALL"...: a table row with the medians
    local jvm=$1 what=$2 mode=$3 ups walls
    shift 3
    ups=$(printf '%s\n' "$@" | awk '{ print $1 }' | tr '\n' ' ')
    walls=$(printf '%s\n' "$@" | awk '{ print $2 }' | tr '\n' ' ')
    echo "| $jvm | $what | $mode | $ups | $(median $ups) | $walls | $(median $walls) |" | tee -a "$OUT/table.md"
}
median() { printf '%s\n' "$@" | grep -v '^-*$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }

for java in ${JAVAS-java $JDK25}; do
    [ -x "$(command -v "$java")" ] || continue
    jvm=$("$java" -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/JDK \1/')
    for mode in off auto; do
        app=start-$mode-$( [ "$java" = java ] && echo 17 || echo 25 )
        deploy "$app" v1 "$mode" "$java" > /dev/null   # the first deploy (with auto: it trains the archive)
        [ "$mode" = off ] || wait_for_archive "$app"
        releases=(); rollbacks=(); restarts=()
        version=v1
        for ((r = 0; r < RUNS; r++)); do
            version=$([ "$version" = v1 ] && echo v2 || echo v1)
            releases+=("$(deploy "$app" "$version" "$mode" "$java")")
            rollbacks+=("$(deploy "$app" "$version" "$mode" "$java" rollback)")
            version=$([ "$version" = v1 ] && echo v2 || echo v1)   # the rollback went back to it
            restarts+=("$(restart "$app" "$java" "$mode") -")
        done
        row "$jvm" "new release, same libraries" "$mode" "${releases[@]}"
        row "$jvm" "rollback, its instance gone" "$mode" "${rollbacks[@]}"
        row "$jvm" "restart (the same command again)" "$mode" "${restarts[@]}"
    done
done

[ -n "${SYSTEMD:-}" ] || exit 0
SD_DIR=/tmp/bluegreen-startup-sdhost
"$ROOT/scripts/systemd-host/up.sh" "$SD_DIR" bgstart 10.213.99 > /dev/null
trap '"$ROOT/scripts/systemd-host/down.sh" "$SD_DIR" > /dev/null; "${SERVER[@]}" stop "$DIR"' EXIT
source "$SD_DIR/env.sh"
on() { "$ROOT/scripts/systemd-host/ssh.sh" "$SD_DIR" "$@"; }
TARGET=(-Dbluegreen.host="$BLUEGREEN_SD_HOST" -Dbluegreen.sshPort=22 -Dbluegreen.user="$BLUEGREEN_SD_USER"
    -Dbluegreen.identityFile="$BLUEGREEN_SD_KEY" -Dbluegreen.knownHosts="$BLUEGREEN_SD_KNOWN_HOSTS"
    -Dbluegreen.nginxInclude="$BLUEGREEN_SD_NGINX_INCLUDE" -Dbluegreen.nginxPidFile=/run/nginx.pid
    -Dbluegreen.nginxTestCommand="$BLUEGREEN_SD_NGINX_TEST" -Dbluegreen.nginxReloadCommand="$BLUEGREEN_SD_NGINX_RELOAD"
    -Dbluegreen.nginxErrorLog=/var/log/nginx/error.log -Dbluegreen.runner=systemd -Dbluegreen.bluePort=8080 -Dbluegreen.greenPort=8081)
live_port() { on deploy "sed -n 's/.*127.0.0.1:\([0-9]*\);.*/\1/p' '$BLUEGREEN_SD_NGINX_INCLUDE'"; }
crash() { # kill -9 of the live app, until systemd's restart of it answers UP (measured on the host); ms
    on root "port=$(live_port); pid=\$(ss -Hltnp \"sport = :\$port\" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
        kill -9 \$pid; t0=\$(date +%s%N); while kill -0 \$pid 2> /dev/null; do sleep 0.01; done
        until curl -fs -o /dev/null http://127.0.0.1:\$port/actuator/health; do sleep 0.05; done; echo \$(( (\$(date +%s%N) - t0) / 1000000 ))"
}
reboot() { # systemctl reboot of the whole host, until the app answers UP again through the host's nginx (measured here); ms
    local t0
    t0=$(date +%s%N)
    on root systemctl reboot || true
    while curl -fs -o /dev/null --max-time 1 "${BLUEGREEN_SD_HTTP_URL}actuator/health"; do sleep 0.05; done   # down
    until curl -fs -o /dev/null --max-time 1 "${BLUEGREEN_SD_HTTP_URL}actuator/health"; do sleep 0.05; done
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
echo "| systemd host | start | class-data sharing | kill -9 or reboot to UP, ms (each run) | median | |" | tee -a "$OUT/table.md"
for mode in off auto; do
    app=start-sd-$mode
    deploy "$app" v1 "$mode" java > /dev/null
    if [ "$mode" = auto ]; then   # an instance started from the archive (the second deploy maps the first one's)
        until on deploy "ls bluegreen/$app/cds/*.jsa" > /dev/null 2>&1; do sleep 0.5; done
        deploy "$app" v2 "$mode" java > /dev/null
    fi
    crashes=(); reboots=()
    for ((r = 0; r < RUNS; r++)); do crashes+=("$(crash) -"); sleep 5; done
    for ((r = 0; r < RUNS; r++)); do reboots+=("$(reboot) -"); sleep 10; done   # (after the boot's own services)
    row "systemd 252, JDK 17" "kill -9, systemd restarts it" "$mode" "${crashes[@]}"
    row "systemd 252, JDK 17" "systemctl reboot of the host" "$mode" "${reboots[@]}"
done
