#!/bin/bash
# tests/whole/at_mail_to.sh: at -u USER (Debian at 3.2.5: "Sends mail to
# username rather than the current user"): the job's output is mailed to
# USER, any user may name any existing user, at -c shows "# mail USER" as
# Debian's, an unknown user is refused in Debian's words, and the recipient
# is kept in the spool across a restart of crond.
. "$ROOT/tests/whole/lib.sh"
need_crond
start_crond_at_open
export TZ=UTC
cd "$TEST_TMP" || fail "cd"
: >"$TEST_TMP/mail.log"
chmod 0666 "$TEST_TMP/mail.log"   # sendmail runs as each job's owner

# Unknown user: Debian's message after the warning, exit 1, nothing queued
# (here from crond's answer to the submission).
run "$BIN/at" -u no-such-user-here -t 203001010000 </dev/null
expect_rc 1 "at -u unknown"
[ "$ERR" = "warning: commands will be executed using /bin/sh
at: Cannot find username no-such-user-here" ] || { show_last; fail "at -u unknown: Debian's lines"; }
# A name no user can have, empty or longer than any crond keeps: the same.
long=$(printf 'x%.0s' $(seq 1 300))
for name in "" "$long"; do
    run bash -c "echo true | '$BIN/at' -u '$name' -t 203001010000"
    expect_rc 1 "at -u '${name:0:10}...'"
    [ "$ERR" = "warning: commands will be executed using /bin/sh
at: Cannot find username $name" ] || { show_last; fail "at -u '${name:0:10}...': Debian's lines"; }
done
# The job's file unreadable too (missing, a directory): Debian's at looks
# the user up first, so its line is the one said, not the file's.
for f in "$TEST_TMP/no-such-job-file" "$TEST_TMP"; do
    run "$BIN/at" -u no-such-user-here -f "$f" -t 203001010000 </dev/null
    expect_rc 1 "at -u unknown -f ${f##*/}"
    [ "$ERR" = "warning: commands will be executed using /bin/sh
at: Cannot find username no-such-user-here" ] || { show_last; fail "at -u unknown -f ${f##*/}: Debian's lines"; }
done
# On a terminal the same lines come before anyone types (crond looks the
# user up: at itself looks no user up): nothing typed is read, no prompt.
if command -v script >/dev/null; then
    { sleep 1; printf 'echo typed-in-vain\n\004'; } |
        script -qec "'$BIN/at' -u no-such-user-here -t 203001010000 2>&1; echo rc=\$?" /dev/null |
        tr -d '\r' >"$TEST_TMP/tty.out"
    [ "$(cat "$TEST_TMP/tty.out")" = "warning: commands will be executed using /bin/sh
at: Cannot find username no-such-user-here
rc=1" ] || { cat -A "$TEST_TMP/tty.out" >&2; fail "at -u unknown on a terminal"; }
fi
run "$BIN/atq"
expect_out "" "atq after at -u unknown"
run "$BIN/atq" -u root
expect_rc 1 "atq -u"
# As Debian's at: after -l only -q, -o and -V are options; an option before
# the action letter that the action does not use is ignored.
run "$BIN/at" -l -u root
expect_rc 1 "at -l -u"
expect_err_has "at: invalid option -- 'u'" "at -l -u"
# A waiting job: at -c shows the recipient, also after a restart.
echo 'echo later' | "$BIN/at" -u nobody -t 203001010000 2>/dev/null || fail "at -u nobody -t"
run "$BIN/at" -c 1
expect_rc 0 "at -c 1"
[ "$(printf '%s\n' "$OUT" | sed -n 3p)" = "# mail nobody 0" ] || { show_last; fail "at -c: # mail line"; }
stop_crond
start_crond
run "$BIN/at" -c 1
[ "$(printf '%s\n' "$OUT" | sed -n 3p)" = "# mail nobody 0" ] ||
    { show_last; fail "at -c after a restart: # mail line"; }
run "$BIN/at" -c 1
printf '%s\n' "$OUT" | grep -q 'mail_to' && fail "at -c shows the spool's encoding"

# ... and one before the action letter that the action does not use is
# ignored.
qc=$(echo true | "$BIN/at" -q c -t 203001011200 2>&1 | sed -n 's/^job \([0-9]*\) at .*/\1/p')
[ -n "$qc" ] || fail "at -q c -t"
run "$BIN/at" -u no-such-user-here -m -f /nonexistent -l
expect_rc 0 "at -u X -m -f F -l"
grep -qP "^$qc\t.* c root$" "$OUT_FILE" || { show_last; fail "at -u X -m -f F -l: $OUT"; }
run "$BIN/at" -l -q c -u root
expect_err_has "invalid option -- 'u'" "at -l -q c -u"
run "$BIN/at" -c "$qc" -q c
expect_err_has "invalid option -- 'q'" "at -c N -q c"
run "$BIN/at" -q c -u root -d "$qc"
expect_rc 0 "at -q c -u root -d N"
run "$BIN/atq" -q c
expect_out "" "atq -q c after at -q c -u root -d N"

# Jobs that run now: root's output to nobody, nobody's to root, and without
# -u to the owner.
echo 'echo for-nobody' | "$BIN/at" -u nobody now 2>/dev/null || fail "at -u nobody now"
run as_nobody bash -c "echo 'echo for-root' | '$BIN/at' -u root now"
expect_rc 0 "nobody's at -u root now"
echo 'echo for-owner' | "$BIN/at" now 2>/dev/null || fail "at now"
for _ in $(seq 1 100); do
    [ "$(grep -c '^--- end' "$TEST_TMP/mail.log")" -ge 3 ] && break
    sleep 0.1
done
# Each message: the lines from "sendmail" to "--- end".
message_with() {
    awk -v want="$1" '/^sendmail/ { m = "" } { m = m $0 "\n" } /^--- end/ && index(m, want) { printf "%s", m }' \
        "$TEST_TMP/mail.log"
}
message_with for-nobody | grep -q '^To: nobody$' || { cat "$TEST_TMP/mail.log" >&2; fail "root's -u nobody mail"; }
message_with for-root | grep -q '^To: root$' || { cat "$TEST_TMP/mail.log" >&2; fail "nobody's -u root mail"; }
message_with for-owner | grep -q '^To: root$' || { cat "$TEST_TMP/mail.log" >&2; fail "the owner's mail"; }
stop_crond
echo ok
