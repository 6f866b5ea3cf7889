#!/bin/bash
# tests/whole/hardening_load_cli.sh: a flood of CLI calls does not make the
# schedule slip (make hardening only: it runs for a minute).
#
# Eight loops call `crontab -l` and `atq` as root, nobody and daemon, paced
# to 1,000 calls a second in all, for 66 s (at most 66,000 calls). Meanwhile
# crond, on a test clock running at real speed, passes two minute
# boundaries; root (system crontab and its own) and nobody each have a
# "* * * * *" job that writes the time it starts (on the boot clock,
# /proc/uptime). Pass criteria:
#   - every job starts within 1 s of its boundary (2 boundaries x 3 jobs);
#   - every call gets the right answer (the crontab or the queue as
#     installed), or a clear refusal ("too many connections", "busy");
#   - at least 100 calls a second were made (below that the test would not
#     load crond at all; a machine that cannot start 1,000 processes a
#     second gets fewer, and the figure says how many).
# The clients are LOAD_BIN's programs if set (make hardening gives the plain
# build, whose start-up costs a tenth of ASan's), else BIN's; the daemon
# under test is always BIN's.
# Figures: the calls made, refused and their rate; the worst start delay.
. "$ROOT/tests/whole/lib.sh"
need_crond

RATE=1000          # calls a second, all loops together
LOAD_S=66
LOOPS=8
MIN_RATE=100
SLIP_LIMIT=1.0

write_conf
: >"$TEST_TMP/at.deny"      # everyone may use at
out=$TEST_TMP/out
mkdir -m 0777 "$out"
CLI=${LOAD_BIN:-$BIN}

printf 'MAILTO=""\n* * * * * root cut -d\\  -f1 /proc/uptime >>%s/root-system\n' "$out" >"$TEST_TMP/cron.d/stamp"
chmod 0644 "$TEST_TMP/cron.d/stamp"
printf 'MAILTO=""\n* * * * * cut -d\\  -f1 /proc/uptime >>%s/root-user\n' "$out" >"$TEST_TMP/root.tab"
printf 'MAILTO=""\nHOME=%s\n* * * * * cut -d\\  -f1 /proc/uptime >>%s/nobody\n' "$out" "$out" >"$TEST_TMP/nobody.tab"
printf 'MAILTO=""\n17 3 * * * true\n' >"$TEST_TMP/daemon.tab"
run "$CRONTAB" "$TEST_TMP/root.tab"; expect_rc 0 "root's crontab"
run "$CRONTAB" -u nobody "$TEST_TMP/nobody.tab"; expect_rc 0 "nobody's crontab"
run "$CRONTAB" -u daemon "$TEST_TMP/daemon.tab"; expect_rc 0 "daemon's crontab"

# 2030-01-01T12:00:00Z, 5 s after crond starts; the flood covers 12:00 and 12:01.
NOON=1893499200
CLOCK_START=$((NOON - 5))
start_crond --test-clock "$CLOCK_START"
crond_start=$(python3 "$ROOT/tests/hardening/started_at.py" "$CROND_PID")
for q in a b; do
    run as_nobody "$BIN/at" -q "$q" 2031-06-01 <<<"echo queued $q"
    expect_rc 0 "nobody queues an at job"
done
run "$BIN/at" 2031-07-01 <<<"echo root's job"
expect_rc 0 "root queues an at job"

# The answers each call must give, taken before the flood.
as_user() { if [ "$1" = root ]; then shift; "$@"; else local u=$1; shift; setpriv --reuid="$u" --regid=nogroup --clear-groups "$@"; fi; }
declare -A want
for who in root nobody daemon; do
    want[$who:crontab]=$(as_user "$who" "$CLI/crontab" -l) || fail "crontab -l as $who"
    want[$who:atq]=$(as_user "$who" "$CLI/atq") || fail "atq as $who"
done

