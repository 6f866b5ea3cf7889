#!/bin/bash
# tests/whole/crond_systemd.sh: crond under systemd's protocols, without
# systemd. sd_notify: with $NOTIFY_SOCKET (a datagram listener here) crond
# (a path, or @name in the abstract namespace) sends READY=1 once its socket is served, RELOADING=1 and READY=1 around
# SIGHUP, a STATUS= line with crontabs, at jobs, running jobs and the next
# run, and STOPPING=1. Socket activation: crond serves the socket passed as
# LISTEN_FDS (by systemd-socket-activate, then by a holder that keeps it
# across a restart, as systemd does), so a crontab call made while crond is
# down waits for the next crond instead of failing; a passed socket of the
# wrong kind or path is refused. systemd-analyze verify accepts the units.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 0; }
write_conf
printf '* * * * * root true\n' >"$TEST_TMP/cron.d/one"
chmod 0644 "$TEST_TMP/cron.d/one"

# ---- sd_notify
# listen ADDRESS LOG: a datagram listener on ADDRESS (a path, or @NAME in
# the abstract namespace) writing each message as a line of LOG, until
# STOPPING=1; in the background, $listener, once LOG.bound says it listens.
cat >"$TEST_TMP/listen.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
addr = sys.argv[1]
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(sys.argv[2] + ".bound", "w").close()
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        msg = s.recv(4096).decode()
        log.write(msg.replace("\n", " | ") + "\n")
        if "STOPPING=1" in msg:
            break
EOF
bound() { [ -e "$1.bound" ]; }
listen() {
    python3 "$TEST_TMP/listen.py" "$1" "$2" &
    listener=$!
    wait_for 10 "the sd_notify listener on $1" bound "$2"
}
notes=$TEST_TMP/notify.log
listen "$TEST_TMP/notify.sock" "$notes"
wait_note() {   # PATTERN [SECONDS]
    local i
    for i in $(seq 1 $(( ${2:-15} * 10 ))); do grep -q "$1" "$notes" 2>/dev/null && return 0; sleep 0.1; done
    fail "no '$1' from sd_notify: $(cat "$notes" 2>/dev/null)"
}
NOTIFY_SOCKET=$TEST_TMP/notify.sock start_crond
wait_note '^READY=1$'
[ -S "$SOCK" ] || fail "READY=1 before the socket exists"
wait_note '^STATUS=2 crontabs, 0 at jobs, 0 running, next run [0-9-]*T[0-9:]*' 20
kill -HUP "$CROND_PID"
wait_note '^RELOADING=1$'
ready_again() { [ "$(grep -c '^READY=1$' "$notes")" -ge 2 ]; }
wait_for 10 "READY=1 after the reload ($(cat "$notes"))" ready_again
[ "$(grep -n '' "$notes" | grep -m1 RELOADING | cut -d: -f1)" -lt "$(grep -n '^READY=1$' "$notes" | tail -1 | cut -d: -f1)" ] \
    || fail "READY=1 does not follow RELOADING=1: $(cat "$notes")"
stop_crond
wait_note '^STOPPING=1$'
wait "$listener"

# ---- sd_notify to a socket in the abstract namespace (NOTIFY_SOCKET=@name)
notes=$TEST_TMP/notify-abstract.log
abstract="crond-test-$$-$RANDOM"
listen "@$abstract" "$notes"
NOTIFY_SOCKET=@$abstract start_crond
wait_note '^READY=1$'
stop_crond
wait_note '^STOPPING=1$'
wait "$listener"

# ---- socket activation: systemd-socket-activate hands crond the socket
if command -v systemd-socket-activate >/dev/null; then
    systemd-socket-activate -l "$SOCK" "$BIN/crond" -n --config "$CONF" >>"$TEST_TMP/crond.log" 2>&1 &
    CROND_PID=$!
    for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
    run "$CRONTAB" -l
    expect_err_has "no crontab for root" "crontab -l through the activated socket"
    grep -q "START" "$TEST_TMP/crond.log" || fail "crond did not start on the first connection"
    stop_crond
else
    echo "note: no systemd-socket-activate; the holder below still tests activation"
