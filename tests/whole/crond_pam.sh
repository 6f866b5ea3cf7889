#!/bin/bash
# tests/whole/crond_pam.sh: pam = yes runs each job through crond-session
# with a PAM service of the test's own (/etc/pam.d/crond-test-PID, named by
# pam_service, removed at the end): pam_env's variables reach the job (the
# job's own assignments and crond's PATH win), pam_limits' limit applies
# to the job, an expired account's job does not run and is logged and
# recorded as refused, a job's exit status, death by a signal and timeout
# reach the log unchanged, and at jobs get the same (with the at rule for
# a directory that is gone). A plain command is exec'd by the helper
# without the shell (its parent is crond-session), and its death by a
# signal is reported as dash would (exit 139, dash's line). crond -x names
# what pam = yes lacks. Needs root (PAM sessions, useradd).
. "$ROOT/tests/whole/lib.sh"
need_crond
if [ "$(id -u)" != 0 ]; then echo "SKIP: crond_pam needs root"; exit 0; fi
moddir=$(dirname "$(find /lib /usr/lib -name pam_env.so -print -quit 2>/dev/null)")
[ -e "$moddir/pam_limits.so" ] && [ -e "$moddir/pam_unix.so" ] \
    || { echo "SKIP: PAM modules not found"; exit 0; }
[ -x "$BIN/crond-session" ] || fail "crond-session is not built in $BIN"

service=crond-test-$$
ok_user=crpam$$
exp_user=crexp$$
cleanup_pam() {
    cleanup_crond
    rm -f "/etc/pam.d/$service"
    userdel "$ok_user" 2>/dev/null
    userdel "$exp_user" 2>/dev/null
}
trap cleanup_pam EXIT
useradd -M -d "$TEST_TMP" -s /bin/sh -G mail "$ok_user" || fail "useradd $ok_user"
useradd -M -d "$TEST_TMP" -s /bin/sh -e 1970-01-02 "$exp_user" || fail "useradd $exp_user"

cat >"$TEST_TMP/environment" <<EOF
CROND_PAM_TEST=from-pam-env
OVERRIDE=from-pam
PATH=/from/pam
EOF
: >"$TEST_TMP/pam_env.conf"
echo "$ok_user - nofile 123" >"$TEST_TMP/limits.conf"
# A session module that says under which umask PAM runs (as root).
# It also counts the sessions closed, by user.
printf '#!/bin/sh\n[ "$PAM_TYPE" = open_session ] && umask >%s/pam-umask
[ "$PAM_TYPE" = close_session ] && echo "$PAM_USER" >>%s/pam-closed\nexit 0\n' \
    "$TEST_TMP" "$TEST_TMP" >"$TEST_TMP/umask-probe"
chmod 0755 "$TEST_TMP/umask-probe"
cat >"/etc/pam.d/$service" <<EOF
account  required pam_unix.so
session  optional pam_exec.so $TEST_TMP/umask-probe
session  optional pam_loginuid.so
session  required pam_env.so conffile=$TEST_TMP/pam_env.conf envfile=$TEST_TMP/environment
session  required pam_limits.so conf=$TEST_TMP/limits.conf
EOF

