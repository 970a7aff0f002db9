#!/usr/bin/env bash
# Latency benchmark (issue 18): what a deploy from a far-away CI runner costs. The stand-in app (health UP 1 s after its
# launch) over SSH through bench/upload/delay-proxy.py, a relay that adds RTT ms of round trip (this kernel has no
# netem), under load through nginx; at each RTT, DEPLOYS deploys (alternating versions, the first one not measured
# at RTT 0: it only makes the server non-empty), alternating between the RTTs round by round. Per deploy: Maven's wall
# time, Maven's own "Total time" (the wall time without the start and end of its JVM, which no round trip touches),
# each goal's time (the state file's step.*.ms); the load's failed requests over all deploys. Per RTT: the medians, the
# extra time over RTT 0, and the round trips in effect (extra time / RTT), for the deploy and per goal.
#
#   usage: bench/latency/run.sh [RTTS]          as root; RTTS default "0 50 150 300"
# Settings: DEPLOYS (3), SSH_PORT (2332), PROXY_PORT (2342: a relay per RTT on it and the next ports), NGINX_PORT (18280), DEPLOY_USER (bluegreen-lat): a server of
# its own (scripts/test-server.sh), so that it can run beside the test suite. Writes target/bench-results/latency-<date>/
# (every Maven log, state files, rows.tsv, table.md) and prints table.md. Stops everything it started, by PID.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
RTTS=${1:-0 50 150 300}
DEPLOYS=${DEPLOYS:-3}
export SSH_PORT=${SSH_PORT:-2332} NGINX_PORT=${NGINX_PORT:-18280} DEPLOY_USER=${DEPLOY_USER:-bluegreen-lat}
PROXY_PORT=${PROXY_PORT:-2342}
WORK=/tmp/bluegreen-latency   # outside the checkout: the deploy user must read the jar
OUT=$ROOT/target/bench-results/latency-$(date -u +%Y%m%d-%H%M%S)
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}"
PROXY_PIDS=()
LOAD_PID=""

log() { echo "latency-bench: $*" >&2; }
stop_pid() { [ -z "$1" ] || { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; }
cleanup() {
    local pid
    stop_pid "$LOAD_PID"
    for pid in "${PROXY_PIDS[@]}"; do stop_pid "$pid"; done
    "$ROOT/scripts/test-server.sh" stop "$WORK/server" > /dev/null 2>&1 || log "test-server.sh stop failed"
}

[ "$(id -u)" = 0 ] || { log "run as root (a deploy user, sshd, nginx)"; exit 2; }
"$ROOT/scripts/install-deps.sh"
mkdir -p "$OUT/raw" "$WORK"
trap cleanup EXIT
trap 'exit 130' INT TERM
(cd "$ROOT" && mvn -B -q -ntp -DskipTests install)
[ -f "$SHARED/load/load-gen.jar" ] || "$SHARED/load/build.sh" > /dev/null
mkdir -p "$WORK/stand-in"
javac -d "$WORK/stand-in" "$ROOT/src/it/stand-in/StandIn.java"
jar --create --file "$WORK/stand-in.jar" --main-class StandIn -C "$WORK/stand-in" StandIn.class
chmod 755 "$WORK"; chmod 644 "$WORK/stand-in.jar"
"$ROOT/scripts/test-server.sh" start "$WORK/server" > "$OUT/server.log" 2>&1
. "$WORK/server/env.sh"
i=0
for rtt in $RTTS; do
    sed "s/^\[127.0.0.1\]:$SSH_PORT /[127.0.0.1]:$((PROXY_PORT + i)) /" "$BLUEGREEN_IT_KNOWN_HOSTS" > "$WORK/known_hosts.relay-$((PROXY_PORT + i))"
    i=$((i + 1))
done
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    java -version 2>&1 | head -1 || true
} > "$OUT/environment.txt"

