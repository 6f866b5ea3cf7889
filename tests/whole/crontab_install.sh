#!/bin/bash
# crontab FILE / - / -l / -r with a running crond: what is installed is
# listed back byte for byte (no final newline, CRLF line ends, a comment-only
# file), a second install replaces the first, removal leaves "no crontab",
# and invalid crontabs are refused with every error and nothing installed.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond

# Byte for byte, through a file and through standard input.
printf 'MAILTO=""\n# a comment\n*/5 * * * * echo five\n0 3 * * * echo "no final newline"' >"$TEST_TMP/nonl.tab"
printf 'SHELL=/bin/sh\r\n*/10 * * * * echo crlf\r\n' >"$TEST_TMP/crlf.tab"
printf '# only a comment\n' >"$TEST_TMP/empty.tab"
for f in nonl crlf empty; do
    run "$CRONTAB" "$TEST_TMP/$f.tab"
    expect_rc 0 "install $f.tab"
    [ -z "$ERR" ] || fail "install $f.tab printed: $ERR"
    run "$CRONTAB" -l
    expect_rc 0 "list $f.tab"
    expect_same_file "$TEST_TMP/$f.tab" "$OUT_FILE" "list after installing $f.tab"
done
run "$CRONTAB" - <"$TEST_TMP/crlf.tab"
expect_rc 0 "install from standard input (-)"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/crlf.tab" "$OUT_FILE" "list after crontab -"
run "$CRONTAB" <"$TEST_TMP/nonl.tab"
expect_rc 0 "install from a pipe without an operand"
run "$CRONTAB" -l
expect_same_file "$TEST_TMP/nonl.tab" "$OUT_FILE" "list after crontab < file"

# Replace.
printf '1 2 3 4 5 echo replaced\n' >"$TEST_TMP/replace.tab"
run "$CRONTAB" "$TEST_TMP/replace.tab"
expect_rc 0 "replace"
run "$CRONTAB" -l
expect_out "1 2 3 4 5 echo replaced" "list after replace"

# Errors: all of them, named FILE:LINE:COL, and nothing installed.
printf '61 * * * * a\n* 25 * * * b\n5-3 * * * * c\n' >"$TEST_TMP/bad.tab"
run "$CRONTAB" "$TEST_TMP/bad.tab"
expect_rc 1 "install an invalid crontab"
expect_err_has "crontab: $TEST_TMP/bad.tab:1:1: minute 61 is out of range 0-59" "first error"
expect_err_has "crontab: $TEST_TMP/bad.tab:2:3: hour 25" "second error"
expect_err_has "crontab: $TEST_TMP/bad.tab:3:" "third error"
expect_err_has "can't install" "refusal line"
run "$CRONTAB" -l
expect_out "1 2 3 4 5 echo replaced" "list after a refused install"

# A warning (an entry that can never run) does not stop the install.
printf '0 0 30 2 * echo never\n' >"$TEST_TMP/never.tab"
run "$CRONTAB" "$TEST_TMP/never.tab"
expect_rc 0 "install with a warning"
expect_err_has "$TEST_TMP/never.tab:1:" "warning location"
expect_err_has "warning:" "warning text"

# Remove.
run "$CRONTAB" -r
expect_rc 0 "remove"
run "$CRONTAB" -l
expect_rc 1 "list after remove"
expect_err_has "no crontab for root" "list after remove"
run "$CRONTAB" -r
expect_rc 1 "remove twice"
expect_err_has "no crontab for root" "remove twice"

# Root may name another user; an unknown user is an error.
run "$CRONTAB" -u nobody "$TEST_TMP/replace.tab"
expect_rc 0 "install for nobody"
run "$CRONTAB" -u nobody -l
expect_out "1 2 3 4 5 echo replaced" "list nobody's crontab"
run "$CRONTAB" -u no-such-user-here -l
expect_rc 1 "unknown user"
expect_err_has "crontab:  user \`no-such-user-here' unknown" "unknown user"

# Missing files, usage errors, version, help.
run "$CRONTAB" "$TEST_TMP/does-not-exist"
expect_rc 1 "missing file"
expect_err_has "No such file or directory" "missing file"
run "$CRONTAB" -l -r
expect_rc 1 "two actions"
expect_err_has "usage:" "two actions print the usage"
run "$CRONTAB" -l extra
expect_rc 1 "operand with -l"
run "$CRONTAB" --bogus
expect_rc 1 "unknown option"
run "$CRONTAB" -V
expect_rc 0 "-V"
expect_out "crontab (crond) $(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")" "-V"
run "$CRONTAB" -h
expect_rc 0 "-h"
case "$OUT" in *"crontab [-u USER] -l"*) ;; *) fail "-h shows no usage" ;; esac

# An entry that never runs in its CRON_TZ (every time it names is in the
# zone's skipped hours) is installed, with a warning at its line; -T says
# the same.
printf 'CRON_TZ=AAA+24BBB-24,J59/0,J300/0\n* * 29 2 * never\n0 0 29 2 * gapend\n' >"$TEST_TMP/gap.tab"
run "$CRONTAB" "$TEST_TMP/gap.tab"
expect_rc 0 "a crontab with an entry that never runs"
expect_err_has "gap.tab:2:1: warning: this entry never runs in CRON_TZ=AAA+24BBB-24,J59/0,J300/0" \
    "the warning at install"
run "$CRONTAB" -T "$TEST_TMP/gap.tab"
expect_rc 0 "-T of it"
expect_err_has "gap.tab:2:1: warning: this entry never runs" "the warning of -T"

stop_crond
echo "ok"
