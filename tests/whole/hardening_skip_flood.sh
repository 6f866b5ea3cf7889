#!/bin/bash
# tests/whole/hardening_skip_flood.sh: one user's never-ending entries
# cannot flood crond's log with SKIP lines, nor hide another user's.
#
# Fault: nobody installs 300 never-ending `* * * * *` entries with
# CRON_OVERLAP=skip (more runs than job slots: some wait and are
# coalesced); root has one never-ending entry of its own. Over several
# minutes of the test clock every due run of every entry is skipped (was:
# one "(nobody) SKIP" line per skipped run, about 300 a minute here, 9,000 a
# minute with 10,000 entries). Pass: nobody's SKIP lines stay within 5 per
# 10 s of the daemon's clock, a later line says how many similar lines were
# not logged, root's SKIP line still appears, and the history still counts
# every skip.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the flooding user is nobody"
export TZ=UTC

N=300
write_conf "max_jobs = 100" "stop_grace = 1"
printf 'CRON_OVERLAP=skip\n* * * * * root sleep 3600; echo root-forever\n' >"$TEST_TMP/cron.d/root"
chmod 0644 "$TEST_TMP/cron.d/root"
{
    echo "CRON_OVERLAP=skip"
    echo "HOME=/"
    for i in $(seq 1 $N); do echo "* * * * * sleep 3600; echo forever-$i"; done
} >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"

now=$(date +%s)
start=$(before_next_minute 2)
# a minute every 2 s: the runs of one minute arrive together
start_crond --test-clock "$start:30"
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "nobody installs $N entries"

# the first minute starts them (or queues them); the next ones skip them all
wait_for 30 "root's SKIP line" log_has '(root) SKIP (previous run pid=[0-9]* still running: sleep 3600; echo root-forever)'
wait_for 40 "the held-back count" log_has '(nobody) SKIP (.*; [0-9]* similar lines\{0,1\} not logged)'
sleep 6
minutes=$(( ($(date +%s) - now) / 2 + 2 ))
check_limited nobody SKIP "$minutes" $N
lines=$LIMITED_LINES held=$LIMITED_HELD
stop_crond

# the history still has every skip (flag 0x01: skipped)
if command -v sqlite3 >/dev/null; then
    skipped=$(sqlite3 -cmd ".timeout 5000" "$TEST_TMP/spool/crond.db" \
              "SELECT count(*) FROM run WHERE owner = 'nobody' AND flags & 1") ||
        fail "cannot read the history"
    [ "$skipped" -ge $((lines + held)) ] ||
        fail "the history has $skipped skips of nobody, the log $lines lines + $held held back"
fi
echo "figure: nobody: $lines SKIP lines logged, $held held back, ${skipped:-?} skips in the history, about $minutes test minutes"
