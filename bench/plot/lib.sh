# shellcheck shell=bash
# Shared by timeline.sh and side-by-side.sh (sourced, not run). Reads one results file of
# ../shared/bench/measure.sh and turns it into gnuplot input:
#   plot_parse RESULT DIR           -> DIR/data.tsv   x (second + 0.5), cumulative 2xx per version, total, failed
#                                      DIR/events.tsv t (load s), t (deploy s), kind, label   (kind: start end step warn)
#                                      DIR/meta       key<TAB>value (label, wall, exit, failed, versions, ...)
#   plot_meta DIR KEY               -> one value of DIR/meta
#   plot_rows DIR XMAX PLOT_PX      -> DIR/labels.tsv (each event label in a free row, with its x span);
#                                      prints the row count
#   plot_ycut DIR, plot_ymax YCUT ROWS ROW_H -> where bars are cut, top of the y axis
#   plot_panel DIR XMAX YCUT YMAX ROW_H -> the gnuplot commands of one panel (bars, deploy window, step lines, labels)
# Times: the load timeline counts seconds since load start (bin N = requests completed in [N, N+1) s);
# the deploy output is stamped in seconds since deploy start. An event at deploy time d is drawn at
# load time d + offset; offset is "deploy started at +Ns" made precise (to 10 ms) with the summary's
# "version switch" / "failures seen" times and the epoch times of the load generator summary.

# shellcheck disable=SC2034  # used by the scripts that source this file
PLOT_FONT="DejaVu Sans"
PLOT_FONT_PX=7     # width of one label character at font size 9, in pixels (used to keep labels apart)
PLOT_ROW_PX=15     # height of one label row, in pixels
PLOT_MAX_ROWS=8    # more labels than fit into this many rows are left out (the lines stay)

