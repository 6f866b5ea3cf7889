# tests/tools/cluster-lib.sh: helpers for the cluster tests
# (tests/whole/cluster_*.sh); source it after tests/whole/lib.sh.
#
# A cluster test runs several crond nodes on this machine, all sharing one
# PostgreSQL database as their spool: a fresh database per test, made on the
# server the test runner started (CROND_TEST_PG, its maintenance URI) and
# dropped at exit. Each node N lives in $TEST_TMP/N: its own configuration,
# socket, pidfile, system crontabs, log (N/crond.log) and PATH directory
# N/bin, which holds `whichnode` (prints N): a job that runs
# `whichnode` tells on which node it ran, with no help from crond.
#
#   need_pg                      skip the test (exit 0) when CROND_TEST_PG is unset,
#                                or psql or python3 (the tests' checks) is missing
#   pg_newdb                     a fresh, empty database; its URI in $PGURI
#                                (the nodes started together make the schema)
#   cluster_test                 need_crond, need_pg, pg_newdb: how a cluster
#                                test begins
#   pg_sql SQL                   psql -At on $PGURI (for cross-checks only)
#   node_conf N [LINE...]        N/crond.conf (node = N, spool = $PGURI), plus LINEs
#   node_start N [ARG...]        crond -n --config N/crond.conf ARG... in the
#                                background; waits for its socket
#   node_start_many "ARGS" N...  starts the nodes at once (the same ARGS), then
#                                waits for every socket: test clocks given the
#                                same EPOCH then read alike to within the
#                                launch spread
#   node_stop N                  SIGTERM, wait, expect exit status 0
#   node_kill N                  SIGKILL (the node's jobs are left running)
#   on N CMD...                  run (lib.sh) CMD as a client of node N
#   node_log N                   path of N's log
#   (wait_for SECONDS WHAT CMD... is lib.sh's)
#   minute_epoch_ahead S         an EPOCH for --test-clock: S seconds before the
#                                next whole minute of the real clock
#   at_t T                       sleep until T seconds after $t0 (the test's
#                                date +%s.%N at its start); at once if past
#   runs_dir                     $out: a directory every job may write in,
#                                with an empty $out/runs every job may append to
#   entries N [FROM] [TAIL]      N crontab lines "* * * * * echo eI $(whichnode)
#                                >> $out/runs" (I from FROM, default 0), each
#                                followed by TAIL
#   shared_tab N                 $TEST_TMP/shared.tab: MAILTO="" and entries N
#
# At exit every node still running is stopped (SIGKILL if it must), every
# job a test recorded in $TEST_TMP/job.pids is killed, and the database is
# dropped.

: "${TEST_TMP:?}"
declare -A NODE_PID=()
PGURI=""
PGDB=""

need_pg() {
    local c
    [ -n "${CROND_TEST_PG:-}" ] || {
        echo "SKIP: PostgreSQL not available (CROND_TEST_PG is unset; tests/run starts one when it can)"
        exit 0
    }
    for c in psql python3; do
        command -v "$c" >/dev/null || { echo "SKIP: $c is not installed"; exit 0; }
    done
}

cluster_fail_logs() {
    local n
    for n in "${!NODE_PID[@]}"; do
        if [ -s "$TEST_TMP/$n/crond.log" ]; then
            echo "--- node $n log (last 25 lines)" >&2
            tail -n 25 "$TEST_TMP/$n/crond.log" >&2
        fi
    done
}

# lib.sh's fail prints $TEST_TMP/crond.log; a cluster test has one per node.
fail() {
    echo "FAIL: $*" >&2
    cluster_fail_logs
    exit 1
}

# pg_uri_for DB: the maintenance URI with its database replaced by DB
pg_uri_for() {
    local base=${CROND_TEST_PG%%\?*} query=""
    case $CROND_TEST_PG in *\?*) query="?${CROND_TEST_PG#*\?}" ;; esac
    printf '%s/%s%s\n' "${base%/*}" "$1" "$query"
}

pg_newdb() {
    PGDB="crond_test_$(basename "$TEST_TMP" | tr -c 'a-zA-Z0-9_\n' '_' | tr 'A-Z' 'a-z')"
    psql -X -q -v ON_ERROR_STOP=1 "$CROND_TEST_PG" -c "CREATE DATABASE $PGDB" >/dev/null 2>"$TEST_TMP/.psql.err" ||
        fail "cannot create database $PGDB on $CROND_TEST_PG: $(cat "$TEST_TMP/.psql.err")"
    PGURI=$(pg_uri_for "$PGDB")
}

cluster_test() {
    need_crond
    need_pg
    pg_newdb
}

pg_sql() { psql -X -At -v ON_ERROR_STOP=1 "$PGURI" -c "$1"; }

