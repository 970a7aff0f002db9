#!/usr/bin/env bash
# Two benchmark runs side by side in one PNG, the seed script on the left and the plugin on the right,
# each drawn like bench/plot/timeline.sh draws one run, with the same x and y scales in both panels.
#   usage: bench/plot/side-by-side.sh SEED_RESULT.txt PLUGIN_RESULT.txt OUT.png
#          the results files of two ../shared/bench/measure.sh runs (any two runs work: left, right)
# bench/run-matrix.sh writes bench/timeline-default.png with it (first seed and plugin default rows).
# Needs gnuplot (installed with bench/plot/install-gnuplot.sh when missing).
set -euo pipefail
PLOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$PLOT_DIR/lib.sh"

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

plot_settings() { # the measure.sh settings of a run, without the load schedule
    sed -n 's/^settings *: *//p' "$1" | head -1 | sed 's/, deploy at .*//'
}

who() { # DIR COMMAND -> "seed script (seed-deploy.sh)", "bluegreen-maven-plugin (deploy.sh local)"
    local dir=$1 cmd=${2##*/}
    case $(plot_meta "$dir" kind) in
        seed) echo "seed script ($cmd)" ;;
        plugin) echo "bluegreen-maven-plugin ($cmd)" ;;
        *) echo "$cmd" ;;
    esac
}

main() {
    [ $# -eq 3 ] || usage
    local left=$1 right=$2 out=$3
    local width=1500 height=620 panel_px work side xmax=1 ycut=1 ymax=1 rows row_h n settings title cmd_left cmd_right
    local -A panel_rows
    for side in "$left" "$right"; do
        [ -f "$side" ] || { echo "side-by-side: no such file: $side" >&2; return 1; }
    done
    "$PLOT_DIR/install-gnuplot.sh"
    work=$(mktemp -d)
    # shellcheck disable=SC2064  # expand now: work is local
    trap "rm -rf '$work'" EXIT
    mkdir "$work/left" "$work/right"
    plot_parse "$left" "$work/left"
    plot_parse "$right" "$work/right"
    # common scales: the longer run's x range, the higher bar cut, the room for the most label rows
    for side in left right; do
        n=$(( $(plot_meta "$work/$side" maxsec) + 1 ))
        [ "$n" -le "$xmax" ] || xmax=$n
        ycut=$(awk -v a="$ycut" -v b="$(plot_ycut "$work/$side")" 'BEGIN { print (b > a ? b : a) }')
    done
    panel_px=$(( width / 2 - 110 ))
    row_h=$(awk -v px="$PLOT_ROW_PX" -v h="$height" 'BEGIN { printf "%.4f", px / (h - 150) }')
    for side in left right; do
        rows=$(plot_rows "$work/$side" "$xmax" "$panel_px")
        panel_rows[$side]=$rows
        ymax=$(awk -v a="$ymax" -v b="$(plot_ymax "$ycut" "$rows" "$row_h")" 'BEGIN { print (b > a ? b : a) }')
    done
    settings=$(plot_settings "$left")
    [ "$(plot_settings "$right")" = "$settings" ] || settings="left: $settings; right: $(plot_settings "$right")"
    cmd_left=$(plot_meta "$work/left" command)
    cmd_right=$(plot_meta "$work/right" command)
    title="Blue/green deploy under the same load (same scales): $(who "$work/left" "$cmd_left") vs $(who "$work/right" "$cmd_right")"
    {
        echo "set terminal pngcairo size $width,$height font '$PLOT_FONT,10' noenhanced"
        echo "set output $(plot_gp_string "$work/out.png")"
        plot_common
        echo "set multiplot layout 1,2 title $(plot_gp_string "$title"$'\n'"$settings") font '$PLOT_FONT Bold,12'"
        plot_panel "$work/left" "$xmax" "$ycut" "$ymax" "$row_h"
        plot_panel "$work/right" "$xmax" "$ycut" "$ymax" "$row_h"
        echo "unset multiplot"
    } > "$work/plot.gp"
    gnuplot "$work/plot.gp"
    mv "$work/out.png" "$out"   # only a complete PNG replaces OUT
    echo "side-by-side: wrote $out (label rows: left ${panel_rows[left]}, right ${panel_rows[right]})" >&2
}

main "$@"
