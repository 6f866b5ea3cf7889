# tests/whole/crond_daemon.sh: the daemon as a process: singleton, daemonizing
# with a truthful exit status, stale pidfiles, -x, SIGHUP, SIGUSR1, SIGTERM.
. "$ROOT/tests/whole/lib.sh"

write_conf
# -x: a bad system crontab is reported with file:line:col, exit 1
printf '0 25 * * * root /bin/true\n' >"$TEST_TMP/cron.d/bad"
run "$BIN/crond" -x --config "$CONF"
expect_rc 1 "crond -x with a bad system crontab"
expect_err_has "cron.d/bad:1:3: hour 25 is out of range 0-23" "crond -x message"
rm "$TEST_TMP/cron.d/bad"
run "$BIN/crond" -x --config "$CONF"
expect_rc 0 "crond -x with good files"

# a bad configuration is refused with file and line
printf 'max_jobs = lots\n' >"$TEST_TMP/bad.conf"
run "$BIN/crond" -n --config "$TEST_TMP/bad.conf"
expect_rc 1 "bad configuration"
expect_err_has "bad.conf:1: max_jobs must be a whole number" "bad configuration message"

# the singleton: a second instance is refused at once with the pid
start_crond
pid=$(cat "$TEST_TMP/crond.pid")
[ "$pid" = "$CROND_PID" ] || fail "pidfile holds $pid, crond is $CROND_PID"
run timeout 5 "$BIN/crond" -n --config "$CONF"
expect_rc 1 "second instance in the foreground"
expect_err_has "crond: already running (pid $CROND_PID)" "second instance message"
run timeout 5 "$BIN/crond" --config "$CONF"
expect_rc 1 "second instance, daemonizing"
expect_err_has "crond: already running (pid $CROND_PID)" "daemonizing second instance message"

# SIGUSR1 logs a status line
kill -USR1 "$CROND_PID"
wait_for 10 "a status line after SIGUSR1" log_has 'STATUS (sources='

# SIGHUP re-reads the system crontabs and the configuration
printf '*/5 * * * * root /bin/true\n' >"$TEST_TMP/cron.d/hup"
kill -HUP "$CROND_PID"
wait_for 10 "a reload after SIGHUP" log_has 'RELOAD (configuration, system crontabs)'
wait_for 10 "cron.d/hup loaded" log_has "RELOAD ($TEST_TMP/cron.d/hup, 1 entries)"
# a broken configuration on SIGHUP is logged and the old one kept
cp "$CONF" "$TEST_TMP/good.conf"
echo 'colour = blue' >>"$CONF"
kill -HUP "$CROND_PID"
wait_for 10 "the bad configuration on SIGHUP logged" log_has "unknown key 'colour'"
wait_for 10 "the reload saying the configuration was kept" \
    log_has 'RELOAD (system crontabs; configuration kept)'
kill -0 "$CROND_PID" || fail "crond died on a bad configuration"
cp "$TEST_TMP/good.conf" "$CONF"

# SIGTERM: exit 0, pidfile and socket removed
stop_crond
[ ! -e "$TEST_TMP/crond.pid" ] || fail "pidfile left behind"
[ ! -e "$SOCK" ] || fail "socket left behind"

# a stale pidfile (no lock held) is taken over
echo 999999 >"$TEST_TMP/crond.pid"
start_crond
[ "$(cat "$TEST_TMP/crond.pid")" = "$CROND_PID" ] || fail "stale pidfile not taken over"
stop_crond

# the socket: one whose listener is alive is another daemon's, and crond
# refuses to start; one whose listener is gone is stale, even while some
# process still holds it (a job forked just before a crash holds crond's
# until it closes crond's descriptors): it is replaced
hold_socket() {   # hold_socket LISTENER_STAYS: a listening socket at $SOCK
    python3 - "$SOCK" "$1" "$TEST_TMP/holder.pid" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
if sys.argv[2] == "no" and os.fork() != 0:
    os._exit(0)   # the listener goes; its child keeps the socket
open(sys.argv[3] + ".tmp", "w").write(str(os.getpid()))
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
time.sleep(60)
PY
    wait_for 10 "a socket held at $SOCK" test -s "$TEST_TMP/holder.pid"
    HOLDER=$(cat "$TEST_TMP/holder.pid")
    rm -f "$TEST_TMP/holder.pid"
}
hold_socket yes
run timeout 5 "$BIN/crond" -n --config "$CONF"
expect_rc 1 "a start beside a live listener"
expect_err_has "another daemon is listening on $SOCK" "a live listener's message"
kill "$HOLDER"; wait 2>/dev/null; rm -f "$SOCK"
hold_socket no
held=$(stat -c %i "$SOCK")
"$BIN/crond" -n --config "$CONF" >>"$TEST_TMP/crond.log" 2>&1 &
CROND_PID=$!
replaced() { [ -S "$SOCK" ] && [ "$(stat -c %i "$SOCK")" != "$held" ]; }
wait_for 10 "crond's own socket in place of the one its listener left" replaced
kill -0 "$HOLDER" || fail "the socket's holder went before crond started"
run env CROND_CONF="$CONF" "$BIN/crontab" -l
expect_rc 1 "crontab -l through the new socket (no crontab yet)"
expect_err_has "no crontab for" "crontab -l's answer"
kill "$HOLDER"
stop_crond

# daemonizing: the command returns 0 once the daemon runs; the daemon has no
# terminal, its own session, and / as its directory
run timeout 10 "$BIN/crond" --config "$CONF"
expect_rc 0 "daemonizing start"
dpid=$(cat "$TEST_TMP/crond.pid")
[ -n "$dpid" ] && kill -0 "$dpid" || fail "no daemon after daemonizing start"
[ "$(readlink /proc/$dpid/cwd)" = / ] || fail "daemon's directory is not /"
sid=$(ps -o sid= -p "$dpid" | tr -d ' ')
[ "$sid" != "$dpid" ] || fail "daemon is a session leader (it must have forked twice)"
for fd in 0 1 2; do
    [ "$(readlink /proc/$dpid/fd/$fd)" = /dev/null ] || fail "daemon's fd $fd is not /dev/null"
done
nfd=$(ls /proc/$dpid/fd | wc -l)
kill -TERM "$dpid"
for _ in $(seq 1 50); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$dpid" 2>/dev/null && fail "daemon did not stop on SIGTERM"
[ ! -e "$TEST_TMP/crond.pid" ] || fail "daemon left its pidfile"
echo "ok (daemon had $nfd descriptors open)"
