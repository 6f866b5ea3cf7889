#!/bin/bash
# History as crontab(1) promises, log lines that agree with it, and no
# control byte on root's terminal (issue 9, findings 5, 7 and 8).
#
# Attack/fault: a user's long job is running when crond is killed with
# SIGKILL. Pass: while it runs `crontab --history` shows it `running`; after
# crond is restarted the same run shows `interrupted` (not missing). A
# command carrying ESC sequences reaches neither the log, the history table
# nor crontab --next raw (shown as \e). The log's CMD stamp is the second the history's
# STARTED shows. An at job reads running as well, and its end completes the
# same record. Figure: how long after the start the running record was
# visible, and how many runs the restart recovered.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC   # crond's log stamps and the table in one zone

ESC=$(printf '\033')
{
    echo 'MAILTO=""'
    echo '* * * * * sleep 300 # long-job'
    printf "* * * * * echo '%s]0;owned%s%s[2J' painted\n" "$ESC" "$(printf '\007')" "$ESC"
    printf '* * * * * echo cr\r; echo hidden\n'      # a CR hid the rest of the row
    printf '* * * * * echo c1-\302\233-end\n'     # U+009B: a CSI to xterm
} >"$TEST_TMP/a.tab"
# The warnings quote the user's value escaped, the UTF-8 controls too.
printf 'MAILTO="-\302\2332J \342\200\256x"\n* * * * * true\n' >"$TEST_TMP/c1.tab"
run "$CRONTAB" -T "$TEST_TMP/c1.tab"
expect_err_has '\u009b2J \u202ex' "crontab -T quotes MAILTO escaped"
if grep -q $'\302\233\|\342\200\256' "$TEST_TMP/.err"; then fail "crontab -T printed a raw control: $ERR"; fi
run "$CRONTAB" -T "$TEST_TMP/a.tab"
expect_rc 0 "crontab -T (warnings only)"
expect_err_has "3:" "crontab -T names the line"
expect_err_has "control character" "crontab -T warns about ESC"
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"
run "$CRONTAB" --next 4 --from 2026-01-01T00:00 --tz UTC
expect_rc 0 "crontab --next"
if grep -q "$ESC" "$OUT_FILE"; then fail "crontab --next printed a raw ESC: $OUT"; fi
printf '%s\n' "$OUT" | grep -qF '\e]0;owned\a\e[2J' || fail "crontab --next: $OUT"

# 2026-01-01T00:00:00Z is 3 s away on the test clock.
start_crond --test-clock=1767225597
started=$SECONDS
deadline=$((SECONDS + 20))
while :; do
    run "$CRONTAB" --history --tz UTC
    row=$(printf '%s\n' "$OUT" | grep -F "sleep 300" || true)
    case "$row" in *running*) break ;; esac
    [ $SECONDS -lt $deadline ] || { show_last; fail "the long job never showed running"; }
    sleep 0.2
done
echo "# running record visible $((SECONDS - started)) s after crond started (job due at 3 s)"
case "$row" in
    "2026-01-01 00:00  2026-01-01 00:00:"*" running "*"sleep 300"*) ;;
    *) fail "row of the running job: '$row'" ;;
esac

# Finding 7: the ESC sequence is shown escaped, in the table and the log.
deadline=$((SECONDS + 15))
until printf '%s\n' "$OUT" | grep -qF 'painted'; do
    [ $SECONDS -lt $deadline ] || { show_last; fail "the ESC job was not recorded"; }
    sleep 0.2
    run "$CRONTAB" --history --tz UTC
done
if grep -q "$ESC" "$OUT_FILE"; then fail "crontab --history printed a raw ESC: $OUT"; fi
printf '%s\n' "$OUT" | grep -qF '\e]0;owned\a\e[2J' \
    || fail "crontab --history does not show the ESC escaped: $OUT"
if grep -q "$ESC" "$TEST_TMP/crond.log"; then fail "the log holds a raw ESC"; fi
grep -qF '(root) CMD (pid=' "$TEST_TMP/crond.log" || fail "no CMD line"
grep -F 'CMD (pid=' "$TEST_TMP/crond.log" | grep -qF '\e]0;owned\a\e[2J' \
    || fail "the log does not show the ESC escaped"
