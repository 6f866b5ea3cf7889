#!/bin/bash
# tests/whole/crond_start_failure.sh: a job that cannot start is said and
# recorded, and the runs beside it are not disturbed. The child reports a
# failure before execve in the memory it shares with the supervisor
# (crond/run/runner.h); this drives that path through the real daemon: a
# shell that does not exist. A home that cannot be entered stops nothing:
# the job runs in /, as Debian's cron runs it anyway.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start=$(before_next_minute 2)
{
    printf 'SHELL=/nonexistent/shell\n'
    printf '* * * * * root echo never > %s/never\n' "$TEST_TMP"
} >"$TEST_TMP/cron.d/noshell"
{
    printf 'HOME=/nonexistent/home\n'
    printf '* * * * * root pwd > %s/nohome\n' "$TEST_TMP"
} >"$TEST_TMP/cron.d/nohome"
for i in 1 2 3; do
    printf '* * * * * root echo good %s > %s/good%s\n' "$i" "$TEST_TMP" "$i"
done >"$TEST_TMP/cron.d/good"
# A path longer than the message may hold gives way to the reason, which
# was cut off before (lib/failtext.h): a shell 20 directories of 100 bytes
# down. (A plain command's program that is missing is the shell's to say,
# as ever: "not found", in the job's output.)
long=/nonexistent
for _ in $(seq 1 20); do long+=/$(printf 'd%.0s' $(seq 1 100)); done
{
    printf 'SHELL=%s/shell\n' "$long"
    printf '* * * * * root echo long > %s/long\n' "$TEST_TMP"
} >"$TEST_TMP/cron.d/longshell"
chmod 0644 "$TEST_TMP"/cron.d/*
start_crond --test-clock "$start"
for _ in $(seq 1 100); do
    [ -s "$TEST_TMP/good3" ] && [ -s "$TEST_TMP/nohome" ] &&
        grep -q 'nonexistent/shell' "$TEST_TMP/crond.log" &&
        grep -q 'FAIL .*echo long' "$TEST_TMP/crond.log" && break
    sleep 0.1
done
for i in 1 2 3; do
    [ "$(cat "$TEST_TMP/good$i" 2>/dev/null)" = "good $i" ] || fail "good job $i did not run"
done
[ -e "$TEST_TMP/never" ] && fail "a job that could not start ran"
[ "$(cat "$TEST_TMP/nohome" 2>/dev/null)" = / ] ||
    fail "the job whose home cannot be entered ran in '$(cat "$TEST_TMP/nohome" 2>/dev/null)', not /"
grep -q 'FAIL (pid=[0-9]* cannot start echo never > .*/never: cannot execute /nonexistent/shell: No such file or directory)' "$TEST_TMP/crond.log" ||
    { cat "$TEST_TMP/crond.log"; fail "no FAIL line for the missing shell"; }
grep -q 'FAIL .*nohome' "$TEST_TMP/crond.log" && fail "the job whose home cannot be entered FAILed"
grep -q "FAIL (pid=[0-9]* cannot start echo long > .*: cannot execute /nonexistent/[d/]*\.\.\.: No such file or directory)" "$TEST_TMP/crond.log" ||
    { cat "$TEST_TMP/crond.log"; fail "the FAIL line of a shell under a long path lost its reason"; }
# it is in the history as a run that failed to start, with the reason
for _ in $(seq 1 50); do
    run "$CRONTAB" --history -u root
    [ "$(grep -c 'echo never' <<<"$OUT")" = 1 ] && break
    sleep 0.1
done
[ "$(grep -c 'echo never' <<<"$OUT")" = 1 ] || { show_last; fail "the failed start is not in the history"; }
grep 'echo never' <<<"$OUT" | grep -v failed-to-start && { show_last; fail "a failed start is not flagged failed-to-start"; }
grep -q 'failed-to-start .*cannot execute /nonexistent/shell' <<<"$OUT" ||
    { show_last; fail "the missing shell's record does not say why"; }
# and the owner is mailed why, as Debian's cron mails its child's execle error
mailed() { grep -q 'crond: cannot execute /nonexistent/shell: No such file or directory' "$TEST_TMP/mail.log" 2>/dev/null; }
wait_for 10 "the mail saying why the job did not start" mailed
grep -q '^Subject: Cron <root@[^>]*> echo never' "$TEST_TMP/mail.log" ||
    { cat "$TEST_TMP/mail.log"; fail "the start failure's mail has not the job's subject"; }
mailed_long() { grep -q 'crond: cannot execute /nonexistent/[d/]*\.\.\.: No such file or directory' "$TEST_TMP/mail.log" 2>/dev/null; }
wait_for 10 "the mail saying why the job under a long path did not start" mailed_long
kill -0 "$CROND_PID" || fail "crond died"
stop_crond
echo "crond_start_failure: ok"
