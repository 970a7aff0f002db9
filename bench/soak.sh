#!/usr/bin/env bash
# measure.sh deploy command for the soak test: DEPLOYS (20) deploys in a row, v2, v1, v2, ... under the one
# continuous load that measure.sh runs, then checks that exactly one app process is left and that the state
# file agrees with nginx's include.      usage: measure.sh bench/soak.sh local|ssh
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TRANSPORT=${1:-local}
DEPLOYS=${DEPLOYS:-20}
for ((i = 1; i <= DEPLOYS; i++)); do
    version=$([ $((i % 2)) = 1 ] && echo v2 || echo v1)
    echo "soak: deploy $i of $DEPLOYS ($version)"
    APP_VERSION=$version "$BENCH/deploy.sh" "$TRANSPORT" -q
done
left=()
for f in "$APP_PID_DIR"/app-*.pid; do
    read -r pid port version < "$f"
    st=$(ps -o stat= -p "$pid" 2>/dev/null || true)
    if [[ -n "$st" && "$st" != Z* ]]; then left+=("$version@$port(PID $pid)"); fi
done
routed=$(grep -o '127.0.0.1:[0-9]*' "$SERVICE_URL_INC" | cut -d: -f2)
recorded=$(grep '^live.port=' bluegreen/state.properties | cut -d= -f2)
echo "soak: app processes left: ${left[*]}; nginx routes to $routed; state says $recorded"
[ ${#left[@]} = 1 ] && [ "$routed" = "$recorded" ] && [[ "${left[0]}" == *"@$routed("* ]]
