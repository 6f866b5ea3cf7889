#!/bin/bash
# tests/whole/hardening_binaries.sh: every program the Makefile builds is
# position-independent (ASLR), has full RELRO (its GOT bound at load and
# then read-only: GNU_RELRO and BIND_NOW, as Debian's cron and at have),
# a stack that is not executable, and no setuid or setgid bit (clients are
# told apart by SO_PEERCRED, never by privilege).
. "$ROOT/tests/whole/lib.sh"
command -v readelf >/dev/null || { echo "SKIP: no readelf"; exit 0; }
checked=0
for prog in "$BIN"/crond "$BIN"/crontab "$BIN"/at "$BIN"/crond-session \
            ${CROND_TEST_STATIC_AT:+"$CROND_TEST_STATIC_AT"}; do
    [ -x "$prog" ] || fail "$prog: not built"
    [ -L "$prog" ] && continue
    readelf -hW "$prog" | grep -q 'Type: *DYN' || fail "$prog is not position-independent"
    readelf -lW "$prog" | grep -q 'GNU_RELRO' || fail "$prog has no RELRO segment"
    readelf -dW "$prog" | grep -qE '\(FLAGS(_1)?\).*NOW' || fail "$prog is not linked -z now (partial RELRO)"
    readelf -lW "$prog" | grep 'GNU_STACK' | grep -q 'RWE' && fail "$prog has an executable stack"
    [ -u "$prog" ] && fail "$prog is setuid"
    [ -g "$prog" ] && fail "$prog is setgid"
    checked=$((checked + 1))
done
[ "$checked" -ge 4 ] || fail "only $checked programs checked"
echo ok
