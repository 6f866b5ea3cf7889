#!/bin/bash
# tests/hardening/valgrind_bin.sh: the programs of a build, under Valgrind.
#
#   valgrind_bin.sh BINDIR OUTDIR    make OUTDIR/bin/PROG for every program in
#                                    BINDIR: valgrind_exec.c, which execs
#                                    memcheck on BINDIR/PROG, logging to
#                                    OUTDIR/logs/
#   valgrind_bin.sh --report OUTDIR [RUNLOG]
#                                    list every error and leak in OUTDIR/logs/
#                                    and exit 1 if there is any; list the
#                                    tests that failed in RUNLOG (tests/run's
#                                    output), for information
#
# Used by `make valgrind`: tests/run --build OUTDIR then runs the
# whole-program tests with BIN=OUTDIR/bin. A program with an invalid access or
# a leak (definite, indirect or possible) is named in its log, and the report
# lists it; a crash under Valgrind is an invalid access too. Jobs the daemon
# starts, and sendmail, are not traced (--trace-children=no), and neither is
# a child between fork and exec (see valgrind_exec.c).
#
# What makes `make valgrind` fail is a finding in the logs, not a test that
# failed: under Valgrind every program starts and runs 10-50 times slower,
# so tests that give crond a fast test clock or a few seconds (crond_dst,
# crond_control, crontab_history, ...) can miss their moment, and `at`
# records Valgrind's own LD_PRELOAD with the rest of its environment in the
# job it queues (at_queue shows it with `at -c`). Their code still ran under
# memcheck, which is what this checks; the report lists them.
set -u
if [ "${1:-}" = --report ]; then
    logs=$2/logs
    bad=0
    total=$(find "$logs" -name '*.log' | wc -l)
    for f in "$logs"/*.log; do
        [ -e "$f" ] || continue
        # With -q a log holds only findings ("==PID== ...") and Valgrind's
        # own warnings ("--PID-- ...", e.g. a system call it does not know).
        if grep -qE '^==[0-9]+== ' "$f"; then
            bad=$((bad + 1))
            echo "valgrind: findings in $f:"
            grep -E '^==[0-9]+== ' "$f" | head -n 60 | sed 's/^/    /'
        fi
    done
    echo "valgrind: $total program runs under memcheck, $bad with findings"
    if [ -n "${3:-}" ]; then
        failed=$(sed -n 's/^failed: //p' "$3")
        [ -z "$failed" ] || echo "valgrind: tests that failed under Valgrind (timing or Valgrind's environment, see tests/hardening/valgrind_bin.sh; not counted): $failed"
    fi
    [ "$bad" -eq 0 ]
    exit
fi

bindir=$(cd "$1" && pwd)
out=$2
mkdir -p "$out/bin" "$out/logs"
out=$(cd "$out" && pwd)
rm -f "$out"/logs/*.log "$out"/bin/*
# Programs run as nobody too: their logs must be writable by anyone.
chmod 1777 "$out/logs"
valgrind=$(command -v valgrind) || { echo "valgrind_bin.sh: no valgrind" >&2; exit 1; }
# Debian's valgrind is a shell script that execs valgrind.bin, after adding
# variables a C program does not need (and `at` would record in its jobs);
# the shell would also complain in a removed directory. Exec the binary.
[ -x "$valgrind.bin" ] && valgrind=$valgrind.bin
here=$(cd "$(dirname "$0")" && pwd)
# One small program (valgrind_exec.c) under every program's name.
${CC:-cc} -std=c17 -O1 -Wall -Wextra -Werror -o "$out/valgrind_exec" \
    -DVALGRIND_PATH="\"$valgrind\"" -DREAL_DIR="\"$bindir\"" -DLOG_DIR="\"$out/logs\"" \
    "$here/valgrind_exec.c" || exit 1
for prog in "$bindir"/*; do
    ln "$out/valgrind_exec" "$out/bin/$(basename "$prog")"
done
