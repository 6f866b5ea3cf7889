#!/bin/bash
# System crontab safety (crond(8), SYSTEM CRONTABS): a file in cron.d is read
# only when it is a regular file owned by root, not writable by group or
# others and with one link, as Debian's cron requires.
#
# Fault: beside a good file, cron.d holds a group-writable one, a
# world-writable one, one owned by nobody and one with a second hard link
# outside cron.d, each with an entry due at the
# same minute. Pass: the good file's job runs; each bad file is refused with
# a log line naming it and why ("system crontab PATH ignored: writable by
# group or others", "... not owned by root") and its job never runs;
# crond -x (the check) fails naming the same files.
# A file whose name run-parts would skip (php.cron) is not read either, as
# in Debian, but no longer silently: crond -x warns of it (and passes), and
# crond logs it once, also when it appears while crond runs (cronie reads
# such names, so a cronie user's file would otherwise do nothing unseen).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC
D=$TEST_TMP/cron.d
mk() {   # name mode owner
    printf 'MAILTO=""\n* * * * * root echo %s >>%s/%s.out\n' "$1" "$TEST_TMP" "$1" >"$D/$1"
    chmod "$2" "$D/$1"
    chown "$3" "$D/$1"
}
mk good 0644 root
mk groupw 0664 root
mk worldw 0646 root
mk notroot 0644 nobody
mk linked 0644 root
ln "$D/linked" "$TEST_TMP/linked.elsewhere"

run "$BIN/crond" -x --config "$CONF"
[ "$RC" -ne 0 ] || fail "crond -x accepted the unsafe files"
expect_err_has "$D/groupw: ignored: writable by group or others" "crond -x, group-writable"
expect_err_has "$D/notroot: ignored: not owned by root" "crond -x, not root's"
expect_err_has "$D/linked: ignored: has more than one hard link" "crond -x, two links"

# A line whose user does not exist is a warning (its runs FAIL when due),
# not an error: the check passes with the unsafe files gone.
mkdir -p "$TEST_TMP/d2"
printf '0 1 * * * root true\n0 2 * * * nosuchuser-x true\n' >"$TEST_TMP/d2/users"
chmod 0644 "$TEST_TMP/d2/users"
cp "$TEST_TMP/d2/users" "$TEST_TMP/d2/php.cron"
: >"$TEST_TMP/d2/.hidden"
sed "s|^system_crontab_dir *=.*|system_crontab_dir = $TEST_TMP/d2|" "$CONF" >"$TEST_TMP/d2.conf"
run "$BIN/crond" -x --config "$TEST_TMP/d2.conf"
expect_rc 0 "crond -x with an unknown user's line"
expect_err_has "$TEST_TMP/d2/users:2: warning: no user 'nosuchuser-x'" "crond -x, unknown user"
expect_err_has "$TEST_TMP/d2/php.cron: warning: ignored: only names made of letters, digits, '_' and '-' are read" \
    "crond -x, a name with a dot"
case $ERR in *php.cron:2:*|*.hidden*) fail "crond -x read php.cron, or named .hidden: $ERR" ;; esac

# 2026-01-01T00:00:00Z is 3 s away on the test clock.
start_crond --test-clock=1767225597
deadline=$((SECONDS + 15))
until [ -s "$TEST_TMP/good.out" ]; do
    [ $SECONDS -lt $deadline ] || fail "the good file's job did not run: $(cat "$TEST_TMP/crond.log")"
    sleep 0.2
done
sleep 1.5   # the others were due the same minute
for f in groupw worldw notroot linked; do
    [ ! -e "$TEST_TMP/$f.out" ] || fail "the job of $f ran"
done
log=$TEST_TMP/crond.log
grep -qF "system crontab $D/groupw ignored: writable by group or others" "$log" ||
    fail "no log line for groupw: $(cat "$log")"
grep -qF "system crontab $D/worldw ignored: writable by group or others" "$log" ||
    fail "no log line for worldw: $(cat "$log")"
grep -qF "system crontab $D/notroot ignored: not owned by root" "$log" ||
    fail "no log line for notroot: $(cat "$log")"
grep -qF "system crontab $D/linked ignored: has more than one hard link" "$log" ||
    fail "no log line for linked: $(cat "$log")"
grep -qF "(*system*) RELOAD ($D/good, 1 entries)" "$log" || fail "good was not loaded: $(cat "$log")"
if grep -qF "RELOAD ($D/groupw" "$log"; then fail "groupw was loaded"; fi
# A name that is not read, made while crond runs: said once
printf '* * * * * root echo dotted >>%s/dotted.out\n' "$TEST_TMP" >"$D/php.cron"
wait_for 10 "the log line for php.cron" \
    grep -qF "system crontab $D/php.cron ignored: only names made of letters" "$log"
touch "$D/php.cron"
kill -HUP "$CROND_PID"
wait_for 10 "the reload after SIGHUP" bash -c "[ \$(grep -c 'RELOAD ($D/good' '$log') -ge 2 ]"
[ "$(grep -c "$D/php.cron ignored" "$log")" = 1 ] || fail "php.cron was logged more than once"
[ ! -e "$TEST_TMP/dotted.out" ] || fail "php.cron's job ran"
echo "# refused: $(grep -c 'ignored:' "$log") files; ran: $(cat "$TEST_TMP/good.out")"
stop_crond
