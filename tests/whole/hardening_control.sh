#!/bin/bash
# tests/whole/hardening_control.sh: hostile local users against the control
# socket and the spool (issue 9, findings 3 and 4), each attack with a pass
# criterion and a printed figure:
#   1. a flood of connections from one uid, and from uids without a passwd
#      entry, cannot keep root's `crontab -l` (or another user) out, nor
#      can stalled large requests keep out root's or another user's large
#      install;
#   2. clients that never read their replies cannot grow crond's memory past
#      max_reply_bytes (VmRSS from /proc, printed);
#   3. quotas refuse the N+1th at job and an oversized crontab, with the
#      limit named, and write nothing;
#   4. atrm and crontab -r work on a full file system (a real small tmpfs),
#      and crond keeps running and says so in its log; a user asking again
#      and again there gets a few log lines about the spool's failure, not
#      one a request.
# Needs root (the attackers are other uids; 4 mounts a tmpfs): skipped with
# a message otherwise.
. "$ROOT/tests/whole/lib.sh"
need_crond
# The attackers run as other users: a python3 they can run (not one under
# root's home).
need_attackers "the attacks run as other uids; part 4 mounts a tmpfs"
AT=$BIN/at
ATRM=$BIN/atrm
FS=$TEST_TMP/fs
HOLDERS=""        # every attacking client started, killed however we exit
cleanup() {
    cleanup_crond
    [ -n "$HOLDERS" ] && kill $HOLDERS 2>/dev/null
    mountpoint -q "$FS" 2>/dev/null && umount "$FS"
}
trap cleanup EXIT
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$CROND_PID/status"; }

# The raw client: N connections, each sending REQ (hex, may be empty) and
# never reading; after SETTLE seconds prints what came back (refused: a
# FATAL reply; ok: a reply waiting unread; error: an MSG_ERROR reply) and
# the first texts, then holds everything until killed.
cat >"$TEST_TMP/hold.py" <<'PY'
import select, socket, struct, sys, time
path, n, req, settle, out = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    if req:
        s.sendall(req)
    socks.append(s)
time.sleep(settle)
counts = {"refused": 0, "ok": 0, "error": 0, "quiet": 0}
texts = {}
for s in socks:
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        counts["quiet"] += 1
        continue
    hdr = s.recv(12, socket.MSG_PEEK)
    if len(hdr) < 12:
        counts["refused"] += 1
        continue
    _, _, typ, ln = struct.unpack(">IHHI", hdr)
    if typ == 1:
        counts["ok"] += 1
        continue
    data = s.recv(12 + ln)[12:]
    kind = "refused" if typ == 0xFFFF else "error"
    counts[kind] += 1
    while len(data) >= 6:       # fields: u16 tag, u32 length, bytes
        tag, flen = struct.unpack(">HI", data[:6])
        if tag == (1 if typ == 0xFFFF else 2):
            texts.setdefault(kind, data[6:6 + flen].decode("utf-8", "replace"))
        data = data[6 + flen:]
with open(out, "w") as f:
    f.write(" ".join("%s=%d" % kv for kv in counts.items()) + "\n")
    for k, v in texts.items():
        f.write("%s: %s\n" % (k, v))
while True:
    time.sleep(60)
