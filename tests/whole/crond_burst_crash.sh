#!/bin/bash
# tests/whole/crond_burst_crash.sh: a crash (kill -9 of crond) in the middle
# of a burst of starts keeps the records of the runs started, so the
# restart does not run CRON_CATCHUP entries again for the same minute.
#
# Fault: 300 CRON_CATCHUP=yes entries due the same minute; crond is killed
# 0.3 s after the burst's 24th start, and started again within the minute.
# Pass: of the entries that had started, at most half and at most 64 run
# again (the runs
# of the last 50 ms or 64 starts before the kill may, whichever are
# fewer; was: every one of them, as no
# start record and no catch-up state was written until the whole burst
# had started).
# Figure: started before the kill (CMD lines of the minute), run again (of
# those, the ones the restart's CATCHUP lines name).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC
out=$TEST_TMP/out
mkdir "$out"
N=300
{
    echo 'MAILTO=""'
    echo 'CRON_CATCHUP=yes'
    for i in $(seq 1 $N); do echo "* * * * * echo $i >>$out/m"; done
} >"$TEST_TMP/tab"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "root's crontab"
# 2030-01-01T00:00:00Z; the minute before runs whole first (the entries
# then have a catch-up state), at 5 times real speed: 12 s for it, time
# enough for the slowest build (ThreadSanitizer) to start all its runs.
M=1893456000
start_crond --test-clock $((M - 61)):5
wait_for 30 "the minute before's $N runs" eval '[ "$(wc -l <"$out/m" 2>/dev/null || echo 0)" -ge $N ]'
if grep -q "^2030-01-01T00:00:.*(root) CMD " "$TEST_TMP/crond.log"; then
    echo "SKIP: the minute before had not ended when the minute began (too slow a machine)"
    exit 0
fi
# Killed once 24 have started (three of the supervisor's looks at the
# time, every 8 starts, however slow a build starts them), 0.3 s later.
minute_starts() { grep -c "^2030-01-01T00:00:.*(root) CMD " "$TEST_TMP/crond.log"; }
wait_for 30 "the burst's first 24 starts" eval '[ "$(minute_starts)" -ge 24 ]'
sleep 0.3
kill -KILL "$CROND_PID"
wait "$CROND_PID" 2>/dev/null
CROND_PID=""
log=$TEST_TMP/crond.log
grep "^2030-01-01T00:00:.*(root) CMD " "$log" | grep -o "echo [0-9]* " | sort -u >"$out/started"
started=$(wc -l <"$out/started")
before=$(wc -l <"$log")
rm -f "$SOCK"
start_crond --test-clock $((M + 20))
loaded_twice() { [ "$(grep -c "(\*system\*) LOADED" "$log")" -ge 2 ]; }
wait_for 15 "the restart's load (its catch-up comes before)" loaded_twice
# Those run again: started before the kill, and caught up by the restart
# (it says so; the entries that had not started are rightly caught up).
tail -n +"$((before + 1))" "$log" | grep "(root) CATCHUP (" | grep -o "echo [0-9]* " |
    sort -u >"$out/caught"
again=$(comm -12 "$out/started" "$out/caught" | wc -l)
echo "# started before the kill: $started; run again: $again"
limit=$((started / 2))
[ "$limit" -le 64 ] || limit=64   # start records are written every 64 starts at least
[ "$again" -le "$limit" ] ||
    fail "$again of the $started entries started before the kill ran again for the same minute"
stop_crond
