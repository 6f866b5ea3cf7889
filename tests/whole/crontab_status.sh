#!/bin/bash
# crontab --status: one row per entry, in crontab order, with the next run
# (from crond's test clock), the last run and how it ended, the failures
# among the newest runs and the durations; tab-separated when piped,
# aligned and coloured on a terminal (not with NO_COLOR); root's -u and
# --all (every user plus the system crontabs); the bad input it refuses.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf

# Two minutes of runs: the clock starts 5 s before 2026-01-01T00:00Z and
# runs at 30x, so a minute lasts 2 s.
cat >"$TEST_TMP/a.tab" <<'TAB'
MAILTO=""
# a comment, so entries are not on consecutive lines
* * * * * echo fine
*/1 * * * * exit 3

* * * * * kill -9 $$
0 4 * * * echo never-yet
@reboot echo at-boot
TAB
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"
printf '* * * * * root exit 0\n' >"$TEST_TMP/cron.d/sys"
chmod 0644 "$TEST_TMP/cron.d/sys"
printf '30 2 * * * echo nobody-job\n' >"$TEST_TMP/n.tab"
run "$CRONTAB" -u nobody "$TEST_TMP/n.tab"
expect_rc 0 "install nobody's crontab"
start_crond --test-clock=1767225595:30

deadline=$((SECONDS + 40))
while :; do
    run "$CRONTAB" --status --tz UTC
    # two runs of each every-minute entry recorded and ended (a run is
    # recorded from its start, so a counted one may still be running)
    [ "$(printf '%s\n' "$OUT" | awk -F'\t' '($1 == 3 || $1 == 4 || $1 == 6) && $6 != "running" { split($7, f, "/"); if (f[2] >= 2) n++ } END { print n + 0 }')" -eq 3 ] && break
    [ $SECONDS -lt $deadline ] || { show_last; fail "the runs were not recorded within 40 s"; }
    sleep 0.5
done
expect_rc 0 "--status piped"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 5 ] || fail "expected 5 rows (one per entry): $OUT"
printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ' | grep -qx '3 4 6 7 8 ' || fail "rows are not in crontab order: $OUT"
row() { printf '%s\n' "$OUT" | awk -F'\t' -v l="$1" '$1 == l'; }
field() { row "$1" | cut -f"$2"; }
# line 3 succeeds: exit 0, no failures
[ "$(field 3 2)" = "* * * * *" ] || fail "schedule of line 3: $(row 3)"
[ "$(field 3 6)" = "exit 0" ] || fail "result of line 3: $(row 3)"
case "$(field 3 7)" in 0/[2-9]) ;; *) fail "failures of line 3: $(row 3)" ;; esac
[ "$(field 3 10)" = "echo fine" ] || fail "command of line 3: $(row 3)"
case "$(field 3 3)" in 2026-01-01T00:*:00+00:00) ;; *) fail "next run of line 3: $(row 3)" ;; esac
case "$(field 3 4)" in 2026-01-01T00:0*+00:00) ;; *) fail "last run of line 3: $(row 3)" ;; esac
case "$(field 3 5)" in [0-9]*.[0-9][0-9][0-9]) ;; *) fail "duration of line 3: $(row 3)" ;; esac
case "$(field 3 8)" in [0-9]*.[0-9][0-9][0-9]) ;; *) fail "typical of line 3: $(row 3)" ;; esac
# line 4 fails every time, line 6 is killed
[ "$(field 4 6)" = "exit 3" ] || fail "result of line 4: $(row 4)"
[ "$(field 4 2)" = "*/1 * * * *" ] || fail "schedule of line 4: $(row 4)"
f4=$(field 4 7)
[ "${f4%/*}" = "${f4#*/}" ] || fail "every run of line 4 failed: $(row 4)"
[ "$(field 6 6)" = "signal 9" ] || fail "result of line 6: $(row 6)"
# never ran yet: the next run at 04:00, nothing else
[ "$(field 7 3)" = "2026-01-01T04:00:00+00:00" ] || fail "next run of line 7: $(row 7)"
[ "$(field 7 4)" = "-" ] && [ "$(field 7 6)" = "-" ] && [ "$(field 7 7)" = "0/0" ] \
    || fail "line 7 never ran: $(row 7)"
