#!/bin/bash
# bench/daemon_bench.sh: crond side by side with Debian's cron and busybox
# crond, on this machine, in one run (the figures of issue 4).
#
#   daemon_bench.sh BIN BUILD      (bench/Makefile runs it as `make daemon`)
#
#   BIN     the project's programs (crond, crontab, and at when it exists)
#   BUILD   where the helpers are (stamp, forkloop, startwatch) and where the
#           scratch directory goes (on the disk the build is on)
#   QUICK=1 a smoke test: smaller counts, one latency boundary, the three
#           bursts in the same minute; about 5 minutes instead of about 17
#   KEEP=1  keep the scratch directory (logs, stamps, crontabs)
#   RESULTS=dir  write the run's figures there as data, one file per run
#           (DATE-full.dat or DATE-quick.dat: see "data" below); a full run
#           then draws the curves (bench/plot.sh) as SVG into PLOTS=dir, a
#           QUICK run compares its ratios with the newest committed data
#           file there (bench/guard.sh) and prints what got over 20 % worse
#
# Needs root (the anchors only run as root), unshare(1), Debian's cron
# (package cron) and a busybox with the crond applet: Debian's busybox
# package has none, so busybox-static is fetched with `apt-get download`
# and unpacked under BUILD (nothing is installed). A missing anchor is left
# out with a note.
#
# Every daemon runs privately. crond: a configuration naming every path in
# the scratch directory. Debian's cron: a private mount namespace where
# /etc/cron.d, /etc/crontab and /var/spool/cron/crontabs are the scratch
# directory's and /run is an empty tmpfs (its pidfile and reboot file). busybox:
# -c DIR -L FILE, also with a private /run (its pidfile and crond.reboot).
# Nothing on the machine is changed, and every daemon started here is stopped
# when the script exits, however it exits.
#
# The figures (each job is bench/stamp, which appends its CLOCK_REALTIME to a
# file; every job runs as root, and is a plain command: crond execs it
# without the shell, Debian's cron and busybox run it through /bin/sh -c):
#  1 start latency: one entry; how long after each of its minute
#    boundaries its job started, over LAT_MINUTES boundaries (median, max).
#    crond, 1b and 1c take turns, a minute each (minutes 0, 1 and 2 mod 3),
#    so that no two of them start a job at the same instant on the two
#    CPUs: each meets a boundary the others leave alone, and the window
#    lasts 3 x LAT_MINUTES minutes. Debian's cron and busybox run every
#    minute: they start their jobs about a second after the boundary.
#  1b the same, for a crond that also holds IDLE_N entries (months away)
#    and has LOAD_RUNNING jobs running (@reboot sleeps) all along.
#  1c the limit: bench/boundary, a bare timer that starts the same job
#    (exec'd as crond does) at each boundary and does nothing else, in the
#    same minutes.
#  2 burst: BURST_N entries due in the same minute; from the boundary until
#    the last has started, next to bench/forkloop, a plain C loop that forks
#    and execs the job BURST_N times as crond does (median of 3).
#  3 idle cost: IDLE_N entries at fixed times months away; CPU time (sum of
#    /proc/PID/task/*/schedstat) and wake-ups (voluntary context switches of
#    every thread) over the same window (3 x LAT_MINUTES whole minutes), per minute.
#  4 memory per entry: (VmRSS with IDLE_N entries - VmRSS with none) / IDLE_N,
#    once each has loaded; 27-character commands.
#  5 start-up: bench/startwatch runs each daemon: exec until crond's socket
#    exists (crond creates it after loading), and, for all three alike, exec
#    until the daemon has settled (no thread runnable, CPU time and RSS
#    unchanged for 0.5 s). crond is measured at BIG_N entries; the anchors at
#    IDLE_N and scaled linearly.
#  6 at: jobs queued per second through the at command, crond's against
#    Debian's (in a private namespace with a private atjobs directory),
#    two runs each per concurrency, in the order crond, Debian, Debian, crond;
#    only once BIN/at exists.
# The latency and idle daemons run together (each wakes at its own point of
# the minute; the idle ones use no CPU except at their own wake-up); the
# start-up runs happen while they wait for the first boundary, never within
# 5 s before or 10 s after one. The idle window begins at least 130 s after
# the daemons started (the steady state; QUICK: at the first boundary). In
# the full run each daemon's burst has a minute to itself.
set -u
set -o pipefail
. "$(dirname "$0")/private_conf.sh"   # private_conf_text
. "$(dirname "$0")/deb_at.sh"         # deb_at_prepare, deb_at_loop

