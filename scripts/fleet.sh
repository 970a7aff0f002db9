#!/usr/bin/env bash
# A fleet of test hosts for the fleet ITs and benchmark: N systemd test hosts (scripts/systemd-host) booted in parallel,
# sharing one key set (the plugin reaches all with one identity file), and a front load balancer on this machine: an
# nginx on 127.0.0.1:FRONT_PORT that balances over the hosts' own nginx (port 80), as a balancer in front of app
# servers would. Everything is stopped by PID (hosts: poweroff, then down.sh).
#
#   usage: scripts/fleet.sh up DIR N [FRONT_PORT] [NET_PREFIX] [NAME]    N hosts NAME1..N (fleet) at NET_PREFIX.(80+i).2
#          scripts/fleet.sh down DIR
# up writes DIR/env.sh: BLUEGREEN_FLEET_HOSTS (deploy@addr,...), _KEY, _ROOT_KEY, _KNOWN_HOSTS, _FRONT_URL, _DIRS
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ACTION=${1:?usage: fleet.sh up DIR N [FRONT_PORT] [NET_PREFIX] | down DIR}
DIR=${2:?DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

up() {
    local n=${1:?N} front_port=${2:-18600} prefix=${3:-10.213} name=${4:-fleet} i key pids=() hosts=() dirs=() servers=""
    mkdir -p "$DIR/keys" "$DIR/front/logs" "$DIR/front/tmp"
    chmod 700 "$DIR/keys"
    for key in ssh_host_ed25519_key id_root id_deploy; do   # made once here: the hosts boot in parallel and share them
        [ -s "$DIR/keys/$key" ] || ssh-keygen -q -t ed25519 -N '' -C "bluegreen-fleet-$key" -f "$DIR/keys/$key"
    done
    for i in $(seq "$n"); do
        SDHOST_KEYS=$DIR/keys "$HERE/systemd-host/up.sh" "$DIR/host$i" "$name$i" "$prefix.$((80 + i))" > "$DIR/host$i.up.log" 2>&1 &
        pids+=($!)
    done
    for i in $(seq "$n"); do
        wait "${pids[$((i - 1))]}" || { cat "$DIR/host$i.up.log" >&2; echo "fleet: host $i did not boot" >&2; down; exit 1; }
        hosts+=("deploy@$prefix.$((80 + i)).2")
        dirs+=("$DIR/host$i")
        servers+="        server $prefix.$((80 + i)).2:80 max_fails=0;"$'\n'
    done
    cat "$DIR"/host*/known_hosts > "$DIR/known_hosts"
    cat > "$DIR/front/nginx.conf" <<CONF
daemon on;
worker_processes 1;
pid $DIR/front/nginx.pid;
error_log $DIR/front/logs/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $DIR/front/tmp/client_body;
    proxy_temp_path $DIR/front/tmp/proxy;
    fastcgi_temp_path $DIR/front/tmp/fastcgi;
    uwsgi_temp_path $DIR/front/tmp/uwsgi;
    scgi_temp_path $DIR/front/tmp/scgi;
    access_log off;
    upstream fleet {
$servers    }
    server {
        listen 127.0.0.1:$front_port;
        # a host that cannot be reached is skipped (as a balancer's health check would); an answer, even a 502, counts
        proxy_connect_timeout 1s;
        location / { proxy_pass http://fleet; proxy_next_upstream error timeout; }
    }
}
CONF
    nginx -t -q -c "$DIR/front/nginx.conf" -p "$DIR/front/"
    nginx -c "$DIR/front/nginx.conf" -p "$DIR/front/"
    local IFS=,
    cat > "$DIR/env.sh" <<ENV
# written by scripts/fleet.sh up
export BLUEGREEN_FLEET_DIR='$DIR'
export BLUEGREEN_FLEET_HOSTS='${hosts[*]}'
export BLUEGREEN_FLEET_DIRS='${dirs[*]}'
export BLUEGREEN_FLEET_KEY='$DIR/keys/id_deploy'
export BLUEGREEN_FLEET_ROOT_KEY='$DIR/keys/id_root'
export BLUEGREEN_FLEET_KNOWN_HOSTS='$DIR/known_hosts'
export BLUEGREEN_FLEET_FRONT_URL='http://127.0.0.1:$front_port'
ENV
    echo "fleet: $n hosts (${hosts[*]}), front balancer http://127.0.0.1:$front_port (PID $(cat "$DIR/front/nginx.pid"))" >&2
}

down() {
    local pid host pids=()
    if pid=$(cat "$DIR/front/nginx.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
    fi
    for host in "$DIR"/host*/; do
        [ -d "$host" ] || continue
        "$HERE/systemd-host/down.sh" "$host" > /dev/null 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    rm -f "$DIR/env.sh"
}

case "$ACTION" in
up) up "${@:3}" ;;
down) down ;;
*) echo "usage: fleet.sh up DIR N [FRONT_PORT] [NET_PREFIX] | down DIR" >&2; exit 2 ;;
esac
