#!/bin/bash
# tests/whole/cluster_exactly_once.sh: three crond nodes (a, b, c) share one
# PostgreSQL spool; root's crontab of 200 `* * * * *` entries, installed
# through node a, runs every entry exactly once per minute across the
# three, for three minutes of a test clock running 10 times as fast as real
# time (a minute lasts 6 s; 6 times, 10 s, where a fork+exec costs 4 ms or
# more: CROND_TEST_SLOWNESS, tests/run). Counted from the jobs' own output (each
# appends its entry and `whichnode`) and from the history: no run twice,
# none lost, every record ended ok. The nodes' clocks run ahead of the
# database's, so max_clock_skew is set wide here (the skew check has a
# test of its own, cluster_clock_skew).
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

N=200
SPEED=10
[ "${CROND_TEST_SLOWNESS:-1}" -lt 4 ] || SPEED=6
runs_dir
for n in a b c; do node_conf "$n" "max_clock_skew = 3600" "max_jobs = 400"; done

# 40 test seconds (4 real at 10 times) before a minute boundary: time to
# install the crontab through a and for b and c to hear of it.
epoch=$(minute_epoch_ahead 40)
t0=$(date +%s.%N)
node_start_many "--test-clock $epoch:$SPEED" a b c

shared_tab $N
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install the shared crontab through node a"
# b and c have it (LISTEN/NOTIFY) before the first boundary
for n in b c; do
    on "$n" "$CRONTAB" -l
    expect_rc 0 "crontab -l through node $n"
    [ "$(printf '%s\n' "$OUT" | grep -c '^\* \* \* \* \* echo e')" -eq $N ] ||
        fail "node $n lists $(printf '%s\n' "$OUT" | grep -c '^\* ') entries, not $N"
done

# Three boundaries: 40, 100 and 160 test seconds after t0 (at 10 times:
# t0 + 4, 10 and 16 s). Stop in the middle of the third minute (190 test
# seconds, t0 + 19 s), once its runs are all in.
lines() { [ "$(wc -l <"$out/runs")" -ge $((3 * N)) ]; }
wait_for $((190 / SPEED + 21)) "$((3 * N)) runs in three minutes" lines
stop_at=$(awk -v t="$t0" -v s="$SPEED" 'BEGIN { printf "%.3f", t + 190 / s }')
late=$(awk -v s="$stop_at" -v n="$(date +%s.%N)" 'BEGIN { print (n > s + 2) ? 1 : 0 }')
[ "$late" = 0 ] || fail "the third minute's runs took until the fourth minute: too slow to count"
sleep "$(awk -v s="$stop_at" -v n="$(date +%s.%N)" 'BEGIN { d = s - n; printf "%.3f", (d > 0 ? d : 0) }')"
for n in a b c; do node_stop "$n"; done
[ "$(wc -l <"$out/runs")" -eq $((3 * N)) ] ||
    fail "$(wc -l <"$out/runs") runs started, expected $((3 * N)) (a fourth minute began?)"

# The history, read through a node that is started again for it.
node_start a --test-clock "$(( epoch + 300 ))"
on a "$CRONTAB" --json --history 100000
expect_rc 0 "crontab --history --json"
printf '%s\n' "$OUT" >"$TEST_TMP/history.json"
node_stop a
python3 "$ROOT/tests/tools/cluster-count.py" --history "$TEST_TMP/history.json" \
    --runs "$out/runs" --entries $N --complete-minutes --min-minutes 3 --spread 1 \
    --label "200 entries x 3 minutes on 3 nodes" || fail "the runs do not count up"
echo ok
