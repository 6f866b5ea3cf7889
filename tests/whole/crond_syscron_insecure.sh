#!/bin/bash
# A system crontab that becomes unsafe stops running (crond(8), SYSTEM
# CRONTABS), as with Debian's cron: a file of cron.d made group-writable,
# and the system crontab given to nobody, after both were loaded and ran;
# then the fixed cron.d file given a second hard link (and a SIGHUP).
#
# Pass: each is dropped at once with a log line naming it and why
# ("(*system*) DISABLE (PATH, writable by group or others: ...)", "...not
# owned by root..."); while unsafe neither its old entries nor the new
# content written into it meanwhile run, and it is not read ("RELOAD" of
# it does not appear); once fixed (chmod g-w, chown root) it is read
# again and its new entries run. Before: the last good version kept
# running ("keeping the last good version"). The test clock runs 10 times
# as fast as real time (a minute lasts 6 s).
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
export TZ=UTC
D=$TEST_TMP/cron.d
TAB=$TEST_TMP/crontab
log=$TEST_TMP/crond.log
tab_line() {   # WORD OUT
    printf 'MAILTO=""\n* * * * * root echo %s >>%s\n' "$1" "$2"
}
tab_line old "$TEST_TMP/job.out" >"$D/job"
tab_line old "$TEST_TMP/tab.out" >"$TAB"
chmod 0644 "$D/job" "$TAB"

lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }
wait_until() {   # SECONDS WHAT CMD...
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        [ $SECONDS -lt $deadline ] || fail "$what: not within the time"
        sleep 0.1
    done
}
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }
in_log() { grep -qF "$1" "$log"; }

# 2026-01-01T00:00:00Z is 3 test seconds (0.3 s) away.
start_crond --test-clock=1767225597:10
wait_until 15 "the cron.d file's first run" has_lines "$TEST_TMP/job.out" 1
wait_until 15 "the system crontab's first run" has_lines "$TEST_TMP/tab.out" 1

# Unsafe, right after a minute's runs: dropped before the next minute.
chmod g+w "$D/job"
chown nobody "$TAB"
wait_until 5 "DISABLE of the group-writable file" \
    in_log "(*system*) DISABLE ($D/job, writable by group or others: its entries do not run until it is fixed)"
wait_until 5 "DISABLE of the system crontab owned by nobody" \
    in_log "(*system*) DISABLE ($TAB, not owned by root: its entries do not run until it is fixed)"
in_log "system crontab $D/job ignored: writable by group or others" || fail "no reason logged for $D/job"
in_log "system crontab $TAB ignored: not owned by root" || fail "no reason logged for $TAB"
reloads_before=$(grep -c "RELOAD ($D/job\|RELOAD ($TAB" "$log")

# New content, written while unsafe (in place: the mode and owner stay).
tab_line new "$TEST_TMP/job.out" >"$D/job"
tab_line new "$TEST_TMP/tab.out" >"$TAB"
n_job=$(lines "$TEST_TMP/job.out")
n_tab=$(lines "$TEST_TMP/tab.out")
sleep 15   # two and a half test minutes
[ "$(lines "$TEST_TMP/job.out")" -eq "$n_job" ] ||
    fail "the group-writable file's entries ran: $(tr '\n' ' ' <"$TEST_TMP/job.out")"
[ "$(lines "$TEST_TMP/tab.out")" -eq "$n_tab" ] ||
    fail "the system crontab owned by nobody ran: $(tr '\n' ' ' <"$TEST_TMP/tab.out")"
[ "$(grep -c "RELOAD ($D/job\|RELOAD ($TAB" "$log")" -eq "$reloads_before" ] ||
    fail "an unsafe file was read: $(grep RELOAD "$log")"

# Fixed: read again, and the new content runs.
chmod g-w "$D/job"
chown root "$TAB"
wait_until 5 "RELOAD of the fixed cron.d file" \
    eval '[ "$(grep -c "RELOAD ($D/job, 1 entries)" "$log")" -gt 1 ]'
wait_until 15 "the fixed cron.d file's new entry" grep -qx new "$TEST_TMP/job.out"
wait_until 15 "the fixed system crontab's new entry" grep -qx new "$TEST_TMP/tab.out"

# A second name for it, outside cron.d: dropped too ("BAD LINK COUNT") at
# the next look, here SIGHUP (a link made elsewhere changes nothing that
# inotify on cron.d or Debian's mtime checks see).
ln "$D/job" "$TEST_TMP/job.link"
kill -HUP "$CROND_PID"
wait_until 5 "DISABLE of the file with a second link" \
    in_log "(*system*) DISABLE ($D/job, has more than one hard link: its entries do not run until it is fixed)"
echo "# runs: cron.d file $(tr '\n' ' ' <"$TEST_TMP/job.out"); system crontab $(tr '\n' ' ' <"$TEST_TMP/tab.out")"
stop_crond
