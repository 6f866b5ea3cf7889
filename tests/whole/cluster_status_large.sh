#!/bin/bash
# tests/whole/cluster_status_large.sh: a user's crontab --status of 10,000
# entries on a PostgreSQL spool reads the history in a few statements, not
# a few per entry, and shows each entry its own records.
#
# Each entry is given three records of history straight in the database
# (running 30,000 jobs would take too long), with start times that tell
# the entries apart. One --status must then make few round trips to
# PostgreSQL and cost crond little CPU: before the entries were read in
# groups (spool_history_query_keys), every entry cost three round trips
# (BEGIN, the query, COMMIT), 1.3 s of crond's CPU in a release build for
# 10 records an entry; now one statement per group, 0.07-0.09 s
# (bench/status_bench.sh postgresql). crond runs on a test clock far from
# the entries' hour, so no job runs meanwhile.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

awk 'BEGIN { print "MAILTO=\"\""; for (i = 0; i < 10000; i++) printf "%d 4 * * * : %d\n", i % 60, i }' \
    >"$TEST_TMP/big.tab"
chmod 0644 "$TEST_TMP/big.tab"
node_conf a
node_start a --test-clock 1893499200   # 2030-01-01 12:00 UTC: 00:00 to 02:00 in every zone
pid=$(cat "$TEST_TMP/a/crond.pid")
crond_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# How often crond's threads waited (voluntary context switches, all
# threads): each round trip to PostgreSQL is one wait at least, whatever
# the CPU's speed.
crond_waits() { cat /proc/"$pid"/task/*/status | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s }'; }
CROND_CONF=$TEST_TMP/a/crond.conf run as_nobody "$CRONTAB" "$TEST_TMP/big.tab"
expect_rc 0 "nobody installs 10,000 entries"
CROND_CONF=$TEST_TMP/a/crond.conf run as_nobody "$CRONTAB" --status --json
expect_rc 0 "the entries' keys"
printf '%s\n' "$OUT" | grep -o '"key": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' >"$TEST_TMP/keys"
[ "$(wc -l <"$TEST_TMP/keys")" -eq 10000 ] || fail "expected 10,000 keys, got $(wc -l <"$TEST_TMP/keys")"

# Entry I (line I + 2: MAILTO is line 1) gets records that started at
# minutes I + 1, I + 2 and I + 3 past the epoch, with exit codes 0, 1 and
# 2, so each row can be checked against its own line.
uid=$(id -u nobody)
{
    echo "BEGIN;"
    echo "CREATE TEMP TABLE k (i int, key bytea);"
    awk '{ printf "INSERT INTO k VALUES (%d, convert_to('\''%s'\'', '\''UTF8'\''));\n", NR - 1, $0 }' \
        "$TEST_TMP/keys"
    echo "INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms, start_ms, end_ms,"
    echo "  exit_code, signal, flags, output_head, output_total, node)"
    echo "SELECT 'cron', convert_to('nobody', 'UTF8'), $uid, key, convert_to(':', 'UTF8'),"
    echo "  (i + j) * 60000, (i + j) * 60000, (i + j) * 60000 + 5, j - 1, 0, 0, '\\x'::bytea, 0, 'a'"
    echo "  FROM k, generate_series(1, 3) j;"
    echo "COMMIT;"
} | psql -X -q -v ON_ERROR_STOP=1 "$PGURI" >/dev/null || fail "cannot fill the history"

c0=$(crond_ticks) w0=$(crond_waits)
t0=$(date +%s%N)
CROND_CONF=$TEST_TMP/a/crond.conf run as_nobody "$CRONTAB" --status --json
t1=$(date +%s%N)
c1=$(crond_ticks) w1=$(crond_waits)
expect_rc 0 "nobody's --status"
cpu_ms=$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))
echo "figure: one crontab --status of 10,000 entries with 3 records each on PostgreSQL: $(( (t1 - t0) / 1000000 )) ms; crond used ${cpu_ms} ms of CPU and waited $((w1 - w0)) times"

# Every entry its own three records: line L's newest started at minute
# L + 1 and exited 2; of the three, two failed (exit codes 1 and 2).
printf '%s\n' "$OUT" >"$TEST_TMP/status.json"
python3 - "$TEST_TMP/status.json" <<'EOF' || fail "the rows do not hold each entry's own records (above)"
import json, sys
doc = json.load(open(sys.argv[1]))
rows = [e for c in doc["crontabs"] for e in c["entries"]]
assert len(rows) == 10000, f"{len(rows)} rows"
bad = 0
for e in rows:
    got = (e["last_run"] or {}).get("start_epoch"), (e["last_run"] or {}).get("exit_status"), \
          e["recent"]["runs"], e["recent"]["failures"]
    want = (e["line"] + 1) * 60, 2, 3, 2
    if got != want:
        bad += 1
        if bad <= 3:
            print(f"line {e['line']}: last start, exit, runs, failures {got}, want {want}",
                  file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

# The round trips are counted as crond's waits: 337 here for one statement
# per group of keys, 9,857 for one query per entry in a single transaction
# (0.7 s of CPU and more, against about 0.2-0.3 s). CPU time was the bound
# until a CI run on a busy, slow machine (5 times, by fork) measured 550 ms
# for the right code, over the 500 ms limit: the CPU bound now only keeps
# gross costs out, at 1 s times the machine's slowness (scaled_bound, at
# most 4 s), and four times that under ThreadSanitizer.
waits=$((w1 - w0))
[ "$waits" -lt 3000 ] ||
    fail "one --status of 10,000 entries made crond wait ${waits} times (limit 3000: a round trip per entry again?)"
limit=$(scaled_bound 1000 4000)
ldd "$BIN/crond" 2>/dev/null | grep -q libtsan && limit=$(( limit * 4 ))
[ "$cpu_ms" -lt "$limit" ] ||
    fail "one --status of 10,000 entries cost crond ${cpu_ms} ms of CPU (limit ${limit} ms)"
node_stop a
