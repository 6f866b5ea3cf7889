#!/bin/bash
# tests/whole/hardening_defer_flood.sh: one user's at jobs, put off minute
# after minute by a full queue, cannot flood crond's log with DEFER lines.
#
# Fault: one job slot, held for good by root's never-ending entry; nobody
# may have one run waiting, and queues N at jobs due at once (all queued
# before that instant). The first waits; every other finds the queue full
# and is put off for a minute, then again, each time logging
# "(nobody) DEFER (at job ID: queue full, ...)": N lines a minute (a user
# may queue 1,000 at jobs, so 1,000 a minute). Pass: nobody's DEFER lines
# stay within 5 a minute (the limiter allows 5 per 10 s of the daemon's
# clock; the lines come at one instant a minute), a later
# line says how many similar lines were not logged, and no at job is lost:
# all N are still queued.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the flooding user is nobody"
export TZ=UTC

N=40
write_conf "max_jobs = 1" "max_waiting_per_user = 1" "stop_grace = 1"
: >"$TEST_TMP/at.deny"
printf 'CRON_OVERLAP=skip\n* * * * * root sleep 3600\n' >"$TEST_TMP/cron.d/blocker"
chmod 0644 "$TEST_TMP/cron.d/blocker"

now=$(date +%s)
start=$(before_next_minute 2)
# a minute every 2 s
start_crond --test-clock "$start:30"
wait_for 20 "the blocker's start" log_has '(root) CMD (pid=[0-9]* sleep 3600)'
# All N must be queued before they fall due, so that they fall due, and
# are put off, at one instant each minute. Each `at` takes a few test
# seconds (0.1 s or more of real time on a slow machine under the
# sanitizers), so they go four at a time and fall due MARGIN test minutes
# after the blocker has the slot; a submission that came after its due
# time would be put off at an instant of its own and spread the lines.
MARGIN=4
due_at=$((start + 62 + 60 * MARGIN))
due=$(date -u -d "@$due_at" +%Y%m%d%H%M)
due_real=$(( now + (due_at - start) / 30 ))
submit() {
    as_nobody "$BIN/at" --config "$CONF" -t "$due" <<<"echo job-$1" \
        >/dev/null 2>"$TEST_TMP/at-$1.err" || echo "$1" >>"$TEST_TMP/at-failed"
}
pids=()
for i in $(seq 1 $N); do
    submit "$i" &
    pids+=("$!")
    (( i % 4 )) || { wait "${pids[@]}"; pids=(); }
done
# never a bare `wait`: crond is a child of this shell too
[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
[ ! -s "$TEST_TMP/at-failed" ] ||
    fail "nobody's at jobs $(tr '\n' ' ' <"$TEST_TMP/at-failed")failed: $(cat "$TEST_TMP"/at-*.err)"
[ "$(date +%s)" -lt "$due_real" ] ||
    fail "the $N submissions took until after they were due (${MARGIN} test minutes of margin)"
wait_for 40 "the held-back count" log_has '(nobody) DEFER (.*; [0-9]* similar lines\{0,1\} not logged)'
sleep 6
minutes=$(( ($(date +%s) - now) / 2 + 2 ))
check_limited nobody DEFER "$minutes" $N
lines=$LIMITED_LINES held=$LIMITED_HELD
# nothing lost: every at job is still queued (one waits for the slot)
run as_nobody "$BIN/atq" --config "$CONF"
expect_rc 0 "atq"
queued=$(printf '%s\n' "$OUT" | grep -c .)
[ "$queued" -eq $N ] || fail "$queued of nobody's $N at jobs are queued: $OUT"
stop_crond
echo "figure: nobody: $lines DEFER lines logged, $held held back, about $minutes test minutes, $queued at jobs still queued"
