#!/bin/bash
# tests/whole/crond_burst_crash.sh: a crash (kill -9 of crond) in the middle
# of a burst of starts keeps the records of the runs started, so the
# restart does not run CRON_CATCHUP entries again for the same minute.
#
# Fault: 300 CRON_CATCHUP=yes entries due the same minute; crond is killed
# 0.2 s after the burst's first start, and started again within the minute.
# Pass: of the entries that had started, at most half run again (the runs
# of the last 50 ms before the kill may; was: every one of them, as no
# start record and no catch-up state was written until the whole burst
# had started).
# Figure: started before the kill, run again.
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
# then have a catch-up state), at 20 times real speed.
M=1893456000
start_crond --test-clock $((M - 62)):20
wait_for 30 "the burst's first start" grep -q "T00:00:0.*(root) CMD " "$TEST_TMP/crond.log"
sleep 0.2
kill -KILL "$CROND_PID"
wait "$CROND_PID" 2>/dev/null
CROND_PID=""
sleep 1   # the jobs started before the kill finish
started=$(( $(wc -l <"$out/m") - N ))   # the first minute's runs left aside
[ "$started" -gt 0 ] || fail "no job ran before the kill"
rm -f "$SOCK"
start_crond --test-clock $((M + 20))
wait_for 15 "the restart's catch-up" grep -q "CATCHUP\|LOADED" "$TEST_TMP/crond.log"
sleep 2
again=$(sort "$out/m" | uniq -c | awk '$1 > 2' | wc -l)
echo "# started before the kill: $started; run again: $again"
[ "$again" -le $((started / 2)) ] ||
    fail "$again of the $started entries started before the kill ran again for the same minute"
stop_crond