plot_parse() {
    local result=$1 dir=$2
    grep -q '^--- load timeline' "$result" || { echo "plot: no load timeline in $result" >&2; return 1; }
    awk -v dir="$dir" '
    function num(s) { gsub(/[^-+0-9.]/, "", s); return s + 0 }
    function isnum(s) { return s ~ /^[-+]?[0-9]+(\.[0-9]+)?s?$/ }
    function ev(d, kind, text) { nev++; evd[nev] = d; evk[nev] = kind; evt[nev] = text }
    function val(line) { sub(/^[^:]*: */, "", line); return line }
    /^--- deploy output/ { sec = "deploy"; next }
    /^--- load timeline/ {
        sec = "timeline"
        if (match($0, /deploy started at \+[0-9]+s/)) off_int = num(substr($0, RSTART + 19, RLENGTH - 19))
        next
    }
    /^--- load generator summary/ { sec = "load"; next }
    sec == "" && /^run id +:/ { runid = val($0) }
    sec == "" && /^deploy command +:/ {
        cmd = val($0); sub(/ +\(exit code [0-9]+\)$/, "", cmd)
        if (match($0, /exit code [0-9]+/)) code = substr($0, RSTART + 10, RLENGTH - 10)
    }
    sec == "" && /^deploy wall time +:/ { split(val($0), a, " "); wall = a[1] + 0 }
    sec == "" && /^total requests +:/ { total = val($0) + 0 }
    sec == "" && /^failed +:/ {
        v = val($0); split(v, a, " "); failed = a[1] + 0
        detail = ""   # the bracketed lists: "502=68", "read_timeout=3"
        while (match(v, /\[[^]]*\]/)) { detail = detail (detail == "" ? "" : " ") substr(v, RSTART + 1, RLENGTH - 2); v = substr(v, RSTART + RLENGTH) }
    }
    sec == "" && /^version switch +:/ {
        # "last v1 +15.23s, first v2 +15.53s (relative to deploy start)"
        n = split(val($0), a, /[ ,]+/)
        for (i = 1; i + 2 <= n; i++) {
            if (a[i] == "last" && a[i + 1] == "v1" && isnum(a[i + 2])) rel["version_last_epoch_ms.v1"] = num(a[i + 2])
            if (a[i] == "first" && a[i + 1] == "v2" && isnum(a[i + 2])) rel["version_first_epoch_ms.v2"] = num(a[i + 2])
        }
    }
    sec == "" && /^failures seen +:/ {
        split(val($0), a, " ")
        if (isnum(a[1])) rel["first_failure_epoch_ms"] = num(a[1])
    }
    sec == "deploy" && /^\[deploy +\+ *[0-9]+\.[0-9]+s\] / {
        match($0, /[0-9]+\.[0-9]+s\]/); d = substr($0, RSTART, RLENGTH - 2) + 0
        text = $0; sub(/^\[deploy +\+ *[0-9]+\.[0-9]+s\] /, "", text)
        gsub(/\033\[[0-9;]*m/, "", text)
        if (match(text, /\[INFO\] bluegreen:[a-z-]+ on /)) {           # plugin: a goal starts
            g = substr(text, RSTART + 17, RLENGTH - 21); ev(d, "step", g); plugin = 1
        } else if (text ~ /BUILD FAILURE/) {
            ev(d, "warn", "BUILD FAILURE")
        } else if (text ~ /^soak: deploy [0-9]+ of/) {                  # bench/soak.sh
            split(text, a, " "); ev(d, "step", "deploy " a[3] " " a[6])
        } else if (text ~ /^rollback bench: /) {                          # bench/rollback.sh
            sub(/^rollback bench: /, "", text); ev(d, "step", text)
        } else if (text ~ /^> Health check 성공/) {                      # seed: health check passed
            ev(d, "step", "health check ok"); seed = 1
        } else if (text ~ /^> Health check 실패/) {
            ev(d, "warn", "health check failed: exit 1"); seed = 1
        } else if (text ~ /^> Health check:/) {
            ev(d, "warn", "health check: not UP"); seed = 1
        } else if (text ~ /^set \$service_url /) {                         # seed: tee into the include
            port = text; sub(/^.*:/, "", port); sub(/;.*$/, "", port)
            ev(d, "step", "include -> :" port); seed = 1; seed_switched = 1
        } else if (text ~ /signal process started/) {                     # seed: nginx -s reload
            ev(d, "step", "nginx -s reload"); seed = 1
        } else if (text ~ /포트 모두 사용 중이지 않습니다/) {
            ev(d, "warn", "no app on 8080/8081: exit 1"); seed = 1
        }
        next
    }
    sec == "timeline" && /^ *[0-9]+ / {
        s = $1 + 0; if (s > maxsec) maxsec = s
        for (i = 2; i <= NF; i++) {
            k = $i; sub(/=.*/, "", k); c = $i; sub(/^.*=/, "", c); c += 0
            if (k ~ /^2xx:/) {
                v = substr(k, 5)
                if (!(v in seen)) { seen[v] = 1; nv++; vname[nv] = v }
                cnt[s, v] += c
            } else {
                fail[s] += c
            }
        }
        next
    }
    sec == "load" && /=/ { k = $0; sub(/=.*/, "", k); v = $0; sub(/^[^=]*=/, "", v); loadkv[k] = v }
    END {
        # deploy offset in load seconds: precise when an epoch time and its deploy-relative time are both known
        off = off_int + 0
        if (("load_start_epoch_ms" in loadkv)) {
            for (k in rel) {
                if (!(k in loadkv)) continue
                o = (loadkv[k] - loadkv["load_start_epoch_ms"]) / 1000 - rel[k]
                if (o > off_int - 0.02 && o < off_int + 1.02) { off = o; break }
            }
        }
        # versions: v1, v2 first (fixed colours), then the others as they appeared
        nord = 0
        if ("v1" in seen) ord[++nord] = "v1"
        if ("v2" in seen) ord[++nord] = "v2"
        for (i = 1; i <= nv; i++) if (vname[i] != "v1" && vname[i] != "v2") ord[++nord] = vname[i]
        okmax = 0; totmax = 0
        f = dir "/data.tsv"
        for (s = 0; s <= maxsec; s++) {
            line = sprintf("%.1f", s + 0.5); cum = 0
            for (i = 1; i <= nord; i++) { cum += cnt[s, ord[i]]; line = line "\t" cum }
            tot = cum + fail[s]
            if (cum > okmax) okmax = cum
            if (tot > totmax) totmax = tot
            print line "\t" tot "\t" (fail[s] + 0) > f
        }
        close(f)
        if (seed && seed_switched && code == 0) ev(wall, "step", "kill -9 old (last command)")
        f = dir "/events.tsv"
        printf "%.3f\t%.3f\t%s\t%s\n", off, 0, "start", "deploy start" > f
        for (i = 1; i <= nev; i++) printf "%.3f\t%.3f\t%s\t%s\n", off + evd[i], evd[i], evk[i], evt[i] > f
        printf "%.3f\t%.3f\t%s\t%s\n", off + wall, wall, "end", "deploy end, exit " code > f
        close(f)
        label = runid; sub(/^[0-9]+-[0-9]+-/, "", label)
        versions = ""; for (i = 1; i <= nord; i++) versions = versions (i > 1 ? " " : "") ord[i]
        f = dir "/meta"
        printf "label\t%s\nrun_id\t%s\ncommand\t%s\nexit\t%s\nwall\t%.2f\ntotal\t%d\nfailed\t%d\nfailed_detail\t%s\n", \
            label, runid, cmd, code, wall, total, failed, detail > f
        printf "versions\t%s\nmaxsec\t%d\noffset\t%.3f\nend\t%.3f\nok_max\t%d\ntotal_max\t%d\nkind\t%s\n", \
            versions, maxsec, off, off + wall, okmax, totmax, (plugin ? "plugin" : (seed ? "seed" : "other")) > f
        close(f)
    }' "$result"
    # events in time order (the parser keeps the order of the output, the seed kill is added last)
    sort -t "$(printf '\t')" -k1,1g -s "$dir/events.tsv" > "$dir/events.sorted" && mv "$dir/events.sorted" "$dir/events.tsv"
}