out=$TEST_TMP/out
mkdir -m 0777 "$out"
printf '#!/bin/sh\ncat /proc/$PPID/comm >%s/plain-parent.out\n' "$out" >"$out/plain-parent"
printf '#!/bin/sh\necho dying\nkill -SEGV $$\n' >"$out/plain-segv"
chmod 0755 "$out/plain-parent" "$out/plain-segv"
write_conf "pam = yes" "pam_service = $service" "session_helper = $BIN/crond-session"
cat >"$TEST_TMP/cron.d/pam" <<EOF
MAILTO=""
OVERRIDE=from-crontab
* * * * * $ok_user env | sort >$out/env; ulimit -n >$out/nofile; cat /proc/self/loginuid >$out/loginuid; id -un >$out/who; pwd >$out/pwd
* * * * * $ok_user exit 3
* * * * * $ok_user kill -USR1 \$\$
* * * * * $exp_user touch $out/expired-ran
* * * * * $ok_user $out/plain-parent
* * * * * $ok_user $out/plain-segv
SECRET_TOKEN=hunter2-$$
* * * * * $ok_user echo \$\$ >$out/secret-job; exec tail -f /dev/null
HOME=/nonexistent/pam-home
* * * * * $ok_user pwd >$out/pwd-nohome
* * * * * $ok_user kill -s 0 -- -\$\$ && echo leader >$out/group; sleep 300 & kill -- -\$\$
CRON_TIMEOUT=1s
* * * * * $ok_user sleep 30
EOF
# An account PAM refuses gets no mail either (nothing may run as it,
# sendmail neither), whatever its MAILTO: a review found one that did.
printf 'MAILTO=root\n* * * * * %s echo expired-mail\n' "$exp_user" >"$TEST_TMP/cron.d/pam-exp"
# The helper's words on a shell it cannot execute keep their reason when
# the path is longer than they may be (lib/failtext.h): 240 bytes cut it.
long=/nonexistent
for _ in $(seq 1 20); do long+=/$(printf 'd%.0s' $(seq 1 100)); done
printf 'MAILTO=""\nSHELL=%s/shell\n* * * * * %s echo long-shell\n' "$long" "$ok_user" \
    >"$TEST_TMP/cron.d/pam-long"
chmod 0644 "$TEST_TMP/cron.d/pam" "$TEST_TMP/cron.d/pam-exp" "$TEST_TMP/cron.d/pam-long"
now=$(date +%s)
start_crond --test-clock $(before_next_minute 2)
for _ in $(seq 1 300); do
    [ -s "$out/pwd" ] && [ -s "$out/pwd-nohome" ] && grep -q "signal=10" "$TEST_TMP/crond.log" \
        && grep -q "status=3" "$TEST_TMP/crond.log" && grep -q "$exp_user) FAIL" "$TEST_TMP/crond.log" \
        && grep -q "timed-out" "$TEST_TMP/crond.log" \
        && [ -s "$out/plain-parent.out" ] && grep -q "status=139" "$TEST_TMP/crond.log" \
        && [ -s "$out/group" ] && grep -q "FAIL .*long-shell" "$TEST_TMP/crond.log" && break
    sleep 0.1
done
sleep 0.5
[ -s "$out/pwd" ] || fail "the job did not run through PAM"
grep -q "($exp_user) FAIL .*expired-mail" "$TEST_TMP/crond.log" ||
    fail "the expired account's mailed entry was not refused"
grep -q "expired-mail" "$TEST_TMP/mail.log" 2>/dev/null && fail "an account PAM refused was mailed"
grep -q "($exp_user) MAIL" "$TEST_TMP/crond.log" && fail "sendmail ran for an account PAM refused"
grep -q "($ok_user) FAIL (pid=[0-9]* cannot start echo long-shell: cannot execute /nonexistent/[d/]*\.\.\.: No such file or directory)" \
    "$TEST_TMP/crond.log" || fail "the helper's FAIL line for a shell under a long path lost its reason"
# A home that cannot be entered: the helper runs the job in /, as crond does.
[ "$(cat "$out/pwd-nohome" 2>/dev/null)" = / ] ||
    fail "the job whose home cannot be entered ran in '$(cat "$out/pwd-nohome" 2>/dev/null)' through PAM"

# The job's environment travels to the helper as its own environment, every
# name prefixed (crond/session.h): a crontab's secret is never in the
# helper's /proc/PID/cmdline (anyone's to read), and its /proc/PID/environ
# is root's alone. The helper became the job; the copy of it that keeps
# the session (until the job ends) is what is left to look at.
[ -s "$out/secret-job" ] || fail "the job with SECRET_TOKEN did not run"
helper=$(pgrep -f '^[^ ]*crond-session .*exec tail -f /dev/null' | head -n 1)
[ -n "$helper" ] && [ -r "/proc/$helper/cmdline" ] ||
    fail "no crond-session keeps the session of the job with SECRET_TOKEN: $(ps -ef | grep crond-session)"
