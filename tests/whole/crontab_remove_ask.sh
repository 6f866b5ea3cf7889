#!/bin/bash
# crontab -i -r asks "really delete USER's crontab? (y/n)": n (or anything
# but y/Y, or end of input) keeps it with exit status 0; y removes it.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond

printf '0 * * * * echo keep me\n' >"$TEST_TMP/a.tab"
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"

for answer in n N no x ''; do
    run "$CRONTAB" -i -r <<<"$answer"
    expect_rc 0 "-i -r answered '$answer'"
    expect_err_has "crontab: really delete root's crontab? (y/n) " "the prompt"
    run "$CRONTAB" -l
    expect_same_file "$TEST_TMP/a.tab" "$OUT_FILE" "still there after answering '$answer'"
done
run "$CRONTAB" -i -r </dev/null
expect_rc 0 "-i -r at end of input"
run "$CRONTAB" -l
expect_rc 0 "still there after end of input"

run "$CRONTAB" -u nobody "$TEST_TMP/a.tab"
run "$CRONTAB" -u nobody -i -r <<<"n"
expect_err_has "really delete nobody's crontab? (y/n)" "the prompt names the user"

run "$CRONTAB" -r -i <<<"y"
expect_rc 0 "-i -r answered y"
run "$CRONTAB" -l
expect_rc 1 "gone after y"
expect_err_has "no crontab for root" "gone after y"

run "$CRONTAB" -u nobody -i -r <<<"Y"
expect_rc 0 "-i -r answered Y"
run "$CRONTAB" -u nobody -l
expect_rc 1 "nobody's gone after Y"

# With no crontab, -i -r does not ask: Debian's "no crontab for", status 1.
run "$CRONTAB" -i -r <<<"y"
expect_rc 1 "-i -r with no crontab"
expect_err_has "no crontab for root" "-i -r with no crontab"
case "$OUT$ERR" in *"really delete"*) fail "-i -r asked with no crontab to delete" ;; esac

# -i with another action is accepted (alias crontab='crontab -i').
run "$CRONTAB" -i -u nobody "$TEST_TMP/a.tab"
expect_rc 0 "-i with an install"
run "$CRONTAB" -i -l -u nobody
expect_rc 0 "-i with -l"

stop_crond
echo "ok"
