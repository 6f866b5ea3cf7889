#!/bin/bash
# tests/whole/hardening_sched.sh: what a hostile user could do to the job
# slots and the daemon's memory, each tried as the attack that showed it
# (issue 9, findings 1, 2 and 6), with the figure it now gives:
#   (a) one user's long jobs try to fill max_jobs=4: another user's job and
#       root's job, due the next minute, still start at once (delay printed);
#   (b) a 1 MiB crontab of big environment lines and many `* * * * *`
#       entries: the daemon's peak memory over that minute stays bounded by
#       the crontab's size, not entries x environment (growth printed);
#   (c) `crontab -r`, and a replaced crontab, while runs wait for a slot:
#       none of the removed entries' runs starts, each is recorded as
#       cancelled; an unchanged entry keeps its waiting run;
#   (d) an at job refused for a full queue is not lost: deferred, it runs
#       a minute later.
# The clock runs 6 times faster than real time (a minute lasts 10 s).
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond

SPEED=6
out=$TEST_TMP/out
mkdir -m 0777 "$out"
victim=cfq$$
useradd -M -d "$out" -s /bin/sh "$victim" || fail "useradd $victim"
trap 'cleanup_crond; userdel "$victim" 2>/dev/null' EXIT

now_ms() { date +%s%3N; }
# Jobs stamp their start with this (a crontab command cannot hold a bare %).
# (written aside, then renamed: a file that exists holds its stamp).
printf '#!/bin/sh\ndate +%%s%%3N > %s/.$1 && mv %s/.$1 %s/$1\n' "$out" "$out" "$out" >"$TEST_TMP/stamp"
chmod 0755 "$TEST_TMP/stamp"
# Waits up to $2 s for file $1 to exist.
wait_file() {
    local deadline=$((SECONDS + $2))
    while [ ! -e "$1" ]; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.05
    done
}
count_log() { grep -c -- "$1" "$TEST_TMP/crond.log"; }
# A test clock 12 s (2 real seconds) before the next minute: prints EPOCH.
next_start() { echo $(( ($(date +%s) / 60 + 2) * 60 - 12 )); }

