# bluegreen-maven-plugin: the commands the plugin runs on the server, as
#     sh -c "<this text>" bluegreen COMMAND NAME=VALUE... [-- WORD...]
# The text is constant: every path, port and command arrives as a NAME=VALUE argument, quoted by
# io.github.bluegreen.core.Shell, so nothing a user configures is ever parsed as shell code. Each command has one
# Java method in io.github.bluegreen.core.ServerCommands that builds its arguments and parses what it prints.
#
# command  arguments                                      prints (key=value lines)                   exit
# -------  ---------------------------------------------  -----------------------------------------  ----------------
# lock     base owner [expect wait_s] include pidfile     lock=taken, then what inspect prints       0
#          errorlog ports unit health probe_ms            holder.* (+ holder.alive=yes|no|unknown)  3 held
#          [canary_log]                                   busy.command (a dead deploy's command runs) 5 busy; 4 (base
#                                                                                                     of another app)
# inspect  base include pidfile errorlog ports unit       include.*, nginx.current|retiring.PID=     0
#          health probe_ms [canary_log]                   ROUTES, holder.*, journal.*, port.P.*,
#                                                         include.canary|share (a canary's split),
#                                                         canary.log=missing|unreadable
#                                                         (listener: pid start command uptime ours
#                                                         health.*; record.*; unit.*),
#                                                         nginx.errorlog, state.base64 (the state file)
# owner    ports                                          port.P.pid, port.P.start                   0
# start    base include pidfile port release jar jar_name stale.*, stop.*, drain.*, pid, start       0; 3 refused; 4
#          size sha256 log env stop_s drain_ms runner     (jar from reuse: an earlier release's same   6 the jar could
#          unit umask [unit_template unit_text]           jar; from bundle: manifest + .data)         not be rebuilt or
#          [reuse | bundle] [cds: COMMAND runs          cds=archive|training|none, cds.note        reused: upload it
#          @JAR.PORT.args, written here] -- COMMAND...
# switch   base include port pid start pidfile test       old.workers, new.workers, error, reason    0; 3 refused; 4
#          reload timeout_ms errorlog release runner unit (rejected: nginx's error log said why;
#          health probe_ms (with curl: it answers UP      unhealthy), health.checked
#          first) [stable share split_on split_re: a
#          canary's step, SHARE % to PORT, the rest to
#          STABLE; its journal says canary=SHARE]
# stop     base include pidfile port pid start release    stop.*, drain.*, refused (+ .live|.canary)  0; 3 refused
#          stop_s drain_ms (no pid: the recorded instance of the release)
# cleanup  stop's arguments, keep_old_s keep protect      stop.*, drain.*, kept.*, pruned.*,         0; 3 refused
#                                                         cds.dump=KEY (an archive being made)
# drain    base include pidfile port drain_ms             drain.workers, drain.ms, drain.timeout     0; 3 refused
# save     base deploy [state] [history]                  save=done                                  0; 3 not held; 4
#          (the state file, a history.log line: only by the deploy that holds the lock)
# unlock   base deploy                                    unlock=released|not-held                   0
# tail     file lines [unit port] [follow]                the last lines of the file (or the unit's  0
#                                                         journal); follow: then new ones, until ended
# blobs    base sha256 size want (SHA:LENGTH...)          have.jar=PATH, else missing.SHA=LENGTH     0
# hook     base name timeout_s port pid release deploy     the hook's output, then hook.exit=N        0
#          outcome reason -- COMMAND...                   (124: it ran out of time; 137: and was killed)
# health   port path pid start left_ms poll_ms probe_ms   health.probes, .curl, .alive, .owner (after  0 UP from PID; 2
#          (polls until HTTP 200, the exit of PID, or      a 200), .answer.base64 (curl's last HTTP   not (yet); 4 no
#          left_ms: the health check's wait on the server) answer)                                    curl
# traffic  log [from ports] (a canary's analysis:         log.size, port.P.requests, .failed,        0; 4 unreadable
#          nginx's canary log from byte FROM; no          .p50_ms, .p99_ms (what nginx answered)
#          ports: its size only)
# probe    port path timeout_ms                           curl's HTTP answer (status line, headers,  0; 4 no curl; else
#          (health probes when sshd forbids forwarding)   body)                                      curl's exit code
#
# Instances run detached (runner=process: nohup setsid, output appended to the release's log) or as systemd units
# UNIT@PORT (runner=systemd: the system manager as root, the deploy user's own lingering manager otherwise).
# start, switch, stop and cleanup also take holder=DEPLOY_ID (a deploy's own commands): refused (exit 3, refused.lock,
# holder.*) unless that deploy holds deploy.lock, checked under commands.lock. switch, cleanup and health also take
# then_state, then_timed, then_history, then_unlock: once the command succeeded, what its facts make true is recorded
# as save would (and the lock released), in the same round trip; save=done|not-held|failed says how that went.
# Exit codes: 0 done; 3 refused: the server's state forbids it and nothing was changed; 4 failed; 5 busy;
# 6 the jar could not be rebuilt from earlier releases, or their same jar is damaged (the caller uploads it whole).
# Crash safety: the commands ignore SIGHUP and SIGPIPE, so a dropped SSH connection or a killed Maven never cuts one
# in half; every command that changes something holds commands.lock (flock) while it runs, so the next deploy waits
# for a dead deploy's last command before it looks. Waits run to deadlines read from the clock (/proc/uptime).
# Files under base: deploy.lock (who deploys), state.properties and history.log (written by save, for the lock's
# holder only), routes (every include write: what nginx's workers may route to), instances/PORT (what start launched),
# switch.journal (a switch under way), app (the app whose deploys these are), releases/, blobs/, libs/ (a Spring Boot
# jar's libraries by SHA-256) and cds/ (class-data archives per JVM and library set, and what makes them). A canary's include
# names both ports (its first line "# bluegreen canary: stable=S canary=C share=N"); neither is stopped while it does.
set -u
umask 077
trap '' HUP PIPE

# --- arguments
parse_args() { # parse_args NAME=VALUE... [-- ...]: sets each NAME (declared local by the calling command)
    local name
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        name=${1%%=*}
        case $name in ''|*[!a-z0-9_]*|"$1") echo "error=bad argument '$1'"; exit 4 ;; esac
        eval "$name=\${1#*=}"
        shift
    done
}

