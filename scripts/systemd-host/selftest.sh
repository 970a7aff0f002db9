#!/usr/bin/env bash
# The whole story on a real test host, with timings; exits non-zero on any failure and always tears down:
#   up -> ssh as root and deploy -> the blue/green site answers 502 (nothing deployed) and its CORS preflight 204
#   -> deploy (non-root) uploads an app over sftp, runs it as a systemd --user template unit (enabled, lingering),
#      reads its journal, points the nginx include at it, checks and reloads nginx through sudo (and is refused
#      anything else) -> kill -9 of the app: systemd restarts it -> a root system unit -> "systemctl reboot" inside:
#      nginx, the user unit and the system unit come back by themselves -> down -> nothing left behind.
#
#   usage: scripts/systemd-host/selftest.sh [DIR [NAME [NET]]]   (defaults as up.sh; several may run in parallel)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sdhost_settings "$@"
APP_PORT=18081
SYS_PORT=18090
URL=http://$SDHOST_ADDR/
TIMINGS=()
T_START=$(sdhost_now)

say() { echo "selftest[$SDHOST_NAME] $(sdhost_since "$T_START")s: $*"; }
fail() { echo "selftest[$SDHOST_NAME] FAILED: $*" >&2; exit 1; }
timing() { TIMINGS+=("$(printf '%-64s %6s s' "$1" "$2")"); say "$1: $2 s"; }

rssh() { # rssh USER SCRIPT: runs SCRIPT with bash -e on the test host as USER
    local opts
    mapfile -t opts < <(sdhost_ssh_opts "$1")
    # shellcheck disable=SC2029 # SCRIPT is meant to expand here
    ssh "${opts[@]}" "$SDHOST_ADDR" "set -euo pipefail; $2"
}
expect() { # expect TEXT PATTERN WHAT
    grep -qE -- "$2" <<<"$1" || fail "$3: expected /$2/ in: $1"
}
http() { curl -s --max-time 2 "$@" || true; }
wait_http() { # wait_http URL PATTERN SECONDS: until the body matches; prints it
    local end body
    end=$(($(date +%s) + $3))
    while :; do
        body=$(http "$1")
        grep -qE -- "$2" <<<"$body" && { echo "$body"; return 0; }
        (($(date +%s) < end)) || fail "no /$2/ from $1 within $3 s (last: $body)"
        sleep 0.05
    done
}

build_app() {
    local d=$SDHOST_DIR/selftest
    [ "$d/app.jar" -nt "$SDHOST_HERE/App.java" ] && return 0
    rm -rf "$d" && mkdir -p "$d/classes"
    javac --release 17 -d "$d/classes" "$SDHOST_HERE/App.java"
    jar --create --file "$d/app.jar" --main-class App -C "$d/classes" .
}

on_exit() {
    local rc=$?
    if [ -n "${UP:-}" ]; then "$SDHOST_HERE/down.sh" "$SDHOST_DIR" >/dev/null 2>&1 || true; fi
    [ $rc = 0 ] || echo "selftest[$SDHOST_NAME] FAILED (rc $rc); logs in $SDHOST_LOGS" >&2
    exit $rc
}

step_up() {
    local t
    t=$(sdhost_now)
    UP=1
    "$SDHOST_HERE/up.sh" "$SDHOST_DIR" "$SDHOST_NAME" "$SDHOST_NET"
    timing "up.sh (boot until running + first ssh login)" "$(sdhost_since "$t")"
    # shellcheck disable=SC1091
    . "$SDHOST_DIR/env.sh"
    OUTER_PID=$BLUEGREEN_SD_PID
    SYSTEMD_PID=$(sdhost_systemd_pid)
}

