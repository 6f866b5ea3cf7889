#!/bin/bash
# tests/whole/at_list_format.sh: atq -o FORMAT (Debian at 3.2.5): the time
# column through strftime(3), the rest of the line as without -o. The
# expected lines have the shape Debian's atq prints for the same formats
# (recorded side by side: "1<TAB>2026-12-03 06:54 a root", "1<TAB> a root"
# for an empty format, "%s" the epoch seconds).
. "$ROOT/tests/whole/lib.sh"
need_crond
start_crond_at_open
export TZ=UTC
cd "$TEST_TMP" || fail "cd"

echo 'echo first' | "$BIN/at" -t 203001020304 2>/dev/null || fail "at -t (job 1)"
echo 'echo second' | "$BIN/at" -q c -t 203007011200 2>/dev/null || fail "at -t (job 2)"

run "$BIN/atq" -o '%Y-%m-%d %H:%M'
expect_rc 0 "atq -o"
expect_out "1	2030-01-02 03:04 a root
2	2030-07-01 12:00 c root" "atq -o '%Y-%m-%d %H:%M'"
run "$BIN/atq" -o ''
expect_out "1	 a root
2	 c root" "atq -o ''"
run "$BIN/atq" -o '%s' 2
expect_out "2	1909137600 c root" "atq -o %s 2"
run "$BIN/atq" -q c -o '%c'
expect_out "2	Mon Jul  1 12:00:00 2030 c root" "atq -q c -o %c"
run env TZ=America/New_York "$BIN/atq" -o '%F %T %Z %z'
expect_out "1	2030-01-01 22:04:00 EST -0500 a root
2	2030-07-01 08:00:00 EDT -0400 c root" "atq -o with %Z %z in New York"
run "$BIN/atq" 1 -o '%H:%M'   # options after operands, as GNU getopt (Debian)
expect_out "1	03:04 a root" "atq 1 -o %H:%M"
run "$BIN/at" -l -o '%Y'
expect_rc 0 "at -l -o"
expect_out "1	2030 a root
2	2030 c root" "at -l -o %Y"

# A time longer than atq shows is an error, not a cut or garbled column.
run "$BIN/atq" -o "$(printf '%%c%.0s' $(seq 1 60))"
expect_rc 1 "atq -o with a huge result"
expect_err_has "atq: -o FORMAT makes a time longer than 1023 bytes" "atq -o huge"

# Usage errors exit 1, as Debian's.
run "$BIN/atq" -o
expect_rc 1 "atq -o without a format"
expect_err_has "atq: option requires an argument -- 'o'" "atq -o without a format"
run "$BIN/at" -o '%Y' now
expect_rc 1 "at -o without -l"
expect_err_has "-o only goes with listing jobs" "at -o without -l"
run "$BIN/atrm" -o '%Y' 1
expect_rc 1 "atrm -o"
run "$BIN/atq"
expect_out "1	Wed Jan  2 03:04:00 2030 a root
2	Mon Jul  1 12:00:00 2030 c root" "atq without -o is unchanged"
stop_crond
echo ok