plot_meta() {
    local dir=$1 key=$2
    awk -F '\t' -v k="$key" '$1 == k { sub(/^[^\t]*\t/, ""); print; exit }' "$dir/meta"
}

# Bars stop at YCUT: the highest second of 2xx + failures, unless that is more than 4 times the highest
# second of 2xx (instant 502s make a closed-loop client spin and would squeeze the 2xx bars flat): then
# at twice the 2xx. Cut bars are said so in their label.
plot_ycut() {
    local dir=$1
    awk -v ok="$(plot_meta "$dir" ok_max)" -v tot="$(plot_meta "$dir" total_max)" \
        'BEGIN { y = (ok > 0 && tot > 4 * ok) ? 2 * ok : tot; if (y < 1) y = 1; print y }'
}

plot_ymax() { # the top of the y axis: YCUT plus room for ROWS label rows and the failure counts
    local ycut=$1 rows=$2 row_h=$3
    awk -v y="$ycut" -v r="$rows" -v h="$row_h" 'BEGIN { f = 1 - (r + 1.8) * h; if (f < 0.35) f = 0.35; printf "%.1f", y / f }'
}

plot_rows() { # greedy: each label goes into the highest row where it does not overlap the previous one
    local dir=$1 xmax=$2 plot_px=$3
    awk -F '\t' -v dir="$dir" -v xmax="$xmax" -v px="$plot_px" -v cpx="$PLOT_FONT_PX" -v maxrows="$PLOT_MAX_ROWS" '
    BEGIN { OFS = "\t"; unit = xmax / px; rows = 0; lf = dir "/labels.tsv"; printf "" > lf }
    {
        t = $1 + 0; rel = $2 + 0; kind = $3; text = $4
        if (kind != "start") text = text sprintf(" +%.2fs", rel)
        w = (length(text) + 2) * cpx * unit
        if (t + w <= xmax) { a = t; b = t + w; align = "left" } else { a = t - w; b = t; align = "right" }
        row = -1
        for (r = 0; r < maxrows; r++) if (!(r in end) || end[r] < a) { row = r; break }
        if (row < 0) next
        end[row] = b; if (row + 1 > rows) rows = row + 1
        print t, row, align, kind, a, b, text > lf
    }
    END { close(lf); print rows }' "$dir/events.tsv"
}

