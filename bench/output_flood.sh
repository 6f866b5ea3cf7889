#!/bin/bash
# bench/output_flood.sh: what a job that keeps its output pipe full costs
# crond (issue 14's figures stay as they are; this one is about a hostile
# user's job, docs/ARCHITECTURE.md "Output"):
#
#   output_flood.sh BIN WRITERS [SECONDS]
#
# Starts BIN/crond privately (bench/private_conf.sh), queues one at job of
# nobody's that forks WRITERS processes, each splicing a 1 MiB file in the
# page cache into the job's output pipe (made 1 MiB) without end, waits 3 s
# for them, then prints crond's CPU over SECONDS (default 8), from
# /proc/PID/stat: "writers=N crond CPU P % of a core". Needs root (the job
# is nobody's) and python3.
set -u
[ $# -ge 2 ] || { echo "usage: output_flood.sh BIN WRITERS [SECONDS]" >&2; exit 2; }
BIN=$(cd "$1" && pwd) || exit 2
NW=$2 S=${3:-8}
W=$(mktemp -d "${TMPDIR:-/tmp}/output_flood.XXXXXX") || exit 2
chmod 0755 "$W"
. "$(dirname "$0")/private_conf.sh"
private_conf "$W" || exit 2
: >"$W/at.deny"   # everyone may use at
chmod 0644 "$W/at.deny"
p=""
trap '[ -n "$p" ] && kill "$p" 2>/dev/null; pkill -u nobody -f "$W/flood.py"; rm -rf "$W"' EXIT
"$BIN/crond" -n --config "$W/conf" 2>"$W/log" & p=$!
for _ in $(seq 1 50); do [ -S "$W/crond.sock" ] && break; sleep 0.1; done
head -c 1048576 /dev/zero | tr '\0' x >"$W/mib"
cp "$(dirname "$0")/output_flood.py" "$W/flood.py"   # nobody reads it there
chmod 0644 "$W/mib" "$W/flood.py"
(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/at" --config "$W/conf" now \
    <<<"exec python3 $W/flood.py $W/mib $NW $(( S + 10 ))") 2>/dev/null || { echo "output_flood.sh: at refused the job" >&2; exit 1; }
sleep 3
n=$(pgrep -u nobody -f "$W/flood.py" | wc -l)
[ "$n" -gt "$NW" ] || { echo "output_flood.sh: only $n writers running" >&2; exit 1; }
ticks() { awk '{ print $14 + $15 }' "/proc/$p/stat"; }
t0=$(ticks)
sleep "$S"
t1=$(ticks)
echo "writers=$NW crond CPU $(( (t1 - t0) * 100 / $(getconf CLK_TCK) / S )) % of a core"
