#!/bin/bash
# cluster_spread: three crond nodes on one PostgreSQL spool (needs
# CROND_TEST_PG; skips without it), test clocks at 10x, 30 shared entries
# every minute for about two test minutes. Every run happens exactly once,
# and in every full minute each node wins some of the runs (without the
# spread, the node that claims first wins the whole minute). A node's
# --history json names the winner of each run. The test clocks run away
# from the database's, hence max_clock_skew = 3600.
. "$ROOT/tests/whole/lib.sh"
need_crond
[ -n "${CROND_TEST_PG:-}" ] || { echo "SKIP: CROND_TEST_PG is not set (the URI of a private PostgreSQL server)"; exit 0; }
command -v psql >/dev/null || { echo "SKIP: psql is not installed"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 0; }

db=crond_whole_spread_$$
psql -q "$CROND_TEST_PG" -c "CREATE DATABASE $db" >/dev/null || fail "cannot create database $db"
uri=$(printf '%s' "$CROND_TEST_PG" | sed -E "s#^(postgres(ql)?://[^/?]*)/[^?]*#\\1/$db#")
case "$uri" in *"/$db"*) ;; *) psql -q "$CROND_TEST_PG" -c "DROP DATABASE $db"; echo "SKIP: cannot name a database in CROND_TEST_PG=$CROND_TEST_PG"; exit 0 ;; esac

PID_B=""
PID_C=""
cleanup() {
    [ -n "$PID_B" ] && { kill -TERM "$PID_B" 2>/dev/null; wait "$PID_B" 2>/dev/null; }
    [ -n "$PID_C" ] && { kill -TERM "$PID_C" 2>/dev/null; wait "$PID_C" 2>/dev/null; }
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
cluster_spread = 200
max_clock_skew = 3600
EOF
}
node_conf a
node_conf b
node_conf c
wait_sock() { local i; for i in $(seq 1 100); do [ -S "$1" ] && return 0; sleep 0.1; done; fail "no socket $1"; }
# A alone first: it makes the schema. Then the three start together, so
# that their test clocks (10x, from whole seconds) agree to a few
# milliseconds: a node started half a second late would reach each minute
# half a second late, more than the spread, and lose every claim.
"$BIN/crond" -n --config "$TEST_TMP/a/crond.conf" >>"$TEST_TMP/crond.log" 2>&1 &
CROND_PID=$!
wait_sock "$TEST_TMP/a/crond.sock"
kill -TERM "$CROND_PID"
wait "$CROND_PID"
now=$(date +%s)
epoch=$((now - now % 60 + 50))
"$BIN/crond" -n --config "$TEST_TMP/a/crond.conf" --test-clock=$epoch:10 >>"$TEST_TMP/crond.log" 2>&1 &
CROND_PID=$!
"$BIN/crond" -n --config "$TEST_TMP/b/crond.conf" --test-clock=$epoch:10 >>"$TEST_TMP/crond-b.log" 2>&1 &
PID_B=$!
"$BIN/crond" -n --config "$TEST_TMP/c/crond.conf" --test-clock=$epoch:10 >>"$TEST_TMP/crond-c.log" 2>&1 &
PID_C=$!
wait_sock "$TEST_TMP/a/crond.sock"
wait_sock "$TEST_TMP/b/crond.sock"
wait_sock "$TEST_TMP/c/crond.sock"

{ printf 'MAILTO=""\n'; for i in $(seq 1 30); do printf '* * * * * true %d\n' "$i"; done; } >"$TEST_TMP/tab"
run "$CRONTAB" --config "$TEST_TMP/a/crond.conf" "$TEST_TMP/tab"
expect_rc 0 "install through node A"

sleep 15    # about two and a half test minutes
run "$CRONTAB" --config "$TEST_TMP/b/crond.conf" --json --history 1000
expect_rc 0 "--history through node B"
cp "$OUT_FILE" "$TEST_TMP/history.json"
python3 - "$TEST_TMP/history.json" <<'PY' || fail "the runs are not spread as they should be (above)"
import json, sys, collections
runs = [r for r in json.load(open(sys.argv[1]))["runs"] if r["command"].startswith("true ") and r["state"] == "ok"]
per_run = collections.Counter((r["command"], r["scheduled_epoch"]) for r in runs)
minutes = collections.defaultdict(collections.Counter)
for r in runs:
    minutes[r["scheduled_epoch"]][r["node"]] += 1
bad = False
for k, n in per_run.items():
    if n != 1:
        print("run", k, "happened", n, "times"); bad = True
full = {t: c for t, c in minutes.items() if sum(c.values()) == 30}
total = collections.Counter()
for t, c in sorted(minutes.items()):
    print("minute", t, dict(c))
    total.update(c)
print("figure: wins per node (cluster_spread 200 ms, 3 nodes, 30 entries):", dict(sorted(total.items())))
if len(full) < 2:
    print("fewer than 2 full minutes of runs"); bad = True
for t, c in full.items():
    for n in ("node-a", "node-b", "node-c"):
        if c[n] == 0:
            print("minute", t, ": node", n, "won none of the 30 runs"); bad = True
for n in ("node-a", "node-b", "node-c"):
    if total[n] < 0.10 * sum(total.values()):
        print("node", n, "won fewer than 10% of the runs"); bad = True
sys.exit(1 if bad else 0)
PY
echo "crond_cluster_spread: ok"
