#!/bin/bash
# tests/whole/crond_lean_start.sh: what crond's start-up does not do
# (docs/ARCHITECTURE.md, "Start-up with no entries"). With nothing to run,
# crond holds one spool connection, not two: the supervisor's is opened when
# its first record is written, and then the run is in the history as usual.
# crond maps no libsystemd (it speaks sd_notify and socket activation itself).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
# connections PID: how many descriptors of PID are open on the spool database
connections() {
    local n=0 f
    for f in /proc/"$1"/fd/*; do
        [ "$(readlink "$f" 2>/dev/null)" = "$TEST_TMP/spool/crond.db" ] && n=$(( n + 1 ))
    done
    echo "$n"
}
start=$(before_next_minute 3)
start_crond --test-clock "$start"
sleep 0.5
[ "$(connections "$CROND_PID")" = 1 ] ||
    fail "crond with nothing run holds $(connections "$CROND_PID") spool connections, not 1"
grep -q 'libsystemd' /proc/"$CROND_PID"/maps && fail "crond maps libsystemd"

# the first run opens the supervisor's connection and is recorded
printf '* * * * * root echo lean > %s/ran\n' "$TEST_TMP" >"$TEST_TMP/cron.d/one"
chmod 0644 "$TEST_TMP/cron.d/one"
for _ in $(seq 1 100); do [ -s "$TEST_TMP/ran" ] && break; sleep 0.1; done
[ -s "$TEST_TMP/ran" ] || fail "the job did not run"
for _ in $(seq 1 50); do
    run "$CRONTAB" --history -u root
    case $OUT in *"echo lean"*) break ;; esac
    sleep 0.1
done
case $OUT in *"echo lean"*) ;; *) show_last; fail "the run is not in the history" ;; esac
[ "$(connections "$CROND_PID")" = 2 ] ||
    fail "after a run crond holds $(connections "$CROND_PID") spool connections, not 2"
stop_crond
echo "crond_lean_start: ok"
