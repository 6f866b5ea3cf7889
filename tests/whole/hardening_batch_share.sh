#!/bin/bash
# tests/whole/hardening_batch_share.sh: one user queueing many batch jobs
# cannot hold back another user's.
#
# Fault: batch jobs start one per batch_interval for the whole machine.
# nobody queues 6 batch jobs, then daemon queues 1, while the load is high;
# then the load drops. Was: the waiting jobs started in the order they fell
# due, so daemon's waited for all of nobody's (the 7th start; with the
# default interval and 1,000 jobs, about 17 hours). Pass: the slot goes to
# the owner whose last batch start is the oldest, so daemon's job is the
# second to start, and nobody's still all run.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the users are nobody and daemon"
export TZ=UTC

load=$TEST_TMP/loadavg
echo "9.99 9.99 9.99 3/100 4242" >"$load"
write_conf "loadavg_file = $load" "batch_interval = 60" "batch_load = 1.5"
: >"$TEST_TMP/at.deny"
order=$TEST_TMP/order
: >"$order"
chmod 0666 "$order"
now=$(date +%s)
start_crond --test-clock "$now:30"   # a batch interval every 2 s
cd / || fail "cd /"
for i in 1 2 3 4 5 6; do
    echo "echo nobody-$i >>$order" | as_nobody "$BIN/batch" 2>/dev/null || fail "nobody's batch $i"
done
echo "echo daemon >>$order" |
    setpriv --reuid=daemon --regid=daemon --clear-groups "$BIN/batch" 2>/dev/null || fail "daemon's batch"
echo "0.00 0.00 0.00 1/100 4242" >"$load"
wait_for 30 "daemon's batch job" grep -q '^daemon$' "$order"
pos=$(grep -n '^daemon$' "$order" | cut -d: -f1)
echo "figure: daemon's batch job, queued after 6 of nobody's, started ${pos}th"
[ "$pos" -le 2 ] || fail "daemon's batch job started ${pos}th, after $((pos - 1)) of nobody's: $(tr '\n' ' ' <"$order")"
all_of_nobody() { [ "$(grep -c '^nobody-' "$order")" = 6 ]; }
wait_for 30 "nobody's batch jobs" all_of_nobody
# once they wait together, one owner's start in the order they were queued
# (the first to start is whichever fell due first when the load dropped)
after=$(sed -n '/^daemon$/,$p' "$order" | grep '^nobody-' | tr '\n' ' ')
[ "$after" = "$(printf '%s\n' $after | sort -t- -k2n | tr '\n' ' ')" ] ||
    fail "nobody's batch jobs out of order: $(tr '\n' ' ' <"$order")"
stop_crond
echo ok
