#!/bin/bash
# tests/whole/hardening_atrm.sh: one user's atrm of many jobs does not hold
# the control thread. atrm sends up to 1000 ids in one request; crond used
# to remove them one transaction (one durable write) each, so nobody's
# `atrm` of 999 jobs held every other client, root included, for the whole
# time (2.2 s here, more on a slower disk), and nobody could do it again
# and again. Now one request is one transaction.
# Pass: the atrm takes under 1 s, root's `crontab -l` sent meanwhile is
# answered at once, and every job is gone; the ATRM lines (like the AT
# lines before them) go through the per-owner limit, a handful for 999.
# Needs root (the attacker is nobody).
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the attacker runs as nobody"
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# 999 at jobs on one connection (MSG_AT_SUBMIT 30, answered in turn): the
# at command would take a process each.
cat >"$TEST_TMP/submit.py" <<'PY'
import socket, struct, sys, time
path, n = sys.argv[1], int(sys.argv[2])
def field(tag, data):
    return struct.pack(">HI", tag, len(data)) + data
def frame(t, payload):
    return struct.pack(">IHHI", 0x43524E44, 1, t, len(payload)) + payload
when = int(time.time()) + 36000
job = frame(30, field(40, b"a") + field(14, struct.pack(">q", when)) +
            field(41, b"true\n") + field(43, b"/tmp") + field(44, struct.pack(">I", 0o22)))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
ok = 0
for _ in range(n):
    s.sendall(job)
    got = b""
    while len(got) < 12 or len(got) < 12 + struct.unpack(">I", got[8:12])[0]:
        d = s.recv(65536)
        if not d:
            sys.exit("crond closed the connection")
        got += d
    ok += struct.unpack(">H", got[6:8])[0] == 1
print(ok)
PY

write_conf
: >"$TEST_TMP/at.deny"
start_crond
N=999
t_all=$(date +%s%N)
run as_nobody "$PY" "$TEST_TMP/submit.py" "$SOCK" "$N"
expect_rc 0 "nobody submits $N jobs"
expect_out "$N" "jobs queued"
ids=$(as_nobody "$BIN/atq" | cut -f1 | tr '\n' ' ')
[ "$(echo $ids | wc -w)" -eq "$N" ] || fail "atq shows $(echo $ids | wc -w) jobs, not $N"

start=$(date +%s%N)
as_nobody "$BIN/atrm" $ids >"$TEST_TMP/atrm.out" 2>&1 &
ATRM_PID=$!
sleep 0.05
root_start=$(date +%s%N)
run "$CRONTAB" -l
root_ms=$(ms_since "$root_start")
wait "$ATRM_PID" || fail "atrm of $N jobs failed: $(head -c 300 "$TEST_TMP/atrm.out")"
took=$(ms_since "$start")
echo "figure: nobody's atrm of $N jobs took $took ms; root's crontab -l meanwhile $root_ms ms"
bound=$(scaled_bound 1000)
[ "$took" -lt "$bound" ] || fail "atrm of $N jobs took $took ms, bound $bound (one transaction should take a few)"
[ "$root_ms" -lt "$bound" ] || fail "root waited $root_ms ms behind nobody's atrm, bound $bound"
[ -z "$(as_nobody "$BIN/atq")" ] || fail "jobs left after atrm"
n=$(grep -c "(nobody) \(AT\|ATRM\) (job " "$TEST_TMP/crond.log")
bound=$(rate_bound 12 "$t_all" 10)   # two kinds: AT, ATRM
[ "$n" -ge 1 ] && [ "$n" -le "$bound" ] || fail "$n AT and ATRM lines for $N jobs queued and removed, bound $bound"
echo ok
