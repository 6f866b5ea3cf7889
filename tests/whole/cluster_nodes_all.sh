#!/bin/bash
# tests/whole/cluster_nodes_all.sh: CRON_NODES=all runs its entries on every
# node of the cluster each minute (per-machine work), while an entry above
# it stays shared (once per minute in the whole cluster). Three nodes, a
# test clock 10 times as fast as real time, two minutes.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

SPEED=10
out=$TEST_TMP/out
mkdir -m 0777 "$out"
: >"$out/shared"
: >"$out/all"
chmod 0666 "$out/shared" "$out/all"
for n in a b c; do node_conf "$n" "max_clock_skew = 3600"; done
epoch=$(minute_epoch_ahead 40)
t0=$(date +%s.%N)
node_start_many "--test-clock $epoch:$SPEED" a b c
cat >"$TEST_TMP/tab" <<TAB
MAILTO=""
* * * * * echo e0 \$(whichnode) >> $out/shared
CRON_NODES=all
* * * * * echo e1 \$(whichnode) >> $out/all
TAB
on a "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install through a"

# boundaries at t0 + 4 and + 10 s; stop at t0 + 13 s
full() { [ "$(wc -l <"$out/all")" -ge 6 ] && [ "$(wc -l <"$out/shared")" -ge 2 ]; }
wait_for 30 "two minutes of runs" full
sleep "$(awk -v t="$t0" -v n="$(date +%s.%N)" 'BEGIN { s = t + 13 - n; printf "%.3f", (s > 0 ? s : 0) }')"
for n in a b c; do node_stop "$n"; done
[ "$(wc -l <"$out/shared")" -eq 2 ] || fail "the shared entry ran $(wc -l <"$out/shared") times in two minutes: $(cat "$out/shared")"
for n in a b c; do
    c=$(grep -c " $n\$" "$out/all")
    [ "$c" -eq 2 ] || fail "the CRON_NODES=all entry ran $c times on node $n in two minutes: $(sort "$out/all" | tr '\n' ' ')"
done
node_start a --test-clock "$(( epoch + 300 ))"
on a "$CRONTAB" --json --history 100
expect_rc 0 "crontab --history --json"
printf '%s\n' "$OUT" >"$TEST_TMP/history.json"
node_stop a
python3 - "$TEST_TMP/history.json" <<'PY' || fail "the history"
import collections, json, sys
h = json.load(open(sys.argv[1]))
per = collections.Counter()
for r in h["runs"]:
    e = "all" if r["command"].startswith("echo e1 ") else "shared"   # (the temporary directory's name may hold "e1")
    per[(e, r["scheduled_epoch"], r.get("node"))] += 1
    if r["state"] != "ok":
        sys.exit("a run not ok: %s" % r)
shared = [k for k in per if k[0] == "shared"]
minutes = sorted({k[1] for k in shared})
if len(shared) != 2 or any(per[k] != 1 for k in shared) or len(minutes) != 2:
    sys.exit("shared entry records: %s" % {k: v for k, v in per.items() if k[0] == "shared"})
for m in minutes:
    nodes = sorted(k[2] for k in per if k[0] == "all" and k[1] == m for _ in range(per[k]))
    if nodes != ["a", "b", "c"]:
        sys.exit("CRON_NODES=all at %d recorded on %s" % (m, nodes))
PY
echo ok
