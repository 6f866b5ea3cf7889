#!/bin/bash
# tests/whole/hardening_exec_window.sh: while fs.suid_dumpable is 1, the
# owner of a job reading its process between its change of user and its
# exec finds nothing of crond's memory there.
#
# Fault: another user's job starts in a fork of crond, which holds a copy of
# crond's memory (every user's crontabs, its environment) from its setuid to
# its execve. With fs.suid_dumpable = 1 the kernel lets the new owner read
# that process (/proc/PID/mem, ptrace), and a SIGSTOP sent right after the
# setuid holds it there at will. Was: a user read root's crontab variable
# out of it. Pass: with the sysctl at 1, such a job starts through
# crond-session, which changes user after its own exec: held at the exec of
# the job's shell (fanotify, tests/hardening/exec_window.py), the process
# is the user's, and neither root's crontab variable nor crond's
# environment is in what they can read of it (nothing: the helper makes
# itself not dumpable there; were it readable, only the job's own
# variables); the job then runs. The sysctl is set to 1 only around that one start and put back
# after (crond reads it at every start of another user's job).
# Then the window where the helper cannot be used: one named in a
# directory anyone may write is refused (it would run as root), and once
# the sysctl reads 1 (set after crond started) crond warns that the window
# is open before the next job starts (here root's at job, after a reload).
# lane: background
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "fanotify and fs.suid_dumpable are root's"
suid_dumpable_test crondwin

secret=hunter2-$$-in-roots-crontab
mark=crond-env-$$-mark
shdir=$TEST_TMP/shbin
mkdir -m 0755 "$shdir"
cp /bin/dash "$shdir/sh"     # the job's shell: marked alone, no other exec waits
chmod 0755 "$shdir/sh" "$TEST_TMP"
out=$TEST_TMP/out
mkdir -m 0777 "$out"

# A copy in directories only root may write, wherever the build lives.
mkdir -m 0755 "$HELPERS/libexec"
install -m 0755 "$BIN/crond-session" "$HELPERS/libexec/crond-session"
# Named through a root's link: crond execs the name it resolved and checked.
ln -s libexec "$HELPERS/linked"
real_helper=$(realpath "$HELPERS/libexec/crond-session")
write_conf "session_helper = $HELPERS/linked/crond-session"
cat >"$TEST_TMP/cron.d/root" <<EOF
SECRET_TOKEN=$secret
59 23 31 12 * root echo "\$SECRET_TOKEN" >/dev/null
EOF
cat >"$TEST_TMP/cron.d/user" <<EOF
SHELL=$shdir/sh
MAILTO=""
JOB_OWN=visible-to-its-owner
* * * * * $EVIL echo ran >$out/ran
EOF
chmod 0644 "$TEST_TMP/cron.d/root" "$TEST_TMP/cron.d/user"

"$PY" "$ROOT/tests/hardening/exec_window.py" "$shdir/sh" "$EVIL" "$secret" \
    "$TEST_TMP/ready" "$TEST_TMP/window" 60 2>"$TEST_TMP/window.err" &
watcher=$!
for _ in $(seq 1 100); do
    [ -e "$TEST_TMP/ready" ] && break
    if ! kill -0 "$watcher" 2>/dev/null; then
        wait "$watcher"
        [ $? = 2 ] && { echo "SKIP: no fanotify here: $(cat "$TEST_TMP/window.err")"; exit 0; }
        fail "the exec watcher ended: $(cat "$TEST_TMP/window.err")"
    fi
    sleep 0.1
done
[ -e "$TEST_TMP/ready" ] || fail "the exec watcher is not ready within 10 s"

echo 1 >/proc/sys/fs/suid_dumpable
CROND_WINDOW_MARK=$mark start_crond --test-clock "$(before_next_minute 2)"
wait "$watcher"
echo 0 >/proc/sys/fs/suid_dumpable
wait_for 20 "the job's run" test -s "$out/ran"

head -1 "$TEST_TMP/window" >"$TEST_TMP/window.line"
cat "$TEST_TMP/window.line"
grep -q "^uid=$(id -u "$EVIL") " "$TEST_TMP/window.line" || fail "no exec of the job's shell held as $EVIL: $(cat "$TEST_TMP/window.line" "$TEST_TMP/window.err")"
tr '\0' '\n' <"$TEST_TMP/window" >"$TEST_TMP/window.env"
if grep -q "environ_error=13 mem_error=13 environ_bytes=0 mem_bytes=0" "$TEST_TMP/window.line"; then
    echo "the held process is not its owner's to read at all (the helper is not dumpable there)"
