#!/bin/bash
# Two crond nodes on one PostgreSQL spool (needs CROND_TEST_PG, the URI of
# a private server where the test may create a database; skips without
# it). Both run on test clocks at 10x, two seconds before a minute. A
# crontab installed through node A is listed through node B; each run of
# a shared entry happens once, on one node (claimed), while a CRON_NODES=all
# entry runs on both; crontab --history names the nodes; a removal through
# B stops the runs on A too. A third node, C, runs two hours behind
# (max_clock_skew = 3600): it says CLOCK_SKEW, claims nothing and records
# its shared runs skipped,clock-skew.
. "$ROOT/tests/whole/lib.sh"
need_crond
[ -n "${CROND_TEST_PG:-}" ] || { echo "SKIP: CROND_TEST_PG is not set (the URI of a private PostgreSQL server)"; exit 0; }
command -v psql >/dev/null || { echo "SKIP: psql is not installed"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 0; }

db=crond_whole_cluster_$$
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
max_clock_skew = 3600
EOF
}
node_conf a
node_conf b
node_conf c
now=$(date +%s)
epoch=$((now - now % 60 + 58))
wait_sock() { local i; for i in $(seq 1 100); do [ -S "$1" ] && return 0; sleep 0.1; done; fail "no socket $1"; }
# A first: it makes the schema.
"$BIN/crond" -n --config "$TEST_TMP/a/crond.conf" --test-clock=$epoch:10 >>"$TEST_TMP/crond.log" 2>&1 &
CROND_PID=$!
wait_sock "$TEST_TMP/a/crond.sock"
"$BIN/crond" -n --config "$TEST_TMP/b/crond.conf" --test-clock=$epoch:10 >>"$TEST_TMP/crond-b.log" 2>&1 &
PID_B=$!
wait_sock "$TEST_TMP/b/crond.sock"
"$BIN/crond" -n -d --config "$TEST_TMP/c/crond.conf" --test-clock=$((epoch - 7200)):10 \
    >>"$TEST_TMP/crond-c.log" 2>&1 &
PID_C=$!
wait_sock "$TEST_TMP/c/crond.sock"
grep -q "(crond) CLOCK_SKEW node node-c differs from the database by -7[0-9]* ms, more than max_clock_skew 3600s: claiming nothing" \
    "$TEST_TMP/crond-c.log" || fail "node C did not say CLOCK_SKEW: $(cat "$TEST_TMP/crond-c.log")"

A=$TEST_TMP/a/crond.conf
B=$TEST_TMP/b/crond.conf
printf 'MAILTO=""\n* * * * * echo shared\nCRON_NODES=all\n* * * * * echo everywhere\n' >"$TEST_TMP/tab"
run "$CRONTAB" --config "$A" "$TEST_TMP/tab"
expect_rc 0 "install through node A"
run "$CRONTAB" --config "$B" -l
expect_rc 0 "list through node B"
expect_same_file "$TEST_TMP/tab" "$OUT_FILE" "crontab -l through node B"

# About 3 test minutes.
sleep 19
run "$CRONTAB" --config "$B" --json --history 100
expect_rc 0 "--history through node B"
cp "$OUT_FILE" "$TEST_TMP/history.json"
python3 - "$TEST_TMP/history.json" <<'PY' || fail "the runs are not as they should be (above)"
import json, sys, collections
runs = json.load(open(sys.argv[1]))["runs"]
done = [r for r in runs if r["state"] == "ok" and r["node"] != "node-c"]
skewed = [r for r in runs if "clock-skew" in r["flags"]]
shared = collections.Counter(r["scheduled_epoch"] for r in done if r["command"] == "echo shared")
every = collections.defaultdict(set)
for r in done:
    if r["command"] == "echo everywhere":
        every[r["scheduled_epoch"]].add(r["node"])
bad = False
if len(shared) < 2:
    print("fewer than 2 minutes of shared runs:", dict(shared)); bad = True
for t, n in shared.items():
    if n != 1:
        print("the shared run of", t, "ran", n, "times"); bad = True
if not any(len(v) == 2 for v in every.values()):
    print("no minute where both nodes ran the CRON_NODES=all entry:", dict(every)); bad = True
if not skewed or any(r["node"] != "node-c" or r["command"] != "echo shared" or
                     "skipped" not in r["flags"] for r in skewed):
    print("node C's refused runs:", skewed); bad = True
if any(r["node"] not in ("node-a", "node-b") for r in done):
    print("a run without its node:", [r for r in done if r["node"] not in ("node-a", "node-b")]); bad = True
sys.exit(1 if bad else 0)
PY
run "$CRONTAB" --config "$B" --history 5
case "$(printf '%s\n' "$OUT" | head -n 1)" in *NODE*) ;; *) fail "no NODE column: $OUT" ;; esac

# Removed through B: A stops running it as well.
run "$CRONTAB" --config "$B" -r
expect_rc 0 "remove through node B"
sleep 0.5
before=$(grep -c 'CMD' "$TEST_TMP/crond.log")
sleep 8    # more than a test minute
after=$(grep -c 'CMD' "$TEST_TMP/crond.log")
[ "$before" -eq "$after" ] || fail "node A still ran jobs after the removal through node B"
echo "crond_cluster_pg: ok"
