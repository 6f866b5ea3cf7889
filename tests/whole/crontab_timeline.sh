#!/bin/bash
# crontab --timeline: a heat map of the coming days, days down, hours (or
# quarter-hours) across, a glyph per cell by how many runs start in it, a
# legend, the busiest cells; every-minute jobs counted once per cell so the
# pile-up at midnight shows; root's --all adds every user and the system
# crontabs; no colour when piped or with NO_COLOR.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC

cat >"$TEST_TMP/a.tab" <<'TAB'
* * * * * echo every-minute
0 0 * * * echo midnight-1
0 0 * * * echo midnight-2
5 0 * * * echo midnight-3
30 12 * * 1-5 echo weekday-noon
@reboot echo boot
TAB
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"
printf '0 0 * * * echo nobody-midnight\n' >"$TEST_TMP/n.tab"
run "$CRONTAB" -u nobody "$TEST_TMP/n.tab"
expect_rc 0 "install nobody's"
printf '15 0 * * * root echo sys-midnight\n' >"$TEST_TMP/cron.d/sys"
chmod 0644 "$TEST_TMP/cron.d/sys"
# crond's clock: Thursday 2026-01-01 10:00Z; the map starts on its day
start_crond --test-clock=1767261600

run "$CRONTAB" --timeline --days 3
expect_rc 0 "--timeline"
lines=$(printf '%s\n' "$OUT")
header=$(printf '%s\n' "$lines" | head -n 1)
[ "$header" = "               00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23" ] \
    || fail "hour header: '$header'"
row() { printf '%s\n' "$lines" | grep "^$1" || fail "no row for $1: $OUT"; }
# midnight: every-minute + 3 = 4 ('-'), noon on weekdays 2 (':'), else 1
# ('.'); today's hours before crond's 10:00 are gone: blank
[ "$(row 'Thu 2026-01-01')" = "Thu 2026-01-01                               .. .. :: .. .. .. .. .. .. .. .. .. .. .." ] \
    || fail "Thursday's row: '$(row 'Thu 2026-01-01')'"
[ "$(row 'Sat 2026-01-03')" = "Sat 2026-01-03 -- .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .. .." ] \
    || fail "Saturday's row (no weekday noon): '$(row 'Sat 2026-01-03')'"
[ "$(printf '%s\n' "$lines" | grep -c '^[A-Z][a-z][a-z] 2026-')" -eq 3 ] || fail "--days 3 gives 3 rows: $OUT"
for want in "legend: ' ' none  . 1  : 2  - 3-4  = 5-8" \
            "an entry counted at most once per cell (times in UTC)" \
            "note: 1 entry runs more often than that in some cell" \
            "busiest:" "  Fri 2026-01-02 00:00-00:59  4 runs" "  Sat 2026-01-03 00:00-00:59  4 runs"; do
    printf '%s\n' "$OUT" | grep -qF -- "$want" || fail "missing '$want': $OUT"
done
printf '%s' "$OUT" | grep -q $'\e' && fail "colour when piped: $OUT"

# Quarter-hours: the 00:00 cell has 3, 00:05's run is in the same cell
run "$CRONTAB" --timeline --days 1 --quarter --from 2026-01-05
expect_rc 0 "--timeline --quarter"
r=$(printf '%s\n' "$OUT" | grep '^Mon 2026-01-05')
[ "${r:0:25}" = "Mon 2026-01-05 -... .... " ] || fail "quarter-hour row: '$r'"
[ "${r:15:1}" = "-" ] && [ "${r:75:4}" = "..:." ] || fail "quarter-hour cells (00:00 and 12:30): '$r'"
printf '%s\n' "$OUT" | grep -qF "  Mon 2026-01-05 00:00-00:14  4 runs" || fail "busiest quarter: $OUT"

# --from names a day: all of it is counted, the hours gone by included
run "$CRONTAB" --timeline --days 1 --from 2026-01-01
expect_rc 0 "--timeline --from today"
[ "$(printf '%s\n' "$OUT" | grep '^Thu')" = "Thu 2026-01-01 -- .. .. .. .. .. .. .. .. .. .. .. :: .. .. .. .. .. .. .. .. .. .. .." ] \
    || fail "--from today: $OUT"

# Root --all: nobody's and the system crontab's midnight runs too
run "$CRONTAB" --all --timeline --days 1 --from 2026-01-01
expect_rc 0 "--all --timeline"
printf '%s\n' "$OUT" | grep -qF "  Thu 2026-01-01 00:00-00:59  6 runs" || fail "--all midnight: $OUT"
printf '%s\n' "$OUT" | grep -qF "runs counted, of 7 entries, in 1 day" || fail "--all entries: $OUT"
run "$CRONTAB" -u nobody --timeline --days 1
expect_rc 0 "-u nobody --timeline (its midnight has gone by)"
printf '%s\n' "$OUT" | grep -qF "0 runs counted, of 1 entry, in 1 day" || fail "nobody's map today: $OUT"
run "$CRONTAB" -u nobody --timeline --days 1 --from 2026-01-01
expect_rc 0 "-u nobody --timeline"
[ "$(printf '%s\n' "$OUT" | grep '^Thu')" = "Thu 2026-01-01 ..                                                                     " ] \
    || fail "nobody's map: $OUT"

# Colour on a terminal only, never with NO_COLOR
if command -v script >/dev/null; then
    run script -qec "$CRONTAB --timeline --days 1" /dev/null
    printf '%s' "$OUT" | grep -q $'\e\[3[123]m' || fail "no colour on a terminal: $OUT"
    run script -qec "NO_COLOR=1 $CRONTAB --timeline --days 1" /dev/null
    printf '%s' "$OUT" | grep -q $'\e\[' && fail "colour with NO_COLOR: $OUT"
fi

# Bad input
run "$CRONTAB" --timeline --days 0
expect_rc 1 "--days 0"
expect_err_has "expected a count from 1 to 31, not '0'" "--days 0"
run "$CRONTAB" --timeline --days 32
expect_rc 1 "--days 32"
run "$CRONTAB" --timeline --from 2026-13-01
expect_rc 1 "--from a bad date"
expect_err_has "--from '2026-13-01': expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], a valid date" "--from"
run "$CRONTAB" --status --days 2
expect_rc 1 "--days without --timeline"
expect_err_has "--days only goes with --timeline" "--days with --status"
run as_nobody "$CRONTAB" --all --timeline
expect_rc 1 "nobody --all"
expect_err_has "only root may see every crontab" "nobody --all --timeline"
stop_crond
echo "ok"
