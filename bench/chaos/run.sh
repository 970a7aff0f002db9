#!/usr/bin/env bash
# The randomized fault campaign (issue 17): under continuous load through nginx, each round picks an operation (deploy,
# rollback, an unhealthy release, a failing hook, two deploys at once, dry run, status; on the process target a deploy may
# switch as a canary, of a good release or of one failing 30 % of its requests) and a fault at a random moment
# (none, SIGKILL to Maven, the SSH session cut, the server command killed, nginx's reload failing, the base directory's
# disk full, the live app killed -9, an earlier release's jar corrupted, one host's sshd stopped), then a clean deploy,
# and checks the invariants (bench/chaos/Chaos.java says which). Three targets, each with its own servers, users and
# ports (nothing shared with the test suite's):
#   process  the process runner over SSH on this machine (a private sshd and nginx, scripts/test-server.sh)
#   systemd  the systemd runner on a real systemd test host (scripts/systemd-host), a non-root deploy user
#   fleet    three systemd hosts behind a front nginx (scripts/fleet.sh), rolling switches
#
#   usage: bench/chaos/run.sh [ROUNDS] [SEED] [TARGETS]     ROUNDS per target (default 100), SEED (default: the time),
#                                                         TARGETS (default "process systemd fleet")
# OPERATIONS=DEPLOY (comma separated) draws only those operations: a campaign aimed at canaries (process target).
# Writes bench/chaos/results/<target>[-<operations>]-seed<SEED>.txt (every round, the summary and the mix drawn); the Maven logs of every
# round stay in /tmp/bluegreen-chaos/<target>/logs. Everything it starts is stopped by PID at its end.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${1:-100}
SEED=${2:-$(date +%s)}
TARGETS=${3:-process systemd fleet}
WORK=/tmp/bluegreen-chaos   # outside the checkout: the deploy users must reach the jar
"$ROOT/scripts/install-deps.sh"
mkdir -p "$WORK"

cleanup() {
    [ ! -d "$WORK/process" ] || { umount --lazy "$WORK/process/home/bluegreen/chaos" 2>/dev/null || true
        SSH_PORT=2322 NGINX_PORT=18180 DEPLOY_USER=bluegreen-chaos "$ROOT/scripts/test-server.sh" stop "$WORK/process" || true; }
    [ ! -d "$WORK/systemd" ] || "$ROOT/scripts/systemd-host/down.sh" "$WORK/systemd" > /dev/null 2>&1 || true
    [ ! -d "$WORK/fleet" ] || "$ROOT/scripts/fleet.sh" down "$WORK/fleet" || true
}
trap cleanup EXIT

# the plugin as built from this checkout, and the stand-in app (starts in well under a second)
(cd "$ROOT" && mvn -B -q -ntp -DskipTests install)
mkdir -p "$WORK/stand-in"
javac -d "$WORK/stand-in" "$ROOT/src/it/stand-in/StandIn.java"
jar --create --file "$WORK/stand-in.jar" --main-class StandIn -C "$WORK/stand-in" StandIn.class
chmod 755 "$WORK"; chmod 644 "$WORK/stand-in.jar"

common() { # the -D arguments every target shares, one per line, numbered from $1
    local n=$1 arg
    for arg in -o -Dbluegreen.artifact="$WORK/stand-in.jar" -Dbluegreen.appName=chaos -Dbluegreen.healthTimeoutSeconds=4 \
            -Dbluegreen.stopTimeoutSeconds=10 -Dbluegreen.drainTimeoutSeconds=20 -Dbluegreen.lockWaitSeconds=0; do
        echo "maven.$n=$arg"; n=$((n + 1))
    done
}

