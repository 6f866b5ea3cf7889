#!/bin/bash
# Every option combination of crontab: an action is never guessed. With
# standard input a pipe holding a crontab, no refused combination may
# install it (crontab -i once did: the man page's alias crontab='crontab -i'
# made every script's `crontab -i` wipe the user's crontab). A usage error is
# Debian's "crontab: usage error: ..." with exit status 1, and changes
# nothing.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond
printf '0 7 * * * echo kept\n' >"$TEST_TMP/kept.tab"
printf '0 0 * * * echo from-stdin\n' >"$TEST_TMP/stdin.tab"
printf '5 5 * * * echo from-file\n' >"$TEST_TMP/file.tab"
run "$CRONTAB" "$TEST_TMP/kept.tab"
expect_rc 0 "install the crontab to keep"

refused() {   # expected start of stderr, args...
    local want=$1; shift
    RC=0
    "$CRONTAB" "$@" <"$TEST_TMP/stdin.tab" >"$OUT_FILE" 2>"$TEST_TMP/.err" || RC=$?
    OUT=$(cat "$OUT_FILE"); ERR=$(cat "$TEST_TMP/.err")
    expect_rc 1 "crontab $*"
    [ "${ERR#"$want"}" != "$ERR" ] || { show_last; fail "crontab $*: stderr should start with '$want'"; }
    run "$CRONTAB" -l
    expect_same_file "$TEST_TMP/kept.tab" "$OUT_FILE" "crontab $*: the crontab must be unchanged"
}
U="crontab: usage error:"
refused "$U file name must be specified for replace" -i
refused "$U file name must be specified for replace" -u root
refused "$U file name must be specified for replace" --    # a script's `crontab -- $EMPTY`
refused "$U file name must be specified for replace" -i -u root
refused "$U file name must be specified for replace" -n
refused "$U file name must be specified for replace" -n
refused "$U file name must be specified for replace" -n --system
# cronie's -T with no file checks standard input (Debian's -n, above,
# wants a file); it installs nothing.
for args in "-T" "-T --system"; do
    run bash -c "'$CRONTAB' $args <'$TEST_TMP/stdin.tab'"
    expect_rc 0 "crontab $args < a crontab"
    run "$CRONTAB" -l
    expect_same_file "$TEST_TMP/kept.tab" "$OUT_FILE" "crontab $args: the crontab must be unchanged"
done
run bash -c "printf '* * * * x true\n' | '$CRONTAB' -T"
expect_rc 1 "crontab -T < a bad crontab"
expect_err_has "crontab: (standard input):1:9: unknown day name 'x'" "crontab -T < a bad crontab"
# cronie's -b (keep no backup of the crontab replaced): none is kept here
run "$CRONTAB" -b "$TEST_TMP/kept.tab"
expect_rc 0 "crontab -b FILE"
refused "$U file name must be specified for replace" -u root -n
refused "$U only one file may be given" -n "$TEST_TMP/file.tab" "$TEST_TMP/file.tab"
refused "$U -n (check a file, install nothing) does not go with -r" -n -r
refused "$U -n (check a file, install nothing) does not go with -e" -e -n
refused "$U -n (check a file, install nothing) does not go with --next" -n --next 2
refused "$U only one file may be given" "$TEST_TMP/file.tab" "$TEST_TMP/file.tab"
refused "$U no arguments permitted after this option (-l, then" "$TEST_TMP/file.tab" -l   # Debian permutes too
refused "$U only one operation permitted (-l and -r)" -l -r
refused "$U only one operation permitted (-l and -l)" -l -l
refused "$U only one operation permitted (-e and -r)" -e -r
refused "$U only one operation permitted (-r and -e)" -r -e
refused "$U only one operation permitted (-l and -T)" -l -T "$TEST_TMP/file.tab"
refused "$U only one operation permitted (--next and --history)" --next 3 --history
refused "$U only one operation permitted (-V and -l)" -V -l
refused "$U no arguments permitted after this option (-l, then 'extra')" -l extra
refused "$U no arguments permitted after this option (-r, then 'extra')" -r extra
refused "$U no arguments permitted after this option (-e, then '-')" -e -
refused "$U no arguments permitted after this option (-l, then '$TEST_TMP/file.tab')" -l "$TEST_TMP/file.tab"
refused "$U no arguments permitted after this option (--history, then '6')" --history 5 6
refused "crontab: invalid option -- 'x'" -x
refused "crontab: invalid option -- 'x'" -lx
refused "crontab: unrecognized option '--bogus'" --bogus
refused "crontab: option requires an argument -- 'u'" -u
refused "crontab: option '--next' requires an argument" --next
refused "$U no arguments permitted after this option (-V, then 'extra')" -V extra
refused "$U no arguments permitted after this option (-h, then 'extra')" -h extra
refused "$U --tz only goes with --next, --history, --status or --timeline" -V --tz UTC
refused "$U --tz only goes with --next, --history, --status or --timeline" --tz UTC
refused "$U --tz only goes with --next, --history, --status or --timeline" -l --tz UTC
refused "$U --from only goes with --next or --timeline" --from 2026-01-01T00:00
refused "$U --system only goes with -T" --system
refused "$U --system only goes with -T" --system "$TEST_TMP/file.tab"
refused "$U -u does not go with a schedule" -u root --next 2 '* * * * *'
refused "$U expected a count from 1 to 100000, not '0'" --next 0
refused "$U expected a count from 1 to 100000, not 'x'" --history x

