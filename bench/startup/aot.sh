#!/usr/bin/env bash
# What JDK 25's class-data mechanisms give a Spring Boot app, without the plugin (issue 20: "the AOT cache, and whether
# training it carries JIT profiles into the new instance; measure it, keep it only if it helps"). The jar runs from its
# libraries on a plain class path and its own classes last (the layout the plugin's class-data sharing makes), started:
#   cold     no archive of the libraries (only the JDK's own)
#   static   -Xshare:dump of the libraries alone, from the classes a run loaded: what the plugin makes per library set
#   linked   the same, with -XX:+AOTClassLinking (JEP 483): what the plugin makes on JDK 24 and later
#   cache    an AOT cache (JEP 483/514/515) of a training run of this very release, with its method profiles: valid only
#            for this class path, the app's own classes included
#   linked+  linked, with as much more warm-up as the cache's training took (what that time buys the new instance instead)
# For each start: launch to health UP; then 1 s of warm-up (linked+: more) (4 connections), p99 of the first 5 s under 32 connections,
# 15 s more, p99 of 5 s steady. Load: the benchmark's load generator straight to the app (no nginx, no other instance).
#   usage: bench/startup/aot.sh [JAR] [RUNS]   (default: the example app, 3 runs); results in target/bench-results/aot-<date>/
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR=$(readlink -f "${1:-$ROOT/examples/demo-app/target/demo-app.jar}")
RUNS=${2:-3}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
PORT=19590
OUT=$ROOT/target/bench-results/aot-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT/layout/libs" "$OUT/load"
[ -f "$JAR" ] || (cd "$ROOT/examples/demo-app" && mvn -B -ntp -q package -Dmaven.test.skip=true)
javac --release 17 -d "$OUT/load" "$ROOT/../shared/bench/load/LoadGen.java"
load() { java -XX:TieredStopAtLevel=1 -cp "$OUT/load" LoadGen --url="http://127.0.0.1:$PORT/" "$@" > /dev/null 2>&1; }
p99() { sed -n 's/^latency_p99_ms=//p' "$1"; }

# the layout: each library by itself (classpath.idx order), the app's classes as classes.jar, last
cd "$OUT/layout"
unzip -q "$JAR" 'BOOT-INF/*' -d x
main=$(unzip -p "$JAR" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Start-Class: //p')
cp=""
for lib in $(sed 's/^- "\(.*\)"$/\1/' x/BOOT-INF/classpath.idx); do
    mv "x/$lib" libs/ && cp="$cp$OUT/layout/libs/${lib##*/}:"
done
(cd x/BOOT-INF/classes && zip -qr "$OUT/layout/classes.jar" .)
rm -rf x
touch -d @0 libs/*.jar classes.jar   # the archives check each jar's size and time
libs=${cp%:}
cp=${cp}$OUT/layout/classes.jar

run() { # run NAME OPTIONS...: the app until it answers UP, 10 s of warm-up, stopped (a training run); its PID in $app
    "$JAVA" "${@:2}" -cp "$cp" "$main" --server.port=$PORT > "$OUT/$1.log" 2>&1 &
    app=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$PORT/actuator/health"; do sleep 0.05; done
}
run train -XX:DumpLoadedClassList="$OUT/layout/classes.list"
load --concurrency=4 --max-seconds=10 --out="$OUT/train.txt"
kill "$app"; wait "$app" || true
"$JAVA" -Xshare:dump -XX:SharedClassListFile=classes.list -XX:SharedArchiveFile=static.jsa -cp "$libs" > static.log 2>&1
"$JAVA" -Xshare:dump -XX:+AOTClassLinking -XX:SharedClassListFile=classes.list -XX:SharedArchiveFile=linked.jsa -cp "$libs" > linked.log 2>&1
began=$(date +%s%N)
run record -XX:AOTMode=record -XX:AOTConfiguration="$OUT/layout/app.aotconf"
load --concurrency=4 --max-seconds=10 --out="$OUT/record.txt"
kill "$app"; wait "$app" || true
"$JAVA" -XX:AOTMode=create -XX:AOTConfiguration=app.aotconf -XX:AOTCache=app.aot -cp "$cp" > create.log 2>&1
training=$(( ($(date +%s%N) - began) / 1000000 ))
echo "the cache's training run (start, 10 s of warm-up, exit) and its creation: $training ms" | tee "$OUT/training.txt"

echo "| start | launch to UP, ms | warm-up, ms | p99 first 5 s, ms | p99 steady, ms | ratio |" > "$OUT/table.md"
echo "|---|---|---|---|---|---|" >> "$OUT/table.md"
for ((r = 1; r <= RUNS; r++)); do
    for mode in cold static linked cache linked+; do
        warm=1000
        case $mode in
            cold) opts=() ;;
            static|linked) opts=(-Xshare:on -XX:SharedArchiveFile="$OUT/layout/$mode.jsa") ;;
            linked+) opts=(-Xshare:on -XX:SharedArchiveFile="$OUT/layout/linked.jsa"); warm=$((1000 + training)) ;;
            cache) opts=(-XX:AOTMode=on -XX:AOTCache="$OUT/layout/app.aot") ;;
        esac
        began=$(date +%s%N)
        run "$mode-$r" "${opts[@]}"
        up=$(( ($(date +%s%N) - began) / 1000000 ))
        load --concurrency=4 --max-seconds="$(awk -v ms="$warm" 'BEGIN { print ms / 1000 }')" --out="$OUT/$mode-$r-warm.txt"
        load --concurrency=32 --max-seconds=5 --out="$OUT/$mode-$r-first.txt"
        load --concurrency=32 --max-seconds=15 --out="$OUT/$mode-$r-settle.txt"
        load --concurrency=32 --max-seconds=5 --out="$OUT/$mode-$r-steady.txt"
        kill "$app"; wait "$app" || true
        first=$(p99 "$OUT/$mode-$r-first.txt"); steady=$(p99 "$OUT/$mode-$r-steady.txt")
        echo "| $mode | $up | $warm | $first | $steady | $(awk -v a="$first" -v b="$steady" 'BEGIN { printf "%.2f", a / b }') |" | tee -a "$OUT/table.md"
    done
done
echo "results: $OUT"
