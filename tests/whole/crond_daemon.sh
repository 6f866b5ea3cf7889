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