# deploy RTT N: one measured deploy (version vN); appends a row to rows.tsv
deploy() {
    local rtt=$1 n=$2 port=$SSH_PORT known=$BLUEGREEN_IT_KNOWN_HOSTS raw=$OUT/raw/rtt$1-$2 t0 t1 rc=0 maven
    if [ "$rtt" != 0 ]; then port=$3; known=$WORK/known_hosts.relay-$3; fi
    t0=$(date +%s%N)
    mvn -B -o -ntp -f "$ROOT/bench/chaos/pom.xml" deploy -Pbluegreen -Dbluegreen.artifact="$WORK/stand-in.jar" \
        -Dbluegreen.appName=latency -Dbluegreen.appArgs="--demo.version=v$n,--demo.ready-after-ms=1000" \
        -Dbluegreen.host=127.0.0.1 -Dbluegreen.sshPort="$port" -Dbluegreen.user="$BLUEGREEN_IT_USER" \
        -Dbluegreen.identityFile="$BLUEGREEN_IT_KEY" -Dbluegreen.knownHosts="$known" \
        -Dbluegreen.bluePort=18290 -Dbluegreen.greenPort=18291 -Dbluegreen.nginxInclude="$BLUEGREEN_IT_NGINX_INCLUDE" \
        -Dbluegreen.nginxPidFile="$BLUEGREEN_IT_NGINX_PID" -Dbluegreen.nginxTestCommand="$BLUEGREEN_IT_NGINX_TEST" \
        -Dbluegreen.nginxReloadCommand="$BLUEGREEN_IT_NGINX_RELOAD" \
        -Dbluegreen.nginxErrorLog="$BLUEGREEN_IT_DIR/nginx/logs/error.log" > "$raw.log" 2>&1 || rc=$?
    t1=$(date +%s%N)
    cp "$BLUEGREEN_IT_HOME/bluegreen/latency/state.properties" "$raw.state" 2>/dev/null || : > "$raw.state"
    [ "$rc" = 0 ] || { log "deploy at RTT $rtt failed (exit $rc): $raw.log"; tail -20 "$raw.log" >&2; }
    local step ms=()
    for step in detect start healthcheck switch cleanup; do ms+=("$(sed -n "s/^step\.$step\.ms=//p" "$raw.state")"); done
    maven=$(sed -n 's/^\[INFO\] Total time: *\([0-9.]*\) s$/\1/p' "$raw.log")   # Maven's own time, without its JVM's start and end
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rtt" "$n" "$rc" "$(( (t1 - t0) / 1000000 ))" "${ms[*]}" "${maven:-0}" | tr ' ' '\t' >> "$OUT/rows.tsv"
}

: > "$OUT/rows.tsv"
PROXY_PIDS=()
i=0
for rtt in $RTTS; do   # a relay per RTT, on PROXY_PORT + its index: the deploys alternate between them
    if [ "$rtt" != 0 ]; then
        python3 "$ROOT/bench/upload/delay-proxy.py" "$((PROXY_PORT + i))" "$SSH_PORT" "$rtt" 7200 >> "$OUT/relay.log" 2>&1 &
        PROXY_PIDS+=($!)
    fi
    i=$((i + 1))
done
sleep 0.5
version=1
deploy 0 "$version" && sed -i '$d' "$OUT/rows.tsv"   # the server's first deploy: not measured
rm -f "$WORK/stop"
# the load: 8 connections (closed loop): requests always in flight, some CPU left for Maven on a 2-core machine
java -jar "$SHARED/load/load-gen.jar" --url="http://127.0.0.1:$NGINX_PORT/" --concurrency=8 --max-seconds=3600 \
    --stop-file="$WORK/stop" --out="$OUT/raw/load" > /dev/null 2>&1 &
LOAD_PID=$!
sleep 2
for round in $(seq "$DEPLOYS"); do   # alternating: a drift of the machine's speed touches every RTT alike
    i=0
    for rtt in $RTTS; do
        version=$((version + 1))
        log "round $round, RTT $rtt ms: deploy of v$version"
        deploy "$rtt" "$version" "$((PROXY_PORT + i))"
        i=$((i + 1))
    done
done
sleep 2
touch "$WORK/stop"
wait "$LOAD_PID" || true
LOAD_PID=""
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
echo "load through nginx over all deploys: $(sed -n 's/^total=//p' "$OUT/raw/load") requests, $(sed -n 's/^failed=//p' "$OUT/raw/load") failed" \
    > "$OUT/load.txt"

# rows.tsv: RTT N EXIT WALL_MS DETECT START HEALTHCHECK SWITCH CLEANUP (ms) MAVEN_S (Maven's "Total time")
awk -F'\t' '
    function median(key,   n, i, j, t, v) {
        n = count[key]
        for (i = 1; i <= n; i++) v[i] = val[key, i]
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function add(key, x) { val[key, ++count[key]] = x }
    {
        if (!($1 in seen)) { seen[$1] = 1; order[++rtts] = $1 }
        add($1 SUBSEP "wall", $4); add($1 SUBSEP "maven", $10 * 1000); for (g = 1; g <= 5; g++) add($1 SUBSEP g, $(4 + g))
        if ($3 != 0) bad[$1]++
        walls[$1] = walls[$1] (walls[$1] == "" ? "" : ", ") sprintf("%.2f", $4 / 1000)
    }
    END {
        print "| RTT ms | deploys (wall s) | median wall s | extra over RTT 0 s (wall) | round trips in effect (wall) | median Maven time s | extra (Maven time) s | round trips in effect (Maven time) | detect / start / healthcheck / switch / cleanup s (median) | round trips per goal | failed deploys |"
        print "|---|---|---|---|---|---|---|---|---|---|---|"
        base = order[1]
        for (i = 1; i <= rtts; i++) {
            r = order[i]; extra = (median(r SUBSEP "wall") - median(base SUBSEP "wall")) / 1000
            mextra = (median(r SUBSEP "maven") - median(base SUBSEP "maven")) / 1000
            goals = ""; trips = ""
            for (g = 1; g <= 5; g++) {
                goals = goals (g > 1 ? " / " : "") sprintf("%.2f", median(r SUBSEP g) / 1000)
                trips = trips (g > 1 ? " / " : "") (r == 0 ? "-" : sprintf("%.1f", (median(r SUBSEP g) - median(base SUBSEP g)) / r))
            }
            print "| " r " | " walls[r] " | " sprintf("%.2f", median(r SUBSEP "wall") / 1000) " | " (r == base ? "-" : sprintf("%+.2f", extra)) \
                " | " (r == 0 ? "-" : sprintf("%.1f", extra * 1000 / r)) " | " sprintf("%.2f", median(r SUBSEP "maven") / 1000) \
                " | " (r == base ? "-" : sprintf("%+.2f", mextra)) " | " (r == 0 ? "-" : sprintf("%.1f", mextra * 1000 / r)) \
                " | " goals " | " trips " | " bad[r] + 0 " |"
        }
    }' "$OUT/rows.tsv" > "$OUT/table.md"
cat "$OUT/load.txt" >> "$OUT/table.md"
cat "$OUT/table.md"
log "raw output: $OUT"
