#!/usr/bin/env bash
# Upload benchmark (issue 14): how many bytes, how long and how many requests the plugin's upload of only what changed
# takes for a petclinic-sized Spring Boot jar (bench/upload/big-app, ~67 MB), compared with a full upload in the same run.
#
#   usage: bench/upload/run.sh [ROUNDS]          as root, from anywhere; ROUNDS (default 2) runs of every row
#
# Links (LINKS, default "loopback shaped delay50"):
#   loopback  the project's test server (scripts/test-server.sh: sshd on 127.0.0.1:SSH_PORT, nginx, a deploy user)
#   shaped    the systemd test host (scripts/systemd-host/up.sh), its veth ve-SD_NAME shaped on this side with
#             `tc qdisc ... tbf rate RATE` (upload direction; checked with a 5 MB scp first); app as a systemd unit
#   delay50   the loopback server through bench/upload/delay-proxy.py, which adds RTT_MS of round-trip time (this
#             kernel has no netem): what the request count costs on a link with latency, measured
# Rows, in this order in every round, on a server emptied first (no release, no blob):
#   first      v1 on the empty server: everything is sent; this IS the full upload of the jar
#   change     v2: one class changed (VersionController's constant edited, `mvn package` again)
#   same       v2 again: nothing to send
#   change-c1  v3 (one class changed again) with MAVEN_OPTS=-XX:TieredStopAtLevel=1, as bench/deploy.sh runs Maven
#              (the other rows run Maven's default JVM): the client-side hashing under C1 only
#   scp        reference: a plain `scp` of the v1 jar over the same link (OpenSSH, SFTP protocol)
# Each deploy is the plugin's full flow (detect start healthcheck switch cleanup, bench/upload/pom.xml). Per row:
# bytes sent and reused and the upload's time and requests as the plugin records them (state.properties
# target.upload.*), the start step (upload + rebuild and SHA-256 check on the server + launch), the deploy's wall time,
# whether / answers the new version through nginx and the server's jar is byte-identical to the local one (sha256sum).
#
# Settings (environment): LINKS, RATE (20mbit), RTT_MS (50), SSH_PORT (2232), NGINX_PORT (18090), DEPLOY_USER
# (bluegreen-bench), LO_DIR (/tmp/bluegreen-upload-bench), PROXY_PORT (2242), SD_DIR (/tmp/bluegreen-upbench-sd),
# SD_NAME (upbench), SD_NET (10.213.95), PLUGIN_VERSION (0.1.0-SNAPSHOT: `mvn install -DskipTests` first; on a machine
# where others install snapshots meanwhile, install a copy under a version of its own, e.g. git archive HEAD, the
# pom's version set to 0.1.0-upbench-COMMIT, and PLUGIN_VERSION=0.1.0-upbench-COMMIT: run.sh notes the plugin jar's
# SHA-256 before and after and warns if it changed during the run).
# Ports other than the test suite's (2222/18080) so that both can run at once.
# Raw output: target/bench-results/upload-<date>/ (jar builds, every Maven log, state files, rows.tsv, table.md).
# Prints the Markdown table on stdout. Stops everything it started (relay by PID, tc qdisc, test host with down.sh,
# test server with test-server.sh stop), also on failure or Ctrl-C.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${1:-2}
LINKS=${LINKS:-loopback shaped delay50}
RATE=${RATE:-20mbit}
RTT_MS=${RTT_MS:-50}
SSH_PORT=${SSH_PORT:-2232}
NGINX_PORT=${NGINX_PORT:-18090}
DEPLOY_USER=${DEPLOY_USER:-bluegreen-bench}
LO_DIR=${LO_DIR:-/tmp/bluegreen-upload-bench}
PROXY_PORT=${PROXY_PORT:-2242}
SD_DIR=${SD_DIR:-/tmp/bluegreen-upbench-sd}
SD_NAME=${SD_NAME:-upbench}
SD_NET=${SD_NET:-10.213.95}
PLUGIN_VERSION=${PLUGIN_VERSION:-0.1.0-SNAPSHOT}
PLUGIN=io.github.bluegreen:bluegreen-maven-plugin:$PLUGIN_VERSION
PLUGIN_JAR=$HOME/.m2/repository/io/github/bluegreen/bluegreen-maven-plugin/$PLUGIN_VERSION/bluegreen-maven-plugin-$PLUGIN_VERSION.jar
APP=big-app
OUT=$ROOT/target/bench-results/upload-$(date -u +%Y%m%d-%H%M%S)

