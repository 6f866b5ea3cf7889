#!/bin/bash
# tests/whole/hardening_terminal.sh: another user's crontab or at job shown
# to root on a terminal carries no control byte it would obey.
#
# Fault: nobody puts ESC sequences (set the window title, clear the screen)
# in their crontab and in an at job; root runs `crontab -l -u nobody`,
# `at -c N` and `crontab -u nobody --run 2` on a terminal (was: the bytes
# went to root's terminal raw, as Debian's do). Pass: on a terminal they are shown escaped (\e), newlines
# and tabs kept; into a pipe both are still byte for byte, so
# `crontab -l -u bob > f` and `at -c N | sh` keep working; the owner's own
# crontab on their own terminal is untouched.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user choosing the bytes is nobody"
command -v script >/dev/null || fail "script(1) (util-linux) is needed for a terminal"

ESC=$(printf '\033')
printf "HOME=/\n*\t* * * * echo '%s]0;owned%s%s[2J' painted\n" "$ESC" "$(printf '\007')" "$ESC" \
    >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"
start_crond_at_open
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "nobody installs the crontab"
run bash -c "cd / && printf 'echo %s[2J cleared\n' '$ESC' | setpriv --reuid=nobody --regid=nogroup --clear-groups '$BIN/at' --config '$CONF' now + 1 hour"
expect_rc 0 "nobody queues the at job"
id=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at .*/\1/p')
[ -n "$id" ] || fail "no job number in: $ERR"

# on a terminal: escaped
on_tty() { script -qec "$*" /dev/null; }
run on_tty "'$CRONTAB' --config '$CONF' -l -u nobody"
expect_rc 0 "crontab -l -u nobody on a terminal"
if grep -q "$ESC" "$OUT_FILE"; then fail "crontab -l -u nobody sent a raw ESC to the terminal"; fi
grep -qF '\e]0;owned\a\e[2J' "$OUT_FILE" || fail "crontab -l -u nobody on a terminal: $OUT"
grep -q "^HOME=/" "$OUT_FILE" || fail "the crontab's lines were not kept apart: $OUT"
grep -qP '^\*\t\*' "$OUT_FILE" || fail "the tab was not kept: $OUT"
run on_tty "'$BIN/at' --config '$CONF' -c $id"
expect_rc 0 "at -c $id on a terminal"
if grep -q "$ESC" "$OUT_FILE"; then fail "at -c sent a raw ESC to the terminal"; fi
grep -qF 'echo \e[2J cleared' "$OUT_FILE" || fail "at -c on a terminal: $OUT"

# root runs nobody's entry by hand on a terminal: its output escaped too
# (was: raw, while --history showed the same run escaped)
run on_tty "'$CRONTAB' --config '$CONF' -u nobody --run 2"
expect_rc 0 "crontab -u nobody --run 2 on a terminal"
if grep -q "$ESC" "$OUT_FILE"; then fail "crontab -u nobody --run sent a raw ESC to the terminal"; fi
grep -qF '\e]0;owned\a\e[2J painted' "$OUT_FILE" || fail "crontab -u nobody --run on a terminal: $OUT"
"$CRONTAB" -u nobody --run 2 >"$TEST_TMP/ran" || fail "crontab -u nobody --run into a file"
grep -q "${ESC}\[2J painted" "$TEST_TMP/ran" || fail "crontab --run into a file is not byte for byte"

# into a pipe or a file: byte for byte
"$CRONTAB" -l -u nobody >"$TEST_TMP/listed" || fail "crontab -l -u nobody into a file"
expect_same_file "$TEST_TMP/tab" "$TEST_TMP/listed" "crontab -l -u nobody into a file"
"$BIN/at" -c "$id" | grep -q "^echo ${ESC}\[2J cleared$" || fail "at -c into a pipe is not byte for byte"

# the owner on their own terminal: as installed
run on_tty "setpriv --reuid=nobody --regid=nogroup --clear-groups '$CRONTAB' --config '$CONF' -l"
expect_rc 0 "nobody's crontab -l on a terminal"
grep -q "$ESC" "$OUT_FILE" || fail "the owner's own crontab -l was escaped: $OUT"

# Ctrl-C at the at> prompt: nothing queued, exit 1 (as Debian's at), not
# death by SIGINT
before=$("$BIN/atq" | wc -l)
# (at is script's own child, so script -e gives its status whatever the
# shell: a non-interactive dash dies of the same SIGINT)
out=$( (sleep 1; printf '\003') | SHELL=/bin/sh script -qec "exec '$BIN/at' --config '$CONF' now + 1 hour" /dev/null | tr -d '\r'; echo "rc=${PIPESTATUS[1]}")
case "$out" in *"rc=1") ;; *) fail "Ctrl-C at the at> prompt: $out" ;; esac
[ "$("$BIN/atq" | wc -l)" = "$before" ] || fail "Ctrl-C at the at> prompt queued a job"
stop_crond
echo ok
