#!/bin/bash
# With crond stopped: -T and --next need no daemon; a user gets a clear
# "crond is not running" naming the socket; root lists, installs and removes
# in the spool directly, with a note, and crond loads that crontab when it
# starts.
. "$ROOT/tests/whole/lib.sh"
write_conf

printf '30 2 * * * /usr/bin/backup\n' >"$TEST_TMP/a.tab"
run "$CRONTAB" -T "$TEST_TMP/a.tab"
expect_rc 0 "-T on a valid file"
[ -z "$OUT$ERR" ] || fail "-T printed something for a valid file"
run "$CRONTAB" --next 2 --from 2026-03-08T00:00 --tz America/New_York '30 2 * * *'
expect_rc 0 "--next with a schedule"
expect_out $'2026-03-08T03:00:00-04:00\n2026-03-09T02:30:00-04:00' "--next across the DST gap"

run as_nobody "$CRONTAB" -l
expect_rc 1 "a user without crond"
expect_err_has "crontab: crond is not running (no socket at $SOCK)" "a user without crond"

run "$CRONTAB" -l
expect_rc 1 "root lists with no spool yet"
expect_err_has "no crontab for root" "root lists with no spool yet"

run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "root installs directly"
expect_err_has "crond is not running (no socket at $SOCK); changed the spool" "note on install"
[ -f "$TEST_TMP/spool/crond.db" ] || fail "no spool database after a direct install"
run "$CRONTAB" -l
expect_rc 0 "root lists directly"
expect_same_file "$TEST_TMP/a.tab" "$OUT_FILE" "direct list"
expect_err_has "read the spool" "note on list"

printf '61 * * * * bad\n' >"$TEST_TMP/bad.tab"
run "$CRONTAB" "$TEST_TMP/bad.tab"
expect_rc 1 "direct install of an invalid crontab"
expect_err_has "$TEST_TMP/bad.tab:1:1: minute 61" "direct install error"

run "$CRONTAB" -u nobody "$TEST_TMP/a.tab"
expect_rc 0 "root installs for nobody directly"
run "$CRONTAB" -u nobody -r
expect_rc 0 "root removes nobody's directly"
run "$CRONTAB" -u nobody -r
expect_rc 1 "second direct remove"
expect_err_has "no crontab for nobody" "second direct remove"

if have_crond; then
    start_crond
    run "$CRONTAB" -l
    expect_rc 0 "list through crond"
    expect_same_file "$TEST_TMP/a.tab" "$OUT_FILE" "crond serves the directly installed crontab"
    [ -z "$ERR" ] || fail "a note while crond runs: $ERR"
    stop_crond
fi

run "$CRONTAB" -r
expect_rc 0 "root removes directly"
run "$CRONTAB" -l
expect_rc 1 "list after direct remove"
echo "ok"
