#!/bin/bash
# Many large system crontabs (crond(8), SYSTEM CRONTABS): at start crond
# reads the files of cron.d on the machine's CPUs at once when they are
# large (more than 256 KiB besides the largest), and schedules and logs
# each in the directory's order, as it read them one by one before.
#
# Fault: six files of 4,000 to 4,005 entries each (about 1.3 MB in all),
# each with one entry due every minute that names its file; between them,
# a file with an error on its third line, a group-writable one, and a
# small good one. Pass: each good file is logged "RELOAD (PATH, N entries)"
# with its own N, in the order readdir gives the names, and its job runs;
# the broken file's error is logged with its file and line, and the unsafe
# file is ignored, each once; LOADED counts every entry. After a SIGHUP
# (every file read again) the same lines come in the same order; one file
# changed alone (read by itself) is read again, and only it.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC
D=$TEST_TMP/cron.d
JOBS=$TEST_TMP/out   # not OUT: lib.sh's run sets that
mkdir -p "$JOBS"
# big FILE N: N entries, the first due every minute, the others months away
big() {
    awk -v n="$2" -v f="$1" -v out="$JOBS" 'BEGIN {
        printf "* * * * * root echo %s >>%s/%s\n", f, out, f
        for (i = 1; i < n; i++)
            printf "%d %d %d 7 * root /bin/true %s-entry-%06d\n", i % 60, int(i / 60) % 24, 1 + int(i / 1440) % 28, f, i
    }' >"$D/$1"
    chmod 0644 "$D/$1"
}
for i in 0 1 2 3 4 5; do big "big$i" $((4000 + i)); done
printf '* * * * * root true\n* * * * * root true\n61 * * * * root true\n' >"$D/broken"
chmod 0644 "$D/broken"
big groupw 10
chmod 0664 "$D/groupw"
big small 3
total=$(( 4000 * 6 + 15 + 3 ))   # the big files and small
bytes=$(cat "$D"/big* | wc -c)
[ "$bytes" -gt $((1024 * 1024)) ] || fail "the files hold $bytes bytes: too few to be read at once"

# 2026-01-01T00:00:00Z is 3 s away on the test clock.
start_crond --test-clock=1767225597
log=$TEST_TMP/crond.log
wait_for 20 "every big file's job" sh -c 'for f in big0 big1 big2 big3 big4 big5 small; do [ -s "$0/$f" ] || exit 1; done' "$JOBS"

# The system crontab first, then cron.d in readdir's order, each once
# with its own count
expected="$TEST_TMP/crontab, 0 entries"
for name in $(ls -f "$D" | grep -v '^\.'); do
    case $name in
        big*) expected+=$'\n'"$D/$name, $((4000 + ${name#big})) entries" ;;
        small) expected+=$'\n'"$D/small, 3 entries" ;;
    esac
done
files=$(echo "$expected" | wc -l)
reloads() { sed -n 's/.*(\*system\*) RELOAD (\(.*, [0-9]* entries\))$/\1/p' "$log"; }
got=$(reloads)
[ "$got" = "$expected" ] || fail "RELOAD lines:
$got
expected:
$expected"
[ "$(grep -c "$D/broken:3:" "$log")" = 1 ] || fail "the broken file's error, once: $(grep broken "$log")"
[ "$(grep -cF "system crontab $D/groupw ignored: writable by group or others" "$log")" = 1 ] ||
    fail "the group-writable file, once: $(grep groupw "$log")"
loaded=$(sed -n 's/.*LOADED ([0-9]* crontabs, \([0-9]*\) entries.*/\1/p' "$log")
[ "$loaded" = "$total" ] || fail "LOADED says $loaded entries, not $total: $(grep LOADED "$log")"
[ ! -e "$JOBS/groupw" ] || fail "the group-writable file's job ran"

# SIGHUP: every file read again, the same lines in the same order
kill -HUP "$CROND_PID"
wait_for 20 "the reload's RELOAD lines" sh -c '[ "$(grep -c "RELOAD ($0/big5," "$1")" = 2 ]' "$D" "$log"
got=$(reloads | tail -n "$files")
[ "$got" = "$expected" ] || fail "RELOAD lines after SIGHUP:
$got"
[ "$(grep -c "$D/broken:3:" "$log")" = 2 ] || fail "the broken file's error after SIGHUP: $(grep broken "$log")"
# one file changed: read again by itself
big big3 4100
wait_for 20 "big3 read again" grep -qF "RELOAD ($D/big3, 4100 entries)" "$log"
[ "$(reloads | wc -l)" = $((2 * files + 1)) ] || fail "more than big3 read again: $(reloads | tail -n 3)"
stop_crond