STARTED_LO=0
STARTED_SD=0
SHAPED=0
PROXY_PID=""
PLUGIN_SHA=""

log() { echo "upload-bench: $*" >&2; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | awk '{ printf "%.2f", $1 }'; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$PROXY_PID" ]; then
        kill -TERM "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
    fi
    if [ "$SHAPED" = 1 ]; then tc qdisc del dev "ve-$SD_NAME" root 2>/dev/null || true; fi
    if [ "$STARTED_SD" = 1 ]; then "$ROOT/scripts/systemd-host/down.sh" "$SD_DIR" >> "$OUT/servers.log" 2>&1 || log "down.sh failed"; fi
    if [ "$STARTED_LO" = 1 ]; then
        SSH_PORT=$SSH_PORT NGINX_PORT=$NGINX_PORT DEPLOY_USER=$DEPLOY_USER \
            "$ROOT/scripts/test-server.sh" stop "$LO_DIR" >> "$OUT/servers.log" 2>&1 || log "test-server.sh stop failed"
    fi
    [ "$rc" = 0 ] || log "failed (exit $rc); raw output in $OUT"
    exit "$rc"
}

# ---- the jars: v1, v2, v3 of big-app, each differing from the one before in VersionController only

build_jars() {
    local src=$OUT/build/$APP v
    mkdir -p "$OUT/build"
    cp -r "$HERE/$APP" "$OUT/build/"
    rm -rf "$src/target"
    for v in v1 v2 v3; do
        sed -i -E "s/VERSION = \"[^\"]*\"/VERSION = \"$v\"/" "$src/src/main/java/io/github/bluegreen/bench/bigapp/VersionController.java"
        log "building $APP $v (mvn package)"
        (cd "$src" && mvn -B -ntp -q package -DskipTests) > "$OUT/build/$v.log" 2>&1
        mkdir -p "$OUT/jars/$v"
        cp "$src/target/$APP.jar" "$OUT/jars/$v/$APP.jar"
    done
    # which entries' contents differ from one version to the next (CRC): the class, nothing else
    python3 - "$OUT/jars" > "$OUT/jar-diff.txt" <<'PY'
import sys, zipfile
base = sys.argv[1]
def entries(v):
    with zipfile.ZipFile(f"{base}/{v}/big-app.jar") as z:
        return {i.filename: (i.CRC, i.file_size, i.compress_type) for i in z.infolist()}
for a, b in (("v1", "v2"), ("v2", "v3")):
    ea, eb = entries(a), entries(b)
    changed = sorted(n for n in ea.keys() & eb.keys() if ea[n][:2] != eb[n][:2])
    only = sorted(ea.keys() ^ eb.keys())
    libs = [n for n in eb if n.startswith("BOOT-INF/lib/")]
    stored = [n for n in libs if eb[n][2] == zipfile.ZIP_STORED]
    print(f"{a} -> {b}: {len(eb)} entries, {len(libs)} libraries ({len(stored)} stored); content changed: "
          f"{', '.join(changed) or 'none'}; added/removed: {', '.join(only) or 'none'}")
PY
}

# ---- the client side of the upload, timed call by call (bench/upload/parts)

# the plugin jar and its runtime libraries (JarLayers reads zip entries with commons-compress)
plugin_classpath() {
    mvn -q -o -ntp -f "$ROOT/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/plugin.classpath" > /dev/null
    echo "$PLUGIN_JAR:$(cat "$OUT/plugin.classpath")"
}

