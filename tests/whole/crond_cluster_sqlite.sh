#!/bin/bash
# A single machine with the SQLite spool is no cluster: the cluster keys
# and CRON_NODES are accepted and change nothing. crond starts no cluster
# thread and claims nothing (every entry runs, CRON_NODES=one or all), and
# crontab --history has no NODE column (--json: "node": null). Bad values
# are refused with file, line and column.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf "node = test-node.1" "node_timeout = 10" "max_clock_skew = 1" "cluster_resync = 5"

cat >"$TEST_TMP/a.tab" <<'TAB'
MAILTO=""
* * * * * echo shared-entry
CRON_NODES=all
* * * * * echo every-node-entry
CRON_NODES=one
* * * * * echo shared-again
TAB
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install with CRON_NODES"
# 2026-01-01T00:00Z in 3 s: the test clock is far from the real one, which
# would refuse every claim on a shared spool (max_clock_skew = 1), not here.
start_crond --test-clock=1767225597

three_runs() {
    run "$CRONTAB" --history --tz UTC
    WAIT_WHY=$OUT
    [ "$(printf '%s\n' "$OUT" | grep -c '^2026-01-01 00:00.* exit 0 ')" -ge 3 ]
}
wait_for 30 "three runs recorded" three_runs
header=$(printf '%s\n' "$OUT" | head -n 1)
case "$header" in *NODE*) fail "a NODE column on a single machine: $header" ;; esac
for cmd in shared-entry every-node-entry shared-again; do
    printf '%s\n' "$OUT" | grep -q "echo $cmd" || fail "$cmd did not run: $OUT"
done
if grep -q "CLUSTER\|CLOCK_SKEW\|claimed by another" "$TEST_TMP/crond.log"; then
    fail "cluster lines on an SQLite spool: $(grep "CLUSTER\|CLOCK_SKEW\|claimed" "$TEST_TMP/crond.log")"
fi

run "$CRONTAB" --json --history 1
expect_rc 0 "--history --json"
printf '%s\n' "$OUT" | grep -q '"node": null' || fail "--json: no \"node\": null: $OUT"

# A bad CRON_NODES: refused with its place, the crontab kept.
printf '* * * * * true\nCRON_NODES=some\n' >"$TEST_TMP/bad.tab"
run "$CRONTAB" "$TEST_TMP/bad.tab"
expect_rc 1 "CRON_NODES=some"
expect_err_has "2:12: CRON_NODES must be 'one' or 'all', not 'some'" "CRON_NODES=some"
run "$CRONTAB" -l
printf '%s\n' "$OUT" | grep -q "shared-again" || fail "the bad crontab replaced the good one"
stop_crond

# A bad node name: crond does not start, and says where.
write_conf "node = no/slash"
run "$BIN/crond" -n --config "$CONF"
expect_rc 1 "node = no/slash"
expect_err_has "crond.conf:12: node must be 1 to 64 bytes of letters, digits, '.', '_' and '-', not 'no/slash'" "node = no/slash"
echo "crond_cluster_sqlite: ok"
