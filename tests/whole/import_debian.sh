#!/bin/bash
# tests/whole/import_debian.sh: `crond --import-debian ROOT` takes over a spool
# written by Debian's own crontab and at (tests/data/debian-spool): crontab -l
# shows each user's crontab with the refused line kept commented out, atq
# lists the jobs under their Debian numbers, an imported job runs as atd
# would have run it (test clock), new jobs are numbered above the imported
# ones, a second import imports nothing, and the import refuses to run
# beside a running crond. Debian's files are left as they were. An at job
# with a second hard link, or that others may write, is refused.
. "$ROOT/tests/whole/lib.sh"
need_crond
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the fixture belongs to root and nobody)"; exit 0; }
echo "0.00 0.00 0.00 1/100 1" >"$TEST_TMP/loadavg"   # batch jobs may start
write_conf "loadavg_file = $TEST_TMP/loadavg"
: >"$TEST_TMP/at.deny"
fixture=$ROOT/tests/data/debian-spool
deb=$TEST_TMP/debian
mkdir -p "$deb"
cp -r "$fixture/var" "$deb/"
while read -r path owner mode; do
    chown "$owner" "$deb/$path" && chmod "$mode" "$deb/$path" || fail "fixture $path"
done <"$fixture/OWNERS"
# A day-of-week range ending on Sunday: Debian's cron never ran it, crond
# will (Friday to Sunday): imported, with a warning that says so.
echo "0 5 * * fri-sun echo weekend" >>"$deb/var/spool/cron/crontabs/nobody"
# Debian's cron ran this boot's @reboot entries: crond must not run them again.
mkdir "$deb/run" && : >"$deb/run/crond.reboot"
before=$(cd "$deb" && find . -printf '%p %u %m %s %T@\n' | sort; cat var/spool/cron/*/* | md5sum)

run "$BIN/crond" --config "$CONF" --import-debian "$deb"
expect_rc 0 "first import"
for line in \
    "crontab root: imported: 419 bytes, 1 refused line kept commented out" \
    "crontab root line 10: line kept commented out: RANDOM_DELAY must be a whole number of minutes from 0 to 1440, not 'soon'" \
    "crontab nobody: imported: 117 bytes, 0 refused lines kept commented out" \
    "crontab nobody line 7: line imported, with a warning: a day-of-week range ending on Sunday written 0 or sun (such as fri-sun) runs Friday to Sunday here and in cronie, but never in Debian's cron (Sunday is 0 there, so the range is reversed); write fri-7 or fri,sat,sun to say the same to both" \
    "@reboot: imported: Debian's cron ran this boot's @reboot entries ($deb/run/crond.reboot): crond runs them from the next boot on" \
    "at job 1: imported: queue a, due 2030-01-01 10:00 UTC" \
    "at job 2: imported: queue c, due 2030-01-01 10:05 UTC" \
    "at job 5: imported: queue a, due 2030-01-02 09:30 UTC" \
    "import from $deb/var/spool/cron: 8 imported, 0 already imported, 0 skipped, 1 refused lines kept commented out, 0 not imported, 1 line imported with a warning"
do
    grep -qxF "$line" "$OUT_FILE" || { show_last; fail "report lacks: $line"; }
done
case "$ERR" in
    *"(root) IMPORT (at job 1: queue a, due 2030-01-01 10:00 UTC)"*) ;;
    *) show_last; fail "the import is not logged" ;;
esac

# The crontabs, as crontab -l shows them: Debian's header gone, the rest
# byte for byte, the refused line commented out under its reason.
run "$CRONTAB" -l -u nobody
expect_rc 0 "crontab -l -u nobody"
tail -n +4 "$deb/var/spool/cron/crontabs/nobody" | cmp -s - "$OUT_FILE" ||
    fail "nobody's crontab is not Debian's minus its header"
run "$CRONTAB" -l -u root
grep -qxF "# crond --import-debian: refused line 10: RANDOM_DELAY must be a whole number of minutes from 0 to 1440, not 'soon'" "$OUT_FILE" ||
    { show_last; fail "no reason above the refused line"; }
grep -qxF "#RANDOM_DELAY=soon" "$OUT_FILE" || fail "the refused line is not kept"
grep -qxF "0 4 * * * echo after the bad assignment" "$OUT_FILE" || fail "a good line is lost"
grep -q "DO NOT EDIT" "$OUT_FILE" && fail "Debian's header was kept"

# The jobs, under their numbers; the one due 2030-01-01 10:00 UTC runs.
start_crond --test-clock $((0x1e18a38 * 60 - 2))
run "$BIN/atq"
expect_rc 0 "atq"
ids=$(cut -f1 "$OUT_FILE" | sort -n | tr '\n' ' ')
case "$ids" in   # 1 and the batch job 4 are due: they may have run already
    "1 2 3 4 5 "|"2 3 4 5 "|"1 2 3 5 "|"2 3 5 ") ;;
    *) show_last; fail "atq lists jobs $ids" ;;
esac
grep -q $'^5\t.* a nobody$' "$OUT_FILE" || { show_last; fail "nobody's job 5"; }
for _ in $(seq 1 100); do grep -q 'at job one ran' "$TEST_TMP/mail.log" 2>/dev/null && break; sleep 0.1; done
grep -qx 'at job one ran as root in /' "$TEST_TMP/mail.log" || fail "job 1 did not run as atd would: $(cat "$TEST_TMP/mail.log" 2>/dev/null)"
grep -q 'batch job' "$TEST_TMP/mail.log" || sleep 2
grep -q 'batch job' "$TEST_TMP/mail.log" || fail "the past-due batch job 4 did not run"
grep -q 'CMD (pid=[0-9]* echo rebooted)' "$TEST_TMP/crond.log" && fail "@reboot ran twice in one boot"
grep -qF '(*system*) REBOOT (not a new boot' "$TEST_TMP/crond.log" || fail "no REBOOT line"
run bash -c "echo true | '$BIN/at' now + 1 hour"
expect_rc 0 "at after the import"
expect_err_has "job 6 at" "a new job is numbered above the imported ones"

# A running crond keeps the import out.
run "$BIN/crond" --config "$CONF" --import-debian "$deb"
expect_rc 1 "import beside a running crond"
expect_err_has "crond: --import-debian: already running (pid $CROND_PID): stop crond first, then import" "import beside crond"
stop_crond

# Again: nothing twice (job 1 ran and is gone, and stays gone).
run "$BIN/crond" --config "$CONF" --import-debian "$deb"
expect_rc 0 "second import"
grep -qxF "import from $deb/var/spool/cron: 0 imported, 7 already imported, 0 skipped, 0 refused lines kept commented out, 0 not imported" "$OUT_FILE" ||
    { show_last; fail "the second import imported something"; }
start_crond --test-clock $((0x1e18a38 * 60 + 60))
run "$BIN/atq"
cut -f1 "$OUT_FILE" | grep -qx 1 && fail "job 1 was imported again"
stop_crond

after=$(cd "$deb" && find . -printf '%p %u %m %s %T@\n' | sort; cat var/spool/cron/*/* | md5sum)
[ "$before" = "$after" ] || fail "the import changed Debian's files"