plot_gp_string() { # a gnuplot double-quoted string (newlines become \n)
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "${s//$'\n'/\\n}"
}

plot_title() { # "<label>: N failed (502=N) of M requests, deploy wall time W s (exit C)"
    local dir=$1 detail label cmd
    detail=$(plot_meta "$dir" failed_detail)
    label=$(plot_meta "$dir" label)
    cmd=$(plot_meta "$dir" command)
    cmd=${cmd##*/}
    # measure.sh's default label is the command's name: then show the command with its arguments
    [ "$label" != "${cmd%% *}" ] && [ "$label" != "$(basename "${cmd%% *}" .sh)" ] || label=$cmd
    printf '%s: %s failed%s of %s requests, deploy wall time %s s (exit %s)' \
        "$label" "$(plot_meta "$dir" failed)" "${detail:+ ($detail)}" \
        "$(plot_meta "$dir" total)" "$(plot_meta "$dir" wall)" "$(plot_meta "$dir" exit)"
}

plot_panel() { # the commands of one panel; ROW_H: label row height as a fraction of the plot height
    local dir=$1 xmax=$2 ycut=$3 ymax=$4 row_h=$5
    local offset end versions ncol i col color t row align kind a b text y lc font bs
    local others=("#ff7f0e" "#9467bd" "#8c564b" "#17becf") n_other=0
    offset=$(plot_meta "$dir" offset)
    end=$(plot_meta "$dir" end)
    read -r -a versions <<< "$(plot_meta "$dir" versions)"
    ncol=$(( ${#versions[@]} + 2 ))   # column of the total (2xx + failed)
    echo "unset label; unset arrow; unset object"
    echo "set title $(plot_gp_string "$(plot_title "$dir")") font '$PLOT_FONT,11'"
    echo "set xrange [0:$xmax]; set yrange [0:$ymax]"
    echo "set xlabel $(plot_gp_string "seconds since load start (deploy started at +$(printf '%.2f' "$offset") s)") offset 0,0.3"
    echo "set ylabel 'requests per second (by completion)'"
    echo "set object 1 rect from first $offset, graph 0 to first $end, graph 1 fc rgb '#fff7dc' fs solid 1.0 noborder behind"
    # failures: one red label per run of consecutive seconds with failures, above the highest bar of the run
    awk -F '\t' -v col="$ncol" -v ycut="$ycut" -v ymax="$ymax" '
    function flush() {
        if (n == 0) return
        y = (top > ycut ? ycut : top)
        txt = sum " failed" (s1 > s0 ? sprintf(" in %d s", s1 - s0 + 1) : "") (top > ycut ? " (bars cut)" : "")
        printf "set label %s at first %.2f, first %.1f center offset 0,0.8 tc rgb \"#c00000\" font \"'"$PLOT_FONT"' Bold,10\" boxed bs 1 front\n", \
            "\"" txt "\"", (s0 + s1) / 2 + 0.5, y
        n = 0
    }
    {
        s = $1 - 0.5; f = $(col + 1) + 0
        if (f > 0) { if (n == 0 || s != prev + 1) { flush(); s0 = s; sum = 0; top = 0 } n++; s1 = s; sum += f; if ($col > top) top = $col; prev = s }
        else flush()
    }
    END { flush() }' "$dir/data.tsv"
    # labels of the deploy's start, steps and end (their lines are plotted with the bars)
    while IFS=$'\t' read -r t row align kind a b text; do
        case $kind in
            start | end) lc="#333333"; font="$PLOT_FONT Bold,9" ;;
            warn) lc="#c00000"; font="$PLOT_FONT,9" ;;
            *) lc="#4d4d4d"; font="$PLOT_FONT,9" ;;
        esac
        y=$(awk -v r="$row" -v h="$row_h" 'BEGIN { printf "%.4f", 0.995 - (r + 0.8) * h }')
        # opaque in the colour under it (white, or the deploy window's shade), so that other lines pass
        # behind the text; a label across the window's edge stays transparent
        bs=$(awk -v a="$a" -v b="$b" -v s="$offset" -v e="$end" \
            'BEGIN { if (a >= s && b <= e) print "boxed bs 2"; else if (b <= s || a >= e) print "boxed bs 1" }')
        echo "set label $(plot_gp_string "$text") at first $t, graph $y $align offset $([ "$align" = left ] && echo 0.7 || echo -1),0 tc rgb '$lc' font '$font' $bs front"
    done < "$dir/labels.tsv"
    # stacked bars: total (red on top), then each version's cumulative count over it, highest first;
    # the key lists them bottom-up (keyentry), in the order they stack
    local plot key=""
    echo "cut(y) = (y > $ycut ? $ycut : y)"
    # (a layer is drawn only in the seconds where it has requests: no hairline of it peeks over the next one)
    plot=$(printf "plot '%s' using 1:(column(%d) > 0 ? cut(column(%d)) : NaN) with boxes lc rgb '#d62728' notitle" \
        "$dir/data.tsv" $(( ncol + 1 )) "$ncol")
    for ((i = ${#versions[@]} - 1; i >= 0; i--)); do
        col=$(( i + 2 ))
        case ${versions[$i]} in
            v1) color="#1f77b4" ;;   # blue
            v2) color="#2ca02c" ;;   # green
            *) color=${others[$(( n_other % ${#others[@]} ))]}; n_other=$(( n_other + 1 )) ;;
        esac
        plot+=$(printf ", '' using 1:(column(%d) > %s ? cut(column(%d)) : NaN) with boxes lc rgb '%s' notitle" \
            "$col" "$([ "$i" = 0 ] && echo 0 || echo "column($(( col - 1 )))")" "$col" "$color")
        key=$(printf ", keyentry with boxes lc rgb '%s' title %s" "$color" "$(plot_gp_string "2xx ${versions[$i]}")")$key
    done
    # the deploy's lines, plotted after the bars and so under the labels (arrows would cross the labels)
    plot+=$(printf ", '%s' using 1:(strcol(3) eq 'start' || strcol(3) eq 'end' ? 0 : NaN):(0):(%s) with vectors nohead lc rgb '#333333' lw 2 notitle" "$dir/events.tsv" "$ymax")
    plot+=$(printf ", '' using 1:(strcol(3) eq 'step' ? 0 : NaN):(0):(%s) with vectors nohead lc rgb '#4d4d4d' lw 1.2 dt 2 notitle" "$ymax")
    plot+=$(printf ", '' using 1:(strcol(3) eq 'warn' ? 0 : NaN):(0):(%s) with vectors nohead lc rgb '#c00000' lw 1.2 dt 2 notitle" "$ymax")
    echo "$plot$key, keyentry with boxes lc rgb '#d62728' title 'failed (non-2xx, error)'"
}

plot_common() { # terminal-independent settings
    echo "set termoption noenhanced"
    echo "set style fill solid 0.9 noborder; set boxwidth 0.9"
    echo "set key outside bottom center horizontal maxcols 3 Left reverse samplen 2 width -3 font '$PLOT_FONT,10'"
    echo "set style textbox 1 opaque fc rgb 'white' noborder margins 1,0.5"
    echo "set style textbox 2 opaque fc rgb '#fff7dc' noborder margins 1,0.5"   # the deploy window's shade
    echo "set grid ytics lc rgb '#dddddd'; set tics out nomirror; set border 3"
    echo "set lmargin 10; set rmargin 3"
}
