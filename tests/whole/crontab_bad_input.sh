#!/bin/bash
# Inputs that are not crontabs are refused quickly, and crond is unharmed:
# a 10 MiB file (named and on standard input), a binary file, a FIFO with
# no writer, /dev/zero (named and on standard input), a directory.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond
printf '0 7 * * * echo good\n' >"$TEST_TMP/good.tab"
run "$CRONTAB" "$TEST_TMP/good.tab"
expect_rc 0 "install a good crontab"

# Every refusal must come within 5 s; the crontab stays as it was.
refused() {   # what, expected message, command...
    local what=$1 msg=$2; shift 2
    local start=$SECONDS
    run timeout 5 "$@"
    [ "$RC" -ne 124 ] || fail "$what: not refused within 5 s"
    expect_rc 1 "$what"
    expect_err_has "$msg" "$what"
    [ $((SECONDS - start)) -le 5 ] || fail "$what: took $((SECONDS - start)) s"
    run "$CRONTAB" -l
    expect_rc 0 "$what: crond still answers"
    expect_same_file "$TEST_TMP/good.tab" "$OUT_FILE" "$what: crontab unchanged"
}

yes '* * * * * echo a line that makes the crontab big' | head -c $((10 * 1024 * 1024)) >"$TEST_TMP/big.tab"
refused "10 MiB file" "larger than" "$CRONTAB" "$TEST_TMP/big.tab"
refused "10 MiB on stdin" "larger than" sh -c 'exec "$1" - <"$2"' sh "$CRONTAB" "$TEST_TMP/big.tab"
refused "10 MiB through a pipe" "larger than" sh -c 'cat "$2" | "$1" -' sh "$CRONTAB" "$TEST_TMP/big.tab"

head -c 4096 /dev/urandom >"$TEST_TMP/binary.tab"
printf '\0\1\2\3' >>"$TEST_TMP/binary.tab"
refused "binary file" "$TEST_TMP/binary.tab:" "$CRONTAB" "$TEST_TMP/binary.tab"
cp /bin/true "$TEST_TMP/elf.tab"
refused "an executable" "$TEST_TMP/elf.tab:" "$CRONTAB" "$TEST_TMP/elf.tab"

mkfifo "$TEST_TMP/fifo"
refused "FIFO" "not a regular file" "$CRONTAB" "$TEST_TMP/fifo"
refused "FIFO with -T" "not a regular file" "$CRONTAB" -T "$TEST_TMP/fifo"
refused "/dev/zero" "not a regular file" "$CRONTAB" /dev/zero
refused "/dev/zero on stdin" "larger than" sh -c 'exec "$1" - </dev/zero' sh "$CRONTAB"
refused "a directory" "not a regular file" "$CRONTAB" "$TEST_TMP"

# A file at the limit plus one byte is refused; one line too long too.
head -c $((1024 * 1024 + 1)) "$TEST_TMP/big.tab" >"$TEST_TMP/limit.tab"
refused "1 MiB + 1 byte" "larger than" "$CRONTAB" "$TEST_TMP/limit.tab"
{ printf '* * * * * echo '; head -c 9000 /dev/zero | tr '\0' x; echo; } >"$TEST_TMP/longline.tab"
refused "a 9000-byte line" "$TEST_TMP/longline.tab:1" "$CRONTAB" "$TEST_TMP/longline.tab"

stop_crond
echo "ok"
