#!/usr/bin/env bash
# A private test "server" on this machine, for the integration tests, the demo and the benchmark:
#   - a deploy user (DEPLOY_USER, created if missing) whose home is DIR/home,
#   - an OpenSSH sshd on 127.0.0.1:SSH_PORT that lets that user in with a key made here,
#   - an nginx on 127.0.0.1:NGINX_PORT, run as that user, that proxies to the include DIR/nginx/conf/bluegreen/*.inc.
#
#   usage: scripts/test-server.sh start|stop|reset DIR
#   start  installs nothing (see install-deps.sh); writes DIR/env.sh with BLUEGREEN_IT_* variables
#   reset  stops the deploy user's processes but nginx (by PID) and removes deployed state: an empty server again
#   stop   reset, then stops nginx and sshd by their PID files
# Settings: SSH_PORT=2222 NGINX_PORT=18080 DEPLOY_USER=bluegreen-it
set -euo pipefail
ACTION=${1:?usage: test-server.sh start|stop|reset DIR}
DIR=${2:?usage: test-server.sh start|stop|reset DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
SSH_PORT=${SSH_PORT:-2222}
NGINX_PORT=${NGINX_PORT:-18080}
DEPLOY_USER=${DEPLOY_USER:-bluegreen-it}
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

log() { echo "test-server: $*" >&2; }
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ -n "$st" && "$st" != Z* ]]; }
stop_pid() { # stop_pid PID: SIGTERM, up to 10 s, then SIGKILL
    local i
    alive "$1" || return 0
    kill -TERM "$1" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do alive "$1" || return 0; sleep 0.05; done
    kill -KILL "$1" 2>/dev/null || true
}
nginx_cmd() { echo "$NGINX_BIN -p $DIR/nginx/ -c conf/nginx.conf -e logs/error.log"; }

user_pids() { # every process of the deploy user except nginx (the apps, and timers of kept instances), in this PID
    # namespace only: a systemd test host's own users may have the same uid inside their namespaces
    local uid p nginx ns
    uid=$(id -u "$DEPLOY_USER" 2>/dev/null) || return 0
    nginx=" $(cat "$DIR/nginx/logs/nginx.pid" 2>/dev/null) "
    ns=$(readlink /proc/self/ns/pid)
    for p in /proc/[0-9]*; do
        [ "$(stat -c %u "$p" 2>/dev/null)" = "$uid" ] || continue
        [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
        case "$nginx" in *" ${p#/proc/} "*) continue ;; esac
        cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null || true)
        case "$cmd" in "nginx: "*) continue ;; esac
        echo "${p#/proc/}"
    done
}

reset() {
    local pid
    for pid in $(user_pids); do stop_pid "$pid"; done
    # a file system a test mounted under the deploy directory (ssh-chaos's small disk) outlives a run killed before its
    # umount: detach it, deepest first, or nothing under it can be removed
    awk -v d="$DIR/home/bluegreen" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
        while read -r m; do umount --lazy "$m"; done
    rm -rf "$DIR/home/bluegreen" "$DIR/nginx/conf/bluegreen/"*.inc "$DIR/nginx/conf/bluegreen/"*.bak
    if [ -s "$DIR/nginx/logs/nginx.pid" ] && alive "$(cat "$DIR/nginx/logs/nginx.pid")"; then
        setpriv --reuid="$DEPLOY_USER" --regid="$DEPLOY_USER" --init-groups $(nginx_cmd) -s reload
    fi
}

