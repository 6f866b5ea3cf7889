#!/bin/bash
# tests/whole/cluster_claim_settle.sh: a claim whose commit's answer is lost
# while the database then stays out of reach until the run is too late to
# start. Node b reaches PostgreSQL through tests/tools/pg-cut-proxy, which
# cuts one claim's commit (the server commits, b does not know it) and then
# refuses b's new connections for 20 s (20 test minutes); b's open
# connections (its heartbeat) go on, so b is not lost.
#
# Fault (from the twenty-eighth session's "left"): b tried the claim again
# for 10 minutes, then gave the run up; the claim had been made, so its
# record read "running on b" until b's next start. Pass: once b reaches the
# server again, that record is ended as not started (skipped,claim-late),
# the run of that minute never ran, and no record of b is left running.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

SPEED=60   # a test minute lasts 1 s; 10 test minutes, 10 s
runs_dir
start_cut_proxy
node_conf b "cluster_spread = 0" "max_clock_skew = 3600" "node_timeout = 120"
through_cut_proxy b
epoch=$(minute_epoch_ahead 40)
node_start_many "--test-clock $epoch:$SPEED" b
{ echo 'MAILTO=""'; echo "* * * * * echo run >> $out/runs"; } >"$TEST_TMP/one.tab"
on b "$CRONTAB" "$TEST_TMP/one.tab"
expect_rc 0 "install through b"
wait_for 20 "a first run" test -s "$out/runs"
echo "INSERT INTO claim 1 down=20" >"$TEST_TMP/px.control"
wait_for 20 "a claim's commit cut" grep -q "^CUT INSERT INTO claim" "$TEST_TMP/px.log"
# the run's record, made by the cut claim, until b settles it
cut=$(pg_sql "SELECT scheduled_ms FROM run WHERE node = 'b' AND flags & 64 <> 0
              ORDER BY scheduled_ms DESC LIMIT 1")
[ -n "$cut" ] || fail "no running record made by the cut claim"
settled() {
    [ "$(pg_sql "SELECT flags FROM run WHERE node = 'b' AND scheduled_ms = $cut")" = $((0x4000 | 1)) ]
}
wait_for 60 "the cut claim's record ended skipped,claim-late" settled
grep -q "its claim was confirmed only" "$(node_log b)" || fail "no SKIP line for the settled claim"
n=$(pg_sql "SELECT count(*) FROM run WHERE scheduled_ms = $cut")
[ "$n" = 1 ] || fail "the cut minute has $n records"
sleep 2   # two more minutes run, through the server again
stuck=$(pg_sql "SELECT count(*) FROM run WHERE flags & 64 <> 0 AND scheduled_ms <= $cut")
[ "$stuck" = 0 ] || fail "$stuck records of b left running"
on b "$CRONTAB" --history 50
expect_rc 0 "b's history"
printf '%s\n' "$OUT" | grep -q "skipped,claim-late" || fail "crontab --history shows no claim-late run: $OUT"
node_stop b
echo "figure: the cut claim (minute $((cut / 1000))) settled skipped,claim-late after b reached the server again; $(wc -l <"$out/runs") runs"
