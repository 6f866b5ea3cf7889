#!/bin/bash
# System crontabs through symbolic links, and a cron.d made again while
# crond runs (crond(8), SYSTEM CRONTABS; found by comparing with Debian's
# cron 3.0pl1, which looks at every file each minute).
#
# Faults, and what passes:
#   - a cron.d link to a file outside cron.d (the deploy pattern
#     /etc/cron.d/app -> /srv/app/current/cron), whose file is then
#     rewritten in place, where no watch of crond's sees it: the new line
#     runs within two minutes (crond looks through links each minute);
#   - a link to nothing: logged once ("a symbolic link to nothing"), however
#     often crond looks; when its file appears, it runs;
#   - a link owned by nobody to a file of root's: refused as Debian's cron
#     refuses it ("a symbolic link not owned by root"), never run; crond -x
#     names it and the dangling one, and fails;
#   - cron.d moved away and a new one made: files added to the new one run,
#     the first and one added later (the watch follows the new directory);
#     cron.d removed and made again: the same.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC
D=$TEST_TMP/cron.d
X=$TEST_TMP/ext
mkdir -p "$X"
umask 022

entry() {   # file text-to-append-to NAME.out
    printf 'MAILTO=""\n* * * * * root echo %s >>%s/%s.out\n' "$2" "$TEST_TMP" "$3" >"$1"
    chmod 0644 "$1"
}
entry "$X/app" v1 app
ln -s "$X/app" "$D/applink"
entry "$X/other" bad badowner
ln -s "$X/other" "$D/badowner"
chown -h nobody "$D/badowner"
ln -s "$X/later" "$D/dangle"

run "$BIN/crond" -x --config "$CONF"
[ "$RC" -ne 0 ] || fail "crond -x accepted a link of nobody's and a link to nothing"
expect_err_has "$D/badowner: ignored: a symbolic link not owned by root" "crond -x, the link of nobody's"
expect_err_has "$D/dangle: ignored: a symbolic link to nothing" "crond -x, the dangling link"

# A test minute is 3 s (speed 20); 2026-01-01T00:00:00Z is 2 s away.
start_crond --test-clock=1767225598:20
has() { grep -qx "$2" "$TEST_TMP/$1.out" 2>/dev/null; }
logged() { grep -qF -- "$1" "$TEST_TMP/crond.log"; }
wait_for 15 "the linked file's job" has app v1
entry "$X/app" v2 app           # in place: no event in a watched directory
wait_for 15 "the linked file's new line (looked at again through the link)" has app v2

entry "$X/later" later later
wait_for 15 "the dangling link's file, once it exists" has later later
n=$(grep -c "system crontab $D/dangle ignored: a symbolic link to nothing" "$TEST_TMP/crond.log")
[ "$n" -eq 1 ] || fail "the dangling link was logged $n times, not once"
logged "system crontab $D/badowner ignored: a symbolic link not owned by root" ||
    fail "no log line for the link of nobody's"
[ ! -e "$TEST_TMP/badowner.out" ] || fail "the job behind the link of nobody's ran"

# cron.d replaced by a new directory: its files run, also one added later.
mv "$D" "$TEST_TMP/cron.d.old"
mkdir "$D"
entry "$D/fresh1" fresh1 fresh1
wait_for 15 "a file in the new cron.d" has fresh1 fresh1
entry "$D/fresh2" fresh2 fresh2
wait_for 15 "a file added later to the new cron.d" has fresh2 fresh2
wait_for 15 "the old cron.d's files dropped" logged "(*system*) DELETE ($D/applink)"

# cron.d removed, then made again.
rm -rf "$D"
wait_for 15 "the removed cron.d's files dropped" logged "(*system*) DELETE ($D/fresh2)"
mkdir "$D"
entry "$D/fresh3" fresh3 fresh3
wait_for 15 "a file in cron.d made again" has fresh3 fresh3
echo "# ran: app $(sort -u "$TEST_TMP/app.out" | tr '\n' ' ')later, fresh1-3"
stop_crond
