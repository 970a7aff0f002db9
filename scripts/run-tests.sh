#!/usr/bin/env bash
# The whole test suite: unit tests, mojo tests and the invoker ITs (src/it) against a real OpenSSH sshd, a
# real nginx and the real Spring Boot example app. Installs what is missing, starts the test server, stops
# it again by PID. Extra arguments go to Maven (e.g. -Dinvoker.test=ssh-first-deploy).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
scripts/install-deps.sh

# outside the checkout: the deploy user must reach its home and the app jars, whatever the checkout's permissions
ENV_DIR=/tmp/bluegreen-it
SD_DIR=/tmp/bluegreen-it-sdhost
FLEET_DIR=/tmp/bluegreen-it-fleet
trap 'scripts/test-server.sh stop "$ENV_DIR"; scripts/systemd-host/down.sh "$SD_DIR" > /dev/null; scripts/fleet.sh down "$FLEET_DIR"' EXIT
scripts/test-server.sh start "$ENV_DIR"
source "$ENV_DIR/env.sh"
# a real Debian host with systemd as PID 1 (its own namespaces, a throw-away overlay of /): the production-server ITs
scripts/systemd-host/up.sh "$SD_DIR" bgit 10.213.77
source "$SD_DIR/env.sh"
# four more, with a front balancer on 127.0.0.1:18600 over their nginx: the fleet ITs
scripts/fleet.sh up "$FLEET_DIR" 4 18600 10.213
source "$FLEET_DIR/env.sh"
export BLUEGREEN_IT_TOOLS=$ROOT/scripts

# the apps the ITs deploy: the example Spring Boot app answering version=v1 and version=v2 (built once, kept in target/)
export BLUEGREEN_IT_APPS=$ENV_DIR/apps
mkdir -p target/it-apps "$BLUEGREEN_IT_APPS"
for version in v1 v2; do
    jar=target/it-apps/demo-app-$version.jar
    if [ ! -f "$jar" ] || [ -n "$(find examples/demo-app/src examples/demo-app/pom.xml -newer "$jar" -print -quit)" ]; then
        mvn -B -ntp -q -f examples/demo-app/pom.xml package -Ddemo.version=$version -Dmaven.test.skip=true
        cp examples/demo-app/target/demo-app.jar "$jar"
    fi
    install -m 644 "$jar" "$BLUEGREEN_IT_APPS/"
done

# the same kind of app on Spring Boot 2.7 and 4.0 (src/it/boot-apps): their jars' layouts, for class-data sharing
for app in boot2 boot4; do
    jar=target/it-apps/$app.jar
    if [ ! -f "$jar" ] || [ -n "$(find src/it/boot-apps/$app src/it/boot-apps/src -newer "$jar" -print -quit)" ]; then
        mvn -B -ntp -q -f src/it/boot-apps/$app/pom.xml package -Dmaven.test.skip=true
        cp src/it/boot-apps/$app/target/$app.jar "$jar"
    fi
    install -m 644 "$jar" "$BLUEGREEN_IT_APPS/"
done

# a fast-starting stand-in with the same interface, for the ITs that deploy many times (the interruption matrix)
mkdir -p target/it-apps/stand-in
javac -d target/it-apps/stand-in src/it/stand-in/StandIn.java
jar --create --file "$BLUEGREEN_IT_APPS/stand-in.jar" --main-class StandIn -C target/it-apps/stand-in StandIn.class
chmod 644 "$BLUEGREEN_IT_APPS/stand-in.jar"

mvn -B -ntp verify "$@"
