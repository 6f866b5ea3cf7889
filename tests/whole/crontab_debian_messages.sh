#!/bin/bash
# The messages scripts grep start with Debian's words (recorded from Debian
# 12's crontab, cron 3.0pl1), then our detail; usage errors exit 1 as
# Debian's do. Each case checks the exact first line.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond
export TMPDIR=$TEST_TMP/tmp
mkdir -m 1777 "$TMPDIR"

line1() {   # expected first line of stderr, what
    local got=${ERR%%$'\n'*}
    [ "$got" = "$1" ] || { show_last; fail "$2: first line '$got', expected '$1'"; }
}
has_line() {   # expected line of stderr, what
    grep -qxF -- "$1" <<<"$ERR" || { show_last; fail "$2: no line '$1'"; }
}

run "$CRONTAB" -l
expect_rc 1 "-l without a crontab"
line1 "no crontab for root" "-l without a crontab"
run "$CRONTAB" -r
expect_rc 1 "-r without a crontab"
line1 "no crontab for root" "-r without a crontab"
EDITOR=true run "$CRONTAB" -e
expect_rc 0 "-e without a crontab, unchanged"
line1 "no crontab for root - using an empty one" "-e without a crontab"
has_line "No modification made" "-e unchanged"
run "$CRONTAB" --next 1
expect_rc 1 "--next without a crontab"
line1 "no crontab for root" "--next without a crontab"

run "$CRONTAB" "$TEST_TMP/does-not-exist"
expect_rc 1 "missing file"
line1 "$TEST_TMP/does-not-exist: No such file or directory" "missing file"
run "$CRONTAB" -n "$TEST_TMP/does-not-exist"
expect_rc 1 "-n missing file"
line1 "$TEST_TMP/does-not-exist: No such file or directory" "-n missing file"

printf '61 * * * * x\n' >"$TEST_TMP/bad.tab"
run "$CRONTAB" "$TEST_TMP/bad.tab"
expect_rc 1 "errors in the file"
has_line "errors in crontab file, can't install." "errors in the file"
printf '0 * * * * x\n' >"$TEST_TMP/good.tab"
run "$CRONTAB" -n "$TEST_TMP/good.tab"
expect_rc 0 "-n a good file"
line1 "The syntax of the crontab file was successfully checked." "-n a good file"
run "$CRONTAB" -n "$TEST_TMP/bad.tab"
expect_rc 1 "-n a bad file"
has_line "errors in crontab file, can't install." "-n a bad file"
run "$CRONTAB" -T "$TEST_TMP/bad.tab"
expect_rc 1 "-T a bad file"
case "$ERR" in *"can't install"*) show_last; fail "-T says Debian's install line" ;; esac
run "$CRONTAB" -T "$TEST_TMP/good.tab"
expect_rc 0 "-T a good file"
[ -z "$ERR" ] || { show_last; fail "-T is silent on a good file"; }

# A failed edit, and the retry question after errors.
EDITOR=false run "$CRONTAB" -e
expect_rc 1 "the editor fails"
has_line 'crontab: "false" exited with status 1' "the editor fails"
cat >"$TEST_TMP/bad-editor" <<ED
#!/bin/sh
cp "$TEST_TMP/bad.tab" "\$1"
ED
chmod 0755 "$TEST_TMP/bad-editor"
EDITOR=$TEST_TMP/bad-editor run "$CRONTAB" -e <<<"n"
expect_rc 1 "edit with errors, no retry"
has_line "errors in crontab file, can't install." "edit with errors"
expect_err_has "Do you want to retry the same edit? (y/n) " "edit with errors"
rm -rf "$TMPDIR"/crontab.*

run "$CRONTAB" -u no-such-user-here -l
expect_rc 1 "unknown user"
line1 "crontab:  user \`no-such-user-here' unknown" "unknown user"
run as_nobody "$CRONTAB" -u no-such-user-here -l
expect_rc 1 "unknown user as nobody"
line1 "crontab:  user \`no-such-user-here' unknown" "unknown user as nobody (Debian: before the privilege)"
# -u is checked before the operands: "-ul" names user l, and a missing
# operand is not looked at.
run "$CRONTAB" -ul
expect_rc 1 "-ul"
line1 "crontab:  user \`l' unknown" "-ul (Debian: user l)"
run as_nobody "$CRONTAB" -u root
expect_rc 1 "-u root as nobody, no operand"
line1 "must be privileged to use -u (only root may name another user)" "-u before the operand"
run as_nobody "$CRONTAB" -u root -l
expect_rc 1 "-u as nobody"
line1 "must be privileged to use -u (only root may name another user)" "-u as nobody"
echo nobody >"$TEST_TMP/cron.deny"
run as_nobody "$CRONTAB" -l
expect_rc 1 "denied by cron.deny"
line1 "You (nobody) are not allowed to use this program (crontab)" "denied by cron.deny"
[ "$(sed -n 2p <<<"$ERR")" = "See crontab(1) for more information" ] || { show_last; fail "denied: second line"; }
expect_err_has "listed in $TEST_TMP/cron.deny" "denied: the detail"
run "$CRONTAB" -u nobody -l
expect_rc 1 "root naming a user denied by cron.deny"
line1 "The user nobody cannot use this program (crontab)" "root naming a denied user"
rm -f "$TEST_TMP/cron.deny"

run "$CRONTAB" -l -r
expect_rc 1 "usage error"
line1 "crontab: usage error: only one operation permitted (-l and -r)" "usage error"
expect_err_has "usage: crontab" "usage error shows the usage"
stop_crond
echo "ok"