# A CR is shown as \r, and a first line with more after it ends in "...";
# --json is ASCII, the UTF-8 controls as \u escapes.
# (Waits for the CR job's end, not its start: its row says "running" and
# shows no output until then.)
cr_row() { printf '%s\n' "$OUT" | grep -F 'echo cr\r; echo hidden'; }
deadline=$((SECONDS + 15))
until cr_row | grep -qv ' running ' && printf '%s\n' "$OUT" | grep -qF 'c1-'; do
    [ $SECONDS -lt $deadline ] || { show_last; fail "the CR and C1 jobs were not recorded as ended"; }
    sleep 0.2
    run "$CRONTAB" --history --tz UTC
done
if grep -q $'\r' "$OUT_FILE"; then fail "crontab --history printed a raw CR: $OUT"; fi
cr_row | grep -qF 'cr\r...' || fail "the CR job's row: $(cr_row)"
run "$CRONTAB" --history --json
expect_rc 0 "crontab --history --json"
if grep -q $'\302\233' "$OUT_FILE"; then fail "--json printed a raw U+009B"; fi
grep -qiF 'c1-\u009b-end' "$OUT_FILE" || fail "--json does not show U+009B escaped: $OUT"

# Finding 8: the CMD line's stamp is the history's STARTED second.
cmd_line=$(grep -F 'sleep 300' "$TEST_TMP/crond.log" | grep -F ' CMD (' | head -n 1)
stamp=${cmd_line%% *}                       # 2026-01-01T00:00:00
hist_start=$(printf '%s\n' "$row" | cut -c19-37)   # 2026-01-01 00:00:00
[ "${stamp/T/ }" = "$hist_start" ] \
    || fail "log stamp '$stamp' and history start '$hist_start' disagree"
job_pid=$(printf '%s\n' "$cmd_line" | sed -n 's/.*pid=\([0-9]*\).*/\1/p')

# Finding 5: SIGKILL crond while the job runs, then start it again.
kill -KILL "$CROND_PID"
wait "$CROND_PID" 2>/dev/null
CROND_PID=""
[ -n "$job_pid" ] && kill -KILL -- "-$job_pid" 2>/dev/null
rm -f "$SOCK"
start_crond --test-clock=1767229200
run "$CRONTAB" --tz UTC --history 50
expect_rc 0 "--history after the restart"
row=$(printf '%s\n' "$OUT" | grep -F "sleep 300" | grep -F "2026-01-01 00:00" || true)
case "$row" in
    *interrupted*) ;;
    *) show_last; fail "the killed run is not interrupted: '$row'" ;;
esac
# No result; its duration runs until the restart noticed (1 h on the clock).
set -- $row
[ "$6" = "-" ] && [ "$5" = "59m59s" -o "$5" = "1h00m" ] \
    || fail "interrupted run: duration '$5' result '$6' in '$row'"
if printf '%s\n' "$OUT" | grep -q ' running '; then fail "a run still reads running: $OUT"; fi
recovered=$(grep -c 'INTERRUPTED (sleep 300' "$TEST_TMP/crond.log")
[ "$recovered" -eq 1 ] || fail "expected one INTERRUPTED log line, got $recovered"
echo "# runs recovered as interrupted at the restart: $recovered"
stop_crond

# An at job reads running in atq --history too (the real clock, for at).
start_crond
run bash -c "echo 'sleep 300' | '$BIN/at' now"
expect_rc 0 "at now (sleep 300)"
deadline=$((SECONDS + 15))
while :; do
    run "$BIN/atq" --history
    case "$OUT" in *" running "*) break ;; esac
    [ $SECONDS -lt $deadline ] || { show_last; fail "the at job never showed running"; }
    sleep 0.2
done
at_pid=$(sed -n 's/.*(root) CMD (pid=\([0-9]*\) at job [0-9]*)$/\1/p' "$TEST_TMP/crond.log")
[ -n "$at_pid" ] && kill -KILL -- "-$at_pid" 2>/dev/null
deadline=$((SECONDS + 15))
until "$BIN/atq" --history 2>/dev/null | grep -q ' signal 9 '; do
    [ $SECONDS -lt $deadline ] || fail "the at job's end was not recorded"
    sleep 0.2
done
[ "$("$BIN/atq" --history | grep -c .)" -eq 2 ] || fail "the at run has more than one record"
stop_crond
echo "ok"
