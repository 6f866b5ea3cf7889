#!/bin/bash
# tests/whole/crond_pid1.sh: crond as PID 1 of a PID namespace (a
# container's first process) reaps the orphans the kernel gives it. A job
# that leaves a process behind, `(sleep 1 &)`, makes that process crond's
# child once the job's shell has gone; when it exits, crond must wait for
# it, or it stays a zombie for as long as crond runs (with PAM, every job's
# session keeper is such an orphan: crond/session.h). Also that crond runs
# and stops as PID 1: its signals reach it, its jobs run. Needs root
# (unshare -p).
. "$ROOT/tests/whole/lib.sh"
need_crond
if [ "$(id -u)" != 0 ] || ! unshare -p -f --mount-proc true 2>/dev/null; then
    echo "SKIP: needs root and PID namespaces (unshare -p)"
    exit 0
fi
write_conf
out=$TEST_TMP/out
mkdir "$out"
printf '* * * * * root (sleep 1 >/dev/null 2>&1 &); echo $$ >%s/ran\n' "$out" \
    >"$TEST_TMP/cron.d/orphan"
chmod 0644 "$TEST_TMP/cron.d/orphan"

unshare -p -f --mount-proc "$BIN/crond" -n --config "$CONF" \
    --test-clock "$(before_next_minute 2)" >>"$TEST_TMP/crond.log" 2>&1 &
ns=$!
crond=""
stop_ns() {
    [ -n "$crond" ] && kill -TERM "$crond" 2>/dev/null
    wait "$ns" 2>/dev/null
}
trap stop_ns EXIT
socket_up() { [ -S "$SOCK" ]; }
wait_for 10 "crond's socket" socket_up
crond=$(pgrep -P "$ns" -x crond)
[ -n "$crond" ] || fail "no crond under unshare ($ns)"
grep -q '^NSpid:.*[[:space:]]1$' "/proc/$crond/status" || fail "crond is not PID 1 of its namespace"
log_has "orphaned processes are reaped" || fail "crond did not say it reaps orphans"

job_ran() { [ -s "$out/ran" ]; }
wait_for 30 "the job" job_ran
# The job's sleep: crond's child once the job's shell and subshell are gone.
sleep_child() { pgrep -P "$crond" -x sleep >/dev/null; }
wait_for 10 "the job's orphan as crond's child" sleep_child
orphan=$(pgrep -P "$crond" -x sleep)
gone() {
    [ ! -e "/proc/$orphan" ] && return 0
    WAIT_WHY="pid $orphan: $(awk '/^State:/ { print $2, $3 }' "/proc/$orphan/status" 2>/dev/null)"
    return 1
}
wait_for 10 "the orphan reaped" gone
run "$CRONTAB" -l
zombies=$(ps -o pid=,stat=,comm= --ppid "$crond" | awk '$2 ~ /^Z/')
[ -z "$zombies" ] || fail "zombies under crond: $zombies"

kill -HUP "$crond"
reloaded() { log_has "RELOAD (configuration"; }
wait_for 10 "a reload at SIGHUP" reloaded
kill -TERM "$crond"
rc=0
wait "$ns" || rc=$?
crond=""
[ "$rc" -eq 0 ] || fail "crond as PID 1 exited with status $rc after SIGTERM"
log_has "STOPPED" || fail "no STOPPED line in the log"
echo "figure: the job's orphan (pid $orphan) was reaped by crond as PID 1"
