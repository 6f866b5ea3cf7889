# tests/whole/crond_boot.sh: @reboot runs once per boot of the machine, not
# on every start of crond (the boot id is kept in the spool); CRON_CATCHUP=yes
# runs a missed entry once when crond comes back after downtime, and other
# entries are not caught up.
. "$ROOT/tests/whole/lib.sh"

write_conf "sendmail ="
out=$TEST_TMP/out
mkdir -m 0777 "$out"
cat >"$TEST_TMP/tab" <<EOF
@reboot echo boot >> $out/reboot
CRON_CATCHUP=yes
0 * * * * echo caught >> $out/catchup
CRON_CATCHUP=no
30 * * * * echo late >> $out/nocatch
EOF
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install (crond not running: root writes the spool)"

# 10:59:58 on some day: the hourly entry runs at 11:00.
day=$(( $(date +%s) / 86400 * 86400 ))
start_crond --test-clock "$(( day + 10 * 3600 + 59 * 60 + 58 ))"
ran_at_11() { [ -s "$out/catchup" ]; }
wait_for 20 "the hourly entry's run at 11:00" ran_at_11
[ "$(cat "$out/reboot" 2>/dev/null)" = boot ] || fail "@reboot did not run at the first start"
[ "$(cat "$out/catchup" 2>/dev/null)" = caught ] || fail "the hourly entry did not run at 11:00"
stop_crond

# Restart: same boot, @reboot does not run again.
start_crond --test-clock "$(( day + 11 * 3600 + 10 * 60 ))"
wait_for 10 "the note that @reboot was skipped" log_has 'REBOOT (not a new boot'
sleep 1   # time for a second @reboot run, if there were one
stop_crond
[ "$(wc -l <"$out/reboot")" -eq 1 ] || fail "@reboot ran again on a restart of crond"
grep -q 'REBOOT (not a new boot' "$TEST_TMP/crond.log" || fail "no note that @reboot was skipped"

# Down from 11:10 to 14:20: the catch-up entry missed 12:00, 13:00 and 14:00
# and runs once at start; the 30-minute entry is not caught up.
start_crond --test-clock "$(( day + 14 * 3600 + 20 * 60 ))"
caught_up() { [ "$(wc -l <"$out/catchup")" -ge 2 ]; }
wait_for 20 "the catch-up run at start" caught_up
sleep 0.5   # time for a second catch-up run, if there were one
stop_crond
[ "$(wc -l <"$out/catchup")" -eq 2 ] || fail "catch-up ran $(( $(wc -l <"$out/catchup") - 1 )) times, not once"
grep -q 'CATCHUP (echo caught' "$TEST_TMP/crond.log" || fail "no CATCHUP log line"
[ ! -e "$out/nocatch" ] || fail "an entry without CRON_CATCHUP was caught up"
echo ok
