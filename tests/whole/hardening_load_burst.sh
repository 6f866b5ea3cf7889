#!/bin/bash
# tests/whole/hardening_load_burst.sh: one hostile user, 5,000 entries due in
# the same minute plus a bounded fork bomb, with max_jobs = 64 (make
# hardening only: it takes a few minutes).
#
# nobody installs 5,000 entries "0 12 * * *" (each a one-second job, all
# different, under 16 KiB of environment) and one job that forks 200
# sleeping children and waits for them. root (a system crontab and its own
# crontab) and daemon each have a "* * * * *" job that writes the time it
# starts (on the boot clock, /proc/uptime). crond runs on a test clock from
# 11:59:57. Pass criteria:
#   - every one of nobody's 5,001 runs at 12:00 has a history row: it
#     started (running or ended) or it was recorded as skipped;
#   - crond never has more than 64 running children (sampled every 0.1 s);
#   - root's and daemon's runs start within 60 s of every minute boundary
#     while the burst drains;
#   - when all is done: no child of crond left (zombie or not), none of the
#     bomb's children left;
#   - crond's peak resident memory (VmHWM) stays under 256 MiB (ASan's
#     quarantine is cut to 16 MiB for this test, so the figure is crond's own
#     memory plus ASan's shadow).
# Figures: the runs started and skipped, the drain time, the most running
# jobs seen, the worst start delay of root's and daemon's jobs, VmHWM.
. "$ROOT/tests/whole/lib.sh"
need_crond

ENTRIES=5000
BOMB_CHILDREN=200
MAX_JOBS=64
HWM_LIMIT_MIB=256
DRAIN_LIMIT_S=480

write_conf "max_jobs = $MAX_JOBS" "stop_grace = 5"
out=$TEST_TMP/out
mkdir -m 0777 "$out"
# The bomb's children have a name of their own, so the end check finds any
# that is left.
cp /bin/sleep "$TEST_TMP/i9bomb"
chmod 0755 "$TEST_TMP/i9bomb"

# nobody: 16 KiB of environment, 5,000 entries due at 12:00, the bomb.
tab=$TEST_TMP/nobody.tab
{
    echo 'MAILTO=""'
    echo 'CRON_TZ=UTC'
    echo "HOME=$out"
    for v in 1 2 3 4; do
        printf 'PAD%d=%s\n' "$v" "$(head -c 4000 /dev/zero | tr '\0' x)"
    done
    echo "0 12 * * * for i in \$(seq $BOMB_CHILDREN); do $TEST_TMP/i9bomb 20 & done; wait"
    for i in $(seq 1 $ENTRIES); do echo "0 12 * * * sleep 1 #$i"; done
} >"$tab"
run "$CRONTAB" -u nobody "$tab"
expect_rc 0 "root installs nobody's crontab of $ENTRIES entries"

# root and daemon: one stamp a minute, real time.
printf 'MAILTO=""\n* * * * * root cut -d\\  -f1 /proc/uptime >>%s/root-system\n' "$out" >"$TEST_TMP/cron.d/stamp"
chmod 0644 "$TEST_TMP/cron.d/stamp"
printf 'MAILTO=""\n* * * * * cut -d\\  -f1 /proc/uptime >>%s/root-user\n' "$out" >"$TEST_TMP/root.tab"
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "root's crontab"
printf 'MAILTO=""\n* * * * * cut -d\\  -f1 /proc/uptime >>%s/daemon\n' "$out" >"$TEST_TMP/daemon.tab"
run "$CRONTAB" -u daemon "$TEST_TMP/daemon.tab"
expect_rc 0 "daemon's crontab"

# 2030-01-01T12:00:00Z, the burst's minute, 3 s after crond starts.
NOON=1893499200
CLOCK_START=$((NOON - 3))
# ASan keeps 256 MiB of freed memory by default: that would be the figure.
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16"
start_crond --test-clock "$CLOCK_START"
# The test clock reads CLOCK_START when crond starts (boot clock seconds).
crond_start=$(python3 "$ROOT/tests/hardening/started_at.py" "$CROND_PID")
watch=$TEST_TMP/watch
python3 "$ROOT/tests/hardening/procwatch.py" "$CROND_PID" "$watch" 0.1 &
WATCH_PID=$!
trap 'touch "$watch.stop"; cleanup_crond' EXIT
state() { awk -v k="$1" '$1 == k { print $2 }' "$watch" 2>/dev/null; }