# --- clock and processes (/proc and POSIX tools only; builtins where a loop polls)
now_ms() { # sets NOW: milliseconds since boot, from /proc/uptime (a deadline, not a count of loop rounds)
    local up cs
    read -r up _ < /proc/uptime
    cs=${up#*.}; cs=${cs#0}
    NOW=$(( ${up%.*} * 1000 + ${cs:-0} * 10 ))
}
proc_start() { # proc_start PID: start time in clock ticks since boot; with the PID, a process's identity
    local stat=""
    { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
    set -- ${stat##*) }
    shift 19
    echo "$1"
}
alive() { # alive PID [START]: running, not a zombie, and (with START) still the same process
    local stat=""
    { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
    case "${stat##*) }" in Z*|X*|'') return 1 ;; esac
    [ -z "${2:-}" ] || [ "$(proc_start "$1")" = "$2" ]
}
boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null; }
cmdline() { tr '\0\n' '  ' 2>/dev/null < "/proc/$1/cmdline"; }
uptime_of() { # uptime_of PID: seconds since the process started (/proc/PID/stat counts in USER_HZ, 100 on Linux)
    local start
    start=$(proc_start "$1") || return 0
    now_ms
    echo $(( NOW / 1000 - start / 100 ))
}
listen_sockets() { # listen_sockets PORT...: "PORT INODE" for each TCP socket listening on one of the ports (IPv4, IPv6)
    awk -v ports="$*" 'BEGIN { n = split(ports, p, " "); for (i = 1; i <= n; i++) want[sprintf("%04X", p[i])] = p[i] }
        $4 == "0A" { k = split($2, a, ":"); if (a[k] in want) print want[a[k]], $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
listeners() { # listeners PORT...: "PORT PID" for each TCP socket listening on one of the ports; PID "?" when the
    # owner is another user's process. iproute2's ss asks the kernel for the listening sockets only (/proc/net/tcp
    # also lists every connection, thousands on a busy server); without ss, or when it cannot open its netlink
    # socket, the sockets come from /proc/net and their owners from one scan of /proc/*/fd.
    local listening sockets patterns word n owners
    if command -v ss > /dev/null 2>&1 && listening=$(ss -ltnp 2>/dev/null); then
        printf '%s\n' "$listening" | awk '$1 == "LISTEN" {
            n = split($4, a, ":"); pid = "?"
            if (match($0, /pid=[0-9]+/)) pid = substr($0, RSTART + 4, RLENGTH - 4)
            print a[n], pid }'
        return
    fi
    sockets=$(listen_sockets "$@")
    patterns=""; n=0
    for word in $sockets; do   # the words alternate: PORT INODE
        n=$((n + 1))
        [ $((n % 2)) -eq 1 ] || patterns="$patterns${patterns:+ -o} -lname socket:[[]$word[]]"
    done
    # -printf gives "/proc/PID/fd/N socket:[INODE]" (set -f: the patterns are for find, not for the shell)
    owners=$( [ -z "$patterns" ] || { set -f; find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/fd/*' \( $patterns \) \
        -printf '%p %l\n' 2>/dev/null; })
    printf '%s\n--\n%s\n' "$owners" "$sockets" | awk '
        $0 == "--" { sockets = 1; next }
        !sockets && NF == 2 { split($1, f, "/"); inode = $2; gsub(/[^0-9]/, "", inode); owner[inode] = f[3]; next }
        sockets && NF == 2 { print $1, ($2 in owner) ? owner[$2] : "?" }'
}
port_pids() { # port_pids PORT...: "PORT PID" lines; PID "" if free, "?" if the owner is another user's process
    listeners "$@" | awk -v ports="$*" 'NF == 2 && (!($1 in pid) || pid[$1] == "?") { pid[$1] = $2 }
        END { n = split(ports, p, " "); for (i = 1; i <= n; i++) print p[i], (p[i] in pid) ? pid[p[i]] : "" }'
}
port_pid() { # port_pid PORT: the PID listening on PORT ("" free, "?" not visible)
    local pair
    pair=$(port_pids "$1")
    echo "${pair#* }"
}
seconds() { # seconds MS: MS as curl's --max-time wants it
    printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}
http_status() { # http_status ANSWER: the status code of curl -i's answer (its first line)
    printf '%s\n' "$1" | sed -n '1s/^HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p'
}
http_body() { # http_body ANSWER: what follows the headers
    printf '%s\n' "$1" | sed '1,/^\r\{0,1\}$/d'
}
is_up() { # is_up ANSWER: HTTP 200 and UP as the top level's status (a component's UP inside does not count)
    [ "$(http_status "$1")" = 200 ] && [ "$(http_body "$1" | top_status)" = UP ]
}
top_status() { # top_status: the "status" of the JSON object on stdin, at its top level: actuator puts it first up to Boot 3,
    # after "groups" in Boot 4 ({"groups":["liveness","readiness"],"status":"UP"}); strings are read past escapes
    tr -d '\r\n' | awk '{
        s = $0; n = length(s); depth = 0; want = ""; key = ""
        for (i = 1; i <= n; i++) {
            c = substr(s, i, 1)
            if (c == "\"") {
                text = ""
                for (i++; i <= n && substr(s, i, 1) != "\""; i++) {
                    if (substr(s, i, 1) == "\\") i++
                    text = text substr(s, i, 1)
                }
                if (depth == 1 && want == "key") key = text
                else if (depth == 1 && want == "value" && key == "status") { print text; exit }
            } else if (c == "{" || c == "[") { depth++; if (depth == 1) want = "key" }
            else if (c == "}" || c == "]") depth--
            else if (depth == 1 && c == ":") want = "value"
            else if (depth == 1 && c == ",") want = "key"
        }
    }'
}
probe_health() { # probe_health PORT: port.P.health.curl (curl's exit code), .status, .body (one line) and .up of an
    # answer from the health endpoint $health within $probe_ms (none without curl: the plugin then probes through its
    # connection)
    local out rc
    command -v curl > /dev/null 2>&1 || return 0
    out=$(curl -g -s -i --max-time "$(seconds "${probe_ms:-2000}")" "http://127.0.0.1:$1$health"); rc=$?
    echo "port.$1.health.curl=$rc"
    [ $rc -eq 0 ] || return 0
    echo "port.$1.health.status=$(http_status "$out")"
    echo "port.$1.health.body=$(http_body "$out" | tr '\r\n' '  ' | cut -c 1-300 | sed 's/ *$//')"
    if is_up "$out"; then echo "port.$1.health.up=yes"; else echo "port.$1.health.up=no"; fi
}
describe_ports() { # describe_ports PORT...: port.P.pid / .start / .command / .uptime of each port's listener (with
    # $health: and what its health endpoint answers)
    local pairs port pid
    pairs=$(port_pids "$@")
    while read -r port pid; do
        echo "port.$port.pid=$pid"
        case "$pid" in ''|'?') ;; *)
            echo "port.$port.start=$(proc_start "$pid")"
            echo "port.$port.command=$(cmdline "$pid")"
            echo "port.$port.uptime=$(uptime_of "$pid")"
            ! ours "$pid" || echo "port.$port.ours=yes"
            [ -z "${health:-}" ] || probe_health "$port" ;;
        esac
    done <<PAIRS
$pairs
PAIRS
}

# --- files under base: the deploy lock, the command lock, instance records, the switch journal
value_of() { # value_of KEY FILE: the value of the line KEY=... in FILE
    local key value
    while IFS='=' read -r key value; do
        [ "$key" != "$1" ] || { printf '%s\n' "$value"; return 0; }
    done 2>/dev/null < "$2"
    return 1
}
write_file() { # write_file FILE TEXT: atomically (temp file + rename)
    printf '%s\n' "$2" > "$1.tmp" && mv -f "$1.tmp" "$1"
}
commands_lock() { # commands_lock WAIT_S: hold commands.lock until this command exits (the kernel frees it on death).
    # With holder=DEPLOY_ID (a deploy's own start, switch, stop, cleanup): only while that deploy holds deploy.lock, checked
    # under commands.lock, which a takeover holds too: a deploy whose lock was taken over changes nothing any more
    mkdir -p "$base" || exit 4
    command -v flock > /dev/null 2>&1 || { echo "error=flock (util-linux) is missing on the server: install util-linux"; exit 4; }
    exec 9>> "$base/commands.lock"
    if ! flock -w "$1" 9; then
        echo "busy.command=$(cat "$base/commands.current" 2>/dev/null)"
        exit 5
    fi
    if [ -n "${holder:-}" ] && [ "$(value_of deployId "$base/deploy.lock")" != "$holder" ]; then
        echo "refused=deploy $holder no longer holds the deploy lock"; echo "refused.lock=lost"; print_holder; exit 3
    fi
    now_ms
    printf '%s pid=%s since=%s\n' "$cmd" "$$" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$base/commands.current"
}
owner_lock() { # owner_lock: held while the deploy lock changes hands or its holder records (state.lock, not commands.lock:
    # recording never waits for a long command)
    exec 8>> "$base/state.lock"
    flock -w 60 8 || { echo "error=$base/state.lock stays held"; exit 4; }
}
try_lock() { # try_lock OWNER_TEXT: creates deploy.lock only if there is none: written whole to a file of its own, then
    # linked into place (atomic, never over another's), so a full disk never leaves a half-written lock behind
    local mine="$base/deploy.lock.$$" taken=1
    if [ -e "$base/deploy.lock" ] && [ ! -s "$base/deploy.lock" ]; then
        # an empty one (a full disk, before) holds nothing: removed after a second look under state.lock, where a
        # takeover moves and links (a look without it could remove the lock another deploy just linked)
        ( owner_lock; [ -s "$base/deploy.lock" ] || rm -f "$base/deploy.lock" )
    fi
    if ! printf '%s\n' "$1" 2>/dev/null > "$mine"; then
        rm -f "$mine"; echo "error=cannot write $base/deploy.lock (is the disk full?)"; exit 4
    fi
    ln "$mine" "$base/deploy.lock" 2>/dev/null && taken=0
    rm -f "$mine"
    return $taken
}
pid_ns() { readlink /proc/self/ns/pid 2>/dev/null; }   # the PID namespace this command sees PIDs in
holder_alive() { # holder_alive: yes / no / unknown, for the process that holds deploy.lock, as seen from here: a PID
    # is known only in the PID namespace it was read in (containers on one kernel share its boot id, not their PIDs)
    local host boot pid start ns
    host=$(value_of host "$base/deploy.lock")
    boot=$(value_of bootId "$base/deploy.lock")
    pid=$(value_of pid "$base/deploy.lock")
    start=$(value_of pidStart "$base/deploy.lock")
    ns=$(value_of pidNs "$base/deploy.lock")
    if [ -n "$boot" ] && [ "$boot" = "$(boot_id)" ] && [ -n "$ns" ] && [ "$ns" != "$(pid_ns)" ]; then
        echo unknown
    elif [ -n "$boot" ] && [ "$boot" = "$(boot_id)" ]; then
        if alive "$pid" "$start"; then echo yes; else echo no; fi
    elif [ -n "$boot" ] && [ "$host" = "$(uname -n)" ]; then
        echo no   # this host, an earlier boot: it ended with the reboot
    else
        echo unknown
    fi
}
print_holder() {
    sed 's/^/holder./' "$base/deploy.lock" 2>/dev/null
    echo "holder.alive=$(holder_alive)"
}
record_of() { echo "$base/instances/$1"; }
forget_instance() { # forget_instance PORT PID: remove the port's record if it is about PID
    [ "$(value_of pid "$(record_of "$1")")" != "$2" ] || rm -f "$(record_of "$1")"
}
sctl() { # systemctl for the app's units: the system manager as root, else the user's own (lingering) manager
    if [ "$(id -u)" = 0 ]; then
        systemctl "$@"
    else
        XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)} systemctl --user "$@"
    fi
}
unit_of() { echo "$unit@$1.service"; }
is_unit() { [ "$(value_of runner "$(record_of "$1")")" = systemd ]; }
running_instance() { # running_instance PORT: "PID START" of the instance recorded on PORT if it runs (a unit: its MainPID)
    local record pid start
    record=$(record_of "$1")
    pid=$(value_of pid "$record") || return 1
    start=$(value_of start "$record")
    if is_unit "$1"; then
        pid=$(sctl show -p MainPID --value "$(unit_of "$1")" 2>/dev/null)
        [ -n "$pid" ] && [ "$pid" != 0 ] || return 1
        start=$(proc_start "$pid") || return 1
    fi
    alive "$pid" "$start" || return 1
    echo "$pid $start"
}

# --- nginx
nginx_workers() { # nginx_workers PIDFILE: worker PIDs of the master in PIDFILE, space separated
    local master="" workers=""
    { read -r master < "$1"; } 2>/dev/null
    alive "$master" || return 1
    if [ -r "/proc/$master/task/$master/children" ]; then
        { read -r workers < "/proc/$master/task/$master/children"; } 2>/dev/null
    else
        workers=$(awk -v p="$master" '{ sub(/.*\) /, ""); if ($2 == p) { f = FILENAME; gsub(/[^0-9]/, "", f); print f } }' \
            /proc/[0-9]*/stat 2>/dev/null | tr '\n' ' ')
    fi
    echo "$workers"
}
any_alive() { local p; for p in "$@"; do alive "$p" && return 0; done; return 1; }
new_worker_since() { # new_worker_since PIDFILE OLD...: true once a worker exists that is not in OLD
    local pidfile=$1 w
    shift
    for w in $(nginx_workers "$pidfile"); do
        case " $* " in *" $w "*) ;; *) return 0 ;; esac
    done
    return 1
}
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
bounded() { # bounded TIMEOUT_MS COMMAND_TEXT: runs an nginx command (words quoted by the plugin), its output merged,
    # killed if it outlives the deadline (a hung sudo or nginx never holds a deploy)
    eval "timeout -k 2 $(( ($1 + 999) / 1000 )) $2" 2>&1
}
new_errors() { # new_errors FILE OFFSET: the [emerg]/[alert] lines nginx wrote to FILE after OFFSET bytes
    [ -r "$1" ] || return 0
    tail -c +"$(( $2 + 1 ))" "$1" 2>/dev/null | grep -E '\[(emerg|alert)\]' | tail -n 3 | tr '\n' ' '
}
write_include() { # write_include PORT [CANARY SHARE SPLIT_ON SPLIT_RE]: routes to PORT; a canary's include sends the
    # requests whose $SPLIT_ON matches SPLIT_RE (SHARE percent of them) to CANARY instead, and marks them for the
    # canary log (the one-time setup's access_log ... if=$bluegreen_canary). It and its directory readable by all (no
    # secret): nginx may run as another user
    local text="set \$service_url http://127.0.0.1:$1;" ports=$1
    if [ -n "${2:-}" ]; then
        ports="$1,$2"
        text="# bluegreen canary: stable=$1 canary=$2 share=$3
$text
set \$bluegreen_canary $2;
if (\$$4 ~ \"$5\") { set \$service_url http://127.0.0.1:$2; }"
    fi
    write_route "$ports" sh -c 'umask 022 && mkdir -p "${1%/*}" && printf "%s\n" "$2" > "$1.tmp" && mv -f "$1.tmp" "$1"' \
        include "$include" "$text"
}
restore_include() { # restore_include: the include as it was before the switch began (its backup, or none)
    if [ -f "$include.bak" ]; then
        local port
        port=$(include_ports "$include.bak")
        write_route "${port:-?}" mv -f "$include.bak" "$include"
    else
        write_route - rm -f "$include"
    fi
}

# --- nginx's routes: which port each nginx worker may still send requests to
# nginx reads its configuration, then forks the workers: a worker routes as the include was when the worker started.
# Every include write is recorded in base/routes: "boot=ID", then "PORTS BEFORE_MS AFTER_MS" per write (milliseconds
# since boot around the write; PORTS "-" for no include, "STABLE,CANARY" for a canary's). A worker started after a write
# routes to its ports, one started during it to either, one older than every record anywhere ("?").
include_ports() { # include_ports FILE: the port of each of its "set $service_url http://HOST:PORT;" lines, comma
    # separated, the routed one (the first line's) first: a canary's include names the canary's port too
    local line port ports=""
    while IFS= read -r line || [ -n "$line" ]; do   # (a last line without its newline too: a hand-written include)
        case "$line" in *service_url*) ;; *) continue ;; esac
        port=${line##*:}; port=${port%%[!0-9]*}
        [ -n "$port" ] || continue
        case ",$ports," in *",$port,"*) ;; *) ports=${ports:+$ports,}$port ;; esac
    done 2>/dev/null < "$1"
    echo "$ports"
}
routed_port() { # the port nginx's include routes to (a canary's: the stable one), or ""
    local ports
    ports=$(include_ports "$include")
    echo "${ports%%,*}"
}
names_port() { # names_port PORT: nginx's include sends requests to PORT (all of them, or a canary's share)
    case ",$(include_ports "$include")," in *",$1,"*) return 0 ;; esac
    return 1
}
routes_records() { # the records of this boot, oldest first; without any, what the include itself tells
    local port
    if [ "$(head -n 1 "$base/routes" 2>/dev/null)" = "boot=$(boot_id)" ]; then
        tail -n +2 "$base/routes"
        return
    fi
    port=$(include_ports "$include")
    [ -n "$port" ] || return 0   # no include and no record: nothing is known
    if [ -f "$base/routes" ]; then echo "$port 0 0"; return; fi   # recorded before this boot: all of its workers are newer
    # no record yet (an include written by hand, or by an earlier version): it as last modified, a worker older than that
    # routes anywhere. GNU stat and date give the time to the millisecond (the clock ticks of a worker's start are 10 ms
    # and the two clocks are read apart: a worker started 20 ms before counts as newer); else to the second, either way.
    local epoch mtime
    now_ms; epoch=$(date +%s%3N); mtime=$(stat -c %.3Y "$include" 2>/dev/null) || return 0
    case "$epoch$mtime" in
    *N*|*[!0-9.]*|*.)
        epoch=$(( $(date +%s) * 1000 )); mtime=$(( $(stat -c %Y "$include") * 1000 ))
        echo "$port $((NOW - (epoch - mtime) - 1000)) $((NOW - (epoch - mtime) + 1000))"
        return ;;
    esac
    mtime=$((NOW - (epoch - ${mtime%.*}${mtime#*.}) - 20))
    echo "$port $mtime $mtime"
}
write_route() { # write_route PORT COMMAND...: runs the command that writes the include (so that it routes to PORT, "-"
    # for none), then records the write
    local port=$1 records before
    shift
    records=$(records_before_write)
    now_ms; before=$NOW
    "$@" || return 1
    now_ms
    record_route "$records" "$port" "$before" "$NOW"
}
records_before_write() { # the records so far, as a write of the include is about to add one
    local records
    records=$(routes_records)
    # the first record: a switch from no include means nginx did not route to this app before it
    [ -n "$records" ] || [ -f "$base/routes" ] || [ -f "$include" ] || records="- 0 0"
    printf '%s' "$records"
}
record_route() { # record_route RECORDS PORT BEFORE_MS AFTER_MS: the include was written between the two times
    { echo "boot=$(boot_id)"; [ -z "$1" ] || printf '%s\n' "$1"; echo "$2 $3 $4"; } > "$base/routes.tmp" &&
        mv -f "$base/routes.tmp" "$base/routes"
}
worker_routes() { # worker_routes PIDFILE: "PID STATE ROUTES SETTLED" per nginx worker; STATE retiring if nginx titled
    # it "shutting down" (it finishes its requests, then exits) or a newer generation of workers exists (started over a
    # second after it: a reload's, and nginx retires every worker of before a reload, though a busy machine may take
    # seconds to tell them), else current; ROUTES the ports it may send requests to, comma separated; SETTLED yes once
    # the newest worker is 3 s old (until then a reload may still be under way)
    local records w start list=""
    records=$(routes_records)
    for w in $(nginx_workers "$1"); do
        alive "$w" || continue
        start=$(proc_start "$w") || continue
        list="$list$w $start $(cmdline "$w")
"
    done
    now_ms
    printf '%s' "$list" | awk -v records="$records" -v now="$NOW" '
        BEGIN { n = split(records, line, "\n"); for (i = 1; i <= n; i++) { split(line[i], f, " "); port[i] = f[1]; before[i] = f[2]; after[i] = f[3] } }
        NF >= 2 { pid[++w] = $1; start[w] = $2 * 10; retiring[w] = index($0, "shutting down") > 0; if (start[w] > newest) newest = start[w] }
        END {
            for (k = 1; k <= w; k++) {
                route = "?"
                for (i = 1; i <= n; i++) {
                    if (start[k] >= after[i]) route = port[i]
                    else { if (start[k] >= before[i]) route = route "," port[i]; break }
                }
                print pid[k], (retiring[k] || start[k] < newest - 1000 ? "retiring" : "current"), route, (now - newest >= 3000 ? "yes" : "no")
            }
        }'
}
routing_to() { # routing_to PORT PIDFILE: the workers that may send requests to PORT (worker_routes lines)
    worker_routes "$2" | awk -v port="$1" '{ n = split($3, r, ","); for (i = 1; i <= n; i++) if (r[i] == port || r[i] == "?") { print; next } }'
}
never_served() { # never_served PORT: the instance recorded on PORT is of a release that never went live, and no
    # include this server wrote named PORT: nginx cannot have sent it a request
    local release
    release=$(value_of release "$(record_of "$1")") || return 1
    [ -n "$release" ] && [ ! -e "$base/releases/$release/went-live" ] && ! names_port "$1" || return 1
    ! routes_records | awk -v port="$1" '{ n = split($1, r, ","); for (i = 1; i <= n; i++) if (r[i] == port) found = 1 } END { exit !found }'
}
drain() { # drain PORT DRAIN_MS: waits until no nginx worker may send requests to PORT any more (drain.workers: how
    # many it waited for, drain.ms); returns 3 (refused=why) if a current worker routes there: nginx's running
    # configuration does, though the include may say otherwise
    local t0 deadline blocking waited=0
    now_ms; t0=$NOW; deadline=$((NOW + $2))
    while blocking=$(routing_to "$1" "$pidfile"); [ -n "$blocking" ]; do
        case "$blocking" in *" current ?"*" yes"*)
            echo "refused=the server has no record of where nginx's workers route (no include, or one written by hand): the instance on port $1 may be live and is not stopped"
            return 3 ;;
        *" current "*" yes"*)
            echo "refused=nginx's running configuration routes to port $1 (the include was changed without a reload): its instance is live and is not stopped"
            return 3 ;;
        esac
        [ "$waited" -gt 0 ] || waited=$(printf '%s\n' "$blocking" | wc -l)
        now_ms
        if [ "$NOW" -ge "$deadline" ]; then echo "drain.timeout=true"; break; fi
        sleep 0.02
    done
    now_ms
    echo "drain.workers=$waited"
    echo "drain.ms=$((NOW - t0))"
}
drain_all_but() { # drain_all_but PORT DRAIN_MS: waits until every nginx worker routes to PORT only (a first deploy:
    # the workers of before its switch have no route, and may still accept a request)
    local t0 deadline
    now_ms; t0=$NOW; deadline=$((NOW + $2))
    while [ -n "$(worker_routes "$pidfile" | awk -v port="$1" '$3 != port')" ]; do
        now_ms
        if [ "$NOW" -ge "$deadline" ]; then echo "drain.timeout=true"; break; fi
        sleep 0.02
    done
    now_ms
    echo "drain.ms=$((NOW - t0))"
}

# --- stopping an instance: the one way every command stops one (start's stale instance, stop, cleanup, the keep-old
# timer): never what nginx's include names, never during a switch that did not end, never while an nginx worker may
# still send it a request (unless it provably never served)
stop_instance() { # stop_instance PORT PID START STOP_S DRAIN_MS: a unit through systemd (SIGTERM, SIGKILL after its
    # TimeoutStopSec); a process with SIGTERM, then SIGKILL at the deadline, each signal only while PID is still the
    # process that started at START (a PID is reused once its process is gone)
    local port=$1 pid=$2 start=$3 stop_s=$4 drain_ms=$5 t0 deadline verdict running
    if [ -f "$base/switch.journal" ]; then
        echo "refused=a switch to port $(value_of to "$base/switch.journal") did not end (its journal is left): the next deploy settles it first; port $port is not stopped now"
        return 3
    fi
    if [ "$(routed_port)" = "$port" ]; then
        echo "refused=nginx routes to port $port: its instance (PID $pid) is live and is not stopped"
        echo "refused.live=true"
        return 3
    fi
    if names_port "$port"; then
        echo "refused=nginx sends a canary's share of the requests to port $port: its instance (PID $pid) is not stopped before nginx routes to port $(routed_port) only"
        echo "refused.canary=true"
        return 3
    fi
    if is_unit "$port"; then
        # whatever its PID now (it may have been restarted), the unit is the instance; stopped even while it restarts
        if running=$(running_instance "$port"); then pid=${running% *}; start=${running#* }; fi
        echo "stop.pid=$pid"
        never_served "$port" || drain "$port" "$drain_ms" || return 3
        now_ms; t0=$NOW
        sctl stop "$(unit_of "$port")" 2>/dev/null
        sctl disable --quiet "$(unit_of "$port")" 2>/dev/null
        case "$(sctl show -p Result --value "$(unit_of "$port")" 2>/dev/null)" in
        timeout) verdict=killed ;; *) verdict=terminated ;;
        esac
        rm -f "$(record_of "$port")"
    else
        echo "stop.pid=$pid"
        if ! alive "$pid" "$start"; then
            forget_instance "$port" "$pid"
            echo "stop.verdict=gone"
            return 0
        fi
        never_served "$port" || drain "$port" "$drain_ms" || return 3
        now_ms; t0=$NOW; deadline=$((NOW + stop_s * 1000))
        verdict=gone
        # the drain may have taken a while: a signal only to the very process that started then
        if alive "$pid" "$start"; then kill -TERM "$pid" 2>/dev/null; verdict=terminated; fi
        while alive "$pid" "$start"; do
            now_ms
            if [ "$NOW" -ge "$deadline" ] && [ "$verdict" = terminated ]; then
                kill -KILL "$pid" 2>/dev/null
                verdict=killed
                deadline=$((NOW + 5000))
            elif [ "$NOW" -ge "$deadline" ]; then
                verdict=unkillable; break
            fi
            sleep 0.02
        done
    fi
    now_ms
    forget_instance "$port" "$pid"
    echo "stop.verdict=$verdict"
    echo "stop.ms=$((NOW - t0))"
}
ours() { # ours PID: started by this plugin (its jar lies under base/releases), or a jar of the deployed name
    local line
    line=$(cmdline "$1")
    case "$line" in *"$base/releases/"*) return 0 ;; esac
    [ -n "${jar_name:-}" ] && case "$line" in *"/$jar_name "*|*" $jar_name "*) true ;; *) false ;; esac
}
free_port() { # free_port: stops what of this app holds the target port (its record, or a listener that is ours)
    local pid start running
    if running=$(running_instance "$port"); then
        pid=${running% *}; start=${running#* }
        echo "stale.pid=$pid"; echo "stale.command=$(cmdline "$pid")"
        stop_instance "$port" "$pid" "$start" "$stop_s" "$drain_ms" || return $?
    fi
    pid=$(port_pid "$port")
    case "$pid" in
    '') return 0 ;;
    '?') echo "refused.pid=?"; echo "refused.command=(a process of another user)"; return 3 ;;
    esac
    if ! ours "$pid"; then
        echo "refused.pid=$pid"; echo "refused.command=$(cmdline "$pid")"
        return 3
    fi
    echo "stale.pid=$pid"; echo "stale.command=$(cmdline "$pid")"
    stop_instance "$port" "$pid" "$(proc_start "$pid")" "$stop_s" "$drain_ms" || return $?
    now_ms; local deadline=$((NOW + 5000))   # its children may hold the port a moment longer
    while [ -n "$(port_pid "$port")" ]; do now_ms; [ "$NOW" -lt "$deadline" ] || break; sleep 0.02; done
}
prune() { # prune RELEASES KEEP PROTECT: keeps the KEEP newest releases that went live, the newest that did not
    # (its log tells why it failed) and every protected one; removes the others
    local releases="$1" keep="$2" protect="$3" r live=0 failed=0
    [ -d "$releases" ] || return 0
    for r in $(ls -1 "$releases" | sort -r); do
        case " $protect " in *" $r "*) continue ;; esac
        if [ -e "$releases/$r/went-live" ]; then
            live=$((live + 1)); [ "$live" -gt "$keep" ] || continue
        else
            failed=$((failed + 1)); [ "$failed" -gt 1 ] || continue
        fi
        rm -rf "${releases:?}/$r" && echo "pruned.$r=true"
    done
    # what a cut upload or a failed rebuild left in the releases kept (the deploy that cleans up holds the lock)
    rm -f "$releases"/*/*.tmp "$releases"/*/*.bundle "$releases"/*/*.bundle.data
    prune_blobs
    prune_cds
}
prune_blobs() { # the blobs no kept release's manifest names are removed
    [ -d "$base/blobs" ] || return 0
    cat "$base"/releases/*/*.manifest 2>/dev/null | awk '$1 == "blob" || $1 == "new" { print $2 }' > "$base/blobs.keep"
    # grep, not awk's two-file idiom: with no kept blob at all, every blob goes
    ls -1 "$base/blobs" | grep -vxF -f "$base/blobs.keep" | while read -r blob; do rm -f "$base/blobs/$blob"; done
    rm -f "$base/blobs.keep"
}
assemble() { # assemble MANIFEST DATA JAR: the jar, byte for byte, from the manifest's gaps (the next bytes of DATA)
    # and blobs (kept from earlier releases, or new ones: the next bytes of DATA, kept for later releases)
    local kind sha len
    mkdir -p "$base/blobs" || return 1
    exec 4< "$2" || return 1
    while read -r kind sha len; do
        case $kind in
        gap) [ "$sha" -eq 0 ] || dd bs="$sha" count=1 iflag=fullblock <&4 2> /dev/null || return 1 ;;
        new) dd bs="$len" count=1 iflag=fullblock <&4 2> /dev/null > "$base/blobs/$sha.tmp" &&
                 mv -f "$base/blobs/$sha.tmp" "$base/blobs/$sha" && cat "$base/blobs/$sha" || return 1 ;;
        blob) cat "$base/blobs/$sha" 2> /dev/null || return 1 ;;
        *) return 1 ;;
        esac
    done < "$1" > "$3.tmp"
    exec 4<&-
}
drop_corrupt_blobs() { # drop_corrupt_blobs MANIFEST: removes every blob it names whose content is not its SHA-256
    local kind sha len actual
    while read -r kind sha len; do
        [ "$kind" = blob ] || [ "$kind" = new ] || continue
        actual=$(sha256sum "$base/blobs/$sha" 2> /dev/null)
        [ "${actual%% *}" = "$sha" ] || { rm -f "$base/blobs/$sha"; echo "corrupt.$sha=removed"; }
    done < "$1"
}
keep_old_timer() { # keep_old_timer PORT PID START STOP_S DRAIN_MS KEEP_S (detached): after KEEP_S, stop the kept
    # instance under the deploy lock, unless nginx routes to it again (a rollback) or it is gone (replaced by a deploy)
    local port=$1 pid=$2 start=$3 stop_s=$4 drain_ms=$5 keep_s=$6 id="keep-old-$1-$2" self
    sleep "$keep_s"
    read -r self _ < /proc/self/stat   # this subshell's own PID ($$ is the parent's)
    while alive "$pid" "$start"; do
        if try_lock "$(printf 'deployId=%s\nkind=timer\nuser=%s\nhost=%s\nbootId=%s\npidNs=%s\npid=%s\npidStart=%s\nsince=%s' "$id" \
                "$(id -un)" "$(uname -n)" "$(boot_id)" "$(pid_ns)" "$self" "$(proc_start "$self")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"; then
            names_port "$port" || stop_instance "$port" "$pid" "$start" "$stop_s" "$drain_ms" > /dev/null
            release_lock "$id" > /dev/null
            return 0
        fi
        sleep 1   # a deploy or rollback holds the lock: it decides about this instance first
    done
}
release_lock() { # release_lock DEPLOY_ID: removes deploy.lock if DEPLOY_ID holds it
    if [ "$(value_of deployId "$base/deploy.lock")" = "$1" ]; then
        rm -f "$base/deploy.lock"; echo "unlock=released"
    else
        echo "unlock=not-held"
    fi
}

