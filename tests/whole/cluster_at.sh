#!/bin/bash
# tests/whole/cluster_at.sh: at jobs submitted through node a of three
# (one PostgreSQL spool) run exactly once each, on any node: counted from
# the jobs' own output (each names the node whose crond started it, from
# its parent's command line) and from atq --history; atq through every node
# is empty afterwards.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

N=20
runs_dir
for n in a b c; do node_conf "$n"; done
node_start_many "" a b c
for i in $(seq 0 $((N - 1))); do
    # the job's shell is crond's child: its parent's command line names
    # the node's configuration, $TEST_TMP/NODE/crond.conf
    printf 'n=$(tr "\\0" "\\n" </proc/$PPID/cmdline | grep crond.conf); n=${n%%/crond.conf}\necho j%d ${n##*/} >> %s\n' \
        "$i" "$out/runs" >"$TEST_TMP/job$i"
    on a "$BIN/at" -f "$TEST_TMP/job$i" now
    expect_rc 0 "at now through a (job $i)"
done
done_all() { [ "$(wc -l <"$out/runs")" -ge $N ]; }
wait_for 20 "$N at jobs run" done_all
sleep 1   # time for a second run, if there were one
[ "$(wc -l <"$out/runs")" -eq $N ] || fail "$(wc -l <"$out/runs") runs of $N jobs: $(sort "$out/runs" | uniq -d)"
[ "$(cut -d' ' -f1 "$out/runs" | sort -u | wc -l)" -eq $N ] || fail "a job ran twice: $(sort "$out/runs")"
grep -qv ' [abc]$' "$out/runs" && fail "a run that names no node: $(grep -v ' [abc]$' "$out/runs")"
echo "figure: $N at jobs per node: $(awk '{ c[$2]++ } END { for (n in c) printf "%s=%d ", n, c[n] }' "$out/runs")"
for n in a b c; do
    atq_empty() { on "$1" "$BIN/atq"; [ "$RC" -eq 0 ] && [ -z "$OUT" ]; }
    wait_for 5 "atq through $n empty" atq_empty "$n"
done
on b "$BIN/atq" --json --history 100
expect_rc 0 "atq --history through b"
printf '%s\n' "$OUT" >"$TEST_TMP/history.json"
python3 - "$TEST_TMP/history.json" "$N" <<'PY' || fail "atq --history"
import json, sys
h = json.load(open(sys.argv[1]))
runs = h.get("runs") or h.get("jobs") or []
ok = [r for r in runs if r.get("state") == "ok"]
if len(runs) != int(sys.argv[2]) or len(ok) != len(runs):
    sys.exit("%d records, %d ok, expected %s ok: %s" % (len(runs), len(ok), sys.argv[2], runs[:3]))
PY
for n in a b c; do node_stop "$n"; done
echo ok
