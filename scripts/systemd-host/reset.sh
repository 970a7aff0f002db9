#!/usr/bin/env bash
# Empties a test host started by up.sh of what the ITs deployed, without a reboot: the apps (units named sd-*@PORT of
# root and of the deploy user, and detached app processes of the deploy user, stopped by PID), the deploy state under
# both homes, nginx's include (nginx is reloaded: it answers 502 again).
#
#   usage: scripts/systemd-host/reset.sh DIR
set -euo pipefail
DIR=${1:?usage: reset.sh DIR}
exec "$(dirname "${BASH_SOURCE[0]}")/ssh.sh" "$DIR" root sh -s <<'RESET'
set -u
uid=$(id -u deploy)
as_deploy() { runuser -u deploy -- env XDG_RUNTIME_DIR=/run/user/$uid "$@"; }
for u in $(systemctl list-units --all --plain --no-legend 'sd-*@*' | awk '{print $1}'); do systemctl stop "$u"; systemctl disable --quiet "$u"; done
rm -rf /etc/systemd/system/sd-*@.service /etc/systemd/system/sd-*@*.service.d
systemctl daemon-reload
for u in $(as_deploy systemctl --user list-units --all --plain --no-legend 'sd-*@*' | awk '{print $1}'); do
    as_deploy systemctl --user stop "$u"; as_deploy systemctl --user disable --quiet "$u"
done
rm -rf /home/deploy/.config/systemd/user/sd-*@.service /home/deploy/.config/systemd/user/sd-*@*.service.d
as_deploy systemctl --user daemon-reload
# the apps: java -jar JAR, or java @JAR.PORT.args (class-data sharing starts a Spring Boot jar from that file)
apps() { ps -u deploy -o pid=,args= | awk '$2 ~ /(^|\/)java$/ && / -jar | @[^ ]*[.]args /{print $1}'; }
for pid in $(apps); do kill -TERM "$pid"; done
for i in $(seq 100); do [ -n "$(apps)" ] || break; sleep 0.1; done
for pid in $(apps); do kill -KILL "$pid"; done
rm -rf /home/deploy/bluegreen /root/bluegreen /etc/nginx/bluegreen/service-url.inc*
systemctl reload nginx
RESET
