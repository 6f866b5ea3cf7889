#!/bin/bash
# tests/whole/hardening_mail_hold.sh: a user who holds up their own mail
# cannot take crond's descriptors, nor anyone else's jobs or mail.
#
# Fault: sendmail runs as the job's owner, so nobody can stop every sendmail
# started for them (here the fake sendmail stops itself when not root) while
# 30 entries of theirs write output every minute. Was: a sendmail had no
# deadline and a user no bound on them, so stopped ones piled up (2
# descriptors each) until crond ran out of descriptors (ulimit 1024) and
# every user's jobs failed to start. Pass: nobody never has more sendmail
# processes than their job share (max_jobs 40: 8), the rest of their mail
# is refused with a rate-limited MAIL line, each stopped sendmail is ended
# after mail_timeout (TIMEOUT: SIGTERM and SIGCONT), root's mail still goes
# out every minute, and crond's descriptors stay few. Also: crond raised
# its own descriptor limit, and jobs get the limit it was started with.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user holding up mail is nobody"
export TZ=UTC

N=30
write_conf "max_jobs = 40" "mail_timeout = 2" "stop_grace = 1"
cat >"$TEST_TMP/sendmail" <<EOF
#!/bin/sh
[ "\$(id -u)" = 0 ] || kill -STOP \$\$
{ echo "sendmail \$*"; cat; echo "--- end"; } >>"$TEST_TMP/mail.log"
EOF
printf '* * * * * root echo root-mail nofile=$(ulimit -n)\n' >"$TEST_TMP/cron.d/root"
chmod 0644 "$TEST_TMP/cron.d/root"
{
    echo "HOME=/"
    for i in $(seq 1 $N); do echo "* * * * * echo out-$i"; done
} >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"

ulimit -Sn 1000
now=$(date +%s)
# a minute every 2 s
start_crond --test-clock "$(( (now / 60 + 1) * 60 - 2 )):30"
run as_nobody "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "nobody installs $N entries"

most=0 most_fds=0
held() { pgrep -u nobody -f "$TEST_TMP/sendmail" | wc -l; }
for _ in $(seq 1 40); do
    n=$(held)
    [ "$n" -le "$most" ] || most=$n
    fds=$(ls "/proc/$CROND_PID/fd" | wc -l)
    [ "$fds" -le "$most_fds" ] || most_fds=$fds
    sleep 0.25
done
[ "$most" -le 8 ] || fail "nobody had $most sendmail processes at once (at most 8: their job share)"
[ "$most" -ge 1 ] || fail "no sendmail of nobody's was ever seen: the test tested nothing"
log_has "(nobody) MAIL (not sent: 8 of the user's sendmail processes still running" ||
    fail "no MAIL line for the refused mail"
minutes=$(( ($(date +%s) - now) / 2 + 2 ))
refused=$(grep -c "(nobody) MAIL (not sent:" "$TEST_TMP/crond.log")
[ "$refused" -le $(( 5 * (minutes + 1) )) ] ||
    fail "$refused MAIL lines for refused mail in about $minutes minutes (5 per 10 s)"
log_has "(nobody) MAIL (not sent: .*; [0-9]* similar lines not logged)" ||
    fail "no MAIL line says how many were held back"
log_has "(nobody) TIMEOUT (pid=[0-9]* after 2s, sent SIGTERM: sendmail)" ||
    fail "no TIMEOUT line for a sendmail past mail_timeout"
# SIGTERM, then SIGCONT: a stopped sendmail ends at once, not 10 s later
timed=$(sed -n 's/.*(nobody) TIMEOUT (pid=\([0-9]*\) after 2s.*/\1/p' "$TEST_TMP/crond.log" | tail -n 1)
gone() { ! kill -0 "$timed" 2>/dev/null; }
wait_for 5 "the stopped sendmail $timed ended after its TIMEOUT" gone
roots=$(grep -c '^root-mail' "$TEST_TMP/mail.log" 2>/dev/null || true)
[ "${roots:-0}" -ge 3 ] || fail "root's mail went out only ${roots:-0} times in 5 minutes or more"
[ "$most_fds" -le 120 ] || fail "crond held $most_fds descriptors"
grep -q '^root-mail nofile=1000$' "$TEST_TMP/mail.log" ||
    fail "the job did not get the descriptor limit crond was started with: $(grep -m1 '^root-mail' "$TEST_TMP/mail.log")"
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$CROND_PID/limits")
hard=$(awk '/^Max open files/ { print $5 }' "/proc/$CROND_PID/limits")
[ "$soft" = "$hard" ] || [ "$soft" = 1048576 ] || fail "crond's descriptor limit is $soft of $hard"
! log_has "Too many open files" || fail "crond ran out of descriptors"
stop_crond

# a limit below what the configured limits may take is said at start
( ulimit -n 200; exec "$BIN/crond" -n --config "$CONF" ) >"$TEST_TMP/low.log" 2>&1 &
low=$!
wait_for 10 "the low-limit warning" grep -q "the descriptor limit (200) is below the 520 that max_jobs = 40 may need" "$TEST_TMP/low.log"
end_pid "$low"
echo "figure: nobody held at most $most sendmail processes, crond at most $most_fds descriptors, root mailed $roots times"
