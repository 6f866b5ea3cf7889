#!/bin/bash
# tests/whole/hardening_setuid_window.sh: while fs.suid_dumpable is 1, the
# owner of a job cannot stop crond-session between its change of user and
# the job's exec and read it there.
#
# Fault: crond-session (which starts another user's jobs while the sysctl
# is 1, and every job with PAM) changed user with setuid(2), which makes
# the process dumpable at once under that sysctl, and only then made
# itself not dumpable. A user spinning kill(SIGSTOP) on it caught it in
# between (6 of 8 tries in a review) and could then read its environment
# and memory (PAM's) and write to its start report at leisure. Pass: it
# changes the effective uid alone first (the real and saved uids, root's,
# keep the owner's signals and ptrace off), makes itself not dumpable, then
# changes the rest; whenever the owner manages to stop it, its
# /proc/PID/environ is closed to them. Figure: how often they stopped it.
# lane: background
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "fs.suid_dumpable is root's"
suid_dumpable_test crondsw
install -m 0755 "$BIN/crond-session" "$HELPERS/crond-session"
write_conf "session_helper = $HELPERS/crond-session" "max_jobs_per_user = 64"
{
    echo 'MAILTO=""'
    for i in $(seq 1 40); do echo "* * * * * $EVIL true $i"; done
} >"$TEST_TMP/cron.d/user"
chmod 0644 "$TEST_TMP/cron.d/user"

# The owner: stops every crond-session it sees as soon as the kernel lets
# it, looks at what it can read, lets it go on.
cat >"$TEST_TMP/spin.py" <<'PY'
import os, signal, sys, time
end = time.monotonic() + float(sys.argv[1])
stopped = readable = 0
seen = set()
while time.monotonic() < end:
    for d in os.listdir("/proc"):
        if not d.isdigit() or d in seen:
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if b"crond-session" not in f.read().split(b"\0")[0]:
                    continue
        except OSError:
            continue
        seen.add(d)
        pid = int(d)
        t = time.monotonic() + 0.5
        while time.monotonic() < t:
            try:
                os.kill(pid, signal.SIGSTOP)
            except PermissionError:
                continue
            except ProcessLookupError:
                break
            try:   # before the job's exec (after it, the job is theirs)
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    before_exec = b"crond-session" in f.read().split(b"\0")[0]
            except OSError:
                before_exec = False
            if before_exec:
                stopped += 1
                try:
                    with open("/proc/%d/environ" % pid, "rb") as f:
                        got = f.read()
                    # Still before the exec once read? (The stop may not
                    # have taken yet: the job, once exec'd, is theirs to
                    # read, and a CI run counted it.)
                    with open("/proc/%d/cmdline" % pid, "rb") as f:
                        still = b"crond-session" in f.read().split(b"\0")[0]
                    if got and still:
                        readable += 1
                except OSError:
                    pass
            try:   # a stop is not immediate: it may have ended meanwhile
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            break
print("stopped=%d readable=%d" % (stopped, readable))
PY
chmod 0644 "$TEST_TMP/spin.py"
echo 1 >/proc/sys/fs/suid_dumpable
start_crond --test-clock "$(before_next_minute 1):10"
as_evil "$PY" "$TEST_TMP/spin.py" 15 >"$TEST_TMP/spin.out" 2>&1
echo 0 >/proc/sys/fs/suid_dumpable
stop_crond
cat "$TEST_TMP/spin.out"
runs=$(grep -c "($EVIL) CMD " "$TEST_TMP/crond.log")
[ "$runs" -ge 40 ] || fail "only $runs of $EVIL's jobs ran"
grep -q '^stopped=[0-9]* readable=0$' "$TEST_TMP/spin.out" \
    || fail "the owner read a crond-session it stopped before the job's exec: $(cat "$TEST_TMP/spin.out")"
echo "figure: $EVIL stopped crond-session $(sed -n 's/^stopped=\([0-9]*\).*/\1/p' "$TEST_TMP/spin.out") times in $runs runs, its environment closed to them each time"
