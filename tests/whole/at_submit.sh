#!/bin/bash
# tests/whole/at_submit.sh: `at now` runs the job at once, as the caller, in
# the captured directory with the captured umask and environment (minus
# what is never carried); -f FILE is read with the caller's rights; -m and
# -M decide the mail; -v and the messages on stderr look like Debian's.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
: >"$TEST_TMP/at.deny"          # everyone may use at
start_crond
AT=$BIN/at
out=$TEST_TMP/out
mkdir -m 0777 "$out"

# Waits up to 10 s for FILE to be non-empty.
wait_file() {
    local i
    for i in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done
    fail "$2: $1 did not appear within 10 s"
}

job='echo "$0" > '$out'/$ID.zero; pwd > '$out'/$ID.pwd; umask > '$out'/$ID.umask; env > '$out'/$ID.env; id -un > '$out'/$ID.who'

# Root, in a directory of its own, with umask 027 and a tricky environment.
mkdir "$TEST_TMP/work dir"
cd "$TEST_TMP/work dir" || fail "cd"
run env ID=root 'QUOTED=it'"'"'s "x" $HOME `id`' 'MULTI=line one
line two' TERM=xterm-test SHLVL=7 SHELL=/bin/bash DISPLAY=:9 'BAD-NAME=1' \
    bash -c "umask 027; echo '$job' | '$AT' now"
expect_rc 0 "at now as root"
case "$ERR" in
    "warning: commands will be executed using /bin/sh"$'\n'"job 1 at "???" "???" "[\ 1-3][0-9]" "[0-2][0-9]:[0-5][0-9]":00 "20[0-9][0-9]) ;;
    *) show_last; fail "at's messages on stderr" ;;
esac
[ -z "$OUT" ] || fail "at printed on stdout: $OUT"
wait_file "$out/root.who" "root's job"
sleep 0.3
[ "$(cat "$out/root.who")" = root ] || fail "root's job ran as $(cat "$out/root.who")"
# $0 is "sh", as Debian's atd starts the shell
[ "$(cat "$out/root.zero")" = sh ] || fail "the job's \$0 is $(cat "$out/root.zero"), not sh"
[ "$(cat "$out/root.pwd")" = "$TEST_TMP/work dir" ] || fail "root's job ran in $(cat "$out/root.pwd")"
[ "$(cat "$out/root.umask")" = 0027 ] || fail "root's job had umask $(cat "$out/root.umask")"
grep -qxF 'QUOTED=it'"'"'s "x" $HOME `id`' "$out/root.env" || fail "QUOTED not carried as is"
grep -A1 -xF 'MULTI=line one' "$out/root.env" | grep -qxF 'line two' || fail "MULTI not carried"
grep -q '^ID=root$' "$out/root.env" || fail "ID not carried"
for v in TERM DISPLAY BAD-NAME; do
    grep -q "^$v=" "$out/root.env" && fail "$v was carried into the job"
done
grep -q '^SHLVL=7$' "$out/root.env" && fail "the caller's SHLVL was carried into the job"
grep -q '^SHELL=/bin/sh$' "$out/root.env" || fail "the job's SHELL is not /bin/sh (Debian's at never carries the caller's)"
grep -q '^LOGNAME=root$' "$out/root.env" || fail "LOGNAME is not the owner"

# nobody, from a directory nobody may enter, with -f FILE.
mkdir -m 0755 "$TEST_TMP/nobody dir"
chown nobody "$TEST_TMP/nobody dir"
echo "$job" >"$TEST_TMP/job.sh"
chmod 0644 "$TEST_TMP/job.sh"
cd "$TEST_TMP/nobody dir" || fail "cd"
run as_nobody env ID=nobody LOGNAME=pretender bash -c "umask 002; '$AT' -f '$TEST_TMP/job.sh' now"
expect_rc 0 "at -f FILE now as nobody"
wait_file "$out/nobody.who" "nobody's job"
sleep 0.3
[ "$(cat "$out/nobody.who")" = nobody ] || fail "nobody's job ran as $(cat "$out/nobody.who")"
[ "$(cat "$out/nobody.zero")" = sh ] || fail "nobody's job's \$0 is $(cat "$out/nobody.zero")"
[ "$(cat "$out/nobody.pwd")" = "$TEST_TMP/nobody dir" ] || fail "nobody's job ran in $(cat "$out/nobody.pwd")"
[ "$(cat "$out/nobody.umask")" = 0002 ] || fail "nobody's job had umask $(cat "$out/nobody.umask")"
grep -q '^LOGNAME=nobody$' "$out/nobody.env" || fail "LOGNAME was not the owner in nobody's job"
cd "$TEST_TMP" || fail "cd"

