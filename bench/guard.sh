#!/bin/bash
# bench/guard.sh: did a benchmark run get worse than the last committed one?
#
#   guard.sh DATA DIR
#
# DATA is the run's data file (daemon_bench.sh); DIR holds the committed
# ones (docs/bench/data). The reference is the newest data file in DIR that
# git tracks, preferring one of the same mode (full or quick) as DATA. From
# both files the same ratios are taken: crond against the plain fork+exec
# loop, its start latency against the bare timer, and the rest against
# each anchor (Debian cron, busybox crond, Debian at), so that a slower or
# busier machine moves both sides of each ratio alike.
# Prints every ratio that is more than 20 % worse than the reference's
# (GUARD_PCT=N for another threshold) and exits 1 if there is one; 0 when
# none is, or when there is no reference to compare with (said so).
set -u
set -o pipefail
[ $# -eq 2 ] || { echo "usage: guard.sh DATA DIR" >&2; exit 2; }
DATA=$1 DIR=$2 PCT=${GUARD_PCT:-20}
[ -r "$DATA" ] || { echo "guard: cannot read $DATA" >&2; exit 2; }
mode=$(sed -n 's/^# crond daemon benchmark (\(.*\))$/\1/p' "$DATA" | head -n 1)

# the newest tracked data file other than DATA, same mode first
tracked=$(git -C "$DIR" ls-files -- '*.dat' 2>/dev/null | sort -r)
ref=""
for want in "-$mode.dat" ".dat"; do
    for f in $tracked; do
        [ "$DIR/$f" -ef "$DATA" ] && continue
        # only the daemon benchmark's files (not, e.g., the cluster's)
        head -n 1 "$DIR/$f" | grep -q '^# crond daemon benchmark' || continue
        case $f in *"$want") ref=$DIR/$f; break 2 ;; esac
    done
done
if [ -z "$ref" ]; then
    echo "guard: no committed results in $DIR to compare with (commit a run's data file)"
    exit 0
fi

# ratios FILE: "NAME BETTER VALUE" for every ratio FILE's figures give;
# medians of repeated figures; BETTER is lower or higher
ratios() {
    awk '
    /^#/ { next }
    { k = $1 SUBSEP $2 SUBSEP $3; n[k]++; v[k, n[k]] = $4; key[k] = 1 }
    function med(k,   m, i, j, t, a) {
        m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
        for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    function have(f, d, x) { return ((f SUBSEP d SUBSEP x) in key) }
    function get(f, d, x) { return med(f SUBSEP d SUBSEP x) }
    function out(name, better, a, b) { if (b > 0) printf "%s %s %.6g\n", name, better, a / b }
    END {
        for (k in key) {
            split(k, p, SUBSEP); f = p[1]; d = p[2]; x = p[3]
            if (d != "crond") continue
            if (f == "burst_last_ms" && have(f, "loop", x))
                out("burst" x "_last_vs_loop", "lower", get(f, d, x), get(f, "loop", x))
            if (f == "latency_ms" && have(f, "limit", x))
                out("latency_vs_limit", "lower", get(f, d, x), get(f, "limit", x))
            if (f == "at_rate" && have(f, "deb", x))
                out("at_rate_" x "_at_once_vs_debian_at", "higher", get(f, d, x), get(f, "deb", x))
            # Start latency is held to the bare timer (above), not to the
            # anchors, whose own latency moves between runs (busybox: 869 ms
            # in one run, 87 ms in the next, steady within each), so those
            # ratios moved by up to ten times while crond did not move.
            if (f ~ /^(burst_last_ms|bytes_per_entry)$/ || (f ~ /^startup_(ms|minflt)$/ && x == 0)) {
                if (have(f, "deb", x)) out(f "_" x "_vs_debian_cron", "lower", get(f, d, x), get(f, "deb", x))
                if (have(f, "bb", x)) out(f "_" x "_vs_busybox", "lower", get(f, d, x), get(f, "bb", x))
            }
        }
    }' "$1" | sort
}

T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT
ratios "$ref" >"$T/ref"
ratios "$DATA" >"$T/new"
worse=0 compared=0
while read -r name better new; do
    old=$(awk -v n="$name" '$1 == n { print $3 }' "$T/ref")
    [ -n "$old" ] || continue
    compared=$((compared + 1))
    # how much worse, in percent (negative: better)
    pct=$(awk -v o="$old" -v n="$new" -v b="$better" \
        'BEGIN { if (b == "lower") r = (n / o - 1) * 100; else r = (o / n - 1) * 100; printf "%.0f", r }')
    if [ "$pct" -gt "$PCT" ]; then
        printf 'guard: %s got %s%% worse: %s, was %s (%s is better)\n' "$name" "$pct" "$new" "$old" "$better"
        worse=$((worse + 1))
    fi
done <"$T/new"
echo "guard: $compared ratios compared with $(basename "$ref"), $worse more than $PCT % worse"
[ "$worse" = 0 ]
