#!/bin/bash
# tests/whole/cluster_stop_beats.sh: a node that is stopping keeps its
# heartbeat until it leaves. Two nodes on one PostgreSQL spool, node_timeout
# = 2 s, stop_grace = 8 s. Node b runs a job (from its own cron.d) that
# ignores SIGTERM and lasts 5 s; b gets SIGTERM while it runs and waits
# for it (stop_grace). Pass: b's heartbeat row stays fresh through the
# wait, node a never takes b for lost (no "NODE_LOST node b"), the job
# ends by itself, b says NODE_LEAVE and exits 0, and no run is recorded
# node-lost. (Before: b stopped beating at SIGTERM, a reaped it after
# about 3 s and recorded its run interrupted, node-lost.)
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
need_crond
need_pg
pg_newdb

out=$TEST_TMP/out
mkdir -m 0777 "$out"
: >"$TEST_TMP/job.pids"
for n in a b; do
    node_conf "$n" "node_timeout = 2" "stop_grace = 8" "max_clock_skew = 3600"
done
printf 'MAILTO=""\n* * * * * root trap "" TERM; echo $$ >>%s; echo started >>%s/job; sleep 5; echo ended >>%s/job\n' \
    "$TEST_TMP/job.pids" "$out" "$out" >"$TEST_TMP/b/cron.d/slow"
chmod 0644 "$TEST_TMP/b/cron.d/slow"

# b alone first, its test clock 3 s before a minute: the job is b's.
node_start b --test-clock "$(minute_epoch_ahead 3)"
job_has() { grep -qx "$1" "$out/job" 2>/dev/null; }
wait_for 15 "the job started on b" job_has started
node_start a
both() { [ "$(pg_sql "SELECT string_agg(name, ' ' ORDER BY name) FROM node")" = "a b" ]; }
wait_for 5 "both nodes beating" both

pid_b=${NODE_PID[b]}
NODE_PID[b]=""
kill -TERM "$pid_b"
# Through the wait: b's row stays, its beat never older than node_timeout.
oldest=0
while kill -0 "$pid_b" 2>/dev/null; do
    age=$(pg_sql "SELECT coalesce((SELECT floor(extract(epoch FROM clock_timestamp()) * 1000 - beat_ms)
                                   FROM node WHERE name = 'b'), -1)::bigint")
    [ "$age" = "-1" ] && break   # gone: it left, or it was reaped (checked below)
    [ "$age" -gt "$oldest" ] && oldest=$age
    sleep 0.2
done
rc=0
wait "$pid_b" || rc=$?
[ "$rc" -eq 0 ] || fail "node b exited with status $rc after SIGTERM"
job_has ended || fail "the job did not end by itself: $(cat "$out/job")"
grep -q "NODE_LOST node b" "$(node_log a)" &&
    fail "node a took node b, stopping cleanly, for lost: $(grep NODE_LOST "$(node_log a)")"
grep -qF "(crond) NODE_LEAVE (node b left the cluster)" "$(node_log b)" ||
    fail "node b did not leave: $(tail -n 5 "$(node_log b)")"
[ "$oldest" -le 2000 ] || fail "b's heartbeat aged ${oldest} ms while it waited (node_timeout 2 s)"
lost=$(pg_sql "SELECT count(*) FROM run WHERE flags & 4096 != 0")
[ "$lost" = 0 ] || fail "$lost runs recorded node-lost: $(pg_sql "SELECT node, flags, exit_code FROM run")"
echo "figure: oldest heartbeat of b while it waited for its job: ${oldest} ms (node_timeout 2000 ms)"
node_stop a
echo ok
