#!/bin/bash
# tests/whole/crond_maintenance.sh: the package's /etc/crontab (etc/crontab)
# runs /etc/cron.daily through run-parts at 06:25; after downtime across
# 06:25 (two days missed) it runs cron.daily once at start, not once per
# missed day, and hourly work is not caught up; with anacron installed the
# daily work is left to it. The crontab is the repository's own, with its
# /etc/cron.* and /usr/sbin/anacron paths moved into TEST_TMP.
. "$ROOT/tests/whole/lib.sh"
need_crond
export TZ=UTC
write_conf "sendmail ="
etc=$TEST_TMP/etc
out=$TEST_TMP/out
mkdir -p "$out"
for d in hourly daily weekly monthly; do
    mkdir -p "$etc/cron.$d"
    printf '#!/bin/sh\necho %s >>%s/%s\n' "$d" "$out" "$d" >"$etc/cron.$d/stamp"
    chmod 0755 "$etc/cron.$d/stamp"
    cp "$ROOT/etc/cron.$d/.placeholder" "$etc/cron.$d/"   # run-parts skips it
done
sed -e "s|/etc/cron\\.|$etc/cron.|g" -e "s|/usr/sbin/anacron|$TEST_TMP/anacron|g" \
    "$ROOT/etc/crontab" >"$TEST_TMP/crontab"
grep -q "$etc/cron.daily" "$TEST_TMP/crontab" || fail "etc/crontab does not run cron.daily"
run "$BIN/crond" -x --config "$CONF"
expect_rc 0 "crond -x on etc/crontab"
lines() { [ -e "$out/$1" ] && wc -l <"$out/$1" || echo 0; }

# Some day, 06:24:58 UTC: cron.daily runs at 06:25.
day=$(( $(date +%s) / 86400 * 86400 - 10 * 86400 ))
start_crond --test-clock $(( day + 6 * 3600 + 25 * 60 - 2 ))
for _ in $(seq 1 50); do [ "$(lines daily)" -ge 1 ] && break; sleep 0.1; done
stop_crond
[ "$(lines daily)" -eq 1 ] || fail "cron.daily did not run at 06:25"

# Off until two days later, 08:00: cron.daily runs once, right after start.
start_crond --test-clock $(( day + 2 * 86400 + 8 * 3600 ))
daily_caught_up() { [ "$(lines daily)" -ge 2 ]; }
wait_for 20 "cron.daily caught up after the downtime" daily_caught_up
sleep 1   # time for a second run, if there were one
stop_crond
[ "$(lines daily)" -eq 2 ] || fail "cron.daily ran $(( $(lines daily) - 1 )) times after the downtime, not once"
grep -q "CATCHUP (test -x $TEST_TMP/anacron || { cd / && run-parts --report $etc/cron.daily; }" \
    "$TEST_TMP/crond.log" || fail "no CATCHUP line for cron.daily"
[ "$(lines hourly)" -eq 0 ] || fail "hourly work was caught up"

# With anacron installed, the daily work is anacron's.
printf '#!/bin/sh\nexit 0\n' >"$TEST_TMP/anacron"
chmod 0755 "$TEST_TMP/anacron"
start_crond --test-clock $(( day + 4 * 86400 + 6 * 3600 + 25 * 60 - 2 ))
for _ in $(seq 1 50); do grep -q 'END (pid=[0-9]* status=0' "$TEST_TMP/crond.log" && break; sleep 0.1; done
sleep 2.5
stop_crond
[ "$(lines daily)" -eq 2 ] || fail "cron.daily ran beside anacron"
echo "crond_maintenance: ok"
