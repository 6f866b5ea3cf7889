#!/bin/bash
# bench/cluster_claims.sh: what a cluster's claims cost (issue 13), on this
# machine, in one run.
#
#   cluster_claims.sh BIN BUILD      (bench/Makefile runs it as `make cluster_claims`)
#
#   BIN     the project's programs (crond, crontab)
#   BUILD   where cluster_claims and stamp are, and where the scratch directory
#           goes (on the disk the build is on: PostgreSQL's and SQLite's
#           fsyncs are real there, not on a tmpfs)
#   QUICK=1 fewer rounds and two latency minutes instead of eight
#   KEEP=1  keep the scratch directory
#   RESULTS=dir  write the figures there as data (DATE-cluster.dat: lines
#           FIGURE BACKEND X VALUE after "#" lines naming the machine)
#
# A private PostgreSQL (Debian's postgresql, initdb + pg_ctl as the user
# postgres, trust on a Unix socket in the scratch directory, nothing on the
# network) is started and stopped here; without one the benchmark says so
# and exits 0.
#
# The figures:
#  1 claims: bench/cluster_claims, NODES connections racing for the same runs
#    at every "minute" (a barrier), BATCH runs per spool_run_claim call (1:
#    one entry due; 100: a hundred due at once, claimed in one transaction,
#    as crond does): claims per second the spool sustains, and the p50/p99
#    of one claim call. SQLite (one node: its spool is one machine's),
#    PostgreSQL with one node and with three.
#  2 start latency: how long after its minute boundary a job starts, the
#    same figure as the single-node daemon benchmark (bench/daemon_bench.sh
#    figure 1), with LAT_N entries of root's own crontab (claimed runs:
#    /etc/crontab runs are per node and never claimed), each running
#    bench/stamp: one crond on an SQLite spool, and three crond nodes on one
#    PostgreSQL spool. Same run: the SQLite crond's entries are due at even
#    minutes, the cluster's at odd ones, so they never compete for the CPU.
#    p50, p99 and max of (stamp - boundary), in ms.
set -u
set -o pipefail

