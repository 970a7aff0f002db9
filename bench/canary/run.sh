#!/usr/bin/env bash
# Canary benchmark (issue 19): the same bad release (20 % of / answered HTTP 500, the stand-in app's
# --demo.fail-percent=20) deployed blue/green and as a 5 % canary, side by side in one run, under the benchmark's load
# (32 connections through a real nginx with the one-time canary setup). For each deploy: the requests that failed
# (nginx's status >= 500, or 499) in the same window, WINDOW_S seconds from the deploy's start, from nginx's access log.
# Target: canary <= 2 % of blue/green's, and the canary's build fails with its numbers. Then a good release through
# 5,25,50 %: 0 failed, each step as long as set, the measured share of each step.
#   usage: bench/canary/run.sh [RUNS]      RUNS pairs (default 2); results in target/bench-results/canary-<date>/
# Settings: WINDOW_S=40 STEP_S=20 CONCURRENCY=32
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
RUNS=${1:-2}
WINDOW_S=${WINDOW_S:-40}
STEP_S=${STEP_S:-20}
OUT=$ROOT/target/bench-results/canary-$(date +%Y%m%d-%H%M%S)
DIR=/tmp/bluegreen-canary-bench
SERVER=(env SSH_PORT=2246 NGINX_PORT=18098 DEPLOY_USER=bluegreen-canary "$ROOT/scripts/test-server.sh")
mkdir -p "$OUT"
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}"

"$ROOT/scripts/install-deps.sh"
(cd "$ROOT" && mvn -B -ntp -q install -DskipTests)
[ -f "$SHARED/load/load-gen.jar" ] || (cd "$SHARED/load" && ./build.sh > /dev/null)
"${SERVER[@]}" start "$DIR"
trap '[ -z "${load:-}" ] || kill "$load" 2>/dev/null; "${SERVER[@]}" stop "$DIR"' EXIT
"${SERVER[@]}" reset "$DIR"
source "$DIR/env.sh"
ACCESS=$DIR/nginx/logs/access.log
# the stand-in app (starts in well under a second; the fault is one of its options)
mkdir -p "$DIR/apps/stand-in"
javac -d "$DIR/apps/stand-in" "$ROOT/src/it/stand-in/StandIn.java"
jar --create --file "$DIR/apps/stand-in.jar" --main-class StandIn -C "$DIR/apps/stand-in" StandIn.class
chmod 755 "$DIR/apps"; chmod 644 "$DIR/apps/stand-in.jar"

deploy() { # deploy LOG APP_ARGS [MAVEN ARGS...]: a deploy of the stand-in (the pom takes every setting from -D)
    local log=$1 app_args=$2
    shift 2
    mvn -B -o -ntp -f "$ROOT/bench/chaos/pom.xml" deploy -Pbluegreen -Dbluegreen.host=127.0.0.1 \
        -Dbluegreen.sshPort="$BLUEGREEN_IT_SSH_PORT" -Dbluegreen.user="$BLUEGREEN_IT_USER" -Dbluegreen.identityFile="$BLUEGREEN_IT_KEY" \
        -Dbluegreen.knownHosts="$BLUEGREEN_IT_KNOWN_HOSTS" -Dbluegreen.nginxInclude="$BLUEGREEN_IT_NGINX_INCLUDE" \
        -Dbluegreen.nginxPidFile="$BLUEGREEN_IT_NGINX_PID" -Dbluegreen.nginxTestCommand="$BLUEGREEN_IT_NGINX_TEST" \
        -Dbluegreen.nginxReloadCommand="$BLUEGREEN_IT_NGINX_RELOAD" -Dbluegreen.nginxErrorLog="$DIR/nginx/logs/error.log" \
        -Dbluegreen.canaryLog="$DIR/nginx/logs/bluegreen-canary.log" -Dbluegreen.appName=canary-bench \
        -Dbluegreen.artifact="$DIR/apps/stand-in.jar" -Dbluegreen.bluePort=19080 -Dbluegreen.greenPort=19081 \
        -Dbluegreen.appArgs="$app_args" "$@" > "$log" 2>&1
}
failed_in() { # failed_in FROM_EPOCH SECONDS: "failed total" of the requests nginx answered in that window
    awk -v from="$1" -v to="$(awk -v f="$1" -v s="$2" 'BEGIN { printf "%.3f", f + s }')" \
        '$1 >= from && $1 < to { n++; if ($3 >= 500 || $3 == 499) f++ } END { printf "%d %d\n", f, n }' "$ACCESS"
}
settle() { # settle SECONDS: the window of the deploy before ends, and the load meets a steady good release
    sleep "$1"
}

