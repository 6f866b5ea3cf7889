#!/bin/bash
# bench/pam_burst.sh: what PAM costs crond's 1,000-job burst.
#
#   pam_burst.sh BIN BUILD        (bench/Makefile runs it as `make pam`)
#
# A private crond (every path in a scratch directory under BUILD) runs N
# (default 1000) `* * * * * root stamp FILE jI` entries due in the same
# minute, on the test clock (the minute starts 2 s after crond), once with
# pam = no and once with pam = yes (service PAM_SERVICE, default Debian's
# "cron", which is the stack etc/pam.d/crond copies; crond-session from
# BIN), ROUNDS times each, alternating. Per run it reports:
#   spread   first to last job start, ms (wall time: the machine's load shows)
#   cpu/job  CPU time of crond and of every process under it (the jobs,
#            with PAM the session helpers and the keepers that close the
#            sessions, which are init's to reap), per job, microseconds:
#            crond runs under bench/reaper_run.py, a child subreaper that
#            reaps those orphans too and adds up its children's rusage once
#            all have ended; and of crond itself alone (utime+stime, from
#            /proc/PID/stat)
# and the medians. Needs root (PAM sessions). KEEP=1 keeps the scratch.
# BASE_BIN=dir adds a third column, "base": the crond in dir (say, a build
# from before PAM existed) without any pam key, to show that pam = no costs
# what crond cost before.
set -u
[ $# -eq 2 ] || { echo "usage: pam_burst.sh BIN BUILD" >&2; exit 2; }
BIN=$(cd "$1" && pwd) || exit 2
BUILD=$(cd "$2" && pwd) || exit 2
N=${N:-1000}
ROUNDS=${ROUNDS:-3}
PAM_SERVICE=${PAM_SERVICE:-cron}
[ "$(id -u)" = 0 ] || { echo "pam_burst: needs root" >&2; exit 1; }
[ -e "/etc/pam.d/$PAM_SERVICE" ] || {
    echo "pam_burst: skipped: no /etc/pam.d/$PAM_SERVICE (PAM_SERVICE=crond after make install)"; exit 0; }
[ -x "$BIN/crond-session" ] || { echo "pam_burst: no $BIN/crond-session" >&2; exit 1; }
STAMP=$BUILD/stamp
W=$(mktemp -d "$BUILD/pam.XXXXXX") || exit 1
PID=""
cleanup() {
    [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    [ "${KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
TCK=$(getconf CLK_TCK)
. "$(dirname "$0")/private_conf.sh"

one_run() {   # pam(yes|no|base) round -> "spread_ms cpu_us_per_job daemon_cpu_us_per_job"
    local d=$W/$1-$2 i crond=$BIN/crond
    [ "$1" = base ] && crond=$BASE_BIN/crond
    private_conf "$d" "max_jobs = 2000" || exit 1
    [ "$1" = base ] || printf 'pam = %s\npam_service = %s\nsession_helper = %s\n' \
        "$1" "$PAM_SERVICE" "$BIN/crond-session" >>"$d/conf"
    awk -v n="$N" -v s="$STAMP" -v f="$d/stamps" \
        'BEGIN { for (i = 0; i < n; i++) printf "* * * * * root %s %s j%d\n", s, f, i }' >"$d/cron.d/burst"
    local now
    now=$(date +%s)
    python3 "$(dirname "$0")/reaper_run.py" "$d/rusage" \
        "$crond" -n --config "$d/conf" --test-clock $(( (now / 60 + 1) * 60 - 2 )) >>"$d/log" 2>&1 &
    PID=$!
    local daemon=""
    for i in $(seq 1 100); do
        daemon=$(pgrep -P "$PID" -x crond) && break
        sleep 0.05
    done
    [ -n "$daemon" ] || { echo "pam_burst: crond did not start (log $d/log)" >&2; exit 1; }
    for i in $(seq 1 1200); do
        [ -s "$d/stamps" ] && [ "$(wc -l <"$d/stamps")" -ge "$N" ] \
            && [ "$(grep -c ' END ' "$d/log")" -ge "$N" ] && break
        sleep 0.1
    done
    local got
    got=$(wc -l <"$d/stamps" 2>/dev/null || echo 0)
    local own total
    own=$(awk '{ print $14 + $15 }' "/proc/$daemon/stat")
    kill -TERM "$PID"; wait "$PID"; PID=""
    [ "$got" -ge "$N" ] || { echo "pam_burst: only $got of $N jobs ran (pam = $1; log $d/log)" >&2; KEEP=1; exit 1; }
    total=$(awk '{ print $2 }' "$d/rusage")
    sort -n "$d/stamps" | awk -v n="$N" -v c="$total" -v o="$own" -v t="$TCK" \
        'NR == 1 { f = $1 } { l = $1 } END { printf "%.1f %.0f %.0f\n", (l - f) * 1000, c / n * 1e6, o / t / n * 1e6 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "pam_burst: $N jobs due at once, pam = no / yes (service $PAM_SERVICE), $ROUNDS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A SPREAD CPU OWN
MODES="no yes"
[ -n "${BASE_BIN:-}" ] && MODES="base no yes"
for r in $(seq 1 "$ROUNDS"); do
    for mode in $MODES; do
        read -r s c o < <(one_run "$mode" "$r") || exit 1
        [ -n "${s:-}" ] || exit 1
        printf '  round %d pam = %-4s  spread %8.1f ms  cpu/job %6d us (crond itself %5d us)\n' \
            "$r" "$mode" "$s" "$c" "$o"
        SPREAD[$mode]+="$s"$'\n' CPU[$mode]+="$c"$'\n' OWN[$mode]+="$o"$'\n'
    done
done
for mode in $MODES; do
    printf 'median pam = %-4s  spread %8.1f ms  cpu/job %6d us (crond itself %5d us)\n' "$mode" \
        "$(printf '%s' "${SPREAD[$mode]}" | median)" "$(printf '%s' "${CPU[$mode]}" | median)" \
        "$(printf '%s' "${OWN[$mode]}" | median)"
done
