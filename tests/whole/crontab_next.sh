#!/bin/bash
# crontab --next N without a schedule: the next N runs of every entry of
# the installed crontab, merged in time order ("RFC3339<TAB>command"), each
# entry in its CRON_TZ else in --tz, @reboot and never-running entries
# skipped. The schedule form keeps working. Uses crond when it exists, else
# root's direct path to the spool.
. "$ROOT/tests/whole/lib.sh"
write_conf
have_crond && start_crond

run "$CRONTAB" --next 3
expect_rc 1 "--next with no crontab"
expect_err_has "no crontab for root" "--next with no crontab"

cat >"$TEST_TMP/a.tab" <<'TAB'
0 0 * * * midnight
0 */6 * * * six-hourly
30 2 * * * nightly
@reboot at-boot
0 0 30 2 * never
CRON_TZ=America/New_York
0 9 * * * ny-nine
TAB
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"

T=$'\t'
run "$CRONTAB" --next 9 --from 2026-03-07T23:00 --tz UTC
expect_rc 0 "--next 9 in UTC"
expect_out "2026-03-08T00:00:00+00:00${T}midnight
2026-03-08T00:00:00+00:00${T}six-hourly
2026-03-08T02:30:00+00:00${T}nightly
2026-03-08T06:00:00+00:00${T}six-hourly
2026-03-08T12:00:00+00:00${T}six-hourly
2026-03-08T13:00:00+00:00${T}ny-nine
2026-03-08T18:00:00+00:00${T}six-hourly
2026-03-09T00:00:00+00:00${T}midnight
2026-03-09T00:00:00+00:00${T}six-hourly" "--next 9 in UTC"

# In New York the fixed-time 02:30 falls in the DST gap: it runs at 03:00.
run "$CRONTAB" --next 5 --from 2026-03-07T23:00 --tz America/New_York
expect_rc 0 "--next 5 in New York"
expect_out "2026-03-08T00:00:00-05:00${T}midnight
2026-03-08T00:00:00-05:00${T}six-hourly
2026-03-08T03:00:00-04:00${T}nightly
2026-03-08T06:00:00-04:00${T}six-hourly
2026-03-08T09:00:00-04:00${T}ny-nine" "--next 5 in New York"

run "$CRONTAB" --next 1 --tz Mars/Olympus
expect_rc 1 "unknown zone"
expect_err_has "Mars/Olympus" "unknown zone"

# Only entries that never run at a time: nothing to show, not an error.
printf '@reboot boot\n0 0 31 4 * never\n' >"$TEST_TMP/b.tab"
run "$CRONTAB" -u nobody "$TEST_TMP/b.tab"
expect_rc 0 "install nobody's"
run "$CRONTAB" -u nobody --next 5
expect_rc 0 "--next with nothing to show"
expect_out "" "--next with nothing to show"
expect_err_has "no entry that runs at a time" "--next with nothing to show"

# The schedule form is unchanged, and -u does not go with it.
run "$CRONTAB" --next 2 --from 2026-03-07T23:00 --tz UTC '*/20 * * * *'
expect_out $'2026-03-07T23:20:00+00:00\n2026-03-07T23:40:00+00:00' "schedule form"
run "$CRONTAB" -u nobody --next 2 '* * * * *'
expect_rc 1 "-u with a schedule"
run "$CRONTAB" --next 0
expect_rc 1 "--next 0"

stop_crond
echo "ok"