target_process() {
    local dir=$WORK/process base
    SSH_PORT=2322 NGINX_PORT=18180 DEPLOY_USER=bluegreen-chaos "$ROOT/scripts/test-server.sh" start "$dir"
    . "$dir/env.sh"
    base=$BLUEGREEN_IT_HOME/bluegreen/chaos
    # a file system of its own for the base directory: the disk-full fault fills it
    mkdir -p "$base"
    mountpoint -q "$base" || mount -t tmpfs -o size=192m,mode=0700,uid="$(id -u bluegreen-chaos)",gid="$(id -g bluegreen-chaos)" tmpfs "$base"
    {
        echo "name=process runner, SSH"
        echo "pom=$HERE/pom.xml"
        echo "url=http://127.0.0.1:18180"
        echo "log=$dir/logs"
        echo "runner=process"
        common 0
        echo "maven.7=-Dbluegreen.host=127.0.0.1"
        echo "maven.8=-Dbluegreen.sshPort=2322"
        echo "maven.9=-Dbluegreen.user=bluegreen-chaos"
        echo "maven.10=-Dbluegreen.identityFile=$BLUEGREEN_IT_KEY"
        echo "maven.11=-Dbluegreen.knownHosts=$BLUEGREEN_IT_KNOWN_HOSTS"
        echo "maven.12=-Dbluegreen.bluePort=18190"
        echo "maven.13=-Dbluegreen.greenPort=18191"
        echo "maven.14=-Dbluegreen.nginxInclude=$BLUEGREEN_IT_NGINX_INCLUDE"
        echo "maven.15=-Dbluegreen.nginxPidFile=$BLUEGREEN_IT_NGINX_PID"
        echo "maven.16=-Dbluegreen.nginxTestCommand=$BLUEGREEN_IT_NGINX_TEST"
        echo "maven.17=-Dbluegreen.nginxReloadCommand=$BLUEGREEN_IT_NGINX_RELOAD"
        echo "maven.18=-Dbluegreen.nginxErrorLog=$BLUEGREEN_IT_DIR/nginx/logs/error.log"
        echo "hosts=1"
        echo "host.0.exec="
        echo "host.0.base=$base"
        echo "host.0.include=$BLUEGREEN_IT_NGINX_INCLUDE"
        echo "host.0.user=bluegreen-chaos"
        echo "host.0.diskfull=true"
        echo "canary.log=$BLUEGREEN_IT_DIR/nginx/logs/bluegreen-canary.log"
        [ -z "${OPERATIONS:-}" ] || echo "operations=$OPERATIONS"
    } > "$WORK/process.properties"
}

systemd_args() { # the -D arguments of a systemd host (its nginx: the seed's site, reloaded with sudo), from $1
    local n=$1 arg
    for arg in -Dbluegreen.runner=systemd -Dbluegreen.bluePort=8080 -Dbluegreen.greenPort=8081 \
            -Dbluegreen.nginxPidFile=/run/nginx.pid "-Dbluegreen.nginxTestCommand=sudo -n nginx -t -q" \
            "-Dbluegreen.nginxReloadCommand=sudo -n systemctl reload nginx" -Dbluegreen.nginxErrorLog=/var/log/nginx/error.log; do
        echo "maven.$n=$arg"; n=$((n + 1))
    done
}

