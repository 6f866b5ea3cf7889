#!/bin/bash
# tests/whole/cluster_claim_stall.sh: a claimer that stalls inside its
# claim transaction (a node frozen or cut off between its INSERT and its
# COMMIT) holds the rows of the runs it claims. Another node must neither
# lose those runs nor stop starting its other jobs meanwhile.
#
# Fault (from the cluster review): the node's claim waited for the lock
# 20 s (lock_timeout) with its supervisor held, so its own system jobs
# waited too, and then dropped the runs ("SKIP (not run: spool
# unreachable: ... lock timeout)"), the retry budget being 20 s as well:
# a stall of 25 s lost every run. Here psql holds, for 25 s, uncommitted
# claims of the next minutes' runs of node a's five entries, then rolls
# them back. Pass: each of those runs starts once (late), the log says
# "CLAIM (not claimed yet, trying again in ...", and a's system job ran
# every test minute meanwhile (its supervisor was never held for long).
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

N=5
SPEED=10   # a test minute lasts 6 s
runs_dir
node_conf a "cluster_spread = 0" "max_clock_skew = 3600"
printf '* * * * * root date +\\%%s.\\%%N >> %s/sys\n' "$out" >"$TEST_TMP/a/cron.d/sys"
chmod 0644 "$TEST_TMP/a/cron.d/sys"
epoch=$(minute_epoch_ahead 40)
t0=$(date +%s.%N)
node_start_many "--test-clock $epoch:$SPEED" a
shared_tab $N
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install through a"
on a "$CRONTAB" --status --json
keys=$(printf '%s' "$OUT" | python3 -c '
import json, sys
print(" ".join(e["key"] for c in json.load(sys.stdin)["crontabs"] for e in c["entries"]))')
[ "$(echo "$keys" | wc -w)" = "$N" ] || fail "entry keys: '$keys'"
# the next whole test minute, and the four after it
test_now=$(awk -v e="$epoch" -v t="$t0" -v n="$(date +%s.%N)" -v s=$SPEED \
    'BEGIN { printf "%d", e + (n - t) * s }')
first=$(( (test_now / 60 + 1) * 60 ))
values=""
for k in $keys; do
    for m in 0 1 2 3 4; do
        values="$values${values:+,}(convert_to('$k', 'UTF8'), $(( (first + 60 * m) * 1000 )), 'staller', 0)"
    done
done
psql -X -q -v ON_ERROR_STOP=1 "$PGURI" >"$TEST_TMP/staller.out" 2>&1 <<SQL &
BEGIN;
INSERT INTO claim (entry_key, scheduled_ms, node, run_id) VALUES $values;
SELECT pg_sleep(25);
ROLLBACK;
SQL
staller=$!
echo "$staller" >>"$TEST_TMP/job.pids"
: >"$out/sys"
wait "$staller" || fail "the stalling transaction failed: $(cat "$TEST_TMP/staller.out")"
sys_runs=$(wc -l <"$out/sys")
# 25 s are four test minutes at least: a's system job ran in each
[ "$sys_runs" -ge 3 ] || fail "a's system job ran $sys_runs times in the 25 s the claims were held"
grep -q "CLAIM (not claimed yet, trying again in" "$TEST_TMP/a/crond.log" ||
    fail "no CLAIM line: the claims were never held"
# The held minutes' runs, late: one record of each entry in each of them,
# a run, or skipped as coalesced when two runs of an entry were let go at
# once (the second waited behind the first: cron's rule)
held_ran() {
    local n
    n=$(pg_sql "SELECT count(*) FROM run WHERE kind = 'cron' AND flags & 64 = 0
                AND scheduled_ms BETWEEN $((first * 1000)) AND $(( (first + 240) * 1000 ))")
    [ "$n" -ge $((N * 5)) ]
}
wait_for 60 "the held minutes' $((N * 5)) runs" held_ran
dups=$(pg_sql "SELECT entry_key, scheduled_ms, count(*) FROM run WHERE kind = 'cron'
               GROUP BY 1, 2 HAVING count(*) > 1")
[ -z "$dups" ] || fail "runs with more than one record: $dups"
# 1: SPOOL_RUN_SKIPPED, 64: running
for i in $(seq 0 $((N - 1))); do
    recs=$(pg_sql "SELECT count(*) FROM run WHERE kind = 'cron' AND flags & 65 = 0
                   AND convert_from(command, 'UTF8') LIKE 'echo e$i %'")
    ran=$(grep -c "^e$i " "$out/runs")
    [ "$ran" -ge "$recs" ] || fail "e$i: $recs records of runs, $ran runs"
done
skipped=$(pg_sql "SELECT count(*) FROM run WHERE kind = 'cron' AND flags & 1 <> 0
                  AND scheduled_ms BETWEEN $((first * 1000)) AND $(( (first + 240) * 1000 ))")
echo "figure: claims of 5 minutes held 25 s: all $((N * 5)) runs recorded once, late ($skipped coalesced); a's system job ran $sys_runs times meanwhile"
node_stop a
