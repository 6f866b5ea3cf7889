#!/bin/bash
# tests/whole/at_spool_full.sh: an at job that falls due while the spool's
# file system is full is not lost until crond's next start: its claim
# fails, it is tried again a minute later, and runs once there is room.
#
# Fault: the spool on a small tmpfs (needs root: skipped otherwise), filled
# up after the job was queued and before it is due. Pass: the log says
# "at job N not started: ...; tried again in 60s"; with the filler gone the
# job runs, once (was: dropped until a restart, still listed by atq).
. "$ROOT/tests/whole/lib.sh"
need_crond
small_fs 4m
export TZ=UTC
write_conf "spool = $FS/spool/crond.db"
: >"$TEST_TMP/at.deny"
out=$TEST_TMP/out
mkdir -m 0777 "$out"
# 2030-01-01T09:58:00Z at 30 times: 10:00 is 4 s away.
start_crond --test-clock 1893491880:30
wait_for 10 "crond's full-disk reserve" test -f "$FS/spool/crond.db-reserve"
run bash -c "echo 'echo ran >> $out/ran' | '$BIN/at' -t 203001011000"
expect_rc 0 "at -t 10:00"
id=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at .*/\1/p')
[ -n "$id" ] || { show_last; fail "no job number"; }
dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null
wait_for 15 "the failed claim's log line" \
    grep -q "at job $id not started: .*; tried again in 60s" "$TEST_TMP/crond.log"
[ ! -e "$out/ran" ] || fail "the job ran on a full file system"
rm -f "$FS/filler"
wait_for 15 "the job, once there is room" test -s "$out/ran"
sleep 1
[ "$(wc -l <"$out/ran")" -eq 1 ] || fail "the job ran $(wc -l <"$out/ran") times"
run "$BIN/atq"
expect_out "" "atq once the job ran"
echo "# $(grep -c "at job $id not started" "$TEST_TMP/crond.log") failed claim(s), then one run"
stop_crond
