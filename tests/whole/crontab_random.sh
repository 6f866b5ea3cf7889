#!/bin/bash
# tests/whole/crontab_random.sh: '~' random values (cronie, OpenBSD). The
# value is picked once per crontab line, from a secret crond keeps in the
# spool: `crontab --next` shows crond's own pick (through crond, or on
# root's direct path), crond runs the entry at that minute, and the pick
# survives a restart of crond. Each user's crontab has its own picks.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
T=$'\t'

run "$CRONTAB" -T - <<'EOF'
30~10 * * * * reversed
EOF
expect_rc 1 "-T of a reversed random range"
expect_err_has "(standard input):1:4: random range 30~10 in the minute field is reversed" \
    "-T of a reversed random range"

# Installed before crond ever ran: root's direct path makes the secret.
cat >"$TEST_TMP/a.tab" <<'TAB'
MAILTO=""
0~4 * * * * echo picked
TAB
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install a crontab with ~ (crond not running)"
run "$CRONTAB" --next 2 --from 2025-12-31T23:59 --tz UTC
expect_rc 0 "--next on the direct path"
m=$(printf '%s\n' "$OUT" | head -n 1 | sed -n 's/^2026-01-01T00:0\([0-4]\):00+00:00\techo picked$/\1/p')
[ -n "$m" ] || { show_last; fail "--next did not show one minute in 0-4"; }
expect_out "2026-01-01T00:0$m:00+00:00${T}echo picked
2026-01-01T01:0$m:00+00:00${T}echo picked" "--next on the direct path"
expect_err_has "crontab: line 2: minute 0~4 is $m" "--next says what was picked"
direct=$OUT

# crond (30 s before 2026-01-01T00:00Z, a minute per second) agrees, and runs it then.
# (2 s before, half a real second, was too little: a start that took longer
# on a busy machine missed 00:00.)
start_crond --test-clock 1767225570:60
run "$CRONTAB" --next 2 --from 2025-12-31T23:59 --tz UTC
expect_rc 0 "--next through crond"
expect_out "$direct" "--next through crond shows the same pick"
deadline=$((SECONDS + 15))
while :; do
    run "$CRONTAB" --history --tz UTC
    case "$OUT" in *"2026-01-01 00:0"*"echo picked"*) break ;; esac
    [ $SECONDS -lt $deadline ] || { show_last; fail "the ~ entry did not run within 15 s"; }
    sleep 0.3
done
row=$(printf '%s\n' "$OUT" | grep -F "echo picked" | tail -n 1)
case "$row" in
    "2026-01-01 00:0$m "*) ;;
    *) fail "the entry ran at another minute than --next showed (0$m): $row" ;;
esac

# nobody's crontab, through crond
printf '~ * * * * true\n' | as_nobody "$CRONTAB" -
[ $? -eq 0 ] || fail "nobody cannot install a crontab with ~"
run as_nobody "$CRONTAB" --next 1 --from 2025-12-31T23:59 --tz UTC
expect_rc 0 "nobody's --next"
case "$OUT" in "2026-01-01T00:"[0-5][0-9]":00+00:00${T}true") ;; *) show_last; fail "nobody's --next" ;; esac
nobody=$OUT

# After a restart: the same picks.
stop_crond
start_crond --test-clock 1767225598:60
run "$CRONTAB" --next 2 --from 2025-12-31T23:59 --tz UTC
expect_out "$direct" "root's pick after a restart"
run as_nobody "$CRONTAB" --next 1 --from 2025-12-31T23:59 --tz UTC
expect_out "$nobody" "nobody's pick after a restart"
stop_crond

# A schedule alone gets a pick of its own, said on stderr.
run "$CRONTAB" --next 1 --from 2025-12-31T23:59 --tz UTC '10~12 * * * *'
expect_rc 0 "--next of a schedule with ~"
case "$OUT" in "2026-01-01T00:1"[0-2]":00+00:00") ;; *) show_last; fail "--next of a schedule with ~" ;; esac
expect_err_has "minute 10~12 is" "--next of a schedule with ~"
echo "ok"
