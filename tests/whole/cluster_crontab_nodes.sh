#!/bin/bash
# tests/whole/cluster_crontab_nodes.sh: a crontab installed through node a
# is listed, byte for byte, and removed through node b (one PostgreSQL
# spool), for root and for an ordinary user (nobody); each node's schedule
# follows within seconds (LISTEN/NOTIFY): b's crond reports the entry
# installed through a, and when the minute comes the entry removed through
# b runs nowhere, while the one left in place runs once in the cluster.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

out=$TEST_TMP/out
mkdir -m 0777 "$out"
node_conf a "max_clock_skew = 3600"
node_conf b "max_clock_skew = 3600"
# a minute boundary 15 s after the start, the same for both nodes
node_start_many "--test-clock $(minute_epoch_ahead 15)" a b
t0=$SECONDS
printf 'MAILTO=""\n# installed through a\n* * * * * echo root $(whichnode) >> %s/ran\n' "$out" >"$TEST_TMP/root.tab"
# (nobody's home, /nonexistent, is no place to start a job in)
printf 'MAILTO=""\nHOME=%s\n* * * * * echo nobody $(whichnode) >> %s/ran\n' "$out" "$out" >"$TEST_TMP/nobody.tab"
chmod 0644 "$TEST_TMP/nobody.tab"

on a "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "install through a"
on b "$CRONTAB" -l
expect_rc 0 "list through b"
expect_same_file "$TEST_TMP/root.tab" "$OUT_FILE" "crontab -l through b"
# b's crond has it in its schedule (crontab --status asks crond)
status_has() {   # NODE TEXT: the node's crond reports TEXT in its schedule
    on "$1" "$CRONTAB" --status --json
    [ "$RC" -eq 0 ] && case "$OUT" in *"$2"*) true ;; *) false ;; esac
}
wait_for 3 "node b's crond schedules the entry installed through a" status_has b "echo root"

on a "$CRONTAB" -u nobody -l
expect_rc 1 "nobody has no crontab yet"
CROND_CONF=$TEST_TMP/a/crond.conf run as_nobody "$CRONTAB" "$TEST_TMP/nobody.tab"
expect_rc 0 "nobody installs through a"
CROND_CONF=$TEST_TMP/b/crond.conf run as_nobody "$CRONTAB" -l
expect_rc 0 "nobody lists through b"
expect_same_file "$TEST_TMP/nobody.tab" "$OUT_FILE" "nobody's crontab -l through b"

on b "$CRONTAB" -r
expect_rc 0 "remove root's through b"
on a "$CRONTAB" -l
expect_rc 1 "root's crontab is gone through a"
expect_err_has "no crontab for root" "root's crontab is gone through a"
[ $((SECONDS - t0)) -le 10 ] || fail "the steps took $((SECONDS - t0)) s: the minute may have come already"

# The minute: nobody's entry runs once, on a or b; root's, removed through
# b, on neither (a heard of the removal).
ran_nobody() { [ -s "$out/ran" ] && grep -q '^nobody ' "$out/ran"; }
wait_for 30 "nobody's entry runs at the minute" ran_nobody
sleep 2   # time for a second run, or for root's, if there were one
grep -q '^root ' "$out/ran" && fail "root's entry, removed through b, still ran: $(cat "$out/ran")"
[ "$(grep -c '^nobody ' "$out/ran")" -eq 1 ] || fail "nobody's entry ran $(grep -c '^nobody ' "$out/ran") times: $(cat "$out/ran")"
echo "figure: nobody's entry ran on node $(cut -d' ' -f2 "$out/ran")"

CROND_CONF=$TEST_TMP/b/crond.conf run as_nobody "$CRONTAB" -r
expect_rc 0 "nobody removes through b"
CROND_CONF=$TEST_TMP/a/crond.conf run as_nobody "$CRONTAB" -l
expect_rc 1 "nobody's crontab is gone through a"
expect_err_has "no crontab for nobody" "nobody's crontab is gone through a"
node_stop a
node_stop b
echo ok