# One loop: USER, COMMAND (crontab or atq); paced to RATE/LOOPS a second.
flood() {
    local who=$1 what=$2 n=0 ok=0 refused=0 wrong=0 per_s=$((RATE / LOOPS)) answer
    local max=$((per_s * LOAD_S)) t0=$EPOCHREALTIME elapsed ahead
    local -a cmd
    [ "$what" = crontab ] && cmd=("$CLI/crontab" -l) || cmd=("$CLI/atq")
    local expected=${want[$who:$what]}
    while [ $n -lt "$max" ]; do
        answer=$(as_user "$who" "${cmd[@]}" 2>&1)
        n=$((n + 1))
        if [ "$answer" = "$expected" ]; then
            ok=$((ok + 1))
        else
            case "$answer" in
                *"too many connections"*|*busy*) refused=$((refused + 1)) ;;
                *) wrong=$((wrong + 1)); [ $wrong -le 3 ] && printf '%s %s got: %s\n' "$who" "$what" "$answer" >&2 ;;
            esac
        fi
        if [ $((n % 25)) -eq 0 ]; then
            elapsed=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
            awk -v e="$elapsed" -v l="$LOAD_S" 'BEGIN { exit !(e >= l) }' && break
            ahead=$(awk -v n="$n" -v r="$per_s" -v e="$elapsed" 'BEGIN { d = n / r - e; print (d > 0 ? d : 0) }')
            sleep "$ahead"
        fi
    done
    echo "$n $ok $refused $wrong"
}

loops=(root:crontab root:atq nobody:crontab nobody:atq daemon:crontab daemon:atq
       nobody:crontab nobody:atq)
t0=$EPOCHREALTIME
pids=()
for i in "${!loops[@]}"; do
    flood "${loops[$i]%%:*}" "${loops[$i]#*:}" >"$TEST_TMP/loop.$i" 2>"$TEST_TMP/loop.$i.err" &
    pids+=($!)
done
wait "${pids[@]}"
t1=$EPOCHREALTIME
kill -0 "$CROND_PID" 2>/dev/null || fail "crond died under the flood"

read -r calls ok refused wrong < <(cat "$TEST_TMP"/loop.[0-9] | awk '{ n += $1; o += $2; r += $3; w += $4 } END { print n, o, r, w }')
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v n="$calls" -v s="$secs" 'BEGIN { printf "%d", n / s }')
echo "figure: CLI calls: $calls in $secs s = $rate/s (target $RATE/s), $ok answered right, $refused refused, $wrong wrong"
[ "$wrong" -eq 0 ] || fail "$wrong calls got a wrong answer: $(cat "$TEST_TMP"/loop.*.err | head -n 3)"
[ "$rate" -ge "$MIN_RATE" ] || fail "only $rate calls a second: not a load"

# Every "* * * * *" job started within SLIP_LIMIT of 12:00 and 12:01.
for who in root-system root-user nobody; do
    worst=$(python3 - "$out/$who" "$crond_start" "$CLOCK_START" "$NOON" <<'PY'
import sys
path, crond_start, clock_start, noon = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
try:
    stamps = [float(l) for l in open(path) if l.strip()]
except OSError:
    stamps = []
worst = 0.0
for m in range(2):
    boundary = crond_start + (noon + 60 * m - clock_start)
    late = [s - boundary for s in stamps if boundary - 0.5 <= s < boundary + 30]
    if not late:
        print(f"none 12:0{m}")
        sys.exit(0)
    worst = max(worst, min(late))
print(f"{worst:.3f}")
PY
)
    case "$worst" in none*) fail "$who's job did not start at ${worst#none }" ;; esac
    echo "figure: $who: worst start $worst s after the boundary (12:00, 12:01; limit $SLIP_LIMIT s)"
    awk -v w="$worst" -v l="$SLIP_LIMIT" 'BEGIN { exit !(w <= l) }' || fail "$who's job slipped $worst s"
done
stop_crond
echo ok