# A file the caller may not read: refused before anything is queued.
run as_nobody "$AT" -f /etc/shadow now
expect_rc 1 "at -f /etc/shadow as nobody"
expect_err_has "Cannot open input file /etc/shadow: Permission denied" "at -f /etc/shadow"
run as_nobody "$AT" -f "$TEST_TMP" now
expect_rc 1 "at -f DIRECTORY"
expect_err_has "at: cannot read the job from $TEST_TMP: Is a directory" "at -f DIRECTORY"

# Mail: by default only with output; -m even without; -M never.
: >"$TEST_TMP/mail.log"
echo 'echo default-with-output' | "$AT" now 2>/dev/null
echo 'true' | "$AT" now 2>/dev/null
echo 'true' | "$AT" -m now 2>/dev/null
echo 'echo never-mailed' | "$AT" -M now 2>/dev/null
two_mailed() {
    [ "$(grep -c '^--- end' "$TEST_TMP/mail.log")" -ge 2 ] &&
        [ "$(grep -c '(root) END' "$TEST_TMP/crond.log")" -ge 5 ]
}
wait_for 30 "the at jobs' two mails" two_mailed
sleep 0.5   # time for a third mail, if there were one
grep -q '^default-with-output$' "$TEST_TMP/mail.log" || fail "the job's output was not mailed"
grep -q 'never-mailed' "$TEST_TMP/mail.log" && fail "-M still mailed"
[ "$(grep -c '^Subject:' "$TEST_TMP/mail.log")" -eq 2 ] ||
    fail "expected 2 mails (output, -m), got: $(grep '^Subject:' "$TEST_TMP/mail.log")"
grep -q '^Subject: Output from your job  *5$' "$TEST_TMP/mail.log" || fail "-m did not mail job 5 without output"

# -v shows the time, then an empty line, before anything else.
run bash -c "echo true | '$AT' -v -M now + 1 hour"
expect_rc 0 "at -v"
first=$(printf '%s\n' "$ERR" | head -n 1)
second=$(printf '%s\n' "$ERR" | sed -n 2p)
last=$(printf '%s\n' "$ERR" | tail -n 1)
[ "job 7 at $first" = "$last" ] && [ -z "$second" ] || { show_last; fail "at -v layout"; }
# On a terminal: Debian's "at TIME" line, an "at> " prompt per line and
# <EOT> at the end, all on stderr.
if command -v script >/dev/null; then
    { sleep 0.5; printf 'echo typed > %s/typed\n' "$out"; sleep 0.3; printf '\004'; sleep 0.5; } |
        script -qec "'$AT' -M now + 2 hours 2>&1" /dev/null | tr -d '\r' >"$TEST_TMP/tty.out"
    # (the terminal echoes the typed line after the first prompt)
    lines=$(sed 's/[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 123][0-9] [0-9:]* 20[0-9][0-9]/TIME/' \
        "$TEST_TMP/tty.out")
    [ "$lines" = "warning: commands will be executed using /bin/sh
at TIME
at> echo typed > $out/typed
at> <EOT>
job 8 at TIME" ] || { cat -A "$TEST_TMP/tty.out" >&2; fail "the terminal dialogue"; }
    run "$AT" -c 8
    expect_rc 0 "at -c 8"
    printf '%s\n' "$OUT" | tail -n 1 | grep -qx "echo typed > $out/typed" || fail "the typed job: $OUT"
fi
# A FIFO, /dev/stdin and a process substitution are read, as Debian's at
# reads them; a device to the 1 MiB cap.
run "$AT" -f <(echo 'echo from-a-substitution') now + 1 hour
expect_rc 0 "at -f <(...)"
n=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) .*/\1/p')
run "$AT" -c "$n"
printf '%s\n' "$OUT" | grep -q '^echo from-a-substitution$' || fail "at -f <(...) queued: $OUT"
run "$AT" -f /dev/stdin now + 1 hour <<<'echo from-dev-stdin'
expect_rc 0 "at -f /dev/stdin"
n=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) .*/\1/p')
run "$AT" -c "$n"
printf '%s\n' "$OUT" | grep -q '^echo from-dev-stdin$' || fail "at -f /dev/stdin queued: $OUT"
run "$AT" -f /dev/zero now + 1 hour
expect_rc 1 "at -f /dev/zero"
expect_err_has "/dev/zero: input is larger than 1048576 bytes" "at -f /dev/zero"
stop_crond
echo ok