upload_parts() {
    mkdir -p "$OUT/parts"
    PLUGIN_CP=$(plugin_classpath)
    javac -d "$OUT/parts" -cp "$PLUGIN_CP" "$HERE/parts/io/github/bluegreen/core/UploadParts.java"
    {
        echo "# v2 against v1 (what the change row computes), 3 rounds in one JVM; round 1 = a Maven run's cost"
        echo "## Maven's default JVM"
        java -cp "$PLUGIN_CP:$OUT/parts" io.github.bluegreen.core.UploadParts "$OUT/jars/v2/$APP.jar" "$OUT/jars/v1/$APP.jar" 3
        echo "## -XX:TieredStopAtLevel=1 (C1 only)"
        java -XX:TieredStopAtLevel=1 -cp "$PLUGIN_CP:$OUT/parts" io.github.bluegreen.core.UploadParts "$OUT/jars/v2/$APP.jar" "$OUT/jars/v1/$APP.jar" 3
    } > "$OUT/upload-parts.txt" 2>&1
}

# ---- the server's side of a re-deploy: the jar rebuilt from blobs and gaps by server.sh's own assemble function (taken
# from the plugin jar), then sha256sum, as the start command does; on this machine's disk, page cache warm

rebuild_timing() {
    local dir=$OUT/rebuild cp=$PLUGIN_CP:$OUT/parts
    mkdir -p "$dir/server"
    java -cp "$cp" io.github.bluegreen.core.UploadParts "$OUT/jars/v1/$APP.jar" "" 1 "$dir/v1" > "$dir/bundles.txt"
    java -cp "$cp" io.github.bluegreen.core.UploadParts "$OUT/jars/v2/$APP.jar" "$OUT/jars/v1/$APP.jar" 1 "$dir/v2" >> "$dir/bundles.txt"
    unzip -p "$PLUGIN_JAR" io/github/bluegreen/core/server.sh | sed -n '/^assemble() {/,/^}/p' > "$dir/assemble.sh"
    {
        echo "# v1's bundle (every blob new) into an empty blobs/, then v2's (every blob kept) three times; expected v2 sha256 $(sha256sum "$OUT/jars/v2/$APP.jar" | cut -d' ' -f1)"
        # shellcheck disable=SC2016 # expanded by sh, not here
        sh -c '
            set -u
            dir=$1
            . "$dir/assemble.sh"
            base=$dir/server
            ms() { echo $(( $(date +%s%N) / 1000000 )); }
            t0=$(ms)
            assemble "$dir/v1/bundle.manifest" "$dir/v1/bundle.data" "$base/v1.jar" || echo "v1 rebuild failed"
            echo "v1 from nothing: rebuild_ms=$(( $(ms) - t0 )) blobs=$(ls "$base/blobs" | wc -l)"
            for i in 1 2 3; do
                t0=$(ms)
                assemble "$dir/v2/bundle.manifest" "$dir/v2/bundle.data" "$base/v2.jar" || echo "v2 rebuild failed"
                t1=$(ms)
                sum=$(sha256sum "$base/v2.jar.tmp")
                echo "v2 from blobs, round $i: rebuild_ms=$(( t1 - t0 )) sha256sum_ms=$(( $(ms) - t1 )) sha256 ${sum%% *}"
            done' sh "$dir"
    } > "$OUT/server-rebuild.txt" 2>&1
    rm -rf "$dir/server" "$dir/v1" "$dir/v2"
}

# ---- servers

lo_start() {
    log "starting the test server in $LO_DIR (sshd 127.0.0.1:$SSH_PORT, nginx 127.0.0.1:$NGINX_PORT, user $DEPLOY_USER)"
    STARTED_LO=1
    SSH_PORT=$SSH_PORT NGINX_PORT=$NGINX_PORT DEPLOY_USER=$DEPLOY_USER "$ROOT/scripts/test-server.sh" start "$LO_DIR" >> "$OUT/servers.log" 2>&1
    # shellcheck disable=SC1091
    . "$LO_DIR/env.sh"
    sed "s/^\[127.0.0.1\]:$SSH_PORT /[127.0.0.1]:$PROXY_PORT /" "$LO_DIR/ssh/known_hosts" > "$OUT/known_hosts.proxy"
}

lo_reset() {
    SSH_PORT=$SSH_PORT NGINX_PORT=$NGINX_PORT DEPLOY_USER=$DEPLOY_USER "$ROOT/scripts/test-server.sh" reset "$LO_DIR" >> "$OUT/servers.log" 2>&1
}

