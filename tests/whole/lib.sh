# tests/whole/lib.sh: helpers for the whole-program tests (source it).
#
# The runner (tests/run) gives every test BIN (the programs), ROOT (the
# repository) and TEST_TMP (a fresh private directory). Everything a test
# runs lives in TEST_TMP: the configuration names every path inside it, so
# a test never touches the machine's own cron.
#
#   need_crond                skip the test while crond does not exist yet
#   write_conf [LINE...]      $CONF with every path in TEST_TMP, plus LINEs
#   start_crond [ARG...]      crond -n --config $CONF ARG... in the background,
#                             log in $TEST_TMP/crond.log; waits for the socket
#   start_crond_at_open [ARG...]  write_conf, an empty at.deny (everyone
#                             may use at), start_crond ARG...
#   stop_crond                SIGTERM, wait, check exit status 0
#   run CMD...                runs CMD: $RC, $OUT (stdout), $ERR (stderr)
#   as_nobody CMD...          CMD as the user nobody (group nogroup)
#   expect_rc N WHAT          fail unless the last run exited N
#   expect_out TEXT WHAT      fail unless its stdout is exactly TEXT
#   expect_err_has TEXT WHAT  fail unless its stderr contains TEXT
#   wait_for SECONDS WHAT CMD...  poll CMD every 0.2 s until it succeeds, or
#                             fail "WHAT: not within SECONDS s" (saying
#                             WAIT_WHY too, if CMD set it): for whatever a
#                             test waits on, never a fixed sleep, so that a
#                             busy machine is only slower
#   log_has TEXT              $TEST_TMP/crond.log has a line with TEXT (grep)
#   suid_dumpable_test PREFIX for a test that sets fs.suid_dumpable to 1: the
#                             lock, a throwaway user, HELPERS (below)
#   scaled_bound N [CAP]      N times CROND_TEST_SLOWNESS (how many times
#                             slower than a quiet machine this one starts a
#                             program: tests/run), at most CAP: for a bound
#                             on how late something may be, set on a quiet
#                             machine
#   end_pid PID               SIGTERM, up to 5 s to exit, then SIGKILL; reaped
#   small_fs SIZE             a tmpfs of SIZE (mount's size=) on $FS
#                             ($TEST_TMP/fs), unmounted at exit; skips the
#                             test unless root: for a full file system
#   fail MESSAGE              print MESSAGE (and the crond log), exit 1
#
# A trap stops crond (SIGKILL if it must) when the test exits, however it
# exits.

set -u
: "${BIN:?BIN must name the bin directory of a build}"
: "${ROOT:?ROOT must name the repository}"
: "${TEST_TMP:?TEST_TMP must name a private temporary directory}"

CONF=$TEST_TMP/crond.conf
SOCK=$TEST_TMP/crond.sock
CRONTAB=$BIN/crontab
CROND_PID=""
RC=0
OUT=""
ERR=""
OUT_FILE=$TEST_TMP/.out   # the last run's stdout, byte for byte
export CROND_CONF=$CONF
# A private instance must not see the caller's editor settings.
unset VISUAL EDITOR

# nobody must be able to reach the socket and read the configuration.
chmod 0755 "$TEST_TMP"

fail() {
    echo "FAIL: $*" >&2
    if [ -s "$TEST_TMP/crond.log" ]; then
        echo "--- crond.log (last 30 lines)" >&2
        tail -n 30 "$TEST_TMP/crond.log" >&2
    fi
    exit 1
}

have_crond() { [ -x "$BIN/crond" ]; }

# need_attackers WHY: for the hardening tests, whose attackers are raw
# socket clients run as other users. Sets PY to a python3 those users can
# run (not one under root's home); fails without python3 or setpriv; skips
# (exit 0, saying WHY root is needed) when not run as root.
need_attackers() {
    PY=/usr/bin/python3
    [ -x "$PY" ] || PY=$(command -v python3) || fail "python3 is needed for the raw-socket clients"
    command -v setpriv >/dev/null || fail "setpriv is needed to act as other users"
    if [ "$(id -u)" -ne 0 ]; then
        echo "SKIP: needs root ($1)"
        exit 0
    fi
}

