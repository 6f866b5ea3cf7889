#!/bin/bash
# A user's job cannot hold crond's stop past stop_grace.
#
# Fault 1: a user's at job leaves a process in a session of its own holding
# its output pipe (`setsid sleep 300 &`), the way a job that starts a
# daemon without redirecting its output does. Signals to the job's process
# group do not reach it, so the pipe's EOF never comes. Was: once the job
# ended, crond waited the usual 60 s for the EOF, and its stop took 61 s
# (past systemd's TimeoutStopSec of 30 s). Pass: with stop_grace = 2 the
# stop takes under 5 s, and the run is recorded as interrupted.
# Fault 2: the user's job stops itself (SIGSTOP). Was: crond's SIGTERM waited
# until the SIGKILL stop_grace later. Pass: crond also sends SIGCONT, so
# with stop_grace = 10 the stop takes under 3 s.
# Figures: both stops' times.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the jobs run as a throwaway user, whose processes the test kills"
throwaway_user crondlinger
ATQ=$BIN/atq

stop_timed() {
    local t0 t1
    t0=$(date +%s%N)
    stop_crond
    t1=$(date +%s%N)
    STOP_MS=$(( (t1 - t0) / 1000000 ))
}

started() { log_has "($EVIL) CMD"; }

# ---------------------------------------------------------------- 1. setsid
start_crond_at_open
echo "stop_grace = 2" >>"$CONF"
stop_crond
start_crond
(cd / && as_evil "$BIN/at" now <<<"setsid sleep 300 & exec sleep 300") >/dev/null 2>&1 ||
    fail "the user's at job was refused"
wait_for 20 "the user's job" started
sleep 0.5
stop_timed
pkill -u "$EVIL" -x sleep || true
echo "figure: stop with a job's pipe held by a setsid process: $STOP_MS ms (stop_grace 2 s)"
[ "$STOP_MS" -lt 5000 ] || fail "the stop took $STOP_MS ms"
start_crond
run as_evil "$ATQ" --history
printf '%s\n' "$OUT" | grep -q interrupted || { show_last; fail "the run is not recorded as interrupted"; }
stop_crond

# ---------------------------------------------------------------- 2. SIGSTOP
mv "$TEST_TMP/crond.log" "$TEST_TMP/crond1.log"
sed -i 's/^stop_grace = 2$/stop_grace = 10/' "$CONF"
start_crond
(cd / && as_evil "$BIN/at" now <<<'kill -STOP $$; sleep 300') >/dev/null 2>&1 ||
    fail "the user's second at job was refused"
wait_for 20 "the user's second job" started
stopped() { pgrep -u "$EVIL" | xargs -r ps -o stat= -p | grep -q '^T'; }
wait_for 10 "the user's job stopping itself" stopped
stop_timed
pkill -u "$EVIL" -x sleep || true
echo "figure: stop with a stopped job: $STOP_MS ms (stop_grace 10 s)"
[ "$STOP_MS" -lt 3000 ] || fail "the stop took $STOP_MS ms"
