#!/bin/bash
# tests/whole/crond_cluster_leave.sh: a node stopped cleanly leaves the
# cluster. Three crond nodes on one PostgreSQL spool with node_timeout = 2:
# B is stopped with SIGTERM (it says NODE_LEAVE, its heartbeat row goes),
# C is killed with SIGKILL. After more than node_timeout, A has taken C for
# lost (NODE_LOST node node-c) and says nothing of B. Needs CROND_TEST_PG
# (tests/run starts a private server); skipped without it.
. "$ROOT/tests/whole/lib.sh"
need_crond
[ -n "${CROND_TEST_PG:-}" ] || { echo "SKIP: CROND_TEST_PG is not set (the URI of a private PostgreSQL server)"; exit 0; }
command -v psql >/dev/null || { echo "SKIP: psql is not installed"; exit 0; }

db=crond_whole_leave_$$
psql -q "$CROND_TEST_PG" -c "CREATE DATABASE $db" >/dev/null || fail "cannot create database $db"
uri=$(printf '%s' "$CROND_TEST_PG" | sed -E "s#^(postgres(ql)?://[^/?]*)/[^?]*#\\1/$db#")
case "$uri" in *"/$db"*) ;; *) psql -q "$CROND_TEST_PG" -c "DROP DATABASE $db"; echo "SKIP: cannot name a database in CROND_TEST_PG=$CROND_TEST_PG"; exit 0 ;; esac

PID_B=""
PID_C=""
cleanup() {
    [ -n "$PID_B" ] && { kill -TERM "$PID_B" 2>/dev/null; wait "$PID_B" 2>/dev/null; }
    [ -n "$PID_C" ] && { kill -KILL "$PID_C" 2>/dev/null; wait "$PID_C" 2>/dev/null; }
    cleanup_crond
    psql -q "$CROND_TEST_PG" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

node_conf() {   # NAME: a private configuration in $TEST_TMP/NAME on the shared spool
    local d=$TEST_TMP/$1
    mkdir -p "$d/cron.d"
    : >"$d/crontab"
    cat >"$d/crond.conf" <<EOF
pidfile = $d/crond.pid
socket = $d/crond.sock
spool = $uri
system_crontab = $d/crontab
system_crontab_dir = $d/cron.d
cron_allow = $d/cron.allow
cron_deny = $d/cron.deny
at_allow = $d/at.allow
at_deny = $d/at.deny
sendmail =
log = stderr
node = node-$1
node_timeout = 2
EOF
}
wait_sock() { local i; for i in $(seq 1 100); do [ -S "$1" ] && return 0; sleep 0.1; done; fail "no socket $1"; }
beats() { psql -X -At -d "$uri" -c "SELECT string_agg(name, ' ' ORDER BY name) FROM node"; }
node_conf a
node_conf b
node_conf c
# A first: it makes the schema.
"$BIN/crond" -n --config "$TEST_TMP/a/crond.conf" >>"$TEST_TMP/crond.log" 2>&1 &
CROND_PID=$!
wait_sock "$TEST_TMP/a/crond.sock"
"$BIN/crond" -n --config "$TEST_TMP/b/crond.conf" >>"$TEST_TMP/crond-b.log" 2>&1 &
PID_B=$!
wait_sock "$TEST_TMP/b/crond.sock"
"$BIN/crond" -n --config "$TEST_TMP/c/crond.conf" >>"$TEST_TMP/crond-c.log" 2>&1 &
PID_C=$!
wait_sock "$TEST_TMP/c/crond.sock"
[ "$(beats)" = "node-a node-b node-c" ] || fail "the three nodes do not beat: $(beats)"

kill -TERM "$PID_B"
rc=0
wait "$PID_B" || rc=$?
PID_B=""
[ "$rc" -eq 0 ] || fail "node B exited with status $rc after SIGTERM"
grep -q "(crond) NODE_LEAVE (node node-b left the cluster)" "$TEST_TMP/crond-b.log" ||
    fail "node B did not say NODE_LEAVE: $(tail -n 5 "$TEST_TMP/crond-b.log")"
kill -KILL "$PID_C"
wait "$PID_C" 2>/dev/null
PID_C=""

# node_timeout 2 s, a heartbeat (and reap) every second: C is lost within
# about 3 s.
for _ in $(seq 1 80); do
    grep -q "NODE_LOST node node-c" "$TEST_TMP/crond.log" && break
    sleep 0.1
done
grep -q "(crond) NODE_LOST node node-c: its running jobs recorded interrupted" "$TEST_TMP/crond.log" ||
    fail "node A did not take the killed node C for lost: $(tail -n 5 "$TEST_TMP/crond.log")"
sleep 1
grep -q "NODE_LOST node node-b" "$TEST_TMP/crond.log" &&
    fail "node A took node B, stopped cleanly, for lost: $(grep NODE_LOST "$TEST_TMP/crond.log")"
[ "$(beats)" = "node-a" ] || fail "heartbeat rows left: $(beats)"
stop_crond
echo "crond_cluster_leave: ok"
