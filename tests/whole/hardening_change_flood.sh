#!/bin/bash
# tests/whole/hardening_change_flood.sh: a user replacing their crontab, or
# running an entry by hand, in a loop cannot flood crond's log.
#
# Fault: nobody installs and removes a crontab, and asks `crontab --run`,
# again and again (was: one REPLACE or DELETE line per install or removal,
# 100,000 lines in 30 s from a raw client, and one RUN line per request,
# logged before the per-user check refused it). Pass: each kind of line
# stays within 5 per 10 s per owner (crond(8)), the next line says how
# many were held back, and root's REPLACE line still appears.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user changing their crontab is nobody"

write_conf
printf 'HOME=/\n* * * * * true\n' >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"
# the limit's windows are 10 s of crond's clock: a test clock 3 times fast
start_crond --test-clock "$(date +%s):3"
SPEED=3
N=30
began=$SECONDS
for i in $(seq 1 $N); do
    run as_nobody "$CRONTAB" "$TEST_TMP/tab"
    expect_rc 0 "install $i"
    run as_nobody "$CRONTAB" --run 2
    expect_rc 0 "crontab --run $i"
    run as_nobody "$CRONTAB" -r
    expect_rc 0 "remove $i"
done
windows=$(( (SECONDS - began) * SPEED / 10 + 2 ))
changes=$(grep -c "(nobody) \(REPLACE\|DELETE\) (" "$TEST_TMP/crond.log")
runs=$(grep -c "(nobody) RUN (" "$TEST_TMP/crond.log")
[ "$changes" -le $((5 * windows)) ] ||
    fail "$changes REPLACE and DELETE lines for $((2 * N)) changes in $windows windows of 10 s of crond's clock"
[ "$runs" -le $((5 * windows)) ] || fail "$runs RUN lines for $N runs in $windows windows of 10 s of crond's clock"
[ "$runs" -ge 1 ] && [ "$changes" -ge 1 ] || fail "nobody's changes and runs are not in the log at all"

# root's own line is not held back by nobody's flood
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "root installs"
wait_for 5 "root's REPLACE line" log_has "(root) REPLACE (crontab, 1 entry)"

# after the window, the next line says how many were held back
sleep $(( 10 / SPEED + 1 ))
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install after the window"
# (on this line, or, when the loop's last window held nothing back, on the
# first line of an earlier window)
said_held() {
    log_has "(nobody) REPLACE (crontab, 1 entry; [0-9]* similar lines not logged)" ||
        log_has "(nobody) DELETE (crontab; [0-9]* similar lines not logged)"
}
wait_for 5 "the held-back count" said_held
stop_crond
echo "figure: $((2 * N)) changes and $N runs by hand from nobody made $changes and $runs log lines"
