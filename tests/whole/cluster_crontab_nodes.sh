#!/bin/bash
# tests/whole/cluster_crontab_nodes.sh: a crontab installed through node a
# is listed, byte for byte, and removed through node b (one PostgreSQL
# spool); each node's schedule follows within a second or two (LISTEN/
# NOTIFY): b's crond reports the entry installed through a, and a's reports
# it gone once b removed it. The same for an ordinary user (nobody).
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
need_crond
need_pg
pg_newdb

node_conf a
node_conf b
node_start_many "" a b
printf 'MAILTO=""\n# installed through a\n17 3 * * * echo from-a\n' >"$TEST_TMP/root.tab"
printf '5 4 * * * echo nobody-job\n' >"$TEST_TMP/nobody.tab"
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
status_lacks() {
    on "$1" "$CRONTAB" --status --json
    [ "$RC" -eq 0 ] && case "$OUT" in *"$2"*) false ;; *) true ;; esac
}
wait_for 3 "node b's crond schedules the entry installed through a" status_has b "echo from-a"

on a "$CRONTAB" -u nobody -l
expect_rc 1 "nobody has no crontab yet"
CROND_CONF=$TEST_TMP/a/crond.conf run as_nobody "$CRONTAB" "$TEST_TMP/nobody.tab"
expect_rc 0 "nobody installs through a"
CROND_CONF=$TEST_TMP/b/crond.conf run as_nobody "$CRONTAB" -l
expect_rc 0 "nobody lists through b"
expect_same_file "$TEST_TMP/nobody.tab" "$OUT_FILE" "nobody's crontab -l through b"
CROND_CONF=$TEST_TMP/b/crond.conf run as_nobody "$CRONTAB" -r
expect_rc 0 "nobody removes through b"
CROND_CONF=$TEST_TMP/a/crond.conf run as_nobody "$CRONTAB" -l
expect_rc 1 "nobody's crontab is gone through a"
expect_err_has "no crontab for nobody" "nobody's crontab is gone through a"

on b "$CRONTAB" -r
expect_rc 0 "remove root's through b"
on a "$CRONTAB" -l
expect_rc 1 "root's crontab is gone through a"
expect_err_has "no crontab for root" "root's crontab is gone through a"
wait_for 3 "node a's crond drops the entry removed through b" status_lacks a "echo from-a"
node_stop a
node_stop b
echo ok