# For tests that need the daemon: skip (exit 0) only while the project has
# no crond at all; once crond/main.c exists, a missing binary is a failure.
need_crond() {
    have_crond && return 0
    [ -e "$ROOT/crond/main.c" ] && fail "crond is not built in $BIN"
    echo "SKIP: this test needs crond, which is not written yet"
    exit 0
}

write_conf() {
    cat >"$TEST_TMP/sendmail" <<EOF
#!/bin/sh
{ echo "sendmail \$*"; cat; echo "--- end"; } >>"$TEST_TMP/mail.log"
EOF
    chmod 0755 "$TEST_TMP/sendmail"
    mkdir -p "$TEST_TMP/cron.d"
    : >"$TEST_TMP/crontab"
    {
        echo "pidfile = $TEST_TMP/crond.pid"
        echo "socket = $SOCK"
        echo "spool = $TEST_TMP/spool/crond.db"
        echo "system_crontab = $TEST_TMP/crontab"
        echo "system_crontab_dir = $TEST_TMP/cron.d"
        echo "cron_allow = $TEST_TMP/cron.allow"
        echo "cron_deny = $TEST_TMP/cron.deny"
        echo "at_allow = $TEST_TMP/at.allow"
        echo "at_deny = $TEST_TMP/at.deny"
        echo "sendmail = $TEST_TMP/sendmail"
        echo "log = stderr"
        local line
        for line in "$@"; do echo "$line"; done
    } >"$CONF"
    chmod 0644 "$CONF"
}

# before_next_minute N: the epoch N seconds before the next minute of the
# real clock, for --test-clock: the test clock's first minute then comes
# N seconds (divided by its speed) after crond starts.
before_next_minute() {
    local now
    now=$(date +%s)
    echo $(( (now / 60 + 1) * 60 - $1 ))
}

start_crond() {
    have_crond || fail "no crond in $BIN"
    "$BIN/crond" -n --config "$CONF" "$@" >>"$TEST_TMP/crond.log" 2>&1 &
    CROND_PID=$!
    local i
    for i in $(seq 1 100); do
        [ -S "$SOCK" ] && return 0
        kill -0 "$CROND_PID" 2>/dev/null || { CROND_PID=""; fail "crond exited at start"; }
        sleep 0.1
    done
    fail "crond did not open its socket $SOCK within 10 s"
}

start_crond_at_open() {
    write_conf
    : >"$TEST_TMP/at.deny"
    start_crond "$@"
}

stop_crond() {
    [ -n "$CROND_PID" ] || return 0
    local pid=$CROND_PID rc=0
    CROND_PID=""
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" || rc=$?
    [ "$rc" -eq 0 ] || fail "crond exited with status $rc after SIGTERM"
}