tr '\0' ' ' <"/proc/$helper/cmdline" | grep -q "hunter2-$$" \
    && fail "the helper's command line shows the job's environment: $(tr '\0' ' ' <"/proc/$helper/cmdline")"
tr '\0' '\n' <"/proc/$helper/environ" | grep -qx "CRONDJOB_SECRET_TOKEN=hunter2-$$" \
    || fail "the helper's environment lacks the prefixed job variable"
if command -v setpriv >/dev/null; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups cat "/proc/$helper/environ" >/dev/null 2>&1 \
        && fail "nobody can read the helper's environment"
fi

# The job, as its owner, in its home, with PAM's environment under its own.
[ "$(cat "$out/who")" = "$ok_user" ] || fail "job ran as $(cat "$out/who")"
[ "$(cat "$out/pwd")" = "$TEST_TMP" ] || fail "job ran in $(cat "$out/pwd")"
grep -qx 'CROND_PAM_TEST=from-pam-env' "$out/env" || fail "pam_env's variable missing: $(cat "$out/env")"
grep -qx 'OVERRIDE=from-crontab' "$out/env" || fail "the crontab's assignment lost to pam_env's"
grep -qx 'PATH=/usr/bin:/bin' "$out/env" || fail "crond's PATH lost to pam_env's"
grep -qx "LOGNAME=$ok_user" "$out/env" || fail "LOGNAME is not the owner"
# pam_limits applied to the job
[ "$(cat "$out/nofile")" = 123 ] || fail "ulimit -n is $(cat "$out/nofile"), not pam_limits' 123"

# pam_loginuid (optional here: a container may forbid it) set the owner's.
if sh -c 'echo 0 >/proc/self/loginuid' 2>/dev/null; then
    [ "$(cat "$out/loginuid")" = "$(id -u "$ok_user")" ] || fail "loginuid is $(cat "$out/loginuid")"
fi

# The job's own outcome, through the helper.
grep -q "($ok_user) END (pid=[0-9]* status=3 " "$TEST_TMP/crond.log" || fail "exit 3 did not reach the log"
grep -q "($ok_user) END (pid=[0-9]* signal=10 " "$TEST_TMP/crond.log" \
    || fail "death by SIGUSR1 did not reach the log"

# The job's shell leads its process group, as without PAM and under
# Debian's cron: `kill -- -$$` reaches the job's own processes, and ends
# the job as the signal would have without PAM.
[ "$(cat "$out/group")" = leader ] || fail "the job's shell does not lead a process group"
grep -q "($ok_user) END (pid=[0-9]* signal=15 [0-9.]*s)" "$TEST_TMP/crond.log" \
    || fail "the job's kill -- -\$\$ did not end it by SIGTERM"
pgrep -u "$ok_user" -f '^sleep 300' >/dev/null && fail "the job's sleep outlived its kill -- -\$\$"

# A plain command: exec'd by the helper itself, no shell between; killed
# by SIGSEGV, it ends as under dash: exit 139, "Segmentation fault".
[ "$(cat "$out/plain-parent.out")" = crond ] ||
    fail "the plain command's parent is $(cat "$out/plain-parent.out"), not crond"
grep -q "($ok_user) END (pid=[0-9]* status=139 " "$TEST_TMP/crond.log" \
    || fail "the plain command's SIGSEGV is not exit 139 in the log"
run "$CRONTAB" -u "$ok_user" --json --history 40
expect_rc 0 "$ok_user's history"
case "$OUT" in
    *'"output": "dying\nSegmentation fault\n"'*) ;;
    *) show_last; fail "dash's line is not in the plain command's output" ;;