[ $# -eq 2 ] || { echo "usage: daemon_bench.sh BIN BUILD" >&2; exit 2; }
BIN=$(cd "$1" && pwd) || exit 2
BUILD=$(cd "$2" && pwd) || exit 2
QUICK=${QUICK:-0}
KEEP=${KEEP:-0}

if [ "$QUICK" = 1 ]; then
    LAT_MINUTES=1 IDLE_N=10000 BURST_N=200 BIG_N=100000 BIG_RUNS=1 LOOP_RUNS=1 IDLE_AFTER=0
    BURST_MORE="100" AT_N=200
else
    LAT_MINUTES=3 IDLE_N=100000 BURST_N=1000 BIG_N=1000000 BIG_RUNS=3 LOOP_RUNS=3 IDLE_AFTER=130
    BURST_MORE="100 10000" AT_N=400
fi
AT_CONC="1 2 4 8"     # at submitters at once
LOAD_RUNNING=500      # jobs running in the loaded latency daemon (figure 1b)
SU_MORE="1000 10000"  # more start-up points for the curve (entries)
ZERO_RUNS=5           # start-ups with no entries, each daemon (median: a
                      # few ms, where one descheduling would dominate)
BB_MAX=65000          # busybox reads at most 65,534 lines of root's crontab
PER_FILE=10000        # entries per file (Debian's cron refuses longer ones,
                      # crond's limit per crontab is 10,000 too)

STAMP=$BUILD/stamp
FORKLOOP=$BUILD/forkloop
BOUNDARY=$BUILD/boundary
STARTWATCH=$BUILD/startwatch
ATLOOP=$BUILD/atloop

die() { echo "daemon_bench: $*" >&2; exit 1; }
note() { echo "  $*"; }
now() { date +%s.%N; }
# fcalc EXPR: floating-point arithmetic through awk (variables: none)
fcalc() { awk "BEGIN { printf \"%.6f\", ($1) }"; }

if [ "$(id -u)" != 0 ]; then
    echo "daemon benchmark: skipped, it needs root (the anchors run only as root)"
    exit 0
fi
for p in "$BIN/crond" "$STAMP" "$FORKLOOP" "$STARTWATCH" "$ATLOOP"; do
    [ -x "$p" ] || die "missing $p"
done
command -v unshare >/dev/null || die "needs unshare (util-linux)"

# ---------------------------------------------------------------- anchors
HAVE_DEB=0
DEB_CRON=$(command -v cron || true)
[ -n "$DEB_CRON" ] || DEB_CRON=/usr/sbin/cron
if [ -x "$DEB_CRON" ]; then HAVE_DEB=1; fi

HAVE_BB=0
BUSYBOX=""
find_busybox() {
    local b
    for b in "${BUSYBOX_BIN:-}" "$(command -v busybox || true)" "$BUILD/busybox-static/bin/busybox"; do
        [ -n "$b" ] && [ -x "$b" ] && "$b" --list 2>/dev/null | grep -qx crond && { BUSYBOX=$b; return 0; }
    done
    return 1
}
if ! find_busybox && command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
    # Debian's busybox has no crond applet; busybox-static has. Unpack it
    # under BUILD; install nothing.
    (cd "$BUILD" && rm -rf busybox-static busybox-static_*.deb &&
        apt-get download -q busybox-static >/dev/null 2>&1 &&
        dpkg-deb -x busybox-static_*.deb busybox-static && rm -f busybox-static_*.deb) ||
        echo "daemon_bench: could not fetch busybox-static" >&2
    find_busybox || true
fi
[ -n "$BUSYBOX" ] && HAVE_BB=1

# ---------------------------------------------------------------- scratch, cleanup
W=$(mktemp -d "$BUILD/daemon.XXXXXX") || die "cannot create a scratch directory in $BUILD"
chmod 0755 "$W"
declare -a DAEMONS=()

# ---------------------------------------------------------------- data
# One line per figure: FIGURE DAEMON X VALUE (X: entries, jobs or
# submitters; DAEMON: crond, deb, bb or loop), after "#" lines naming the
# machine and the run. bench/plot.sh and bench/guard.sh read it.
RESULTS=${RESULTS:-}
PLOTS=${PLOTS:-}
RUN_MODE=$([ "$QUICK" = 1 ] && echo quick || echo full)
DATA=$W/results.dat
{
    echo "# crond daemon benchmark ($RUN_MODE)"
    echo "# date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# machine nproc=$(nproc) cpu=\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)\" kernel=$(uname -r)"
    echo "# load $(cut -d' ' -f1-3 /proc/loadavg) at start"
} >"$DATA"
# record FIGURE DAEMON X VALUE: one line of data (nothing when VALUE is not a number)
record() { [[ $4 =~ ^[0-9.]+$ ]] && printf '%s %s %s %s\n' "$1" "$2" "$3" "$4" >>"$DATA"; return 0; }

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
cleanup() {
    local pid
    for pid in "${DAEMONS[@]}"; do stop_pid "$pid"; done
    DAEMONS=()
    if [ "$KEEP" = 1 ]; then
        echo "daemon_bench: scratch kept in $W"
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- time helpers
# sleep_until T: sleep until the epoch instant T (seconds, may be fractional)
sleep_until() {
    local d
    d=$(awk -v t="$1" -v n="$(now)" 'BEGIN { d = t - n; printf "%.3f", (d > 0 ? d : 0) }')
    sleep "$d"
}
# next_boundary T: the first minute boundary strictly after T
next_boundary() { awk -v t="$1" 'BEGIN { printf "%d", (int(t / 60) + 1) * 60 }'; }
# clear_of_boundary: return when the next boundary is at least 5 s away and
# the last one at least 10 s ago (so a start-up never overlaps a minute scan)
clear_of_boundary() {
    local s
    while :; do
        s=$(( $(date +%s) % 60 ))
        [ "$s" -ge 10 ] && [ "$s" -le 54 ] && return 0
        sleep 1
    done
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# wait_quiet: until at most two tasks (the reading one among them) are
# runnable in each of 20 samples over 2 s (the running/total field of
# /proc/loadavg), at most 120 s; the 1-minute load average lags the
# machine by minutes, so it is not waited for. Prints how long it waited.
wait_quiet() {
    local start=$SECONDS quiet=0 r
    while [ $(( SECONDS - start )) -lt 120 ] && [ "$quiet" -lt 20 ]; do
        r=$(cut -d' ' -f4 /proc/loadavg)
        if [ "${r%/*}" -le 2 ]; then quiet=$(( quiet + 1 )); else quiet=0; fi
        sleep 0.1
    done
    echo "  (waited $(( SECONDS - start )) s for a quiet machine: $([ "$quiet" -ge 20 ] && echo quiet || echo "still busy"))"
}

# ---------------------------------------------------------------- crontabs
FAR_MONTH=$(( ( $(date +%-m) + 5 ) % 12 + 1 ))   # six months away: never due now

# idle_lines FIRST COUNT USERFIELD: entries at fixed times in FAR_MONTH, all
# different, each with a 27-character command "/bin/true iNNNNNNNNNNNNNNNN".
idle_lines() {
    awk -v first="$1" -v n="$2" -v user="$3" -v mon="$FAR_MONTH" 'BEGIN {
        for (i = first; i < first + n; i++)
            printf "%d %d %d %d * %s/bin/true i%016d\n", i % 60, int(i / 60) % 24,
                   1 + int(i / 1440) % 28, mon, user, i
    }'
}
# system_dir DIR N: DIR holding N entries in system format (user root),
# PER_FILE to a file, owned by root, mode 0644 (what both crond and Debian's
# cron require of /etc/cron.d files)
system_dir() {
    local dir=$1 n=$2 f=0 first=0 count
    mkdir -p "$dir"
    while [ "$first" -lt "$n" ]; do
        count=$(( n - first < PER_FILE ? n - first : PER_FILE ))
        idle_lines "$first" "$count" "root " >"$dir/idle$(printf %04d $f)"
        first=$(( first + count )); f=$(( f + 1 ))
    done
    chmod 0644 "$dir"/* 2>/dev/null
    return 0
}

# ---------------------------------------------------------------- launchers
# Each starts one daemon in the background, private to DIR, and leaves its pid
# (which is the daemon's own: every wrapper execs) in LAUNCHED. Arguments
# after DIR are a wrapper (startwatch ... --) run as the last exec.

# crond: DIR/conf names every path inside DIR; system crontabs in CRONDIR
# (default DIR/cron.d)
crond_prepare() {
    local d=$1 crondir=${2:-$1/cron.d}
    mkdir -p "$d" "$crondir"
    : >"$d/crontab"
    private_conf_text "$d" "$crondir" >"$d/conf"
}
launch_crond() {
    local d=$1; shift
    ( exec "$@" "$BIN/crond" -n --config "$d/conf" ) >>"$d/log" 2>&1 &
    LAUNCHED=$!
    DAEMONS+=("$LAUNCHED")
}

# Debian's cron: DIR/cron.d over /etc/cron.d, an empty DIR/crontab over
# /etc/crontab, an empty DIR/tabs over /var/spool/cron/crontabs, tmpfs /run
deb_prepare() {
    local d=$1 crondir=${2:-$1/cron.d}
    mkdir -p "$d" "$crondir" "$d/tabs"
    : >"$d/crontab"
    chgrp crontab "$d/tabs" 2>/dev/null
    chmod 1730 "$d/tabs"
    echo "$crondir" >"$d/crondir"
}
launch_deb() {
    local d=$1; shift
    ( exec unshare -m bash -c '
        set -e
        d=$1; shift
        mount -t tmpfs -o mode=0755 tmpfs /run
        mount --bind "$(cat "$d/crondir")" /etc/cron.d
        mount -o bind,ro "$d/crontab" /etc/crontab
        mount --bind "$d/tabs" /var/spool/cron/crontabs
        exec "$@" "'"$DEB_CRON"'" -f' bash "$d" "$@" ) >>"$d/log" 2>&1 &
    LAUNCHED=$!
    DAEMONS+=("$LAUNCHED")
}

# busybox crond: DIR/tabs/root (root's crontab, at most 65,534 lines), log in
# DIR/log, tmpfs /run; SHELL=/bin/sh as the others use (else root's shell)
bb_prepare() { mkdir -p "$1/tabs"; : >"$1/log"; }
launch_bb() {
    local d=$1; shift
    ( export SHELL=/bin/sh
      exec unshare -m bash -c '
        set -e
        d=$1; shift
        mount -t tmpfs -o mode=0755 tmpfs /run
        exec "$@" "'"$BUSYBOX"'" crond -f -c "$d/tabs" -L "$d/log"' bash "$d" "$@" ) >>"$d/stdout" 2>&1 &
    LAUNCHED=$!
    DAEMONS+=("$LAUNCHED")
}

stop_launched() {
    local pid=$1 p
    stop_pid "$pid"
    local keep=()
    for p in "${DAEMONS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    DAEMONS=("${keep[@]}")
}

# ---------------------------------------------------------------- /proc sampling
# proc_stats PID: "CPU_NS VOLUNTARY NONVOLUNTARY RSS_KB THREADS" summed over
# the threads alive now
proc_stats() {
    local pid=$1 t cpu=0 v=0 nv=0 n=0 a rest line
    for t in /proc/"$pid"/task/*; do
        read -r a rest <"$t/schedstat" 2>/dev/null || continue
        cpu=$(( cpu + a ))
        n=$(( n + 1 ))
        while read -r line; do
            case $line in
                voluntary_ctxt_switches:*) v=$(( v + ${line##*:} )) ;;
                nonvoluntary_ctxt_switches:*) nv=$(( nv + ${line##*:} )) ;;
            esac
        done <"$t/status"
    done
    a=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status 2>/dev/null)
    echo "$cpu $v $nv ${a:-0} $n"
}

# ---------------------------------------------------------------- start-up runs
# swval KEY LINE: the value of KEY=VALUE in startwatch's line
swval() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# start_run NAME DIR N [--socket PATH]: one start under startwatch; sets
# SW_SETTLE SW_SOCKET SW_RSS SW_CPU SW_FLT (ms, ms, kB, ms, minor page
# faults); "-" when it failed.
start_run() {
    local name=$1 d=$2 n=$3 out i line
    shift 3
    out=$W/sw.$name.$n.$RANDOM
    clear_of_boundary
    "launch_$name" "$d" "$STARTWATCH" --out "$out" "$@" --
    for i in $(seq 1 1200); do
        [ -e "$out" ] && break
        sleep 0.1
    done
    line=$(cat "$out" 2>/dev/null || echo missing)
    stop_launched "$LAUNCHED"
    SW_SETTLE=- SW_SOCKET=- SW_RSS=- SW_CPU=- SW_FLT=-
    case $line in
        socket_ms=*)
            SW_SETTLE=$(swval settle_ms "$line") SW_RSS=$(swval rss_kb "$line")
            SW_CPU=$(swval cpu_ms "$line") SW_SOCKET=$(swval socket_ms "$line")
            SW_FLT=$(swval minflt "$line")
            [ "$SW_SOCKET" != "-1.0" ] || SW_SOCKET=-
            ;;
        *) echo "daemon_bench: $name with $n entries: start-up watch said '$line'" >&2 ;;
    esac
    if [[ $n =~ ^[0-9]+$ ]]; then
        record startup_ms "$name" "$n" "$SW_SETTLE"
        record socket_ms "$name" "$n" "$SW_SOCKET"
        record rss_kb "$name" "$n" "$SW_RSS"
        record startup_cpu_ms "$name" "$n" "$SW_CPU"
        record startup_minflt "$name" "$n" "$SW_FLT"
    fi
    printf '  %-8s %8s entries: settled %8s ms%s, RSS %7s kB, CPU %7s ms, %s page faults\n' \
        "$name" "$n" "$SW_SETTLE" "$( [ "$SW_SOCKET" != - ] && echo ", socket $SW_SOCKET ms")" \
        "$SW_RSS" "$SW_CPU" "$SW_FLT"
}

# start_zero NAME DIR [--socket PATH]: ZERO_RUNS start-ups with no entries;
# sets ST_SETTLE0[NAME], ST_RSS0[NAME] and ST_FLT0[NAME] to their medians
start_zero() {
    local name=$1 d=$2 settles="" rsses="" faults="" _
    shift 2
    for _ in $(seq 1 "$ZERO_RUNS"); do
        start_run "$name" "$d" 0 "$@"
        settles+="$SW_SETTLE"$'\n' rsses+="$SW_RSS"$'\n' faults+="$SW_FLT"$'\n'
    done
    ST_SETTLE0[$name]=$(printf '%s' "$settles" | grep -v '^-$' | median)
    ST_RSS0[$name]=$(printf '%s' "$rsses" | grep -v '^-$' | median | cut -d. -f1)
    ST_FLT0[$name]=$(printf '%s' "$faults" | grep -v '^-$' | median | cut -d. -f1)
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------- header
echo "daemon benchmark ($([ "$QUICK" = 1 ] && echo "QUICK: a smoke test, smaller counts" || echo full))"
echo "  machine: $(nproc) CPUs, $(uname -r), load average $(loadavg) at start, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "  crond:   $BIN/crond"
if [ "$HAVE_DEB" = 1 ]; then
    echo "  cron:    $DEB_CRON (Debian cron $(dpkg-query -W -f='${Version}' cron 2>/dev/null || echo '?'))"
else
    echo "  cron:    not installed (apt-get install cron): left out"
fi
if [ "$HAVE_BB" = 1 ]; then
    echo "  busybox: $BUSYBOX ($("$BUSYBOX" 2>&1 | head -n 1 | cut -d' ' -f2-3))"
else
    echo "  busybox: no busybox with the crond applet: left out"
fi
echo "  scratch: $W"

# ---------------------------------------------------------------- generate
echo "generating crontabs..."
G=$W/gen
system_dir "$G/idle" "$IDLE_N"
mkdir -p "$G/empty"
BB_IDLE_N=$(( IDLE_N < BB_MAX ? IDLE_N : BB_MAX ))
for n in $SU_MORE; do [ "$n" = "$IDLE_N" ] || system_dir "$G/n$n" "$n"; done

# ---------------------------------------------------------------- latency + idle daemons
echo "starting the latency and idle daemons..."
LAT=$W/lat
mkdir -p "$LAT"
# crond, 1b and 1c take turns (see the top): minutes 0, 1 and 2 mod LAT_TURNS
LAT_TURNS=3
printf '0-59/%d * * * * root %s %s\n' "$LAT_TURNS" "$STAMP" "$LAT/crond.stamps" >"$W/lat.system"
# and a run at start, as 1b has its @reboot sleeps: a daemon's first run
# pays once for glibc's loading of the NSS modules its owner's lookup
# needs (1 ms and more: ARCHITECTURE.md), and QUICK measures the first
# boundary, so it measured that where the full run, the guard's
# reference, measures the steady state (QUICK's latency ratio 2.08
# against the full run's 1.49, 1b's first boundary at 4.2 ms against
# crond's 6.3).
echo "@reboot root /bin/true" >>"$W/lat.system"
declare -A LAT_PID IDLE_PID IDLE_N_OF

crond_prepare "$W/lat-crond"
cp "$W/lat.system" "$W/lat-crond/cron.d/lat"
chmod 0644 "$W/lat-crond/cron.d/lat"
launch_crond "$W/lat-crond"; LAT_PID[crond]=$LAUNCHED
# crond under load (figure 1b): the same entry beside IDLE_N entries at
# fixed times months away and LOAD_RUNNING jobs running (@reboot sleeps,
# started with the daemon; max_jobs raised so that none waits)
crond_prepare "$W/latload-crond"
printf "max_jobs = %d\nmax_jobs_per_user = %d\n" $(( LOAD_RUNNING + 64 )) $(( LOAD_RUNNING + 64 )) >>"$W/latload-crond/conf"
cp "$G/idle"/* "$W/latload-crond/cron.d/"
printf '1-59/%d * * * * root %s %s\n' "$LAT_TURNS" "$STAMP" "$LAT/crondload.stamps" >"$W/latload-crond/cron.d/lat"
awk -v n="$LOAD_RUNNING" 'BEGIN { for (i = 0; i < n; i++) printf "@reboot root sleep %d\n", 7200 + i }' \
    >"$W/latload-crond/cron.d/running"
chmod 0644 "$W/latload-crond/cron.d"/*
launch_crond "$W/latload-crond"; LAT_PID[crondload]=$LAUNCHED
crond_prepare "$W/idle-crond" "$G/idle"
launch_crond "$W/idle-crond"; IDLE_PID[crond]=$LAUNCHED; IDLE_N_OF[crond]=$IDLE_N
# the limit (figure 1c): a bare timer that starts the same job as crond does
# at each boundary and does nothing else (bench/boundary.c)
( exec "$BOUNDARY" "$STAMP $LAT/limit.stamps" "$LAT_TURNS" 2 ) >/dev/null 2>&1 &
LAT_PID[limit]=$!; DAEMONS+=("$!")
if [ "$HAVE_DEB" = 1 ]; then
    deb_prepare "$W/lat-deb"
    printf 'MAILTO=""\n* * * * * root %s %s\n' "$STAMP" "$LAT/deb.stamps" >"$W/lat-deb/cron.d/lat"
    chmod 0644 "$W/lat-deb/cron.d/lat"
    launch_deb "$W/lat-deb"; LAT_PID[deb]=$LAUNCHED
    deb_prepare "$W/idle-deb" "$G/idle"
    launch_deb "$W/idle-deb"; IDLE_PID[deb]=$LAUNCHED; IDLE_N_OF[deb]=$IDLE_N
fi
if [ "$HAVE_BB" = 1 ]; then
    bb_prepare "$W/lat-bb"
    printf '* * * * * %s %s\n' "$STAMP" "$LAT/bb.stamps" >"$W/lat-bb/tabs/root"
    launch_bb "$W/lat-bb"; LAT_PID[bb]=$LAUNCHED
    bb_prepare "$W/idle-bb"
    idle_lines 0 "$BB_IDLE_N" "" >"$W/idle-bb/tabs/root"
    launch_bb "$W/idle-bb"; IDLE_PID[bb]=$LAUNCHED; IDLE_N_OF[bb]=$BB_IDLE_N
fi
LAUNCH_TIME=$(date +%s)
system_dir "$G/big" "$BIG_N"
sleep 2
for k in "${!LAT_PID[@]}"; do
    kill -0 "${LAT_PID[$k]}" 2>/dev/null || die "the $k latency daemon exited at start (see $W/lat-$k)"
done
for k in "${!IDLE_PID[@]}"; do
    kill -0 "${IDLE_PID[$k]}" 2>/dev/null || die "the $k idle daemon exited at start (see $W/idle-$k)"
done

# ---------------------------------------------------------------- start-up (while they wait)
echo "start-up runs (load average $(loadavg)):"
declare -A ST_SETTLE0 ST_RSS0 ST_FLT0 ST_SETTLEN ST_RSSN
# crond: one unmeasured run creates the spool, so no run pays for that
crond_prepare "$W/st-crond" "$G/empty"
start_run crond "$W/st-crond" warm-up >/dev/null
crond_prepare "$W/st-crond" "$G/empty"
start_zero crond "$W/st-crond" --socket "$W/st-crond/crond.sock"
crond_prepare "$W/st-crond" "$G/idle"
start_run crond "$W/st-crond" "$IDLE_N" --socket "$W/st-crond/crond.sock"
ST_SETTLEN[crond]=$SW_SETTLE ST_RSSN[crond]=$SW_RSS
# more points for the curve of start-up against entries
for n in $SU_MORE; do
    [ "$n" = "$IDLE_N" ] && continue
    crond_prepare "$W/st-crond" "$G/n$n"
    start_run crond "$W/st-crond" "$n" --socket "$W/st-crond/crond.sock"
    if [ "$HAVE_DEB" = 1 ]; then
        deb_prepare "$W/st-deb$n" "$G/n$n"
        start_run deb "$W/st-deb$n" "$n"
    fi
    if [ "$HAVE_BB" = 1 ] && [ "$n" -le "$BB_MAX" ]; then
        bb_prepare "$W/st-bb$n"
        idle_lines 0 "$n" "" >"$W/st-bb$n/tabs/root"
        start_run bb "$W/st-bb$n" "$n"
    fi
done
crond_prepare "$W/st-crond" "$G/big"
BIG_SOCKS="" BIG_SETTLES=""
for _ in $(seq 1 "$BIG_RUNS"); do
    start_run crond "$W/st-crond" "$BIG_N" --socket "$W/st-crond/crond.sock"
    BIG_SOCKS+="$SW_SOCKET"$'\n' BIG_SETTLES+="$SW_SETTLE"$'\n'
done
BIG_SOCK=$(printf '%s' "$BIG_SOCKS" | grep -v '^-$' | median)
BIG_SETTLE=$(printf '%s' "$BIG_SETTLES" | grep -v '^-$' | median)
if [ "$HAVE_DEB" = 1 ]; then
    deb_prepare "$W/st-deb0" "$G/empty"
    start_zero deb "$W/st-deb0"
    deb_prepare "$W/st-debn" "$G/idle"
    start_run deb "$W/st-debn" "$IDLE_N"
    ST_SETTLEN[deb]=$SW_SETTLE ST_RSSN[deb]=$SW_RSS
fi
if [ "$HAVE_BB" = 1 ]; then
    bb_prepare "$W/st-bb0"
    start_zero bb "$W/st-bb0"
    bb_prepare "$W/st-bbn"
    idle_lines 0 "$BB_IDLE_N" "" >"$W/st-bbn/tabs/root"
    start_run bb "$W/st-bbn" "$BB_IDLE_N"
    ST_SETTLEN[bb]=$SW_SETTLE ST_RSSN[bb]=$SW_RSS
fi

# ---------------------------------------------------------------- latency + idle window
# The window begins IDLE_AFTER s after the daemons were started at the
# earliest: what is measured is the steady state, not the first minutes.
t=$(date +%s)
[ "$t" -ge $(( LAUNCH_TIME + IDLE_AFTER - 10 )) ] || t=$(( LAUNCH_TIME + IDLE_AFTER - 10 ))
S0=$(( $(next_boundary "$t") + 10 ))
WINDOW_MINUTES=$(( LAT_MINUTES * LAT_TURNS ))
S1=$(( S0 + WINDOW_MINUTES * 60 ))
echo "latency and idle window: $(date -u -d @"$S0" +%H:%M:%S)-$(date -u -d @"$S1" +%H:%M:%S) UTC ($WINDOW_MINUTES minute boundaries)"
sleep_until "$S0"
declare -A IDLE_A IDLE_B
for k in "${!IDLE_PID[@]}"; do IDLE_A[$k]=$(proc_stats "${IDLE_PID[$k]}"); done
LOAD_WINDOW_START=$(loadavg)
sleep_until "$S1"
for k in "${!IDLE_PID[@]}"; do IDLE_B[$k]=$(proc_stats "${IDLE_PID[$k]}"); done
LOAD_WINDOW_END=$(loadavg)
echo "  load average $LOAD_WINDOW_START at the start of the window, $LOAD_WINDOW_END at its end"
declare -A LAT_MED LAT_MAX LAT_CNT IDLE_CPU IDLE_WAKE
for k in "${!LAT_PID[@]}"; do
    kill -0 "${LAT_PID[$k]}" 2>/dev/null || echo "daemon_bench: the $k latency daemon died during the window" >&2
    f=$LAT/$k.stamps
    [ -e "$f" ] || : >"$f"
    # each job's start, as milliseconds after the minute boundary before it
    awk -v a="$S0" -v b="$S1" '$1 > a && $1 <= b { printf "%.3f\n", ($1 - int($1 / 60) * 60) * 1000 }' "$f" >"$f.ms"
    LAT_CNT[$k]=$(wc -l <"$f.ms")
    LAT_MED[$k]=$(median <"$f.ms")
    LAT_MAX[$k]=$(sort -g "$f.ms" | tail -n 1)
    [ -n "${LAT_MAX[$k]}" ] || LAT_MAX[$k]=-
    printf '  latency %-6s %s runs, ms after the boundary: %s\n' "$k" "${LAT_CNT[$k]}" "$(tr '\n' ' ' <"$f.ms")"
    record latency_ms "$k" median "${LAT_MED[$k]}"
    record latency_max_ms "$k" max "${LAT_MAX[$k]}"
done
for k in "${!IDLE_PID[@]}"; do
    read -r c0 v0 nv0 _ _ <<<"${IDLE_A[$k]}"
    read -r c1 v1 nv1 rss1 th1 <<<"${IDLE_B[$k]}"
    IDLE_CPU[$k]=$(fcalc "($c1 - $c0) / 1e6 / $WINDOW_MINUTES")
    IDLE_WAKE[$k]=$(fcalc "($v1 - $v0) / $WINDOW_MINUTES")
    record idle_cpu_ms "$k" "${IDLE_N_OF[$k]}" "${IDLE_CPU[$k]}"
    record idle_wakeups "$k" "${IDLE_N_OF[$k]}" "${IDLE_WAKE[$k]}"
    printf '  idle %-6s %7s entries, %s threads: CPU %s ms, %s voluntary + %s involuntary switches over %s min; RSS %s kB\n' \
        "$k" "${IDLE_N_OF[$k]}" "$th1" "$(fcalc "($c1 - $c0) / 1e6")" "$(( v1 - v0 ))" "$(( nv1 - nv0 ))" \
        "$WINDOW_MINUTES" "$rss1"
done
for k in "${!LAT_PID[@]}"; do stop_launched "${LAT_PID[$k]}"; done
for k in "${!IDLE_PID[@]}"; do stop_launched "${IDLE_PID[$k]}"; done

# ---------------------------------------------------------------- burst
echo "burst: $BURST_N jobs due in one minute (load average $(loadavg))"
BURST=$W/burst
mkdir -p "$BURST"
LOOPS=""
for _ in $(seq 1 "$LOOP_RUNS"); do
    rm -f "$BURST/loop.stamps"
    read -r t0 t1 < <("$FORKLOOP" "$BURST_N" "$STAMP $BURST/loop.stamps")
    last=$(sort -g "$BURST/loop.stamps" | tail -n 1)
    LOOPS+="$(fcalc "($last - $t0) * 1000")"$'\n'
    printf '  fork+exec loop: %s started, the last %.1f ms after the loop began (forking took %.1f ms)\n' \
        "$(wc -l <"$BURST/loop.stamps")" "$(fcalc "($last - $t0) * 1000")" "$(fcalc "($t1 - $t0) * 1000")"
    sleep 1
done
LOOP_MS=$(printf '%s' "$LOOPS" | median)
record burst_last_ms loop "$BURST_N" "$LOOP_MS"

# burst_lines USERFIELD FILE TARGET [N]: N (default BURST_N) different
# entries due at the minute TARGET (local time), each running stamp FILE
burst_lines() {
    local mm hh
    mm=$(date -d @"$3" +%-M) hh=$(date -d @"$3" +%-H)
    awk -v n="${4:-$BURST_N}" -v u="$1" -v f="$2" -v s="$STAMP" -v mm="$mm" -v hh="$hh" \
        'BEGIN { for (i = 0; i < n; i++) printf "%d %d * * * %s%s %s j%d\n", mm, hh, u, s, f, i }'
}
B1=$(next_boundary "$(( $(date +%s) + 15 ))")
declare -A B_TARGET B_PID
B_TARGET[crond]=$B1
if [ "$QUICK" = 1 ]; then
    B_TARGET[bb]=$B1 B_TARGET[deb]=$B1
    echo "  (QUICK: the three bursts share the minute $(date -u -d @"$B1" +%H:%M) UTC, so they compete)"
else
    B_TARGET[bb]=$(( B1 + 60 )) B_TARGET[deb]=$(( B1 + 120 ))
fi
crond_prepare "$W/burst-crond"
burst_lines "root " "$BURST/crond.stamps" "${B_TARGET[crond]}" >"$W/burst-crond/cron.d/burst"
chmod 0644 "$W/burst-crond/cron.d/burst"
launch_crond "$W/burst-crond"; B_PID[crond]=$LAUNCHED
if [ "$HAVE_DEB" = 1 ]; then
    deb_prepare "$W/burst-deb"
    { echo 'MAILTO=""'; burst_lines "root " "$BURST/deb.stamps" "${B_TARGET[deb]}"; } >"$W/burst-deb/cron.d/burst"
    chmod 0644 "$W/burst-deb/cron.d/burst"
    launch_deb "$W/burst-deb"; B_PID[deb]=$LAUNCHED
fi
if [ "$HAVE_BB" = 1 ]; then
    bb_prepare "$W/burst-bb"
    burst_lines "" "$BURST/bb.stamps" "${B_TARGET[bb]}" >"$W/burst-bb/tabs/root"
    launch_bb "$W/burst-bb"; B_PID[bb]=$LAUNCHED
fi
declare -A B_LAST B_FIRST B_CNT B_RATE
for k in crond bb deb; do
    [ -n "${B_PID[$k]:-}" ] || continue
    t=${B_TARGET[$k]}
    f=$BURST/$k.stamps
    sleep_until "$t"
    for i in $(seq 1 550); do
        [ -e "$f" ] && [ "$(wc -l <"$f")" -ge "$BURST_N" ] && break
        sleep 0.1
    done
    [ -e "$f" ] || : >"$f"
    B_CNT[$k]=$(wc -l <"$f")
    B_FIRST[$k]=$(sort -g "$f" | head -n 1)
    B_LAST[$k]=$(sort -g "$f" | tail -n 1)
    if [ "${B_CNT[$k]}" -gt 0 ]; then
        B_FIRST[$k]=$(fcalc "(${B_FIRST[$k]} - $t) * 1000")
        B_LAST[$k]=$(fcalc "(${B_LAST[$k]} - $t) * 1000")
        B_RATE[$k]=$(fcalc "${B_CNT[$k]} / (${B_LAST[$k]} / 1000)")
    else
        B_FIRST[$k]=- B_LAST[$k]=- B_RATE[$k]=-
    fi
    printf '  %-6s %s of %s started: first %.1f ms, last %.1f ms after the boundary (load average %s)\n' \
        "$k" "${B_CNT[$k]}" "$BURST_N" "${B_FIRST[$k]/-/0}" "${B_LAST[$k]/-/0}" "$(loadavg)"
    [ "${B_CNT[$k]}" = "$BURST_N" ] && record burst_last_ms "$k" "$BURST_N" "${B_LAST[$k]}"
    [ "${B_CNT[$k]}" = "$BURST_N" ] && record burst_first_ms "$k" "$BURST_N" "${B_FIRST[$k]}"
done
for k in "${!B_PID[@]}"; do stop_launched "${B_PID[$k]}"; done
LOOP_RATE=$(fcalc "$BURST_N / ($LOOP_MS / 1000)")

# The curve: crond's bursts of BURST_MORE jobs, each in a minute of its
# own, next to the fork+exec loop at the same N (the anchors have their
# one burst above).
for bn in $BURST_MORE; do
    loops=""
    for _ in $(seq 1 "$LOOP_RUNS"); do
        rm -f "$BURST/loop$bn.stamps"
        read -r t0 t1 < <("$FORKLOOP" "$bn" "$STAMP $BURST/loop$bn.stamps")
        last=$(sort -g "$BURST/loop$bn.stamps" | tail -n 1)
        loops+="$(fcalc "($last - $t0) * 1000")"$'\n'
        sleep 1
    done
    loop_ms=$(printf '%s' "$loops" | median)
    record burst_last_ms loop "$bn" "$loop_ms"
    t=$(next_boundary "$(( $(date +%s) + 15 ))")
    d=$W/burst-crond$bn f=$BURST/crond$bn.stamps
    crond_prepare "$d"
    # in files of 2,000 lines: a crontab file holds at most 1 MiB
    burst_lines "root " "$f" "$t" "$bn" | split -l 2000 - "$d/cron.d/burst"
    chmod 0644 "$d"/cron.d/burst*
    launch_crond "$d"; pid=$LAUNCHED
    sleep_until "$t"
    for i in $(seq 1 550); do
        [ -e "$f" ] && [ "$(wc -l <"$f")" -ge "$bn" ] && break
        sleep 0.1
    done
    stop_launched "$pid"
    [ -e "$f" ] || : >"$f"
    cnt=$(wc -l <"$f")
    if [ "$cnt" = "$bn" ]; then
        first=$(fcalc "($(sort -g "$f" | head -n 1) - $t) * 1000")
        last=$(fcalc "($(sort -g "$f" | tail -n 1) - $t) * 1000")
        record burst_last_ms crond "$bn" "$last"
        record burst_first_ms crond "$bn" "$first"
        printf '  crond  %s of %s started: first %.1f ms, last %.1f ms after the boundary; fork+exec loop %.1f ms (load average %s)\n' \
            "$cnt" "$bn" "$first" "$last" "$loop_ms" "$(loadavg)"
    else
        echo "daemon_bench: crond's burst of $bn: only $cnt started" >&2
    fi
done

# ---------------------------------------------------------------- at
# bench/atloop runs AT_N submissions through the at command with C
# submitters at once (C in AT_CONC), each waiting for its `at` to exit
# before the next; both at commands read the job from a file. The rate
# counts only what `at` reported queued (exit 0), and crond's at exits 0
# only once its job is durable in the spool (Debian's at does not fsync).
AT_NOTE=""
declare -A AT_RATE
# Debian's at: a private atjobs/atspool (same owner and mode) in a private
# mount namespace, so Debian's spool keeps no job and no sequence change.
# deb_at C: one run of C submitters; prints "OK SECONDS CPU"
deb_at() { deb_at_loop "$W/at-deb" "$ATLOOP" "$1" "$AT_N" "$W/at-job"; }
HAVE_DEB_AT=0
if [ "$HAVE_DEB" = 1 ] && deb_at_prepare "$W/at-deb"; then
    HAVE_DEB_AT=1
fi
if [ -x "$BIN/at" ]; then
    wait_quiet   # the bursts' jobs and their reaping end first
    # crond says a job is queued once it is on disk, and its fsyncs are
    # slower while the disk has other files' data to write back (what
    # the start-up and burst phases wrote): a full run gave 349 jobs a
    # second one at a time against Debian's 402, and bench/at_ab.sh with
    # 300 MB of other files waiting 444 against 479, then 662 against 489
    # after a sync. Debian's at does not sync, so only crond paid for the
    # phases before. Both now start from a settled disk.
    sync
    echo "at: 2 runs of $AT_N jobs each queued through the at command, by 1 to ${AT_CONC##* } submitters at once (load average $(loadavg))"
    echo /bin/true >"$W/at-job"
    chmod 0644 "$W/at-job"
    crond_prepare "$W/at-crond"
    launch_crond "$W/at-crond"; AT_CROND=$LAUNCHED
    for i in $(seq 1 100); do [ -S "$W/at-crond/crond.sock" ] && break; sleep 0.1; done
    # crond's and Debian's runs alternate, one concurrency after the other,
    # so that both meet the same machine (the burst before leaves load),
    # twice each, in the order crond, Debian, Debian, crond: the first run
    # of the phase was always crond's, and a full run once gave crond's
    # first 400 jobs 395 a second where bench/at_ab.sh right after gave
    # 613-696. Each figure is both runs' jobs over both runs' time.
    # at_once WHO C: one run; adds its jobs and seconds to AT_OK[WHO.C]
    # and AT_SECS[WHO.C]
    declare -A AT_OK AT_SECS
    at_once() {
        local who=$1 c=$2 ok secs cpu
        if [ "$who" = crond ]; then
            read -r ok secs cpu < <("$ATLOOP" "$c" "$AT_N" "$W/at-job" "$BIN/at" --config "$W/at-crond/conf" now + 1 hour)
            [ "$ok" = "$AT_N" ] || echo "daemon_bench: crond's at queued $ok of $AT_N jobs ($c at once)" >&2
        else
            read -r ok secs cpu < <(deb_at "$c") || ok=""
            [[ $ok =~ ^[0-9]+$ ]] || { echo "daemon_bench: Debian's at failed ($c at once)" >&2; return 1; }
        fi
        AT_OK[$who.$c]=$(( ${AT_OK[$who.$c]:-0} + ok ))
        AT_SECS[$who.$c]=$(fcalc "${AT_SECS[$who.$c]:-0} + $secs")
        note "$([ "$who" = crond ] && echo crond || echo "Debian at"), $c at once: $ok jobs in $(fcalc "$secs * 1000") ms, $(printf '%.0f' "$(fcalc "$ok / $secs")")/s (load average $(loadavg))"
    }
    for c in $AT_CONC; do
        order="crond crond"
        [ "$HAVE_DEB_AT" = 1 ] && order="crond deb deb crond"
        failed=""
        for who in $order; do at_once "$who" "$c" || failed="$failed $who"; done
        AT_RATE[crond.$c]=$(fcalc "${AT_OK[crond.$c]} / ${AT_SECS[crond.$c]}")
        record at_rate crond "$c" "${AT_RATE[crond.$c]}"
        if [ "$HAVE_DEB_AT" = 1 ] && [[ $failed != *deb* ]]; then
            AT_RATE[deb.$c]=$(fcalc "${AT_OK[deb.$c]} / ${AT_SECS[deb.$c]}")
            record at_rate deb "$c" "${AT_RATE[deb.$c]}"
        fi
    done
    stop_launched "$AT_CROND"
    if [ "$HAVE_DEB_AT" = 1 ]; then
        note "(private atjobs: $(ls "$W/at-deb/atjobs" | wc -l) files)"
    else
        note "Debian's at is not installed: no anchor for the at figure"
    fi
else
    AT_NOTE="skipped: $BIN/at does not exist yet"
fi

# ---------------------------------------------------------------- table
# row LABEL BETTER CROND DEB BB: the ratio columns are crond / anchor
row() {
    local label=$1 better=$2 c=$3 d=$4 b=$5 rd=- rb=-
    [ "$HAVE_DEB" = 1 ] || d="n/a"
    [ "$HAVE_BB" = 1 ] || b="n/a"
    isnum() { [[ $1 =~ ^[0-9.]+$ ]]; }
    if isnum "$c" && isnum "$d" && [ "$(fcalc "$d > 0")" != 0.000000 ]; then rd=$(fcalc "$c / $d"); rd=$(printf '%.3g' "$rd"); fi
    if isnum "$c" && isnum "$b" && [ "$(fcalc "$b > 0")" != 0.000000 ]; then rb=$(fcalc "$c / $b"); rb=$(printf '%.3g' "$rb"); fi
    fmt() { if isnum "$1"; then printf '%.4g' "$1"; else printf '%s' "$1"; fi; }
    printf '%-50s %10s %10s %10s %10s %10s  %s\n' "$label" "$(fmt "$c")" "$(fmt "$d")" "$(fmt "$b")" "$rd" "$rb" "$better"
}
scale() { # value at N_FROM entries, value at 0 -> value at N_TO, linear
    local v=$1 v0=$2 from=$3 to=$4
    [[ $v =~ ^[0-9.]+$ && $v0 =~ ^[0-9.]+$ ]] || { echo -; return; }
    fcalc "$v0 + ($v - $v0) * $to / $from"
}
per_entry() { # rss_n rss_0 n -> bytes per entry
    [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] || { echo -; return; }
    fcalc "($1 - $2) * 1024 / $3"
}
mb() { [[ $1 =~ ^[0-9]+$ ]] && fcalc "$1 / 1024" || echo -; }
sc() { fcalc "$1 * ${IDLE_N} / ${IDLE_N_OF[bb]:-$IDLE_N}"; }   # busybox, scaled to IDLE_N

v() { local -n a=$1; echo "${a[$2]:--}"; }
bbscaled() { local x; x=$(v "$1" bb); [[ $x =~ ^[0-9.]+$ ]] && sc "$x" || echo "$x"; }

echo
echo "=== crond vs Debian cron vs busybox crond ($([ "$QUICK" = 1 ] && echo QUICK || echo full); ratio = crond / anchor)"
echo "    load average: $(loadavg) now; $LOAD_WINDOW_START .. $LOAD_WINDOW_END over the latency/idle window; $(nproc) CPUs"
printf '%-50s %10s %10s %10s %10s %10s  %s\n' "figure" "crond" "cron" "busybox" "c/cron" "c/busybox" "better"
row "1 start latency, median ms (${LAT_MINUTES} boundaries)" lower "$(v LAT_MED crond)" "$(v LAT_MED deb)" "$(v LAT_MED bb)"
row "1 start latency, max ms" lower "$(v LAT_MAX crond)" "$(v LAT_MAX deb)" "$(v LAT_MAX bb)"
row "1b the same, $IDLE_N entries + $LOAD_RUNNING running, median" lower "$(v LAT_MED crondload)" - -
row "1b the same, max ms" lower "$(v LAT_MAX crondload)" - -
row "1c the limit: a bare timer's start, median ms" lower "$(v LAT_MED limit)" - -
ll=$(v LAT_MED limit) lc=$(v LAT_MED crond)
[[ $ll =~ ^[0-9.]+$ && $lc =~ ^[0-9.]+$ ]] && [ "$(fcalc "$ll > 0")" != 0.000000 ] &&
    printf '%-50s %10s   (crond median / the limit'"'"'s)\n' "1c crond / the limit" "$(printf '%.3g' "$(fcalc "$lc / $ll")")"
row "2 burst: last of $BURST_N started, ms after boundary" lower "$(v B_LAST crond)" "$(v B_LAST deb)" "$(v B_LAST bb)"
row "2 burst: first started, ms after boundary" lower "$(v B_FIRST crond)" "$(v B_FIRST deb)" "$(v B_FIRST bb)"
row "2 burst: starts/s ($BURST_N / last)" higher "$(v B_RATE crond)" "$(v B_RATE deb)" "$(v B_RATE bb)"
lr() { local x; x=$(v B_LAST "$1"); [[ $x =~ ^[0-9.]+$ ]] && fcalc "$x / $LOOP_MS" || echo -; }
row "2 burst: time / fork+exec loop's time" lower "$(lr crond)" "$(lr deb)" "$(lr bb)"
# the same without the wake-up: first to last start, against the loop's
ls_() { local a b; a=$(v B_FIRST "$1") b=$(v B_LAST "$1"); [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]] && fcalc "($b - $a) / $LOOP_MS" || echo -; }
row "2 burst: (last - first) / fork+exec loop's time" lower "$(ls_ crond)" "$(ls_ deb)" "$(ls_ bb)"
printf '%-50s %10s   (median of %s: %.4g ms for %s)\n' "2 fork+exec loop, starts/s" "$(printf '%.4g' "$LOOP_RATE")" "$LOOP_RUNS" "$LOOP_MS" "$BURST_N"
row "3 idle CPU ms/min, $IDLE_N entries" lower "$(v IDLE_CPU crond)" "$(v IDLE_CPU deb)" "$(bbscaled IDLE_CPU)"
row "3 idle wake-ups/min (voluntary switches)" lower "$(v IDLE_WAKE crond)" "$(v IDLE_WAKE deb)" "$(v IDLE_WAKE bb)"
row "4 memory bytes/entry ($IDLE_N entries)" lower \
    "$(per_entry "$(v ST_RSSN crond)" "$(v ST_RSS0 crond)" "$IDLE_N")" \
    "$(per_entry "$(v ST_RSSN deb)" "$(v ST_RSS0 deb)" "$IDLE_N")" \
    "$(per_entry "$(v ST_RSSN bb)" "$(v ST_RSS0 bb)" "$BB_IDLE_N")"
row "4 RSS MB, no entries" lower "$(mb "$(v ST_RSS0 crond)")" "$(mb "$(v ST_RSS0 deb)")" "$(mb "$(v ST_RSS0 bb)")"
row "4 RSS MB, $IDLE_N entries" lower "$(mb "$(v ST_RSSN crond)")" "$(mb "$(v ST_RSSN deb)")" \
    "$(x=$(v ST_RSSN bb); y=$(v ST_RSS0 bb); [[ $x =~ ^[0-9]+$ ]] && mb "$(printf '%.0f' "$(scale "$x" "$y" "$BB_IDLE_N" "$IDLE_N")")" || echo -)"
row "5 start-up ms, $BIG_N entries (c: socket)" lower "$BIG_SOCK" \
    "$(scale "$(v ST_SETTLEN deb)" "$(v ST_SETTLE0 deb)" "$IDLE_N" "$BIG_N")" \
    "$(scale "$(v ST_SETTLEN bb)" "$(v ST_SETTLE0 bb)" "$BB_IDLE_N" "$BIG_N")"
row "5 start-up ms, $BIG_N entries, settled" lower "$BIG_SETTLE" \
    "$(scale "$(v ST_SETTLEN deb)" "$(v ST_SETTLE0 deb)" "$IDLE_N" "$BIG_N")" \
    "$(scale "$(v ST_SETTLEN bb)" "$(v ST_SETTLE0 bb)" "$BB_IDLE_N" "$BIG_N")"
row "5 start-up ms, $IDLE_N entries, settled" lower "$(v ST_SETTLEN crond)" "$(v ST_SETTLEN deb)" \
    "$(scale "$(v ST_SETTLEN bb)" "$(v ST_SETTLE0 bb)" "$BB_IDLE_N" "$IDLE_N")"
row "5 start-up ms, no entries, settled" lower "$(v ST_SETTLE0 crond)" "$(v ST_SETTLE0 deb)" "$(v ST_SETTLE0 bb)"
row "5 start-up page faults, no entries" lower "$(v ST_FLT0 crond)" "$(v ST_FLT0 deb)" "$(v ST_FLT0 bb)"
if [ -n "$AT_NOTE" ]; then
    printf '%-50s %s\n' "6 at jobs queued/s" "$AT_NOTE"
else
    for c in $AT_CONC; do
        row "6 at jobs queued/s (2 x $AT_N, $c at once)" higher "$(v AT_RATE "crond.$c")" "$(v AT_RATE "deb.$c")" "n/a"
    done
fi
for k in crond deb bb; do
    n=$IDLE_N; [ "$k" = bb ] && n=${BB_IDLE_N:-$IDLE_N}
    record bytes_per_entry "$k" "$n" "$(per_entry "$(v ST_RSSN "$k")" "$(v ST_RSS0 "$k")" "$n")"
done
echo
echo "notes:"
note "latency: stamp time minus the minute boundary; the latency and idle daemons ran at the same time,"
note "crond, 1b and 1c each in every third minute (a boundary of its own), Debian's cron and busybox every minute."
note "burst: $([ "$QUICK" = 1 ] && echo "all three bursts in the same minute (QUICK)" || echo "each daemon's burst in a minute of its own"); starts/s = jobs / (last start - boundary)."
note "idle: CPU = sum of schedstat run time over the daemon's threads; wake-ups = voluntary context switches;"
note "the window began $(( S0 - LAUNCH_TIME )) s after the daemons started and lasted $WINDOW_MINUTES whole minutes."
if [ "$HAVE_BB" = 1 ] && [ "$BB_IDLE_N" -lt "$IDLE_N" ]; then
    note "busybox keeps at most 65,534 lines of root's crontab: measured with $BB_IDLE_N entries;"
    note "its idle CPU, RSS at $IDLE_N and start-up times are scaled linearly to $IDLE_N (bytes/entry needs no scaling)."
fi
note "start-up at $BIG_N: crond measured (median of $BIG_RUNS, socket = loaded); the anchors measured at"
note "$IDLE_N$([ "$HAVE_BB" = 1 ] && echo " (busybox $BB_IDLE_N)") and scaled: settled(0) + (settled(N) - settled(0)) * $BIG_N / N."
note "crond crontabs: system crontab files in its private system_crontab_dir, $PER_FILE entries each;"
note "Debian cron: the same files as its private /etc/cron.d; busybox: one crontab for root."

# ---------------------------------------------------------------- results
if [ -n "$RESULTS" ]; then
    mkdir -p "$RESULTS" || die "cannot create $RESULTS"
    echo "# load $(loadavg) at the end" >>"$DATA"
    out=$RESULTS/$(date -u +%Y%m%dT%H%M%SZ)-$RUN_MODE.dat
    cp "$DATA" "$out" || die "cannot write $out"
    echo
    echo "data: $out"
    here=$(dirname "${BASH_SOURCE[0]}")
    if [ "$QUICK" = 1 ]; then
        bash "$here/guard.sh" "$out" "$RESULTS" || GUARD_RC=1
    elif [ -n "$PLOTS" ]; then
        bash "$here/plot.sh" "$out" "$PLOTS"
    fi
fi
exit "${GUARD_RC:-0}"
