#!/bin/bash
# A plain command (lib/plaincmd.h) is exec'd without /bin/sh, and nothing a
# job or its owner can see tells it apart from the shell's run of the same
# command but its parent: each plain line below is run next to the same
# command quoted (so the shell runs it), with `crontab --run`, and their
# output, exit status and messages compared: the environment (dash adds
# PWD), a PATH search that passes over a file it cannot run, a command that
# is not found, a script without #!, a job killed by a signal (dash's
# "Segmentation fault" line and exit 139, in the history too), a builtin.
# The parent shows which ran it: crond for the plain line, sh for the
# quoted one; with direct_exec = no, sh for both.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
d=$TEST_TMP/bin
mkdir -p "$d/a" "$d/b"
chmod 0755 "$TEST_TMP" "$d" "$d/a" "$d/b"
printf '#!/bin/sh\ncat /proc/$PPID/comm\n' >"$d/parent"
printf '#!/bin/sh\necho dying\nkill -SEGV $$\n' >"$d/segv"
printf 'echo no interpreter line: "$0"\n' >"$d/noshebang"
printf '#!/bin/sh\necho from a\n' >"$d/a/tool"
printf '#!/bin/sh\necho from b "$@"\n' >"$d/b/tool"
chmod 0755 "$d/parent" "$d/segv" "$d/noshebang" "$d/b/tool"
chmod 0644 "$d/a/tool"   # found first, cannot be run: both go on to b

cat >"$TEST_TMP/tab" <<EOF
MAILTO=""
PATH=$d/a:$d/b:/usr/bin:/bin
0 0 1 1 * env
0 0 1 1 * "env"
0 0 1 1 * $d/parent
0 0 1 1 * "$d/parent"
0 0 1 1 * tool x=1 -y,z
0 0 1 1 * "tool" x=1 -y,z
0 0 1 1 * no-such-command-here
0 0 1 1 * "no-such-command-here"
0 0 1 1 * $d/noshebang
0 0 1 1 * "$d/noshebang"
0 0 1 1 * $d/segv
0 0 1 1 * "$d/segv"
0 0 1 1 * echo a   builtin
0 0 1 1 * "echo" a   builtin
EOF
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install"
start_crond

# Runs line N; OUT sorted (env's order is dash's), RC and ERR kept.
run_line() {
    run "$CRONTAB" --run "$1"
    OUT=$(printf '%s\n' "$OUT" | sort)
}

for plain in 3 7 9 11 13 15; do
    quoted=$((plain + 1))
    run_line "$quoted"
    want_out=$OUT want_rc=$RC want_err=${ERR//line $quoted/line N}
    run_line "$plain"
    [ "$RC" = "$want_rc" ] || fail "line $plain exited $RC, the shell's run $want_rc"
    [ "$OUT" = "$want_out" ] ||
        fail "line $plain printed '$OUT', the shell's run '$want_out'"
    [ "${ERR//line $plain/line N}" = "$want_err" ] ||
        fail "line $plain: stderr '$ERR', the shell's run '$want_err'"
done

# What the pairs printed, so that a pair cannot agree on nothing.
run_line 3
home=$(printf '%s\n' "$OUT" | sed -n 's/^HOME=//p')
printf '%s\n' "$OUT" | grep -qx "PWD=$home" || fail "env: no PWD, or not the home ($home): $OUT"
run_line 7
expect_out "from b x=1 -y,z" "the PATH search"
expect_rc 0 "the PATH search"
run_line 9
expect_rc 127 "a command not found"
case "$ERR$OUT" in *"no-such-command-here: not found"*) ;; *) fail "not found: '$OUT' '$ERR'" ;; esac
run_line 11
expect_out "no interpreter line: $d/noshebang" "a script without #!"
run_line 13
expect_rc 139 "a job killed by SIGSEGV"
expect_out "$(printf 'Segmentation fault\ndying' | sort)" "a job killed by SIGSEGV"

# Who started the job. The ThreadSanitizer build forks its jobs and keeps
# to the shell (crond/run/runner.c: report_in_memory).
direct_parent=crond
if ldd "$BIN/crond" 2>/dev/null | grep -q libtsan; then
    direct_parent=sh
    echo "(a ThreadSanitizer build: plain commands go through the shell)"
fi
run_line 5
expect_out "$direct_parent" "the plain line's parent"
run_line 6
expect_out "sh" "the quoted line's parent"

# The history records the shell's view too: exit 139, dash's line kept.
run "$CRONTAB" --json --history 40
expect_rc 0 "--history"
segv=$(printf '%s\n' "$OUT" | awk '/"command": .*bin\/segv/ { s = 1 }
    s && /"exit_status"/ { e = $2 } s && /"output"/ { print e, $0; s = 0 }' | sort | uniq -c)
[ "$(printf '%s\n' "$segv" | awk '{ print $1, $2 }')" = "3 139," ] ||
    fail "--history: the 3 runs of segv not all exit 139: $segv"
case "$segv" in *'"output": "dying\nSegmentation fault\n",'*) ;;
    *) fail "--history: dash's line not in the runs' output: $segv" ;; esac

# direct_exec = no: the shell runs every line.
stop_crond
write_conf "direct_exec = no"
start_crond
run_line 5
expect_out "sh" "the plain line's parent with direct_exec = no"
stop_crond
