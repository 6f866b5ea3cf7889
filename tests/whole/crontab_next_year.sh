#!/bin/bash
# crontab --next prints RFC 3339 times, whose years have four digits: it
# stops at the end of year 9999 with a message and exit status 1, for a
# schedule and for the installed crontab alike (never "10000-01-01T...").
. "$ROOT/tests/whole/lib.sh"
msg="crontab: runs after year 9999 are not shown: RFC 3339 times have four-digit years"

run "$CRONTAB" --next 3 --from 9999-12-31T23:58 --tz UTC '* * * * *'
expect_rc 1 "a schedule running into year 10000"
expect_out "9999-12-31T23:59:00+00:00" "the runs of 9999 are printed"
[ "$ERR" = "$msg" ] || { show_last; fail "expected the message '$msg'"; }

run "$CRONTAB" --next 1 --from 9999-12-31T23:59 --tz UTC '0 0 1 1 *'
expect_rc 1 "no run left before year 10000"
expect_out "" "nothing printed"
[ "$ERR" = "$msg" ] || { show_last; fail "expected the message '$msg'"; }

# The year is the one shown, in the --tz zone: 10000-01-01T08:59 in Tokyo is
# still 9999 in UTC.
run "$CRONTAB" --next 2 --from 9999-12-31T23:00 --tz Asia/Tokyo '59 * * * *'
expect_rc 1 "Tokyo"
expect_out "9999-12-31T23:59:00+09:00" "Tokyo runs of 9999"

run "$CRONTAB" --next 1 --from 9999-12-30T00:00 --tz UTC '0 0 * * *'
expect_rc 0 "runs inside year 9999"
expect_out "9999-12-31T00:00:00+00:00" "the last day of 9999"

need_crond
write_conf
start_crond
printf '0 0 1 1 * happy new year\n30 12 31 12 * last noon\n' >"$TEST_TMP/tab"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install"
run "$CRONTAB" --next 5 --from 9999-06-01T00:00 --tz UTC
expect_rc 1 "the installed crontab running into year 10000"
[ "$OUT" = "$(printf '9999-12-31T12:30:00+00:00\tlast noon')" ] || { show_last; fail "installed: runs of 9999"; }
[ "$ERR" = "$msg" ] || { show_last; fail "installed: expected the message '$msg'"; }
stop_crond
echo "ok"