[ "$(field 8 2)" = "@reboot" ] && [ "$(field 8 3)" = "-" ] || fail "@reboot row: $(row 8)"

# On a terminal: a header, aligned columns, colour; none with NO_COLOR.
have_script=0
command -v script >/dev/null && have_script=1
if [ $have_script = 1 ]; then
    run script -qec "COLUMNS=120 $CRONTAB --status --tz UTC" /dev/null
    expect_rc 0 "--status on a terminal"
    printf '%s\n' "$OUT" | head -n 1 | grep -q 'LINE  SCHEDULE' || fail "no header on a terminal: $OUT"
    for col in NEXT "LAST RUN" DURATION RESULT FAILED TYPICAL WORST COMMAND; do
        printf '%s\n' "$OUT" | head -n 1 | grep -q "$col" || fail "no $col column: $OUT"
    done
    printf '%s' "$OUT" | grep -q $'\e\[31mexit 3' || fail "a failed result is not red on a terminal: $OUT"
    printf '%s' "$OUT" | grep -q $'\e\[32mexit 0' || fail "a good result is not green on a terminal: $OUT"
    run script -qec "NO_COLOR=1 $CRONTAB --status --tz UTC" /dev/null
    printf '%s' "$OUT" | grep -q $'\e\[' && fail "colour with NO_COLOR set: $OUT"
    printf '%s\n' "$OUT" | grep -q '   4  \*/1 \* \* \* \*' || fail "rows not aligned: $OUT"
fi
# Piped: no colour, no header
printf '%s' "$(cat "$OUT_FILE")" | grep -q $'\e' && fail "colour when piped"

# Root: -u USER and --all
run "$CRONTAB" -u nobody --status --tz UTC
expect_rc 0 "-u nobody --status"
[ "$(printf '%s\n' "$OUT" | cut -f1,2,3,7,10)" = $'1\t30 2 * * *\t2026-01-01T02:30:00+00:00\t0/0\techo nobody-job' ] \
    || fail "nobody's status: $OUT"
# The system entry runs every 2 s of real time: a minute that began since
# the loop above may show its run still going; ask again until it ended
# (a CI run saw "running" here).
for _ in $(seq 1 20); do
    run "$CRONTAB" --all --status --tz UTC
    expect_rc 0 "--all --status"
    sysrow=$(printf '%s\n' "$OUT" | awk -F'\t' -v s="$TEST_TMP/cron.d/sys" '$1 == s')
    case "$sysrow" in *$'\trunning\t'*) sleep 0.2 ;; *) break ;; esac
done
printf '%s\n' "$OUT" | cut -f1 | uniq | tr '\n' ' ' | grep -qx "$TEST_TMP/cron.d/sys user:nobody user:root " \
    || fail "--all lists the system crontabs, then the users by name: $OUT"
case "$sysrow" in *$'\texit 0\t'*$'\troot exit 0') ;; *) fail "system entry row: $sysrow" ;; esac

