#!/bin/bash
# tests/whole/hardening_exec_hang.sh: a user whose program cannot be
# opened cannot hold up anyone else's jobs.
#
# Fault: crond waits for each job's execve (the child shares its memory
# until then), and what the child opens before it is its owner's choice
# (home, shell, program, a script's interpreter). A lease on one of their
# own files makes any open of it wait for the lease to break (45 s,
# lease-break-time; a FUSE file system, for ever). Was: with one leased
# program in three entries, every start of every user's jobs waited 45 s
# per run, root's included. Pass: the child is killed once it has not
# exec'd after RUNNER_EXEC_DEADLINE_MS (5 s), and the owner's runs are
# held for SUPER_HUNG_HOLD_S (600 s of the daemon's clock): their cron runs
# fail at once ("held: ..."), their at jobs wait until the hold is over
# and then run; root's job runs throughout.
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
# than it is needed here). "leased" on stdout once it is in place.
cat >"$TEST_TMP/evil/lease.py" <<'PY'
import fcntl, os, signal, sys, time
signal.signal(signal.SIGIO, lambda *a: None)   # a break is asked: keep it
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print("leased", flush=True)
while True:
    time.sleep(1)
PY

now=$(date +%s)
# a minute every 2 s; the hold (600 s) lasts 20 s
start_crond --test-clock "$(( (now / 60 + 1) * 60 - 2 )):30"
as_evil "$PY" "$TEST_TMP/evil/lease.py" "$TEST_TMP/evil/prog" >"$TEST_TMP/lease.out" 2>&1 &
lease=$!
for i in $(seq 1 100); do grep -q leased "$TEST_TMP/lease.out" && break; sleep 0.05; done
grep -q leased "$TEST_TMP/lease.out" || fail "no lease: $(cat "$TEST_TMP/lease.out")"
t_start=$(date +%s)
run as_evil "$CRONTAB" "$TEST_TMP/evil/tab"
expect_rc 0 "$evil installs the entries"

# The first hung start, its kill and the hold.
for i in $(seq 1 150); do
    grep -q "($evil) FAIL .*had not exec'd 5000 ms after its start" "$TEST_TMP/crond.log" && break
    sleep 0.1
done
grep -q "($evil) FAIL .*had not exec'd 5000 ms after its start" "$TEST_TMP/crond.log" ||
    fail "no start of $evil's was killed within 15 s"
# An at job of theirs meanwhile waits for the hold's end.
(cd "$TEST_TMP/evil" && as_evil "$BIN/at" now <<<"echo at-ran >$TEST_TMP/evil/at.out") ||
    fail "$evil's at job was not queued"
sleep 8
grep -q "($evil) DEFER (at job .*held: a job start of this user's had not exec'd" \
    "$TEST_TMP/crond.log" || fail "$evil's at job was not deferred while held"
[ ! -e "$TEST_TMP/evil/at.out" ] || fail "$evil's at job ran while they were held"
kill "$lease"; wait "$lease" 2>/dev/null
run as_evil "$CRONTAB" -r
expect_rc 0 "$evil removes the entries"
root_runs=$(awk -v t="$t_start" '$1 >= t' "$TEST_TMP/root.runs" | wc -l)
hung=$(grep -c "($evil) FAIL .*had not exec'd 5000 ms after its start" "$TEST_TMP/crond.log")
held=$(grep -c "($evil) FAIL .*held: a job start of this user's" "$TEST_TMP/crond.log")
echo "figure: in $(( $(date +%s) - t_start )) s, root's job ran $root_runs times; $hung start of $evil's was killed, $held of their runs held"
[ "$hung" -eq 1 ] || fail "$hung starts of $evil's hung: the hold should allow one"
[ "$held" -ge 2 ] || fail "only $held of $evil's runs were held"
[ "$root_runs" -ge 4 ] || fail "root's job ran $root_runs times in about 7 test minutes"

# The hold ends (600 s of the daemon's clock after the kill): the at job runs.
for i in $(seq 1 300); do [ -e "$TEST_TMP/evil/at.out" ] && break; sleep 0.1; done
[ "$(cat "$TEST_TMP/evil/at.out" 2>/dev/null)" = "at-ran" ] ||
    fail "$evil's at job did not run once the hold was over"
stop_crond
echo ok
