#!/usr/bin/env bash
# measure.sh adapter: runs the plugin's full flow, `mvn deploy -Pbluegreen` on bench/pom.xml, against the
# benchmark's nginx and stand-in app (measure.sh passes APP_JAR, NGINX_PREFIX, ... in the environment).
#   usage: bench/deploy.sh local|ssh [MAVEN ARGS...]      e.g. measure.sh bench/deploy.sh ssh
# -Dbluegreen.goal=rollback runs `mvn bluegreen:rollback -Pbluegreen` instead.
# ssh: logs in as root (the benchmark's apps and nginx belong to root/nobody) to the sshd that
# bench/run-matrix.sh started on 127.0.0.1:$BENCH_SSH_PORT; started here (and stopped again) if it is not running.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TRANSPORT=${1:?usage: deploy.sh local|ssh [MAVEN ARGS...]}
shift
args=(-Dbluegreen.transport="$TRANSPORT" -Dbluegreen.baseDir="$PWD/bluegreen")
if [ "$TRANSPORT" = ssh ]; then
    SSH_DIR=${BENCH_SSH_DIR:-$BENCH/../target/bench-ssh}
    SSH_PORT=${BENCH_SSH_PORT:-2223}
    if ! [ -s "$SSH_DIR/sshd.pid" ] || ! kill -0 "$(cat "$SSH_DIR/sshd.pid")" 2>/dev/null; then
        "$BENCH/../scripts/sshd.sh" start "$SSH_DIR" "$SSH_PORT" root
        trap '"$BENCH/../scripts/sshd.sh" stop "$SSH_DIR" "$SSH_PORT" root' EXIT
    fi
    args+=(-Dbluegreen.host=127.0.0.1 -Dbluegreen.sshPort="$SSH_PORT" -Dbluegreen.user=root
        -Dbluegreen.identityFile="$SSH_DIR/client_ed25519" -Dbluegreen.knownHosts="$SSH_DIR/known_hosts")
fi
# C1 only: Maven's own start-up is a good part of a deploy's overhead
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}"
goal=deploy
for arg in "$@"; do [ "$arg" = -Dbluegreen.goal=rollback ] && goal=bluegreen:rollback; done
mvn -B -o -ntp -f "$BENCH/pom.xml" "$goal" -Pbluegreen "${args[@]}" "$@"
