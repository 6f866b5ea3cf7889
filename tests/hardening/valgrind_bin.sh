#!/bin/bash
# tests/hardening/valgrind_bin.sh: the programs of a build, under Valgrind.
#
#   valgrind_bin.sh BINDIR OUTDIR    make OUTDIR/bin/PROG for every program in
#                                    BINDIR: a script that execs memcheck on
#                                    BINDIR/PROG, logging to OUTDIR/logs/
#   valgrind_bin.sh --report OUTDIR  list every error and leak in OUTDIR/logs/;
#                                    exit 1 if there is any
#
# Used by `make valgrind`: tests/run --build OUTDIR then runs the
# whole-program tests with BIN=OUTDIR/bin. A program with an invalid access or
# a leak (definite, indirect or possible) exits 97, so the test that ran it
# fails; the report names the program and points at its log. Jobs the daemon
# starts, and sendmail, are not traced (--trace-children=no).
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
    [ "$bad" -eq 0 ]
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
