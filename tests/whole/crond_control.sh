# tests/whole/crond_control.sh: the control socket against hostile clients,
# with a real daemon: garbage, an oversized request, another protocol
# version and a client that stalls mid-request never stop other clients; and
# a crontab installed less than a second before a minute boundary (a few on
# a slow machine) runs in that minute.
. "$ROOT/tests/whole/lib.sh"
command -v python3 >/dev/null || fail "python3 is needed for the raw-socket clients"

write_conf
now=$(date +%s)
boundary=$(( (now / 60 + 2) * 60 ))
launched=$(date +%s%N)
# The test clock starts 12 s before a minute. The late install below comes
# 0.8 s before it, or that times the machine's slowness (scaled_bound, at
# most 4 s), for one crontab command took 1.3 s on a CI machine seven times
# slower than a quiet one; the hostile clients and the ordinary ones have
# the rest, 8 s at least.
margin_ms=$(scaled_bound 800 4000)
start_crond --test-clock "$(( boundary - 12 ))"

# Raw clients, each in the background, each holding its connection open.
python3 - "$SOCK" >"$TEST_TMP/raw.out" 2>&1 <<'PY' &
import socket, struct, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(3)
    return s
def reply(s):
    try:
        return s.recv(4096)
    except Exception as e:
        return repr(e).encode()
garbage = conn(); garbage.sendall(b"GET / HTTP/1.1\r\n\r\n")
big = conn(); big.sendall(struct.pack(">IHHI", 0x43524E44, 1, 20, 1 << 30))
other = conn(); other.sendall(struct.pack(">IHHI", 0x43524E44, 99, 10, 0))
stall = conn(); stall.sendall(struct.pack(">IHHI", 0x43524E44, 1, 20, 100)[:7])
print("garbage:", reply(garbage))
print("big:", reply(big))
print("other:", reply(other))
stall.settimeout(15)   # crond drops it after its 10 s request deadline
try:
    data = stall.recv(300)   # a FATAL reply, or nothing, then EOF
    print("stall closed:", data == b"" or b"not completed" in data)
except Exception as e:
    print("stall closed:", repr(e))
PY
raw=$!
sleep 0.3
# Meanwhile an ordinary client is served at once.
printf '# empty\n' >"$TEST_TMP/empty.tab"
t0=$(date +%s%N)
run timeout 5 "$CRONTAB" "$TEST_TMP/empty.tab"
expect_rc 0 "install while hostile clients are connected"
run timeout 5 "$CRONTAB" -l
expect_rc 0 "list while hostile clients are connected"
t1=$(date +%s%N)
bound=$(scaled_bound 2000 5000)   # within the 8 s before the late install
[ $(( (t1 - t0) / 1000000 )) -lt "$bound" ] || fail "an ordinary client waited $(( (t1 - t0) / 1000000 )) ms (bound $bound)"

# A crontab installed 0.8 s before the minute boundary (MARGIN_MS) runs in
# that minute.
target=$(( launched + (12000 - margin_ms) * 1000000 ))
[ "$(date +%s%N)" -lt "$target" ] ||
    fail "the clients took $(( ($(date +%s%N) - launched) / 1000000 )) ms; the late install was due $((12000 - margin_ms)) ms after launch"
while [ "$(date +%s%N)" -lt "$target" ]; do sleep 0.05; done
printf '* * * * * touch %s/ran\n' "$TEST_TMP" >"$TEST_TMP/late.tab"
run "$CRONTAB" "$TEST_TMP/late.tab"
expect_rc 0 "late install"
installed=$(date +%s%N)
# (It runs at the minute, and is looked for up to 3 s after it, times the
# machine's slowness.)
deadline=$(( launched + (12000 + $(scaled_bound 3000 15000)) * 1000000 ))
while [ ! -e "$TEST_TMP/ran" ] && [ "$(date +%s%N)" -lt "$deadline" ]; do sleep 0.1; done
[ -e "$TEST_TMP/ran" ] ||
    fail "the entry installed $(( (installed - launched) / 1000000 )) ms after launch (the minute began 12000 ms after, or later) did not run in that minute"
grep -q "(root) CMD (pid=[0-9]* touch" "$TEST_TMP/crond.log" || fail "no CMD line"
echo "installed $(( (installed - launched) / 1000000 )) ms after launch; the minute began 12000 ms after launch, or later"

wait $raw
cat "$TEST_TMP/raw.out"
grep -q "garbage: b'.*not a crond protocol request" "$TEST_TMP/raw.out" || fail "garbage was not answered with an error"
grep -q "big: b'.*too large" "$TEST_TMP/raw.out" || fail "oversized request was not refused"
grep -q "other: b'.*protocol version 1, client speaks 99" "$TEST_TMP/raw.out" || fail "version mismatch not explained"
grep -q "stall closed: True" "$TEST_TMP/raw.out" || fail "stalled client was not dropped"
kill -0 "$CROND_PID" || fail "crond died"
stop_crond
echo ok
