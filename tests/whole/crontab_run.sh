#!/bin/bash
# crontab --run LINE: the entry runs now, through crond, exactly as a
# scheduled run (compared: `env | sort`, user, directory), its output
# streamed as it is written (the first line arrives while the job still
# runs), its exit status passed through (128+N for a signal), recorded in
# the history as manual; refused for a line that is no entry and for
# another user's crontab unless root; root may run a system crontab's line;
# a client killed mid-run leaves the job running, recorded.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf "max_jobs = 2"   # users hold one slot at a time
out=$TEST_TMP/out
mkdir -m 0777 "$out"
cat >"$TEST_TMP/tab" <<EOF2
MAILTO=""
* * * * * f=\$(mktemp $out/env.XXXXXX); env | sort > \$f; pwd >> \$f; id >> \$f; cat \$f
0 0 1 1 * echo first; until [ -e $out/gate3 ]; do sleep 0.05; done; echo second
0 0 1 1 * echo bye; exit 7
0 0 1 1 * echo about to die; kill -9 \$\$
0 0 1 1 * echo start; sleep 3; echo done > $out/killed-done
MAILTO=ops@example.com
0 0 1 1 * echo mail-me; sleep 2; echo the rest
EOF2
printf "HOME=$out\n0 0 1 1 * nobody id -un; pwd\n" >"$TEST_TMP/cron.d/sys"
chmod 0644 "$TEST_TMP/cron.d/sys"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install"
start_crond --test-clock "$(before_next_minute 2)"

# The scheduled run of line 2 first, then the same line by hand.
for _ in $(seq 1 100); do ls "$out"/env.* >/dev/null 2>&1 && break; sleep 0.1; done
sched=$(ls "$out"/env.* 2>/dev/null | head -n 1)
[ -n "$sched" ] || fail "the scheduled run of line 2 did not happen"
sleep 0.5
run "$CRONTAB" --run 2
expect_rc 0 "--run 2"
[ "$(ls "$out"/env.* | wc -l)" -ge 2 ] || fail "--run 2 did not run the entry"
printf '%s\n' "$OUT" >"$TEST_TMP/manual.env"
expect_same_file "$sched" "$TEST_TMP/manual.env" "environment, directory and ids of --run vs a scheduled run"

# Streaming: "first" is shown while the job waits (for the gate the test
# opens), before "second".
"$CRONTAB" --run 3 >"$TEST_TMP/stream.out" 2>"$TEST_TMP/stream.err" &
cli=$!
first_shown() { grep -q '^first$' "$TEST_TMP/stream.out"; }
wait_for 20 "the first line, while the job runs" first_shown
grep -q second "$TEST_TMP/stream.out" && fail "the second line came too early: not streamed?"
kill -0 "$cli" 2>/dev/null || fail "crontab --run ended before the job did"
touch "$out/gate3"
rc=0; wait "$cli" || rc=$?
[ "$rc" = 0 ] || fail "--run 3 exited $rc: $(cat "$TEST_TMP/stream.err")"
printf 'first\nsecond\n' | cmp -s - "$TEST_TMP/stream.out" || fail "--run 3 output: $(cat "$TEST_TMP/stream.out")"

# Exit status, and signals as a shell reports them.
run "$CRONTAB" --run 4
expect_rc 7 "--run 4 (exit 7)"
expect_out "bye" "--run 4 output"
run "$CRONTAB" --run 5
expect_rc 137 "--run 5 (kill -9)"
expect_out "about to die" "--run 5 output"
expect_err_has "line 5 was killed by signal 9" "--run 5"

# Lines that are not entries.
run "$CRONTAB" --run 1
expect_rc 125 "--run 1 (an assignment)"
expect_err_has "crontab: line 1 of your crontab is an assignment (MAILTO=...), not an entry" "--run 1"
run "$CRONTAB" --run 40
expect_rc 125 "--run 40"
expect_err_has "line 40 of your crontab is not an entry (a blank line, a comment, or past the end); entries are on lines 2, 3, 4, 5, 6, 8" "--run 40"
run "$CRONTAB" --run x
expect_rc 125 "--run x"
expect_err_has "crontab: --run: 'x' is not a line number (1 or more)" "--run x"

