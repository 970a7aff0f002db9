#!/usr/bin/env bash
# Installs gnuplot (Debian package gnuplot-nox: no X11, has the pngcairo terminal) if it is missing.
# Idempotent, like scripts/install-deps.sh; needs root only when something has to be installed.
#   usage: bench/plot/install-gnuplot.sh
set -euo pipefail

main() {
    if command -v gnuplot >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "install-gnuplot: gnuplot is missing; run as root or install gnuplot-nox" >&2
        return 1
    fi
    echo "install-gnuplot: installing gnuplot-nox" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null
}

main "$@"
