#!/bin/bash
# crontab --history N and atq --history N past what one reply carries, and
# the FLAGS column with long flags.
#
# Fault: the history holds 1200 cron and 1200 at runs (written straight into
# the spool while crond runs) and 5000 are asked, more than one reply
# carries (1000). Pass: all 1200 are shown, newest first, each once (the
# CLIs ask the rest with the cursor), and stderr says nothing, as it says
# nothing when fewer are asked. The newest runs carry long flags ("interrupted,node-lost",
# "skipped,clock-skew", "skipped,queue-full"): the COMMAND (JOB) column
# starts at the same column on every line, header included.
# Figure: rows shown for 5000 asked, and the time the requests took.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
write_conf
export TZ=UTC
start_crond --test-clock=1767225595
ATQ=$BIN/atq

# The newest four of each kind: long flags, then none. Flags are the
# spool's bits (spool.h): interrupted 0x04, node-lost 0x1000, skipped 0x01,
# clock-skew 0x2000, queue-full 0x80.
{
    echo "BEGIN;"
    for kind in cron at; do
        for i in $(seq 1 1200); do
            case $i in
                1) f=$((0x04 | 0x1000)) ;;
                2) f=$((0x01 | 0x2000)) ;;
                3) f=$((0x01 | 0x80)) ;;
                *) f=0 ;;
            esac
            if [ $kind = cron ]; then key="user:root:$i"; else key="at:$i"; fi
            start=$((1767225000000 - i * 1000))
            echo "INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms," \
                 "start_ms, end_ms, exit_code, signal, flags, output_head, output_total)" \
                 "VALUES ('$kind', 'root', 0, '$key', 'cmd-$i', $start, $start," \
                 "$((start + 500)), 0, 0, $f, 'out-$i', 6);"
        done
    done
    echo "COMMIT;"
} | sqlite3 -cmd ".timeout 5000" "$TEST_TMP/spool/crond.db" || fail "cannot write the history"

t0=$(date +%s%N)
run "$CRONTAB" --tz UTC --history 5000
t1=$(date +%s%N)
expect_rc 0 "crontab --history 5000"
rows=$(printf '%s\n' "$OUT" | grep -c 'cmd-')
[ "$rows" -eq 1200 ] || fail "crontab --history 5000 showed $rows rows"
[ "$(printf '%s\n' "$OUT" | grep -o 'cmd-[0-9]*' | tr '\n' ' ')" = "$(seq -f 'cmd-%g' 1 1200 | tr '\n' ' ')" ] ||
    fail "crontab --history 5000: not every run once, newest first"
[ -z "$ERR" ] || fail "crontab --history 5000 said: $ERR"
echo "# crontab --history 5000: $rows rows in $(( (t1 - t0) / 1000000 )) ms, stderr: $ERR"

run "$CRONTAB" --tz UTC --history 20
expect_rc 0 "crontab --history 20"
[ -z "$ERR" ] || fail "crontab --history 20 said: $ERR"

# Every line's COMMAND starts where the header's does.
aligned() {   # $1: header word, $2: text every row has there
    printf '%s\n' "$OUT" | head -n 8 | awk -v h="$1" -v r="$2" '
        NR == 1 { col = index($0, h); next }
        { c = index($0, r); if (c != col) { print "line " NR ": " r " at " c ", header " h " at " col; bad = 1 } }
        END { exit bad }'
}
for flags in interrupted,node-lost skipped,clock-skew skipped,queue-full; do
    printf '%s\n' "$OUT" | grep -q "  $flags  " || fail "no row flagged $flags: $OUT"
done
aligned COMMAND cmd- || fail "crontab --history columns out of line: $OUT"

run "$ATQ" --history 5000
expect_rc 0 "atq --history 5000"
rows=$(printf '%s\n' "$OUT" | grep -c 'out-')
[ "$rows" -eq 1200 ] || fail "atq --history 5000 showed $rows rows"
[ "$(printf '%s\n' "$OUT" | grep -o 'out-[0-9]*' | tr '\n' ' ')" = "$(seq -f 'out-%g' 1 1200 | tr '\n' ' ')" ] ||
    fail "atq --history 5000: not every run once, newest first"
[ -z "$ERR" ] || fail "atq --history 5000 said: $ERR"
echo "# atq --history 5000: $rows rows, stderr: $ERR"
printf '%s\n' "$OUT" | grep -q "  interrupted,node-lost  " || fail "atq: no long flags: $OUT"
aligned OUTPUT out- || fail "atq --history columns out of line: $OUT"
run "$ATQ" --history 20
[ -z "$ERR" ] || fail "atq --history 20 said: $ERR"
stop_crond
