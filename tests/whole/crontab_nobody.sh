#!/bin/bash
# A user other than root cannot read, change or remove root's or another
# user's crontab with any option, and the daemon refuses it too when a
# client skips the command's own check; reading a file is done with the
# user's own rights (crontab /etc/shadow fails).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond

printf '0 4 * * * echo root-only\n' >"$TEST_TMP/root.tab"
printf '0 5 * * * echo evil\n' >"$TEST_TMP/evil.tab"
chmod 0644 "$TEST_TMP/evil.tab"
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "root installs"
run "$CRONTAB" -u daemon "$TEST_TMP/root.tab"
expect_rc 0 "root installs for daemon"

for victim in root daemon; do
    run as_nobody "$CRONTAB" -u "$victim" -l
    expect_rc 1 "nobody: -u $victim -l"
    expect_err_has "must be privileged to use -u" "nobody: -u $victim -l"
    [ -z "$OUT" ] || fail "nobody read $victim's crontab: $OUT"
    run as_nobody "$CRONTAB" -u "$victim" -r
    expect_rc 1 "nobody: -u $victim -r"
    expect_err_has "must be privileged to use -u" "nobody: -u $victim -r"
    run as_nobody "$CRONTAB" -u "$victim" -i -r <<<"y"
    expect_rc 1 "nobody: -u $victim -i -r"
    run as_nobody "$CRONTAB" -u "$victim" "$TEST_TMP/evil.tab"
    expect_rc 1 "nobody: -u $victim FILE"
    expect_err_has "must be privileged to use -u" "nobody: -u $victim FILE"
    run as_nobody "$CRONTAB" -u "$victim" - <"$TEST_TMP/evil.tab"
    expect_rc 1 "nobody: -u $victim -"
    EDITOR="cp $TEST_TMP/evil.tab" run as_nobody "$CRONTAB" -e -u "$victim"
    expect_rc 1 "nobody: -e -u $victim"
    expect_err_has "must be privileged to use -u" "nobody: -e -u $victim"
    run as_nobody "$CRONTAB" -u "$victim" --history
    expect_rc 1 "nobody: -u $victim --history"
    run as_nobody "$CRONTAB" -u "$victim" --next 3
    expect_rc 1 "nobody: -u $victim --next"
    run "$CRONTAB" -u "$victim" -l
    expect_same_file "$TEST_TMP/root.tab" "$OUT_FILE" "$victim's crontab untouched"
done

# Naming yourself is fine, as in Debian; without -u it is your own.
run as_nobody "$CRONTAB" -u nobody "$TEST_TMP/evil.tab"
expect_rc 0 "nobody: -u nobody FILE"
run as_nobody "$CRONTAB" -l
expect_same_file "$TEST_TMP/evil.tab" "$OUT_FILE" "nobody lists their own"
run as_nobody "$CRONTAB" -r
expect_rc 0 "nobody removes their own"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/root.tab" "$OUT_FILE" "root's crontab untouched"

# Files are read with the caller's rights.
run as_nobody "$CRONTAB" /etc/shadow
expect_rc 1 "nobody: crontab /etc/shadow"
expect_err_has "/etc/shadow: Permission denied" "nobody: crontab /etc/shadow"
run as_nobody "$CRONTAB" -T /etc/shadow
expect_rc 1 "nobody: crontab -T /etc/shadow"
expect_err_has "Permission denied" "nobody: crontab -T /etc/shadow"

# The daemon's own check (SO_PEERCRED), with a client that skips ours:
# raw requests naming root, sent as nobody, get MSG_ERROR with MSGE_PERM.
PY=/usr/bin/python3
if [ -x "$PY" ]; then
    run as_nobody "$PY" - "$SOCK" <<'PYEOF'
import socket, struct, sys
def field(tag, data): return struct.pack(">HI", tag, len(data)) + data
def call(mtype, payload):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.sendall(struct.pack(">IHHI", 0x43524E44, 1, mtype, len(payload)) + payload)
    head = b""
    while len(head) < 12:
        chunk = s.recv(12 - len(head))
        if not chunk: raise SystemExit("connection closed")
        head += chunk
    magic, version, rtype, length = struct.unpack(">IHHI", head)
    body = b""
    while len(body) < length:
        body += s.recv(length - len(body))
    s.close()
    fields, off = {}, 0
    while off < len(body):
        tag, n = struct.unpack(">HI", body[off:off + 6])
        fields.setdefault(tag, body[off + 6:off + 6 + n]); off += 6 + n
    code = struct.unpack(">I", fields[1])[0] if 1 in fields else None
    return rtype, code, fields.get(2, b"").decode()
user = field(10, b"root")
for name, mtype, payload in [("get", 21, user), ("remove", 22, user),
                             ("install", 20, user + field(13, b"* * * * * evil\n")),
                             ("history", 23, user + field(16, struct.pack(">I", 5)))]:
    rtype, code, text = call(mtype, payload)
    print(name, rtype, code, text)
    if rtype != 2 or code != 2:
        raise SystemExit("%s was not refused with MSGE_PERM" % name)
PYEOF
    expect_rc 0 "raw requests as nobody naming root"
    run "$CRONTAB" -l
    expect_same_file "$TEST_TMP/root.tab" "$OUT_FILE" "root's crontab untouched by raw requests"
fi

stop_crond
echo "ok"