esac

# CRON_TIMEOUT's SIGTERM to the process group ends the job, which the
# helper became; the helper's keeper, outside the group, closes the session.
grep -q "($ok_user) END (pid=[0-9]* signal=15 [0-9.]*s timed-out" "$TEST_TMP/crond.log" \
    || fail "a timed-out job's SIGTERM did not reach the log"
# (A zombie left to init, which may reap it late, has ended.)
ps -o stat=,comm= -u "$ok_user" | grep -v '^Z' | grep -q sleep \
    && fail "the timed-out job is still running: $(ps -o pid,ppid,stat,cmd -u "$ok_user")"

# The expired account: not run, logged and recorded as refused.
[ ! -e "$out/expired-ran" ] || fail "the expired account's job ran"
grep -q "($exp_user) FAIL (pid=[0-9]* cannot start touch $out/expired-ran: account refused by PAM (service $service) for $exp_user: " \
    "$TEST_TMP/crond.log" || fail "no FAIL line for the expired account"
run "$CRONTAB" -u "$exp_user" --history
expect_rc 0 "the expired account's history"
case "$OUT" in
    *failed-to-start*"account refused by PAM"*) ;;
    *) show_last; fail "the history does not record the refusal" ;;
esac
stop_crond

# Every session opened was closed once its job ended: the timed-out one,
# the one the stop ended, and those that ended alone.
runs=$(grep -c "($ok_user) CMD " "$TEST_TMP/crond.log")
closed_all() { [ "$(grep -cx "$ok_user" "$TEST_TMP/pam-closed" 2>/dev/null)" -ge "$runs" ]; }
wait_for 10 "$runs sessions of $ok_user closed ($(grep -cx "$ok_user" "$TEST_TMP/pam-closed" 2>/dev/null))" closed_all
pgrep -f '^[^ ]*crond-session ' >/dev/null && fail "a crond-session is left: $(pgrep -af crond-session)"

# at jobs go through PAM too: pam_env's variable, and the at rule for a
# directory that is gone (the job's output says so, exit 1), kept by the
# helper's child. The job has its submitter's umask (000), PAM's modules,
# running as root, crond-session's 022 (the review's pam_exec module made
# a world-writable root file when they ran under the job's).
write_conf "pam = yes" "pam_service = $service" "session_helper = $BIN/crond-session"
: >"$TEST_TMP/at.deny"
mv "$TEST_TMP/cron.d/pam" "$TEST_TMP/pam.cron"
start_crond
as_user() { setpriv --reuid="$ok_user" --regid="$(id -g "$ok_user")" --init-groups "$@"; }
mkdir -m 0777 "$TEST_TMP/gone"
rm -f "$TEST_TMP/pam-umask"
(cd "$out" && echo "echo \$CROND_PAM_TEST >$out/at-env; umask >$out/at-umask; pwd >$out/at-pwd" |
    as_user sh -c "umask 000; exec $BIN/at now") >/dev/null 2>&1 || fail "at now (from $out)"
for _ in $(seq 1 50); do [ -s "$out/at-pwd" ] && break; sleep 0.1; done
[ "$(cat "$out/at-umask" 2>/dev/null)" = 0000 ] || fail "the at job's umask is $(cat "$out/at-umask"), not its submitter's 0000"
[ "$(cat "$TEST_TMP/pam-umask" 2>/dev/null)" = 0022 ] ||
    fail "PAM's session ran under umask $(cat "$TEST_TMP/pam-umask" 2>/dev/null), not 0022"
[ "$(cat "$out/at-env" 2>/dev/null)" = from-pam-env ] || fail "the at job did not get pam_env's variable"
[ "$(cat "$out/at-pwd")" = "$out" ] || fail "the at job ran in $(cat "$out/at-pwd")"
# The helper gives an at job the group its submitter had (sg mail at ...),
# one of the owner's; nobody asking for it gets nobody's own.
echo "id -g >$out/at-gid" | setpriv --reuid="$ok_user" --regid=mail --init-groups "$BIN/at" now \
    >/dev/null 2>&1 || fail "at now (group mail)"
