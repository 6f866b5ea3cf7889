#!/bin/bash
# Two crond nodes on one PostgreSQL spool (needs CROND_TEST_PG, the URI of
# a private server where the test may create a database; skips without
# it). Both run on test clocks at 10x, two seconds before a minute. A
# crontab installed through node A is listed through node B; each run of
# a shared entry happens once, on one node (claimed), while a CRON_NODES=all
# entry runs on both; crontab --history names the nodes; a removal through
# B stops the runs on A too. A third node, C, runs two hours behind
# (max_clock_skew = 3600): it says CLOCK_SKEW, claims nothing and records
# its shared runs skipped,clock-skew.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

for n in node-a node-b node-c; do node_conf "$n" "max_clock_skew = 3600"; done
now=$(date +%s)
epoch=$((now - now % 60 + 58))
# A first: it makes the schema.
node_start node-a --test-clock=$epoch:10
node_start node-b --test-clock=$epoch:10
node_start node-c -d --test-clock=$((epoch - 7200)):10
skew_said() {
    grep -q "(crond) CLOCK_SKEW node node-c differs from the database by -7[0-9]* ms, more than max_clock_skew 3600s: claiming nothing" \
        "$(node_log node-c)"
}
wait_for 20 "node C says CLOCK_SKEW" skew_said

A=$TEST_TMP/node-a/crond.conf
B=$TEST_TMP/node-b/crond.conf
printf 'MAILTO=""\n* * * * * echo shared\nCRON_NODES=all\n* * * * * echo everywhere\n' >"$TEST_TMP/tab"
run "$CRONTAB" --config "$A" "$TEST_TMP/tab"
expect_rc 0 "install through node A"
run "$CRONTAB" --config "$B" -l
expect_rc 0 "list through node B"
expect_same_file "$TEST_TMP/tab" "$OUT_FILE" "crontab -l through node B"

# The history through B, checked once it holds enough (2 minutes of shared
# runs, a minute where both nodes ran the CRON_NODES=all entry, node C's
# refused runs: about 3 test minutes, 19 s; a busy machine takes longer).
# check-runs exits 2 while there is not enough yet, 1 if what there is is
# wrong.
cat >"$TEST_TMP/check-runs" <<'PY'
import json, sys, collections
runs = json.load(open(sys.argv[1]))["runs"]
done = [r for r in runs if r["state"] == "ok" and r["node"] != "node-c"]
skewed = [r for r in runs if "clock-skew" in r["flags"]]
shared = collections.Counter(r["scheduled_epoch"] for r in done if r["command"] == "echo shared")
every = collections.defaultdict(set)
for r in done:
    if r["command"] == "echo everywhere":
        every[r["scheduled_epoch"]].add(r["node"])
bad = False
for t, n in shared.items():
    if n != 1:
        print("the shared run of", t, "ran", n, "times"); bad = True
if any(r["node"] != "node-c" or r["command"] != "echo shared" or
       "skipped" not in r["flags"] for r in skewed):
    print("node C's refused runs:", skewed); bad = True
if any(r["node"] not in ("node-a", "node-b") for r in done):
    print("a run without its node:", [r for r in done if r["node"] not in ("node-a", "node-b")]); bad = True
if bad:
    sys.exit(1)
if len(shared) < 2:
    print("fewer than 2 minutes of shared runs:", dict(shared)); sys.exit(2)
if not any(len(v) == 2 for v in every.values()):
    print("no minute where both nodes ran the CRON_NODES=all entry:", dict(every)); sys.exit(2)
if not skewed:
    print("no refused run of node C"); sys.exit(2)
PY
runs_complete() {
    run "$CRONTAB" --config "$B" --json --history 100
    expect_rc 0 "--history through node B"
    cp "$OUT_FILE" "$TEST_TMP/history.json"
    python3 "$TEST_TMP/check-runs" "$TEST_TMP/history.json" >"$TEST_TMP/check.out"
    case $? in
        0) return 0 ;;
        2) WAIT_WHY=$(cat "$TEST_TMP/check.out"); return 1 ;;
        *) fail "the runs are not as they should be: $(cat "$TEST_TMP/check.out")" ;;
    esac
}
wait_for 60 "the runs of 3 test minutes" runs_complete
run "$CRONTAB" --config "$B" --history 5
case "$(printf '%s\n' "$OUT" | head -n 1)" in *NODE*) ;; *) fail "no NODE column: $OUT" ;; esac

# Removed through B: A stops running it as well. A hears of it within a
# moment; then A must stay quiet for two test minutes (12 s) running,
# which it cannot while it still runs the entries every minute.
run "$CRONTAB" --config "$B" -r
expect_rc 0 "remove through node B"
a_runs() { grep -c 'CMD' "$(node_log node-a)"; }
last=$(a_runs)
quiet_from=$SECONDS
a_quiet() {
    local c
    c=$(a_runs)
    [ "$c" -eq "$last" ] || { last=$c; quiet_from=$SECONDS; }
    [ $((SECONDS - quiet_from)) -ge 13 ]
}
wait_for 60 "node A quiet for two test minutes after the removal through node B" a_quiet
echo "crond_cluster_pg: ok"
