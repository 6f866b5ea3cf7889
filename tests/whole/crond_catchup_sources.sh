#!/bin/bash
# tests/whole/crond_catchup_sources.sh: at start, CRON_CATCHUP=yes entries
# of several crontabs (a file of cron.d, root's, nobody's) are caught up
# from their own stored state: crond reads one crontab's states in one
# query and looks each entry up in them (crond/sched/startup.c), so an
# entry must get its own state, never a neighbour's or another crontab's.
#
# Each crontab has three hourly entries: "missed" last ran at 11:00, "fresh"
# at 14:00 and "never" has no state. crond starts at 14:20: only the three
# "missed" entries run, once each. A state of a crontab that does not
# exist, and one under a key that only shares a crontab's prefix, change
# nothing.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 0; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 0; }
export TZ=UTC
write_conf
out=$TEST_TMP/out
mkdir -m 0777 "$out"
tab() {   # NAME [USER]: a crontab whose jobs append to $out/NAME
    echo "HOME=/"
    echo "CRON_CATCHUP=yes"
    for what in missed fresh never; do
        echo "0 * * * * ${2:+$2 }echo $what >> $out/$1"
    done
}
tab sys root >"$TEST_TMP/cron.d/sys"
tab root >"$TEST_TMP/root.tab"
tab nobody >"$TEST_TMP/nobody.tab"
chmod 0644 "$TEST_TMP/nobody.tab"

day=$(( $(date +%s) / 86400 * 86400 ))
start_crond --test-clock "$(( day + 14 * 3600 + 20 * 60 ))"
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "root installs"
run as_nobody "$CRONTAB" "$TEST_TMP/nobody.tab"
expect_rc 0 "nobody installs"
run "$CRONTAB" --status --all --json
expect_rc 0 "every entry's key"
printf '%s\n' "$OUT" >"$TEST_TMP/status.json"
stop_crond

# The states: "missed" at 11:00, "fresh" at 14:00, none for "never"; and
# two that must not matter.
python3 - "$TEST_TMP/status.json" "$day" >"$TEST_TMP/states.sql" <<'EOF' || fail "no keys"
import json, sys
doc, day = json.load(open(sys.argv[1])), int(sys.argv[2])
last = {"missed": day + 11 * 3600, "fresh": day + 14 * 3600}
n = 0
print("BEGIN;")
for c in doc["crontabs"]:
    for e in c["entries"]:
        what = e["command"].split()[1]
        if what in last:
            print(f"INSERT INTO entry_state VALUES ('{e['key']}', {last[what]}, {last[what]});")
            n += 1
print(f"INSERT INTO entry_state VALUES ('user:gone:0123456789abcdef', {day}, {day});")
print(f"INSERT INTO entry_state VALUES ('user:root:extra:0123456789abcdef', {day}, {day});")
print("COMMIT;")
sys.exit(0 if n == 6 else 1)
EOF
sqlite3 "$TEST_TMP/spool/crond.db" <"$TEST_TMP/states.sql" || fail "cannot store the states"

start_crond --test-clock "$(( day + 14 * 3600 + 20 * 60 ))"
three_ran() { [ -s "$out/sys" ] && [ -s "$out/root" ] && [ -s "$out/nobody" ]; }
wait_for 20 "the three catch-up runs" three_ran
sleep 1   # time for a wrong one, if there were one
stop_crond
for name in sys root nobody; do
    [ "$(cat "$out/$name")" = missed ] ||
        fail "$name's crontab: expected only 'missed' caught up, got: $(tr '\n' ' ' <"$out/$name")"
done
[ "$(grep -c 'CATCHUP (echo missed' "$TEST_TMP/crond.log")" -eq 3 ] ||
    fail "expected 3 CATCHUP lines: $(grep CATCHUP "$TEST_TMP/crond.log")"
echo ok
