#!/bin/bash
# crontab --history after jobs ran: crond runs on a test clock that starts
# 5 s before 2026-01-01T00:00Z, so the minute's jobs run about 5 s later;
# the table shows each run, newest first, with exit status or signal and
# the first line of output.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf

# Installed before crond starts (root's direct path), so it is in the
# schedule from the first instant.
cat >"$TEST_TMP/a.tab" <<'TAB'
MAILTO=""
* * * * * echo hello-history; echo second line
* * * * * echo three; exit 3
* * * * * kill -9 $$
TAB
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"
start_crond --test-clock=1767225595

run "$CRONTAB" --history
expect_rc 0 "--history before any run"
expect_err_has "no runs recorded for root" "--history before any run"

# A run is recorded from its start, flagged running, and completed when it
# ends: wait for the three ends, not only the starts.
three_runs() {
    run "$CRONTAB" --history --tz UTC
    WAIT_WHY=$OUT
    [ "$(printf '%s\n' "$OUT" | grep -c '^2026-01-01 00:00')" -ge 3 ] &&
        ! printf '%s\n' "$OUT" | grep -q ' running '
}
wait_for 30 "three runs recorded, ended" three_runs
expect_rc 0 "--history"
header=$(printf '%s\n' "$OUT" | head -n 1)
for col in SCHEDULED STARTED DURATION RESULT FLAGS COMMAND OUTPUT; do
    case "$header" in *"$col"*) ;; *) fail "no $col column: $header" ;; esac
done
line() { printf '%s\n' "$OUT" | grep -F -- "$1" || fail "no row for $1: $OUT"; }
ok_row=$(line "echo hello-history")
case "$ok_row" in
    "2026-01-01 00:00  2026-01-01 00:00:"*"exit 0 "*"hello-history...") ;;   # a second line follows
    *) fail "row of the job that exits 0: '$ok_row'" ;;
esac
case "$(line "exit 3")" in *" exit 3 "*"three") ;; *) fail "row of exit 3: $(line "exit 3")" ;; esac
case "$(line 'kill -9')" in *" signal 9 "*) ;; *) fail "row of kill -9: $(line 'kill -9')" ;; esac

run "$CRONTAB" --history 2
expect_rc 0 "--history 2"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 3 ] || fail "--history 2 printed: $OUT"

# Users see their own history only; root may name them.
run as_nobody "$CRONTAB" --history
expect_rc 0 "nobody's empty history"
expect_err_has "no runs recorded for nobody" "nobody's empty history"
run "$CRONTAB" -u nobody --history 5
expect_rc 0 "root reads nobody's history"
run "$CRONTAB" --history 0
expect_rc 1 "--history 0"

stop_crond
echo "ok"