# Another user's crontab: only root.
run as_nobody "$CRONTAB" -u root --run 3
expect_rc 125 "nobody: -u root --run 3"
expect_err_has "must be privileged to use -u" "nobody: -u root"
run as_nobody "$CRONTAB" --run 3
expect_rc 125 "nobody has no crontab"
expect_err_has "crontab: crond has no crontab installed for nobody" "nobody --run 3"
run as_nobody "$CRONTAB" --run "$TEST_TMP/cron.d/sys:2"
expect_rc 125 "nobody runs a system crontab line"
expect_err_has "crontab: only root may run a line of a system crontab" "nobody, system line"
printf 'HOME=%s\n0 0 1 1 * id -un\n0 0 1 1 * until [ -e gate ]; do sleep 0.05; done; echo slept\n' "$out" \
    >"$TEST_TMP/nobody.tab"
run as_nobody "$CRONTAB" "$TEST_TMP/nobody.tab"
expect_rc 0 "nobody installs a crontab"
run "$CRONTAB" -u nobody --run 2
expect_rc 0 "root runs nobody's line 1"
expect_out "nobody" "root runs nobody's line as nobody"
# crond refuses it too, whatever the client says: a raw MSG_RUN from nobody
# naming root (TAG_USER 10, TAG_RUN_LINE 80).
cat >"$TEST_TMP/raw.py" <<'PY'
import socket, struct, sys
def field(tag, data): return struct.pack(">HI", tag, len(data)) + data
body = field(10, b"root") + field(80, struct.pack(">I", 3))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack(">IHHI", 0x43524E44, 1, 45, len(body)) + body)
data = b""
while len(data) < 12 or len(data) < 12 + struct.unpack(">I", data[8:12])[0]:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
magic, version, mtype, length = struct.unpack(">IHHI", data[:12])
print(mtype, data[12:12 + length].decode("utf-8", "replace"))
PY
run as_nobody /usr/bin/python3 "$TEST_TMP/raw.py" "$SOCK"
case "$OUT" in "2 "*"only root may name another user"*) ;; *) fail "raw MSG_RUN from nobody naming root: $OUT $ERR" ;; esac

# Job slots apply: nobody's second run waits for the first. Nobody's line
# 3 runs until the test opens its gate ($out/gate, its HOME).
gate_runs() { grep -c '(nobody) CMD (pid=[0-9]* until \[ -e gate \]' "$TEST_TMP/crond.log"; }
slot_wait() { grep -l 'crontab: waiting for a free job slot...' "$@" 2>/dev/null | wc -l; }
runs0=$(gate_runs)
as_nobody "$CRONTAB" --run 3 >"$TEST_TMP/slot1.out" 2>&1 &
p1=$!
first_runs() { [ "$(gate_runs)" -gt "$runs0" ]; }
wait_for 20 "nobody's first --run 3 runs" first_runs
as_nobody "$CRONTAB" --run 3 >"$TEST_TMP/slot2.out" 2>"$TEST_TMP/slot2.err" &
p2=$!
second_waits() { [ "$(slot_wait "$TEST_TMP/slot2.err")" = 1 ]; }
wait_for 20 "nobody's second --run 3 waits for a free job slot" second_waits
[ "$(gate_runs)" -eq $((runs0 + 1)) ] || fail "nobody's second --run 3 ran beside the first"
touch "$out/gate"
wait "$p1" || fail "nobody's first --run 3 failed: $(cat "$TEST_TMP/slot1.out")"
wait "$p2" || fail "nobody's second --run 3 failed: $(cat "$TEST_TMP/slot2.err")"
[ "$(cat "$TEST_TMP/slot2.out")" = slept ] || fail "nobody's second --run 3 printed: $(cat "$TEST_TMP/slot2.out")"
rm -f "$out/gate"
# At most 4 runs by hand per user: one running, three waiting for the slot.
pids=""
runs0=$(gate_runs)
for i in 1 2 3 4; do as_nobody "$CRONTAB" --run 3 >/dev/null 2>"$TEST_TMP/four.$i" & pids="$pids $!"; done
four_going() { [ "$(gate_runs)" -eq $((runs0 + 1)) ] && [ "$(slot_wait "$TEST_TMP"/four.*)" = 3 ]; }
wait_for 20 "nobody's 4 runs by hand started (one runs, three wait)" four_going
run as_nobody "$CRONTAB" --run 3
expect_rc 125 "a fifth --run of nobody"
expect_err_has "crontab: nobody already has 4 runs started with crontab --run going; wait for one to end" "fifth --run"
touch "$out/gate"
for p in $pids; do wait "$p" || fail "one of nobody's 4 runs failed"; done
run "$CRONTAB" --run "$TEST_TMP/cron.d/sys:2"
expect_rc 0 "root runs a system crontab's line"
[ "$(printf '%s\n' "$OUT" | head -n 1)" = nobody ] || fail "system line ran as: $OUT"
run "$CRONTAB" --run "$TEST_TMP/cron.d/none:1"
expect_rc 125 "a system crontab that is not loaded"
expect_err_has "crond has no system crontab $TEST_TMP/cron.d/none" "unknown system crontab"