target_systemd() {
    local dir=$WORK/systemd
    "$ROOT/scripts/systemd-host/up.sh" "$dir" chaossd 10.213.95 > "$WORK/systemd.up.log"
    . "$dir/env.sh"
    "$ROOT/scripts/systemd-host/exec.sh" "$dir" sh -c 'b=/home/deploy/bluegreen/chaos; mkdir -p "$b"; chown -R deploy: /home/deploy/bluegreen;
        mount -t tmpfs -o size=192m,mode=0700,uid=$(id -u deploy),gid=$(id -g deploy) tmpfs "$b"'
    {
        echo "name=systemd runner, real systemd host, non-root deploy user"
        echo "pom=$HERE/pom.xml"
        echo "url=${BLUEGREEN_SD_HTTP_URL%/}"
        echo "log=$dir/logs"
        echo "runner=systemd"
        common 0
        echo "maven.7=-Dbluegreen.host=$BLUEGREEN_SD_HOST"
        echo "maven.8=-Dbluegreen.user=deploy"
        echo "maven.9=-Dbluegreen.identityFile=$BLUEGREEN_SD_KEY"
        echo "maven.10=-Dbluegreen.knownHosts=$BLUEGREEN_SD_KNOWN_HOSTS"
        echo "maven.11=-Dbluegreen.nginxInclude=$BLUEGREEN_SD_NGINX_INCLUDE"
        systemd_args 12
        echo "hosts=1"
        echo "host.0.exec=$ROOT/scripts/systemd-host/exec.sh $dir"
        echo "host.0.base=/home/deploy/bluegreen/chaos"
        echo "host.0.include=$BLUEGREEN_SD_NGINX_INCLUDE"
        echo "host.0.user=deploy"
        echo "host.0.sshd=true"
        echo "host.0.diskfull=true"
    } > "$WORK/systemd.properties"
}

target_fleet() {
    local dir=$WORK/fleet i
    "$ROOT/scripts/fleet.sh" up "$dir" 3 18700 10.214 chaosfleet > "$WORK/fleet.up.log"
    . "$dir/env.sh"
    {
        echo "name=fleet of three systemd hosts, rolling"
        echo "pom=$HERE/pom.xml"
        echo "url=${BLUEGREEN_FLEET_FRONT_URL%/}"
        echo "log=$dir/logs"
        echo "runner=systemd"
        common 0
        echo "maven.7=-Dbluegreen.hosts=$BLUEGREEN_FLEET_HOSTS"
        echo "maven.8=-Dbluegreen.identityFile=$BLUEGREEN_FLEET_KEY"
        echo "maven.9=-Dbluegreen.knownHosts=$BLUEGREEN_FLEET_KNOWN_HOSTS"
        echo "maven.10=-Dbluegreen.nginxInclude=/etc/nginx/bluegreen/service-url.inc"
        systemd_args 11
        echo "hosts=3"
        for i in 0 1 2; do
            echo "host.$i.exec=$ROOT/scripts/systemd-host/exec.sh $dir/host$((i + 1))"
            echo "host.$i.base=/home/deploy/bluegreen/chaos"
            echo "host.$i.include=/etc/nginx/bluegreen/service-url.inc"
            echo "host.$i.user=deploy"
            echo "host.$i.sshd=true"
        done
    } > "$WORK/fleet.properties"
}

mkdir -p "$HERE/results"
for target in $TARGETS; do
    "target_$target"
    echo "chaos: $target, $ROUNDS rounds, seed $SEED" >&2
    if java "$HERE/Chaos.java" "$WORK/$target.properties" "$ROUNDS" "$SEED" | tee "$WORK/$target.out"; then :; else
        echo "chaos: $target found a violation (its log: $WORK/$target.out)" >&2
    fi
    # the rounds and the summary: what bench/RESULTS.md quotes
    { echo "# ${OPERATIONS:+OPERATIONS=$OPERATIONS }bench/chaos/run.sh $ROUNDS $SEED $target, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"; cat "$WORK/$target.out"; } \
        > "$HERE/results/$target${OPERATIONS:+-$(echo "$OPERATIONS" | tr 'A-Z,' 'a-z-')}-seed$SEED.txt"
    case $target in
    process) umount --lazy "$WORK/process/home/bluegreen/chaos" 2>/dev/null || true
             SSH_PORT=2322 NGINX_PORT=18180 DEPLOY_USER=bluegreen-chaos "$ROOT/scripts/test-server.sh" stop "$WORK/process" ;;
    systemd) "$ROOT/scripts/systemd-host/down.sh" "$WORK/systemd" > /dev/null ;;
    fleet) "$ROOT/scripts/fleet.sh" down "$WORK/fleet" ;;
    esac
done
grep -h '^CHAOS ' "$HERE"/results/*.txt
