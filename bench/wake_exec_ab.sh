#!/bin/bash
# bench/wake_exec_ab.sh: from the timer's wake to the job's exec, for crond
# builds against each other, turn about: the part of the first start after
# a boundary that is crond's own (the start latency of `make bench` adds the
# machine's timer wake-up and the job's loader, and gives one sample a real
# minute).
#
#   wake_exec_ab.sh CROND [CROND...] [-- SECONDS ROUNDS]
#
# Each round runs each CROND in turn for SECONDS (default 60) under the test
# clock at 30 times real time (a minute boundary every 2 s), with one root
# entry due every minute (bench/stamp, from BUILD, default build/bench), in
# a private configuration, while `perf record -a` takes the scheduler's
# exec events and the hrtimer expiries. For each start it takes the time
# from the last timerfd expiry before the job's exec to that exec (the
# timer thread's timerfd; the supervisor's own is idle while nothing runs),
# and prints per run "CROND: n=N min median p90 max us", then the medians
# of each CROND's medians. Rounds default to 2. Needs root and perf; the
# machine should be otherwise quiet (every timerfd on it counts).
set -u
usage() { echo "usage: wake_exec_ab.sh CROND [CROND...] [-- SECONDS ROUNDS]" >&2; exit 2; }
[ $# -ge 1 ] || usage
CRONDS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do CRONDS+=("$(realpath "$1")"); shift; done
[ $# -gt 0 ] && shift
SEC=${1:-60} ROUNDS=${2:-2}
BUILD=$(realpath "${BUILD:-$(dirname "$0")/../build/bench}")
STAMP=$BUILD/stamp
command -v perf >/dev/null || { echo "wake_exec_ab.sh: needs perf" >&2; exit 2; }
for p in "${CRONDS[@]}" "$STAMP"; do
    [ -x "$p" ] || { echo "wake_exec_ab.sh: $p is not there (make -C bench builds stamp)" >&2; exit 2; }
done
. "$(dirname "$0")/private_conf.sh"

W=$(mktemp -d "$BUILD/wake_exec.XXXXXX") || exit 1
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

# one_run CROND: prints "n min median p90 max" (microseconds)
one_run() {
    local d=$W/run
    rm -rf "$d"
    private_conf "$d" || return 1
    echo "* * * * * root $STAMP $d/stamps x" >"$d/cron.d/wake"
    "$1" -n --config "$d/conf" --test-clock=$(( $(date +%s) / 60 * 60 + 50 )):30 2>"$d/log" &
    PID=$!
    sleep 1
    perf record -q -o "$d/perf.data" -a -e sched:sched_process_exec,timer:hrtimer_expire_entry \
        -- sleep "$SEC" 2>/dev/null
    kill "$PID"; wait "$PID" 2>/dev/null; PID=
    perf script -i "$d/perf.data" -F time,event,trace 2>/dev/null | awk -v stamp="$STAMP" '
        /timerfd_tmrproc/ { t = $1 + 0 }
        /sched_process_exec/ && index($0, "filename=" stamp " ") { if (t) printf "%.0f\n", ($1 - t) * 1e6; t = 0 }' |
        sort -n >"$d/us"
    awk '{ v[NR] = $1 } END { if (!NR) exit 1; p = int(NR * 9 / 10); if (p < 1) p = 1
        printf "%d %d %d %d %d\n", NR, v[1], v[int((NR + 1) / 2)], v[p], v[NR] }' "$d/us"
}

for r in $(seq 1 "$ROUNDS"); do
    for i in "${!CRONDS[@]}"; do
        read -r n lo med p90 hi < <(one_run "${CRONDS[$i]}") || exit 1
        echo "round $r: ${CRONDS[$i]}: n=$n min=$lo median=$med p90=$p90 max=$hi us"
        echo "$med" >>"$W/med.$i"
    done
done
echo "medians of $ROUNDS rounds' medians:"
for i in "${!CRONDS[@]}"; do
    printf '  %s %s us\n' "${CRONDS[$i]}" "$(sort -n "$W/med.$i" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
done