echo "id -g >$out/at-gid-nobody" | setpriv --reuid=nobody --regid=mail --clear-groups \
    "$BIN/at" now >/dev/null 2>&1 || fail "at now (nobody, group mail)"
for _ in $(seq 1 50); do [ -s "$out/at-gid" ] && [ -s "$out/at-gid-nobody" ] && break; sleep 0.1; done
[ "$(cat "$out/at-gid" 2>/dev/null)" = "$(getent group mail | cut -d: -f3)" ] ||
    fail "the at job through PAM ran with group $(cat "$out/at-gid" 2>/dev/null), not mail"
[ "$(cat "$out/at-gid-nobody" 2>/dev/null)" = "$(id -g nobody)" ] ||
    fail "nobody's at job through PAM ran with group $(cat "$out/at-gid-nobody" 2>/dev/null)"
(cd "$TEST_TMP/gone" && echo "touch $out/at-gone-ran" | as_user "$BIN/at" now + 1 minute) \
    >/dev/null 2>&1 || fail "at now + 1 minute (from gone)"
stop_crond
rmdir "$TEST_TMP/gone"
start_crond --test-clock $(( $(date +%s) + 61 ))
for _ in $(seq 1 50); do grep -q "($ok_user) END (pid=[0-9]* status=1 " "$TEST_TMP/crond.log" && break; sleep 0.1; done
grep -q "($ok_user) END (pid=[0-9]* status=1 " "$TEST_TMP/crond.log" || fail "the at job from a gone directory did not end with status 1"
[ ! -e "$out/at-gone-ran" ] || fail "the at job from a gone directory ran elsewhere"
run as_user "$BIN/atq" --history
case "$OUT" in
    *" exit 1 "*"Execution directory inaccessible: ${TEST_TMP:0:20}"*) ;;
    *) show_last; fail "no 'Execution directory inaccessible' in the at job's history" ;;
esac
stop_crond

# pam = no: no helper at all (the job's parent is crond itself).
write_conf "pam = no" "session_helper = /nonexistent/crond-session"
mv "$TEST_TMP/pam.cron" "$TEST_TMP/cron.d/pam"
rm -f "$out/pwd"
start_crond --test-clock $(( (now / 60 + 3) * 60 - 2 ))
for _ in $(seq 1 60); do [ -s "$out/pwd" ] && break; sleep 0.1; done
[ -s "$out/pwd" ] || fail "pam = no: the job did not run without the helper"
grep -q 'CROND_PAM_TEST' "$out/env" && fail "pam = no: pam_env's variable reached the job"
stop_crond

# Bad values are refused with the key and line.
write_conf "pam = maybe" "pam_service = ../shadow"
run "$BIN/crond" -x --config "$CONF"
expect_rc 1 "bad pam values"
expect_err_has "pam must be yes or no, not 'maybe'" "pam = maybe"
expect_err_has "pam_service must be a name of letters, digits, '.', '_' and '-'" "pam_service = ../shadow"

# crond -x says what pam = yes lacks.
write_conf "pam = yes" "session_helper = /nonexistent/crond-session"
run "$BIN/crond" -x --config "$CONF"
expect_rc 1 "crond -x without the helper"
expect_err_has "crond: pam = yes: session_helper /nonexistent/crond-session: No such file or directory" "no helper"
write_conf "pam = yes" "pam_service = crond-test-none-$$" "session_helper = $BIN/crond-session"
run "$BIN/crond" -x --config "$CONF"
expect_rc 1 "crond -x without the PAM service"
expect_err_has "crond: pam = yes: PAM service /etc/pam.d/crond-test-none-$$: No such file or directory" "no service"
echo "crond_pam: ok"
