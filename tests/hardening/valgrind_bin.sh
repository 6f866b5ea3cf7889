#!/bin/bash
# tests/hardening/valgrind_bin.sh: the programs of a build, under Valgrind.
#
#   valgrind_bin.sh BINDIR OUTDIR    make OUTDIR/bin/PROG for every program in
#                                    BINDIR: a script that execs memcheck on
#                                    BINDIR/PROG, logging to OUTDIR/logs/
#   valgrind_bin.sh --report OUTDIR [RUNLOG]
#                                    list every error and leak in OUTDIR/logs/,
#                                    and the tests that failed in RUNLOG
#                                    (tests/run's output) but should not have;
#                                    exit 1 if there is any
#
# Used by `make valgrind`: tests/run --build OUTDIR then runs the
# whole-program tests with BIN=OUTDIR/bin. A program with an invalid access or
# a leak (definite, indirect or possible) exits 97, so the test that ran it
# fails; the report names the program and points at its log. Jobs the daemon
# starts, and sendmail, are not traced (--trace-children=no).
#
# A few tests check what Valgrind itself changes; they still run (their code
# is checked for errors and leaks like any other) but their failure is
# expected:
#   at_queue       Valgrind puts LD_PRELOAD and its own variables in the
#                  environment of the program it runs; `at` records its
#                  environment in the job, as it must, so `at -c` shows them.
#   at_submit      its terminal dialogue types after fixed pauses (0.5 s):
#                  `at` under Valgrind may not have printed its prompt yet.
#   crond_control  an ordinary client must be answered within 2 s while
#                  another stalls: under Valgrind a request takes longer.
#   crond_dst      runs a test clock 1200 times as fast as real time: under
#                  Valgrind crond may be too slow to see every minute of it.
# (The last three are timing: they fail on some runs only.)
EXPECTED_FAIL=" at_queue at_submit crond_control crond_dst "
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
    unexpected=""
    if [ -n "${3:-}" ]; then
        for t in $(sed -n 's/^failed: //p' "$3"); do
            case "$EXPECTED_FAIL" in
                *" $t "*) echo "valgrind: $t failed, as expected under Valgrind" ;;
                *) unexpected="$unexpected $t" ;;
            esac
        done
        [ -z "$unexpected" ] || echo "valgrind: tests that failed:$unexpected"
    fi
    [ "$bad" -eq 0 ] && [ -z "$unexpected" ]
    exit
fi

bindir=$(cd "$1" && pwd)
out=$2
mkdir -p "$out/bin" "$out/logs"
out=$(cd "$out" && pwd)
rm -f "$out"/logs/*.log
# Programs run as nobody too: their logs must be writable by anyone.
chmod 1777 "$out/logs"
for prog in "$bindir"/*; do
    name=$(basename "$prog")
    cat >"$out/bin/$name" <<WRAP
#!/bin/sh
exec valgrind -q --tool=memcheck --leak-check=full \\
    --show-leak-kinds=definite,indirect,possible \\
    --errors-for-leak-kinds=definite,indirect,possible \\
    --error-exitcode=97 --trace-children=no \\
    --log-file=$out/logs/$name.%p.log "$bindir/$name" "\$@"
WRAP
    chmod 0755 "$out/bin/$name"
done
