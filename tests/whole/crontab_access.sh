#!/bin/bash
# cron.allow / cron.deny, enforced by crond, for the user nobody:
#   neither file          allowed
#   allow only            allowed only if listed
#   deny only             allowed unless listed
#   both                  allow decides (deny is not read)
# root is always allowed.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond
printf '0 6 * * * echo hi\n' >"$TEST_TMP/a.tab"
chmod 0644 "$TEST_TMP/a.tab"
ALLOW=$TEST_TMP/cron.allow
DENY=$TEST_TMP/cron.deny

# case  allow-file-content  deny-file-content  expected (ok|denied)
check() {
    local what=$1 allow=$2 deny=$3 want=$4
    rm -f "$ALLOW" "$DENY"
    [ "$allow" = "-" ] || printf '%b' "$allow" >"$ALLOW"
    [ "$deny" = "-" ] || printf '%b' "$deny" >"$DENY"
    run as_nobody "$CRONTAB" "$TEST_TMP/a.tab"
    if [ "$want" = ok ]; then
        expect_rc 0 "$what: install"
        run as_nobody "$CRONTAB" -l
        expect_rc 0 "$what: list"
        run as_nobody "$CRONTAB" -r
        expect_rc 0 "$what: remove"
    else
        expect_rc 1 "$what: install"
        expect_err_has "not allowed to use crontab" "$what: install"
        run as_nobody "$CRONTAB" -l
        expect_rc 1 "$what: list"
        expect_err_has "not allowed" "$what: list"
    fi
    run "$CRONTAB" "$TEST_TMP/a.tab"
    expect_rc 0 "$what: root is always allowed"
}

check "neither file"               -                   -               ok
check "allow lists nobody"         'root\nnobody\n'    -               ok
check "allow without nobody"       'root\n'            -               denied
check "empty allow"                ''                  -               denied
check "deny lists nobody"          -                   'nobody\n'      denied
check "deny without nobody"        -                   'daemon\n'      ok
check "both, allow lists nobody"   '# c\n nobody \n'   'nobody\n'      ok
check "both, allow without nobody" 'root\n'            'daemon\n'      denied

stop_crond
echo "ok"
