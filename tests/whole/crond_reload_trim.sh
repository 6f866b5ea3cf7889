#!/bin/bash
# tests/whole/crond_reload_trim.sh: once reloads have let 10,000 entries go
# (crontabs replaced or removed), the timer gives the heap's free pages
# back to the system (malloc_trim), and says so in a debug line; fewer
# entries let go do not trim. Without it glibc kept the freed pages, and
# a daemon whose large system crontabs were reloaded grew at each reload
# (100,000 entries: 25.2 MB at start, 32.0 MB after four reloads; with the
# trim 27.1 MB).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
for f in big1 big2; do
    awk -v f="$f" 'BEGIN { for (i = 0; i < 5000; i++) printf "%d %d * * * root true %s-%d\n", i % 60, i % 24, f, i }' \
        >"$TEST_TMP/cron.d/$f"
done
printf '0 0 1 1 * root true small\n' >"$TEST_TMP/cron.d/small"
chmod 0644 "$TEST_TMP"/cron.d/*
start_crond -d
wait_for 30 "the first load" log_has "LOADED"
trims() { grep -c ' TRIM (' "$TEST_TMP/crond.log"; }
trimmed() { [ "$(trims)" -ge "$1" ]; }
small_reloads() { [ "$(grep -c 'RELOAD (.*/cron.d/small, 1 entries)' "$TEST_TMP/crond.log")" -ge "$1" ]; }
[ "$(trims)" = 0 ] || fail "a trim at start, with nothing let go"

# SIGHUP reloads every system crontab: 10,001 entries let go, one trim.
kill -HUP "$CROND_PID"
wait_for 30 "a trim after the first reload" trimmed 1
kill -HUP "$CROND_PID"
wait_for 30 "a trim after the second reload" trimmed 2
[ "$(trims)" = 2 ] || fail "$(trims) trims after two reloads"

# A small change lets one entry go: no trim.
printf '0 0 2 1 * root true small\n' >"$TEST_TMP/cron.d/small.new"
chmod 0644 "$TEST_TMP/cron.d/small.new"
mv "$TEST_TMP/cron.d/small.new" "$TEST_TMP/cron.d/small"
wait_for 30 "the small file's reload" small_reloads 4
sleep 1
[ "$(trims)" = 2 ] || fail "a trim after one entry was let go"
grep ' TRIM (' "$TEST_TMP/crond.log" | head -n 1 | grep -qE 'TRIM \((memory given back|nothing to give), [0-9]+ us\)' ||
    fail "the TRIM line: $(grep ' TRIM (' "$TEST_TMP/crond.log" | head -n 1)"
kill -0 "$CROND_PID" || fail "crond died"
stop_crond
echo ok
