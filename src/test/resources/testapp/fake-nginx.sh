#!/bin/sh
# A stand-in nginx master for the core tests: writes its PID to $1, keeps one worker child titled as nginx titles its
# workers, and on SIGUSR1 (the tests' reload: SIGHUP may be ignored when the suite runs under nohup, and a shell cannot
# trap a signal ignored on entry) starts a new worker and sends the old one SIGQUIT: like nginx's, it then calls itself
# "shutting down" and lingers $2 seconds (default 0) before it exits, as if finishing its requests. $3 (default 0):
# seconds between starting the new worker and telling the old one, as a master on a very busy machine may take.
echo $$ > "$1"
linger=${2:-0}
quit_delay=${3:-0}
worker() {
    # (signals unblocked: a JVM that started the master may have passed SIGQUIT on blocked); it ends once its master is
    # gone, however the master ended (a SIGKILL leaves no trap to stop it: orphans had piled up by the thousand)
    perl -MPOSIX -e 'sigprocmask(SIG_SETMASK, POSIX::SigSet->new); $0 = "nginx: worker process";
        $SIG{QUIT} = sub { $0 = "nginx: worker process is shutting down"; select(undef, undef, undef, $ARGV[0]); exit 0 };
        while (getppid() == $ARGV[1]) { sleep 1 }' "$linger" $$ &
    current=$!
}
worker
trap 'old=$current; worker; (sleep "$quit_delay"; kill -QUIT $old) &' USR1
trap 'kill $current 2>/dev/null; exit 0' TERM
while :; do wait; done
