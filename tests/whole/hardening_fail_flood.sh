#!/bin/bash
# tests/whole/hardening_fail_flood.sh: one user whose entries all fail to
# start cannot flood crond's log with FAIL lines, nor hide another user's.
#
# Fault: nobody installs 100 `* * * * *` entries with HOME set to a
# directory that does not exist, so no run can start (was: one "(nobody)
# FAIL" line per run, 100 a minute here, 10,000 a minute with a crontab of
# 10,000 entries). Pass: nobody's FAIL lines stay within 5 per 10 s of the
# daemon's clock, a later line says how many similar lines were not
# logged, and root's own FAIL line still appears.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the flooding user is nobody"
export TZ=UTC

N=100
write_conf
printf 'SHELL=/nonexistent/root-shell\n* * * * * root true root-fails\n' >"$TEST_TMP/cron.d/root"
chmod 0644 "$TEST_TMP/cron.d/root"
{
    echo "SHELL=/nonexistent/nobody-shell"
    for i in $(seq 1 $N); do echo "* * * * * true $i"; done
} >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"

now=$(date +%s)
# a minute every 2 s: the runs of one minute arrive together
start_crond --test-clock "$(before_next_minute 2):30"
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "nobody installs $N entries"
wait_for 30 "root's FAIL line" log_has '(root) FAIL (.*cannot execute /nonexistent/root-shell'
# Held back: at least one minute's worth, however long a slow machine
# takes to fail a minute's starts (4 s of waiting left 74 at 3.9 ms a
# fork+exec).
held_enough() {
    local n
    n=$(limited_held nobody FAIL)
    WAIT_WHY="$n so far"
    [ "$n" -ge $N ]
}
wait_for "$(scaled_bound 10 60)" "$N FAIL lines said held back" held_enough
minutes=$(( ($(date +%s) - now) / 2 + 2 ))
check_limited nobody FAIL "$minutes" $N
stop_crond
echo "figure: nobody: $LIMITED_LINES FAIL lines logged, $LIMITED_HELD held back, about $minutes test minutes"
echo ok
