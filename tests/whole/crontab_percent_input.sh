#!/bin/bash
# '%' in a command: what the job gets on standard input is what Debian's
# cron 3.0pl1 gives (recorded from the real daemon): '%' becomes a newline,
# "\%" a '%', and input that is not empty ends with a newline, so a shell
# `while read` loop sees the last line.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
out=$TEST_TMP/out
mkdir -m 0777 "$out"
cat >"$TEST_TMP/tab" <<EOF
* * * * * cat > $out/two %line1%line2
* * * * * cat > $out/empty %
* * * * * cat > $out/newline %%
* * * * * cat > $out/ends %line1%
* * * * * cat > $out/escaped %a\\%b
* * * * * cat > $out/backslash %a\\b
* * * * * cat > $out/command #x\\\\%in
* * * * * cat > $out/none
* * * * * n=0; while read -r l; do n=\$((n+1)); done; echo \$n > $out/count %a%b%c
EOF
start_crond --test-clock "$(before_next_minute 2)"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install the crontab"
for _ in $(seq 1 100); do [ -e "$out/count" ] && [ -e "$out/none" ] && break; sleep 0.1; done
[ -e "$out/count" ] || fail "the jobs did not run in their minute"
sleep 0.5

check() {   # file, expected bytes (printf format)
    printf "$2" >"$TEST_TMP/want"
    cmp -s "$TEST_TMP/want" "$out/$1" ||
        fail "$1: stdin was $(od -c "$out/$1" | head -n 3), expected $(od -c "$TEST_TMP/want" | head -n 3)"
}
check two 'line1\nline2\n'
check empty ''
check newline '\n'
check ends 'line1\n'
check escaped 'a%%b\n'
check backslash 'a\\b\n'
check command 'in\n'
check none ''
[ "$(cat "$out/count")" = 3 ] || fail "a while-read loop saw $(cat "$out/count") lines of a%b%c, not 3"
stop_crond
echo "ok"