# --- commands
cmd_lock() {
    local base="" owner="" expect="" wait_s=60 include="" pidfile="" errorlog="" ports="" unit="" health="" probe_ms=2000 canary_log=""
    parse_args "$@"
    mkdir -p "$base" || exit 4
    if [ -f "$base/app" ] && [ "$(value_of name "$base/app")" != "$unit" ]; then
        echo "error=$base holds the deploys of the app $(value_of name "$base/app"), not of $unit: give each app its own bluegreen.baseDir"
        exit 4
    fi
    if [ -n "$expect" ]; then
        commands_lock "$wait_s"   # the taken-over deploy's last command has ended
        owner_lock   # and it records nothing once it lost the lock
        if [ -f "$base/deploy.lock" ] && [ "$(value_of deployId "$base/deploy.lock")" != "$expect" ]; then
            print_holder; exit 3
        fi
        mv -f "$base/deploy.lock" "$base/deploy.lock.taken-over" 2>/dev/null
    fi
    try_lock "$owner" || { print_holder; exit 3; }
    [ -f "$base/app" ] || write_file "$base/app" "name=$unit"
    echo "lock=taken"
    inspect
}
inspect() {
    local port record pid start running release sha
    [ -z "${errorlog:-}" ] || [ -r "$errorlog" ] || echo "nginx.errorlog=unreadable"
    if [ -n "${canary_log:-}" ] && [ ! -r "$canary_log" ]; then   # nginx creates it once the one-time setup is loaded
        if [ -e "$canary_log" ]; then echo "canary.log=unreadable"; else echo "canary.log=missing"; fi
    fi
    [ ! -f "$base/state.properties" ] || echo "state.base64=$(base64 < "$base/state.properties" | tr -d '\n')"
    if [ -f "$include" ]; then
        echo "include.exists=true"
        echo "include.line=$(grep -m1 'service_url' "$include" 2>/dev/null)"
        sed -n 's/^# bluegreen canary: stable=[0-9]* canary=\([0-9]*\) share=\([0-9]*\)$/include.canary=\1\
include.share=\2/p' "$include" 2>/dev/null
    else
        echo "include.exists=false"
    fi
    # where nginx's running workers route: the current ones (the loaded configuration) and the retiring ones
    worker_routes "$pidfile" | awk '{ print "nginx." $2 "." $1 "=" $3 }'
    [ ! -f "$base/deploy.lock" ] || print_holder
    if [ -f "$base/switch.journal" ]; then
        echo "journal.from=$(value_of from "$base/switch.journal")"
        echo "journal.to=$(value_of to "$base/switch.journal")"
        ! value_of canary "$base/switch.journal" > /dev/null || echo "journal.canary=yes"
    fi
    describe_ports $ports
    for port in $ports; do
        record=$(record_of "$port")
        pid=$(value_of pid "$record") || continue
        start=$(value_of start "$record")
        release=$(value_of release "$record")
        echo "port.$port.record.release=$release"
        echo "port.$port.record.runner=$(value_of runner "$record")"
        ! value_of cds "$record" > /dev/null || echo "port.$port.record.cds=$(value_of cds "$record")"
        for sha in "$base/releases/$release"/*.sha256; do   # the release's jar, as its upload was checked
            [ -f "$sha" ] || continue
            echo "port.$port.record.jar=${sha%.sha256}"; echo "port.$port.record.sha256=$(cat "$sha")"
        done
        if running=$(running_instance "$port"); then
            echo "port.$port.record.pid=${running% *}"; echo "port.$port.record.start=${running#* }"; echo "port.$port.record.alive=yes"
        else
            echo "port.$port.record.pid=$pid"; echo "port.$port.record.start=$start"; echo "port.$port.record.alive=no"
        fi
        if is_unit "$port"; then
            sctl show -p ActiveState -p UnitFileState -p NRestarts "$(unit_of "$port")" 2>/dev/null | sed "s/^/port.$port.unit./"
        fi
    done
}
cmd_inspect() {
    local base="" include="" pidfile="" errorlog="" ports="" unit="" health="" probe_ms=2000 canary_log=""
    parse_args "$@"
    inspect
}
cmd_owner() {
    local ports=""
    parse_args "$@"
    local port pid
    port_pids $ports | while read -r port pid; do
        echo "port.$port.pid=$pid"
        case "$pid" in ''|'?') ;; *) echo "port.$port.start=$(proc_start "$pid")" ;; esac
    done
}
cmd_start() {
    local base="" holder="" include="" pidfile="" port="" release="" jar="" jar_name="" size="" sha256="" log="" env="" stop_s=30
    local drain_ms=0 runner=process unit="" unit_template="" unit_text="" umask=0077 reuse="" bundle="" cds="" actual_size actual_sha pid w
    local cds_record="" argfile=""
    parse_args "$@"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
    [ $# -eq 0 ] || shift
    commands_lock 120
    mkdir -p "${jar%/*}" || exit 4
    if [ -n "$reuse" ]; then   # the same jar as an earlier release: nothing was uploaded (checked below all the same)
        ln -f "$reuse" "$jar" 2> /dev/null || { cp -p "$reuse" "$jar.tmp" && mv -f "$jar.tmp" "$jar"; } || exit 4
        # its manifest too: the blobs it names stay kept when the earlier release is pruned
        [ ! -f "$reuse.manifest" ] || cp -p "$reuse.manifest" "$jar.manifest" || exit 4
    elif [ -n "$bundle" ]; then   # only what the server lacked was uploaded: the jar is rebuilt here
        if ! assemble "$bundle" "$bundle.data" "$jar"; then
            rm -f "$jar.tmp"; drop_corrupt_blobs "$bundle"; rm -f "$bundle" "$bundle.data"
            echo "error=the jar could not be rebuilt from $bundle (a blob of an earlier release is missing)"; exit 6
        fi
        rm -f "$bundle.data"
        mv -f "$jar.tmp" "$jar" || exit 4
        mv -f "$bundle" "$jar.manifest"
    fi
    actual_size=$(stat -c %s "$jar" 2>/dev/null)
    if [ -z "$actual_size" ]; then echo "error=$jar does not exist on the server"; exit 4; fi
    if [ -n "$size" ]; then   # checked against the local jar (a release started again comes without size and hash)
        actual_sha=$(sha256sum "$jar" 2>/dev/null)
        actual_sha=${actual_sha%% *}
        if [ "$actual_size" != "$size" ] || [ "$actual_sha" != "$sha256" ]; then
            if [ -n "$reuse" ]; then   # damaged since it was checked: never offered again
                rm -f "$jar" "$jar.manifest" "$reuse.sha256"
                echo "error=the same jar of an earlier release, $reuse, is damaged on the server (size $actual_size, expected $size)"
                exit 6
            fi
            if [ -n "$bundle" ]; then
                rm -f "$jar"; drop_corrupt_blobs "$jar.manifest"; rm -f "$jar.manifest"
                echo "error=the jar rebuilt from earlier releases is not the local one (a blob was corrupt)"; exit 6
            fi
            echo "error=upload check failed for $jar: size $actual_size (expected $size), sha256 $actual_sha (expected $sha256)"
            exit 4
        fi
        echo "$sha256" > "$jar.sha256"
    fi
    free_port || exit $?
    mkdir -p "${log%/*}" "$base/instances" && cd "${jar%/*}" || exit 4
    if [ -n "$cds" ]; then write_argfile "$@" || exit 4; fi
    if [ "$argfile" = unreadable ]; then   # the JVM reads no argument file (Java 8): -jar JAR, as without class-data sharing
        for w in "$@"; do
            shift
            if [ "$w" = "@$jar.$port.args" ]; then set -- "$@" -jar "$jar"; else set -- "$@" "$w"; fi
        done
        unit_text=$(printf '%s\n' "$unit_text" | sed 's/"@\${BLUEGREEN_JAR}\.%i\.args"/"-jar" "${BLUEGREEN_JAR}"/')
    fi
    if [ "$runner" = systemd ]; then
        launch_unit || exit 4
    else
        # detached (setsid, nohup, no stdio, no commands.lock) so that the SSH channel closes at once; a clean
        # environment: PATH, HOME, LANG, plus the env file's variables (a file only the deploy user reads, never argv)
        nohup setsid env -i PATH="$PATH" HOME="$HOME" LANG="${LANG:-C.UTF-8}" \
            sh -c 'umask "$1"; set -a; [ -z "$2" ] || . "$2"; shift 2; exec "$@"' app "$umask" "$env" "$@" >> "$log" 2>&1 < /dev/null 9>&- &
        pid=$!
    fi
    write_file "$(record_of "$port")" "$(printf 'pid=%s\nstart=%s\nrelease=%s\nrunner=%s%s' "$pid" "$(proc_start "$pid")" "$release" "$runner" "$cds_record")"
    echo "pid=$pid"
    echo "start=$(value_of start "$(record_of "$port")")"
}
# --- class-data sharing: a Spring Boot jar runs from its libraries (extracted once, content-addressed under libs/, so a
# path, size and time never change) and its own classes (classes.jar, uploaded) on a plain class path, the libraries
# first; one archive of the library set per JVM (cds/KEY.jsa), dumped after a switch from the classes the live instance
# loaded, serves every start that keeps those libraries: a new release, a rollback, a restart, a reboot
write_argfile() { # write_argfile COMMAND...: JAR.PORT.args, the JVM's class path and main class (or -jar JAR), with the
    # archive if the JVM proves it can map it (-Xshare:on refuses one it cannot), else writing the classes it loads for
    # the next archive; prints cds= (archive, training, none), cds.note= (why not), sets cds_record (and argfile=unreadable)
    local java=$1 dir=${jar%/*} args="$jar.$port.args" main cp="" shas="" kind sha off len f key archive mode w out feature n=0 i=0
    feature=$(java_feature "$java")
    if [ -n "$feature" ] && [ "$feature" -lt 9 ]; then
        echo "cds=none"; echo "cds.note=$java is Java $feature, which reads no argument file: started with -jar (class-data sharing needs Java 10 or later)"
        argfile=unreadable; return
    fi
    for w in "$@"; do   # the JVM and its options: the words before the argument file ...
        case "$w" in @*) break ;; esac
        n=$((n + 1))
    done
    for w in "$@"; do   # ... and only those from here on (each word kept whole: it may hold blanks, quotes, $)
        shift
        [ "$i" -ge "$n" ] || set -- "$@" "$w"
        i=$((i + 1))
    done
    if [ ! -f "$dir/boot.layout" ] || [ ! -f "$dir/classes.jar" ]; then
        echo "cds=none"; echo "cds.note=not a Spring Boot jar (no BOOT-INF/lib with a Start-Class): started with -jar"
        printf '"-jar"\n"%s"\n' "$jar" > "$args"; return
    fi
    mkdir -p "$base/libs" "$base/cds" || return 1
    while read -r kind sha off len; do   # lib SHA-256 OFFSET LENGTH: the library's bytes, stored in the jar at OFFSET
        [ "$kind" = lib ] || continue
        f=$base/libs/$sha.jar
        if [ ! -f "$f" ]; then
            tail -c +"$((off + 1))" "$jar" | head -c "$len" > "$f.tmp.$$"
            if [ "$(sha256sum < "$f.tmp.$$" | cut -c 1-64)" != "$sha" ]; then
                rm -f "$f.tmp.$$"; echo "error=library $sha at byte $off of $jar is not what its layout says"; return 1
            fi
            mv -f "$f.tmp.$$" "$f"
        fi
        cp="$cp$f:"; shas="$shas $sha"
    done < "$dir/boot.layout"
    main=$(value_of main "$dir/boot.layout")
    # one archive per library set, JVM and its options (another build of the JVM at the same path: the proof below
    # fails, the start says so, and the archive made after the switch replaces it)
    key=$( { printf '%s\n%s\n' "$shas" "$(command -v "$java")"; shift; printf '%s\n' "$@"; } | sha256sum | cut -c 1-16)
    archive=$base/cds/$key.jsa
    printf '%s' "${cp%:}" > "$base/cds/$key.classpath"
    printf '%s\n' "$@" > "$base/cds/$key.jvm"   # the JVM and its options, a word a line: what the dump runs
    echo "$key" > "$dir/cds.key"
    if [ -f "$archive" ] && out=$(maps_archive "$archive" "$cp$dir/classes.jar" "$@"); then
        mode=archive
        archive_arg "$archive" > "$args"
    else
        if [ -f "$archive" ]; then
            echo "cds.note=the JVM cannot map $archive ($(printf '%s\n' "$out" | grep -m1 -i 'error\|mismatch\|unable' | tr -d '\r')): a new one is made after the switch"
            rm -f "$archive"
        fi
        mode=training
        printf '"-XX:DumpLoadedClassList=%s"\n' "$base/cds/$key.$port.classlist" > "$args"
    fi
    printf '"-cp"\n"%s"\n"%s"\n' "$cp$dir/classes.jar" "$main" >> "$args"
    echo "cds=$mode"
    cds_record=$(printf '\ncds=%s\ncds.key=%s' "$mode" "$key")
}
dump_archive() { # after a switch: the archive of the live instance's library set, from the classes it loaded, in the
    # background (niced: the live instance serves meanwhile; a few seconds of CPU) unless one exists or is being made
    local live record key list w feature linking args
    live=$(routed_port); record=$(record_of "$live")
    [ -n "$live" ] && [ "$(value_of cds "$record")" = training ] || return 0
    key=$(value_of cds.key "$record"); list=$base/cds/$key.$live.classlist
    args=$(ls "$base/releases/$(value_of release "$record")"/*."$live".args 2> /dev/null | head -n 1)
    # (a marker older than 10 minutes is of a dump that died: a reboot)
    [ -f "$list" ] && [ ! -f "$base/cds/$key.jsa" ] && [ -z "$(find "$base/cds/$key.dumping" -mmin -10 2>/dev/null)" ] || return 0
    : > "$base/cds/$key.dumping"
    ( sleep 5   # the classes its first requests load too
      set --
      while IFS= read -r w; do set -- "$@" "$w"; done < "$base/cds/$key.jvm"
      # JDK 24 and later also link the archived classes ahead of time (JEP 483: the AOT cache's linking, which a library
      # set's archive can carry; its method profiles need a training run of the release itself, classes and all)
      feature=$(java_feature "$1")
      [ "${feature:-0}" -lt 24 ] || linking=-XX:+AOTClassLinking
      printf '%s\n' "$* ${linking:+$linking }-Xshare:dump -XX:SharedClassListFile=$list" > "$base/cds/$key.dump.log"   # what made it
      if nice -n 19 "$@" ${linking:+"$linking"} -Xshare:dump -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$base/cds/$key.jsa.tmp" \
              -cp "$(cat "$base/cds/$key.classpath")" >> "$base/cds/$key.dump.log" 2>&1 &&
          mv -f "$base/cds/$key.jsa.tmp" "$base/cds/$key.jsa"; then
          # the live instance's own argument file maps it from now on (what a crash restart and a reboot run), once proven
          if [ -n "$args" ] && maps_archive "$base/cds/$key.jsa" "$(cat "$base/cds/$key.classpath"):${args%/*}/classes.jar" "$@" > /dev/null; then
              while IFS= read -r w; do
                  case $w in
                      '"-XX:DumpLoadedClassList='*) archive_arg "$base/cds/$key.jsa" ;;
                      *) printf '%s\n' "$w" ;;
                  esac
              done < "$args" > "$args.tmp" && mv -f "$args.tmp" "$args"
          fi
      fi
      rm -f "$base/cds/$key.dumping" "$base/cds/$key.jsa.tmp" ${args:+"$args.tmp"} ) 9>&- > /dev/null 2>&1 < /dev/null &
    echo "cds.dump=$key"
}
maps_archive() { # maps_archive ARCHIVE CLASSPATH JVM...: the JVM, with its options, maps the archive for that class path
    # (-Xshare:on refuses one it cannot); prints what the JVM said
    local archive=$1 cp=$2
    shift 2
    "$@" -Xshare:on -XX:SharedArchiveFile="$archive" -cp "$cp" -version 2>&1
}
archive_arg() { printf '"-XX:SharedArchiveFile=%s"\n' "$1"; }   # archive_arg ARCHIVE: its line of an argument file
java_feature() { # java_feature JAVA: the JVM's feature version (8, 17, 25) from its JDK's release file, else (a wrapper, a
    # shim) from the JVM itself; nothing if neither tells
    local bin v
    bin=$(readlink -f "$(command -v "$1")") || return 0
    v=$(cat "${bin%/bin/*}/release" "${bin%/jre/bin/*}/release" 2> /dev/null | sed -n 's/^JAVA_VERSION="\(1[.]\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1)
    [ -n "$v" ] || v=$("$bin" -version 2>&1 | sed -n '1s/.* version "\(1[.]\)\{0,1\}\([0-9]*\).*/\2/p')
    echo "$v"
}
prune_cds() { # the archives and extracted libraries no kept release uses are removed
    [ -d "$base/cds" ] || [ -d "$base/libs" ] || return 0
    local keys libs f name
    keys=" $(cat "$base"/releases/*/cds.key 2>/dev/null | tr '\n' ' ') "
    libs=" $(awk '$1 == "lib" { printf "%s ", $2 }' "$base"/releases/*/boot.layout 2>/dev/null) "
    for f in "$base"/cds/*; do
        [ -e "$f" ] || continue
        name=${f##*/}
        case "$keys" in *" ${name%%.*} "*) ;; *) rm -f "$f" ;; esac
    done
    for f in "$base"/libs/*.jar; do
        [ -e "$f" ] || continue
        name=${f##*/}
        case "$libs" in *" ${name%.jar} "*) ;; *) rm -f "$f" ;; esac
    done
}
launch_unit() { # the template unit UNIT@.service (written once), this instance's settings in its own drop-in (a deploy
    # never changes what another instance, the live one, runs: not even at its next restart), starts UNIT@PORT; sets pid
    local dir wanted name owner dropin
    if [ "$(id -u)" = 0 ]; then
        dir=/etc/systemd/system; wanted=multi-user.target
    else
        dir=$HOME/.config/systemd/user; wanted=default.target
        # the user's manager must run without a login, from boot on: lingering
        [ -e "/var/lib/systemd/linger/$(id -un)" ] || loginctl enable-linger 2>/dev/null || {
            echo "error=runner=systemd as $(id -un) needs lingering (the user's units start at boot): run once as root: loginctl enable-linger $(id -un)"
            return 1; }
    fi
    dropin=$dir/$unit@$port.service.d/instance.conf
    mkdir -p "${dropin%/*}" || return 1
    if [ -f "$dir/$unit@.service" ]; then   # whose instances it runs: X-BluegreenBase, or (written before) its directory
        owner=$(sed -n 's/^X-BluegreenBase=//p; s/^WorkingDirectory=//p' "$dir/$unit@.service" | head -n 1)
        if [ -n "$owner" ] && [ "$owner" != "$base" ]; then
            echo "error=the unit $unit@.service runs the instances of $owner, not of $base: two deploys cannot share the units of one app name; give one of them another bluegreen.appName"
            return 1
        fi
    else
        printf '%s\n\n[Install]\nWantedBy=%s\n' "$unit_template" "$wanted" > "$dir/$unit@.service" || return 1
    fi
    printf '%s\n' "$unit_text" > "$dropin.tmp" || return 1
    if cmp -s "$dropin.tmp" "$dropin"; then
        rm -f "$dropin.tmp"
    else
        mv -f "$dropin.tmp" "$dropin" && sctl daemon-reload || return 1
    fi
    name=$(unit_of "$port")
    sctl reset-failed "$name" 2> /dev/null
    if ! out=$(sctl start "$name" 2>&1); then
        echo "error=systemctl start $name failed: $(echo "$out" | tr '\n' ' ')"
        return 1
    fi
    pid=$(sctl show -p MainPID --value "$name")
    [ -n "$pid" ] && [ "$pid" != 0 ] || { echo "error=$name started no process"; return 1; }
}
cmd_switch() {
    local base="" holder="" include="" port="" pid="" start="" pidfile="" test="" reload="" helper="" timeout_ms=10000 errorlog="" health="" probe_ms=2000
    local release="" runner=process unit="" stable="" share="" split_on="" split_re="" old from offset out deadline errors code body
    parse_args "$@"
    commands_lock 120
    if [ -n "$share" ]; then   # a canary's step: SHARE percent of the requests to PORT, the rest to STABLE, which stays routed
        if printf '%s' "$share" | grep -q '[^0-9]' || { [ "$split_on" != request_id ] && [ "$split_on" != remote_addr ]; } ||
                printf '%s' "$split_re" | grep -q '[^][0-9a-f^$|().:-]'; then   # nothing else ever reaches nginx's configuration
            echo "error=bad canary split '$share' '$split_on' '$split_re'"; exit 4
        fi
        [ -z "$helper" ] || { echo "error=a canary needs the include written by the deploy user: bluegreen.routeHelper writes whole switches only"; exit 4; }
        if [ "$(routed_port)" != "$stable" ]; then
            echo "error=nginx routes to port $(routed_port), not to the stable instance's port $stable: no canary"
            exit 3
        fi
    fi
    if [ -n "$pid" ] && [ "$(port_pid "$port")" != "$pid" ]; then
        echo "error=the new instance (PID $pid) no longer listens on port $port: $(alive "$pid" "$start" && echo 'the port belongs to PID '"$(port_pid "$port")" || echo 'it exited')"
        exit 3
    fi
    if [ -n "$health" ] && command -v curl > /dev/null 2>&1; then   # and answers UP (a server without curl: Maven asked)
        out=$(probe_health "$port")
        code=$(printf '%s\n' "$out" | sed -n "s/^port\.$port\.health\.status=//p")
        body=$(printf '%s\n' "$out" | sed -n "s/^port\.$port\.health\.body=//p")
        if ! printf '%s\n' "$out" | grep -q "^port\.$port\.health\.up=yes$"; then
            [ -n "$code" ] || body="no answer, curl exit $(printf '%s\n' "$out" | sed -n "s/^port\.$port\.health\.curl=//p")"
            echo "error=the new version on port $port (PID $pid) no longer answers UP (${code:+HTTP $code }$body): not switching"
            echo "reason=unhealthy"
            exit 3
        fi
        echo "health.checked=yes"
    fi
    old=$(nginx_workers "$pidfile") || { echo "error=nginx is not running: no live master process in $pidfile"; exit 4; }
    echo "old.workers=$old"
    from=$(routed_port)
    # the journal says a switch is under way: if this command dies before its end, the next deploy settles it
    write_file "$base/switch.journal" "$(printf 'from=%s\nto=%s%s' "$from" "$port" "${share:+
canary=$share}")" || exit 4
    offset=$(size_of "$errorlog")
    if [ -n "$share" ]; then route_to "$stable" "$port" "$share" "$split_on" "$split_re"; else route_to "$port"; fi
    case $? in
    0) ;;
    3) rm -f "$base/switch.journal"; exit 3 ;;   # the config test failed, the include of before is back
    5) rm -f "$base/switch.journal"; exit 4 ;;   # nothing was changed
    *) route_back "$from"; exit 4 ;;
    esac
    # the reload is asynchronous: it took effect once a worker exists that was not there before; a reload nginx
    # rejects (e.g. a port it cannot bind) keeps the old workers and says why in its error log
    now_ms; deadline=$((NOW + timeout_ms))
    while ! new_worker_since "$pidfile" $old; do
        errors=$(new_errors "$errorlog" "$offset")
        now_ms
        if [ -n "$errors" ] || [ "$NOW" -ge "$deadline" ]; then
            route_back "$from"
            if [ -n "$errors" ]; then
                echo "error=nginx rejected the new configuration $((NOW - deadline + timeout_ms)) ms after the reload and keeps its old workers; include restored. nginx's error log: $errors"
                echo "reason=rejected"
            else
                echo "error=nginx started no new workers within $timeout_ms ms of the reload; include restored. nginx's error log: (nothing new in ${errorlog:-its error log})"
                echo "reason=timeout"
            fi
            exit 4
        fi
        sleep 0.02
    done
    # a reboot brings back exactly what nginx routes to: the new unit enabled, the old one disabled (a canary: both)
    if is_unit "$port"; then sctl enable --quiet "$(unit_of "$port")" 2>/dev/null; fi
    if [ -z "$share" ] && [ -n "$from" ] && [ "$from" != "$port" ] && is_unit "$from"; then sctl disable --quiet "$(unit_of "$from")" 2>/dev/null; fi
    [ -n "$share" ] || [ -z "$release" ] || touch "$base/releases/$release/went-live" 2>/dev/null
    rm -f "$base/switch.journal" "$include.bak"
    echo "new.workers=$(nginx_workers "$pidfile")"
}
route_to() { # route_to PORT [CANARY...]: nginx's include names PORT ("none": no include; with CANARY and write_include's
    # other arguments: a canary's split), its configuration test passed and the reload was sent; written by the
    # root-owned route helper if there is one (the deploy user only chooses a port), else here.
    # Returns 0; 3 the test failed (the include of before is back); 4 the reload failed (the caller goes back); 5 the
    # include could not be written (nothing changed). Prints error=.
    local out rc written records port=$1
    if [ -n "$helper" ]; then
        records=$(records_before_write)
        out=$(sudo -n "$helper" "$unit" "$1" 2>&1); rc=$?
        written=$(printf '%s\n' "$out" | sed -n 's/^written=//p')
        [ "$port" != none ] || port=-
        [ -z "$written" ] || record_route "$records" "$port" $written
        if [ $rc -ne 0 ]; then
            printf '%s\n' "$out" | grep -m1 '^error=' || echo "error=the route helper $helper failed (exit $rc): $(echo "$out" | tr '\n' ' ')"
            [ $rc -eq 3 ] && return 3
            [ -n "$written" ] && return 4
            return 5
        fi
        return 0
    fi
    rm -f "$include.bak"
    if ! { [ ! -f "$include" ] || cp -p "$include" "$include.bak" 2>/dev/null; } ||
            ! { if [ "$1" = none ]; then write_route - rm -f "$include"; else write_include "$@"; fi; } 2>/dev/null; then
        rm -f "$include.bak"
        echo "error=cannot write $include as $(id -un): the deploy user must be allowed to write the include and its directory, or use the route helper (bluegreen.routeHelper, see mvn bluegreen:route-helper)"
        echo "reason=unwritable"
        return 5
    fi
    if ! out=$(bounded "$timeout_ms" "$test"); then
        restore_include
        echo "error=nginx config test failed, include restored, nginx not reloaded: $(echo "$out" | tr '\n' ' ')"
        return 3
    fi
    if ! out=$(bounded "$timeout_ms" "$reload"); then
        echo "error=nginx reload failed, include restored: $(echo "$out" | tr '\n' ' ')"
        return 4
    fi
}
route_back() { # route_back FROM: the include as it was before the switch began (FROM empty: none), nginx reloaded, no journal
    if [ -n "$helper" ]; then
        route_to "${1:-none}" > /dev/null
    else
        restore_include
        bounded "$timeout_ms" "$reload" > /dev/null
    fi
    rm -f "$base/switch.journal"
}
cmd_stop() {
    local base="" holder="" include="" pidfile="" port="" pid="" start="" release="" stop_s=30 drain_ms=0 unit=""
    parse_args "$@"
    commands_lock 120
    if [ -z "$pid" ]; then   # start's answer was lost: the instance the server recorded on the port, if of this release
        if [ -z "$release" ] || [ "$(value_of release "$(record_of "$port")")" != "$release" ]; then
            echo "stop.verdict=none"; exit 0
        fi
        pid=$(value_of pid "$(record_of "$port")")
        start=$(value_of start "$(record_of "$port")")
    fi
    stop_instance "$port" "$pid" "$start" "$stop_s" "$drain_ms"
}
cmd_cleanup() {
    local base="" holder="" include="" pidfile="" port="" pid="" start="" release="" stop_s=30 drain_ms=0 keep_old_s=0 keep=3 protect="" unit=""
    parse_args "$@"
    commands_lock 120
    if [ -n "$pid" ] && [ "$keep_old_s" -gt 0 ]; then
        ( keep_old_timer "$port" "$pid" "$start" "$stop_s" "$drain_ms" "$keep_old_s" ) 9>&- > /dev/null 2>&1 < /dev/null &
        echo "kept.$pid=$keep_old_s"
    elif [ -n "$pid" ]; then
        stop_instance "$port" "$pid" "$start" "$stop_s" "$drain_ms" || exit $?
    else   # nothing to stop (a first deploy): the workers of before the switch may still accept a request, with no route
        drain_all_but "$(routed_port)" "$drain_ms"
    fi
    prune "$base/releases" "$keep" "$protect"
    dump_archive
}
cmd_drain() {
    local base="" include="" pidfile="" port="" drain_ms=0
    parse_args "$@"
    drain "$port" "$drain_ms"
}
record() { # record DEPLOY STATE HISTORY [TIMED]: the deploy's record, written only while DEPLOY holds the lock (one
    # whose lock was taken over cannot), under state.lock; a failure to write one file never keeps the other from being
    # written. TIMED "KEY:MS" adds the line KEY=MS plus this command's own time. Returns 3 not held, 4 not written.
    local failed="" state="$2"
    owner_lock
    if [ "$(value_of deployId "$base/deploy.lock")" != "$1" ]; then
        echo "save=not-held"; print_holder; return 3
    fi
    if [ -n "$state" ] && [ -n "${4:-}" ]; then   # the step's time, this command's own included, replaces Maven's
        now_ms; state=$(printf '%s\n' "$state" | grep -v "^${4%%:*}="; printf '%s=%s' "${4%%:*}" $((${4#*:} + NOW - BEGAN)))
    fi
    if [ -n "$state" ] && ! write_file "$base/state.properties" "$state" 2>/dev/null; then
        rm -f "$base/state.properties.tmp" 2>/dev/null; failed="cannot write $base/state.properties"
    fi
    if [ -n "$3" ] && ! printf '%s\n' "$3" 2>/dev/null >> "$base/history.log"; then
        failed="${failed:+$failed; }cannot append to $base/history.log"
    fi
    [ -z "$failed" ] || { echo "save=failed"; echo "error=$failed (is the disk full?)"; return 4; }
    echo "save=done"
}
cmd_save() {
    local base="" deploy="" state="" history=""
    parse_args "$@"
    record "$deploy" "$state" "$history"
}
then_record() { # then_record ARGS...: after a deploy's own command that succeeded, what its facts make true: the state
    # (then_state=, then_timed=), a history line (then_history=) and the lock released (then_unlock=yes), for the lock's
    # holder only (holder=). The command's exit code stands: save= tells how the record went
    local base="" holder="" then_state="" then_history="" then_unlock="" then_timed=""
    parse_args "$@"
    [ -n "$then_state$then_history$then_unlock" ] || return 0
    record "$holder" "$then_state" "$then_history" "$then_timed" || return 0
    [ -z "$then_unlock" ] || release_lock "$holder"
}
cmd_unlock() {
    local base="" deploy=""
    parse_args "$@"
    commands_lock 120
    release_lock "$deploy"
}
cmd_tail() {
    local file="" lines=40 unit="" port="" follow=""
    parse_args "$@"
    trap - PIPE   # following ends when the reader is gone
    if [ -n "$unit" ]; then
        if [ "$(id -u)" = 0 ]; then set -- -u "$(unit_of "$port")"; else set -- --user-unit "$(unit_of "$port")"; fi
        [ -z "$follow" ] || set -- "$@" -f
        exec journalctl "$@" -n "$lines" -o cat --no-pager 2>&1
    elif [ -n "$follow" ]; then
        exec tail -n "$lines" -F --pid="$PPID" "$file" 2>/dev/null   # ends with its caller (the SSH session, Maven)
    else
        tail -n "$lines" "$file" 2>/dev/null
    fi
}

cmd_blobs() { # what of a jar the server has: the same jar in an earlier release (of the right size; start checks its
    # SHA-256), else the blobs it lacks
    local base="" sha256="" size="" want="" f
    parse_args "$@"
    for f in "$base"/releases/*/*.sha256; do
        [ -f "$f" ] && [ -f "${f%.sha256}" ] || continue
        [ "$(cat "$f")" = "$sha256" ] && [ "$(size_of "${f%.sha256}")" = "$size" ] || continue
        echo "have.jar=${f%.sha256}"; return 0
    done
    # one stat for all blobs; the wanted ones (SHA:LENGTH) whose file is missing or of another size are missing
    { stat -c '%n %s' "$base"/blobs/* 2> /dev/null; echo "--"; echo "$want" | tr ' ' '\n'; } | awk '
        $0 == "--" { wanted = 1; next }
        !wanted { n = split($1, p, "/"); have[p[n] ":" $2] = 1; next }
        wanted && NF && !($1 in have) { split($1, w, ":"); print "missing." w[1] "=" w[2] }'
}
cmd_hook() { # a user's command at a named point of the deploy, the deploy's facts in its environment, bounded in time
    local base="" name="" timeout_s=300 port="" pid="" release="" deploy="" outcome="" reason=""
    parse_args "$@"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
    shift
    cd "$base" 2> /dev/null || cd
    # a clean environment (nothing of the deploying shell's, e.g. Maven's CI secrets over the local transport); killed
    # 10 s after the timeout's SIGTERM if it ignores it: the deploy never ends while its hook still runs
    env -i PATH="$PATH" HOME="$HOME" LANG="${LANG:-C.UTF-8}" BLUEGREEN_HOOK="$name" BLUEGREEN_PORT="$port" BLUEGREEN_PID="$pid" \
        BLUEGREEN_RELEASE="$release" BLUEGREEN_DEPLOY_ID="$deploy" BLUEGREEN_OUTCOME="$outcome" BLUEGREEN_REASON="$reason" \
        timeout -k 10 "$timeout_s" "$@" < /dev/null 2>&1
    printf '\nhook.exit=%s\n' "$?"
}
cmd_health() { # polls the instance's health endpoint from the server itself until it answers HTTP 200, its process
    # ends, or left_ms pass (a clock deadline): one round trip for the whole wait. After a 200: who listens on the port
    local port="" path="" pid="" start="" left_ms=0 poll_ms=100 probe_ms=2000 deadline out="" rc code="" probes=0 owner=""
    parse_args "$@"
    command -v curl > /dev/null 2>&1 || { echo "error=curl is missing on the server"; exit 4; }
    now_ms; deadline=$((NOW + left_ms))
    while :; do
        probes=$((probes + 1))
        out=$(curl -g -s -i --max-time "$(seconds "$probe_ms")" "http://127.0.0.1:$port$path")
        rc=$?; code=""
        [ $rc -ne 0 ] || code=$(http_status "$out")
        [ "$code" != 200 ] || break
        alive "$pid" "$start" || break
        now_ms; [ "$NOW" -lt "$deadline" ] || break
        sleep "$(seconds "$poll_ms")"
    done
    echo "health.probes=$probes"
    echo "health.curl=$rc"
    if alive "$pid" "$start"; then echo "health.alive=yes"; else echo "health.alive=no"; fi
    [ "$code" = 200 ] && owner=$(port_pid "$port") && echo "health.owner=$owner"
    echo "health.answer.base64=$(printf '%s' "$out" | base64 | tr -d '\n')"
    # healthy: UP, from the very process started
    [ "$owner" = "$pid" ] && is_up "$out" || exit 2
}
cmd_traffic() { # what nginx answered per port, read from its canary log (the one-time setup's access_log, format
    # "$msec $status $request_time $upstream_addr") from byte FROM on: a canary's analysis
    local log="" from=0 ports="" size
    parse_args "$@"
    [ -r "$log" ] || { echo "error=cannot read nginx's canary log $log as $(id -un)"; exit 4; }
    size=$(size_of "$log")
    echo "log.size=$size"
    [ -n "$ports" ] || return 0   # where it ends only: the next step's answers begin there
    [ "$from" -le "$size" ] || from=0   # rotated: the new file from its start
    # failed: what nginx answered 5xx (502 unreachable, 504 timed out), or a client gave up waiting for (499)
    tail -c +"$((from + 1))" "$log" | head -c "$((size - from))" | awk -v ports="$ports" '
        BEGIN { n = split(ports, p, " "); for (i = 1; i <= n; i++) want[p[i]] = 1 }
        NF >= 4 { k = split($NF, a, ":"); if (!(a[k] in want)) next
            print a[k], int($3 * 1000 + 0.5), ($2 >= 500 || $2 == 499) ? 1 : 0 }' | sort -k1,1n -k2,2n | awk '
        function flush() { if (cur == "") return
            print "port." cur ".requests=" n; print "port." cur ".failed=" f
            print "port." cur ".p50_ms=" t[int((n * 50 + 99) / 100)]; print "port." cur ".p99_ms=" t[int((n * 99 + 99) / 100)] }
        $1 != cur { flush(); cur = $1; n = 0; f = 0 }
        { t[++n] = $2; f += $3 }
        END { flush() }'
}
cmd_probe() { # an HTTP GET from the server itself, for servers whose sshd forbids port forwarding
    local port="" path="" timeout_ms=2000
    parse_args "$@"
    command -v curl > /dev/null 2>&1 || { echo "error=curl is missing on the server"; exit 4; }
    exec curl -g -s -i --max-time "$(( (timeout_ms + 999) / 1000 ))" "http://127.0.0.1:$port$path"
}

cmd=${1:-}
[ $# -eq 0 ] || shift
now_ms; BEGAN=$NOW
case "$cmd" in
switch|cleanup|health)   # the record's own failure (save=) never changes the command's exit code; a takeover
    # between the two leaves the record refused (save=not-held): the taker goes by nginx's facts
    ( "cmd_$cmd" "$@" ); rc=$?; [ $rc -ne 0 ] || ( then_record "$@" ); exit $rc ;;
lock|inspect|owner|start|stop|drain|save|unlock|tail|blobs|hook|probe|traffic) "cmd_$cmd" "$@" ;;
*) echo "error=unknown command '$cmd'"; exit 4 ;;
esac