fi

# ---- a restart: the holder keeps the socket; a client waits for the next crond
cat >"$TEST_TMP/holder.py" <<'EOF'
import os, socket, sys, time
path, mode, crond, conf, gate = sys.argv[1:6]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM if mode == "stream" else socket.SOCK_DGRAM)
s.bind(path)
if mode == "stream":
    s.listen(64)
def start():
    pid = os.fork()
    if pid == 0:
        os.dup2(s.fileno(), 3)
        os.set_inheritable(3, True)
        os.environ["LISTEN_FDS"] = "1"
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.execv(crond, [crond, "-n", "--config", conf])
    return pid
first = start()
if mode != "stream":
    sys.exit(os.waitpid(first, 0)[1] >> 8)
while not os.path.exists(gate + ".stop"):
    time.sleep(0.05)
os.kill(first, 15)
os.waitpid(first, 0)
open(gate + ".down", "w").close()
while not os.path.exists(gate + ".start"):
    time.sleep(0.05)
second = start()
while not os.path.exists(gate + ".end"):
    time.sleep(0.05)
os.kill(second, 15)
os.waitpid(second, 0)
EOF
gate=$TEST_TMP/gate
rm -f "$SOCK"
python3 "$TEST_TMP/holder.py" "$SOCK" stream "$BIN/crond" "$CONF" "$gate" >>"$TEST_TMP/crond.log" 2>&1 &
holder=$!
for _ in $(seq 1 50); do grep -q "START (pid" "$TEST_TMP/crond.log" && [ "$(grep -c 'START (pid' "$TEST_TMP/crond.log")" -ge 3 ] && break; sleep 0.1; done
printf '5 4 * * * echo restarted\n' >"$TEST_TMP/tab"
touch "$gate.stop"
for _ in $(seq 1 50); do [ -e "$gate.down" ] && break; sleep 0.1; done
[ -e "$gate.down" ] || fail "the holder did not stop crond"
[ -S "$SOCK" ] || fail "the socket went away with crond"
"$CRONTAB" "$TEST_TMP/tab" >"$TEST_TMP/install.out" 2>&1 &
client=$!
sleep 1
kill -0 "$client" 2>/dev/null || fail "crontab did not wait for crond: $(cat "$TEST_TMP/install.out")"
touch "$gate.start"
wait "$client" || fail "crontab failed across the restart: $(cat "$TEST_TMP/install.out")"
run "$CRONTAB" -l
expect_out "5 4 * * * echo restarted" "crontab -l after the restart"
touch "$gate.end"
wait "$holder" || fail "the holder failed"
[ -S "$SOCK" ] || fail "crond removed systemd's socket"

# ---- a passed socket of the wrong kind is refused, with why
rm -f "$SOCK"
run python3 "$TEST_TMP/holder.py" "$SOCK" dgram "$BIN/crond" "$CONF" "$gate"
[ "$RC" -eq 1 ] || fail "crond took a datagram socket (holder exit $RC)"
expect_err_has "crond: the socket systemd passed (descriptor 3) is not a listening Unix stream socket at $SOCK" \
    "a datagram socket passed"
rm -f "$SOCK"

# ---- the units
if command -v systemd-analyze >/dev/null; then
    sed -e "s|/usr/local/sbin/crond|$BIN/crond|" "$ROOT/etc/crond.service" >"$TEST_TMP/crond.service"
    cp "$ROOT/etc/crond.socket" "$TEST_TMP/crond.socket"
    run systemd-analyze verify --man=no "$TEST_TMP/crond.socket" "$TEST_TMP/crond.service"
    expect_rc 0 "systemd-analyze verify"
    [ -z "$ERR$OUT" ] || { show_last; fail "systemd-analyze verify is not clean"; }
    grep -qx 'Type=notify' "$TEST_TMP/crond.service" || fail "the unit is not Type=notify"
    grep -qx 'ListenStream=/run/crond.sock' "$TEST_TMP/crond.socket" || fail "the socket unit's path"
else
    echo "note: no systemd-analyze; the units are not verified"
fi
echo "crond_systemd: ok"
