#!/bin/bash
# crontab --run: a client that never reads its run's output keeps its slot
# in crond (RUNCLIENT_MAX, 64, for every user together) until it reads or
# RUNCLIENT_LINGER_NS (10 s) passes, with up to 256 KiB queued. Such
# clients count towards the user's RUNCLIENT_PER_USER (4) like runs that
# still go: else one user could hold every slot, and everyone else's
# crontab --run would be refused, by starting short noisy runs and never
# reading.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
mkdir -m 0777 "$TEST_TMP/home"
printf 'HOME=%s\nMAILTO=""\n0 0 1 1 * head -c 2000000 /dev/zero\n0 0 1 1 * echo hi\n' "$TEST_TMP/home" >"$TEST_TMP/n.tab"
chmod 0644 "$TEST_TMP/n.tab"
start_crond
run as_nobody "$CRONTAB" "$TEST_TMP/n.tab"
expect_rc 0 "nobody installs a crontab"
# A raw MSG_RUN (45: TAG_RUN_LINE 80) for LINE; "hold" never reads, "ask"
# decodes the first frame: "MSG_ERROR code 7 (MSGE_BUSY): TEXT" for a
# refusal (TAG_ERROR_CODE 1, TAG_ERROR_TEXT 2), else "message type N".
cat >"$TEST_TMP/raw.py" <<'PY'
import socket, struct, sys, time
def field(tag, data): return struct.pack(">HI", tag, len(data)) + data
body = field(80, struct.pack(">I", int(sys.argv[3])))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack(">IHHI", 0x43524E44, 1, 45, len(body)) + body)
if sys.argv[2] == "hold":
    time.sleep(30)
    sys.exit(0)
data = b""
while len(data) < 12 or len(data) < 12 + struct.unpack(">I", data[8:12])[0]:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
magic, version, mtype, length = struct.unpack(">IHHI", data[:12])
fields, payload = {}, data[12:12 + length]
while len(payload) >= 6:
    tag, n = struct.unpack(">HI", payload[:6])
    fields.setdefault(tag, payload[6:6 + n])
    payload = payload[6 + n:]
names = {1: "MSGE_DENIED", 2: "MSGE_PERM", 3: "MSGE_NOT_FOUND", 4: "MSGE_INVALID",
         5: "MSGE_INTERNAL", 6: "MSGE_UNSUPPORTED", 7: "MSGE_BUSY", 8: "MSGE_QUOTA"}
if mtype == 2:
    code = struct.unpack(">I", fields.get(1, b"\0\0\0\0"))[0]
    text = fields.get(2, b"").decode("utf-8", "replace")
    print("MSG_ERROR code %d (%s): %s" % (code, names.get(code, "?"), text))
else:
    print("message type %d" % mtype)
PY
holders=""
for i in 1 2 3 4; do
    setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$TEST_TMP/raw.py" "$SOCK" hold 3 &
    holders="$holders $!"
    sleep 0.3
done
# Their runs end at once; the clients hold what they did not read.
sleep 1.5
n=$(grep -c '(nobody) END' "$TEST_TMP/crond.log")
[ "$n" -eq 4 ] || fail "expected the 4 runs to have ended, $n did"
run as_nobody /usr/bin/python3 "$TEST_TMP/raw.py" "$SOCK" ask 4
kill $holders 2>/dev/null; wait $holders 2>/dev/null
echo "figure: a fifth --run of nobody while 4 clients hold unread output: $OUT"
case "$OUT" in
    "MSG_ERROR code 7 (MSGE_BUSY): "*"nobody already has 4 runs started with crontab --run going"*) ;;
    *) fail "a fifth run was let in while 4 unread clients held their slots: $OUT" ;;
esac
# Once they are gone, nobody may run again.
sleep 0.5
run as_nobody "$CRONTAB" --run 4
expect_rc 0 "nobody's --run 4 after the holders went"
expect_out "hi" "nobody's --run 4"
stop_crond
