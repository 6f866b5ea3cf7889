#!/bin/bash
# tests/whole/cluster_pg_restart.sh: the database goes away under a
# three-node cluster. This test runs a PostgreSQL server of its own
# (tests/tools/pg-private, so that restarting it disturbs no other test).
# The test clock runs 6 times as fast as real time (a minute lasts 10 s):
#   minute 1  runs;
#   mid-minute 1: PostgreSQL restarts (pg-private restart): the nodes
#             reconnect, and minute 2 runs in full;
#   mid-minute 2: PostgreSQL stops, over minute 3's boundary, and starts
#             again: minute 3 is missed by everyone, and must be either run
#             (CRON_CATCHUP=yes entries, once, when the database is back) or
#             logged (the others); minute 4 runs in full.
# Nothing may run twice: counted from the jobs' output and the history.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
need_crond
need_pg

PGPRIV=$ROOT/tests/tools/pg-private
PGDIR=$TEST_TMP/pg
rc=0
uri=$("$PGPRIV" start "$PGDIR" 2>"$TEST_TMP/pg.err") || rc=$?
[ $rc -eq 77 ] && { echo "SKIP: PostgreSQL not available ($(cat "$TEST_TMP/pg.err"))"; exit 0; }
[ $rc -eq 0 ] || fail "pg-private start: $(cat "$TEST_TMP/pg.err")"
CROND_TEST_PG=$uri
trap 'cluster_cleanup; cleanup_crond; "$PGPRIV" stop "$PGDIR" >/dev/null 2>&1 || "$PGPRIV" kill "$PGDIR" >/dev/null 2>&1' EXIT
pg_newdb

N=20   # plain entries e0..e19, and catch-up entries e20..e39
SPEED=6
runs_dir
for n in a b c; do node_conf "$n" "max_clock_skew = 3600"; done
epoch=$(minute_epoch_ahead 24)   # the first boundary 4 s after the start
t0=$(date +%s.%N)
node_start_many "--test-clock $epoch:$SPEED" a b c
{ echo 'MAILTO=""'; entries $N; echo 'CRON_CATCHUP=yes'; entries $N $N; } >"$TEST_TMP/shared.tab"
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install through node a"
count() { wc -l <"$out/runs"; }

# boundaries at t0 + 4, 14, 24, 34 s
at_t 8
[ "$(count)" -eq $((2 * N)) ] || fail "minute 1: $(count) runs, expected $((2 * N))"
"$PGPRIV" restart "$PGDIR" >/dev/null 2>"$TEST_TMP/pg.err" || fail "pg-private restart: $(cat "$TEST_TMP/pg.err")"
at_t 18
[ "$(count)" -eq $((4 * N)) ] || fail "minute 2 (after the restart): $(count) runs in all, expected $((4 * N))"
"$PGPRIV" stop "$PGDIR" >/dev/null 2>"$TEST_TMP/pg.err" || fail "pg-private stop: $(cat "$TEST_TMP/pg.err")"
at_t 26
[ "$(count)" -eq $((4 * N)) ] || fail "minute 3 ran with the database down: $(count) runs"
"$PGPRIV" start "$PGDIR" >/dev/null 2>"$TEST_TMP/pg.err" || fail "pg-private start again: $(cat "$TEST_TMP/pg.err")"
at_t 39
# The history, from a live node (a node started again now would run the
# CRON_CATCHUP=yes entries' missed minutes itself, at its start).
on a "$CRONTAB" --json --history 100000
expect_rc 0 "crontab --history --json"
printf '%s\n' "$OUT" >"$TEST_TMP/history.json"
for n in a b c; do node_stop "$n"; done

for n in a b c; do
    grep -q 'SPOOL_DOWN' "$(node_log "$n")" || fail "node $n did not log SPOOL_DOWN"
    grep -q 'SPOOL_UP' "$(node_log "$n")" || fail "node $n did not log SPOOL_UP"
done
# minute 3 of the plain entries: logged as not run, on at least one node
cat "$TEST_TMP"/[abc]/crond.log | grep -q 'SKIP (not run: .*unreachable' ||
    fail "no node logged the runs it could not claim with the database down"

python3 "$ROOT/tests/tools/cluster-count.py" --history "$TEST_TMP/history.json" \
    --runs "$out/runs" --entries $((2 * N)) --label "database restart and outage" ||
    fail "the runs do not count up"
python3 - "$TEST_TMP/history.json" "$N" <<'PY' || fail "minutes after the database restart and outage"
import collections, json, re, sys
h = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
per = collections.defaultdict(set)
minutes = set()
for r in h["runs"]:
    m = re.search(r"echo e(\d+) ", r["command"])
    if m:
        per[int(m.group(1))].add(r["scheduled_epoch"])
        if int(m.group(1)) < n:
            minutes.add(r["scheduled_epoch"])
m1 = min(minutes)
m2, m3, m4 = m1 + 60, m1 + 120, m1 + 180
bad = []
for i in range(2 * n):
    # plain entries: minutes 1, 2 and 4; the catch-up ones also one run for
    # minute 3 (scheduled at minute 3, or when the catch-up came)
    extra = per[i] - {m1, m2, m4}
    ok = {m1, m2, m4} <= per[i] and (
        not extra if i < n else len(extra) == 1 and m2 < min(extra) < m4 + 60)
    if not ok:
        kind = "CRON_CATCHUP=yes" if i >= n else "plain"
        bad.append("e%d (%s): scheduled minutes %s, expected 0, 60, 180%s"
                   % (i, kind, [t - m1 for t in sorted(per[i])],
                      " and one run for the missed minute 120" if i >= n else ""))
if bad:
    print("(minutes relative to the first; minute 3 = +120 s, the database down)", file=sys.stderr)
    sys.exit("\n".join(bad[:6]))
print("figure: minute 3 (database down): the %d CRON_CATCHUP=yes entries ran once each, the %d others were logged" % (n, n))
PY
echo ok
