#!/bin/bash
# Many large users' crontabs at start (crond(8)): crond parses the
# crontabs it loads from the spool on the machine's CPUs at once when they
# are large (more than 256 KiB besides the largest), and schedules each,
# in the spool's order of changes, as it did one by one before.
#
# Fault: root, nobody, daemon and bin each install a crontab of 4,000 to
# 4,003 entries (about 160 KiB each), whose first entry, due every minute,
# writes `id -un` to a file named for its owner; then bin's is removed and
# daemon's installed again with 4,100 entries. crond starts on that spool.
# Pass: LOADED counts 3 users' crontabs and every entry of the last versions; each
# owner's job runs as that owner (the file named for root holds "root"),
# bin's never runs.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC
JOBS=$TEST_TMP/out
mkdir -p "$JOBS"
chmod 0777 "$JOBS"
# tab USER N: USER's crontab of N entries, the first due every minute
tab() {
    awk -v n="$2" -v u="$1" -v out="$JOBS" 'BEGIN {
        printf "* * * * * id -un >>%s/%s\n", out, u
        for (i = 1; i < n; i++)
            printf "%d %d %d 7 * /bin/true %s-entry-%06d\n", i % 60, int(i / 60) % 24, 1 + int(i / 1440) % 28, u, i
    }' >"$TEST_TMP/$1.tab"
    run "$BIN/crontab" -u "$1" "$TEST_TMP/$1.tab"
    expect_rc 0 "crontab -u $1"
}
# crontab installs through crond: a first crond only to fill the spool
start_crond
n=0
for u in root nobody daemon bin; do
    tab "$u" $((4000 + n))
    n=$((n + 1))
done
run "$BIN/crontab" -u bin -r
expect_rc 0 "crontab -u bin -r"
tab daemon 4100
stop_crond
bytes=$(cat "$TEST_TMP/root.tab" "$TEST_TMP/nobody.tab" | wc -c)   # besides daemon's, the largest
[ "$bytes" -gt $((256 * 1024)) ] || fail "the crontabs hold $bytes bytes: too few to be parsed at once"
: >"$TEST_TMP/crond.log"

# 2026-01-01T00:00:00Z is 3 s away on the test clock.
start_crond --test-clock=1767225597
log=$TEST_TMP/crond.log
want=$((4000 + 4001 + 4100))
loaded=$(sed -n 's/.*LOADED (\([0-9]*\) crontabs, \([0-9]*\) entries.*/\1 \2/p' "$log")
# the three users' and the (empty) system crontab
[ "$loaded" = "4 $want" ] || fail "LOADED says '$loaded', not '4 $want': $(grep LOADED "$log")"
wait_for 20 "each owner's job" sh -c 'for u in root nobody daemon; do [ -s "$0/$u" ] || exit 1; done' "$JOBS"
for u in root nobody daemon; do
    [ "$(sort -u "$JOBS/$u")" = "$u" ] || fail "$u's job ran as $(sort -u "$JOBS/$u" | tr '\n' ' ')"
done
sleep 1
[ ! -e "$JOBS/bin" ] || fail "bin's removed crontab ran: $(cat "$JOBS/bin")"
stop_crond
