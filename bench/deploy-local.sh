#!/usr/bin/env bash
# measure.sh adapter: the plugin's full flow (mvn deploy -Pbluegreen) with the local transport, against the
# benchmark's nginx and stand-in app. Extra Maven arguments are passed on (e.g. -Dbluegreen.healthTimeoutSeconds=30).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1 -Xshare:auto}"
exec mvn -B -o -ntp -f "$BENCH/pom.xml" deploy -Pbluegreen -Dbluegreen.transport=local \
    -Dbluegreen.baseDir="$PWD/bluegreen" "$@"
