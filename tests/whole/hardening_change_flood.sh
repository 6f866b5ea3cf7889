#!/bin/bash
# tests/whole/hardening_change_flood.sh: a user replacing their crontab,
# running an entry by hand, or queueing and removing at jobs, in a loop
# cannot flood crond's log.
#
# Fault: nobody installs and removes a crontab, and asks `crontab --run`,
# again and again (was: one REPLACE or DELETE line per install or removal,
# 100,000 lines in 30 s from a raw client, and one RUN line per request,
# logged before the per-user check refused it, and the run's CMD and END
# lines; a review's at and atrm loops made 176 AT and ATRM lines a second).
# Pass: each kind of line
# stays within 5 per 10 s per owner (crond(8)), the next line says how
# many were held back, and root's REPLACE line still appears.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user changing their crontab is nobody"

write_conf
: >"$TEST_TMP/at.deny"        # everyone may use at
printf 'HOME=/\n* * * * * true\n' >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"
# the limit's windows are 10 s of crond's clock: a test clock 3 times fast
start_crond --test-clock "$(date +%s):3"
SPEED=3
N=30
began=$(date +%s%N)
for i in $(seq 1 $N); do
    run as_nobody "$CRONTAB" "$TEST_TMP/tab"
    expect_rc 0 "install $i"
    run as_nobody "$CRONTAB" --run 2
    expect_rc 0 "crontab --run $i"
    run as_nobody "$CRONTAB" --run 2
    expect_rc 0 "crontab --run $i again"
    run as_nobody "$CRONTAB" -r
    expect_rc 0 "remove $i"
    run as_nobody "$BIN/at" -t 203001011000 </dev/null
    expect_rc 0 "at job $i"
    id=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at .*/\1/p')
    run as_nobody "$BIN/atrm" "$id"
    expect_rc 0 "atrm $i ($id)"
done
# 5 lines for each 10 s window of crond's clock the loop touched
bound=$(rate_bound 5 "$began" "" "$SPEED")
changes=$(grep -c "(nobody) \(REPLACE\|DELETE\) (" "$TEST_TMP/crond.log")
runs=$(grep -c "(nobody) RUN (" "$TEST_TMP/crond.log")
[ "$changes" -le "$bound" ] ||
    fail "$changes REPLACE and DELETE lines for $((2 * N)) changes (bound $bound)"
[ "$runs" -le "$bound" ] || fail "$runs RUN lines for $((2 * N)) runs (bound $bound)"
ats=$(grep -c "(nobody) \(AT\|ATRM\) (" "$TEST_TMP/crond.log")
[ "$ats" -le "$bound" ] ||
    fail "$ats AT and ATRM lines for $((2 * N)) at changes (bound $bound)"
# a run by hand: its CMD and END lines, each kind within its limit
wait_for 10 "the last run's end" log_has "(nobody) END ("
cmds=$(grep -c "(nobody) CMD (" "$TEST_TMP/crond.log")
ends=$(grep -c "(nobody) END (" "$TEST_TMP/crond.log")
[ "$cmds" -le "$bound" ] && [ "$ends" -le "$bound" ] ||
    fail "$cmds CMD and $ends END lines for $((2 * N)) runs by hand (bound $bound)"
[ "$runs" -ge 1 ] && [ "$changes" -ge 1 ] && [ "$ats" -ge 1 ] ||
    fail "nobody's changes, runs and at jobs are not in the log at all"

# root's own line is not held back by nobody's flood
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "root installs"
wait_for 5 "root's REPLACE line" log_has "(root) REPLACE (crontab, 1 entry)"

# after the window, the next line says how many were held back
sleep $(( 10 / SPEED + 1 ))
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install after the window"
# (on this line, or, when the loop's last window held nothing back, on the
# first line of an earlier window: REPLACE, DELETE, AT and ATRM lines are
# one kind, so that may be an AT line; "1 similar line", "2 similar lines")
said_held() {
    log_has "(nobody) \(REPLACE\|DELETE\|AT\|ATRM\) (.*; [0-9]* similar lines\{0,1\} not logged)"
}
wait_for 5 "the held-back count" said_held
stop_crond
echo "figure: $((2 * N)) crontab changes, $((2 * N)) runs by hand and $((2 * N)) at changes from nobody made $changes, $runs (CMD $cmds, END $ends) and $ats log lines"
