#!/bin/bash
# tests/whole/hardening_history_flood.sh: a user who makes runs as fast as
# crond lets them cannot grow their history past twice history_per_user.
#
# Fault: nobody installs 300 entries due every minute while only 2 of their
# runs may wait (max_waiting_per_user): each minute 300 runs are recorded,
# most as refused for a full queue. The count prune ran only every hour
# (the first 120 s after the start), so the history grew by the whole
# crontab every minute (a review: 10,000 entries, 600,000 records and
# 285 MB of spool in an hour, history_per_user being 10,000). Pass: with
# history_per_user = 200, over 8 test minutes (2,400 runs recorded) nobody
# never holds more than 2 x 200 plus one minute's 300 records (900 allowed:
# a prune may lag on a loaded machine).
# Figure: the most records nobody held (2,400 before the fix).
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user making runs is nobody"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
export TZ=UTC
write_conf "history_per_user = 200" "max_jobs = 4" "max_waiting_per_user = 2"
{
    echo "HOME=/"
    for i in $(seq 1 300); do echo "* * * * * true $i"; done
} >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"
# a minute every 2 s
start_crond --test-clock "$(before_next_minute 2):30"
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "nobody installs 300 entries"
uid=$(id -u nobody)
most=0
for _ in $(seq 1 32); do   # 16 s: 8 test minutes
    sleep 0.5
    n=$(sqlite3 -cmd ".timeout 5000" "$TEST_TMP/spool/crond.db" \
        "SELECT count(*) FROM run WHERE uid = $uid" 2>/dev/null) || continue
    [ "$n" -gt "$most" ] && most=$n
done
stop_crond
kept=$(sqlite3 "$TEST_TMP/spool/crond.db" "SELECT count(*) FROM run WHERE uid = $uid")
echo "figure: nobody held at most $most history records over 8 test minutes of 300 runs each (history_per_user 200), $kept at the end"
[ "$most" -ge 200 ] || fail "nobody's runs were not recorded ($most records at most): the test tested nothing"
[ "$most" -le 900 ] || fail "nobody held $most history records, history_per_user being 200"
echo ok
