#!/bin/bash
# bench/at_ab.sh: several `at` programs against each other and Debian's at,
# turn about, on one crond, for a change that should move the at figure
# (`make bench` takes one run of 400 jobs per concurrency, too few to see
# 10 % on a noisy machine).
#
#   at_ab.sh CROND AT [AT...] [-- N ROUNDS CONCURRENCIES...]
#
# Starts CROND privately (bench/private_conf.sh) and, in each of ROUNDS
# rounds (default 3), for each concurrency C (default 1 and 8), queues N
# jobs (default 300) through each AT in turn, then through Debian's at when
# it is installed (in a private mount namespace over a scratch atjobs and
# atspool, as bench/daemon_bench.sh runs it, so Debian's spool is not
# touched), with bench/atloop: C submitters, each running `at now + 1 hour`
# with the job on standard input and waiting for it. Prints one line per
# run, "round R, C at once: PROGRAM N/s", and the medians at the end. Every
# job says `/bin/true`; none runs (they are an hour away, and the scratch
# directories go when the script ends). Scratch directories go under BUILD
# (default build/bench), on the disk the build is on. Needs root.
set -u
usage() { echo "usage: at_ab.sh CROND AT [AT...] [-- N ROUNDS CONCURRENCIES...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
CROND=$(realpath "$1"); shift
ATS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do ATS+=("$(realpath "$1")"); shift; done
[ $# -gt 0 ] && shift
N=${1:-300} ROUNDS=${2:-3}
shift 2 2>/dev/null || shift $#
CONCS=("$@")
[ ${#CONCS[@]} -gt 0 ] || CONCS=(1 8)
BUILD=$(realpath "${BUILD:-$(dirname "$0")/../build/bench}")
ATLOOP=$BUILD/atloop
for p in "$CROND" "${ATS[@]}" "$ATLOOP"; do
    [ -x "$p" ] || { echo "at_ab.sh: $p is not there (make -C bench builds atloop)" >&2; exit 2; }
done

. "$(dirname "$0")/private_conf.sh"
. "$(dirname "$0")/deb_at.sh"

W=$(mktemp -d "$BUILD/at_ab.XXXXXX") || exit 1
chmod 0755 "$W"
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
private_conf "$W/crond" || exit 1
echo /bin/true >"$W/job"
chmod 0644 "$W/job"
"$CROND" -n --config "$W/crond/conf" 2>"$W/crond.log" &
PID=$!
for _ in $(seq 1 100); do [ -S "$W/crond/crond.sock" ] && break; sleep 0.1; done
[ -S "$W/crond/crond.sock" ] || { echo "at_ab.sh: crond did not start:" >&2; cat "$W/crond.log" >&2; exit 1; }

DEB=0
deb_at_prepare "$W/deb" && DEB=1

# rate_of "OK SECONDS CPU": jobs queued a second, or "-" when one failed
rate_of() { awk -v n="$N" '$1 == n && $2 > 0 { printf "%.0f", $1 / $2; ok = 1 } END { if (!ok) printf "-" }'; }


declare -A RATES
for r in $(seq 1 "$ROUNDS"); do
    for c in "${CONCS[@]}"; do
        for at in "${ATS[@]}"; do
            rate=$("$ATLOOP" "$c" "$N" "$W/job" "$at" --config "$W/crond/conf" now + 1 hour | rate_of)
            echo "round $r, $c at once: $at $rate/s"
            RATES["$c $at"]+="$rate "
        done
        if [ "$DEB" = 1 ]; then
            rate=$(deb_at_loop "$W/deb" "$ATLOOP" "$c" "$N" "$W/job" | rate_of)
            echo "round $r, $c at once: Debian's at $rate/s"
            RATES["$c Debian's at"]+="$rate "
        fi
    done
done
echo "medians of $ROUNDS rounds, $N jobs each:"
for c in "${CONCS[@]}"; do
    for who in "${ATS[@]}" "Debian's at"; do
        [ -n "${RATES["$c $who"]:-}" ] || continue
        med=$(printf '%s\n' ${RATES["$c $who"]} | grep -v -- - | sort -n |
              awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }')
        echo "  $c at once: $who $med/s"
    done
done