sd_start() {
    local start t
    log "booting the systemd test host $SD_NAME ($SD_NET.2, $SD_DIR)"
    STARTED_SD=1
    "$ROOT/scripts/systemd-host/up.sh" "$SD_DIR" "$SD_NAME" "$SD_NET" >> "$OUT/servers.log" 2>&1
    # shellcheck disable=SC1091
    . "$SD_DIR/env.sh"
    SHAPED=1
    tc qdisc add dev "ve-$SD_NAME" root tbf rate "$RATE" burst 32kbit latency 400ms
    tc qdisc show dev "ve-$SD_NAME" >> "$OUT/link.txt"
    head -c 5000000 /dev/urandom > "$OUT/5mb.bin"
    start=$(now)
    scp -q "${SD_SSH[@]/#-p/-P}" "$OUT/5mb.bin" "$BLUEGREEN_SD_USER@$BLUEGREEN_SD_HOST:/tmp/5mb.bin"
    t=$(since "$start")
    rm -f "$OUT/5mb.bin"
    echo "shaping check: scp of 5 000 000 bytes to $BLUEGREEN_SD_HOST over ve-$SD_NAME ($RATE): $t s (incl. SSH login)" | tee -a "$OUT/link.txt" >&2
}

sd_reset() {
    "$ROOT/scripts/systemd-host/ssh.sh" "$SD_DIR" root sh -s >> "$OUT/servers.log" 2>&1 <<RESET
set -u
uid=\$(id -u deploy)
as_deploy() { runuser -u deploy -- env XDG_RUNTIME_DIR=/run/user/\$uid "\$@"; }
for u in \$(as_deploy systemctl --user list-units --all --plain --no-legend '$APP@*' | awk '{print \$1}'); do
    as_deploy systemctl --user stop "\$u"; as_deploy systemctl --user disable --quiet "\$u"
done
rm -f /home/deploy/.config/systemd/user/$APP@.service
as_deploy systemctl --user daemon-reload
rm -rf /home/deploy/bluegreen /home/deploy/scp-ref.jar /etc/nginx/bluegreen/service-url.inc*
systemctl reload nginx
RESET
}

proxy_start() {
    log "relay 127.0.0.1:$PROXY_PORT -> 127.0.0.1:$SSH_PORT adding $RTT_MS ms of RTT"
    python3 "$HERE/delay-proxy.py" "$PROXY_PORT" "$SSH_PORT" "$RTT_MS" 3600 >> "$OUT/servers.log" 2>&1 &
    PROXY_PID=$!
    sleep 0.5
}

# ---- one link's settings: LINK_PROFILE, LINK_ARGS (Maven), SSH_ARGS + SSH_DEST (direct, for checks), SCP_ARGS
# (the link itself, for the scp row), LINK_URL (nginx), LINK_RESET (function)

use_link() {
    local link=$1
    case $link in
    loopback | delay50)
        LINK_PROFILE=loopback
        SSH_ARGS=(-p "$SSH_PORT" -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$LO_DIR/ssh/known_hosts"
            -i "$LO_DIR/ssh/client_ed25519")
        SSH_DEST=$DEPLOY_USER@127.0.0.1
        LINK_URL=http://127.0.0.1:$NGINX_PORT/
        LINK_RESET=lo_reset
        if [ "$link" = delay50 ]; then
            LINK_ARGS=(-Dbluegreen.sshPort="$PROXY_PORT" -Dbluegreen.knownHosts="$OUT/known_hosts.proxy")
            SCP_ARGS=(-P "$PROXY_PORT" -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$OUT/known_hosts.proxy"
                -i "$LO_DIR/ssh/client_ed25519")
        else
            LINK_ARGS=()
            SCP_ARGS=("${SSH_ARGS[@]/#-p/-P}")
        fi
        ;;
    shaped)
        LINK_PROFILE=shaped
        LINK_ARGS=()
        SSH_ARGS=("${SD_SSH[@]}")
        SSH_DEST=$BLUEGREEN_SD_USER@$BLUEGREEN_SD_HOST
        SCP_ARGS=("${SD_SSH[@]/#-p/-P}")
        LINK_URL=$BLUEGREEN_SD_HTTP_URL
        LINK_RESET=sd_reset
        ;;
    *) log "unknown link $link"; return 2 ;;
    esac
}

# shellcheck disable=SC2029 # the command is meant to be expanded here and run there
remote() { ssh "${SSH_ARGS[@]}" "$SSH_DEST" "$@"; }