# The unknown option line is getopt's, then Debian's usage error.
"$CRONTAB" -x 2>"$TEST_TMP/err" </dev/null
[ "$(sed -n 2p "$TEST_TMP/err")" = "$U unrecognized option" ] || fail "-x: second line $(sed -n 2p "$TEST_TMP/err")"

# What is allowed. -i goes with every action (the alias adds it everywhere)
# and only changes -r.
run "$CRONTAB" -i -V
expect_rc 0 "-i -V"
run "$CRONTAB" -i -h
expect_rc 0 "-i -h"
run "$CRONTAB" -i -l
expect_rc 0 "-i -l"
expect_same_file "$TEST_TMP/kept.tab" "$OUT_FILE" "-i -l lists"
run "$CRONTAB" -i -n "$TEST_TMP/file.tab"
expect_rc 0 "-i -n FILE"
run "$CRONTAB" -u root -n "$TEST_TMP/file.tab"
expect_rc 0 "-u root -n FILE (as Debian)"
# Debian's -n is ignored by -l: crontab -nl lists
run "$CRONTAB" -nl
expect_rc 0 "-nl"
expect_same_file "$TEST_TMP/kept.tab" "$OUT_FILE" "-nl lists"
run "$CRONTAB" -i --next 1 --from 2026-01-01T00:00 --tz UTC '0 1 * * *'
expect_out "2026-01-01T01:00:00+00:00" "-i --next SCHEDULE"
run "$CRONTAB" -i "$TEST_TMP/file.tab"
expect_rc 0 "-i FILE installs"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/file.tab" "$OUT_FILE" "-i FILE installed FILE"
run "$CRONTAB" -i -u root - <"$TEST_TMP/kept.tab"
expect_rc 0 "-i -u root - installs standard input"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/kept.tab" "$OUT_FILE" "-i -u root - installed standard input"

# A bare crontab (and --config, which only names the instance) reads a
# standard input that is not a terminal, as POSIX and Debian do.
run "$CRONTAB" <"$TEST_TMP/stdin.tab"
expect_rc 0 "bare crontab"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/stdin.tab" "$OUT_FILE" "bare crontab installed standard input"
run "$CRONTAB" --config "$CONF" <"$TEST_TMP/file.tab"
expect_rc 0 "crontab --config CONF"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/file.tab" "$OUT_FILE" "--config CONF installed standard input"
# ... but not a terminal (script(1) gives it one).
if command -v script >/dev/null; then
    script -qec "$CRONTAB" /dev/null </dev/null >"$TEST_TMP/tty.out" 2>&1
    grep -q "$U file name must be specified for replace" "$TEST_TMP/tty.out" ||
        fail "bare crontab at a terminal: $(cat "$TEST_TMP/tty.out")"
    run "$CRONTAB" -l
    expect_same_file "$TEST_TMP/file.tab" "$OUT_FILE" "bare crontab at a terminal changed nothing"
fi
# Options after operands, as Debian's and cronie's crontab take them
# (getopt permutes): a file then -u, a history count then --json or --tz.
run "$CRONTAB" "$TEST_TMP/kept.tab" -u root
expect_rc 0 "crontab FILE -u root"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/kept.tab" "$OUT_FILE" "crontab FILE -u root installed FILE"
run "$CRONTAB" --history 2 --json
expect_rc 0 "--history 2 --json"
starts '{' "$OUT"
run "$CRONTAB" --history 2 --tz UTC
expect_rc 0 "--history 2 --tz UTC"
stop_crond
echo "ok"
