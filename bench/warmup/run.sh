#!/usr/bin/env bash
# Warm-up benchmark (issue 13): the example Spring Boot app (examples/demo-app) under the benchmark's load (32
# connections through nginx), deployed with and without bluegreen.warmupPaths in the same run. For each deploy: p99 of
# the requests through nginx in the 5 s after the switch (the first answer from the new port) against the 5 s before
# the deploy began, from nginx's access log ($msec $request_time $status $upstream_addr). Target: with warm-up, p99 after
# <= 1.2 x p99 before.
#   usage: bench/warmup/run.sh [RUNS]      RUNS pairs (default 2); results in target/bench-results/warmup-<date>/
# Settings: WARMUP_REQUESTS=3000 WARMUP_CONCURRENCY=4 CONCURRENCY=32
# CONTROL=1: then, RUNS times, a deploy that keeps the old instance (keepOldSeconds) and a rollback to it 20 s later: the
# same switch, to an instance that is warm (it served the load before), against a switch to a new one with warm-up
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
RUNS=${1:-2}
OUT=$ROOT/target/bench-results/warmup-$(date +%Y%m%d-%H%M%S)
DIR=/tmp/bluegreen-warmup-bench
mkdir -p "$OUT"
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}"

"$ROOT/scripts/install-deps.sh"
(cd "$ROOT" && mvn -B -ntp -q install -DskipTests)
SSH_PORT=2242 NGINX_PORT=18095 DEPLOY_USER=bluegreen-warm "$ROOT/scripts/test-server.sh" start "$DIR"
trap 'SSH_PORT=2242 NGINX_PORT=18095 DEPLOY_USER=bluegreen-warm "$ROOT/scripts/test-server.sh" stop "$DIR"' EXIT
SSH_PORT=2242 NGINX_PORT=18095 DEPLOY_USER=bluegreen-warm "$ROOT/scripts/test-server.sh" reset "$DIR"
source "$DIR/env.sh"
ACCESS=$DIR/nginx/logs/access.log

deploy() { # deploy VERSION LOG [MAVEN ARGS...]: prints the epoch second (with ms) the deploy began
    local version=$1 log=$2 began
    shift 2
    began=$(date +%s.%N)
    mvn -B -o -ntp -f "$ROOT/examples/demo-app/pom.xml" deploy -Pbluegreen -Ddemo.version="$version" "$@" > "$log" 2>&1 ||
        { echo "deploy failed, see $log" >&2; tail -30 "$log" >&2; exit 1; }
    echo "$began"
}
p99() { # p99 FROM TO [UPSTREAM_PORT]: p99 in ms of the requests that ended in [FROM, TO) (epoch s), as "p99 count"
    awk -v from="$1" -v to="$2" -v port="${3:-}" '$1 >= from && $1 < to && (port == "" || $4 ~ ":" port "$") { print $2 * 1000 }' "$ACCESS" |
        sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- 0"; exit } i = int(NR * 0.99 + 0.999); if (i > NR) i = NR; printf "%.0f %d\n", v[i], NR }'
}
switched_at() { # switched_at SINCE PORT: the end time of the first request after SINCE answered from PORT
    awk -v since="$1" -v port="$2" '$1 >= since && $4 ~ ":" port "$" { print $1; exit }' "$ACCESS"
}

measure() { # measure BEGAN PORT WHAT WARM: a table row, p99 in the 5 s before BEGAN against the 5 s after PORT first answered
    local at before after ratio verdict
    at=$(switched_at "$1" "$2")
    before=$(p99 "$(awk -v b="$1" 'BEGIN { printf "%.3f", b - 5 }')" "$1")
    after=$(p99 "$at" "$(awk -v a="$at" 'BEGIN { printf "%.3f", a + 5 }')")
    ratio=$(awk -v b="${before% *}" -v a="${after% *}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r != "-" && r <= 1.2) ? "met" : "missed" }')
    echo "| $3 | $4 | ${before% *} (${before#* }) | ${after% *} (${after#* }) | $ratio | $verdict |" | tee -a "$OUT/table.md"
}

echo "| deploy | warm-up | p99 5 s before (ms, requests) | p99 5 s after the switch (ms, requests) | ratio | target <= 1.2 |" > "$OUT/table.md"
echo "|---|---|---|---|---|---|" >> "$OUT/table.md"
deploy v1 "$OUT/v1.log" > /dev/null
java -jar "$SHARED/load/load-gen.jar" --url="http://127.0.0.1:18095/" --concurrency="${CONCURRENCY:-32}" --max-seconds=3000 \
    --stop-file="$OUT/stop" --out="$OUT/load.txt" > /dev/null 2>&1 &
load=$!
sleep 30   # v1 under load until its JIT settled: the "before" figures are of a warm JVM
version=v1
port=19080
for run in $(seq "$RUNS"); do
    for warm in no yes; do
        version=$([ "$version" = v1 ] && echo v2 || echo v1)
        port=$([ "$port" = 19080 ] && echo 19081 || echo 19080)
        args=()
        [ "$warm" = no ] || args=(-Dbluegreen.warmupPaths=/ -Dbluegreen.warmupRequests="${WARMUP_REQUESTS:-3000}"
            -Dbluegreen.warmupConcurrency="${WARMUP_CONCURRENCY:-4}")
        began=$(deploy "$version" "$OUT/run$run-warm-$warm.log" "${args[@]}")
        measure "$began" "$port" "run $run, to $version" "$warm"
        sleep 20   # the new version under load a while before the next deploy
    done
done
for run in $( [ -n "${CONTROL:-}" ] && seq "$RUNS" ); do
    version=$([ "$version" = v1 ] && echo v2 || echo v1)
    port=$([ "$port" = 19080 ] && echo 19081 || echo 19080)
    began=$(deploy "$version" "$OUT/control$run.log" -Dbluegreen.keepOldSeconds=600 -Dbluegreen.warmupPaths=/ \
        -Dbluegreen.warmupRequests="${WARMUP_REQUESTS:-3000}" -Dbluegreen.warmupConcurrency="${WARMUP_CONCURRENCY:-4}")
    measure "$began" "$port" "control $run, to $version, a new instance" yes
    sleep 20
    version=$([ "$version" = v1 ] && echo v2 || echo v1)
    port=$([ "$port" = 19080 ] && echo 19081 || echo 19080)
    began=$(date +%s.%N)
    mvn -B -o -ntp -f "$ROOT/examples/demo-app/pom.xml" bluegreen:rollback -Pbluegreen > "$OUT/control$run-rollback.log" 2>&1 ||
        { echo "rollback failed, see $OUT/control$run-rollback.log" >&2; exit 1; }
    measure "$began" "$port" "control $run, back to $version, its instance warm" "(served before)"
    sleep 20
done
touch "$OUT/stop"
wait "$load" || true
echo "load: $(grep -E '^(total|failed)=' "$OUT/load.txt" | tr '\n' ' ')" | tee -a "$OUT/table.md"
