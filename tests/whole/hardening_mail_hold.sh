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
# out every minute, and crond's descriptors stay few; two users holding
# their mail together still leave root's mail its slot. Also: crond raised
# its own descriptor limit, and jobs get the limit it was started with.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user holding up mail is nobody"
export TZ=UTC

N=30
# after write_conf, which writes the plain one
stopping_sendmail() {
    cat >"$TEST_TMP/sendmail" <<EOF
#!/bin/sh
[ "\$(id -u)" = 0 ] || kill -STOP \$\$
{ echo "sendmail \$*"; cat; echo "--- end"; } >>"$TEST_TMP/mail.log"
EOF
}
write_conf "max_jobs = 40" "mail_timeout = 2" "stop_grace = 1"
stopping_sendmail
printf '* * * * * root echo root-mail nofile=$(ulimit -n)\n' >"$TEST_TMP/cron.d/root"
chmod 0644 "$TEST_TMP/cron.d/root"
{
    echo "HOME=/"
    for i in $(seq 1 $N); do echo "* * * * * echo out-$i"; done
} >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"

ulimit -Sn 1000
now=$(date +%s) began=$(date +%s%N)
# a minute every 2 s
start_crond --test-clock "$(before_next_minute 2):30"
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
# 5 lines per 10 s of crond's clock, which runs 30 times fast
minutes=$(( ($(date +%s) - now) / 2 + 2 ))
bound=$(rate_bound 5 "$began" "" 30)
refused=$(grep -c "(nobody) MAIL (not sent:" "$TEST_TMP/crond.log")
[ "$refused" -le "$bound" ] ||
    fail "$refused MAIL lines for refused mail in about $minutes minutes (5 per 10 s)"
log_has "(nobody) MAIL (not sent: .*; [0-9]* similar lines\{0,1\} not logged)" ||
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

# Two users together cannot take root's mail: the users' sendmail processes
# leave the slots kept for root and the system crontabs (reserved_jobs:
# here max_jobs / 8 = 1). Was: nobody's 4 and daemon's 4 stopped sendmails
# filled max_jobs = 8, and root's mail was refused every minute after.
mv "$TEST_TMP/crond.log" "$TEST_TMP/crond1.log"
write_conf "max_jobs = 8" "max_jobs_per_user = 4" "mail_timeout = 300" "stop_grace = 1"
stopping_sendmail
roots_before=$(grep -c '^root-mail' "$TEST_TMP/mail.log" 2>/dev/null || true)
{
    echo "HOME=/"
    for i in $(seq 1 6); do echo "* * * * * echo out-$i"; done
} >"$TEST_TMP/tab6"
chmod 0644 "$TEST_TMP/tab6"
start_crond --test-clock "$(before_next_minute 2):30"
run as_nobody "$CRONTAB" "$TEST_TMP/tab6"
expect_rc 0 "nobody installs 6 entries"
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" "$TEST_TMP/tab6"
expect_rc 0 "daemon installs 6 entries"
users_held() { pgrep -f "$TEST_TMP/sendmail" -u nobody,daemon | wc -l; }
both=0
for _ in $(seq 1 60); do
    n=$(users_held)
    [ "$n" -le "$both" ] || both=$n
    sleep 0.25
done
[ "$both" -le 7 ] || fail "nobody and daemon held $both sendmail processes (at most 7: max_jobs less the 1 kept)"
[ "$both" -ge 5 ] || fail "only $both sendmail processes held: the test tested nothing"
log_has "users' sendmail processes still running (max_jobs less the 1 kept for root" ||
    fail "no MAIL line for the users' mail past their slots"
roots2=$(( $(grep -c '^root-mail' "$TEST_TMP/mail.log" 2>/dev/null || true) - ${roots_before:-0} ))
[ "${roots2:-0}" -ge 5 ] || fail "root's mail went out only ${roots2:-0} times in about 7 minutes beside two users' held mail"
! log_has "(root) MAIL (not sent" || fail "root's mail was refused"
stop_crond
pkill -KILL -f "$TEST_TMP/sendmail" 2>/dev/null

echo "figure: nobody held at most $most sendmail processes, crond at most $most_fds descriptors, root mailed $roots times; with daemon too, they held $both and root mailed $roots2 times"
