#!/bin/bash
# tests/whole/at_static.sh: the at that the Makefile builds and installs is
# linked statically (AT_STATIC, docs/ARCHITECTURE.md "at's start"), which
# no sanitized build can be, so `make test` also builds that one and names
# it in CROND_TEST_STATIC_AT. Here it is driven against this build's crond:
# it is static and holds no NSS (it looks no user up: crond does), and it
# queues, lists, shows and removes jobs, refuses an unknown -u user before
# anyone types and after, and shows the caller's history with their name.
. "$ROOT/tests/whole/lib.sh"
need_crond
AT=${CROND_TEST_STATIC_AT:-}
[ -n "$AT" ] || { echo "SKIP: no CROND_TEST_STATIC_AT (make test builds it)"; exit 0; }
[ -x "$AT" ] || fail "CROND_TEST_STATIC_AT=$AT is not a program"
command -v readelf >/dev/null || { echo "SKIP: no readelf"; exit 0; }

# Static: no program interpreter, no shared library needed.
readelf -lW "$AT" | grep -q 'INTERP' && fail "$AT has a program interpreter: not static"
readelf -dW "$AT" | grep -q '(NEEDED)' && fail "$AT needs a shared library"
# Position-independent all the same (ASLR).
readelf -hW "$AT" | grep -q 'Type: *DYN' || fail "$AT is not position-independent"
# No user look-up: glibc's NSS would load shared modules into it.
if nm "$AT" 2>/dev/null | grep -qE ' (getpwnam|getpwuid|getgrnam|getpwnam_r|getpwuid_r|__nss_database_get)$'; then
    fail "$AT links glibc's NSS"
fi

start_crond_at_open
export TZ=UTC
cd "$TEST_TMP" || fail "cd"

# Queue one from a pipe, as scripts do, and one as nobody.
run bash -c "echo 'echo from-a-pipe' | '$AT' -t 203001010000"
expect_rc 0 "static at -t"
[ "$ERR" = "warning: commands will be executed using /bin/sh
job 1 at Tue Jan  1 00:00:00 2030" ] || { show_last; fail "static at: Debian's lines"; }
run as_nobody bash -c "echo 'echo nobodys' | '$AT' -q c -t 203001010100"
expect_rc 0 "nobody's static at"
run "$AT" -l
expect_rc 0 "static at -l"
[ "$OUT" = "1	Tue Jan  1 00:00:00 2030 a root
2	Tue Jan  1 01:00:00 2030 c nobody" ] || { show_last; fail "static at -l"; }
run "$AT" -c 1
expect_rc 0 "static at -c 1"
printf '%s\n' "$OUT" | tail -n 1 | grep -qx 'echo from-a-pipe' || { show_last; fail "static at -c 1"; }
run as_nobody "$AT" -d 1
expect_rc 1 "nobody's static atrm of root's job"
expect_err_has "1: Not owner" "nobody's static atrm of root's job"

# -u: a known user is carried into the job; an unknown one is refused in
# Debian's words, from a pipe and on a terminal before anyone types.
echo true | "$AT" -u nobody -t 203001010200 2>/dev/null || fail "static at -u nobody"
run "$AT" -c 3
[ "$(printf '%s\n' "$OUT" | sed -n 3p)" = "# mail nobody 0" ] || { show_last; fail "static at -u: # mail line"; }
run bash -c "echo true | '$AT' -u no-such-user-here -t 203001010000"
expect_rc 1 "static at -u unknown"
[ "$ERR" = "warning: commands will be executed using /bin/sh
at: Cannot find username no-such-user-here" ] || { show_last; fail "static at -u unknown"; }
if command -v script >/dev/null; then
    { sleep 1; printf 'echo typed-in-vain\n\004'; } |
        script -qec "'$AT' -u no-such-user-here -t 203001010000 2>&1; echo rc=\$?" \
            /dev/null | tr -d '\r' >"$TEST_TMP/tty.out"
    [ "$(cat "$TEST_TMP/tty.out")" = "warning: commands will be executed using /bin/sh
at: Cannot find username no-such-user-here
rc=1" ] || { cat -A "$TEST_TMP/tty.out" >&2; fail "static at -u unknown on a terminal"; }
fi

# The history of a job that ran, named for its caller (crond names them).
mkdir -p "$TEST_TMP/static" && chmod 0755 "$TEST_TMP/static"
ATQ=$TEST_TMP/static/atq
ln -s "$AT" "$ATQ"
run as_nobody bash -c "echo 'echo ran' | '$AT' now"
expect_rc 0 "nobody's static at now"
for _ in $(seq 1 100); do
    as_nobody "$ATQ" --history --json 2>/dev/null | grep -q '"end_epoch": *[0-9]' && break
    sleep 0.1
done
run as_nobody "$ATQ" --history --json
expect_rc 0 "nobody's static atq --history --json"
printf '%s\n' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["user"] == "nobody", d["user"]
assert len(d["runs"]) == 1 and d["runs"][0]["end_epoch"] is not None, d["runs"]
' || { show_last; fail "static atq --history --json"; }
run "$ATQ" --history --json
printf '%s\n' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["user"] == "root" and d["runs"] == [], d
' || { show_last; fail "root's static atq --history --json: only root's runs"; }

run "$AT" -d 1 3
expect_rc 0 "static atrm 1 3"
run "$AT" -l
[ "$OUT" = "2	Tue Jan  1 01:00:00 2030 c nobody" ] || { show_last; fail "static at -l after atrm"; }
stop_crond
echo ok