# ---- rows

ROWS_TSV=""
# row LINK ROUND ROW SENT REUSED JAR_BYTES UPLOAD_MS REQUESTS START_MS WALL_S EXIT ANSWER IDENTICAL BLOBS
row() { local IFS=$'\t'; echo "$*" >> "$ROWS_TSV"; }

deploy() { # deploy LINK ROUND ROW VERSION MAVEN_OPTS
    local link=$1 round=$2 name=$3 version=$4 opts=$5
    local jar=$OUT/jars/$version/$APP.jar raw=$OUT/raw/$link-r$round-$name start wall rc=0 state local_sha remote_sha identical answer blobs
    log "$link, round $round: $name ($version)"
    start=$(now)
    MAVEN_OPTS=$opts mvn -B -o -ntp -f "$HERE/pom.xml" -P"$LINK_PROFILE" -Dbluegreen.artifact="$jar" "${LINK_ARGS[@]}" \
        "$PLUGIN:detect" "$PLUGIN:start" "$PLUGIN:healthcheck" "$PLUGIN:switch" "$PLUGIN:cleanup" > "$raw.log" 2>&1 || rc=$?
    wall=$(since "$start")
    remote "cat bluegreen/$APP/state.properties" > "$raw.state.properties" 2>/dev/null || true
    state=$raw.state.properties
    local_sha=$(sha256sum "$jar" | cut -d' ' -f1)
    remote_sha=$(remote "sha256sum \"\$(sed -n 's/^target.jar=//p' bluegreen/$APP/state.properties)\"" 2>/dev/null | cut -d' ' -f1) || true
    identical=no
    [ "$remote_sha" = "$local_sha" ] && identical=yes
    answer=$(curl -s -m 5 "$LINK_URL" | tr -d '\n' || true)
    blobs=$(remote "ls bluegreen/$APP/blobs 2>/dev/null | wc -l" 2>/dev/null || echo "?")
    row "$link" "$round" "$name" "$(prop target.upload.sent "$state")" "$(prop target.upload.reused "$state")" \
        "$(stat -c %s "$jar")" "$(prop target.upload.ms "$state")" "$(prop target.upload.requests "$state")" \
        "$(prop step.start.ms "$state")" "$wall" "$rc" "${answer:-none}" "$identical" "$blobs"
    grep -E '\[(INFO|WARNING|ERROR)\] (Upload|Uploaded|.*uploading the whole jar)' "$raw.log" | sed "s/^/  $link r$round $name: /" >> "$OUT/upload-lines.txt" || true
    grep -E '\[(WARNING|ERROR)\]' "$raw.log" | sed "s/^/  $link r$round $name: /" >> "$OUT/warnings.txt" || true
}

prop() { sed -n "s/^$1=//p" "$2" 2>/dev/null | tail -1; }

scp_ref() { # scp_ref LINK ROUND
    local link=$1 round=$2 jar=$OUT/jars/v1/$APP.jar start t rc=0
    log "$link, round $round: scp of the jar"
    start=$(now)
    scp -q "${SCP_ARGS[@]}" "$jar" "$SSH_DEST:scp-ref.jar" || rc=$?
    t=$(since "$start")
    remote "rm -f scp-ref.jar" || true
    row "$link" "$round" scp "$(stat -c %s "$jar")" 0 "$(stat -c %s "$jar")" "$(echo "$t * 1000" | bc | cut -d. -f1)" - - "$t" "$rc" - - -
}

run_link() {
    local link=$1 round
    use_link "$link"
    for ((round = 1; round <= ROUNDS; round++)); do
        "$LINK_RESET"
        deploy "$link" "$round" first v1 ""
        deploy "$link" "$round" change v2 ""
        deploy "$link" "$round" same v2 ""
        deploy "$link" "$round" change-c1 v3 "-XX:TieredStopAtLevel=1"
        scp_ref "$link" "$round"
    done
}

# ---- the table

