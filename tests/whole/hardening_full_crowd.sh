#!/bin/bash
# tests/whole/hardening_full_crowd.sh: while the spool's file system is full,
# one user's runs must not crowd root's run records out of what crond keeps
# to write later, nor flood the log, nor keep crond busy retrying.
#
# Fault (from a hostile review): the spool on a small tmpfs, filled; nobody
# has 10,000 entries every minute (one slot and one waiting run allowed,
# so nearly all are refused queue-full: a record each, no process), root a
# system crontab entry every minute. crond kept the first 10,000 records
# whoever they were, so root's were lost; it logged a line for each record
# lost (about 1,500 a second) and tried all it kept again at every pass.
# Pass: once there is room every run of root's has its record; the log has
# a few LOST lines, no line per record; crond's CPU while full stays low.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
small_fs 16m
export TZ=UTC
DB=$FS/spool/crond.db
write_conf "spool = $DB" "max_jobs_per_user = 1" "max_waiting_per_user = 1"
out=$TEST_TMP/out
mkdir -m 0777 "$out"
: >"$out/root"
printf '* * * * * root echo root-$(date +\\%%s\\%%N) >> %s/root\n' "$out" >"$TEST_TMP/crontab"
awk 'BEGIN { print "MAILTO=\"\""; for (i = 0; i < 10000; i++) printf "* * * * * true %d\n", i }' \
    >"$TEST_TMP/big.tab"
chmod 0644 "$TEST_TMP/big.tab"
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
# 2030-01-01T09:58:00Z at 10 times: a minute lasts 6 s
start_crond --test-clock 1893491880:10
run as_nobody "$CRONTAB" "$TEST_TMP/big.tab"
expect_rc 0 "nobody installs 10,000 entries"
wait_for 15 "root's first run" test -s "$out/root"
sleep 1
dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null
lines0=$(wc -l <"$TEST_TMP/crond.log")
ran0=$(wc -l <"$out/root")
t0=$(awk '{ print $14 + $15 }' "/proc/$CROND_PID/stat")
sleep 14   # two minutes and more, full
t1=$(awk '{ print $14 + $15 }' "/proc/$CROND_PID/stat")
ran=$(( $(wc -l <"$out/root") - ran0 ))
[ "$ran" -ge 2 ] || fail "root's job ran $ran times while the spool was full"
lost=$(tail -n +"$lines0" "$TEST_TMP/crond.log" | grep -c "LOST (")
per_record=$(tail -n +"$lines0" "$TEST_TMP/crond.log" | grep -c "the record of a run was lost")
# nobody's entries off, so the minutes to come add no more
rm -f "$FS/filler"
run as_nobody "$CRONTAB" -r
expect_rc 0 "nobody's crontab -r"
wait_for 30 "the kept records written" \
    grep -q "RECORDED ([0-9]* run records kept while the spool could not take them are written)" \
    "$TEST_TMP/crond.log"
sleep 1
stop_crond
total=$(wc -l <"$out/root")
recs=$(q "SELECT count(*) FROM run WHERE owner = 'root' AND kind = 'cron' AND flags & 64 = 0")
[ "$recs" -ge "$total" ] || fail "root's job ran $total times, $recs records (its runs while full lost)"
[ "$lost" -ge 1 ] || fail "no LOST line: nobody's runs should have passed what crond keeps"
[ "$per_record" = 0 ] || fail "$per_record lines of one lost record each"
[ "$lost" -le 3 ] || fail "$lost LOST lines in 14 s (one per 10 s at most)"
ticks=$(( t1 - t0 ))
cpu_ms=$(( ticks * 1000 / $(getconf CLK_TCK) ))
echo "figure: 14 s full: root's $ran runs kept, $lost LOST lines, crond used $cpu_ms ms of CPU; nobody's records $(q "SELECT count(*) FROM run WHERE owner = 'nobody'")"
