#!/bin/bash
# tests/whole/at_one_round_trip.sh: when nobody types the job (standard
# input not a terminal, or -f FILE), `at` reaches crond once, with the
# submission alone (crond checks at.allow/at.deny on it), and still prints
# what the separate check printed: on a refusal or with crond down, only
# that, without the warning before it.
. "$ROOT/tests/whole/lib.sh"
need_crond
start_crond_at_open -d
AT=$BIN/at

connections() { grep -c 'control: connection from uid' "$TEST_TMP/crond.log"; }

before=$(connections)
run bash -c "echo true | '$AT' now + 1 hour"
expect_rc 0 "piped at"
[ "$(printf '%s\n' "$ERR" | head -n 1)" = "warning: commands will be executed using /bin/sh" ] ||
    { show_last; fail "piped at: the warning first"; }
sleep 0.2
[ "$(( $(connections) - before ))" = 1 ] ||
    fail "piped at connected $(( $(connections) - before )) times to crond, not once"

echo true >"$TEST_TMP/job"
chmod 0644 "$TEST_TMP/job"
before=$(connections)
run "$AT" -f "$TEST_TMP/job" now + 1 hour
expect_rc 0 "at -f"
sleep 0.2
[ "$(( $(connections) - before ))" = 1 ] ||
    fail "at -f connected $(( $(connections) - before )) times to crond, not once"

# Refused: the refusal alone, as the separate check printed it.
echo nobody >"$TEST_TMP/at.deny"
run as_nobody bash -c "echo true | '$AT' now + 1 hour"
expect_rc 1 "piped at by a denied user"
[ "$ERR" = "You do not have permission to use at. crond: you (nobody) are not allowed to use at (listed in $TEST_TMP/at.deny)" ] ||
    { show_last; fail "piped at by a denied user: the refusal alone"; }

# crond not running: that alone.
stop_crond
run bash -c "echo true | '$AT' now + 1 hour"
expect_rc 1 "piped at without crond"
case "$ERR" in
    "at: crond is not running"*) ;;
    *) show_last; fail "piped at without crond: the error alone" ;;
esac
[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || { show_last; fail "piped at without crond: one line"; }
echo ok
