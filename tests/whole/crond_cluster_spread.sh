#!/bin/bash
# cluster_spread: three crond nodes on one PostgreSQL spool (needs
# CROND_TEST_PG; skips without it), test clocks at 10x, 30 shared entries
# every minute for at least two full test minutes. Every run happens
# exactly once, and in every full minute each node wins some of the runs
# (without the spread, the node that claims first wins the whole minute).
# A node's --history json names the winner of each run. The test clocks
# run away from the database's, hence max_clock_skew = 3600.
#
# cluster_spread is 1000 ms, not the default 200: the nodes' test clocks
# agree only as well as their launches do, and a node launched late on a
# busy machine reaches each minute as late, which costs it a share of its
# wins that grows with its lateness over the spread (with 200 ms, a node
# won 5 of 60 runs under two busy loops). Where a fork+exec costs 4 ms or
# more (CROND_TEST_SLOWNESS), launches and start-ups spread more, and the
# spread is 3000 ms: at 1000, one CI run's third node started late enough to
# win 4 of 60 runs (it had won 17-27 in nine runs before).
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

spread=1000
[ "${CROND_TEST_SLOWNESS:-1}" -ge 4 ] && spread=3000
for n in node-a node-b node-c; do node_conf "$n" "cluster_spread = $spread" "max_clock_skew = 3600"; done
# A alone first: it makes the schema. Then the three start together, so
# that their test clocks (10x, from whole seconds) agree to a few
# milliseconds: a node started a second late would reach each minute a
# second late, as late as the spread, and lose every claim.
node_start node-a
node_stop node-a
now=$(date +%s)
node_start_many "--test-clock=$((now - now % 60 + 50)):10" node-a node-b node-c

{ printf 'MAILTO=""\n'; for i in $(seq 1 30); do printf '* * * * * true %d\n' "$i"; done; } >"$TEST_TMP/tab"
run "$CRONTAB" --config "$TEST_TMP/node-a/crond.conf" "$TEST_TMP/tab"
expect_rc 0 "install through node A"

# The history through B, checked once it holds two full minutes (about
# two and a half test minutes, 15 s; a busy machine takes longer).
# check-spread exits 2 while there are fewer, 1 if the runs are wrong.
cat >"$TEST_TMP/check-spread" <<'PY'
import json, sys, collections
runs = [r for r in json.load(open(sys.argv[1]))["runs"] if r["command"].startswith("true ") and r["state"] == "ok"]
per_run = collections.Counter((r["command"], r["scheduled_epoch"]) for r in runs)
minutes = collections.defaultdict(collections.Counter)
for r in runs:
    minutes[r["scheduled_epoch"]][r["node"]] += 1
bad = False
for k, n in per_run.items():
    if n != 1:
        print("run", k, "happened", n, "times"); bad = True
full = {t: c for t, c in minutes.items() if sum(c.values()) == 30}
if not bad and len(full) < 2:
    print("fewer than 2 full minutes of runs"); sys.exit(2)
total = collections.Counter()
for t, c in sorted(minutes.items()):
    print("minute", t, dict(c))
    total.update(c)
print("figure: wins per node (cluster_spread", sys.argv[2], "ms, 3 nodes, 30 entries):", dict(sorted(total.items())))
for t, c in full.items():
    for n in ("node-a", "node-b", "node-c"):
        if c[n] == 0:
            print("minute", t, ": node", n, "won none of the 30 runs"); bad = True
for n in ("node-a", "node-b", "node-c"):
    if total[n] < 0.10 * sum(total.values()):
        print("node", n, "won fewer than 10% of the runs"); bad = True
sys.exit(1 if bad else 0)
PY
spread_seen() {
    run "$CRONTAB" --config "$TEST_TMP/node-b/crond.conf" --json --history 1000
    expect_rc 0 "--history through node B"
    cp "$OUT_FILE" "$TEST_TMP/history.json"
    python3 "$TEST_TMP/check-spread" "$TEST_TMP/history.json" "$spread" >"$TEST_TMP/check.out"
    case $? in
        0) cat "$TEST_TMP/check.out"; return 0 ;;
        2) WAIT_WHY=$(cat "$TEST_TMP/check.out"); return 1 ;;
        *) cat "$TEST_TMP/check.out"; fail "the runs are not spread as they should be (above)" ;;
    esac
}
wait_for 60 "two full test minutes of runs" spread_seen
echo "crond_cluster_spread: ok"