start() {
    # the deploy user: a normal account that owns the app, its files and the nginx instance
    if ! id "$DEPLOY_USER" >/dev/null 2>&1; then
        useradd --home-dir "$DIR/home" --shell /bin/sh "$DEPLOY_USER"
    fi
    usermod --home "$DIR/home" -p '*' "$DEPLOY_USER"   # '*': key login only (UsePAM no treats '!' as locked)
    mkdir -p "$DIR/home" "$DIR/ssh" "$DIR/nginx"/{conf/bluegreen,logs,tmp}
    chown -R "$DEPLOY_USER:$DEPLOY_USER" "$DIR/home" "$DIR/nginx"

    # sshd with its own host key; the client key and known_hosts are what the plugin is configured with
    "$(dirname "${BASH_SOURCE[0]}")/sshd.sh" start "$DIR/ssh" "$SSH_PORT" "$DEPLOY_USER"

    cat > "$DIR/nginx/conf/nginx.conf" <<CONF
daemon on;
worker_processes 2;
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 512; }
http {
    client_body_temp_path tmp/client_body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    log_format timing '\$msec \$request_time \$status \$upstream_addr';
    access_log logs/access.log timing;
    # the one-time setup of canary releases (README "Canary releases"): logs only while a canary's include splits
    log_format bluegreen_canary '\$msec \$status \$request_time \$upstream_addr';
    map \$host \$bluegreen_canary { default ""; }
    access_log logs/bluegreen-canary.log bluegreen_canary if=\$bluegreen_canary;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        set \$service_url http://127.0.0.1:9;   # nothing deployed yet: 502
        include bluegreen/*.inc;              # the plugin's include (set \$service_url ...;)
        location / {
            proxy_pass \$service_url;
            proxy_set_header Host \$http_host;
            add_header X-Service-Url \$service_url always;   # the ITs' load tells "nothing deployed yet" apart
        }
    }
}
CONF
    chown -R "$DEPLOY_USER:$DEPLOY_USER" "$DIR/nginx"
    if ! { [ -s "$DIR/nginx/logs/nginx.pid" ] && alive "$(cat "$DIR/nginx/logs/nginx.pid")"; }; then
        setpriv --reuid="$DEPLOY_USER" --regid="$DEPLOY_USER" --init-groups $(nginx_cmd)
    fi
    local i
    for ((i = 0; i < 100; i++)); do
        [ -s "$DIR/nginx/logs/nginx.pid" ] && [ -s "$DIR/ssh/sshd.pid" ] && break
        sleep 0.05
    done
    cat > "$DIR/env.sh" <<ENV
export BLUEGREEN_IT_DIR='$DIR'
export BLUEGREEN_IT_SSH_PORT='$SSH_PORT'
export BLUEGREEN_IT_USER='$DEPLOY_USER'
export BLUEGREEN_IT_KEY='$DIR/ssh/client_ed25519'
export BLUEGREEN_IT_KNOWN_HOSTS='$DIR/ssh/known_hosts'
export BLUEGREEN_IT_NGINX_PORT='$NGINX_PORT'
export BLUEGREEN_IT_NGINX_PREFIX='$DIR/nginx/'
export BLUEGREEN_IT_NGINX_INCLUDE='$DIR/nginx/conf/bluegreen/service-url.inc'
export BLUEGREEN_IT_NGINX_PID='$DIR/nginx/logs/nginx.pid'
export BLUEGREEN_IT_NGINX_TEST='$(nginx_cmd) -t -q'
export BLUEGREEN_IT_NGINX_RELOAD='$(nginx_cmd) -s reload'
export BLUEGREEN_IT_HOME='$DIR/home'
ENV
    log "sshd on 127.0.0.1:$SSH_PORT (PID $(cat "$DIR/ssh/sshd.pid")), nginx on 127.0.0.1:$NGINX_PORT (PID $(cat "$DIR/nginx/logs/nginx.pid")), user $DEPLOY_USER"
}

stop() {
    reset
    if [ -s "$DIR/nginx/logs/nginx.pid" ]; then stop_pid "$(cat "$DIR/nginx/logs/nginx.pid")"; rm -f "$DIR/nginx/logs/nginx.pid"; fi
    "$(dirname "${BASH_SOURCE[0]}")/sshd.sh" stop "$DIR/ssh" "$SSH_PORT" "$DEPLOY_USER"
    log "stopped"
}

case "$ACTION" in
start) start ;;
stop) stop ;;
reset) reset ;;
*) echo "usage: test-server.sh start|stop|reset DIR" >&2; exit 2 ;;
esac
