#!/bin/bash
# A user's crontab --status must not hold the control thread for long:
# nobody installs a crontab of 10,000 entries and asks for its status in a
# loop, while root's crontab -l must still answer promptly. The status
# handler runs on the control thread; its work per request is bounded
# (crond/control/control_status.c), so another caller waits at most one bounded
# request.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf

awk 'BEGIN { print "MAILTO=\"\""; for (i = 0; i < 10000; i++) printf "%d 4 * * * :\n", i % 60 }' \
    >"$TEST_TMP/big.tab"
chmod 0644 "$TEST_TMP/big.tab"
printf '0 3 * * * echo root-job\n' >"$TEST_TMP/root.tab"
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "install root's crontab"
start_crond
run as_nobody "$CRONTAB" "$TEST_TMP/big.tab"
expect_rc 0 "nobody installs 10,000 entries"

# Ten finished runs per entry, each with 4 KiB of output kept (output_cap
# allows 256 KiB), written into the spool while crond is stopped: running
# 100,000 jobs would take too long here.
run as_nobody "$CRONTAB" --status --json
expect_rc 0 "the entries' keys"
printf '%s\n' "$OUT" | grep -o '"key": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' >"$TEST_TMP/keys"
[ "$(wc -l <"$TEST_TMP/keys")" -eq 10000 ] || fail "expected 10,000 keys, got $(wc -l <"$TEST_TMP/keys")"
stop_crond
uid=$(id -u nobody)
{
    echo "BEGIN;"
    echo "CREATE TEMP TABLE k (key TEXT);"
    sed "s/.*/INSERT INTO k VALUES ('&');/" "$TEST_TMP/keys"
    echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)"
    echo "INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms, start_ms, end_ms,"
    echo "  exit_code, signal, flags, output_head, output_total)"
    echo "SELECT 'cron', 'nobody', $uid, key, ':', i * 60000, i * 60000, i * 60000 + 5, 0, 0, 0,"
    echo "  zeroblob(4096), 4096 FROM k, n;"
    echo "COMMIT;"
} | sqlite3 "$TEST_TMP/spool/crond.db" || fail "cannot fill the history"
start_crond

# One request alone: how long the handler takes.
t0=$(date +%s%N)
run as_nobody "$CRONTAB" --status --tz UTC
t1=$(date +%s%N)
expect_rc 0 "nobody's --status"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 10000 ] || fail "expected 10,000 rows, got $(printf '%s\n' "$OUT" | wc -l)"
echo "figure: one crontab --status of 10,000 entries: $(( (t1 - t0) / 1000000 )) ms"

# nobody asks again and again; root's crontab -l meanwhile.
( for i in $(seq 1 400); do as_nobody "$CRONTAB" --status >/dev/null 2>&1 || true; done ) &
hog=$!
sleep 1
worst=0
for i in $(seq 1 10); do
    t0=$(date +%s%N)
    run "$CRONTAB" -l
    t1=$(date +%s%N)
    expect_rc 0 "root's crontab -l"
    ms=$(( (t1 - t0) / 1000000 ))
    [ $ms -gt $worst ] && worst=$ms
    sleep 0.2
done
kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null
echo "figure: root's crontab -l while nobody loops --status: worst ${worst} ms of 10"
[ $worst -lt ${STATUS_DOS_MAX_MS:-1500} ] || fail "root's crontab -l waited ${worst} ms behind nobody's --status"
stop_crond
