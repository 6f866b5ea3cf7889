# tests/whole/crond_jobs.sh: jobs as the daemon runs them: on time (test
# clock), as their owner, with only the documented environment, no inherited
# descriptor, default signal dispositions, output captured and capped, mail,
# CRON_OVERLAP=skip, CRON_TIMEOUT, a bad system crontab keeping the last good
# version, and SIGTERM with jobs running.
. "$ROOT/tests/whole/lib.sh"

write_conf "output_cap = 1000" "stop_grace = 2"
out=$TEST_TMP/out
mkdir -m 0777 "$out"
cat >"$TEST_TMP/cron.d/jobs" <<EOF
MAILTO=""
* * * * * root env | sort > $out/env; ls /proc/self/fd > $out/fds; grep -E '^SigIgn' /proc/self/status > $out/sig; id -un > $out/who; pwd > $out/pwd
* * * * * root head -c 5000000 /dev/zero | tr '\\\\0' x
HOME=$out
* * * * * nobody id -un > $out/nobody; cat > $out/stdin%line one%line two
# A shell may reset its signal mask at start-up; python does not, so the mask
# it reports is the one crond handed over. (Python ignores SIGPIPE and SIGXFSZ
# itself: its SigIgn is not crond's.)
SHELL=/usr/bin/python3
* * * * * root open("$out/mask", "w").write("".join(l for l in open("/proc/self/status") if l.startswith("SigBlk")))
EOF
chmod 0644 "$TEST_TMP/cron.d/jobs"
now=$(date +%s)
start=$(before_next_minute 2)
start_crond --test-clock "$start"
for _ in $(seq 1 60); do [ -s "$out/pwd" ] && [ -s "$out/nobody" ] && break; sleep 0.1; done
[ -s "$out/pwd" ] || fail "the root job did not run in its minute"

# as root, in root's home, with exactly the documented environment
[ "$(cat "$out/who")" = root ] || fail "job ran as $(cat "$out/who")"
[ "$(cat "$out/pwd")" = "$(getent passwd root | cut -d: -f6)" ] || fail "job ran in $(cat "$out/pwd")"
names=$(cut -d= -f1 "$out/env" | grep -v '^PWD$' | grep -v '^SHLVL$' | grep -v '^_$' | tr '\n' ' ')
[ "$names" = "HOME LOGNAME MAILTO PATH SHELL USER " ] || fail "unexpected environment: $names"
grep -qx 'PATH=/usr/bin:/bin' "$out/env" || fail "PATH is not the configured default"
grep -qx 'SHELL=/bin/sh' "$out/env" || fail "SHELL is not /bin/sh"
# no descriptor beyond 0-2 (ls shows its own directory descriptor, 3)
fds=$(tr '\n' ' ' <"$out/fds")
[ "$fds" = "0 1 2 3 " ] || fail "job inherited descriptors: $fds"
grep -qx 'SigIgn:	0000000000000000' "$out/sig" || fail "job inherited ignored signals: $(cat "$out/sig")"
for _ in $(seq 1 30); do [ -s "$out/mask" ] && break; sleep 0.1; done
grep -qx 'SigBlk:	0000000000000000' "$out/mask" || fail "job inherited a signal mask: $(cat "$out/mask")"
# as nobody, with HOME from the crontab, and the % text on stdin
[ "$(cat "$out/nobody")" = nobody ] || fail "nobody's job ran as $(cat "$out/nobody")"
printf 'line one\nline two\n' | cmp -s - "$out/stdin" || fail "stdin was not the % text: $(od -c "$out/stdin")"

# 5 MB of output with a 1000-byte cap: drained, counted, the job finished
for _ in $(seq 1 50); do grep -q 'output-truncated' "$TEST_TMP/crond.log" && break; sleep 0.1; done
grep -q 'END (pid=[0-9]* status=0 .*output-truncated' "$TEST_TMP/crond.log" || fail "large output job did not end cleanly"
stop_crond

