#!/bin/bash
# tests/whole/crond_twin_entries.sh: two entries that are the same line
# (schedule, command), once under other assignments and once exactly, each
# run, as Debian's cron runs them.
#
# Fault: an entry's key (history, catch-up state, the queue's coalescing,
# a cluster's claim) covered its schedule, user, command and input only, so
# equal entries shared one: the second of each pair was skipped at every
# run, "SKIP (coalesced: a run of this entry is still waiting ...)" (found
# in the cluster review). Pass: both of each pair run every minute, nothing
# is coalesced, and crontab --status lists four entries with four keys.
. "$ROOT/tests/whole/lib.sh"
need_crond
export TZ=UTC
write_conf
out=$TEST_TMP/out
printf '%s\n' \
    'MAILTO=""' \
    "* * * * * echo a >> $out" \
    'PATH=/usr/bin:/bin:/usr/local/bin' \
    "* * * * * echo a >> $out" \
    "* * * * * echo b >> $out" \
    "* * * * * echo b >> $out" >"$TEST_TMP/tab"
# a minute every 2 s
start_crond --test-clock "$(before_next_minute 1):30"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install"
wait_for 20 "two minutes of runs" bash -c "[ \$(wc -l <'$out' 2>/dev/null || echo 0) -ge 8 ]"
sleep 1   # the minute's last runs
n_a=$(grep -c '^a$' "$out") n_b=$(grep -c '^b$' "$out")
[ "$n_a" = "$n_b" ] && [ $((n_a % 2)) = 0 ] ||
    fail "runs: $n_a of a, $n_b of b (each pair runs twice a minute)"
if grep -q "coalesced" "$TEST_TMP/crond.log"; then
    fail "a twin was coalesced: $(grep -m1 coalesced "$TEST_TMP/crond.log")"
fi
run "$CRONTAB" --status --json
expect_rc 0 "crontab --status --json"
keys=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len({e["key"] for c in json.load(sys.stdin)["crontabs"] for e in c["entries"]}))' 2>&1)
[ "$keys" = 4 ] || fail "crontab --status: $keys distinct keys, not 4: $OUT"
echo "# $n_a runs of each pair's line; 4 keys"
stop_crond
