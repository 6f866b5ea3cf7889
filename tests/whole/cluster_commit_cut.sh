#!/bin/bash
# tests/whole/cluster_commit_cut.sh: commits whose answer is lost. Node b
# reaches PostgreSQL through tests/tools/pg-cut-proxy, which forwards a
# COMMIT and then closes b's connection before the answer comes back: the
# server has committed, and b does not know it.
#
# Fault (from the cluster review): b's claims whose commit was cut were
# taken for failed, so the runs never ran anywhere (their claim rows kept
# the other node out) and their records read "running on b" until b
# stopped; an end whose commit was cut was written again at every retry,
# one record more each time; an at job whose claim was cut stayed claimed
# by b and never ran, also when b could not reach the server for a while
# after the cut. Pass, with 2 claim commits, 2 end commits and two at
# jobs' claims cut: every (entry, minute) has one record and one run of the
# job (its own output line), no record is left running or taken for a lost
# node, and each at job runs once and is gone from atq. An at submission
# whose commit is cut says it may have been made (it was).
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

N=10
SPEED=10   # a test minute lasts 6 s
runs_dir
start_cut_proxy
# b claims every run first (a waits up to 5 s of spread, b not at all)
node_conf a "cluster_spread = 5000" "max_clock_skew = 3600" "node_timeout = 5"
node_conf b "cluster_spread = 0" "max_clock_skew = 3600" "node_timeout = 5"
through_cut_proxy b
epoch=$(minute_epoch_ahead 40)
node_start_many "--test-clock $epoch:$SPEED" a b
shared_tab $N
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install through a"
printf '%s\n' "INSERT INTO claim 2" "UPDATE run SET end_ms 2" >"$TEST_TMP/px.control"
# three whole minutes of runs (the first begins 4 s after the start)
cuts() { grep -c "^CUT $1" "$TEST_TMP/px.log"; }
wait_for 60 "two claim commits and two end commits cut" \
    bash -c "[ \$(grep -c '^CUT INSERT INTO claim' '$TEST_TMP/px.log') -ge 2 ] &&
             [ \$(grep -c '^CUT UPDATE run SET end_ms' '$TEST_TMP/px.log') -ge 2 ]"
sleep 13   # two more minutes, so that the kept ends are written again
node_stop a

# An at job through b, due at once, whose claim's commit is cut
echo "UPDATE at_job SET state = 'running' 1" >"$TEST_TMP/px.control"
echo "echo at-job \$(date +%s%N) >> $out/at" >"$TEST_TMP/atjob"
on b "$BIN/at" -f "$TEST_TMP/atjob" now
expect_rc 0 "at now through b"
wait_for 20 "the at job's claim cut" grep -q "^CUT UPDATE at_job" "$TEST_TMP/px.log"
wait_for 90 "the at job's run" test -s "$out/at"
atq_empty() { on b "$BIN/atq"; [ "$RC" -eq 0 ] && [ -z "$OUT" ]; }
wait_for 20 "atq through b empty" atq_empty
sleep 1
[ "$(wc -l <"$out/at")" = 1 ] || fail "the at job ran $(wc -l <"$out/at") times"

# Another whose claim's commit is cut, b then out of reach of the server
# for 8 s, so its look at once cannot answer and the claim, tried again
# (60 test seconds later), finds the job running on b: it was b's (was:
# taken as another's claim, and the job never ran)
echo "UPDATE at_job SET state = 'running' 1 down=8" >"$TEST_TMP/px.control"
echo "echo at-job \$(date +%s%N) >> $out/at2" >"$TEST_TMP/atjob2"
on b "$BIN/at" -f "$TEST_TMP/atjob2" now
expect_rc 0 "the second at now through b"
wait_for 20 "the second at job's claim cut" \
    bash -c "[ \$(grep -c '^CUT UPDATE at_job' '$TEST_TMP/px.log') -ge 2 ]"
wait_for 90 "the second at job's run" test -s "$out/at2"
wait_for 20 "atq through b empty" atq_empty
sleep 1
[ "$(wc -l <"$out/at2")" = 1 ] || fail "the second at job ran $(wc -l <"$out/at2") times"

# A submission whose commit is cut: at says the job may have been queued
# (was: "cannot queue the job: I/O error", for a job that was queued)
echo "INSERT INTO at_job 1" >"$TEST_TMP/px.control"
on b "$BIN/at" -f "$TEST_TMP/atjob" now + 1 hour
[ "$RC" != 0 ] || fail "at through a cut commit said it queued the job"
expect_err_has "cannot tell whether crond could queue the job" "at through a cut commit"
expect_err_has "look before asking again" "at through a cut commit"
on b "$BIN/atq"
[ "$(printf '%s\n' "$OUT" | grep -c .)" = 1 ] || fail "atq after the cut submission: '$OUT'"
on b "$BIN/atrm" "$(printf '%s' "$OUT" | cut -f1)"
expect_rc 0 "atrm of the job queued through the cut commit"
node_stop b

dups=$(pg_sql "SELECT entry_key, scheduled_ms, count(*) FROM run WHERE kind = 'cron'
               GROUP BY 1, 2 HAVING count(*) > 1")
[ -z "$dups" ] || fail "runs with more than one record: $dups"
stuck=$(pg_sql "SELECT count(*) FROM run WHERE flags & 64 <> 0 OR flags & 4096 <> 0")
[ "$stuck" = 0 ] || fail "$stuck records left running or taken for a lost node:
$(pg_sql "SELECT convert_from(command, 'UTF8'), scheduled_ms, node, flags FROM run WHERE flags & 4160 <> 0")"
# per entry: as many records as runs of the job
bad=""
for i in $(seq 0 $((N - 1))); do
    recs=$(pg_sql "SELECT count(*) FROM run WHERE kind = 'cron'
                   AND convert_from(command, 'UTF8') LIKE 'echo e$i %'")
    ran=$(grep -c "^e$i " "$out/runs")
    [ "$recs" = "$ran" ] || bad="$bad e$i: $recs records, $ran runs;"
done
[ -z "$bad" ] || fail "records and runs differ:$bad"
at_recs=$(pg_sql "SELECT count(*) FROM run WHERE kind = 'at' AND flags = 0")
[ "$at_recs" = 2 ] || fail "the two at jobs have $at_recs records"
echo "figure: $(wc -l <"$out/runs") runs of $N entries, $(cuts "INSERT INTO claim") claim and $(cuts "UPDATE run") end commits cut, each run once with one record; two at jobs once each after their claims were cut"
