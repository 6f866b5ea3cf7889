#!/bin/bash
# bench/callgrind.sh: instruction counts of crond (valgrind --tool=callgrind),
# which a busy machine does not move, for the figures of issue 14:
#
#   callgrind.sh BIN startup        crond -n with no entries, until idle
#   callgrind.sh BIN burst N        N entries due at one minute (test clock)
#   callgrind.sh BIN at N           N submissions through BIN/at, 4 at once
#
# BIN holds crond (and at), built with FORK_JOBS=1 for burst (make
# BUILD=build/callgrind FORK_JOBS=1): valgrind cannot follow the clone that
# starts root's jobs in crond's memory, so that build forks them, and the
# supervisor's count is the fork path's. bench/ helpers (stamp, atloop) are taken from
# BUILD (default build/bench: `make -C bench` or `make bench` builds them).
# Each runs crond privately in a scratch directory (a configuration naming
# every path in it), keeps the callgrind file there and prints the totals:
# the whole program, and the supervisor's or the control thread's part per
# run or submission. KEEP=1 keeps the scratch directory.
set -u
[ $# -ge 2 ] || { echo "usage: callgrind.sh BIN startup|burst N|at N" >&2; exit 2; }
BIN=$(cd "$1" && pwd) || exit 2
MODE=$2 N=${3:-500}
BUILD=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build/bench}
command -v valgrind >/dev/null || { echo "callgrind.sh: needs valgrind" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/callgrind.XXXXXX") || exit 2
chmod 0755 "$W"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
. "$(dirname "$0")/private_conf.sh"
private_conf "$W" || exit 2
mkdir -p "$W/out"
OUT=$W/callgrind.out
total() { callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }
part() { callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null | awk -v f="$1" '$0 ~ f { gsub(",", "", $1); print $1; exit }'; }
case $MODE in
startup)
    # once unmeasured: the spool is created then, as on a machine's first start
    "$BIN/crond" -n --config "$W/conf" 2>>"$W/log" & p=$!
    for _ in $(seq 1 100); do [ -S "$W/crond.sock" ] && break; sleep 0.1; done
    kill "$p"; wait "$p"
    valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BIN/crond" -n --config "$W/conf" 2>>"$W/log" & p=$!
    sleep 3; kill "$p"; wait "$p"
    echo "startup: $(total) instructions until idle (main: $(part 'main.c:main '))"
    ;;
burst)
    t=$(( ($(date +%s) / 60 + 5) * 60 ))
    awk -v n="$N" -v s="$BUILD/stamp" -v f="$W/out/stamps" -v mm="$(date -d @$t +%-M)" -v hh="$(date -d @$t +%-H)" \
        'BEGIN { for (i = 0; i < n; i++) printf "%d %d * * * root %s %s j%d\n", mm, hh, s, f, i }' |
        split -l 2000 - "$W/cron.d/burst"
    chmod 0644 "$W"/cron.d/*
    valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BIN/crond" -n --config "$W/conf" \
        --test-clock $(( t - 4 )) 2>>"$W/log" & p=$!
    for _ in $(seq 1 600); do
        [ -e "$W/out/stamps" ] && [ "$(wc -l <"$W/out/stamps")" -ge "$N" ] && break
        sleep 0.1
    done
    sleep 2; kill "$p"; wait "$p"
    if grep -q 'Unsupported clone' "$W/log"; then
        echo "callgrind.sh: $BIN/crond starts jobs in its own memory; build it with FORK_JOBS=1" >&2
        exit 1
    fi
    s=$(part 'supervisor.c:super_main ')
    echo "burst: $(wc -l <"$W/out/stamps") of $N started; supervisor thread $s instructions, $(( s / N )) per run"
    ;;
at)
    echo /bin/true >"$W/job"
    chmod 0644 "$W/job"
    valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BIN/crond" -n --config "$W/conf" 2>>"$W/log" & p=$!
    for _ in $(seq 1 100); do [ -S "$W/crond.sock" ] && break; sleep 0.1; done
    read -r ok _ _ < <("$BUILD/atloop" 4 "$N" "$W/job" "$BIN/at" --config "$W/conf" now + 1 hour)
    kill "$p"; wait "$p"
    s=$(part 'control.c:control_main ')
    echo "at: $ok of $N queued; control thread $s instructions, $(( s / N )) per submission"
    ;;
*) echo "callgrind.sh: unknown mode '$MODE'" >&2; exit 2 ;;
esac
[ "${KEEP:-0}" = 1 ] && echo "kept: $W"
exit 0
