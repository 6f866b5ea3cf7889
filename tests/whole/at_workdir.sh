#!/bin/bash
# tests/whole/at_workdir.sh: an at job whose working directory is gone (or
# can no longer be entered) when it falls due does not run anywhere else,
# as with Debian's atd: its output says "Execution directory inaccessible"
# and why, it is mailed to the owner, it ends with exit status 1, and
# `atq --history` shows that; `at -c` shows the same rule (no fallback).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
: >"$TEST_TMP/at.deny"          # everyone may use at
start_crond
export TZ=UTC
out=$TEST_TMP/out
mkdir -m 0777 "$out"

# Root's job, from a directory that is removed before it falls due; nobody's
# job, from a directory nobody owns that is then closed to nobody.
due=$(( ($(date +%s) / 60 + 60) * 60 ))
stamp=$(date -u -d "@$due" +%Y%m%d%H%M)
tag=crond-at-workdir-$$-$RANDOM   # a relative name no earlier run left behind
job='pwd > '$out'/$ID.ran; echo relative > '$tag'-$ID'
mkdir "$TEST_TMP/gone"
cd "$TEST_TMP/gone" || fail "cd"
run env ID=root bash -c "echo '$job' | '$BIN/at' -t $stamp"
expect_rc 0 "at -t (root, from a directory that will go)"
mkdir -m 0755 "$TEST_TMP/closed"
chown nobody "$TEST_TMP/closed"
cd "$TEST_TMP/closed" || fail "cd"
run as_nobody env ID=nobody bash -c "echo '$job' | '$BIN/at' -t $stamp"
expect_rc 0 "at -t (nobody, from a directory that will be closed)"
cd "$TEST_TMP" || fail "cd"

# What at -c shows is what will happen: the cd or nothing, no other directory.
run "$BIN/at" -c 1
expect_rc 0 "at -c 1"
printf '%s\n' "$OUT" | grep -qxF "cd $TEST_TMP/gone || {" || { show_last; fail "at -c: no cd line"; }
printf '%s\n' "$OUT" | grep -A2 -xF "cd $TEST_TMP/gone || {" |
    grep -qxF "	 echo 'Execution directory inaccessible' >&2" || fail "at -c: no refusal"
printf '%s\n' "$OUT" | grep -A3 -xF "cd $TEST_TMP/gone || {" | grep -qxF "	 exit 1" ||
    fail "at -c: no exit 1"

rmdir "$TEST_TMP/gone"
chown root "$TEST_TMP/closed"
chmod 0700 "$TEST_TMP/closed"
stop_crond
: >"$TEST_TMP/mail.log"
chmod 0666 "$TEST_TMP/mail.log"   # sendmail runs as each job's owner
start_crond --test-clock "$((due + 2))"
for _ in $(seq 1 100); do
    [ "$(grep -c '^--- end' "$TEST_TMP/mail.log")" -ge 2 ] && break
    sleep 0.1
done
sleep 0.5
for who in root nobody; do
    [ -e "$out/$who.ran" ] && fail "$who's job ran, in $(cat "$out/$who.ran")"
done
for home in "$(getent passwd root | cut -d: -f6)" "$(getent passwd nobody | cut -d: -f6)" "$TEST_TMP"; do
    ls "$home/$tag"-* >/dev/null 2>&1 && { rm -f "$home/$tag"-*; fail "a job's relative path acted in $home"; }
done

# Both mailed, each to its owner, with the reason.
grep -qxF "Execution directory inaccessible: $TEST_TMP/gone: No such file or directory" \
    "$TEST_TMP/mail.log" || { cat "$TEST_TMP/mail.log" >&2; fail "root was not mailed the reason"; }
grep -qxF "Execution directory inaccessible: $TEST_TMP/closed: Permission denied" \
    "$TEST_TMP/mail.log" || { cat "$TEST_TMP/mail.log" >&2; fail "nobody was not mailed the reason"; }
grep -q '^Subject: Output from your job        1$' "$TEST_TMP/mail.log" || fail "no mail for job 1"
grep -q '^Subject: Output from your job        2$' "$TEST_TMP/mail.log" || fail "no mail for job 2"
# As Debian's atd writes it: no From: (the mail system names the owner).
grep -q '^From:' "$TEST_TMP/mail.log" && fail "an at job's mail has a From: header"
grep -q '(root) END (pid=[0-9]* status=1 ' "$TEST_TMP/crond.log" || fail "no END status=1 for job 1"

# The history says why.
run "$BIN/atq" --history
expect_rc 0 "atq --history"
case "$(printf '%s\n' "$OUT" | sed -n 2p)" in
    *" exit 1 "*"   1  Execution directory inaccessible: "*) ;;
    *) show_last; fail "job 1 in root's history" ;;
esac
run as_nobody "$BIN/atq" --history
case "$(printf '%s\n' "$OUT" | sed -n 2p)" in
    *" exit 1 "*"   2  Execution directory inaccessible: "*) ;;
    *) show_last; fail "job 2 in nobody's history" ;;
esac
run "$BIN/atq"
expect_out "" "atq after both jobs"
stop_crond
echo ok