PY
chmod 0644 "$TEST_TMP/hold.py"
# hold UID N REQ SETTLE NAME: starts the client as UID in the background
# ($HOLDER), waits for its report, $REPORTS/NAME.
REPORTS=$TEST_TMP/reports
mkdir -p "$REPORTS" && chmod 1777 "$REPORTS"    # the attackers write there
hold() {
    local out=$REPORTS/$5
    rm -f "$out" "$out.tmp"
    # A simple command, not a function, so that $! is the client itself.
    setpriv --reuid="$1" --regid="$1" --clear-groups \
        "$PY" "$TEST_TMP/hold.py" "$SOCK" "$2" "$3" "$4" "$out.tmp" </dev/null >/dev/null 2>&1 &
    HOLDER=$!
    HOLDERS="$HOLDERS $HOLDER"
    local i
    for i in $(seq 1 300); do
        [ -s "$out.tmp" ] && sleep 0.1 && break
        sleep 0.1
    done
    mv "$out.tmp" "$out" 2>/dev/null || fail "the client as uid $1 reported nothing"
}
release() { kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; HOLDER=""; settle; }
# Until crond has seen the attackers' connections close.
settle() {
    local i
    for i in $(seq 1 50); do
        run as_nobody "$CRONTAB" -l
        case "$ERR" in *"too many connections"*) sleep 0.1 ;; *) return 0 ;; esac
    done
    fail "crond still counts the closed connections"
}

# ---------------------------------------------------------------- 1. floods
write_conf "at_jobs_per_user = 5"
echo nobody >"$TEST_TMP/at.allow"
start_crond
# The kernel's queue of connections not yet accepted is short: a flood of
# connects kept up to 4096 (SOMAXCONN) ahead of root's, seconds of wait.
if command -v ss >/dev/null; then
    backlog=$(ss -xlH | awk -v s="$SOCK" '$5 == s { print $4 }')
    [ "$backlog" = 64 ] || fail "the control socket's backlog is '$backlog', not 64"
fi
printf '0 3 * * * /usr/local/sbin/backup\n' >"$TEST_TMP/root.tab"
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "root installs its crontab"

t_floods=$(date +%s%N)
hold 65534 300 "" 1.5 flood1
HOLD1=$HOLDER; HOLDER=""
hold 4242 300 "" 1.5 flood2
HOLD2=$HOLDER; HOLDER=""
cat "$REPORTS/flood1" "$REPORTS/flood2"
grep -q "^refused=284 .*quiet=16" "$REPORTS/flood1" || fail "nobody was not held to 16 connections"
grep -q "too many connections to crond from uid 65534 (16 open, limit max_conns_per_user = 16)" \
    "$REPORTS/flood1" || fail "nobody was not told why"
grep -q "^refused=284 .*quiet=16" "$REPORTS/flood2" || fail "uid 4242 was not held to 16 connections"
grep -q "from uids without a passwd entry" "$REPORTS/flood2" || fail "uid 4242 was not told why"
t0=$(date +%s%N)
run "$CRONTAB" -l
took=$(ms_since "$t0")
expect_rc 0 "root's crontab -l during the flood"
expect_out "0 3 * * * /usr/local/sbin/backup" "root's crontab during the flood"
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" -l
expect_err_has "no crontab for daemon" "another user during the flood"
echo "root served in $took ms while 600 hostile connections were open (568 refused)"
bound=$(scaled_bound 2000)
[ "$took" -lt "$bound" ] || fail "root waited $took ms (bound $bound)"
kill "$HOLD1" "$HOLD2" 2>/dev/null; wait "$HOLD1" "$HOLD2" 2>/dev/null
settle
bound=$(rate_bound 12 "$t_floods")   # two owners
lines=$(grep -c "REFUSED (connection" "$TEST_TMP/crond.log")
echo "568 refused connections logged as $lines lines (rate-limited)"
[ "$lines" -ge 1 ] && [ "$lines" -le "$bound" ] || fail "$lines log lines for 568 refusals, bound $bound"

# Requests still arriving: each user's stalled senders (a header announcing
# the largest request, then one byte) hold at most a quarter of the 64 MB
# budget, so two of them leave room for another user's large install, and
# root's always gets in. Before, 16 such connections of one user held 32 MB
# and two users all of it: every request that took more than one read was
# refused, root's too.
big=$(python3 -c 'import struct; print((struct.pack(">IHHI", 0x43524E44, 1, 20, 2097152) + b"x").hex())')
hold 65534 16 "$big" 1.5 arriving1
HOLD1=$HOLDER; HOLDER=""
hold 4242 16 "$big" 1.5 arriving2
HOLD2=$HOLDER; HOLDER=""
cat "$REPORTS/arriving1" "$REPORTS/arriving2"
grep -q "^refused=8 .*quiet=8" "$REPORTS/arriving1" || fail "nobody held more than 16 MB arriving"
grep -q "^refused=8 .*quiet=8" "$REPORTS/arriving2" ||
    fail "the uids without a passwd entry held more than 16 MB arriving"
