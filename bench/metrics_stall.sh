#!/bin/bash
# bench/metrics_stall.sh: how long the supervisor goes without looking at
# its events while crond writes a large metrics file, for two crond builds
# turn about (the write runs on the supervisor thread: while it runs, a job
# that falls due, a job that ends and a `crontab --run` all wait).
#
#   metrics_stall.sh OLD_CROND NEW_CROND [N]
#
# Each build gets a private configuration with metrics_file set and N
# (default 5,000: the cap of root's and the system crontabs' series) system
# crontab entries due every minute, so that the file has N series (8 lines
# each), and four more entries that sleep 10, 20, 30 and 40 s, so that runs
# end, and the file is written again, while nothing else happens. Under the
# test clock, 3 s before a minute: the burst of N runs comes at once and is
# over before `perf trace` attaches; then for 45 s it records the
# supervisor's epoll_wait calls (and its rename, fdatasync and
# sync_file_range) from the kernel's tracepoints (strace would stop the
# thread at every system call, each write of the file included).
# Prints per build the longest spells between the end of one epoll_wait and
# the start of the next (a spell is one turn of the supervisor's loop) and
# how long each rename of the file took. Needs root and perf; scratch
# directories go under BUILD (default build/bench), on the disk the build
# is on, where the file is written as it would be in /var/lib.
set -u
[ $# -ge 2 ] || { echo "usage: metrics_stall.sh OLD_CROND NEW_CROND [N]" >&2; exit 2; }
OLD=$(realpath "$1") NEW=$(realpath "$2") N=${3:-5000}
BUILD=$(realpath -m "${BUILD:-$(dirname "$0")/../build/bench}")
mkdir -p "$BUILD" || exit 1
command -v perf >/dev/null || { echo "metrics_stall.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
. "$(dirname "$0")/private_conf.sh"
for p in "$OLD" "$NEW"; do
    [ -x "$p" ] || { echo "metrics_stall.sh: $p is not there" >&2; exit 2; }
done

# spells TRACE: the supervisor's (the thread that renames the file) longest
# spells between two epoll_waits, and its renames
spells() {
    python3 - "$1" <<'EOF'
import re, sys
calls = {}      # tid -> [(start ms, duration ms, call)]
for line in open(sys.argv[1]):
    m = re.match(r'\s*(\d+\.\d+) \(\s*(\d+\.\d+) ms\): [^/]*/(\d+) (\w+)\(', line)
    if m:
        calls.setdefault(int(m[3]), []).append((float(m[1]), float(m[2]), m[4]))
sup = next((tid for tid, cs in calls.items() if any(c[2] == 'rename' for c in cs)), None)
if sup is None:
    print("  no write of the file seen")
    sys.exit(0)
cs = sorted(calls[sup])
ep = [c for c in cs if c[2] == 'epoll_wait']
spell = sorted((b[0] - a[0] - a[1] for a, b in zip(ep, ep[1:])), reverse=True)
print("  longest spells (ms): " + " ".join("%.2f" % s for s in spell[:6]))
print("  renames (ms): " + " ".join("%.2f" % c[1] for c in cs if c[2] == 'rename'))
print("  turns of the loop: %d" % len(ep))
EOF
}

one_run() {
    local w t p i
    w=$(mktemp -d "$BUILD/metrics_stall.XXXXXX") || exit 1
    chmod 0755 "$w"
    private_conf "$w" "metrics_file = $w/crond.prom" "max_jobs = $(( N + 100 ))" || exit 1
    # in files of 2,000 lines: a crontab file holds at most 1 MiB
    awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "* * * * * root /bin/true job %d\n", i }' |
        split -l 2000 - "$w/cron.d/many"
    for s in 10 20 30 40; do echo "* * * * * root /bin/sleep $s"; done >"$w/cron.d/sleeps"
    chmod 0644 "$w"/cron.d/*
    t=$(( ($(date +%s) / 60 + 5) * 60 ))
    "$1" -n --config "$w/conf" --test-clock $(( t - 3 )) 2>>"$w/log" & p=$!
    for i in $(seq 1 600); do
        grep -qE "^crond_runs_total\{outcome=\"success\"\} $N\$" "$w/crond.prom" 2>/dev/null && break
        sleep 0.1
    done
    perf trace -T -o "$w/trace" -p "$p" -e epoll_wait,rename,fdatasync,sync_file_range &
    local sp=$!
    sleep 45
    kill -INT "$sp"; wait "$sp" 2>/dev/null   # INT: perf writes out what it holds
    kill "$p"; wait "$p" 2>/dev/null
    echo "$1: $(grep -c '^crond_entry_last_start_timestamp_seconds{' "$w/crond.prom") series," \
         "$(wc -c <"$w/crond.prom") bytes"
    spells "$w/trace"
    [ "${KEEP:-0}" = 1 ] && echo "  kept: $w" || rm -rf "$w"
}

one_run "$OLD"
one_run "$NEW"
