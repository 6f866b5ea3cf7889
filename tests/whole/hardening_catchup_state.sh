#!/bin/bash
# tests/whole/hardening_catchup_state.sh: a user replacing their crontab in
# a loop does not grow the spool's catch-up state.
#
# Fault: crond keeps one row of catch-up state (CRON_CATCHUP=yes) per entry
# key, written when such an entry's run starts; a key is the entry's
# source, schedule and command. nobody installs three crontabs of 20 such
# entries, each with new commands, a test minute apart, then removes the
# crontab (was: a review's loop made 1,000 rows a minute, all still there
# after crontab -r: nothing ever deleted one). Pass: after each install
# nobody holds no more rows than the entries installed, the same entries
# installed again keep theirs (the runs going at an install may add theirs
# after it: at most 20 more), and none are left after crontab -r.
# Figure: the rows nobody held after each step.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user churning crontabs is nobody"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
export TZ=UTC
write_conf
rows() {
    sqlite3 -cmd ".timeout 5000" "$TEST_TMP/spool/crond.db" \
        "SELECT count(*) FROM entry_state WHERE entry_key LIKE 'user:nobody:%'"
}
# a minute every 2 s, each boundary 1 s into a real second's half
start_crond --test-clock "$(before_next_minute 1):30"
seen=""
for round in 1 2 3; do
    {
        echo "HOME=/"
        echo "CRON_CATCHUP=yes"
        for i in $(seq 1 20); do echo "* * * * * true round$round-$i"; done
    } >"$TEST_TMP/tab"
    chmod 0644 "$TEST_TMP/tab"
    run as_nobody "$CRONTAB" "$TEST_TMP/tab"
    expect_rc 0 "nobody installs round $round"
    sleep 2.5   # a test minute: the 20 runs start and write their state
    n=$(rows)
    seen="$seen $n"
    # The runs of the round before that were starting as this install
    # came may write theirs after it (as after a removal, below): a CI run
    # on a slow machine held 24 after round 3. So at most the 20 entries
    # and the 20 runs going; with nothing ever deleted, round 3 holds 60.
    [ "$n" -le 40 ] || fail "after round $round nobody holds $n catch-up rows for 20 entries (and at most 20 runs going)"
done
[ "$n" -ge 1 ] || fail "no catch-up state was written: the test tested nothing"
# the same entries again (and one more): their state stays, for the next
# start's catch-up
echo "* * * * * true one-more" >>"$TEST_TMP/tab"
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "nobody installs round 3 again"
[ "$(rows)" -ge "$n" ] || fail "reinstalling the same entries dropped their catch-up state"
run as_nobody "$CRONTAB" -r
expect_rc 0 "nobody removes the crontab"
sleep 1
n=$(rows)
# Runs that started just before the removal may write theirs after it
# (control_crontab.c: at most the runs going, forgotten at the next
# install or removal); a removal on a test minute's boundary left 17 in a
# CI run. So at most 21, and none after an empty crontab's install and
# removal, when no run of nobody's is going.
[ "$n" -le 21 ] || fail "$n catch-up rows of nobody's are left after crontab -r"
if [ "$n" -gt 0 ]; then
    echo "HOME=/" >"$TEST_TMP/empty"
    chmod 0644 "$TEST_TMP/empty"
    run as_nobody "$CRONTAB" "$TEST_TMP/empty"
    expect_rc 0 "nobody installs an empty crontab"
    run as_nobody "$CRONTAB" -r
    expect_rc 0 "nobody removes it"
fi
left=$(rows)
echo "figure: nobody's catch-up rows after each install:$seen; after crontab -r: $n, then $left"
[ "$left" -eq 0 ] || fail "$left catch-up rows of nobody's are left after crontab -r"
stop_crond
echo ok