python3 - "$TEST_TMP/wide.tab" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(4000):
        f.write("0 0 * * * true %s %d\n" % ("p" * 40, i))
PY
chmod 0644 "$TEST_TMP/wide.tab"
run "$CRONTAB" "$TEST_TMP/wide.tab"
expect_rc 0 "root installs a $(stat -c %s "$TEST_TMP/wide.tab")-byte crontab beside the stalled senders"
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" "$TEST_TMP/wide.tab"
expect_rc 0 "daemon installs the same crontab beside the stalled senders"
echo "32 stalled 2 MB requests of nobody and of uids without passwd entries: 16 refused, and root's and daemon's $(stat -c %s "$TEST_TMP/wide.tab")-byte installs went in"
kill "$HOLD1" "$HOLD2" 2>/dev/null; wait "$HOLD1" "$HOLD2" 2>/dev/null
settle
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "root's crontab back"
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" -r
expect_rc 0 "daemon removes its crontab"

# ---------------------------------------------------------------- 3. quotas
for i in 1 2 3 4 5; do
    run as_nobody "$AT" -t 203001011000 </dev/null
    expect_rc 0 "nobody's at job $i"
done
run as_nobody "$AT" -t 203001011000 </dev/null
[ "$RC" -ne 0 ] || fail "the 6th at job was accepted"
expect_err_has "at: refused: quota: you have 5 at jobs queued, limit at_jobs_per_user = 5" \
    "the 6th at job"
echo "6th at job: $ERR"
run "$BIN/atq"
[ "$(printf '%s\n' "$OUT" | grep -c nobody)" -eq 5 ] || fail "not 5 jobs queued for nobody"
run "$AT" -t 203001011000 </dev/null
expect_rc 0 "root is exempt from at quotas"
python3 - "$TEST_TMP/big.tab" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write(("#" * 99 + "\n") * 3000)
PY
chmod 0644 "$TEST_TMP/big.tab"
run as_nobody "$CRONTAB" "$TEST_TMP/big.tab"
[ "$RC" -ne 0 ] || fail "an oversized crontab was accepted"
expect_err_has "crontab: refused: quota: the crontab is 300000 bytes, limit crontab_max_bytes = 262144" \
    "oversized crontab"
echo "300000-byte crontab: $ERR"
run as_nobody "$CRONTAB" -l
expect_err_has "no crontab for nobody" "nothing was written"
grep -q "(nobody) REFUSED (quota: 5 at jobs queued, limit at_jobs_per_user = 5)" \
    "$TEST_TMP/crond.log" || fail "no log line for the at quota"
grep -q "(nobody) REFUSED (quota: crontab of 300000 bytes" "$TEST_TMP/crond.log" ||
    fail "no log line for the crontab quota"
# Each refusal is in the owner's history too, flagged refused:quota.
run as_nobody "$BIN/atq" --history
expect_rc 0 "nobody's atq --history"
printf '%s\n' "$OUT" | grep -q "refused:quota.*refused: quota: you have 5 at jobs" ||
    { show_last; fail "no refused:quota record in nobody's at history"; }
# Its JOB, "quota:at", widens the column: the outputs start under OUTPUT.
hdr=$(printf '%s\n' "$OUT" | head -1)
row=$(printf '%s\n' "$OUT" | grep -m1 "refused:quota")
head_to=${hdr%%OUTPUT*}
row_to=${row%%refused: quota: you*}
[ "${#head_to}" -eq "${#row_to}" ] && [ "${row_to%quota:at  }" != "$row_to" ] ||
    { show_last; fail "atq --history's JOB column does not hold quota:at"; }
