#!/bin/bash
# tests/whole/hardening_change_hold.sh: a user whose crontab changes cost
# the timer dear, and who puts runs by hand between them so that none
# replaces another, cannot hold back root's at jobs.
#
# Fault: nobody installs 10,000 entries whose every match falls in its
# zone's gap (a rule that skips 02:00-03:00 on 1 March: the search for a
# next run walks every year to its horizon, about 1 s of the timer a
# change in a release build), then posts 15 pairs of an install and a
# crontab --run (a run keeps the change before it: timer_batch.h). The
# timer applied all of them in order, each at full cost, while root's
# `at now` job waited behind (50 s with 54 pairs in a review).
# Pass: nobody's changes are held once one cost 50 ms (crond logs HOLD),
# and root's job, submitted behind the 15 pairs, starts within 4 s (times
# the machine's slowness; not checked under ThreadSanitizer, where one
# change takes seconds); nobody's fifth run by hand is refused at once;
# root's crontab -r -u nobody is not held: the timer has no entry left
# within 10 s.
# Figure: how long root's job waited.
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the user installing crontabs is a system user"
write_conf "max_conns_per_user = 64"
: >"$TEST_TMP/at.deny"
out=$TEST_TMP/out
mkdir -m 0777 "$out"
write_gap_crontab "$TEST_TMP/gap"

start_crond
# The attacker, as nobody, speaks the protocol itself: the crontab command
# checks such entries first (about as dear as the timer's work), which
# only slows down its own user.
setpriv --reuid=nobody --regid=nogroup --clear-groups "$PY" - "$SOCK" "$TEST_TMP/gap" \
    "$out/posted" <<'PY' &
import socket, struct, sys, time
sock, text, marker = sys.argv[1], open(sys.argv[2], "rb").read(), sys.argv[3]
def field(tag, data): return struct.pack(">HI", tag, len(data)) + data
def frame(t, body): return struct.pack(">IHHI", 0x43524E44, 1, t, len(body)) + body
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    return s
def install(n):   # MSG_CRONTAB_INSTALL with TAG_TEXT; its reply read
    s = conn()
    s.sendall(frame(20, field(13, text + b"# %d\n" % n)))
    head = s.recv(12)
    assert len(head) == 12, "no reply to an install"
    s.close()
runs = []
for n in range(16):
    install(n)
    if n == 15:
        break
    r = conn()   # MSG_RUN of a line that is none: a barrier all the same
    r.sendall(frame(45, field(80, struct.pack(">I", 999999))))
    runs.append(r)
    time.sleep(0.05)   # read by crond before the next install
open(marker, "w").write("posted")
time.sleep(600)
PY
attacker=$!
trap 'cleanup_crond; kill "$attacker" 2>/dev/null' EXIT
wait_for 60 "nobody's 15 pairs of a change and a run by hand" test -s "$out/posted"
t0=$(date +%s.%N)
run env CROND_CONF="$CONF" sh -c "echo 'date +%s.%N >$out/root-at' | '$BIN/at' now"
expect_rc 0 "root's at now"
wait_for 120 "root's at job" test -s "$out/root-at"
waited=$(awk -v a="$t0" -v b="$(cat "$out/root-at")" 'BEGIN { printf "%.1f", b - a }')
echo "figure: root's at job, submitted behind nobody's 15 pairs of a change and a run by hand, started after ${waited} s"
bound=$(scaled_bound 4)
if ldd "$BIN/crond" 2>/dev/null | grep -q libtsan; then
    echo "(a ThreadSanitizer build: one change takes the timer seconds; the wait is not checked)"
else
    awk -v w="$waited" -v b="$bound" 'BEGIN { exit !(w <= b) }' ||
        fail "root's at job waited ${waited} s behind nobody's changes (bound $bound s)"
fi
kill "$attacker" 2>/dev/null
wait "$attacker" 2>/dev/null
log_has "(nobody) HOLD (its crontab change cost the timer" || fail "nobody's changes were not held"
# nobody's runs by hand are counted when asked: past 4 going, refused at
# once (they held client places for as long as the timer kept them).
run timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env CROND_CONF="$CONF" "$CRONTAB" --run 1
expect_rc 125 "nobody's fifth crontab --run (125: crond refused it)"
expect_err_has "nobody already has 4 runs started with crontab --run going" \
    "nobody's fifth crontab --run"
# Root's removal of nobody's crontab is never held, and what nobody had
# held goes with it: the timer has no entry left at once.
run env CROND_CONF="$CONF" "$CRONTAB" -r -u nobody
expect_rc 0 "root's crontab -r -u nobody"
kill -USR1 "$CROND_PID"
wait_for "$(scaled_bound 10)" "the timer without nobody's entries after root's crontab -r" \
    log_has "STATUS (sources=[0-9]* entries=0 "
stop_crond
echo ok
