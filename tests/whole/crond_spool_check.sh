#!/bin/bash
# The spool's whole-file check (quick_check, which reads every page) runs at
# a start only when the file may have changed since crond's own clean stop
# (crond(8), FILES: crond.db-clean). Each start says which:
#   spool PATH: checked
#   spool PATH: unchanged since the last clean stop, not checked again
# A daemon killed after a write left frames in the WAL: the next start
# checks. A file written by anything else since the stop: checked, and
# damage found refuses the start with the check's message.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
log=$TEST_TMP/crond.log
db=$TEST_TMP/spool/crond.db
# said WORD: the last start's spool line says WORD ("checked" or "unchanged")
last_spool_line() { grep -F "spool $db: " "$log" | tail -n 1; }
said() {
    local line
    line=$(last_spool_line)
    case $1 in
        checked) [ "${line##*: }" = "checked" ] ;;
        unchanged) [[ $line == *": unchanged since the last clean stop, not checked again" ]] ;;
    esac || fail "start $2: wanted '$1', crond said: ${line:-nothing}"
}

start_crond; stop_crond
said checked "on a new spool"
[ -f "$db-clean" ] || fail "no $db-clean after a clean stop"
[ "$(stat -c %a "$db-clean")" = 600 ] || fail "$db-clean has mode $(stat -c %a "$db-clean")"
start_crond; stop_crond
said unchanged "after a clean stop"

# Writes through the daemon, then a clean stop: checkpointed, marked again.
start_crond
printf '0 4 * * * echo one\n' | run "$CRONTAB" -
expect_rc 0 "crontab -"
stop_crond
start_crond
said unchanged "after writes and a clean stop"
run "$CRONTAB" -l
expect_rc 0 "crontab -l"
grep -q "echo one" "$OUT_FILE" || fail "the crontab was lost: $(cat "$OUT_FILE")"

# Killed after a write: the WAL keeps the frames, so the next start checks.
printf '0 5 * * * echo two\n' | run "$CRONTAB" -
expect_rc 0 "crontab - (2)"
[ -s "$db-wal" ] || fail "no frames in the WAL after a write"
kill -KILL "$CROND_PID"; wait "$CROND_PID" 2>/dev/null; CROND_PID=""
rm -f "$TEST_TMP/crond.pid" "$SOCK"
start_crond
said checked "after SIGKILL"
run "$CRONTAB" -l
grep -q "echo two" "$OUT_FILE" || fail "the acknowledged crontab was lost: $(cat "$OUT_FILE")"
stop_crond

# Changed by something else after the stop (a touch is enough): checked.
touch "$db"
start_crond; stop_crond
said checked "after the file was touched"

# Damage after a clean stop (the crontab table's first page) is found, and
# the start refused with what was found.
command -v sqlite3 >/dev/null || { echo "# damage part skipped: sqlite3 is not installed"; exit 0; }
root=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_schema WHERE name = 'crontab'")
[[ $root =~ ^[0-9]+$ ]] || fail "cannot find the crontab table's page: $root"
start_crond; stop_crond
said unchanged "before the damage"
printf '%*s' 3000 '' | tr ' ' '\245' |
    dd of="$db" bs=1 seek=$(( (root - 1) * 4096 + 8 )) conv=notrunc status=none
timeout 10 "$BIN/crond" -n --config "$CONF" >"$TEST_TMP/damaged.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "crond accepted a damaged spool"
[ "$rc" -ne 124 ] || fail "crond started on a damaged spool: $(cat "$TEST_TMP/damaged.out")"
grep -q "quick_check\|not a database\|malformed" "$TEST_TMP/damaged.out" ||
    fail "the refusal does not say what was found: $(cat "$TEST_TMP/damaged.out")"
echo "figure: $(grep -m 1 "quick_check\|not a database\|malformed" "$TEST_TMP/damaged.out")"
