#!/bin/bash
# crontab --history N for N past one reply: the CLI asks the rest page by
# page with the cursor crond sends (lib/history_cursor.h).
#
# Fault: the history holds 3000 cron runs, three to each start time (so a
# page of 1000 ends inside a group), with an at run and another user's
# cron run at every start time in between (so the kind and user filters
# drop rows before and inside each page), written straight into the spool
# while crond runs. 2500 are asked. Pass: 2500 distinct runs, exactly the
# newest 2500 in the history's order (start time, then record id, newest
# first), in the table and in --json, and stderr says nothing.
# Figure: rows shown for 2500 asked, and the time the requests took.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 0; }
write_conf
export TZ=UTC
start_crond --test-clock=1767225595

# cmd-1 .. cmd-3000: three to a start time, inserted in that order, so in
# one group the last inserted (highest id) is the newest.
{
    echo "BEGIN;"
    for i in $(seq 1 3000); do
        start=$((1767225000000 - (i - 1) / 3 * 1000))
        echo "INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms," \
             "start_ms, end_ms, exit_code, signal, flags, output_head, output_total)" \
             "VALUES ('cron', 'root', 0, 'user:root:$i', 'cmd-$i', $start, $start," \
             "$((start + 500)), 0, 0, 0, 'out-$i', 6);"
        if [ $((i % 3)) -eq 2 ]; then
            echo "INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms," \
                 "start_ms, end_ms, exit_code, signal, flags, output_head, output_total)" \
                 "VALUES ('at', 'root', 0, 'at:$i', 'job-$i', $start, $start," \
                 "$((start + 500)), 0, 0, 0, 'at-$i', 5)," \
                 "('cron', 'daemon', 1, 'user:daemon:$i', 'other-$i', $start, $start," \
                 "$((start + 500)), 0, 0, 0, 'other-$i', 8);"
        fi
    done
    echo "COMMIT;"
} | sqlite3 -cmd ".timeout 5000" "$TEST_TMP/spool/crond.db" || fail "cannot write the history"

# The newest 2500 in order: groups of three, highest number first.
want=$(seq 1 2500 | awk '{ g = int(($1 - 1) / 3); print "cmd-" (g * 3 + 3 - ($1 - 1) % 3) }' |
       tr '\n' ' ')

t0=$(date +%s%N)
run "$CRONTAB" --tz UTC --history 2500
t1=$(date +%s%N)
expect_rc 0 "crontab --history 2500"
[ -z "$ERR" ] || fail "crontab --history 2500 said: $ERR"
got=$(printf '%s\n' "$OUT" | grep -o ' cmd-[0-9]*' | tr -d ' ' | tr '\n' ' ')
rows=$(printf '%s\n' "$OUT" | grep -c ' cmd-')
distinct=$(printf '%s\n' "$OUT" | grep -o ' cmd-[0-9]*' | sort -u | wc -l)
[ "$rows" -eq 2500 ] || fail "crontab --history 2500 showed $rows rows"
[ "$distinct" -eq 2500 ] || fail "crontab --history 2500 showed $distinct distinct runs"
[ "$got" = "$want" ] || fail "crontab --history 2500: not the newest 2500 in order"
printf '%s\n' "$OUT" | grep -q 'job-\|other-' && fail "another kind's or user's run shown"
echo "figure: crontab --history 2500: $rows rows ($distinct distinct) in $(( (t1 - t0) / 1000000 )) ms"

run "$CRONTAB" --tz UTC --json --history 2500
expect_rc 0 "crontab --json --history 2500"
[ -z "$ERR" ] || fail "crontab --json --history 2500 said: $ERR"
got=$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
runs = json.load(sys.stdin)["runs"]
print(len(runs), len({r["command"] for r in runs}))
print(" ".join(r["command"] for r in runs) + " ")') || fail "crontab --json: not JSON"
[ "$(printf '%s\n' "$got" | head -n 1)" = "2500 2500" ] ||
    fail "crontab --json --history 2500: runs, distinct: $(printf '%s\n' "$got" | head -n 1)"
[ "$(printf '%s\n' "$got" | tail -n 1)" = "$want" ] ||
    fail "crontab --json --history 2500: not the newest 2500 in order"

# Asking for more than there are: all 3000, nothing said.
run "$CRONTAB" --tz UTC --history 5000
expect_rc 0 "crontab --history 5000"
[ -z "$ERR" ] || fail "crontab --history 5000 said: $ERR"
rows=$(printf '%s\n' "$OUT" | grep -c ' cmd-')
[ "$rows" -eq 3000 ] || fail "crontab --history 5000 showed $rows of 3000 rows"
stop_crond