node_conf() {
    local n=$1 d=$TEST_TMP/$1 line
    shift
    mkdir -p "$d/cron.d" "$d/bin"
    chmod 0755 "$d" "$d/bin"
    printf '#!/bin/sh\necho %s\n' "$n" >"$d/bin/whichnode"
    chmod 0755 "$d/bin/whichnode"
    : >"$d/crontab"
    {
        echo "node = $n"
        echo "pidfile = $d/crond.pid"
        echo "socket = $d/crond.sock"
        echo "spool = $PGURI"
        echo "system_crontab = $d/crontab"
        echo "system_crontab_dir = $d/cron.d"
        echo "cron_allow = $TEST_TMP/cron.allow"
        echo "cron_deny = $TEST_TMP/cron.deny"
        echo "at_allow = $TEST_TMP/at.allow"
        echo "at_deny = $TEST_TMP/at.deny"
        echo "sendmail ="
        echo "path = $d/bin:/usr/bin:/bin"
        echo "log = stderr"
        for line in "$@"; do echo "$line"; done
    } >"$d/crond.conf"
    chmod 0644 "$d/crond.conf"
}

node_log() { echo "$TEST_TMP/$1/crond.log"; }

node_launch() {   # N ARG...: start, no wait
    local n=$1
    shift
    have_crond || fail "no crond in $BIN"
    "$BIN/crond" -n --config "$TEST_TMP/$n/crond.conf" "$@" >>"$TEST_TMP/$n/crond.log" 2>&1 &
    NODE_PID[$n]=$!
}

node_wait_socket() {
    local n=$1 i
    for i in $(seq 1 150); do
        [ -S "$TEST_TMP/$n/crond.sock" ] && return 0
        kill -0 "${NODE_PID[$n]}" 2>/dev/null || { NODE_PID[$n]=""; fail "node $n exited at start"; }
        sleep 0.1
    done
    fail "node $n did not open its socket within 15 s"
}

node_start() {
    local n=$1
    shift
    node_launch "$n" "$@"
    node_wait_socket "$n"
}

node_start_many() {
    local args=$1 n
    shift
    # shellcheck disable=SC2086
    for n in "$@"; do node_launch "$n" $args; done
    for n in "$@"; do node_wait_socket "$n"; done
}

node_stop() {
    local n=$1 pid=${NODE_PID[$1]:-} rc=0
    [ -n "$pid" ] || return 0
    NODE_PID[$n]=""
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" || rc=$?
    [ "$rc" -eq 0 ] || fail "node $n exited with status $rc after SIGTERM"
}

node_kill() {
    local n=$1 pid=${NODE_PID[$1]:-}
    [ -n "$pid" ] || fail "node $n is not running"
    NODE_PID[$n]=""
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    rm -f "$TEST_TMP/$n/crond.sock"
}

on() {
    local n=$1
    shift
    CROND_CONF=$TEST_TMP/$n/crond.conf
    export CROND_CONF
    run "$@"
    CROND_CONF=$CONF
    export CROND_CONF
}

minute_epoch_ahead() {
    local now
    now=$(date +%s)
    echo $(( (now / 60 + 1) * 60 - $1 ))
}

at_t() {
    sleep "$(awk -v t="$t0" -v d="$1" -v n="$(date +%s.%N)" 'BEGIN { s = t + d - n; printf "%.3f", (s > 0 ? s : 0) }')"
}

runs_dir() {
    out=$TEST_TMP/out
    mkdir -m 0777 "$out"
    : >"$out/runs"
    chmod 0666 "$out/runs"
}

entries() {
    local n=$1 from=${2:-0} tail=${3:-} i
    for i in $(seq "$from" $((from + n - 1))); do
        echo "* * * * * echo e$i \$(whichnode) >> $out/runs$tail"
    done
}

shared_tab() {
    { echo 'MAILTO=""'; entries "$1"; } >"$TEST_TMP/shared.tab"
}

# tests/tools/pg-cut-proxy in front of the test's server: its socket in
# $TEST_TMP/px, armed through $TEST_TMP/px.control, its cuts logged in
# $TEST_TMP/px.log (the proxy's usage says how).
start_cut_proxy() {
    mkdir -p "$TEST_TMP/px"
    : >"$TEST_TMP/px.control"
    : >"$TEST_TMP/px.log"
    "$ROOT/tests/tools/pg-cut-proxy" "$TEST_TMP/px" "${CROND_TEST_PG##*host=}" \
        "$TEST_TMP/px.control" "$TEST_TMP/px.log" 2>"$TEST_TMP/px.err" &
    echo $! >>"$TEST_TMP/job.pids"
    wait_for 10 "the proxy's socket" test -S "$TEST_TMP/px/.s.PGSQL.5432"
}

through_cut_proxy() {   # N: node N reaches the server through the proxy
    sed -i "s|^spool = .*|spool = ${PGURI%%\?*}?host=$TEST_TMP/px|" "$TEST_TMP/$1/crond.conf"
}

cluster_cleanup() {
    local n pid
    for n in "${!NODE_PID[@]}"; do
        pid=${NODE_PID[$n]}
        [ -n "$pid" ] && end_pid "$pid"
    done
    if [ -s "$TEST_TMP/job.pids" ]; then
        while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$TEST_TMP/job.pids"
    fi
    if [ -n "$PGDB" ]; then
        psql -X -q "$CROND_TEST_PG" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1
    fi
}
trap 'cluster_cleanup; cleanup_crond' EXIT