# An owner that does not match is refused, and the exit status says so.
chown nobody "$deb/var/spool/cron/atjobs/a0000301e18a42"
rm -f "$TEST_TMP/spool/crond.db"*
run "$BIN/crond" --config "$CONF" --import-debian "$deb"
expect_rc 1 "import with a wrong owner"
grep -qxF "at job 3: NOT IMPORTED: a0000301e18a42: '# atrun uid=0' does not match the file's owner nobody (uid 65534)" "$OUT_FILE" ||
    { show_last; fail "the wrong owner is not reported"; }
# Nor is a job file with a second hard link (a file of root's linked in by
# whoever may write atjobs: it would run as root), nor one others may write.
ln "$deb/var/spool/cron/atjobs/a0000101e18a38" "$TEST_TMP/second-link"
chmod 0702 "$deb/var/spool/cron/atjobs/c0000201e18a3d"
rm -f "$TEST_TMP/spool/crond.db"*
run "$BIN/crond" --config "$CONF" --import-debian "$deb"
expect_rc 1 "import with a hard link and a writable job"
grep -qxF "at job 1: NOT IMPORTED: a0000101e18a38 has 2 hard links, not 1" "$OUT_FILE" ||
    { show_last; fail "the hard-linked job is not refused"; }
grep -qxF "at job 2: NOT IMPORTED: others may write c0000201e18a3d (mode 702)" "$OUT_FILE" ||
    { show_last; fail "the job others may write is not refused"; }
# cronie's layout (Fedora): a user's crontab at var/spool/cron/USER, with
# no header; at jobs (the same at) in var/spool/at beside its output
# directory spool; cronie's /run/cron.reboot. Subdirectories are passed
# over without a word (was: nothing of it was imported, exit status 0).
fed=$TEST_TMP/fedora
mkdir -p "$fed/var/spool/cron" "$fed/var/spool/at/spool" "$fed/run"
printf 'MAILTO=""\n0 6 * * * -n echo from cronie\n' >"$fed/var/spool/cron/nobody"
chown nobody "$fed/var/spool/cron/nobody" && chmod 0600 "$fed/var/spool/cron/nobody"
cp -p "$fixture/var/spool/cron/atjobs/a0000501e18fba" "$fed/var/spool/at/"
chown nobody "$fed/var/spool/at/a0000501e18fba" && chmod 0700 "$fed/var/spool/at/a0000501e18fba"
: >"$fed/var/spool/at/.SEQ"
: >"$fed/run/cron.reboot"
rm -f "$TEST_TMP/spool/crond.db"*
run "$BIN/crond" --config "$CONF" --import-debian "$fed"
expect_rc 0 "import of cronie's layout"
for line in \
    "crontab nobody: imported: 40 bytes, 0 refused lines kept commented out" \
    "at job 5: imported: queue a, due 2030-01-02 09:30 UTC" \
    "@reboot: imported: cronie ran this boot's @reboot entries ($fed/run/cron.reboot): crond runs them from the next boot on"
do
    grep -qxF "$line" "$OUT_FILE" || { show_last; fail "report lacks: $line"; }
done
if grep -v '^import from\|^@reboot' "$OUT_FILE" | grep -q 'spool\|crontabs\|atjobs'; then
    show_last; fail "a directory was reported"
fi
start_crond
run "$CRONTAB" -l -u nobody
cmp -s "$fed/var/spool/cron/nobody" "$OUT_FILE" || fail "nobody's crontab is not cronie's"
run "$BIN/atq"
grep -q $'^5\t.* a nobody$' "$OUT_FILE" || { show_last; fail "nobody's job 5 from var/spool/at"; }
stop_crond
run "$BIN/crond" --config "$CONF" --import-debian "$fed"
grep -q ": 0 imported, 2 already imported," "$OUT_FILE" || { show_last; fail "the second import of cronie's layout"; }
echo "import_debian: ok"
