#!/bin/bash
# tests/whole/cluster_clock_skew.sh: a node whose clock is ten minutes
# ahead of the database's refuses to claim runs (max_clock_skew, default
# 2 s) and says so: CLOCK_SKEW in its log, and its due runs recorded in the
# history as not started, flagged clock-skew, on its node; none of its
# jobs runs. Node a (the real clock) is the healthy one the crontab is
# installed through.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

N=5
runs_dir
node_conf a
node_conf c
node_start a
shared_tab $N
on a "$CRONTAB" "$TEST_TMP/shared.tab"
expect_rc 0 "install through node a"

# Node c: ten minutes ahead, 3 s before one of its minute boundaries.
node_start c --test-clock "$(( $(minute_epoch_ahead 3) + 600 ))"
skew_logged() { grep -q 'CLOCK_SKEW' "$(node_log c)"; }
wait_for 15 "node c logs CLOCK_SKEW" skew_logged
grep 'CLOCK_SKEW' "$(node_log c)" | head -n 1 | sed 's/^/figure: node c: /'
grep -q 'CLOCK_SKEW' "$(node_log a)" && fail "node a (the real clock) logged CLOCK_SKEW"

# Its minute passes: its runs are recorded not started, flagged clock-skew.
recorded() {
    on a "$CRONTAB" --json --history 100
    [ "$RC" -eq 0 ] && [ "$(printf '%s\n' "$OUT" | grep -o '"clock-skew"' | wc -l)" -ge $N ]
}
wait_for 15 "$N runs flagged clock-skew in the history" recorded
printf '%s\n' "$OUT" >"$TEST_TMP/history.json"
python3 - "$TEST_TMP/history.json" "$N" <<'PY' || fail "the clock-skew records"
import json, sys
h = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
skew = [r for r in h["runs"] if "clock-skew" in (r.get("flags") or [])]
bad = [r for r in skew if r.get("state") != "not-started" or r.get("node") != "c"]
if bad:
    sys.exit("clock-skew records not 'not-started' on node c: %s" % bad[:3])
if len({r["command"] for r in skew}) != n:
    sys.exit("clock-skew records for %d entries, not %d" % (len({r["command"] for r in skew}), n))
PY
on a "$CRONTAB" --history 100
expect_rc 0 "crontab --history"
printf '%s\n' "$OUT" | head -n 1 | grep -q NODE || fail "no NODE column in crontab --history: $(printf '%s\n' "$OUT" | head -n 1)"
printf '%s\n' "$OUT" | grep -q 'clock-skew' || fail "crontab --history shows no clock-skew flag"
# and nothing ran on c
grep -q ' c$' "$out/runs" && fail "node c ran a job with its clock skewed: $(cat "$out/runs")"
node_stop c
node_stop a
echo ok
