#!/bin/bash
# Root is served before users' waiting requests. nobody's six connections
# each ask for the --status of 4,000 entries (tens of milliseconds each on
# the control thread); root connects last and asks for its crontab. crond
# is stopped (SIGSTOP) while they connect and send, so that on SIGCONT
# every request waits at once and the order is the control thread's alone.
# Was: one loop pass served the connections in the order they came, so
# root's reply came after all six; a user with many connections kept root
# waiting that many requests, and another user too. Now root's connection
# and request come first in each pass, and users' are served the user who
# waited longest first (all of a user's connections take one turn), a
# pass stopping after CONTROL_PASS_BUDGET_MS of them. Then the same with
# another user (daemon) connecting last.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "nobody's clients run as another uid"
write_conf
clock=1893499200   # 2030-01-01 12:00 UTC: no entry is due

awk 'BEGIN { print "MAILTO=\"\""; for (i = 0; i < 4000; i++) printf "%d 4 * * * :\n", i % 60 }' \
    >"$TEST_TMP/big.tab"
chmod 0644 "$TEST_TMP/big.tab"
printf '0 3 * * * echo root-job\n' >"$TEST_TMP/root.tab"
start_crond --test-clock "$clock"
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "install root's crontab"
run as_nobody "$CRONTAB" "$TEST_TMP/big.tab"
expect_rc 0 "nobody installs 4,000 entries"

# A raw client: one MSG_STATUS request; it says "sent" on stderr once the
# request is written, and prints the clock (ns) when its reply began to
# arrive (a large reply is flushed in parts, later).
client='
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack(">IHHI", 0x43524E44, 1, 40, 10) + struct.pack(">HII", 16, 4, 10))
print("sent", file=sys.stderr, flush=True)
def readn(n):
    b = bytearray()
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit("connection closed")
        b += c
    return bytes(b)
magic, version, kind, length = struct.unpack(">IHHI", readn(12))
served = time.time_ns()   # the reply began: the request was served
readn(length)
print(served)
'
# nobody's six status requests wait in a stopped crond; then LAST's
# (`LAST_CMD...` writes the clock when it is answered into FILE): prints
# how many of nobody's six were answered before LAST's.
round() {   # NAME FILE LAST_CMD...
    local name=$1 file=$2 k p
    shift 2
    rm -rf "$TEST_TMP/order"
    mkdir -m 0777 "$TEST_TMP/order"
    kill -STOP "$CROND_PID"
    local pids=()
    for k in 1 2 3 4 5 6; do
        as_nobody "$PY" -c "$client" "$SOCK" >"$TEST_TMP/order/user.$k" 2>"$TEST_TMP/order/sent.$k" &
        pids+=($!)
    done
    for k in $(seq 1 200); do
        [ "$(cat "$TEST_TMP/order/sent."* 2>/dev/null | grep -c sent)" -eq 6 ] && break
        sleep 0.05
    done
    [ "$(cat "$TEST_TMP/order/sent."* | grep -c sent)" -eq 6 ] ||
        { kill -CONT "$CROND_PID"; cat "$TEST_TMP"/order/sent.* >&2; fail "nobody's six requests were not sent within 10 s"; }
    "$@" &
    local last=$!
    sleep 1   # its client connects and sends: crond, stopped, takes nothing yet
    kill -CONT "$CROND_PID"
    wait "$last" || fail "$name's request failed"
    for p in "${pids[@]}"; do
        wait "$p" || fail "a status request of nobody's failed: $(cat "$TEST_TMP"/order/sent.* | grep -v sent)"
    done
    local done_at before=0
    done_at=$(cat "$file")
    for k in 1 2 3 4 5 6; do
        [ "$(cat "$TEST_TMP/order/user.$k")" -lt "$done_at" ] && before=$((before + 1))
    done
    echo "$before"
}

# Root connects last and asks for its crontab. The clock is read when its
# listing's first byte comes out of crontab, as the raw clients read it
# when their reply begins: read after crontab exited, by `date`, it came
# a fork and an exec later (4 ms on a slow CI machine), and two of
# nobody's replies had begun by then.
stamp='
import sys, time
first = sys.stdin.buffer.read(1)
served = time.time_ns()
open(sys.argv[1], "wb").write(first + sys.stdin.buffer.read())
print(served)
'
root_list() (
    set -o pipefail
    "$CRONTAB" -l 2>&1 | "$PY" -c "$stamp" "$TEST_TMP/root.out" >"$TEST_TMP/root.done"
)
before=$(round root "$TEST_TMP/root.done" root_list)
echo "figure: root's reply came after $before of nobody's 6 waiting status replies"
[ "$before" -le 1 ] || fail "root's crontab -l was served after $before of nobody's 6 waiting requests"

# Another user (daemon) connects last: served after one of nobody's at
# most, not after all six (a user's connections take one turn together).
printf '0 4 * * * :\n' >"$TEST_TMP/daemon.tab"
chmod 0644 "$TEST_TMP/daemon.tab"
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" "$TEST_TMP/daemon.tab"
expect_rc 0 "daemon installs a crontab"
daemon_status() {
    setpriv --reuid=daemon --regid=daemon --clear-groups "$PY" -c "$client" "$SOCK" \
        >"$TEST_TMP/daemon.done" 2>/dev/null
}
before=$(round daemon "$TEST_TMP/daemon.done" daemon_status)
echo "figure: daemon's reply came after $before of nobody's 6 waiting status replies"
[ "$before" -le 2 ] || fail "daemon's request was served after $before of nobody's 6 waiting requests"
stop_crond
echo ok