table() {
    echo "| link | row | run | sent KiB | reused KiB | sent % of jar | upload s | requests | upload + requests × ${RTT_MS} ms (est.) s | start step s | deploy wall s | exit | / answers | jar on server = local | blobs on server |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' -v rtt="$RTT_MS" '
        function kib(b) { return b == "" ? "?" : sprintf("%d", b / 1024) }
        function sec(ms) { return ms == "" || ms == "-" ? "-" : sprintf("%.2f", ms / 1000) }
        {
            pct = ($4 == "" || $6 == 0) ? "?" : sprintf("%.2f %%", 100 * $4 / $6)
            est = ($8 == "-" || $8 == "" || $1 == "delay50") ? ($1 == "delay50" && $8 != "-" ? "(measured)" : "-") \
                : sprintf("%.2f", $7 / 1000 + $8 * rtt / 1000)
            print "| " $1 " | " $3 " | " $2 " | " kib($4) " | " kib($5) " | " pct " | " sec($7) " | " $8 " | " est " | " \
                sec($9) " | " $10 " | " $11 " | " $12 " | " $13 " | " $14 " |"
        }' "$ROWS_TSV"
}

summary() { # per link: the range over the rounds of each row's upload time, and of the change's share of the jar
    echo "| link | full upload (first) s | scp s | one class changed s | same jar s | changed, C1-only Maven s | changed: sent % of jar |"
    echo "|---|---|---|---|---|---|---|"
    awk -F'\t' '
        { k = $1 SUBSEP $3; v = $7 / 1000
          if (!(k in lo) || v < lo[k]) lo[k] = v
          if (!(k in hi) || v > hi[k]) hi[k] = v
          if ($3 == "change") pct[$1] = sprintf("%.2f %%", 100 * $4 / $6)
          if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
        function r(l, row) { k = l SUBSEP row; return (k in lo) ? (lo[k] == hi[k] ? sprintf("%.2f", lo[k]) : sprintf("%.2f–%.2f", lo[k], hi[k])) : "-" }
        END { for (i = 1; i <= n; i++) { l = order[i]
            print "| " l " | " r(l, "first") " | " r(l, "scp") " | " r(l, "change") " | " r(l, "same") " | " r(l, "change-c1") " | " pct[l] " |" } }' "$ROWS_TSV"
}

main() {
    [ "$(id -u)" = 0 ] || { log "run as root (test server user, test host, tc)"; exit 2; }
    [ -f "$PLUGIN_JAR" ] || { log "no $PLUGIN_JAR: mvn install -DskipTests the plugin first"; exit 2; }
    mkdir -p "$OUT/raw"
    PLUGIN_SHA=$(sha256sum "$PLUGIN_JAR" | cut -d' ' -f1)
    ROWS_TSV=$OUT/rows.tsv
    : > "$ROWS_TSV"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    {
        echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
        echo "plugin: $PLUGIN_JAR sha256 $PLUGIN_SHA"
        echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
        java -version 2>&1 | head -1 || true   # head may close the pipe early (SIGPIPE)
        mvn -v 2>&1 | head -1 || true
        ssh -V 2>&1
        echo "links: $LINKS; rounds: $ROUNDS; rate $RATE; relay RTT $RTT_MS ms"
    } > "$OUT/environment.txt"
    build_jars
    upload_parts
    rebuild_timing
    local link
    for link in $LINKS; do
        case $link in
        loopback) [ "$STARTED_LO" = 1 ] || lo_start ;;
        delay50) [ "$STARTED_LO" = 1 ] || lo_start; [ -n "$PROXY_PID" ] || proxy_start ;;
        shaped)
            if [ "$STARTED_SD" = 0 ]; then
                # the test host's SSH options (pinned host key) before sd_start's shaping check needs them
                SD_SSH=(-p 22 -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$SD_DIR/keys/known_hosts"
                    -i "$SD_DIR/keys/id_deploy")
                sd_start
            fi
            ;;
        esac
        run_link "$link"
    done
    echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"
    if [ "$(sha256sum "$PLUGIN_JAR" | cut -d' ' -f1)" != "$PLUGIN_SHA" ]; then
        echo "WARNING: the plugin jar changed during the run (now $(sha256sum "$PLUGIN_JAR" | cut -d' ' -f1))" | tee -a "$OUT/environment.txt" >&2
    fi
    { table; echo; summary; } | tee "$OUT/table.md"
    log "raw output: $OUT"
}

main "$@"
