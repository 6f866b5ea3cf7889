#!/bin/bash
# tests/whole/at_batch.sh: batch (and an uppercase queue) wait while the
# load average is at or over batch_load, and run once it drops; an
# ordinary queue does not wait. The load comes from a test file.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
load=$TEST_TMP/loadavg
echo "9.99 9.99 9.99 3/100 4242" >"$load"
write_conf "loadavg_file = $load" "batch_interval = 1" "batch_load = 1.5"
start_crond
out=$TEST_TMP/out
mkdir "$out"
cd "$TEST_TMP" || fail "cd"

run bash -c "echo 'touch $out/batch' | '$BIN/batch'"
expect_rc 0 "batch"
expect_err_has "job 1 at " "batch"
run bash -c "echo 'touch $out/upper' | '$BIN/at' -q Q now"
expect_rc 0 "at -q Q now"
run bash -c "echo 'touch $out/plain' | '$BIN/at' -q c now"
expect_rc 0 "at -q c now"
run bash -c "echo 'touch $out/dash-b' | '$BIN/at' -b"
expect_rc 0 "at -b"
# Debian's at -b: no warning line, and the time it was queued to the second
printf '%s\n' "$ERR" | grep -qx 'job 4 at [A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} [0-9]\{4\}' ||
    { show_last; fail "at -b: Debian's one line"; }
case "$ERR" in *warning*) show_last; fail "at -b printed the warning line" ;; esac
# and Debian's at takes no option letter after -b
run bash -c "echo true | '$BIN/at' -b -q c"
expect_rc 1 "at -b -q c"
expect_err_has "invalid option -- 'q'" "at -b -q c"
# before -b, a queue letter is taken, and a batch job goes into its
# uppercase letter (Debian's at -q c -b: queue C, which waits for the load)
run bash -c "echo 'touch $out/qc-b' | '$BIN/at' -q c -b"
expect_rc 0 "at -q c -b"
expect_err_has "job 5 at " "at -q c -b"
# -t before -b is the batch job's time, as in Debian's at
run bash -c "echo true | '$BIN/at' -t 203001011000 -b"
expect_rc 0 "at -t TIME -b"
expect_err_has "job 6 at Tue Jan  1 10:00:00 2030" "at -t TIME -b"
run "$BIN/atrm" 6
expect_rc 0 "atrm 6"

for _ in $(seq 1 50); do [ -e "$out/plain" ] && break; sleep 0.1; done
[ -e "$out/plain" ] || fail "a queue c job waited for the load"
sleep 3
for f in batch upper dash-b qc-b; do
    [ -e "$out/$f" ] && fail "the $f job ran while the load was 9.99"
done
run "$BIN/atq"
[ "$(printf '%s\n' "$OUT" | awk '{print $1 $7}' | tr '\n' ' ')" = "1b 2Q 4b 5C " ] ||
    fail "held jobs not listed in their queues: $OUT"

echo "0.01 0.05 0.10 1/100 4242" >"$load"
# Checked again at most 5 s later; one batch start per check here (the
# four start 5 s apart).
for _ in $(seq 1 250); do
    [ -e "$out/batch" ] && [ -e "$out/upper" ] && [ -e "$out/dash-b" ] && [ -e "$out/qc-b" ] && break
    sleep 0.1
done
for f in batch upper dash-b qc-b; do
    [ -e "$out/$f" ] || fail "the $f job did not run within 25 s of the load dropping"
done
run "$BIN/atq"
expect_out "" "atq after the batch jobs ran"
# at -vb: the first line and "job N at" say the same second, the one at
# started, however long the job takes to arrive (as Debian's)
run bash -c "(sleep 1.2; echo true) | '$BIN/at' -vb"
expect_rc 0 "at -vb"
first=$(printf '%s\n' "$ERR" | head -1)
printf '%s\n' "$ERR" | grep -qx "job [0-9]* at $first" || { show_last; fail "at -vb: two times"; }
stop_crond
echo ok