end_pid() {
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 1 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

cleanup_crond() {
    if [ -n "$CROND_PID" ]; then
        end_pid "$CROND_PID"
        CROND_PID=""
    fi
}
trap cleanup_crond EXIT

small_fs() {
    [ "$(id -u)" = 0 ] || { echo "SKIP: mounting a tmpfs needs root"; exit 0; }
    FS=$TEST_TMP/fs
    mkdir -p "$FS"
    trap 'cleanup_crond; mountpoint -q "$FS" 2>/dev/null && umount "$FS"' EXIT
    mount -t tmpfs -o "size=$1,mode=0700" tmpfs "$FS" || fail "cannot mount a tmpfs on $FS"
}

# A throwaway user for the test alone (kill(-1) and leases of theirs touch
# no other test): its name (PREFIX and the test's pid) in $EVIL, `as_evil
# CMD...` to act as it; on exit crond is stopped, its processes killed and
# it is removed. HOME is /, or DIR when given.
throwaway_user() {   # PREFIX [DIR]
    EVIL=$1$$
    useradd -M -d "${2:-/}" -s /bin/sh "$EVIL" || fail "useradd $EVIL"
    trap 'cleanup_crond; pkill -KILL -u "$EVIL"; userdel "$EVIL" 2>/dev/null' EXIT
}
as_evil() {
    setpriv --reuid="$EVIL" --regid="$EVIL" --clear-groups "$@"
}

# suid_dumpable_test PREFIX: for a test that sets fs.suid_dumpable to 1
# around what it checks. Skips unless crond-session is built and the sysctl
# can be set and reads 0; takes a machine-wide lock (two clones' runs would
# restore each other's 1; up to 120 s); makes a throwaway user (EVIL, from
# PREFIX) and HELPERS, a new directory of root's in /run where a helper may
# live (none may be under sticky /tmp, where TEST_TMP is). At exit the
# sysctl is 0 again and the user and directory are gone.
suid_dumpable_test() {
    [ -x "$BIN/crond-session" ] || fail "crond-session is not built in $BIN"
    [ -w /proc/sys/fs/suid_dumpable ] || { echo "SKIP: fs.suid_dumpable cannot be set here"; exit 0; }
    exec 9>/run/lock/crond-test-suid_dumpable || fail "no lock file"
    flock -w 120 9 || fail "another test holds fs.suid_dumpable for over 120 s"
    local old
    old=$(cat /proc/sys/fs/suid_dumpable)
    [ "$old" = 0 ] || { echo "SKIP: fs.suid_dumpable is $old here, not 0"; exit 0; }
    throwaway_user "$1"
    HELPERS=$(mktemp -d /run/crond-test-helpers.XXXXXX) || fail "no directory in /run"
    chmod 0755 "$HELPERS"
    trap 'echo 0 >/proc/sys/fs/suid_dumpable; cleanup_crond;
          pkill -KILL -u "$EVIL"; userdel "$EVIL" 2>/dev/null; rm -rf "$HELPERS"' EXIT
}

# A system entry of root's that appends the clock (seconds) to
# $TEST_TMP/root.runs every minute: how a test sees that root's jobs still
# start while a user attacks. After write_conf (it writes into cron.d).
root_stamps_every_minute() {
    printf '* * * * * root date +\\%%s >>%s/root.runs\n' "$TEST_TMP" >"$TEST_TMP/cron.d/root"
    chmod 0644 "$TEST_TMP/cron.d/root"
    : >"$TEST_TMP/root.runs"
    chmod 0644 "$TEST_TMP/root.runs"
}

# root_late_during_churn TAG: after stop_crond, how many times root's entry
# whose command has TAG in it started (RUNS) and the latest second of a
# minute one of them started at (LATE: how late, on crond's clock); fails
# when it ran less than twice.
root_late_during_churn() {
    local lines
    lines=$(grep "(root) CMD (.*$1" "$TEST_TMP/crond.log")
    RUNS=$(printf '%s\n' "$lines" | grep -c .)
    [ "$RUNS" -ge 2 ] || fail "root's entry ran $RUNS times in about 2 test minutes"
    local secs
    secs=$(printf '%s\n' "$lines" |
           sed 's/^[0-9-]*T[0-9][0-9]:[0-9][0-9]:\([0-9][0-9]\).*/\1/' | sort -n)
    LATE=$(printf '%s\n' "$secs" | tail -n 1)
    LATE_MEDIAN=$(printf '%s\n' "$secs" | sed -n "$(( (RUNS + 1) / 2 ))p")
}

run() {
    local o="$OUT_FILE" e="$TEST_TMP/.err"
    RC=0
    "$@" >"$o" 2>"$e" || RC=$?
    OUT=$(cat "$o")
    ERR=$(cat "$e")
}

wait_for() {
    local secs=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + secs))
    WAIT_WHY=""
    until "$@"; do
        [ $SECONDS -lt "$deadline" ] || fail "$what: not within $secs s${WAIT_WHY:+ ($WAIT_WHY)}"
        sleep 0.2
    done
}

# write_gap_crontab FILE: 10,000 entries whose every match falls in their
# zone's gap (a rule that skips 02:00-03:00 on 1 March), so that each
# next-run search walks every year to its horizon: the dearest crontab for
# the timer to plan (about 1 s a change in a release build).
write_gap_crontab() {
    {
        echo "HOME=/"
        echo "MAILTO="
        echo "CRON_TZ=AAA0BBB,J60/2,J300/2"
        for i in $(seq 1 10000); do echo "* 2 1 3 * true $i"; done
    } >"$1"
    chmod 0644 "$1"
}

