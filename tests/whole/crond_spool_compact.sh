#!/bin/bash
# The SQLite spool gives the space of deleted history back to the file
# system (recorder.h, spool_compact), and a spool made before that came is
# rewritten once at start so that it can.
#
# Fault 1: a spool whose file was made without incremental auto_vacuum (as
# every spool was before). Pass: crond logs that it rewrote it once, the
# file is in incremental mode after, and the next start does not rewrite it
# again.
# Fault 2: 8,000 history records of nobody's (about 10 MB) written into the
# spool, with history_per_user = 10. Pass: once the count prune has taken
# nobody's history down to 10 records, the file's free pages are given back:
# fewer than a step's (256) are left and the file is under a third of its
# size before. Figures: the file's size before and after.
# Fault 3: an old spool on a file system without twice its size free (a
# small tmpfs). Pass: crond says why it does not rewrite it, starts, and
# leaves no WAL behind (the first try filled the file system with one).
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
db=$TEST_TMP/spool/crond.db
sql() { sqlite3 -cmd ".timeout 5000" "$db" "$@"; }

# ---------------------------------------------------------------- 1. old spool
write_conf "history_per_user = 10"
start_crond
wait_for 10 "crond's start" test -S "$SOCK"
stop_crond
[ "$(sql "PRAGMA auto_vacuum")" = 2 ] || fail "a new spool is not in incremental auto_vacuum mode"
log_has "rewritten once" && fail "a new spool was rewritten"
sql "PRAGMA auto_vacuum = NONE; VACUUM;"
[ "$(sql "PRAGMA auto_vacuum")" = 0 ] || fail "cannot make the spool an old one"
start_crond
wait_for 10 "the rewrite of an old spool" log_has "spool .*: rewritten once so that it gives free space back (VACUUM, [0-9]* ms)"
stop_crond
[ "$(sql "PRAGMA auto_vacuum")" = 2 ] || fail "the old spool was not made incremental"
[ "$(grep -c "rewritten once" "$TEST_TMP/crond.log")" -eq 1 ] || fail "rewritten more than once"
grep "rewritten once" "$TEST_TMP/crond.log" | sed 's/^/figure: /'

# ---------------------------------------------------------------- 2. compaction
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
     INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms, start_ms, end_ms,
                      exit_code, signal, flags, output_head, output_total)
     SELECT 'cron', 'nobody', 65534, 'user:nobody:' || (i % 5), 'cmd', 1767225000000 + i,
            1767225000000 + i, 1767225000500 + i, 0, 0, 0, hex(randomblob(500)), 1000 FROM n;" ||
    fail "cannot write the history"
before=$(stat -c %s "$db")
pages_before=$(sql "PRAGMA page_count")
# Ten runs a test minute, a test minute a second: the count prune is due
# once ten have been recorded.
for i in $(seq 1 10); do echo "* * * * * root true $i"; done >"$TEST_TMP/crontab"
start_crond --test-clock "$(before_next_minute 1):60"
pruned() { [ "$(sql "SELECT count(*) FROM run WHERE owner = 'nobody'")" -le 10 ]; }
wait_for 60 "nobody's history pruned to 10" pruned
compacted() {
    local free pages
    free=$(sql "PRAGMA freelist_count") pages=$(sql "PRAGMA page_count")
    [ "$free" -lt 256 ] && [ "$pages" -lt $(( pages_before / 3 )) ]
}
wait_for 60 "the free pages given back" compacted
stop_crond
after=$(stat -c %s "$db")
[ "$after" -lt $(( before / 3 )) ] || fail "the file is $after bytes, $before before"
echo "figure: the spool's file: $before bytes with 8,000 records, $after after the prune and compaction"

# ---------------------------------------------------------------- 3. no room
[ "$(id -u)" -eq 0 ] || { echo "# part 3 skipped: mounting a tmpfs needs root"; exit 0; }
FS=$TEST_TMP/small
mkdir -m 0700 "$FS"
mount -t tmpfs -o size=16m,mode=0700 tmpfs "$FS" || fail "cannot mount a tmpfs on $FS"
trap 'cleanup_crond; umount "$FS" 2>/dev/null' EXIT
cp "$CONF" "$TEST_TMP/conf.main"
sed -i "s|^spool = .*|spool = $FS/crond.db|" "$CONF"
mv "$TEST_TMP/crond.log" "$TEST_TMP/crond2.log"
: >"$TEST_TMP/crontab"
start_crond
stop_crond
db=$FS/crond.db
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
     INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms, start_ms, end_ms,
                      exit_code, signal, flags, output_head, output_total)
     SELECT 'cron', 'nobody', 65534, 'user:nobody:1', 'cmd', i, i, i + 1, 0, 0, 0,
            hex(randomblob(500)), 1000 FROM n;
     PRAGMA temp_store = MEMORY; PRAGMA auto_vacuum = NONE; VACUUM;
     PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null || fail "cannot make an old spool on the tmpfs"
size=$(stat -c %s "$db")
free=$(( $(stat -f -c '%a * %S' "$FS") ))
fill=$(( free - size - size / 2 ))
[ "$fill" -gt 0 ] && head -c "$fill" /dev/zero >"$FS/filler"
start_crond
wait_for 10 "the refusal" log_has "not made able to give free space back (tried again at the next start): .*rewriting it needs [0-9]* bytes free"
grep "not made able" "$TEST_TMP/crond.log" | sed 's/^/figure: /'
wal=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
[ "$wal" -eq 0 ] || fail "a WAL of $wal bytes was left on the small file system"
stop_crond
[ "$(sql "PRAGMA auto_vacuum")" = 0 ] || fail "the old spool changed without room"
