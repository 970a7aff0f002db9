#!/usr/bin/env bash
# One PNG per benchmark run: requests per second by version (stacked bars, v1 blue, v2 green), failures
# (non-2xx and transport errors) in red on top with their count written above, the deploy window shaded
# between two solid lines (start, end), and each step of the deploy as a dashed line with its label and
# time since deploy start: the plugin's goals (the "[INFO] bluegreen:<goal> on ..." lines), the seed's
# steps (health check ok, include written, nginx -s reload, kill -9 of the old app).
#   usage: bench/plot/timeline.sh RESULT.txt OUT.png
#          RESULT.txt: a results file of ../shared/bench/measure.sh (e.g. target/bench-results/<date>/<run-id>.txt)
# Needs gnuplot (installed with bench/plot/install-gnuplot.sh when missing).
set -euo pipefail
PLOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$PLOT_DIR/lib.sh"

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

main() {
    [ $# -eq 2 ] || usage
    local result=$1 out=$2
    local width=1200 height=600 work xmax plot_px rows row_h ycut ymax
    [ -f "$result" ] || { echo "timeline: no such file: $result" >&2; return 1; }
    "$PLOT_DIR/install-gnuplot.sh"
    work=$(mktemp -d)
    # shellcheck disable=SC2064  # expand now: work is local
    trap "rm -rf '$work'" EXIT
    plot_parse "$result" "$work"
    xmax=$(( $(plot_meta "$work" maxsec) + 1 ))
    plot_px=$(( width - 110 ))
    rows=$(plot_rows "$work" "$xmax" "$plot_px")
    row_h=$(awk -v px="$PLOT_ROW_PX" -v h="$height" 'BEGIN { printf "%.4f", px / (h - 130) }')
    ycut=$(plot_ycut "$work")
    ymax=$(plot_ymax "$ycut" "$rows" "$row_h")
    {
        echo "set terminal pngcairo size $width,$height font '$PLOT_FONT,10' noenhanced"
        echo "set output $(plot_gp_string "$work/out.png")"
        plot_common
        plot_panel "$work" "$xmax" "$ycut" "$ymax" "$row_h"
    } > "$work/plot.gp"
    gnuplot "$work/plot.gp"
    mv "$work/out.png" "$out"   # only a complete PNG replaces OUT
    echo "timeline: wrote $out" >&2
}

main "$@"
