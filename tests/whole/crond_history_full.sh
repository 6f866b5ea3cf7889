#!/bin/bash
# tests/whole/crond_history_full.sh: what a run leaves in the spool while
# the spool's file system is full is kept, and written once there is room:
# the records of cron runs (with their output), the end of an at job that
# ran, and the catch-up state of a CRON_CATCHUP entry.
#
# Fault: the spool on a small tmpfs (needs root: skipped otherwise). An at
# job starts, then the file system is filled while it runs; cron runs of a
# CRON_CATCHUP=yes entry start and end while it is full. Then the filler
# goes. Pass: every cron run of the full window has its record, with its
# own output; the at job is finished (atq empty) with its record and output,
# not left running; the entry's catch-up state names the minute of its
# last run (was: "N run records not written: database or disk is full", the
# records lost, the at job left running until the next start called it
# interrupted, the catch-up state lost, so that a restart would run the
# entry again for minutes it had run).
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
small_fs 4m
export TZ=UTC
DB=$FS/spool/crond.db
write_conf "spool = $DB"
: >"$TEST_TMP/at.deny"
out=$TEST_TMP/out
mkdir -m 0777 "$out"
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
# 2030-01-01T09:58:00Z at 30 times: a minute lasts 2 s, 10:00 is 4 s away.
start_crond --test-clock 1893491880:30
wait_for 10 "crond's full-disk reserve" test -f "$FS/spool/crond.db-reserve"

# The at job runs at 10:00 and lasts until the file system is full.
run bash -c "printf '%s\n' 'touch $out/at-started' 'while [ ! -e $out/full ]; do sleep 0.1; done' \
    'echo at-output' | '$BIN/at' -t 203001011000"
expect_rc 0 "at -t 10:00"
id=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at .*/\1/p')
[ -n "$id" ] || { show_last; fail "no job number"; }
wait_for 15 "the at job's start" test -e "$out/at-started"

dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null
touch "$out/full"
wait_for 15 "the at job's end, not written" \
    grep -q "at job $id not finished in the spool: .*full" "$TEST_TMP/crond.log"

# Cron runs while it is full: each says its id in its output, and in a file
# outside the spool.
printf '%s\n' 'CRON_CATCHUP=yes' \
    "* * * * * id=\$(date +\\%s\\%N); echo \$id >> $out/ran; echo cron-output-\$id" \
    >"$TEST_TMP/tab"
# crontab cannot install on a full file system: make room for it alone
rm -f "$FS/filler"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "crontab FILE"
dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null
: >"$out/ran"
wait_for 20 "three cron runs, their records not written" \
    bash -c "[ \$(wc -l <'$out/ran') -ge 3 ] &&
             grep -q 'run records not written: .*full' '$TEST_TMP/crond.log'"
wait_for 15 "the catch-up state, not written" \
    grep -q "catch-up state .*not written: .*full" "$TEST_TMP/crond.log"
# The entry off, so that no run starts after the filler goes
run "$CRONTAB" -r
[ "$RC" = 0 ] || rm -f "$FS/filler"   # a removal may need the reserve; never mind
sleep 0.5
ids=$(cat "$out/ran")
rm -f "$FS/filler"

# What is kept is written again at the next flush, at most 10 s away
# (RECORDER_RETRY_EVERY_NS); the log says so (but the old code never did)
for _ in $(seq 1 150); do
    grep -q 'RECORDED ([0-9]* run records kept while the spool could not take them are written)' \
        "$TEST_TMP/crond.log" &&
        grep -q 'RECORDED (catch-up state of [0-9]* entries kept' "$TEST_TMP/crond.log" && break
    sleep 0.2
done
missing=0
for i in $ids; do
    n=$(q "SELECT count(*) FROM run WHERE kind = 'cron' AND CAST(output_head AS TEXT) = 'cron-output-$i' || char(10)")
    [ "$n" = 1 ] || { echo "# run $i: $n records"; missing=$((missing + 1)); }
done
[ "$missing" = 0 ] || { tail -n 30 "$TEST_TMP/crond.log"; fail "$missing of $(echo "$ids" | wc -l) cron runs have no record"; }
run "$BIN/atq"
expect_out "" "atq once the at job's end is written"
at_rec=$(q "SELECT flags, exit_code, CAST(output_head AS TEXT) FROM run WHERE kind = 'at'")
case $at_rec in
    0\|0\|at-output*) ;;
    *) fail "the at job's record: '$at_rec' (wanted flags 0, exit 0, its output)" ;;
esac
state=$(q "SELECT last_scheduled FROM entry_state")
last=$(q "SELECT max(scheduled_ms) / 1000 FROM run WHERE kind = 'cron'")
[ -n "$state" ] && [ "$state" = "$last" ] ||
    fail "catch-up state: last scheduled '$state', but the last run recorded was scheduled for '$last'"
echo "# $(echo "$ids" | wc -l) cron runs while full, all recorded; at job $id finished; state $state"
stop_crond
