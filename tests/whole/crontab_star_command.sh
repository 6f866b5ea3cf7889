#!/bin/bash
# A command starting with '*' (nearly always a sixth time field) is refused
# where a crontab comes in (crontab FILE, crontab -T, crond -x), as
# Debian's crontab refuses it; a crontab already in force when crond
# learned the rule (in the spool, or a file in cron.d) loses only those
# entries: the daemon logs a warning naming the line and schedules the rest
# (a review found that the rule first dropped such a crontab whole, every
# valid entry with it), and crontab --run, --status and --next say so.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
write_conf
out=$TEST_TMP/out
mkdir -m 0777 "$out"

# Refused at install, with the place and the reason, nothing installed.
printf '0 0 1 1 * echo good > %s/good\n*/5 * * * * * echo six\n' "$out" >"$TEST_TMP/six.tab"
start_crond
run "$CRONTAB" "$TEST_TMP/six.tab"
expect_rc 1 "installing a crontab with a sixth time field"
expect_err_has "six.tab:2:13: bad command: it starts with '*'" "the install's message"
run "$CRONTAB" -T "$TEST_TMP/six.tab"
expect_rc 1 "crontab -T"
run "$CRONTAB" -l
expect_err_has "no crontab for root" "nothing was installed"

# In force already: put there as an older crond would have let it in.
head -n 1 "$TEST_TMP/six.tab" >"$TEST_TMP/good.tab"
run "$CRONTAB" "$TEST_TMP/good.tab"
expect_rc 0 "installing the good line alone"
stop_crond
sqlite3 -cmd ".timeout 5000" "$TEST_TMP/spool/crond.db" \
    "UPDATE crontab SET body = CAST(readfile('$TEST_TMP/six.tab') AS BLOB) WHERE owner = 'root'" ||
    fail "cannot put the old crontab in the spool"
# A system file: its sixth field is read as the user, and a command too.
printf '0 0 1 1 * root echo ok\n*/5 * * * * * root echo six\n0 0 1 1 * root *x\n' \
    >"$TEST_TMP/cron.d/six"
chmod 0644 "$TEST_TMP/cron.d/six"
run "$BIN/crond" -x --config "$CONF"
expect_rc 1 "crond -x of the system file"
expect_err_has "six:2:13: bad user name '*'" "crond -x's message"
expect_err_has "six:3:16: bad command" "crond -x's message"
run "$CRONTAB" -T --system "$TEST_TMP/cron.d/six"
expect_rc 1 "crontab -T --system"
start_crond
wait_for 10 "the spool crontab's warning" \
    log_has "(root) crontab in the spool: 1 entry skipped, crontab refuses it (line 2: its command starts with '\*'"
log_has "does not parse" && fail "the stored crontab was dropped whole"
wait_for 10 "the system file's reload" log_has "RELOAD ($TEST_TMP/cron.d/six, 1 entries)"
log_has "cron.d/six:2:13: warning: bad user name '\*'" || fail "no warning for the user field '*'"
log_has "cron.d/six:3:16: warning: bad command" || fail "no warning for the system file's command"
# The good entry of the stored crontab still runs; -l shows what is stored.
run "$CRONTAB" --run 1
expect_rc 0 "crontab --run of the good entry"
wait_for 10 "the good entry's output" test -s "$out/good"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/six.tab" "$OUT_FILE" "crontab -l shows the crontab as stored"
# The user is told too, not only the log: --run of the skipped line says
# why, and --status and --next say what crond skips.
run "$CRONTAB" --run 2
expect_rc 125 "crontab --run of the skipped line"
expect_err_has "line 2 of your crontab is an entry crond skips: its command starts with '*'" \
    "--run of the skipped line"
run "$CRONTAB" --status
expect_rc 0 "crontab --status"
expect_err_has "1 entry skipped, crontab refuses it (line 2: its command starts with '*'" "--status"
run "$CRONTAB" --next 1
expect_err_has "1 entry skipped, crontab refuses it (line 2:" "--next"
stop_crond
echo ok
