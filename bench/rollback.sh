#!/usr/bin/env bash
# measure.sh deploy command for rollbacks under load (issue 5), all under one continuous load:
#   1. deploy v2 keeping the old v1 for 60 s, 2. bluegreen:rollback within that window (a switch only),
#   3. deploy v2, 4. deploy v1, 5. bluegreen:rollback to v2: started again from releases/, health-checked, switched.
#   usage: measure.sh bench/rollback.sh local|ssh
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TRANSPORT=${1:-local}
step() { echo "rollback bench: $1"; shift; "$@"; }
step "deploy v2, keep v1 60 s" env APP_VERSION=v2 "$BENCH/deploy.sh" "$TRANSPORT" -Dbluegreen.keepOldSeconds=60
step "rollback inside the window" "$BENCH/deploy.sh" "$TRANSPORT" -Dbluegreen.goal=rollback
step "deploy v2" env APP_VERSION=v2 "$BENCH/deploy.sh" "$TRANSPORT"
step "deploy v1" env APP_VERSION=v1 "$BENCH/deploy.sh" "$TRANSPORT"
step "rollback to v2 from releases/" "$BENCH/deploy.sh" "$TRANSPORT" -Dbluegreen.goal=rollback
grep -q '127.0.0.1:8081;' "$SERVICE_URL_INC" || { echo "rollback bench: nginx should route to v2 on 8081"; exit 1; }