# System crontabs crond refuses are named, with why, not hidden
printf '* * * * * root echo open\n' >"$TEST_TMP/cron.d/open"
chmod 0666 "$TEST_TMP/cron.d/open"
printf '61 * * * * root echo bad\n' >"$TEST_TMP/cron.d/broken"
chmod 0644 "$TEST_TMP/cron.d/broken"
printf 'CRON_TZ=Nowhere/Atlantis\n* * * * * root echo zoned\n' >"$TEST_TMP/cron.d/nozone"
chmod 0644 "$TEST_TMP/cron.d/nozone"
run "$CRONTAB" --all --status --tz UTC
expect_rc 0 "--all --status with refused system crontabs"
expect_err_has "crontab: $TEST_TMP/cron.d/open: ignored by crond: writable by group or others" "group-writable"
expect_err_has "crontab: $TEST_TMP/cron.d/broken: $TEST_TMP/cron.d/broken:1:1: minute 61 is out of range" "broken"
# a zone crond cannot load: crond ignores the file, and the view says so
expect_err_has "crontab: $TEST_TMP/cron.d/nozone: $TEST_TMP/cron.d/nozone:1:" "unknown zone"
printf '%s\n' "$OUT" | grep -q "cron.d/open\|cron.d/nozone" && fail "a refused crontab has rows: $OUT"
rm -f "$TEST_TMP/cron.d/open" "$TEST_TMP/cron.d/broken" "$TEST_TMP/cron.d/nozone"

# Five crontabs of 900 kB do not fit in one reply (4 MiB): the listing
# continues where the reply stopped, and nothing is lost or repeated.
python3 -c '
import sys
line = "#" + "x" * 8000 + "\n"
sys.stdout.write(line * 112 + "* * * * * echo big\n")' >"$TEST_TMP/big.tab"
for u in daemon bin sys; do
    run "$CRONTAB" -u "$u" "$TEST_TMP/big.tab"
    expect_rc 0 "install $u's big crontab"
done
run "$CRONTAB" -u nobody "$TEST_TMP/big.tab"
expect_rc 0 "install nobody's big crontab"
cat "$TEST_TMP/big.tab" "$TEST_TMP/a.tab" >"$TEST_TMP/rootbig.tab"
run "$CRONTAB" "$TEST_TMP/rootbig.tab"
expect_rc 0 "install root's big crontab"
run "$CRONTAB" --all --status --tz UTC
expect_rc 0 "--all --status over several replies"
[ "$(printf '%s\n' "$OUT" | cut -f1 | uniq -c | awk '{ print $2 ":" $1 }' | tr '\n' ' ')" = \
  "$TEST_TMP/cron.d/sys:1 user:bin:1 user:daemon:1 user:nobody:1 user:root:6 user:sys:1 " ] \
    || fail "--all over several replies: $(printf '%s\n' "$OUT" | cut -f1,2 | uniq -c)"
# (its runs carried over: two or more; the clock goes on, so the newest
# may be running at this instant)
printf '%s\n' "$OUT" | awk -F'\t' '$1 == "user:root" && $2 == 116 && ($7 == "exit 0" || $7 == "running") && split($8, f, "/") == 2 && f[2] >= 2' | grep -q . \
    || fail "root's rows after the big block keep their runs: $(printf '%s\n' "$OUT" | grep user:root)"

# What users may not do, and bad input
run as_nobody "$CRONTAB" --all --status
expect_rc 1 "nobody --all"
expect_err_has "only root may see every crontab" "nobody --all"
run as_nobody "$CRONTAB" -u root --status
expect_rc 1 "nobody -u root"
expect_err_has "must be privileged to use -u" "nobody -u root"
run "$CRONTAB" -u nobody --all --status
expect_rc 1 "-u with --all"
expect_err_has "-u and --all do not go together" "-u with --all"
run "$CRONTAB" --status extra
expect_rc 1 "--status with an operand"
expect_err_has "no arguments permitted after this option (--status, then 'extra')" "operand"
run "$CRONTAB" --all -l
expect_rc 1 "--all with -l"
expect_err_has "--all only goes with --status or --timeline" "--all -l"
run "$CRONTAB" -r
run "$CRONTAB" --status
expect_rc 1 "--status without a crontab"
expect_err_has "no crontab for root" "--status without a crontab"
stop_crond
run "$CRONTAB" --status
expect_rc 1 "--status without crond"
expect_err_has "crond is not running" "--status without crond"
echo "ok"