# ---------------------------------------------------------------- (a)
# nobody (the attacker) has 8 long entries every minute; the victim and
# root each have one entry that runs only in the second minute.
write_conf "max_jobs = 4" "stop_grace = 1"
start=$(next_start)
m2=$(date -u -d "@$((start + 12 + 60))" +%M)
{
    echo "HOME=$out"
    for i in 1 2 3 4 5 6 7 8; do echo "* * * * * $TEST_TMP/stamp m.$i; exec sleep 120"; done
} >"$TEST_TMP/mallory.tab"
printf 'HOME=%s\n%d * * * * %s victim\n' "$out" "$((10#$m2))" "$TEST_TMP/stamp" >"$TEST_TMP/victim.tab"
printf '%d * * * * %s root\n' "$((10#$m2))" "$TEST_TMP/stamp" >"$TEST_TMP/root.tab"
run "$CRONTAB" -u nobody "$TEST_TMP/mallory.tab"; expect_rc 0 "install nobody's crontab"
run "$CRONTAB" -u "$victim" "$TEST_TMP/victim.tab"; expect_rc 0 "install $victim's crontab"
run "$CRONTAB" "$TEST_TMP/root.tab"; expect_rc 0 "install root's crontab"
start_crond --test-clock "$start:$SPEED"
deadline=$((SECONDS + 10))
while [ -z "$(ls "$out" | grep '^m\.')" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
[ -n "$(ls "$out" | grep '^m\.')" ] || fail "none of the attacker's jobs started in the first minute"
sleep 1
held=$(ls "$out" | grep -c '^m\.')
wait_file "$out/victim" 12 || fail "$victim's job did not start within its minute while nobody held $held slots"
wait_file "$out/root" 2 || fail "root's job did not start within its minute"
# How late each started, on crond's own clock: its history record.
delay() {
    local i
    for i in $(seq 1 40); do
        python3 - "$TEST_TMP/spool/crond.db" "$1" <<'EOF2' && return 0
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
row = db.execute("SELECT start_ms - scheduled_ms FROM run WHERE owner = ? AND kind = 'cron'"
                 " AND command LIKE '%stamp " + ("root" if sys.argv[2] == "root" else "victim")
                 + "'", (sys.argv[2],)).fetchone()
sys.exit(1) if row is None else print(row[0])
EOF2
        sleep 0.1
    done
    echo "none"
}
victim_delay=$(delay "$victim")
root_delay=$(delay root)
echo "(a) max_jobs=4: the attacker's 8 long jobs hold $held slots; $victim's job started ${victim_delay} ms" \
     "and root's ${root_delay} ms after their minute (crond's test clock, from the history)"
[ "$victim_delay" != none ] && [ "$root_delay" != none ] || fail "no history record of the runs"
[ "$held" -le 2 ] || fail "one user holds $held of 4 slots"
[ "$victim_delay" -lt 60000 ] || fail "$victim's job waited ${victim_delay} ms"
[ "$root_delay" -lt 60000 ] || fail "root's job waited ${root_delay} ms"
# The attacker's runs of the second minute are coalesced into her waiting
# ones, each a history record; the log has a line for the first few (SKIP
# lines are limited per owner: 5 per 10 s, crond(8) LOG).
coalesced() {
    run "$CRONTAB" -u nobody --history 50
    [ "$(printf '%s\n' "$OUT" | grep -c 'skipped,coalesced')" -ge 6 ]
}
for _ in $(seq 1 40); do coalesced && break; sleep 0.1; done
coalesced || fail "later runs of waiting entries were not coalesced: $OUT"
[ "$(count_log '(nobody) SKIP (coalesced')" -ge 1 ] || fail "no SKIP line for a coalesced run"
stop_crond   # SIGTERM, then SIGKILL after stop_grace, to the attacker's sleeps
run "$CRONTAB" -u nobody -r; run "$CRONTAB" -u "$victim" -r; run "$CRONTAB" -r

# ---------------------------------------------------------------- (b)
# 125 assignments of 8000 bytes (1 MB in all) and 200 entries due every
# minute: before, each due run copied the whole environment (200 MB a minute).
write_conf "max_jobs = 8" "sendmail ="
rm -f "$TEST_TMP/spool/crond.db"*
python3 - "$TEST_TMP/big.tab" "$out" <<'EOF'
import sys
path, out = sys.argv[1], sys.argv[2]
with open(path, "w") as f:
    f.write("HOME=%s\nMAILTO=\"\"\n" % out)
    for i in range(125):
        f.write("V%03d=%s\n" % (i, "x" * 8000))
    for i in range(200):
        f.write("* * * * * : %d\n" % i)
EOF
size=$(stat -c %s "$TEST_TMP/big.tab")
[ "$size" -le 1048576 ] && [ "$size" -gt 1000000 ] || fail "the big crontab is $size bytes"
run "$CRONTAB" -u nobody "$TEST_TMP/big.tab"; expect_rc 0 "install the 1 MiB crontab"
start=$(next_start)
# Under AddressSanitizer freed memory is held in a quarantine (256 MB), so
# the peak would count every job's transient environment ever built; this
# measures what is live, as a normal build does.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
    start_crond --test-clock "$start:$SPEED"
sleep 1
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$CROND_PID/status"; }
before=$(kb VmHWM)
for _ in $(seq 1 150); do
    [ "$(count_log '(nobody) END')" -ge 200 ] && break
    sleep 0.1
done
ends=$(count_log '(nobody) END')
# SKIP lines are limited per owner: a line may stand for N more held back
skips=$(( $(count_log '(nobody) SKIP') + $(grep -o '(nobody) SKIP (.*; [0-9]* similar lines\? not logged' \
         "$TEST_TMP/crond.log" | sed 's/.*; \([0-9]*\) similar.*/\1/' | awk '{ s += $1 } END { print s + 0 }') ))
[ $((ends + skips)) -ge 200 ] || fail "only $ends of 200 runs ended ($skips skipped)"
after=$(kb VmHWM)
growth=$(( (after - before) / 1024 ))
echo "(b) 1 MiB crontab ($size bytes), 200 runs due in one minute: peak RSS $((before / 1024)) MB" \
     "-> $((after / 1024)) MB (+$growth MB); runs ended $ends, skipped $skips"
[ "$growth" -lt 48 ] || fail "the daemon's peak memory grew by $growth MB in one minute"
stop_crond
run "$CRONTAB" -u nobody -r

# ---------------------------------------------------------------- (c)
# One slot. Root's system job (served first) holds it a few seconds at each
# minute, so the victim's runs wait; meanwhile the victim's crontab is
# replaced (one entry kept, two dropped), then removed.
write_conf "max_jobs = 1"
rm -f "$TEST_TMP/spool/crond.db"* "$out"/*
echo "* * * * * root echo x >> $out/blocker; sleep 3" >"$TEST_TMP/cron.d/blocker"
{
    echo "HOME=$out"
    echo "* * * * * echo x >> $out/c.keep"
    echo "* * * * * echo x >> $out/c.gone1"
    echo "* * * * * echo x >> $out/c.gone2"
} >"$TEST_TMP/c1.tab"
{
    echo "HOME=$out"
    echo "# the kept entry moved below a comment: still the same entry"
    echo "* * * * * echo x >> $out/c.keep"
    echo "* * * * * echo x >> $out/c.new"
} >"$TEST_TMP/c2.tab"
run "$CRONTAB" -u "$victim" "$TEST_TMP/c1.tab"; expect_rc 0 "install the victim's crontab"
start=$(next_start)
start_crond --test-clock "$start:$SPEED"
wait_file "$out/blocker" 10 || fail "root's blocker did not start"
t0=$(now_ms)
run "$CRONTAB" -u "$victim" "$TEST_TMP/c2.tab"; expect_rc 0 "replace the victim's crontab"
for _ in $(seq 1 40); do [ "$(count_log "($victim) CANCEL")" -ge 2 ] && break; sleep 0.05; done
[ "$(count_log "($victim) CANCEL")" -eq 2 ] || fail "replacing the crontab did not cancel 2 waiting runs"
echo "(c) replaced crontab: 2 waiting runs cancelled $(( $(now_ms) - t0 )) ms after the install"
wait_file "$out/c.keep" 5 || fail "the unchanged entry lost its waiting run"
# The second minute: the blocker again, the kept and the new entry wait.
deadline=$((SECONDS + 12))
while [ "$(wc -l <"$out/blocker")" -lt 2 ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
[ "$(wc -l <"$out/blocker")" -ge 2 ] || fail "no second minute"
t0=$(now_ms)
run "$CRONTAB" -u "$victim" -r; expect_rc 0 "crontab -r"
for _ in $(seq 1 40); do [ "$(count_log "($victim) CANCEL")" -ge 4 ] && break; sleep 0.05; done
[ "$(count_log "($victim) CANCEL")" -eq 4 ] || fail "crontab -r did not cancel the 2 waiting runs"
echo "(c) crontab -r: 2 waiting runs cancelled $(( $(now_ms) - t0 )) ms after the removal"
sleep 4   # the blocker ends: nothing of the victim's may take the slot
[ ! -e "$out/c.gone1" ] && [ ! -e "$out/c.gone2" ] || fail "a dropped entry's waiting run started"
[ ! -e "$out/c.new" ] || fail "a run waiting at crontab -r started"
[ "$(wc -l <"$out/c.keep")" -eq 1 ] || fail "a run waiting at crontab -r started (c.keep)"
run "$CRONTAB" -u "$victim" --history 20
expect_rc 0 "the victim's history"
cancelled=$(printf '%s\n' "$OUT" | grep -c 'skipped,cancelled')
[ "$cancelled" -eq 4 ] || fail "expected 4 cancelled runs in the history: $OUT"
echo "(c) history: $cancelled runs recorded as skipped,cancelled, none started"
stop_crond

# ---------------------------------------------------------------- (d)
# One slot, one waiting run per user. In the first minute root's blocker
# runs and nobody's cron run waits, so nobody's at job due then finds the
# queue full: it stays in the spool and runs in the next minute. (The
# blocker of (c) is still in cron.d.)
write_conf "max_jobs = 1" "max_waiting_per_user = 1"
: >"$TEST_TMP/at.deny"
rm -f "$TEST_TMP/spool/crond.db"* "$out"/*
start=$(next_start)
m1=$(date -u -d "@$((start + 12))" +%M)
printf 'HOME=%s\n%d * * * * echo x >> %s/d.cron\n' "$out" "$((10#$m1))" "$out" >"$TEST_TMP/d.tab"
run "$CRONTAB" -u nobody "$TEST_TMP/d.tab"; expect_rc 0 "install nobody's crontab"
start_crond --test-clock "$start:$SPEED"
run as_nobody env TZ=UTC "$BIN/at" --config "$CONF" -t "$(date -u -d "@$((start + 12))" +%Y%m%d%H%M)" \
    <<<"echo x >> $out/d.at"
expect_rc 0 "nobody's at job"
wait_file "$out/d.cron" 10 || fail "nobody's cron run did not start after the blocker"
grep -q '(nobody) DEFER (at job [0-9]*: queue full, retried in 60s)' "$TEST_TMP/crond.log" ||
    fail "the at job was not deferred"
[ ! -e "$out/d.at" ] || fail "the at job ran past a full queue"
wait_file "$out/d.at" 15 || fail "the deferred at job did not run a minute later"
echo "(d) an at job refused for a full queue was deferred and ran the next minute"
stop_crond