[ $# -eq 2 ] || { echo "usage: cluster_claims.sh BIN BUILD" >&2; exit 2; }
BIN=$(cd "$1" && pwd) || exit 2
BUILD=$(cd "$2" && pwd) || exit 2
QUICK=${QUICK:-0}
KEEP=${KEEP:-0}
RESULTS=${RESULTS:-}
if [ "$QUICK" = 1 ]; then
    ROUNDS1=300 ROUNDS100=30 LAT_MINUTES=2 LAT_N=20
else
    ROUNDS1=2000 ROUNDS100=200 LAT_MINUTES=8 LAT_N=20
fi
CLAIM=$BUILD/cluster_claims
STAMP=$BUILD/stamp
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

die() { echo "cluster_claims: $*" >&2; exit 1; }
for p in "$BIN/crond" "$BIN/crontab" "$CLAIM" "$STAMP"; do
    [ -x "$p" ] || die "missing $p"
done
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "cluster benchmark: skipped, PostgreSQL is not installed (apt-get install postgresql)"
    exit 0
fi

W=$(mktemp -d "$BUILD/cluster.XXXXXX") || die "cannot create a scratch directory in $BUILD"
chmod 0755 "$W"
PIDS=()
PGDIR=$W/pg
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    [ -e "$PGDIR/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1
    if [ "$KEEP" = 1 ]; then echo "cluster_claims: scratch kept in $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- PostgreSQL
mkdir -p "$PGDIR"
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >"$W/initdb.log" 2>&1 ||
    die "initdb failed (see $W/initdb.log)"
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-c listen_addresses= -c unix_socket_directories=$PGDIR -c max_connections=50" start >/dev/null ||
    die "PostgreSQL did not start (see $PGDIR/log)"
MAINT="postgresql://postgres@/postgres?host=$PGDIR"
newdb() { psql -X -q -v ON_ERROR_STOP=1 "$MAINT" -c "CREATE DATABASE $1" >/dev/null || die "CREATE DATABASE $1"; echo "postgresql://postgres@/$1?host=$PGDIR"; }

DATA=$W/results.dat
{
    echo "# crond cluster benchmark ($([ "$QUICK" = 1 ] && echo quick || echo full))"
    echo "# date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# machine nproc=$(nproc) cpu=\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)\" kernel=$(uname -r)"
    echo "# postgresql $("$PGBIN/postgres" --version | awk '{ print $3 }'), sqlite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
    echo "# load $(cut -d' ' -f1-3 /proc/loadavg) at start"
} >"$DATA"

echo "cluster benchmark ($([ "$QUICK" = 1 ] && echo "QUICK: a smoke test" || echo full))"
echo "  machine: $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "  PostgreSQL: $PGBIN, private, on $PGDIR"

# ---------------------------------------------------------------- 1 claims
claims() {   # SPOOL NODES ROUNDS BATCH
    local out
    out=$("$CLAIM" "$@") || die "cluster_claims $* failed"
    printf '%s\n' "$out" | grep -v '^data: '
    printf '%s\n' "$out" | sed -n 's/^data: //p' >>"$DATA"
}
# Every claim is a synced commit, and a sync waits for other files' data
# still being written back (what `make bench` wrote before this part): the
# claims start from a settled disk, as the at figure does
# (daemon_bench.sh).
sync
echo "claims (spool_run_claim; every node races for the same runs at each boundary):"
mkdir -m 0700 -p "$W/sqlite"
claims "$W/sqlite/claims1.db" 1 "$ROUNDS1" 1
claims "$W/sqlite/claims100.db" 1 "$ROUNDS100" 100
claims "$(newdb claims1)" 1 "$ROUNDS1" 1
claims "$(newdb claims1b)" 1 "$ROUNDS100" 100
claims "$(newdb claims3)" 3 "$ROUNDS1" 1
claims "$(newdb claims3b)" 3 "$ROUNDS100" 100

# ---------------------------------------------------------------- 2 start latency
node_conf() {   # DIR SPOOL [NODE]
    local d=$1
    mkdir -p "$d/cron.d"
    : >"$d/crontab"
    {
        echo "pidfile = $d/crond.pid"
        echo "socket = $d/crond.sock"
        echo "spool = $2"
        echo "system_crontab = $d/crontab"
        echo "system_crontab_dir = $d/cron.d"
        echo "cron_allow = $d/cron.allow"
        echo "cron_deny = $d/cron.deny"
        echo "at_allow = $d/at.allow"
        echo "at_deny = $d/at.deny"
        echo "sendmail ="
        echo "log = stderr"
        [ -n "${3:-}" ] && echo "node = $3"
        # The claim's own cost: the spread's wait (cluster_spread, by
        # design about cluster_spread/(n+1) on average) is left out.
        echo "cluster_spread = 0"
    } >"$d/conf"
}
launch() {   # DIR
    "$BIN/crond" -n --config "$1/conf" >>"$1/log" 2>&1 &
    PIDS+=($!)
    local i
    for i in $(seq 1 100); do [ -S "$1/crond.sock" ] && return 0; sleep 0.1; done
    die "crond in $1 did not start (see $1/log)"
}
tab() {   # MINUTES FILE: LAT_N entries at MINUTES, each stamping FILE
    echo 'MAILTO=""'
    local i
    for i in $(seq 1 "$LAT_N"); do echo "$1 * * * * $STAMP $2 e$i"; done
}
L=$W/lat
mkdir -p "$L"
node_conf "$L/sqlite" "$L/sqlite/spool/crond.db"
launch "$L/sqlite"
tab '*/2' "$L/sqlite.stamps" >"$L/sqlite.tab"
CROND_CONF=$L/sqlite/conf "$BIN/crontab" "$L/sqlite.tab" || die "crontab (sqlite)"
URI=$(newdb latency)
for n in n1 n2 n3; do node_conf "$L/$n" "$URI" "$n"; launch "$L/$n"; done
tab '1-59/2' "$L/pg.stamps" >"$L/pg.tab"
CROND_CONF=$L/n1/conf "$BIN/crontab" "$L/pg.tab" || die "crontab (cluster)"

S0=$(( ($(date +%s) + 10) / 60 * 60 + 60 ))
S1=$(( S0 + LAT_MINUTES * 60 ))
echo "start latency: $LAT_N entries, $LAT_MINUTES minute boundaries from $(date -u -d @"$S0" +%H:%M) UTC (SQLite at even minutes, the 3-node cluster at odd ones)..."
# stop half a minute after the last boundary: its jobs have started
sleep $(( S1 - 30 - $(date +%s) ))
for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || echo "cluster_claims: a crond died (see $L/*/log)" >&2; done
for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
PIDS=()

# The window's starts only: the crontabs are installed before S0, and a
# boundary between that and S0 (when the claims above ended early in a
# minute) once counted 100 cluster starts where 80 were due in the window.
lat_ms() {   # STAMPS: ms after the boundary, one a line, for boundaries in [S0, S1)
    awk -v s0="$S0" -v s1="$S1" '{ t = $1; b = int(t / 60) * 60
        if (b >= s0 && b < s1) printf "%.3f\n", (t - b) * 1000 }' "$1" | sort -g
}
per_minute() {   # STAMPS: "HH:MM count" for each boundary in [S0, S1)
    awk -v s0="$S0" -v s1="$S1" '{ b = int($1 / 60) * 60; if (b >= s0 && b < s1) n[b]++ }
        END { for (b in n) print b, n[b] }' "$1" | sort -n |
        while read -r b c; do printf '%s %s ' "$(date -u -d @"$b" +%H:%M)" "$c"; done
}
pctl() {   # P < sorted
    awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int(p * (NR - 1) + 0.5) + 1; print v[i] }'
}
for k in sqlite pg; do
    f=$L/$k.stamps
    [ -s "$f" ] || { echo "  $k: no job started (see $L/*/log)"; continue; }
    lat_ms "$f" >"$f.ms"
    n=$(wc -l <"$f.ms")
    p50=$(pctl 0.5 <"$f.ms") p99=$(pctl 0.99 <"$f.ms") max=$(tail -n 1 "$f.ms")
    label=$([ "$k" = sqlite ] && echo "SQLite, 1 node  " || echo "PostgreSQL, 3 nodes")
    printf '  %s: %4d job starts, ms after the minute boundary: p50 %8s  p99 %8s  max %8s\n' \
        "$label" "$n" "$p50" "$p99" "$max"
    b=$([ "$k" = sqlite ] && echo sqlite || echo postgresql)
    x=$([ "$k" = sqlite ] && echo 1 || echo 3)
    echo "start_latency_p50_ms $b ${x}x$LAT_N $p50" >>"$DATA"
    echo "start_latency_p99_ms $b ${x}x$LAT_N $p99" >>"$DATA"
    echo "start_latency_max_ms $b ${x}x$LAT_N $max" >>"$DATA"
done
expected=$(( LAT_MINUTES / 2 * LAT_N ))
for k in sqlite pg; do
    got=$(wc -l <"$L/$k.stamps.ms" 2>/dev/null || echo 0)
    [ "$got" -eq "$expected" ] ||
        echo "cluster_claims: $k: $got job starts in the window, expected $expected (per boundary: $(per_minute "$L/$k.stamps"))" >&2
done
if [ -n "$RESULTS" ]; then
    mkdir -p "$RESULTS"
    f=$RESULTS/$(date -u +%Y%m%dT%H%M%SZ)-cluster$([ "$QUICK" = 1 ] && echo -quick).dat
    cp "$DATA" "$f" && echo "data: $f"
fi
