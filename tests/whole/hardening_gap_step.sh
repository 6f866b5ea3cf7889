#!/bin/bash
# tests/whole/hardening_gap_step.sh: while the timer plans crontab changes
# that cost it seconds, the runs that fall due meanwhile still start on time.
#
# Fault: the timer planned a user's change whole, so a run that fell due
# during one waited for the rest of it: up to a whole change, about 1 s
# for 10,000 entries whose every match falls in a zone's gap (a rule that
# skips 02:00-03:00 on 1 March: each search walks every year to its
# horizon), and 2.7 s of wall time on a slow CI machine, where root's run
# was 58 s of the test clock late (hardening_gap_churn).
# Pass: four users' such changes keep the timer busy across several of
# the test clock's minutes (60 times fast: a second each), and every run
# of root's every-minute entry starts within 30 s of the test clock
# (0.5 s) of its minute, times the machine's slowness (scaled_bound: at
# most 60 s, a second); 0-1 s here, 12 s in a clean-clone run beside the
# other lanes on a slow machine, where the build before the timer planned
# in steps started one 83 and 98 s late (each change cost it 1 s); not
# checked under ThreadSanitizer. At least two of root's minutes must fall
# while the changes are planned, or the test tested nothing.
# Figure: how many of root's runs fell due during the changes, and the
# latest start.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the users installing crontabs are system users"
export TZ=UTC
USERS="nobody daemon bin sys"
write_conf
write_gap_crontab "$TEST_TMP/gap"

start_crond --test-clock "$(date +%s):60"
printf '* * * * * true root-every-minute\n' >"$TEST_TMP/root.cron"
run "$CRONTAB" "$TEST_TMP/root.cron"
[ "$RC" -eq 0 ] || fail "root cannot install its crontab: $ERR"
# Two of root's runs first: the schedule is going before the changes come.
wait_for 30 "root's first two runs" eval \
    '[ "$(grep -c "(root) CMD (.*root-every-minute" "$TEST_TMP/crond.log")" -ge 2 ]'
declare -A pid
for u in $USERS; do
    # (crontab warns that such entries never run, and installs them)
    setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
        "$CRONTAB" "$TEST_TMP/gap" >"$TEST_TMP/install.$u" 2>&1 &
    pid[$u]=$!
done
for u in $USERS; do
    wait "${pid[$u]}" || fail "$u cannot install the crontab: $(head -c 300 "$TEST_TMP/install.$u")"
done
# Each change cost the timer 50 ms and more, so each is logged as a HOLD
# once applied.
wait_for 120 "the four changes applied" eval \
    '[ "$(grep -c ") HOLD (its crontab change" "$TEST_TMP/crond.log")" -ge 4 ]'
sleep 1   # one more of root's minutes
stop_crond

# The window the changes were planned in, on the test clock: from the
# first install stored (REPLACE) to the last change applied (HOLD).
epoch() { date -u -d "$1" +%s; }
first=$(grep -m1 -E "\((${USERS// /|})\) REPLACE" "$TEST_TMP/crond.log" | cut -c1-19)
last=$(grep ") HOLD (its crontab change" "$TEST_TMP/crond.log" | tail -n 1 | cut -c1-19)
[ -n "$first" ] && [ -n "$last" ] || fail "no REPLACE or HOLD line in the log"
from=$(epoch "$first") to=$(epoch "$last")
grep -h "HOLD (its crontab change" "$TEST_TMP/crond.log" | sed 's/^/  /'

run "$CRONTAB" --history 500 --json
[ "$RC" -eq 0 ] || fail "crontab --history: $ERR"
bound=$(scaled_bound 30 60)
tsan=0
ldd "$BIN/crond" 2>/dev/null | grep -q libtsan && tsan=1
printf '%s' "$OUT" | python3 -c '
import json, sys
frm, to, bound, tsan = (int(a) for a in sys.argv[1:5])
runs = [r for r in json.load(sys.stdin)["runs"] if "root-every-minute" in r["command"]]
during = [r for r in runs if frm < r["scheduled_epoch"] <= to]
late = {r["scheduled_epoch"]: r["start_epoch"] - r["scheduled_epoch"] for r in runs}
worst = max(late.values()) if late else -1
print("figure: %d of root'"'"'s %d runs fell due during the changes (%d s of the test clock); "
      "the latest started %d s of the test clock (x1/60 real) late" % (len(during), len(runs), to - frm, worst))
if len(during) < 2:
    sys.exit("only %d of root'"'"'s minutes fell while the changes were planned: nothing was tested" % len(during))
bad = {s: d for s, d in late.items() if d > bound}
if bad and not tsan:
    sys.exit("root'"'"'s runs started late (bound %d s of the test clock): %s" % (bound, sorted(bad.items())))
' "$from" "$to" "$bound" "$tsan" || fail "see above"