log_has() { grep -q -- "$1" "$TEST_TMP/crond.log"; }

scaled_bound() {
    local b=$(( $1 * ${CROND_TEST_SLOWNESS:-1} ))
    [ $# -lt 2 ] || [ "$b" -le "$2" ] || b=$2
    echo "$b"
}

# rate_bound N START [FLOOR [SPEED]]: the most log lines that crond's rate
# limit (5 lines per owner and kind per 10 s window of crond's clock,
# crond(8) LOG, plus the line that says how many were held back) lets
# through for events that began at START (date +%s%N) and are over now: N
# for each window that time touches on a clock running SPEED times real
# time (default 1), at least FLOOR (empty: none). The windows are counted
# as hardening_change_flood learnt in CI: the length rounded up (whole
# seconds had rounded 3.9 s down to 3), plus one at each end. On a loaded
# machine a flood takes longer and touches more windows; a limit that does
# not hold gives far more lines.
rate_bound() {
    local ms=$(( ($(date +%s%N) - $2) / 1000000 * ${4:-1} ))
    local b=$(( $1 * ((ms + 9999) / 10000 + 2) ))
    [ -z "${3:-}" ] || [ "$b" -ge "$3" ] || b=$3
    echo "$b"
}

# check_limited USER EVENT MINUTES AT_LEAST: USER's EVENT lines, limited per
# owner (5 per 10 s of the daemon's clock, crond(8)), kept within that rate
# over MINUTES test minutes, and said together that at least AT_LEAST lines
# were held back. Sets LIMITED_LINES and LIMITED_HELD. The rate: each
# window of 10 s starts with a line logged at least 10 s after the last
# window's first, so no two start within one ten-second span of the clock
# (:00-:09, :10-:19, ...) and there are no more windows than spans the
# lines' stamps fall in; one more for a stamp taken a moment after the
# limiter's clock. Counting spans, not minutes, holds when a loaded machine
# spreads one minute's burst over more than 10 s of a test clock 30 times
# as fast as the real one (it failed once so).
check_limited() {
    local user=$1 event=$2 minutes=$3 at_least=$4 max spans
    LIMITED_LINES=$(grep -c "($user) $event (" "$TEST_TMP/crond.log")
    spans=$(grep "($user) $event (" "$TEST_TMP/crond.log" | cut -c1-18 | sort -u | wc -l)
    max=$(( 5 * (spans + 1) ))
    [ "$LIMITED_LINES" -le "$max" ] ||
        fail "$user logged $LIMITED_LINES $event lines in $spans ten-second spans of about $minutes minutes (at most $max)"
    LIMITED_HELD=$(limited_held "$user" "$event")
    [ "$LIMITED_HELD" -ge "$at_least" ] || fail "only $LIMITED_HELD $event lines said held back"
}

# limited_held USER EVENT: how many of USER's EVENT lines the log has said
# were held back so far ("; N similar lines not logged").
limited_held() {
    grep -o "($1) $2 (.*; [0-9]* similar lines\{0,1\} not logged)" "$TEST_TMP/crond.log" |
        sed 's/.*; \([0-9]*\) similar lines\{0,1\} not logged)$/\1/' | awk '{ s += $1 } END { print s + 0 }'
}

as_nobody() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

show_last() {
    echo "    exit status: $RC" >&2
    echo "    stdout: $OUT" | head -n 20 >&2
    echo "    stderr: $ERR" | head -n 20 >&2
}

expect_rc() {
    [ "$RC" -eq "$1" ] || { show_last; fail "$2: expected exit status $1, got $RC"; }
}

expect_out() {
    [ "$OUT" = "$1" ] || { show_last; fail "$2: expected stdout '$1'"; }
}

expect_err_has() {
    case "$ERR" in
        *"$1"*) ;;
        *) show_last; fail "$2: expected stderr to contain '$1'" ;;
    esac
}

# Byte-for-byte comparison of two files.
expect_same_file() {
    cmp -s "$1" "$2" || {
        echo "    expected:" >&2; od -c "$1" | head -n 10 >&2
        echo "    got:" >&2; od -c "$2" | head -n 10 >&2
        fail "$3: files differ"
    }
}
