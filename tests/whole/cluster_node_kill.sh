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
# The nodes' minutes begin at t0 + 4 s, + 10 s, + 16 s, ... (each node's
# clock starts when it does, a little after t0, so never earlier). Every
# wait below is a bounded poll for what the step needs, not a sleep: on a
# busy machine a step takes longer, and only the one deadline that is
# fixed by the clocks (the second minute's, below) is checked outright.
since_t0() { awk -v t="$t0" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - t }'; }

# Each run says where it ran, leaves its pid for the cleanup, and lasts 12 s
# (two minutes of the test clock): a node killed now dies mid-run.
{ echo 'MAILTO=""'; entries $N 0 "; echo \$\$ >> $TEST_TMP/job.pids; exec sleep 12"; } >"$TEST_TMP/shared.tab"
: >"$TEST_TMP/job.pids"
chmod 0666 "$TEST_TMP/job.pids"
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install through node a"

# First minute: every entry starts once, somewhere.
lines_at_least() { [ "$(wc -l <"$out/runs")" -ge "$1" ]; }
wait_for 30 "$N runs of the first minute" lines_at_least $N

# The second node is to be killed in the middle of its claim of the second
# minute. To catch it there the test holds a lock on the claim table (what
# a slow database would do) from before that minute until the node is
# dead: both remaining nodes' claim transactions wait on it however long
# the test takes to get there (well within the spool's lock_timeout of
# 20 s). Its claim must roll back, and the survivor claim and run every
# run of that minute. The lock is taken once the first minute is claimed
# (its runs have started) and released only by the test.
mkfifo "$TEST_TMP/lock.fifo"
psql -X -q -v ON_ERROR_STOP=1 "$PGURI" <"$TEST_TMP/lock.fifo" >/dev/null 2>"$TEST_TMP/lock.err" &
lock_pid=$!
exec 7>"$TEST_TMP/lock.fifo"
echo "BEGIN; LOCK TABLE claim IN SHARE ROW EXCLUSIVE MODE;" >&7
claim_locks() {   # GRANTED: how many locks on the claim table are (t) or are not (f) granted
    pg_sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'claim' AND l.granted = $1"
}
lock_held() { [ "$(claim_locks true)" -ge 1 ]; }
wait_for 20 "the test's lock on the claim table" lock_held

# Kill the node that ran most of the first minute, mid-run (12 s runs).
victim1=$(awk '{ c[$2]++ } END { for (n in c) print c[n], n }' "$out/runs" | sort -rn | head -n 1 | cut -d' ' -f2)
held1=$(grep -c " $victim1\$" "$out/runs")
echo "figure: first minute per node: $(awk '{ c[$2]++ } END { for (n in c) printf "%s=%d ", n, c[n] }' "$out/runs")"
node_kill "$victim1"
# The one deadline: the lock held and the first victim dead before the
# second minute begins (t0 + 10 s at the earliest), else it is not that
# minute's claim the test catches. Said outright rather than left to fail
# in the checks below.
ready=$(since_t0)
echo "figure: lock held and node $victim1 killed at t0 + ${ready} s (the second minute: t0 + 10 s)"
awk -v r="$ready" 'BEGIN { exit !(r < 10) }' ||
    fail "the machine is too slow for this test: ready only at t0 + $ready s, after the second minute began"

survivors=$(printf '%s\n' a b c | grep -vx "$victim1")
victim2=$(printf '%s\n' $survivors | head -n 1)
survivor=$(printf '%s\n' $survivors | tail -n 1)
waiting_claims() { [ "$(claim_locks false)" -ge 2 ]; }
wait_for 30 "both remaining nodes waiting in their claim transactions" waiting_claims
node_kill "$victim2"
echo "COMMIT;" >&7
exec 7>&-
wait "$lock_pid" || fail "the lock on the claim table: $(cat "$TEST_TMP/lock.err")"

# Both are reaped within node_timeout (3 s) and a beat interval: the first
# by whichever node got there first (the second may have, before it died),
# the second by the survivor. A node is reaped once.
reaped() { cat "$(node_log "$survivor")" "$(node_log "$victim2")" | grep -q "NODE_LOST node $victim1:" &&
           grep -q "NODE_LOST node $victim2:" "$(node_log "$survivor")"; }
wait_for 30 "nodes $victim1 and $victim2 reported lost" reaped

# The third minute runs on the survivor alone: once all its runs have
# started (3 x N lines: the second and third minutes' all on the survivor),
# stop it mid-minute, well before the fourth.
wait_for 60 "the third minute's runs on the survivor" lines_at_least $((3 * N))
echo "figure: third minute started by t0 + $(since_t0) s (the fourth: t0 + 22 s)"
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