# A client killed mid-run: the job completes and is recorded.
"$CRONTAB" --run 6 >"$TEST_TMP/killed.out" 2>&1 &
cli=$!
for _ in $(seq 1 30); do grep -q start "$TEST_TMP/killed.out" && break; sleep 0.1; done
grep -q start "$TEST_TMP/killed.out" || fail "--run 6 did not start"
kill -9 "$cli"
wait "$cli" 2>/dev/null
for _ in $(seq 1 60); do [ -e "$out/killed-done" ] && break; sleep 0.1; done
[ -e "$out/killed-done" ] || fail "the job of a killed client did not complete"

# A run by hand is not mailed: its client saw the output...
run "$CRONTAB" --run 8
expect_rc 0 "--run 8"
expect_out "mail-me
the rest" "--run 8 output"
sleep 1
[ -e "$TEST_TMP/mail.log" ] && fail "a run by hand whose output was shown was mailed: $(cat "$TEST_TMP/mail.log")"
# ...unless the client went away before it ended: then as a scheduled run.
"$CRONTAB" --run 8 >"$TEST_TMP/killed8.out" 2>&1 &
cli=$!
for _ in $(seq 1 30); do grep -q mail-me "$TEST_TMP/killed8.out" && break; sleep 0.1; done
kill -9 "$cli"
wait "$cli" 2>/dev/null
for _ in $(seq 1 60); do grep -q '^--- end' "$TEST_TMP/mail.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^To: ops@example.com' "$TEST_TMP/mail.log" || fail "the output of a run whose client left was not mailed"
grep -q '^the rest$' "$TEST_TMP/mail.log" || fail "mail body: $(cat "$TEST_TMP/mail.log")"

# History: the runs by hand are flagged manual, the scheduled one is not.
for _ in $(seq 1 30); do
    run "$CRONTAB" --history 50
    printf '%s\n' "$OUT" | grep 'sleep 3' | grep -q 'exit 0' && break
    sleep 0.2
done
row() { printf '%s\n' "$OUT" | grep -F -- "$1" | head -n 1; }
case "$(row 'sleep 3')" in *"exit 0"*manual*) ;; *) fail "killed client's run: $(row 'sleep 3')" ;; esac
case "$(row 'exit 7')" in *"exit 7"*manual*) ;; *) fail "row of --run 4: $(row 'exit 7')" ;; esac
case "$(row 'kill -9')" in *"signal 9"*manual*) ;; *) fail "row of --run 5: $(row 'kill -9')" ;; esac
[ "$(printf '%s\n' "$OUT" | grep -F 'mktemp' | grep -c manual)" = 1 ] ||
    fail "one run of line 2 by hand expected: $OUT"
printf '%s\n' "$OUT" | grep -F 'mktemp' | grep -qv manual || fail "the scheduled run of line 2 is not there: $OUT"
grep -q '(root) RUN (line 6 of user:root by hand, asked by root: ' "$TEST_TMP/crond.log" ||
    fail "no RUN log line"
stop_crond
echo ok