run as_nobody "$CRONTAB" --history
expect_rc 0 "nobody's crontab --history"
printf '%s\n' "$OUT" | grep -q "refused:quota.*refused: quota: the crontab is 300000" ||
    { show_last; fail "no refused:quota record in nobody's crontab history"; }
stop_crond

# ---------------------------------------------------------------- 2. memory
# One user may hold 256 connections here, so only the reply budget stands
# between the non-readers and crond's memory.
mv "$TEST_TMP/crond.log" "$TEST_TMP/crond1.log"
write_conf "max_conns_per_user = 256" "max_reply_bytes = 8388608" \
    "crontab_max_bytes = 1048576"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=1" start_crond
python3 - "$TEST_TMP/mib.tab" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write(("#" * 1023 + "\n") * 1000)
PY
chmod 0644 "$TEST_TMP/mib.tab"
run as_nobody "$CRONTAB" "$TEST_TMP/mib.tab"
expect_rc 0 "nobody installs a 1 MB crontab"
run as_nobody "$CRONTAB" -l          # warm up: one reply built and sent
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" "$TEST_TMP/mib.tab"
expect_rc 0 "daemon installs a 1 MB crontab"
expect_rc 0 "nobody reads it once"
before=$(rss_kb)
get=$(python3 -c 'import struct; print(struct.pack(">IHHI", 0x43524E44, 1, 21, 0).hex())')
hold 65534 200 "$get" 3 stalled
after=$(rss_kb)
cat "$REPORTS/stalled"
t0=$(date +%s%N)
run "$CRONTAB" -l -u nobody
took=$(ms_since "$t0")
expect_rc 0 "root reads nobody's crontab beside the stalled readers"
# another user's large reply still fits: nobody's readers hold only their
# share of the budget (a quarter), not all of it
run setpriv --reuid=daemon --regid=daemon --clear-groups "$CRONTAB" -l
expect_rc 0 "daemon reads its own 1 MB crontab beside nobody's stalled readers"
[ "${#OUT}" -ge 1000000 ] || fail "daemon's crontab -l gave ${#OUT} bytes"
release
grew=$(( (after - before) / 1024 ))
echo "RSS $(( after / 1024 )) MB with 200 stalled readers of a 1 MB reply (was $(( before / 1024 )) MB, grew $grew MB; max_reply_bytes = 8 MB); root served in $took ms"
grep -q "^refused=0 ok=[1-9] error=" "$REPORTS/stalled" || fail "no reply was refused"
grep -q "refused: crond is busy" "$REPORTS/stalled" || fail "the refusal does not say why"
# 8 MB of replies, plus what building one reply and SQLite's cache take
# (without the budget: 200 MB). ThreadSanitizer's shadow memory counts in
# VmRSS too, several times the heap it shadows.
limit=40
if ldd "$BIN/crond" 2>/dev/null | grep -q libtsan; then
    limit=120
    echo "(a ThreadSanitizer build: its shadow memory is in the figure; bound $limit MB)"
fi
[ "$grew" -lt "$limit" ] || fail "crond grew $grew MB with 200 stalled readers"
stop_crond

