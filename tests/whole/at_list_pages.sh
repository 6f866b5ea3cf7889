#!/bin/bash
# tests/whole/at_list_pages.sh: root's atq of a queue longer than one reply
# lists every job, in order, page by page (MSG_AT_LIST's cursor,
# lib/at_cursor.h).
#
# Fault (from a scale review): with 100,000 jobs queued, root's atq printed
# the 65,639 that fit in crond's first reply and exited 0; only crond's log
# said the list was cut. Pass: 70,000 jobs (more than one reply could
# hold; 7 pages of CONTROL_AT_PAGE), ten at each time, are all listed once,
# sorted by time then number, by atq and by atq --json; a user's atq still
# lists only their own.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
export TZ=UTC
start_crond_at_open
echo 'echo one' | "$BIN/at" -t 203001010000 2>/dev/null || fail "at -t"
stop_crond
uid=$(id -u nobody)
# 69,999 more, written into the spool while crond is stopped: one every
# ten seconds of 2031, ten at each time, half of them nobody's
sqlite3 "$TEST_TMP/spool/crond.db" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 69999)
INSERT INTO at_job (queue, owner, uid, gid, run_at, created_at, script, environ, cwd, umask, mail)
SELECT 'a', CASE i % 2 WHEN 0 THEN 'root' ELSE 'nobody' END,
       CASE i % 2 WHEN 0 THEN 0 ELSE $uid END, 0,
       1924992000 + (69999 - i) / 10 * 10, 1000, CAST('true' AS BLOB), x'', '/', 18, 'default'
FROM n;" || fail "cannot fill the queue"
start_crond
run "$BIN/atq"
expect_rc 0 "root's atq"
lines=$(printf '%s\n' "$OUT" | grep -c .)
[ "$lines" = 70000 ] || fail "root's atq listed $lines jobs of 70000"
dups=$(printf '%s\n' "$OUT" | cut -f1 | sort | uniq -d | head -3)
[ -z "$dups" ] || fail "jobs listed twice: $dups"
want=$(sqlite3 "$TEST_TMP/spool/crond.db" "SELECT id FROM at_job ORDER BY run_at, id" | md5sum)
got=$(printf '%s\n' "$OUT" | cut -f1 | md5sum)
[ "$want" = "$got" ] || fail "root's atq is not in the order of time, then number"
run "$BIN/atq" --json
expect_rc 0 "root's atq --json"
n=$(printf '%s' "$OUT" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["jobs"]))')
[ "$n" = 70000 ] || fail "root's atq --json listed $n jobs of 70000"
run as_nobody "$BIN/atq"
expect_rc 0 "nobody's atq"
lines=$(printf '%s\n' "$OUT" | grep -c .)
[ "$lines" = 35000 ] || fail "nobody's atq listed $lines jobs of 35000"
printf '%s\n' "$OUT" | grep -qv " nobody$" && fail "nobody's atq shows another's job"
echo "figure: 70,000 jobs listed by root's atq in 7 pages; nobody's 35,000 in 4"