step_logins() {
    local out t keys
    t=$(sdhost_now)
    out=$(rssh root 'echo "host=$(hostname) user=$(id -un) state=$(systemctl is-system-running)"
        ls /etc/ssh/ssh_host_*_key
        visudo -c -f /etc/sudoers.d/bluegreen >/dev/null && echo "sudoers ok mode $(stat -c %a /etc/sudoers.d/bluegreen)"
        echo "linger=$(loginctl show-user deploy -p Linger --value) usermgr=$(systemctl is-active user@$(id -u deploy))"
        test -d /var/log/journal/$(cat /etc/machine-id) && echo "journal=persistent"
        echo "include dir owner=$(stat -c %U /etc/nginx/bluegreen)"')
    timing "ssh as root (one command)" "$(sdhost_since "$t")"
    expect "$out" "host=$SDHOST_NAME user=root state=running" "root login"
    expect "$out" '^/etc/ssh/ssh_host_ed25519_key$' "host key"
    [ "$(grep -c ssh_host_ <<<"$out")" = 1 ] || fail "more than one host key: $out"
    keys=$(ssh-keyscan -T 3 "$SDHOST_ADDR" 2>/dev/null | cut -d' ' -f2- | sort)
    [ "$keys" = "$(cut -d' ' -f2- "$SDHOST_KNOWN_HOSTS")" ] || fail "ssh-keyscan: the host must offer only the pinned key, got: $keys"
    expect "$out" 'sudoers ok mode 440' "sudoers"
    expect "$out" 'linger=yes usermgr=active' "linger"
    expect "$out" 'journal=persistent' "journal"
    expect "$out" 'include dir owner=deploy' "include directory"
    t=$(sdhost_now)
    out=$(rssh deploy 'echo "user=$(id -un) groups=$(id -nG) xdg=$XDG_RUNTIME_DIR usermgr=$(systemctl --user is-system-running)"
        java -version 2>&1 | head -1')
    timing "ssh as deploy (one command)" "$(sdhost_since "$t")"
    expect "$out" "user=deploy groups=deploy systemd-journal xdg=/run/user/[0-9]+ usermgr=running" "deploy login"
    expect "$out" 'version "17' "java"
}

step_site_empty() {
    local h
    [ "$(http -o /dev/null -w '%{http_code}' "$URL")" = 502 ] || fail "GET / before a deploy: not 502"
    [ "$(http -o /dev/null -w '%{http_code}' "${URL}docs")" = 502 ] || fail "GET /docs: not 502"
    [ "$(http -o /dev/null -w '%{http_code}' "${URL}admin")" = 502 ] || fail "GET /admin: not 502"
    h=$(http -D - -o /dev/null "$URL")
    expect "$h" "Access-Control-Allow-Origin: https://dev.pium.life" "CORS header on the 502 (always)"
    h=$(http -D - -o /dev/null -X OPTIONS -H 'Origin: https://dev.pium.life' "$URL")
    expect "$h" '^HTTP/1.1 204' "OPTIONS preflight"
    expect "$h" 'Access-Control-Allow-Methods: GET, POST, DELETE, PATCH, OPTIONS' "OPTIONS preflight"
    expect "$h" 'Access-Control-Allow-Headers: Content-Type, Authorization' "OPTIONS preflight"
    expect "$h" 'Access-Control-Max-Age: 86400' "OPTIONS preflight"
    expect "$h" 'Access-Control-Allow-Credentials: true' "OPTIONS preflight"
    say "site: GET / /docs /admin 502 with CORS headers, OPTIONS 204 with the preflight headers"
}

step_user_unit() {
    local t opts out
    t=$(sdhost_now)
    mapfile -t opts < <(sdhost_ssh_opts deploy)
    printf -- '-mkdir app\nput %s app/app.jar\n' "$SDHOST_DIR/selftest/app.jar" |
        sftp -q -b - "${opts[@]}" "$SDHOST_ADDR" >/dev/null || fail "sftp upload"
    timing "sftp upload as deploy" "$(sdhost_since "$t")"
    t=$(sdhost_now)
    out=$(rssh deploy "mkdir -p ~/.config/systemd/user
        cat > ~/.config/systemd/user/demo@.service <<'UNIT'
[Unit]
Description=demo app on port %i

[Service]
ExecStart=/usr/bin/java -jar %h/app/app.jar --server.port=%i
# the JVM exits 143 on SIGTERM
SuccessExitStatus=143
Restart=on-failure

[Install]
WantedBy=default.target
UNIT
        systemctl --user daemon-reload
        systemctl --user start demo@$APP_PORT
        systemctl --user enable demo@$APP_PORT 2>&1
        systemctl --user show -p MainPID demo@$APP_PORT
        for i in \$(seq 100); do curl -s localhost:$APP_PORT/ && break; sleep 0.05; done")
    timing "user unit: write, daemon-reload, start, enable, app answers" "$(sdhost_since "$t")"
    expect "$out" "default.target.wants/demo@$APP_PORT.service" "enable"
    expect "$out" '^MainPID=[1-9][0-9]*$' "MainPID"
    expect "$out" "hello from $APP_PORT" "app"
    out=$(rssh deploy "for i in \$(seq 50); do journalctl --user -u demo@$APP_PORT -q --no-pager | grep -q 'Started App' && break; sleep 0.1; done
        journalctl --user -u demo@$APP_PORT -q --no-pager")
    expect "$out" "Started App on port $APP_PORT" "journalctl --user -u demo@$APP_PORT as deploy"
    say "journalctl --user -u demo@$APP_PORT as deploy: $(grep -c . <<<"$out") lines, app output included"
}

step_switch() {
    local t out
    t=$(sdhost_now)
    out=$(rssh deploy "echo 'set \$service_url http://127.0.0.1:$APP_PORT;' > $SDHOST_INCLUDE
        sudo -n nginx -t 2>&1
        sudo -n nginx -t -q
        sudo -n systemctl reload nginx
        echo reloaded
        if sudo -n systemctl stop nginx 2>/dev/null; then echo 'NOT REFUSED: systemctl stop nginx'; fi
        if sudo -n nginx -s stop 2>/dev/null; then echo 'NOT REFUSED: nginx -s stop'; fi
        if sudo -n systemctl reload ssh 2>/dev/null; then echo 'NOT REFUSED: systemctl reload ssh'; fi
        if sudo -n true 2>/dev/null; then echo 'NOT REFUSED: true'; fi
        echo done")
    expect "$out" 'test is successful' "sudo -n nginx -t"
    expect "$out" 'reloaded' "sudo -n systemctl reload nginx"
    ! grep -q 'NOT REFUSED' <<<"$out" || fail "sudo allowed more than the whitelist: $out"
    expect "$out" '^done$' "sudo checks"
    wait_http "$URL" "hello from $APP_PORT" 10 >/dev/null
    timing "include + sudo nginx -t + reload until / answers from the app" "$(sdhost_since "$t")"
    say "sudo outside the whitelist refused (systemctl stop nginx, nginx -s stop, systemctl reload ssh, true)"
}

step_kill9() {
    local t out pid body
    body=$(http "$URL")
    pid=${body##* pid }
    t=$(sdhost_now)
    rssh deploy "kill -9 \$(systemctl --user show -p MainPID --value demo@$APP_PORT)"
    body=$(wait_http "$URL" "hello from $APP_PORT pid [0-9]+" 30)
    while [ "${body##* pid }" = "$pid" ]; do body=$(wait_http "$URL" "hello from $APP_PORT pid [0-9]+" 30); done
    timing "kill -9 of the app until it answers again (Restart=on-failure)" "$(sdhost_since "$t")"
    out=$(rssh deploy "systemctl --user show -p NRestarts -p ActiveState demo@$APP_PORT")
    expect "$out" 'NRestarts=1' "restart count"
    say "app PID $pid -> ${body##* pid } after kill -9 ($(tr '\n' ' ' <<<"$out"))"
}

step_system_unit() {
    local t out
    t=$(sdhost_now)
    out=$(rssh root "install -D -m 644 /home/deploy/app/app.jar /opt/demo/app.jar
        cat > /etc/systemd/system/demo@.service <<'UNIT'
[Unit]
Description=demo app (system unit) on port %i
After=network.target

[Service]
ExecStart=/usr/bin/java -jar /opt/demo/app.jar --server.port=%i
SuccessExitStatus=143
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
        systemctl daemon-reload
        systemctl start demo@$SYS_PORT
        systemctl enable demo@$SYS_PORT 2>&1
        systemctl show -p MainPID demo@$SYS_PORT")
    expect "$out" "multi-user.target.wants/demo@$SYS_PORT.service" "enable (system)"
    expect "$out" '^MainPID=[1-9][0-9]*$' "MainPID (system)"
    wait_http "http://$SDHOST_ADDR:$SYS_PORT/" "hello from $SYS_PORT" 10 >/dev/null
    timing "system unit as root: start, enable, answers" "$(sdhost_since "$t")"
}

step_reboot() {
    local t out sd i
    t=$(sdhost_now)
    rssh root 'systemctl reboot' >/dev/null 2>&1 || true
    for ((i = 0; i < 600; i++)); do
        sd=$(sdhost_systemd_pid 1 2>/dev/null) && [ "$sd" != "$SYSTEMD_PID" ] && break
        sleep 0.05
    done
    [ -n "$sd" ] && [ "$sd" != "$SYSTEMD_PID" ] || fail "no new systemd after systemctl reboot"
    timing "reboot: until the new systemd runs" "$(sdhost_since "$t")"
    wait_http "$URL" "hello from $APP_PORT" 60 >/dev/null
    timing "reboot: until / answers from the enabled user unit again" "$(sdhost_since "$t")"
    wait_http "http://$SDHOST_ADDR:$SYS_PORT/" "hello from $SYS_PORT" 30 >/dev/null
    timing "reboot: until the enabled system unit answers again" "$(sdhost_since "$t")"
    SYSTEMD_PID=$sd
    out=$(rssh deploy "echo boots=\$(journalctl --list-boots -q --no-pager | wc -l)
        journalctl --user -u demo@$APP_PORT -b -1 -q --no-pager | grep -E 'SIGTERM|Stopp' || true
        echo state=\$(systemctl --user is-active demo@$APP_PORT) nginx=\$(systemctl is-active nginx)")
    expect "$out" 'boots=2' "journal of both boots"
    expect "$out" 'SIGTERM received, graceful shutdown' "previous boot's journal: graceful stop at reboot"
    expect "$out" 'state=active nginx=active' "units after reboot"
    say "after reboot: nginx, demo@$APP_PORT (user, lingering) and demo@$SYS_PORT (system) back; previous boot's journal kept"
}

live_in_cgroup() { # PIDs (not zombies: PID 1 of this machine reaps late) still in the host's cgroup
    local f p found=1
    for f in $(grep -lsE ":/$SDHOST_NAME(/|$)" /proc/[0-9]*/cgroup); do
        p=${f#/proc/}
        p=${p%/cgroup}
        if sdhost_alive "$p"; then echo "$p"; found=0; fi
    done
    return $found
}

step_down() {
    local t leftovers=()
    t=$(sdhost_now)
    "$SDHOST_HERE/down.sh" "$SDHOST_DIR"
    UP=
    timing "down.sh" "$(sdhost_since "$t")"
    ! sdhost_alive "$OUTER_PID" || leftovers+=("outer process $OUTER_PID")
    ! sdhost_alive "$SYSTEMD_PID" || leftovers+=("systemd $SYSTEMD_PID")
    ! ip link show "$SDHOST_VETH" >/dev/null 2>&1 || leftovers+=("veth $SDHOST_VETH")
    [ ! -d "$SDHOST_CG_UNIFIED/$SDHOST_NAME" ] || leftovers+=("cgroup $SDHOST_CG_UNIFIED/$SDHOST_NAME")
    [ ! -d "$SDHOST_CG_NAMED/$SDHOST_NAME" ] || leftovers+=("cgroup $SDHOST_CG_NAMED/$SDHOST_NAME")
    ! live_in_cgroup || leftovers+=("processes in cgroup /$SDHOST_NAME: $(live_in_cgroup)")
    ! grep -qF "$SDHOST_DIR/" /proc/self/mountinfo || leftovers+=("mounts under $SDHOST_DIR")
    ! grep -qE " $SDHOST_NAME-(rw|root|dev|run|tmp) " /proc/self/mountinfo || leftovers+=("mounts named $SDHOST_NAME-*")
    ! ip -o addr show | grep -qF " $SDHOST_NET.1/" || leftovers+=("address $SDHOST_NET.1")
    [ ${#leftovers[@]} = 0 ] || fail "left behind: ${leftovers[*]}"
    say "nothing left behind (process, veth, address, cgroup, mount)"
}

main() {
    trap on_exit EXIT
    build_app
    step_up
    step_logins
    step_site_empty
    step_user_unit
    step_switch
    step_kill9
    step_system_unit
    step_reboot
    step_down
    echo "selftest[$SDHOST_NAME] PASSED in $(sdhost_since "$T_START") s; timings:"
    printf '  %s\n' "${TIMINGS[@]}"
}

main