else
    # Readable (fs.suid_dumpable 1 lets the owner): then only the job is there.
    grep -Eq "environ_bytes=[1-9][0-9]* mem_bytes=[1-9]" "$TEST_TMP/window.line" \
        || fail "the held process read in part: $(cat "$TEST_TMP/window.line")"
    grep -q "JOB_OWN=visible-to-its-owner" "$TEST_TMP/window.env" \
        || fail "the held process is not the job's: $(cat "$TEST_TMP/window.env")"
fi
grep -q "$mark" "$TEST_TMP/window.env" && fail "crond's environment is readable by the job's owner"
grep -q "secret_in_mem=0" "$TEST_TMP/window.line" \
    || fail "root's crontab variable is in the memory the job's owner can read"
log_has "fs.suid_dumpable is 1: other users' jobs start through $real_helper," \
    || fail "crond did not say it starts other users' jobs through the helper"
echo "ok: held at its exec, $EVIL's job holds nothing of crond's that they can read"

# A helper anyone could replace is never run as root; the open window is
# said once the sysctl reads 1.
reloads() { grep -c 'RELOAD (configuration' "$TEST_TMP/crond.log"; }
reloaded_past() { [ "$(reloads)" -gt "$1" ]; }
reload_then_wake() {   # SIGHUP, its reload seen, then a job to start
    local before
    before=$(reloads)
    kill -HUP "$CROND_PID"
    wait_for 10 "the reload" reloaded_past "$before"
    echo true | "$BIN/at" --config "$CONF" now 2>/dev/null || fail "at now"
}
stop_crond
mkdir -m 0777 "$HELPERS/open"
install -m 0755 "$BIN/crond-session" "$HELPERS/open/crond-session"
sed -i "s|^session_helper = .*|session_helper = $HELPERS/open/crond-session|" "$CONF"
: >"$TEST_TMP/crond.log"
start_crond
log_has "suid_dumpable" && fail "crond spoke of fs.suid_dumpable while it read 0"
echo 1 >/proc/sys/fs/suid_dumpable
reload_then_wake
wait_for 10 "the open window's warning" log_has "fs.suid_dumpable is 1 and session_helper cannot be used ($HELPERS/open is writable by others than root)"
echo 0 >/proc/sys/fs/suid_dumpable
reload_then_wake
wait_for 10 "the window's end said" log_has "fs.suid_dumpable is no longer 1"
echo "ok: a helper in a directory anyone may write is refused, and the open window said"

# A root's link that leads through a link the job's owner may change is
# theirs to point anywhere: refused too.
mkdir -m 0755 "$HELPERS/users"
chown "$EVIL" "$HELPERS/users"
ln -s "$HELPERS/libexec/crond-session" "$HELPERS/users/helper"
ln -s "$HELPERS/users/helper" "$HELPERS/libexec/via-user"
sed -i "s|^session_helper = .*|session_helper = $HELPERS/libexec/via-user|" "$CONF"
echo 1 >/proc/sys/fs/suid_dumpable
reload_then_wake
wait_for 10 "the open window's warning" log_has "session_helper cannot be used ($(realpath "$HELPERS/users") is not root's)"
# ... and so is one under sticky /tmp: anyone may rename a file of root's
# into it (from a directory of their own) under a name not yet taken.
# The window stays open, and the new reason is said.
case $(realpath "$TEST_TMP") in
/tmp/*)
    mkdir -m 0755 "$TEST_TMP/libexec"
    install -m 0755 "$BIN/crond-session" "$TEST_TMP/libexec/crond-session"
    sed -i "s|^session_helper = .*|session_helper = $TEST_TMP/libexec/crond-session|" "$CONF"
    reload_then_wake
    wait_for 10 "the open window's warning" log_has "session_helper cannot be used (/tmp is writable by others than root)" ;;
esac
echo 0 >/proc/sys/fs/suid_dumpable
echo "ok: a helper reached through a user's directory, or under /tmp, is refused"
