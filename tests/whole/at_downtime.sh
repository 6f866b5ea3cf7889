#!/bin/bash
# tests/whole/at_downtime.sh: a job that fell due while crond was down runs
# when crond comes back (started here on a test clock past the due time),
# in its own directory (at_workdir.sh: when that is gone); a job cut off by a crash (kill -9 of crond) is reported as interrupted in
# the log and in `atq --history`, and is never run again; a job claimed
# but never started when crond died runs at the next start, once.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond
export TZ=UTC
out=$TEST_TMP/out
mkdir "$out"
cd "$TEST_TMP" || fail "cd"

# Due in an hour; crond stops; crond starts five seconds past the due time.
due=$(( ($(date +%s) / 60 + 60) * 60 ))
mkdir "$TEST_TMP/late"
cd "$TEST_TMP/late" || fail "cd"
run bash -c "echo 'pwd > $out/late' | '$BIN/at' -t $(date -u -d "@$due" +%Y%m%d%H%M)"
expect_rc 0 "at -t in an hour"
cd "$TEST_TMP" || fail "cd"
stop_crond
[ -e "$out/late" ] && fail "the job ran before its time"
start_crond --test-clock "$((due + 5))"
for _ in $(seq 1 100); do [ -s "$out/late" ] && break; sleep 0.1; done
[ -s "$out/late" ] || fail "the job due while crond was down did not run"
[ "$(cat "$out/late")" = "$TEST_TMP/late" ] || fail "the late job ran in $(cat "$out/late")"
run "$BIN/atq" --history
case "$(printf '%s\n' "$OUT" | sed -n 2p)" in
    "$(date -u -d "@$due" '+%Y-%m-%d %H:%M')  $(date -u -d "@$due" '+%Y-%m-%d %H:%M'):0"[5-9]*" exit 0 "*) ;;
    *) show_last; fail "the late run in the history" ;;
esac
run "$BIN/atq"
expect_out "" "atq after the late job"
stop_crond

# A crash while a job runs.
start_crond
run bash -c "echo 'echo run >> $out/count; sleep 30' | '$BIN/at' now"
expect_rc 0 "at now (sleep 30)"
for _ in $(seq 1 100); do
    run "$BIN/atq"
    case "$OUT" in "2	"*" = root") break ;; esac
    sleep 0.1
done
case "$OUT" in "2	"*" = root") ;; *) show_last; fail "job 2 is not running" ;; esac
# The job shows as running once claimed; its CMD line follows the start.
for _ in $(seq 1 50); do
    pid=$(sed -n 's/.*(root) CMD (pid=\([0-9]*\) at job 2)$/\1/p' "$TEST_TMP/crond.log")
    [ -n "$pid" ] && break
    sleep 0.1
done
[ -n "$pid" ] || fail "no CMD line for job 2"
kill -KILL "$CROND_PID"
wait "$CROND_PID" 2>/dev/null
CROND_PID=""
kill -KILL -- "-$pid" 2>/dev/null   # the orphaned job (its own session)
rm -f "$SOCK"                       # so start_crond waits for the new one
start_crond
grep -q '(root) INTERRUPTED (at job 2 was running when crond stopped; not run again)' \
    "$TEST_TMP/crond.log" || fail "no INTERRUPTED line in the log"
run "$BIN/atq" --history
expect_rc 0 "atq --history"
header=$(printf '%s\n' "$OUT" | head -n 1)
for col in SCHEDULED STARTED DURATION RESULT FLAGS JOB OUTPUT; do
    case "$header" in *"$col"*) ;; *) fail "no $col column: $header" ;; esac
done
case "$header" in *NODE*) fail "a NODE column on one machine's spool: $header" ;; esac
row2=$(printf '%s\n' "$OUT" | awk 'substr($0, 75, 4) + 0 == 2')
case "$row2" in
    *" - "*"interrupted"*) ;;
    *) show_last; fail "job 2 not shown as interrupted without a result: '$row2'" ;;
