#!/bin/bash
# tests/whole/at_dry_run.sh: `at --dry-run [--now T]` prints the resolved
# time in RFC 3339 in the local zone and needs no crond: plain days, a
# month end, a leap day, New York's DST days (a wall time in the gap, the
# repeated hour, "+ 1 hour" across the change), -t, and the errors. Then
# what every command says when crond is not running.
. "$ROOT/tests/whole/lib.sh"
write_conf
AT=$BIN/at

check() {   # zone, now, expected, spec...
    local zone=$1 now=$2 want=$3
    shift 3
    run env TZ="$zone" "$AT" --dry-run --now "$now" "$@"
    [ "$RC" -eq 0 ] && [ "$OUT" = "$want" ] ||
        { show_last; fail "TZ=$zone --now $now '$*': expected $want"; }
}
check_err() {   # zone, now, expected message, spec...
    local zone=$1 now=$2 want=$3
    shift 3
    run env TZ="$zone" "$AT" --dry-run --now "$now" "$@"
    [ "$RC" -eq 1 ] && [ "$ERR" = "$want" ] && [ -z "$OUT" ] ||
        { show_last; fail "TZ=$zone --now $now '$*': expected '$want'"; }
}

check UTC 2026-03-07T15:10:00 2026-03-07T16:00:00+00:00 teatime
check UTC 2026-03-07T16:10:00 2026-03-08T16:00:00+00:00 teatime
check UTC 2026-03-07T15:10:42 2026-03-07T17:10:00+00:00 now + 2 hours
check UTC 2026-03-07T15:10:42 2026-03-07T17:10:00+00:00 "now + 2 hours"
check UTC 2026-01-31T09:00 2026-03-03T09:00:00+00:00 now + 1 month
check UTC 2028-02-28T12:00 2028-02-29T12:00:00+00:00 tomorrow
check UTC 2026-12-31T23:59:30 2027-01-01T00:00:00+00:00 now + 1 minute
check UTC 2026-03-07T15:10 2030-01-01T12:00:30+00:00 -t 203001011200.30
check Europe/Berlin 2026-07-01T10:00 2026-07-01T10:00:00+02:00 now
# New York, 2026-03-08: 02:00 EST becomes 03:00 EDT.
check America/New_York 2026-03-07T15:10 2026-03-08T12:00:00-04:00 noon tomorrow
check America/New_York 2026-03-07T15:10 2026-03-08T03:30:00-04:00 2:30am mar 8
check America/New_York 2026-03-08T01:30 2026-03-08T03:30:00-04:00 now + 1 hour
check America/New_York 2026-03-08T01:30 2026-03-09T01:30:00-04:00 now + 1 day
check America/New_York 2026-03-08T02:30 2026-03-08T03:30:00-04:00 now
# 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 is the first one (EDT).
check America/New_York 2026-10-31T12:00 2026-11-01T01:30:00-04:00 1:30am tomorrow
check America/New_York 2026-11-01T00:30 2026-11-01T01:30:00-05:00 now + 2 hours

check_err UTC 2026-03-07T15:10 "Garbled time at 'foo'" foo
check_err UTC 2026-03-07T15:10 "Garbled time: empty time specification"
check_err UTC 2026-03-07T15:10 "at: refusing to create job destined in the past" 10:00 today
check_err UTC 2026-03-07T15:10 "invalid date format: 13011200" -t 13011200
check_err America/New_York 2026-03-07T15:10 "invalid date format: 03080230" -t 03080230
# before 1970: refused here as the daemon refuses it (Debian's at queues it)
check_err UTC 2026-03-07T15:10 "at: the run time is not between 1970 and 9999" -t 6901011230
check_err UTC 2026-03-07 "at: --now: expected YYYY-MM-DDTHH:MM[:SS], not '2026-03-07'" now

# crond is not running: every command says so and exits 1.
for cmd in "$AT now" "$BIN/batch" "$BIN/atq" "$BIN/atrm 1" "$AT -c 1" "$BIN/atq --history"; do
    run $cmd </dev/null
    expect_rc 1 "$cmd without crond"
    [ "$ERR" = "$(basename "${cmd%% *}"): crond is not running (no socket at $SOCK)" ] ||
        { show_last; fail "$cmd without crond"; }
done
# A configuration that cannot be read is an error too.
run "$BIN/atq" --config "$TEST_TMP/missing.conf"
expect_rc 1 "atq --config missing"
expect_err_has "atq: $TEST_TMP/missing.conf" "atq --config missing"
echo ok
