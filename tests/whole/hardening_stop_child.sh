#!/bin/bash
# tests/whole/hardening_stop_child.sh: a user who stops their own job's
# process before it execs cannot hold up anyone else's jobs.
#
# Fault: crond started a job with a child that shared its memory until
# execve, and waited for that execve. From its setuid on the child is its
# owner's to signal, and SIGSTOP cannot be blocked. Was: the supervisor
# waited blindly (clone's CLONE_VFORK), so a user stopping one such child
# (here a loop of kill(-1, SIGSTOP)) froze every start of every user's
# jobs, root's included, and crond could not even stop. The time from the
# setuid to the execve is short (the shell's PATH search comes after it),
# so most runs are caught after their execve, and a few before. Pass: another
# user's job is forked and nothing waits for its execve: root's job runs
# every test minute throughout while the user's processes are stopped,
# none of theirs is killed for it, and crond stops at once afterwards. The
# attacker is a throwaway user: kill(-1) reaches every process of theirs,
# so it must not be one that other tests use.
# lane: background
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user stopping their jobs is a throwaway one"
export TZ=UTC
throwaway_user crondstop
evil=$EVIL

# Every child the stopper catches, before its execve or after, keeps its
# slot: with the default slots (a quarter of 224) and 40 entries, 0-3 of
# the user's runs were caught before their execve on a machine that forks
# fast (0: "the check tested nothing"). With 200 entries a minute (1,400
# runs, half of them still there, stopped, at the check) and room for
# them, 5-13 were.
write_conf "stop_grace = 1" "max_jobs = 1000" "max_jobs_per_user = 900"
root_stamps_every_minute
{
    echo "HOME=/"
    for i in $(seq 1 200); do echo "* * * * * true $i"; done
} >"$TEST_TMP/tab"
chmod 0644 "$TEST_TMP/tab"

cat >"$TEST_TMP/stopper.py" <<'PY'
import os, signal, sys, time
end = time.monotonic() + float(sys.argv[1])
n = 0
while time.monotonic() < end:
    try:
        os.kill(-1, signal.SIGSTOP)   # every process of this user's but this one
        n += 1
    except OSError:
        time.sleep(0.0005)           # none to signal just now
print(n)
PY

# a minute every 2 s
start_crond --test-clock "$(before_next_minute 2):30"
run as_evil "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "$evil installs the entries"
as_evil "$PY" "$TEST_TMP/stopper.py" 14 >"$TEST_TMP/stopper.out" 2>&1 &
stopper=$!
# Children stopped before their execve stay so: none may hold a descriptor
# of crond's but its output and start report (was: the listening socket,
# the spool, the pidfile, every pipe; a crond started after a crash found
# the old socket still answering).
sleep 12
crond_exe=$(readlink "/proc/$CROND_PID/exe")
caught=0
worst=0
for pid in $(pgrep -u "$evil"); do
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$crond_exe" ] || continue
    caught=$((caught + 1))
    n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    [ "$n" -gt "$worst" ] && worst=$n
done
wait "$stopper" || fail "the stopper failed: $(cat "$TEST_TMP/stopper.out")"
signals=$(cat "$TEST_TMP/stopper.out")
echo "figure: $caught of $evil's children stopped before their execve; the most descriptors one held: $worst"
[ "$caught" -ge 1 ] || fail "no child of $evil's was caught before its execve: the check tested nothing"
[ "$worst" -le 4 ] || fail "a child stopped before its execve held $worst descriptors (crond's)"
# crond gives up on no child of theirs (it used to kill one found stopped
# before its execve: "FAIL ... stopped by a signal before it could exec")
killed=$(grep -c "($evil) FAIL" "$TEST_TMP/crond.log")
echo "figure: $evil's kill(-1, SIGSTOP) loop stopped their processes $signals times; $killed killed by crond"
root_runs=$(wc -l <"$TEST_TMP/root.runs")
echo "figure: root's job ran $root_runs times in 14 s (7 test minutes)"
[ "$signals" -ge 1 ] || fail "$evil's loop stopped none of their processes: the test tested nothing"
[ "$root_runs" -ge 5 ] || fail "root's job ran $root_runs times in 7 test minutes while $evil stopped their jobs"
[ "$killed" -eq 0 ] || fail "crond killed $killed of $evil's stopped children: it waited for them"
t0=$(date +%s%N)
stop_crond
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 5000 ] || fail "crond took $ms ms to stop (stop_grace 1 s)"
echo ok
