#!/bin/bash
# tests/whole/hardening_exec_hang.sh: a user whose program cannot be
# opened cannot hold up anyone else's jobs.
#
# Fault: crond waited for each job's execve (the child shared its memory
# until then), and what the child opens before it is its owner's choice
# (home, shell, program, a script's interpreter). A lease on one of their
# own files makes any open of it wait for the lease to break (45 s,
# lease-break-time; a FUSE file system, for ever). Was: with one leased
# program in three entries, every start of every user's jobs waited 45 s
# per run, root's included; killing the child after 5 s still let a user
# who let go at 4.8 s hold everyone 4.8 s per entry. Pass: another user's
# job is forked and nothing waits for its execve: root's job runs every
# minute, the user's own jobs wait for their lease (and start once it is
# gone), nothing of theirs is killed, and their at job runs meanwhile.
# lane: background
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user leasing their program is a throwaway one"
export TZ=UTC
throwaway_user crondhang
evil=$EVIL

write_conf "stop_grace = 1"
root_stamps_every_minute
: >"$TEST_TMP/at.deny"   # every user may use at
mkdir -m 0755 "$TEST_TMP/evil"
printf '#!/bin/sh\necho ran\n' >"$TEST_TMP/evil/prog"
chmod 0755 "$TEST_TMP/evil/prog"
chown -R "$evil:$evil" "$TEST_TMP/evil"
printf 'MAILTO=""\n* * * * * %s/evil/prog %d\n' "$TEST_TMP" 1 "$TEST_TMP" 2 "$TEST_TMP" 3 \
    >"$TEST_TMP/evil/tab"
chmod 0644 "$TEST_TMP/evil/tab"

# The lease: held until killed (the kernel breaks it after 45 s, longer
# than it is needed here). "leased PID" on stdout once it is in place.
cat >"$TEST_TMP/evil/lease.py" <<'PY'
import fcntl, os, signal, sys, time
signal.signal(signal.SIGIO, lambda *a: None)   # a break is asked: keep it
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print("leased", os.getpid(), flush=True)
while True:
    time.sleep(1)
PY

# a minute every 2 s
start_crond --test-clock "$(before_next_minute 2):30"
as_evil "$PY" "$TEST_TMP/evil/lease.py" "$TEST_TMP/evil/prog" >"$TEST_TMP/lease.out" 2>&1 &
for i in $(seq 1 100); do grep -q leased "$TEST_TMP/lease.out" && break; sleep 0.05; done
grep -q leased "$TEST_TMP/lease.out" || fail "no lease: $(cat "$TEST_TMP/lease.out")"
lease=$(awk '/^leased/ { print $2 }' "$TEST_TMP/lease.out")   # python's own pid
t_start=$(date +%s)
run as_evil "$CRONTAB" "$TEST_TMP/evil/tab"
expect_rc 0 "$evil installs the entries"

# Their jobs wait in their own processes; root's run on.
sleep 6
(cd "$TEST_TMP/evil" && as_evil "$BIN/at" now <<<"echo at-ran >$TEST_TMP/evil/at.out") ||
    fail "$evil's at job was not queued"
for i in $(seq 1 100); do [ -e "$TEST_TMP/evil/at.out" ] && break; sleep 0.1; done
[ "$(cat "$TEST_TMP/evil/at.out" 2>/dev/null)" = "at-ran" ] ||
    fail "$evil's at job did not run while their cron jobs waited for the lease"
sleep 4
started=$(grep -c "($evil) CMD (.*evil/prog" "$TEST_TMP/crond.log")
ended=$(( $(grep -c "($evil) END (" "$TEST_TMP/crond.log") - 1 ))   # less the at job's
root_runs=$(awk -v t="$t_start" '$1 >= t' "$TEST_TMP/root.runs" | wc -l)
echo "figure: in $(( $(date +%s) - t_start )) s, root's job ran $root_runs times; $started runs of $evil's leased program started, $ended ended"
[ "$root_runs" -ge 4 ] || fail "root's job ran $root_runs times in about 7 test minutes"
[ "$ended" -eq 0 ] || fail "$evil's leased program ran while the lease was held"
grep -q "($evil) FAIL" "$TEST_TMP/crond.log" && fail "a start of $evil's failed (killed?)"

# The lease goes: their waiting jobs run.
kill "$lease"
ends() { grep -c "($evil) END (" "$TEST_TMP/crond.log"; }
for i in $(seq 1 100); do [ "$(ends)" -ge 4 ] && break; sleep 0.1; done
[ "$(ends)" -ge 4 ] || fail "$evil's jobs did not end once the lease was gone ($(ends) END lines)"
run as_evil "$CRONTAB" -r
expect_rc 0 "$evil removes the entries"
stop_crond
echo ok
