#!/bin/bash
# tests/whole/cluster_node_kill.sh: kill -9 of a node mid-run, and of
# another in the middle of its claim transaction, in a three-node cluster
# on one PostgreSQL spool. The survivor records the dead nodes' runs as
# interrupted (node lost) once their heartbeats are older than node_timeout
# (3 s here), and NODE_LOST in its log; no run starts twice, none is lost:
# every (entry, minute) has exactly one record, run by a survivor or
# recorded as the dead node's, and the jobs' own output agrees. The test
# clock runs 10 times as fast as real time (a minute lasts 6 s).
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

N=60
SPEED=10
runs_dir
for n in a b c; do
    node_conf "$n" "max_clock_skew = 3600" "node_timeout = 3" "max_jobs = 400" "stop_grace = 1"
done
epoch=$(minute_epoch_ahead 40)
t0=$(date +%s.%N)
node_start_many "--test-clock $epoch:$SPEED" a b c
# at(T): sleep until t0 + T seconds

# Each run says where it ran, leaves its pid for the cleanup, and lasts 12 s
# (two minutes of the test clock): a node killed now dies mid-run.
{ echo 'MAILTO=""'; entries $N 0 "; echo \$\$ >> $TEST_TMP/job.pids; exec sleep 12"; } >"$TEST_TMP/shared.tab"
: >"$TEST_TMP/job.pids"
chmod 0666 "$TEST_TMP/job.pids"
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install through node a"

# First minute (t0 + 4 s): every entry starts once, somewhere.
lines_at_least() { [ "$(wc -l <"$out/runs")" -ge "$1" ]; }
wait_for 20 "$N runs of the first minute" lines_at_least $N
at_t 6
# Kill the node that ran most of them, mid-run (12 s runs, 2 s in).
victim1=$(awk '{ c[$2]++ } END { for (n in c) print c[n], n }' "$out/runs" | sort -rn | head -n 1 | cut -d' ' -f2)
held1=$(grep -c " $victim1\$" "$out/runs")
echo "figure: first minute per node: $(awk '{ c[$2]++ } END { for (n in c) printf "%s=%d ", n, c[n] }' "$out/runs")"
node_kill "$victim1"

# Second boundary at t0 + 10 s: kill a second node in the middle of its
# claim. To catch it there, the test holds a lock on the claim table from
# t0 + 9.5 s to + 12.5 s (what a slow database would do): both remaining
# nodes' claim transactions wait on it, and the second node is killed
# while its transaction is open. Its claim must roll back, and the
# survivor claim and run every run of that minute.
survivors=$(printf '%s\n' a b c | grep -vx "$victim1")
victim2=$(printf '%s\n' $survivors | head -n 1)
survivor=$(printf '%s\n' $survivors | tail -n 1)
at_t 9.5
psql -X -q "$PGURI" -c "BEGIN; LOCK TABLE claim IN SHARE ROW EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;" \
    >/dev/null 2>"$TEST_TMP/lock.err" &
lock_pid=$!
waiting_claims() {
    [ "$(pg_sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                 WHERE c.relname = 'claim' AND NOT l.granted")" -ge 2 ]
}
wait_for 3 "both remaining nodes waiting in their claim transactions" waiting_claims
node_kill "$victim2"
wait "$lock_pid" || fail "the lock on the claim table: $(cat "$TEST_TMP/lock.err")"

# Both are reaped within node_timeout (3 s) and a beat interval: the first
# by whichever node got there first (the second may have, before it died),
# the second by the survivor. A node is reaped once.
reaped() { cat "$(node_log "$survivor")" "$(node_log "$victim2")" | grep -q "NODE_LOST node $victim1:" &&
           grep -q "NODE_LOST node $victim2:" "$(node_log "$survivor")"; }
wait_for 20 "nodes $victim1 and $victim2 reported lost" reaped

# The third minute (t0 + 16 s) runs on the survivor alone; stop it mid-minute.
at_t 19
node_stop "$survivor"

node_start "$survivor" --test-clock "$(( epoch + 300 ))"
on "$survivor" "$CRONTAB" --json --history 100000
expect_rc 0 "crontab --history --json"
printf '%s\n' "$OUT" >"$TEST_TMP/history.json"
on "$survivor" "$CRONTAB" --history 100000
printf '%s\n' "$OUT" >"$TEST_TMP/history.txt"
node_stop "$survivor"

# Every (entry, minute) once: run by a survivor, or the dead nodes' records
# cut off: interrupted, flagged node-lost.
python3 "$ROOT/tests/tools/cluster-count.py" --history "$TEST_TMP/history.json" \
    --runs "$out/runs" --entries $N --complete-minutes --min-minutes 3 \
    --allow ok,interrupted,failed --label "kill -9 of two nodes" || fail "the runs do not count up"
# Every run the first victim held is recorded lost, on its node.
lost1=$(grep -c "node-lost" "$TEST_TMP/history.txt")
[ "$lost1" -ge "$held1" ] || fail "$held1 runs were going on node $victim1, only $lost1 recorded node-lost"
python3 - "$TEST_TMP/history.json" "$victim1" "$victim2" "$held1" <<'EOF' || fail "node-lost records"
import json, sys
h = json.load(open(sys.argv[1]))
v1, v2, held1 = sys.argv[2], sys.argv[3], int(sys.argv[4])
lost = [r for r in h["runs"] if "node-lost" in (r.get("flags") or [])]
bad = [r for r in lost if r.get("node") not in (v1, v2) or r.get("state") != "interrupted"]
if bad:
    sys.exit("node-lost records not of a dead node or not interrupted: %s" % bad[:3])
n1 = sum(1 for r in lost if r.get("node") == v1)
if n1 != held1:
    sys.exit("node %s held %d runs, %d recorded lost" % (v1, held1, n1))
print("figure: recorded interrupted (node lost): %s=%d %s=%d" % (v1, n1, v2, len(lost) - n1))
EOF
# The minute whose claim was cut: every run on the survivor, none on the
# node killed in its claim transaction.
python3 - "$TEST_TMP/history.json" "$survivor" <<'EOF' || fail "the minute of the cut claim"
import json, sys
h = json.load(open(sys.argv[1]))
surv = sys.argv[2]
minutes = sorted({r["scheduled_epoch"] for r in h["runs"]})
m2 = [r for r in h["runs"] if r["scheduled_epoch"] == minutes[1]]
where = sorted({r.get("node") for r in m2})
if where != [surv]:
    sys.exit("the second minute's runs were recorded on %s, expected only %s" % (where, surv))
print("figure: the claim cut by kill -9 rolled back: the second minute's %d runs all on %s" % (len(m2), surv))
EOF
echo ok
