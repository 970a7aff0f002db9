#!/bin/sh
# bluegreen-route: lets a deploy user choose the port nginx routes an app to, and nothing else. Installed once by root
# (mvn bluegreen:route-helper prints this text and how), run by the deploy user through sudo:
#     sudo -n /usr/local/sbin/bluegreen-route APP PORT      route APP to one of its two ports
#     sudo -n /usr/local/sbin/bluegreen-route APP none      no include (a first deploy undone)
# What an app may do is root's, in /etc/bluegreen/routes: one line per app, "APP INCLUDE PORT PORT". The helper writes
# the include itself (the one line "set $service_url http://127.0.0.1:PORT;", nothing a user chose), runs nginx -t
# (the include of before is restored if it fails: exit 3), reloads nginx, and prints when it wrote the include
# (written=BEFORE AFTER, milliseconds since boot: the deploy's record of which nginx workers may route where).
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
umask 022
routes=/etc/bluegreen/routes
app=${1:-}
port=${2:-}
case "$app" in ''|.*|-*|*[!A-Za-z0-9._-]*) echo "error=bad app name '$app'"; exit 2 ;; esac
line=$(awk -v app="$app" '$1 == app { print; exit }' "$routes" 2>/dev/null || true)
[ -n "$line" ] || { echo "error=$app has no line in $routes (APP INCLUDE PORT PORT): ask root to add it"; exit 2; }
set -- $line
include=$2
case "$port" in
"$3"|"$4"|none) ;;
*) echo "error=port '$port' is not one of $app's ($3, $4) in $routes"; exit 2 ;;
esac
now_ms() { # milliseconds since boot
    read -r up _ < /proc/uptime
    cs=${up#*.}; cs=${cs#0}
    echo $(( ${up%.*} * 1000 + ${cs:-0} * 10 ))
}
rm -f "$include.helper-bak"
[ ! -f "$include" ] || cp -p "$include" "$include.helper-bak"
before=$(now_ms)
if [ "$port" = none ]; then
    rm -f "$include"
else
    mkdir -p "${include%/*}"
    printf 'set $service_url http://127.0.0.1:%s;\n' "$port" > "$include.tmp"
    mv -f "$include.tmp" "$include"
fi
after=$(now_ms)
if ! out=$(timeout -k 2 30 nginx -t -q 2>&1); then
    if [ -f "$include.helper-bak" ]; then mv -f "$include.helper-bak" "$include"; else rm -f "$include"; fi
    echo "restored=$(now_ms)"
    echo "error=nginx config test failed, include restored, nginx not reloaded: $(echo "$out" | tr '\n' ' ')"
    exit 3
fi
rm -f "$include.helper-bak"
echo "written=$before $after"
if ! out=$(timeout -k 2 30 nginx -s reload 2>&1); then
    echo "error=nginx reload failed: $(echo "$out" | tr '\n' ' ')"
    exit 4
fi
