#!/bin/bash
# CRON_MAIL=always|failure|never, per crontab (applying to the entries
# below it) and as crond.conf's default (cron_mail): `failure` mails only
# runs that exited non-zero, were killed or timed out, and a failure that
# wrote nothing gets a short note; `never` mails nothing; `always` is
# cron's rule (output, whatever the status). Mail is captured by the fake
# sendmail of lib.sh.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
mails() { grep -c '^--- end' "$TEST_TMP/mail.log" 2>/dev/null || true; }
mailed() { [ "$(mails)" -ge "$1" ]; }
# run_minute N WHAT: $TEST_TMP/tab installed (WHAT), crond run from 2 s
# before a minute until N mails were sent, and 1 s more (time for another,
# if there were one)
run_minute() {
    run "$CRONTAB" "$TEST_TMP/tab"
    expect_rc 0 "$2"
    start_crond --test-clock "$(before_next_minute 2)"
    wait_for 30 "$1 mails" mailed "$1"
    sleep 1
    stop_crond
}

# A bad value is refused with its place.
printf 'CRON_MAIL=errors\n* * * * * true\n' >"$TEST_TMP/bad.tab"
run "$CRONTAB" -T "$TEST_TMP/bad.tab"
expect_rc 1 "crontab -T with CRON_MAIL=errors"
expect_err_has "bad.tab:1:11: CRON_MAIL must be 'always', 'failure' or 'never', not 'errors'" \
    "CRON_MAIL=errors"

cat >"$TEST_TMP/tab" <<'EOF2'
* * * * * echo default-mailed
CRON_MAIL=failure
* * * * * echo quiet-success
* * * * * echo loud-failure; exit 4
* * * * * exit 5
CRON_TIMEOUT=1s
* * * * * sleep 30
CRON_TIMEOUT=none
CRON_MAIL=never
* * * * * echo never-mailed; exit 1
CRON_MAIL=always
* * * * * echo always-mailed
EOF2
run_minute 5 "install"
[ "$(mails)" = 5 ] || fail "expected 5 mails, got $(mails):
$(grep '^Subject' "$TEST_TMP/mail.log")"
log=$(cat "$TEST_TMP/mail.log")
has() { grep -q -- "$1" "$TEST_TMP/mail.log" || fail "$2"; }
hasnt() { ! grep -q -- "$1" "$TEST_TMP/mail.log" || fail "$2"; }
has '^default-mailed$' "no CRON_MAIL: output is mailed (crond.conf default always)"
hasnt 'quiet-success' "CRON_MAIL=failure mailed a run that succeeded"
has '^Subject: .*echo loud-failure; exit 4 (failed)$' "failure with output not mailed"
has '^loud-failure$' "the failed run's output is the body"
has '^Subject: .*> exit 5 (failed)$' "silent failure not mailed"
has '^crond: the job wrote no output and exited with status 5.$' "silent failure's note"
has '^Subject: .*> sleep 30 (failed)$' "timed-out run not mailed"
has 'ran past CRON_TIMEOUT (1s) and was stopped (signal 15)' "timed-out run's note"
hasnt 'never-mailed' "CRON_MAIL=never mailed"
has '^always-mailed$' "CRON_MAIL=always after failure"

# crond.conf's cron_mail = failure is the default; a crontab's CRON_MAIL wins.
rm -f "$TEST_TMP/mail.log"
write_conf "cron_mail = failure"
cat >"$TEST_TMP/tab" <<'EOF2'
* * * * * echo conf-quiet
* * * * * echo conf-failure; exit 2
CRON_MAIL=always
* * * * * echo tab-always
EOF2
run_minute 2 "install the second crontab"
[ "$(mails)" = 2 ] || fail "expected 2 mails with cron_mail = failure, got $(mails):
$(grep '^Subject' "$TEST_TMP/mail.log")"
hasnt 'conf-quiet' "cron_mail = failure mailed a success"
has '^conf-failure$' "cron_mail = failure did not mail a failure"
has '^tab-always$' "CRON_MAIL=always did not override cron_mail = failure"

write_conf "cron_mail = sometimes"
"$BIN/crond" -n --config "$CONF" >"$TEST_TMP/bad.log" 2>&1 && fail "crond accepted cron_mail = sometimes"
grep -q "cron_mail must be always, failure or never, not 'sometimes'" "$TEST_TMP/bad.log" ||
    fail "bad cron_mail message: $(cat "$TEST_TMP/bad.log")"
echo ok
