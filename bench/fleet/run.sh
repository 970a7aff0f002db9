#!/usr/bin/env bash
# Fleet benchmark (issue 11): the wall time of one deploy to 1, 2, 4 (and 8) hosts, under load through the front
# balancer, with the benchmark's stand-in app (its start-up is a timed delay, so the figure measures the plugin's
# orchestration, not JVMs competing for this machine's two cores). Each size: boot the fleet, deploy v1 (not measured),
# start the load, deploy v2 (measured: wall time, failed requests), power the fleet off.
#   usage: bench/fleet/run.sh [SIZES...]        default: 1 2 4 8; writes target/bench-results/fleet-<date>/
# Settings: STARTUP_DELAY=5 WORK_MS=200 CONCURRENCY=32 SWITCH_MODE=rolling RUNS=2 (measured deploys per size)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
SIZES=("$@")
[ $# -gt 0 ] || SIZES=(1 2 4 8)
RUNS=${RUNS:-2}
export STARTUP_DELAY=${STARTUP_DELAY:-5} WORK_MS=${WORK_MS:-200} BENCH_APP_JAR=$SHARED/app/demo-app.jar
OUT=$ROOT/target/bench-results/fleet-$(date +%Y%m%d-%H%M%S)
FLEET=/tmp/bluegreen-bench-fleet
mkdir -p "$OUT"
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}"

"$ROOT/scripts/install-deps.sh"
(cd "$ROOT" && mvn -B -ntp -q install -DskipTests)
trap '"$ROOT/scripts/fleet.sh" down "$FLEET"' EXIT

deploy() { # deploy VERSION LOG: prints the wall time in seconds
    local t0 t1
    t0=$(date +%s%N)
    APP_VERSION=$1 mvn -B -o -ntp -f "$HERE/pom.xml" deploy -Dbluegreen.switchMode="${SWITCH_MODE:-rolling}" > "$2" 2>&1 ||
        { echo "deploy failed, see $2" >&2; tail -30 "$2" >&2; return 1; }
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}

echo "| hosts | run | deploy wall s | requests | failed | slowest host |" > "$OUT/table.md"
echo "|---|---|---|---|---|---|" >> "$OUT/table.md"
for n in "${SIZES[@]}"; do
    "$ROOT/scripts/fleet.sh" up "$FLEET" "$n" 18700 10.215 bfleet
    source "$FLEET/env.sh"
    deploy v1 "$OUT/hosts$n-v1.log" > /dev/null
    for run in $(seq "$RUNS"); do
        version=$([ $((run % 2)) = 1 ] && echo v2 || echo v1)
        rm -f "$OUT/stop"
        java -jar "$SHARED/load/load-gen.jar" --url="$BLUEGREEN_FLEET_FRONT_URL/" --concurrency="${CONCURRENCY:-32}" \
            --max-seconds=600 --stop-file="$OUT/stop" --out="$OUT/hosts$n-run$run.load" > /dev/null 2>&1 &
        load=$!
        sleep 2
        wall=$(deploy "$version" "$OUT/hosts$n-run$run.log")
        sleep 2
        touch "$OUT/stop"
        wait "$load" || true
        total=$(sed -n 's/^total=//p' "$OUT/hosts$n-run$run.load")
        failed=$(sed -n 's/^failed=//p' "$OUT/hosts$n-run$run.load")
        slowest=$(grep -o 'slowest: .*' "$OUT/hosts$n-run$run.log" | head -1 | sed 's/slowest: //' || true)   # one host: none
        echo "| $n | $run | $wall | $total | $failed | ${slowest:--} |" | tee -a "$OUT/table.md"
    done
    "$ROOT/scripts/fleet.sh" down "$FLEET"
done
cat "$OUT/table.md"