# Wait until every run of 12:00 has a row and nothing runs any more.
rows_at_noon() {
    "$CRONTAB" -u nobody --tz UTC --history 100000 2>/dev/null | grep -a '^2030-01-01 12:00 ' >"$TEST_TMP/rows"
    wc -l <"$TEST_TMP/rows"
}
want=$((ENTRIES + 1))
deadline=$((SECONDS + DRAIN_LIMIT_S))
while :; do
    sleep 2
    kill -0 "$CROND_PID" 2>/dev/null || fail "crond died during the burst"
    n=$(rows_at_noon)
    [ "$n" -ge "$want" ] && [ "$(state running)" = 0 ] && ! grep -qa ' running ' "$TEST_TMP/rows" && break
    [ $SECONDS -lt $deadline ] ||
        fail "after ${DRAIN_LIMIT_S} s only $n of $want runs of 12:00 have a history row"
done
drained=$(awk -v s="$crond_start" '{ printf "%d", $1 - s - 3 }' /proc/uptime)
skipped=$(grep -ac 'skipped' "$TEST_TMP/rows")
echo "figure: runs of 12:00: $n of $want recorded, $((n - skipped)) started, $skipped skipped; drained $drained s after 12:00"
[ "$n" -eq "$want" ] || fail "$n history rows for $want runs"
bad=$(grep -a 'failed-to-start' "$TEST_TMP/rows" | head -n 3)
[ -z "$bad" ] || fail "runs failed to start: $bad"

# The cap held.
max=$(state max_running)
echo "figure: running jobs: at most $max (max_jobs $MAX_JOBS), $(state samples) samples"
[ "$max" -le "$MAX_JOBS" ] || fail "$max jobs ran at once with max_jobs = $MAX_JOBS"
[ "$max" -ge $((MAX_JOBS / 2)) ] || fail "only $max jobs ever ran at once: the burst did not load crond"

# root's and daemon's jobs started within 60 s of every boundary that passed
# while the burst drained (on the boot clock, boundary = crond_start + its
# test-clock offset; crond reads its clock a little after it starts, so
# delays are if anything overstated).
last_minute=$(( (drained - 60) / 60 ))
[ "$last_minute" -ge 0 ] || last_minute=0
worst_all=0
for who in root-system root-user daemon; do
    worst=$(python3 - "$out/$who" "$crond_start" "$CLOCK_START" "$NOON" "$last_minute" <<'PY'
import sys
path, crond_start, clock_start, noon, last = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
try:
    stamps = sorted(float(l) for l in open(path) if l.strip())
except OSError:
    stamps = []
worst = 0.0
for m in range(last + 1):
    boundary = crond_start + (noon + 60 * m - clock_start)
    late = [s - boundary for s in stamps if boundary - 0.5 <= s < boundary + 60]
    if not late:
        print(f"none {m}")
        sys.exit(0)
    worst = max(worst, min(late))
print(f"{worst:.2f}")
PY
)
    case "$worst" in none*) fail "$who's run of 12:0${worst#none } did not start within 60 s" ;; esac
    echo "figure: $who: worst start $worst s after the boundary, minutes 12:00-12:$(printf %02d "$last_minute")"
done

# Nothing left behind.
sleep 1
[ "$(state zombies)" = 0 ] || fail "$(state zombies) zombie children of crond"
[ "$(state running)" = 0 ] || fail "$(state running) children of crond still running"
left=$(pgrep -x i9bomb -U nobody | wc -l)
[ "$left" -eq 0 ] || fail "$left children of the fork bomb are left"
grep -qa "for i in" "$TEST_TMP/rows" || fail "the fork bomb has no history row"

hwm=$(state vmhwm_kib)
echo "figure: crond memory: VmHWM $((hwm / 1024)) MiB, VmRSS $(( $(state vmrss_kib) / 1024 )) MiB at the end (limit $HWM_LIMIT_MIB MiB)"
[ $((hwm / 1024)) -lt "$HWM_LIMIT_MIB" ] || fail "crond's peak memory $((hwm / 1024)) MiB"
touch "$watch.stop"
wait "$WATCH_PID"
stop_crond
echo ok