esac
row1=$(printf '%s\n' "$OUT" | awk 'substr($0, 75, 4) + 0 == 1')
case "$row1" in *" exit 0 "*) ;; *) show_last; fail "job 1's run: '$row1'" ;; esac
sleep 2
[ "$(wc -l <"$out/count")" -eq 1 ] || fail "the interrupted job ran again"
run "$BIN/atq"
expect_out "" "atq after the crash"
run "$BIN/atq" --history 1
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] || fail "atq --history 1: $OUT"
run as_nobody "$BIN/atq" --history
expect_rc 1 "atq --history as a user denied at"
expect_err_has "not allowed to use at" "atq --history as nobody"

# A crash between a job's claim and its start's record (crond killed while
# it committed the claim, or read the job): the job never ran, so it waits
# again and runs, once, at the next start. The claim is made by hand here,
# with crond stopped, as the crash would have left it.
due=$(( ($(date +%s) / 60 + 60) * 60 ))
run bash -c "echo 'echo claimed >> $out/claimed' | '$BIN/at' -t $(date -u -d "@$due" +%Y%m%d%H%M)"
expect_rc 0 "at -t in an hour (to be claimed)"
id=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at .*/\1/p')
[ -n "$id" ] || { show_last; fail "no job number"; }
stop_crond
python3 - "$TEST_TMP/spool/crond.db" "$id" <<'PY' || fail "could not claim the job by hand"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("UPDATE at_job SET state = 'running', claimed_at = 1 WHERE id = ?",
               (int(sys.argv[2]),)).rowcount
db.commit()
sys.exit(0 if n == 1 else 1)
PY
start_crond --test-clock "$((due + 5))"
wait_for 10 "the claimed, never started job to run" test -s "$out/claimed"
sleep 1
[ "$(wc -l <"$out/claimed")" -eq 1 ] || fail "the claimed job ran $(wc -l <"$out/claimed") times"
if grep -q "INTERRUPTED (at job $id " "$TEST_TMP/crond.log"; then
    fail "the claimed, never started job was said to be interrupted"
fi
stop_crond

# A crash between a job's start and the record of its start (crond killed
# while it committed that record): the job must not have run, since the
# next start runs it, as above. A trigger makes the record's commit take
# minutes; the job, held at its gate until the commit, does not run in the
# meantime; crond is killed; the next start runs it once (was: the job ran
# at once, and again at the next start: a crash test's finding).
start_crond
python3 - "$TEST_TMP/spool/crond.db" <<'PY' || fail "could not slow down the start record"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE slow (x INTEGER)")
db.executemany("INSERT INTO slow VALUES (?)", [(i,) for i in range(2000)])
db.execute("CREATE TRIGGER slow_start AFTER UPDATE OF started_at ON at_job"
           " BEGIN SELECT count(*) FROM slow a, slow b, slow c; END")
db.commit()
PY
run bash -c "echo 'echo gated >> $out/gated' | '$BIN/at' now"
expect_rc 0 "at now (its start record slowed down)"
id=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at .*/\1/p')
[ -n "$id" ] || { show_last; fail "no job number"; }
child_started() { pgrep -P "$CROND_PID" >/dev/null; }
wait_for 10 "the job's process" child_started
sleep 1   # time enough for a job not held to run
[ -e "$out/gated" ] && fail "the job ran before its start was recorded"
kill -KILL "$CROND_PID"
wait "$CROND_PID" 2>/dev/null
CROND_PID=""
python3 - "$TEST_TMP/spool/crond.db" <<'PY' || fail "could not drop the trigger"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER slow_start")
db.execute("DROP TABLE slow")
db.commit()
PY
rm -f "$SOCK"
start_crond
wait_for 10 "the job whose start was not recorded to run" test -s "$out/gated"
sleep 1
[ "$(wc -l <"$out/gated")" -eq 1 ] || fail "the job ran $(wc -l <"$out/gated") times"
stop_crond
echo ok
