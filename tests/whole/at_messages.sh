#!/bin/bash
# tests/whole/at_messages.sh: the messages scripts grep start with Debian's
# words (at 3.2.5, recorded side by side on Debian 12: the left column
# below), then say more; errors, usage errors included, exit 1 as Debian's.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
echo nobody >"$TEST_TMP/at.deny"
start_crond
export TZ=UTC
AT=$BIN/at
cd "$TEST_TMP" || fail "cd"
echo 'echo root' | "$AT" -t 203001010000 2>/dev/null || fail "job 1"

# expect LINE1 CMD...: CMD exits 1 and the first line of its stderr is LINE1.
expect() {
    local want=$1
    shift
    run "$@"
    expect_rc 1 "$*"
    [ "$(printf '%s\n' "$ERR" | head -n 1)" = "$want" ] ||
        { show_last; fail "$*: expected the first line '$want'"; }
}
# starts PREFIX LINE: LINE starts with Debian's PREFIX.
starts() {
    case "$2" in "$1"*) ;; *) fail "'$2' does not start with Debian's '$1'" ;; esac
}

# Debian: "syntax error. Last token seen: f" and "Garbled time" (two lines).
expect "Garbled time at 'foo'" "$AT" foo
expect "Garbled time: empty time specification" "$AT"
expect "Garbled time: incomplete time specification" "$AT" now +
# Debian: "Problem in hours specification. Last token seen: 25:00", "Garbled time".
expect "Garbled time: problem in hours specification at '25:00'" "$AT" 25:00
expect "Garbled time: error in day of month at '32'" "$AT" midnight jan 32
expect "invalid date format: garbage" "$AT" -t garbage
expect "Cannot give time twice." "$AT" -t 203001010000 now
expect "Garbled time" env TZ=UTC "$AT" -t 7001010000     # the epoch: Debian's words
expect "invalid date format: 0306" "$AT" -t 0306 1200    # -t is read first, as Debian's
expect "at: refusing to create job destined in the past" "$AT" now - 1 hour
expect "Cannot find jobid 99" "$AT" -c 99
expect "Cannot find jobid 99" "$BIN/atrm" 99
expect "atrm: unknown jobid: x" "$BIN/atrm" x     # Debian: "at: unknown jobid: x"
expect "at: unknown jobid: x" "$AT" -r x
expect "atq: invalid job number: x" "$BIN/atq" x
run "$AT" -f /nonexistent now
expect_rc 1 "at -f /nonexistent now"
[ "$ERR" = "warning: commands will be executed using /bin/sh
Cannot open input file /nonexistent: No such file or directory" ] ||
    { show_last; fail "at -f /nonexistent now: Debian's two lines"; }
mkdir "$TEST_TMP/gone"
cd "$TEST_TMP/gone" || fail "cd"
rmdir "$TEST_TMP/gone"
run "$AT" now </dev/null
cd "$TEST_TMP" || fail "cd"
expect_rc 1 "at now from a removed directory"
[ "$ERR" = "warning: commands will be executed using /bin/sh
Cannot get current working directory: No such file or directory" ] ||
    { show_last; fail "at now from a removed directory: Debian's two lines"; }

# Usage errors: glibc getopt's words (Debian prints them), the usage, exit 1.
expect "at: invalid option -- 'Z'" "$AT" -Z
expect_err_has "Usage: at" "at -Z"   # Debian's word
expect "at: option requires an argument -- 'q'" "$AT" -q
expect "atq: option requires an argument -- 'o'" "$BIN/atq" -o
expect "at: unrecognized option '--foo'" "$AT" --foo
expect "at: option '--config' requires an argument" "$AT" --config
expect "at: invalid queue '1': a queue is one letter a-z or A-Z" "$AT" -q 1 now
expect "at: give the numbers of the jobs" "$AT" -c

# Another user's job; a user at.deny lists.
echo 'true' >"$TEST_TMP/job"
chmod 0644 "$TEST_TMP/job"
echo nobody >"$TEST_TMP/at.deny"
expect "You do not have permission to use at. crond: you (nobody) are not allowed to use at (listed in $TEST_TMP/at.deny)" \
    as_nobody "$AT" -f "$TEST_TMP/job" now
expect "You do not have permission to use atq. crond: you (nobody) are not allowed to use at (listed in $TEST_TMP/at.deny)" \
    as_nobody "$BIN/atq"
# Debian's at checks at.deny before anything else it could complain of: a
# time, a file, a -u user, a job number (was: those errors first).
deny="you (nobody) are not allowed to use at (listed in $TEST_TMP/at.deny)"
for args in "bogus" "now - 1 day" "-f /nonexistent now" "-u no-such-user-here now" \
    "-u no-such-user-here -f /nonexistent now"; do
    # shellcheck disable=SC2086 # one word each, on purpose
    expect "You do not have permission to use at. crond: $deny" as_nobody "$AT" $args </dev/null
    [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || { show_last; fail "at $args: more than the refusal"; }
done
expect "You do not have permission to use atrm. crond: $deny" as_nobody "$BIN/atrm" x
expect "You do not have permission to use atq. crond: $deny" as_nobody "$BIN/atq" x
expect "You do not have permission to use at. crond: $deny" as_nobody "$AT" -c x
# allowed, the same commands say what is wrong
expect "Garbled time at 'bogus'" "$AT" bogus </dev/null
expect "atrm: unknown jobid: x" "$BIN/atrm" x
expect "atq: invalid job number: x" "$BIN/atq" x
# -t is read among the options, -V or not
expect "invalid date format: bad" "$AT" -V -t bad
: >"$TEST_TMP/at.deny"
expect "1: Not owner" as_nobody "$AT" -c 1
expect "1: Not owner" as_nobody "$BIN/atrm" 1

# What succeeds: Debian's lines exactly.
run "$AT" -f "$TEST_TMP/job" -t 203001010000
expect_rc 0 "at -f -t"
[ "$ERR" = "warning: commands will be executed using /bin/sh
job 2 at Tue Jan  1 00:00:00 2030" ] || { show_last; fail "at's lines on success"; }
run "$AT" -V
expect_rc 0 "at -V"
starts "at version " "$ERR"
# 0 is a number no job has, as in Debian: the others are still removed
run "$BIN/atrm" 0 2
expect_rc 1 "atrm 0 2"
[ "$ERR" = "Cannot find jobid 0" ] || { show_last; fail "atrm 0 2"; }
"$BIN/atq" | grep -q "^2[[:space:]]" && fail "atrm 0 2 did not remove job 2"
expect "Cannot find jobid 0" "$AT" -c 0
# -f - is the file called "-", as in Debian's at, not standard input.
cd "$TEST_TMP" || fail "cd"
run "$AT" -f - now+1hour <<<"echo from-stdin"
expect_rc 1 "at -f - without a file called -"
[ "$ERR" = "warning: commands will be executed using /bin/sh
Cannot open input file -: No such file or directory" ] ||
    { show_last; fail "at -f -: Debian's two lines"; }
# A file that opens but is refused is not "Cannot open input file".
head -c 1048577 /dev/zero | tr '\0' '#' >"$TEST_TMP/big"
run "$AT" -f "$TEST_TMP/big" now+1hour
expect_rc 1 "at -f a file over the cap"
[ "$ERR" = "warning: commands will be executed using /bin/sh
at: cannot read the job from $TEST_TMP/big: file is 1048577 bytes, larger than 1048576" ] ||
    { show_last; fail "at -f a file over the cap"; }
echo "echo from-dash-file" >"$TEST_TMP/-"
run "$AT" -f - now+1hour <<<"echo from-stdin"
expect_rc 0 "at -f - with a file called -"
dash_job=$(sed -n 's/^job \([0-9]*\) .*/\1/p' <<<"$ERR")
run "$AT" -c "$dash_job"
expect_rc 0 "at -c of the -f - job"
grep -q "from-dash-file" <<<"$OUT" && ! grep -q "from-stdin" <<<"$OUT" ||
    { show_last; fail "at -f - read standard input, not the file called -"; }
"$BIN/atrm" "$dash_job"
rm -f "$TEST_TMP/-"
stop_crond
echo ok