# ---------------------------------------------------------------- 4. full disk
mv "$TEST_TMP/crond.log" "$TEST_TMP/crond2.log"
mkdir -p "$FS"
mount -t tmpfs -o size=4m,mode=0700 tmpfs "$FS" || fail "cannot mount a tmpfs on $FS"
write_conf "spool = $FS/spool/crond.db"
echo nobody >"$TEST_TMP/at.allow"
start_crond
# made by the control thread once it runs (a moment after the socket)
wait_for 10 "crond's full-disk reserve" test -f "$FS/spool/crond.db-reserve"
run as_nobody "$AT" -t 203001011000 </dev/null
expect_rc 0 "nobody's at job"
job=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at.*/\1/p')
[ -n "$job" ] || fail "no job number in '$ERR'"
printf '0 4 * * * /usr/bin/true\n' >"$TEST_TMP/small.tab"
chmod 0644 "$TEST_TMP/small.tab"
run as_nobody "$CRONTAB" "$TEST_TMP/small.tab"
expect_rc 0 "nobody's crontab"
run as_nobody "$AT" -t 203001011200 </dev/null
expect_rc 0 "nobody's second at job"
job2=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at.*/\1/p')
run "$CRONTAB" "$TEST_TMP/small.tab"
expect_rc 0 "root's crontab"
wait_for 10 "root's full-disk reserve" test -f "$FS/spool/crond.db-reserve-root"
dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null
free=$(df -B1 --output=avail "$FS" | tail -n 1 | tr -d ' ')
t_subs=$(date +%s%N)
run as_nobody "$AT" -t 203001011100 </dev/null
[ "$RC" -ne 0 ] || fail "a new job fitted on the full file system; the test did not fill it"
for _ in $(seq 1 40); do
    as_nobody "$AT" -t 203001011100 </dev/null >/dev/null 2>&1 &&
        fail "a new job fitted on the full file system"
done
took_subs=$(ms_since "$t_subs")
bound=$(rate_bound 6 "$t_subs")
lines=$(grep -c "control: cannot queue the job" "$TEST_TMP/crond.log")
echo "41 submissions on the full file system in $took_subs ms: $lines log lines about them"
[ "$lines" -le "$bound" ] && [ "$lines" -lt 41 ] ||
    fail "$lines log lines for 41 failed submissions in $took_subs ms, bound $bound (not limited per user)"
t0=$(date +%s%N)
run as_nobody "$ATRM" "$job"
took_atrm=$(ms_since "$t0")
expect_rc 0 "atrm on a full file system"
t0=$(date +%s%N)
run as_nobody "$CRONTAB" -r
took_rm=$(ms_since "$t0")
expect_rc 0 "crontab -r on a full file system"
run as_nobody "$CRONTAB" -l
expect_err_has "no crontab for nobody" "the crontab is gone"
run as_nobody "$BIN/atq"
printf '%s\n' "$OUT" | cut -f1 | grep -qx "$job" && fail "the job is still queued: $OUT"
kill -0 "$CROND_PID" || fail "crond died on the full file system"
grep -q "SPOOL (file system full: released the [0-9]*-byte full-disk reserve" \
    "$TEST_TMP/crond.log" || fail "crond did not say it used the reserve"
echo "atrm in $took_atrm ms and crontab -r in $took_rm ms with $free bytes free"
grep "SPOOL (file system full" "$TEST_TMP/crond.log" | head -n 2
# The room nobody's removals gave back is taken again (a review: the user
# who filled the file system spends the reserve with a removal of their
# own, then fills it again). nobody's next removal finds the shared
# reserve spent; root's removals still work, on a reserve of root's own.
dd if=/dev/zero of="$FS/filler2" bs=64k 2>/dev/null
run as_nobody "$ATRM" "$job2"
[ "$RC" -ne 0 ] || fail "nobody's atrm fitted on the refilled file system: the test did not fill it"
expect_err_has "full" "nobody's atrm on the refilled file system"
run "$CRONTAB" -r
expect_rc 0 "root's crontab -r once nobody spent the shared reserve"
run "$ATRM" "$job2"
expect_rc 0 "root's atrm of nobody's job once nobody spent the shared reserve"
grep -q "the full-disk reserve is already used; root's is kept" "$TEST_TMP/crond.log" ||
    fail "crond did not say why nobody's removal failed"
rm -f "$FS/filler2"
stop_crond
echo ok
