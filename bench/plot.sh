#!/bin/bash
# bench/plot.sh: draws a daemon benchmark run's curves as SVG with gnuplot.
#
#   plot.sh DATA OUTDIR
#
# DATA is one file daemon_bench.sh wrote (lines FIGURE DAEMON X VALUE after
# "#" lines naming the machine). Writes into OUTDIR:
#   startup.svg   start-up time (settled) against entries, log-log
#   memory.svg    resident set after start-up against entries, log-log
#   burst.svg     a burst's last start after the boundary against N, next to
#                 the plain fork+exec loop
#   at.svg        at jobs queued per second against submitters at once
# Each curve is there only for the daemons the run measured; a figure
# measured several times is drawn at its median. Without gnuplot (Debian
# package gnuplot-nox) it says so and draws nothing (exit 0).
set -u
set -o pipefail
[ $# -eq 2 ] || { echo "usage: plot.sh DATA OUTDIR" >&2; exit 2; }
DATA=$1 OUT=$2
[ -r "$DATA" ] || { echo "plot: cannot read $DATA" >&2; exit 1; }
if ! command -v gnuplot >/dev/null; then
    echo "plot: gnuplot is not installed (apt-get install gnuplot-nox): no curves drawn"
    exit 0
fi
mkdir -p "$OUT" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

# series FIGURE DAEMON: "X VALUE" lines, X ascending, medians of repeats
series() {
    awk -v f="$1" -v d="$2" '$1 == f && $2 == d { print $3, $4 }' "$DATA" | sort -g -k1,1 -k2,2 |
        awk '{ if ($1 != x && n) { print x, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2); n = 0 }
               x = $1; v[++n] = $2 }
             END { if (n) print x, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) }'
}
title() {
    case $1 in
        crond) echo "crond" ;; deb) echo "Debian cron" ;; bb) echo "busybox crond" ;;
        loop) echo "fork+exec loop (the limit)" ;; debat) echo "Debian at" ;;
    esac
}
MACHINE=$(sed -n 's/^# machine //p' "$DATA" | head -n 1 | tr -d '"{}')
DATE=$(sed -n 's/^# date //p' "$DATA" | head -n 1)

# plot NAME TITLE XLABEL YLABEL LOGSCALE FIGURE:DAEMON...
plot() {
    local name=$1 ttl=$2 xl=$3 yl=$4 logs=$5 spec fig dmn f cmd="" n=0
    shift 5
    for spec in "$@"; do
        fig=${spec%%:*} dmn=${spec#*:}
        f=$TMP/$name.$fig.$dmn
        # a logarithmic x axis has no room for x = 0 (start-up with no entries)
        series "$fig" "${dmn%at}" | awk -v lx="${logs%y}" 'lx != "x" || $1 > 0' >"$f"
        [ -s "$f" ] || continue
        [ -n "$cmd" ] && cmd+=", "
        cmd+="'$f' using 1:2 with linespoints title '$(title "$dmn")'"
        n=$((n + 1))
    done
    if [ "$n" = 0 ]; then
        echo "plot: nothing to draw for $name"
        return 0
    fi
    gnuplot <<EOF || { echo "plot: gnuplot failed on $name" >&2; return 1; }
set terminal svg size 720,440 dynamic font "sans,12"
set output '$OUT/$name.svg'
set title "$ttl\n{/*0.7 $MACHINE, $DATE}"
set xlabel "$xl"
set ylabel "$yl"
set key left top
set grid
$( [ -n "$logs" ] && echo "set logscale $logs" )
plot $cmd
EOF
    echo "plot: $OUT/$name.svg"
}

plot startup "Start-up time against entries" "entries" "ms until settled" xy \
    startup_ms:crond startup_ms:deb startup_ms:bb
plot memory "Resident memory after start-up against entries" "entries" "RSS (kB)" xy \
    rss_kb:crond rss_kb:deb rss_kb:bb
plot burst "A burst: last job started after the minute boundary" "jobs due at once" \
    "ms after the boundary" xy \
    burst_last_ms:crond burst_last_ms:loop burst_last_ms:deb burst_last_ms:bb
plot at "at jobs queued per second through the command" "submitters at once" "jobs/s" x \
    at_rate:crond at_rate:debat
exit 0
