# tests/whole/crond_dst.sh: the daemon across a DST change, as the preview
# says: in America/New_York on 2026-03-08 (02:00 EST -> 03:00 EDT) a
# fixed-time entry at 02:30 runs once at 03:00 EDT; on 2026-11-01 (02:00 EDT
# -> 01:00 EST) a fixed-time entry at 01:30 runs once, a wildcard entry twice.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
export TZ=America/New_York

write_conf "sendmail ="
out=$TEST_TMP/out
mkdir -m 0777 "$out"
cat >"$TEST_TMP/tab" <<EOF
30 2 * * * echo fixed >> $out/spring
30 1 * * * echo fixed >> $out/fall
30 * * * * echo wild >> $out/fall
EOF
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install"
run "$CRONTAB" --next 2 --from 2026-03-08T00:00
expect_rc 0 "preview"
echo "$OUT" | grep -q "^2026-03-08T01:30:00-05:00" || fail "preview: $OUT"

# Spring: 01:58 EST, a minute every second.
start_crond --test-clock "$(date -d '2026-03-08 06:58:00Z' +%s):60"
spring_ran() { [ -s "$out/spring" ]; }
wait_for 30 "the spring-forward day's 02:30 entry runs" spring_ran
sleep 1   # time for a second run, if there were one
stop_crond
[ "$(cat "$out/spring" 2>/dev/null)" = fixed ] || fail "02:30 did not run exactly once on the spring-forward day"
run "$CRONTAB" --history 5
echo "$OUT" | grep -q "2026-03-08.03:00" || fail "history does not show the 03:00 EDT run: $OUT"

# Fall: 00:58 EDT to 02:30 EST is 152 minutes: 7.6 s at 1200x.
rm -f "$out/fall"
start_crond --test-clock "$(date -d '2026-11-01 04:58:00Z' +%s):1200"
wild_thrice() { [ "$(grep -c wild "$out/fall" 2>/dev/null)" -ge 3 ]; }
wait_for 30 "the wildcard entry's runs at 01:30 EDT, 01:30 EST and 02:30 EST" wild_thrice
stop_crond
fixed=$(grep -c fixed "$out/fall")
wild=$(grep -c wild "$out/fall")
[ "$fixed" -eq 1 ] || fail "01:30 ran $fixed times on the fall-back day, not once"
[ "$wild" -ge 3 ] || fail "the wildcard entry ran $wild times (want 01:30 EDT, 01:30 EST, 02:30 EST)"
echo ok