# overlap, timeout and mail, on a clock where a minute lasts a second
rm -f "$TEST_TMP/cron.d/jobs"
cat >"$TEST_TMP/cron.d/extensions" <<EOF
CRON_OVERLAP=skip
* * * * * root sleep 2.5; echo slow
CRON_OVERLAP=allow
CRON_TIMEOUT=1s
* * * * * root sleep 30
CRON_TIMEOUT=none
MAILTO=ops@example.com
MAILFROM=crond@example.com
CONTENT_TYPE=text/html; charset=ISO-8859-1
CONTENT_TRANSFER_ENCODING=quoted-printable
*/3 * * * * root echo hello mail
EOF
# A sender sendmail could not take: mailed from the default one, as
# Debian's cron does (not left unsent).
cat >"$TEST_TMP/cron.d/badfrom" <<EOF
MAILTO=ops@example.com
MAILFROM=""
*/3 * * * * root echo mail from nobody named
EOF
chmod 0644 "$TEST_TMP/cron.d/extensions" "$TEST_TMP/cron.d/badfrom"
start=$(( now / 60 * 60 + 3600 ))
start_crond --test-clock "$start:60"
# about 6 s (minutes) for all of it; longer on a busy machine
wait_for 30 "CRON_OVERLAP=skip skips" log_has '(root) SKIP (previous run pid=[0-9]* still running: sleep 2.5; echo slow)'
wait_for 30 "CRON_TIMEOUT stops the job" log_has '(root) TIMEOUT (pid=[0-9]* after 1s, sent SIGTERM: sleep 30)'
wait_for 30 "the timed-out job recorded" log_has 'END (pid=[0-9]* signal=15 .* timed-out'
mailed() { grep -q '^hello mail$' "$TEST_TMP/mail.log" 2>/dev/null; }
wait_for 30 "a mail of the */3 entry" mailed
grep -q '^To: ops@example.com' "$TEST_TMP/mail.log" || fail "no mail to MAILTO"
grep -q '^From: crond@example.com' "$TEST_TMP/mail.log" || fail "MAILFROM not used"
wait_for 30 "the mail of an empty MAILFROM" grep -q '^mail from nobody named$' "$TEST_TMP/mail.log"
from=$(awk '/^From: / { f = $0 } /^mail from nobody named$/ { print f; exit }' "$TEST_TMP/mail.log")
[ "$from" = "From: root (Cron Daemon)" ] || fail "an empty MAILFROM gave '$from', not the default sender"
rm -f "$TEST_TMP/cron.d/badfrom"
grep -q '^Subject: Cron <root@.*> echo hello mail' "$TEST_TMP/mail.log" || fail "mail subject"
grep -q '^hello mail$' "$TEST_TMP/mail.log" || fail "mail body"
grep -q '^Content-Type: text/html; charset=ISO-8859-1$' "$TEST_TMP/mail.log" ||
    fail "CONTENT_TYPE not used"
grep -q '^Content-Transfer-Encoding: quoted-printable$' "$TEST_TMP/mail.log" ||
    fail "CONTENT_TRANSFER_ENCODING not used"

# a system crontab that stops parsing keeps its last good version
printf '* * * * * root sleep 2.5\n61 * * * * root broken\n' >"$TEST_TMP/cron.d/extensions"
wait_for 20 "the bad crontab logged" log_has 'extensions:2:1: minute 61 is out of range 0-59'
grep -q 'keeping the last good version' "$TEST_TMP/crond.log" || fail "last good version not kept"
kill -0 "$CROND_PID" || fail "crond died on a bad system crontab"

# SIGTERM while jobs run: they get SIGTERM, crond exits 0 within the grace
t0=$(date +%s)
stop_crond
t1=$(date +%s)
[ $((t1 - t0)) -le 5 ] || fail "stopping took $((t1 - t0)) s"
grep -q 'END (pid=[0-9]* signal=15 .*interrupted' "$TEST_TMP/crond.log" || fail "running job not interrupted and recorded"
echo ok
