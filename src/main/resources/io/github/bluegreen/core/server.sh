# bluegreen server-side commands. Run as:  sh -c "<this text>" bluegreen COMMAND ARGS...
# The text itself holds no user input: every path, port and command arrives as a positional argument
# (quoted by io.github.bluegreen.core.Shell), so nothing a user configures is ever parsed as shell code.
# Output is "key=value" lines that the Java side parses; exit codes: 0 ok, 3 refused, 4 failed.
set -u

# --- processes (only /proc and POSIX tools: no procps or lsof needed; iproute2's ss is used when there).
# Forks are what a command costs on a busy server: the helpers use builtins where they can.
alive() { # alive PID: running and not a zombie (PID 1 may reap late); builtins only, as it is polled
    stat=""
    { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
    case "${stat##*) }" in Z*|X*|'') return 1 ;; esac
}
cmdline() { tr '\0\n' '  ' 2>/dev/null < "/proc/$1/cmdline"; }
children() { # children PID: PIDs whose parent is PID
    awk -v p="$1" '{ sub(/.*\) /, ""); if ($2 == p) { f = FILENAME; sub("/proc/", "", f); sub("/stat", "", f); print f } }' \
        /proc/[0-9]*/stat 2>/dev/null
}
listen_sockets() { # listen_sockets PORT...: "PORT INODE" for each TCP socket listening on one of the ports (IPv4, IPv6)
    awk -v ports="$*" 'BEGIN { n = split(ports, p, " "); for (i = 1; i <= n; i++) want[sprintf("%04X", p[i])] = p[i] }
        $4 == "0A" { k = split($2, a, ":"); if (a[k] in want) print want[a[k]], $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
listeners() { # listeners PORT...: "PORT PID" for each TCP socket listening on one of the ports; PID "?" when the
    # owner is another user's process (not visible). iproute2's ss asks the kernel for the listening sockets only:
    # /proc/net/tcp also lists every connection, thousands in TIME_WAIT on a busy server. Without ss, or when ss
    # cannot open its netlink socket, the sockets come from /proc/net and their owners from a scan of /proc/*/fd.
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
    # one pass over all file descriptors for all ports; -printf gives "/proc/PID/fd/N socket:[INODE]"
    # (set -f: the patterns are for find, never for the shell's own pathname expansion)
    owners=$( [ -z "$patterns" ] || { set -f; find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/fd/*' \( $patterns \) \
        -printf '%p %l\n' 2>/dev/null; })
    printf '%s\n--\n%s\n' "$owners" "$sockets" | awk '
        $0 == "--" { sockets = 1; next }
        !sockets && NF == 2 { split($1, f, "/"); inode = $2; gsub(/[^0-9]/, "", inode); owner[inode] = f[3]; next }
        sockets && NF == 2 { print $1, ($2 in owner) ? owner[$2] : "?" }'
}
port_pids() { # port_pids PORT...: "PORT PID" lines; PID "" if free, "?" if the owner is another user's process
    # a port may have several sockets (IPv4 and IPv6): a visible owner wins over "?"
    listeners "$@" | awk -v ports="$*" 'NF == 2 && (!($1 in pid) || pid[$1] == "?") { pid[$1] = $2 }
        END { n = split(ports, p, " "); for (i = 1; i <= n; i++) print p[i], (p[i] in pid) ? pid[p[i]] : "" }'
}
port_pid() { # port_pid PORT: the PID listening on PORT ("" free, "?" not visible)
    pair=$(port_pids "$1")
    echo "${pair#* }"
}
stop_pid() { # stop_pid PID TIMEOUT_S: SIGTERM, wait, then SIGKILL; prints stop.* keys
    alive "$1" || { echo "stop.$1=gone"; return 0; }
    kill -TERM "$1" 2>/dev/null
    i=0
    while alive "$1"; do
        if [ "$i" -ge $(( $2 * 50 )) ]; then
            kill -KILL "$1" 2>/dev/null
            j=0; while alive "$1" && [ "$j" -lt 250 ]; do sleep 0.02; j=$((j + 1)); done
            echo "stop.$1=killed"; return 0
        fi
        sleep 0.02; i=$((i + 1))
    done
    echo "stop.$1=terminated"
}
stop_if_ours() { # stop_if_ours PID MARKER TIMEOUT_S: stop PID only if its command line still contains MARKER (PID reuse)
    if ours "$1" "$2"; then stop_pid "$1" "$3"; elif alive "$1"; then echo "stop.$1=skipped"; else echo "stop.$1=gone"; fi
}
uptime_of() { # uptime_of PID: seconds since the process started (/proc/PID/stat counts in USER_HZ, 100 on Linux)
    awk 'FILENAME != "/proc/uptime" { sub(/.*\) /, ""); start = $20; next } start != "" { printf "%d\n", $1 - start / 100 }' \
        "/proc/$1/stat" /proc/uptime 2>/dev/null
}
describe_ports() { # describe_ports PORT...: port.PORT.pid / .command / .uptime
    pairs=$(port_pids "$@")
    while read -r port pid; do
        echo "port.$port.pid=$pid"
        case "$pid" in ''|'?') ;; *) echo "port.$port.command=$(cmdline "$pid")"; echo "port.$port.uptime=$(uptime_of "$pid")" ;; esac
    done <<PAIRS
$pairs
PAIRS
}

# --- nginx
nginx_workers() { # nginx_workers PIDFILE: worker PIDs of the master in PIDFILE, space separated
    master=""
    { read -r master < "$1"; } 2>/dev/null
    alive "$master" || return 1
    # the kernel's list of the master's children when it has one (no scan of all processes: this is polled)
    if [ -r "/proc/$master/task/$master/children" ]; then
        workers=""
        { read -r workers < "/proc/$master/task/$master/children"; } 2>/dev/null
        echo "$workers"
    else
        children "$master" | tr '\n' ' '
    fi
}
any_alive() { for p in "$@"; do alive "$p" && return 0; done; return 1; }
new_worker_since() { # new_worker_since PIDFILE OLD...: true once a worker exists that is not in OLD
    pidfile=$1; shift
    for w in $(nginx_workers "$pidfile"); do
        case " $* " in *" $w "*) ;; *) return 0 ;; esac
    done
    return 1
}
restore_include() { # restore_include FILE: put the backup back (or remove a file we created)
    if [ -f "$1.bak" ]; then mv -f "$1.bak" "$1"; else rm -f "$1"; fi
}

inspect() { # inspect INCLUDE PORT...: what nginx routes to and who listens on each port
    include=$1; shift
    if [ -f "$include" ]; then
        echo "include.exists=true"
        found=""
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in *service_url*) found=$line; break ;; esac
        done < "$include"
        echo "include.line=$found"
    else
        echo "include.exists=false"
    fi
    describe_ports "$@"
}
ours() { # ours PID MARKER...: true if the command line of PID contains one of the markers
    line=$(cmdline "$1"); shift
    for m in "$@"; do case "$line" in *"$m"*) return 0 ;; esac; done
    return 1
}

cmd=$1; shift
case "$cmd" in
detect) # detect LOCKFILE INCLUDE PORT...: take the deploy lock (stdin = owner), then inspect
    lock=$1; shift
    [ -d "${lock%/*}" ] || mkdir -p "${lock%/*}" || exit 4
    # noclobber: the redirection creates the file with O_EXCL, so only one deploy can win
    if ! ( set -C; while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done > "$lock" ) 2>/dev/null; then
        sed 's/^/owner./' "$lock" 2>/dev/null
        exit 3
    fi
    inspect "$@"
    ;;
inspect) # inspect INCLUDE PORT...
    inspect "$@"
    ;;
start) # start JAR SIZE SHA256 PORT LOG STOP_TIMEOUT MARKER1 MARKER2 STALE_PID STALE_MARKER [NAME=VALUE...] ARGV...
    jar=$1 size=$2 sha=$3 port=$4 log=$5 stop_timeout=$6 marker1=$7 marker2=$8 stale_pid=$9 stale_marker=${10}; shift 10
    actual_size=$(stat -c %s "$jar" 2>/dev/null)
    if [ -z "$actual_size" ]; then echo "error=$jar does not exist on the server"; exit 4; fi
    # an upload is checked against its size and SHA-256 (a release already on the server comes without them)
    if [ -n "$size" ]; then
        actual_sha=$(sha256sum "$jar" 2>/dev/null)
        actual_sha=${actual_sha%% *}
        if [ "$actual_size" != "$size" ] || [ "$actual_sha" != "$sha" ]; then
            echo "error=upload check failed for $jar: size $actual_size (expected $size), sha256 $actual_sha (expected $sha)"
            exit 4
        fi
    fi
    # the instance an unfinished earlier deploy started (it may not listen yet)
    if [ -n "$stale_pid" ] && ours "$stale_pid" "$stale_marker"; then
        echo "stale.pid=$stale_pid"; echo "stale.command=$(cmdline "$stale_pid")"; stop_pid "$stale_pid" "$stop_timeout"
    fi
    pid=$(port_pid "$port")
    case "$pid" in
    '') ;;
    '?') echo "refused.pid=?"; echo "refused.command=(a process of another user)"; exit 3 ;;
    *)  if ours "$pid" "$marker1" "$marker2"; then
            echo "stale.pid=$pid"; echo "stale.command=$(cmdline "$pid")"; stop_pid "$pid" "$stop_timeout"
            # its children may still hold the port for a moment
            i=0
            while [ -n "$(port_pid "$port")" ] && [ "$i" -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
        else
            echo "refused.pid=$pid"; echo "refused.command=$(cmdline "$pid")"; exit 3
        fi ;;
    esac
    mkdir -p "${log%/*}" && cd "${jar%/*}" || exit 4
    # setsid + nohup + redirected stdio detach the app from this shell, so the SSH channel closes at once
    nohup setsid env "$@" > "$log" 2>&1 < /dev/null &
    echo "pid=$!"
    ;;
owner) # owner PORT
    describe_ports "$1"
    ;;
stop) # stop TIMEOUT_S PID MARKER: stop PID if its command line still contains MARKER (guards against PID reuse)
    stop_if_ours "$2" "$3" "$1"
    ;;
tail) # tail LINES FILE
    tail -n "$1" "$2" 2>/dev/null
    ;;
switch) # switch INCLUDE CONTENT PIDFILE TIMEOUT_MS TEST_CMD RELOAD_CMD (the commands arrive pre-quoted by Shell.join)
    include=$1 content=$2 pidfile=$3 timeout_ms=$4 test_cmd=$5 reload_cmd=$6
    old=$(nginx_workers "$pidfile") || { echo "error=nginx is not running: no live master process in $pidfile"; exit 4; }
    echo "old.workers=$old"
    mkdir -p "$(dirname "$include")" || exit 4
    rm -f "$include.bak"
    if [ -f "$include" ]; then cp -p "$include" "$include.bak" || exit 4; fi
    { printf '%s\n' "$content" > "$include.tmp" && mv -f "$include.tmp" "$include"; } || exit 4
    if ! out=$(eval "$test_cmd" 2>&1); then
        restore_include "$include"
        echo "error=nginx config test failed, include restored, nginx not reloaded: $(echo "$out" | tr '\n' ' ')"
        exit 3
    fi
    if ! out=$(eval "$reload_cmd" 2>&1); then
        restore_include "$include"
        echo "error=nginx reload failed, include restored: $(echo "$out" | tr '\n' ' ')"
        exit 4
    fi
    # the reload is asynchronous: it took effect once a worker exists that was not there before
    i=0
    while ! new_worker_since "$pidfile" $old; do
        if [ "$i" -ge $(( timeout_ms / 20 )) ]; then
            restore_include "$include"
            eval "$reload_cmd" > /dev/null 2>&1
            echo "error=nginx started no new workers within ${timeout_ms} ms of the reload (its error log says why, e.g. a port bind conflict); include restored"
            exit 4
        fi
        sleep 0.02; i=$((i + 1))
    done
    echo "new.workers=$(nginx_workers "$pidfile")"
    ;;
cleanup) # cleanup DRAIN_MS "WORKERS" STOP_TIMEOUT_S PID MARKER RELEASES KEEP "PROTECTED" KEEP_OLD_S INCLUDE PORT
    drain_ms=$1 workers=$2 stop_timeout=$3 pid=$4 marker=$5 releases=$6 keep=$7 protected=$8 keep_old=$9 include=${10} old_port=${11}
    # 1. nginx's old workers finish their in-flight requests, then exit: until then they may still use the old app
    t0=$(date +%s%N); i=0
    while any_alive $workers; do
        if [ "$i" -ge $(( drain_ms / 20 )) ]; then echo "drain.timeout=true"; break; fi
        sleep 0.02; i=$((i + 1))
    done
    echo "drain.ms=$(( ($(date +%s%N) - t0) / 1000000 ))"
    # 2. the old app: kept for an instant rollback (a detached timer stops it later, unless nginx routes to it
    #    again by then), or stopped gracefully now (it is idle)
    if [ -n "$pid" ] && [ "$keep_old" -gt 0 ]; then
        ( trap '' HUP; sleep "$keep_old"
          grep -q "127.0.0.1:$old_port;" "$include" 2>/dev/null && exit 0   # rolled back to: it is live again
          stop_if_ours "$pid" "$marker" "$stop_timeout" ) > /dev/null 2>&1 < /dev/null &
        echo "kept.$pid=$keep_old"
    elif [ -n "$pid" ]; then
        t0=$(date +%s%N)
        stop_if_ours "$pid" "$marker" "$stop_timeout"
        echo "stop.ms=$(( ($(date +%s%N) - t0) / 1000000 ))"
    fi
    # 3. old releases, never a protected one (live, previous)
    if [ -d "$releases" ]; then
        n=0
        for r in $(ls -1 "$releases" | sort -r); do
            case " $protected " in *" $r "*) continue ;; esac
            n=$((n + 1))
            if [ "$n" -gt "$keep" ]; then rm -rf "${releases:?}/$r" && echo "pruned.$r=true"; fi
        done
    fi
    ;;
*)
    echo "error=unknown command $cmd"; exit 4
    ;;
esac