deploy "$OUT/v1.log" --demo.version=v1 || { tail -30 "$OUT/v1.log"; exit 1; }
java -jar "$SHARED/load/load-gen.jar" --url="http://127.0.0.1:18098/" --concurrency="${CONCURRENCY:-32}" --max-seconds=7200 \
    --stop-file="$OUT/stop" --out="$OUT/load.txt" > /dev/null 2>&1 &
load=$!
sleep 10

{
    echo "| run | bad release (20 % of / fails) | deploy | build | failed / requests in the $WINDOW_S s from the deploy's start | canary's share of blue/green's |"
    echo "|---|---|---|---|---|---|"
} > "$OUT/table.md"
for run in $(seq "$RUNS"); do
    began=$(date +%s.%N)
    deploy "$OUT/run$run-bluegreen.log" --demo.version=bad$run,--demo.fail-percent=20 && build=DONE || build=FAILED
    took=$(awk -v b="$began" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - b }')
    settle "$(awk -v b="$began" -v w="$WINDOW_S" -v n="$(date +%s.%N)" 'BEGIN { s = b + w - n; printf "%d", (s > 0 ? s + 1 : 0) }')"
    bluegreen=$(failed_in "$began" "$WINDOW_S")
    echo "| $run | blue/green | ${took} s | $build | ${bluegreen% *} / ${bluegreen#* } | |" | tee -a "$OUT/table.md"
    deploy "$OUT/run$run-back.log" --demo.version=good$run || { tail -30 "$OUT/run$run-back.log"; exit 1; }   # a good release again
    sleep 10

    began=$(date +%s.%N)
    deploy "$OUT/run$run-canary.log" --demo.version=bad$run,--demo.fail-percent=20 -Dbluegreen.canary=5 \
        -Dbluegreen.canaryStepSeconds="$STEP_S" && build=DONE || build=FAILED
    took=$(awk -v b="$began" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - b }')
    settle "$(awk -v b="$began" -v w="$WINDOW_S" -v n="$(date +%s.%N)" 'BEGIN { s = b + w - n; printf "%d", (s > 0 ? s + 1 : 0) }')"
    canary=$(failed_in "$began" "$WINDOW_S")
    share=$(awk -v c="${canary% *}" -v b="${bluegreen% *}" 'BEGIN { if (b > 0) printf "%.2f %%", c * 100 / b; else print "-" }')
    echo "| $run | 5 % canary | ${took} s | $build | ${canary% *} / ${canary#* } | $share |" | tee -a "$OUT/table.md"
    grep -o 'the canary failed at 5 %: [^;]*' "$OUT/run$run-canary.log" | head -1 | sed 's/^/  build: /' | tee -a "$OUT/table.md"
    sleep 10
done

# a good release through three steps: nothing fails, each step lasts as set
began=$(date +%s.%N)
deploy "$OUT/good-canary.log" --demo.version=good-canary -Dbluegreen.canary=5,25,50 -Dbluegreen.canaryStepSeconds="$STEP_S" ||
    { tail -30 "$OUT/good-canary.log"; exit 1; }
took=$(awk -v b="$began" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - b }')
good=$(failed_in "$began" "$took")
{
    echo
    echo "good release, canary 5,25,50 % of $STEP_S s each: deploy ${took} s, failed / requests ${good% *} / ${good#* }, switch step: $(grep -o 'switch done in [^ ]* [a-z]*' "$OUT/good-canary.log")"
    grep '^\[INFO\] |' "$OUT/good-canary.log" | sed 's/^\[INFO\] //'
} | tee -a "$OUT/table.md"
touch "$OUT/stop"
wait "$load" || true
load=
echo "load: $(grep -E '^(total|failed)=' "$OUT/load.txt" | tr '\n' ' ')" | tee -a "$OUT/table.md"
