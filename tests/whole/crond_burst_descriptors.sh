#!/bin/bash
# tests/whole/crond_burst_descriptors.sh: while crond starts a burst, it
# does not hold the descriptors of the jobs it started earlier in the same
# batch once their events are in: every clone copies crond's whole
# descriptor table into the child, which closes it all again, so each one
# held makes every later start of the burst slower.
#
# Fault (was): the supervisor started a whole batch (up to max_jobs, 256)
# before it handled any event, so the output pipe, start report and pidfd
# of every job started in the batch stayed open until its end: in a burst
# of 1,000 crond held up to 790 descriptors. Pass: 300 root entries due in
# the same minute each count crond's open descriptors (/proc/PID/fd) as
# they start, and no count reaches 500 (3 per job of a batch of 256, plus
# crond's own, would pass it: 790 before; 190-260 since, the jobs still
# running holding two each); every run starts.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
export TZ=UTC

N=300
write_conf
start_crond --test-clock "$(before_next_minute 5)"
# root's crontab, installed once crond's pid is known: each job is as
# short as a count can be (no other process to read the pidfile)
for i in $(seq 1 $N); do
    echo "* * * * * ls /proc/$CROND_PID/fd | wc -l >>$TEST_TMP/counts; : $i"
done >"$TEST_TMP/tab"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "root installs $N entries"
counted() { [ -e "$TEST_TMP/counts" ] && [ "$(wc -l <"$TEST_TMP/counts")" -ge $N ]; }
wait_for 60 "$N counts of crond's descriptors" counted
stop_crond
max=$(sort -n "$TEST_TMP/counts" | tail -n 1)
[ "$max" -lt 500 ] || fail "crond held $max descriptors during a burst of $N (limit 500)"
echo "figure: burst of $N: crond held at most $max descriptors as the jobs started"
echo ok
