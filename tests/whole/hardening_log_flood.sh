#!/bin/bash
# tests/whole/hardening_log_flood.sh: a local user cannot flood crond's log.
# Every line a client can cause at will, without changing anything, goes
# through a rate limit (at most 5 of a kind per 10 s, the next one logged
# saying how many were held back):
#   1. malformed, truncated, oversized and wrong-version requests, each on
#      a connection of its own, closed at once (was: one log line each,
#      about 11,000 lines a second from one `nobody`);
#   2. a user in cron.deny asking MSG_ACCESS again and again on one
#      connection (was: one "(nobody) AUTH" line per request, about 24,000
#      lines a second).
# Each user is limited apart: right after nobody's flood, daemon (also
# denied) asking once is still logged (was: one limit for all users, so
# nobody's flood hid daemon's line). crond keeps serving throughout. Needs
# root (the attacker is nobody).
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the attacker runs as nobody"

cat >"$TEST_TMP/flood.py" <<'PY'
import socket, struct, sys
path, n = sys.argv[1], int(sys.argv[2])
def frame(t, payload, ver=1, length=None):
    return struct.pack(">IHHI", 0x43524E44, ver, t,
                       len(payload) if length is None else length) + payload
def field(tag, data):
    return struct.pack(">HI", tag, len(data)) + data
install = frame(20, field(13, b"* * * * * true\n" * 60))
bad = [
    install[:len(install) // 2],                 # abandoned mid-request
    b"GET / HTTP/1.0\r\n\r\n",                   # not the protocol
    frame(10, b"", ver=7),                       # another version
    frame(10, b"", length=1 << 30),              # oversized
    frame(10, b"\x00\x01\x00\x00\x00\x09"),      # a field past the end
]
# The asking connection is made first: the flood below may fill nobody's
# connection allowance for a moment.
asker = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
asker.connect(path)
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    try:
        s.sendall(bad[i % len(bad)])
    except OSError:
        pass            # refused at accept (too many of ours still open)
    s.close()
# A denied user asking again and again, 50 requests per write.
s = asker
asks = 0
while asks < n:
    s.sendall(frame(11, field(20, b"cron")) * 50)
    got, replies = b"", 0
    while replies < 50:
        d = s.recv(65536)
        if not d:
            sys.exit("crond closed the connection")
        got += d
        while len(got) >= 12:
            plen = struct.unpack(">I", got[8:12])[0]
            if len(got) < 12 + plen:
                break
            kind = struct.unpack(">H", got[6:8])[0]
            if kind != 2:
                sys.exit("MSG_ACCESS from a denied user got reply type %d" % kind)
            got = got[12 + plen:]
            replies += 1
    asks += 50
print(n, asks)
PY

write_conf
printf 'nobody\ndaemon\n' >"$TEST_TMP/cron.deny"
start_crond
base=$(wc -l <"$TEST_TMP/crond.log")
t_flood=$(date +%s%N)
N=3000
run as_nobody "$PY" "$TEST_TMP/flood.py" "$SOCK" "$N"
expect_rc 0 "the flooding client"
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" -l
expect_rc 1 "crontab -l as daemon, denied, right after nobody's flood"
wait_for 5 "daemon's AUTH line right after nobody's flood" log_has "(daemon) AUTH (crontab not allowed)"
# crond still serves root at once.
run "$CRONTAB" -l
expect_err_has "no crontab for root" "crontab -l after the flood"
kill -0 "$CROND_PID" || fail "crond died during the flood"
lines=$(( $(wc -l <"$TEST_TMP/crond.log") - base ))
echo "figure: $N bad connections and $N denied MSG_ACCESS requests from nobody made $lines log lines"
tail -n +"$((base + 1))" "$TEST_TMP/crond.log" >"$TEST_TMP/flood.log"
proto=$(grep -c "control: uid " "$TEST_TMP/flood.log")
auth=$(grep -c "(nobody) AUTH" "$TEST_TMP/flood.log")
# Each kind logs at most 5 lines per 10 s window; the flood may span a
# couple of windows on a slow machine (ASan), hence some slack.
bound=$(rate_bound 6 "$t_flood" 20)
[ "$proto" -le "$bound" ] || fail "$proto log lines for $N bad connections, bound $bound (rate limit: 5 per 10 s)"
[ "$auth" -le "$bound" ] || fail "$auth AUTH lines for $N denied requests, bound $bound (rate limit: 5 per 10 s)"
[ "$auth" -ge 1 ] || fail "the denied user is not in the log at all"
[ "$proto" -ge 1 ] || fail "the bad requests are not in the log at all"

# The next line of a kind after the window says how many were held back.
sleep 10.5
run as_nobody "$CRONTAB" -l
expect_rc 1 "crontab -l as a denied user"
wait_for 5 "the AUTH line after the window" log_has \
    "(nobody) AUTH (crontab not allowed; [0-9]* similar lines\{0,1\} not logged)"
held=$(grep -o "crontab not allowed; [0-9]* similar" "$TEST_TMP/crond.log" | tail -n 1 |
       grep -o "[0-9][0-9]*")
[ "$held" -ge $((N - 20)) ] || fail "only $held AUTH lines said held back, of about $N"
echo "figure: the next AUTH line says $held similar lines were not logged"
echo ok
