#!/bin/bash
# tests/whole/cluster_load_minutes.sh (slow: only with tests/run --load,
# i.e. make cluster-test): three crond nodes on real clocks (no test clock,
# the default max_clock_skew of 2 s) share one PostgreSQL spool; root's
# crontab of 200 `* * * * *` entries, installed through node a, runs for
# three real minute boundaries. Every (entry, minute) exactly once across
# the three nodes, counted from the jobs' own output and from the history,
# and the runs are spread over the nodes (each node ran some).
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

N=200
MINUTES=3
runs_dir
for n in a b c; do node_conf "$n" "max_jobs = 400"; done
# Start at least 10 s before a boundary, so that every node has the crontab
# before the first one.
while [ $(( $(date +%s) % 60 )) -gt 45 ]; do sleep 1; done
node_start_many "" a b c
shared_tab $N
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install through node a"
first=$(( ($(date +%s) / 60 + 1) * 60 ))
[ $(( first - $(date +%s) )) -ge 5 ] || fail "too close to a minute boundary to start cleanly"
for n in b c; do
    on "$n" "$CRONTAB" -l
    [ "$(printf '%s\n' "$OUT" | grep -c '^\* \* \* \* \* echo e')" -eq $N ] || fail "node $n does not list the crontab"
done

# Three boundaries; stop 30 s after the last.
stop_at=$(( first + (MINUTES - 1) * 60 + 30 ))
sleep $(( stop_at - $(date +%s) ))
for n in a b c; do node_stop "$n"; done
[ "$(wc -l <"$out/runs")" -eq $((MINUTES * N)) ] ||
    fail "$(wc -l <"$out/runs") runs started in $MINUTES minutes, expected $((MINUTES * N))"

node_start a
on a "$CRONTAB" --json --history 100000
expect_rc 0 "crontab --history --json"
printf '%s\n' "$OUT" >"$TEST_TMP/history.json"
node_stop a
python3 "$ROOT/tests/tools/cluster-count.py" --history "$TEST_TMP/history.json" \
    --runs "$out/runs" --entries $N --complete-minutes --min-minutes $MINUTES --spread 3 \
    --label "200 entries x $MINUTES real minutes on 3 nodes" || fail "the runs do not count up"
echo ok
