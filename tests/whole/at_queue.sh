#!/bin/bash
# tests/whole/at_queue.sh: queues, atq's layout and order, at -c, atrm;
# another user can neither list, read nor remove root's jobs; a running job
# is listed in queue '=' and cannot be removed; usage errors exit 1.
. "$ROOT/tests/whole/lib.sh"
need_crond
start_crond_at_open
export TZ=UTC
AT=$BIN/at
ATQ=$BIN/atq
ATRM=$BIN/atrm
cd "$TEST_TMP" || fail "cd"

submit() {   # queue, -t time; the job text on stdin
    run env -i PATH=/usr/bin:/bin TZ=UTC HOME=/root 'MSG=it'"'"'s $HOME' \
        "$AT" --config "$CONF" -q "$1" -t "$2"
    expect_rc 0 "at -q $1 -t $2"
}
echo 'echo first' | submit c 203001011200     # job 1
echo 'echo second' | submit a 202912312359    # job 2
printf 'echo third' | submit B 203106150830    # job 3, no final newline
run as_nobody "$AT" -t 203001011000 </dev/null  # job 4, nobody's
expect_rc 0 "nobody's job"
expect_err_has "job 4 at Tue Jan  1 10:00:00 2030" "nobody's job message"

# Root sees every job, sorted by time, in Debian's layout.
run "$ATQ"
expect_rc 0 "atq"
expect_out "2	Mon Dec 31 23:59:00 2029 a root
4	Tue Jan  1 10:00:00 2030 a nobody
1	Tue Jan  1 12:00:00 2030 c root
3	Sun Jun 15 08:30:00 2031 B root" "atq as root"
run "$AT" -l -q c
expect_out "1	Tue Jan  1 12:00:00 2030 c root" "at -l -q c"
run "$ATQ" 3 2
expect_out "2	Mon Dec 31 23:59:00 2029 a root
3	Sun Jun 15 08:30:00 2031 B root" "atq 3 2"
run "$ATQ" 2x
expect_rc 1 "atq 2x"
expect_err_has "atq: invalid job number: 2x" "atq 2x"
# Debian's atq reads its operands with strtol: blanks and a '+' first
run "$ATQ" +3 " 2"
expect_out "2	Mon Dec 31 23:59:00 2029 a root
3	Sun Jun 15 08:30:00 2031 B root" "atq +3 ' 2'"
for bad in "2 " "+" " " "++2"; do
    run "$ATQ" "$bad"
    expect_rc 1 "atq '$bad'"
    expect_err_has "atq: invalid job number: $bad" "atq '$bad'"
done

# Users see their own jobs only.
run as_nobody "$ATQ"
expect_out "4	Tue Jan  1 10:00:00 2030 a nobody" "atq as nobody"
run as_nobody "$ATQ" 1
expect_rc 0 "atq 1 as nobody"
expect_out "" "atq 1 as nobody"

# at -c: Debian's layout, every value quoted for sh.
run "$AT" -c 3
expect_rc 0 "at -c 3"
expect_out "#!/bin/sh
# atrun uid=0 gid=0
# mail root 0
umask 22
PATH=/usr/bin:/bin; export PATH
TZ=UTC; export TZ
HOME=/root; export HOME
MSG='it'\\''s \$HOME'; export MSG
cd $TEST_TMP || {
	 echo 'Execution directory inaccessible' >&2
	 exit 1
}
echo third" "at -c 3"
# Debian's at ends the job with a newline of its own: a script ending in
# one is followed by a blank line, one without ends with it.
[ "$(tail -c 2 "$OUT_FILE" | od -An -c | tr -d ' ')" = 'd\n' ] ||
    fail "at -c 3 (no final newline) does not end in one newline, as Debian's"
"$AT" -c 1 >"$TEST_TMP/job1.sh" || fail "at -c 1"
[ "$(tail -c 2 "$TEST_TMP/job1.sh" | od -An -c | tr -d ' ')" = '\n\n' ] ||
    fail "at -c 1 does not end in a blank line, as Debian's"
cp "$OUT_FILE" "$TEST_TMP/job3.sh"
run sh "$TEST_TMP/job3.sh"
expect_out "third" "at -c output run by sh"
run "$AT" -c 1 2
expect_rc 0 "at -c 1 2"
[ "$(grep -c '^#!/bin/sh$' "$OUT_FILE")" -eq 2 ] || fail "at -c 1 2 did not show two jobs"
run "$AT" -c 99 1
expect_rc 1 "at -c 99 1"
expect_err_has "Cannot find jobid 99" "at -c 99"
grep -q '^echo first$' "$OUT_FILE" || fail "at -c 99 1 did not show job 1"

# nobody can neither read nor remove root's jobs.
run as_nobody "$AT" -c 1
expect_rc 1 "at -c 1 as nobody"
expect_err_has "1: Not owner" "at -c 1 as nobody"
[ -z "$OUT" ] || fail "at -c of root's job printed something to nobody"
run as_nobody "$ATRM" 1 4
expect_rc 1 "atrm 1 4 as nobody"
expect_err_has "1: Not owner" "atrm 1 as nobody"
run "$ATQ"
[ "$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')" = "2 1 3 " ] ||
    fail "after nobody's atrm 1 4: $OUT"

# atrm: each failure reported, the others removed; a bad number removes nothing.
run "$ATRM" 2 x
expect_rc 1 "atrm 2 x"
expect_err_has "atrm: unknown jobid: x" "atrm 2 x"
run "$ATRM" 2 99 1
expect_rc 1 "atrm 2 99 1"
expect_out "" "atrm 2 99 1"
[ "$ERR" = "Cannot find jobid 99" ] || { show_last; fail "atrm 2 99 1 messages"; }
# An empty operand is a job no one has, said as written ("Cannot find
# jobid "), as Debian's strtol reads it; the others are still shown and
# removed. atq refuses it, as Debian's.
run "$AT" -c "" 3
expect_rc 1 "at -c '' 3"
[ "$ERR" = "Cannot find jobid " ] || { show_last; fail "at -c '' 3 messages"; }
case "$OUT" in "#!/bin/sh"*) ;; *) show_last; fail "at -c '' 3 did not show job 3" ;; esac
run "$ATQ" ""
expect_rc 1 "atq ''"
run "$AT" -d "" 3
expect_rc 1 "at -d '' 3"
[ "$ERR" = "Cannot find jobid " ] || { show_last; fail "at -d '' 3 messages"; }
run "$ATQ"
expect_out "" "every job removed"

# A running job is in queue '=' and stays; atq -q = lists only those, as
# Debian's does, and no job can be queued there.
echo 'true' | "$AT" -t 203001010000 2>/dev/null   # job 5, waiting
echo 'sleep 3' | "$AT" now 2>/dev/null             # job 6
for _ in $(seq 1 50); do
    run "$ATQ"
    case "$OUT" in *" = root"*) break ;; esac
    sleep 0.1
done
case "$OUT" in "6	"*" = root"*) ;; *) show_last; fail "running job not in queue =" ;; esac
run "$ATQ" -q =
expect_rc 0 "atq -q ="
case "$OUT" in "6	"*" = root") ;; *) show_last; fail "atq -q = does not list just the running job" ;; esac
run "$AT" -q = now </dev/null
expect_rc 1 "at -q = now"
expect_err_has "invalid queue '='" "at -q = now"
run "$ATRM" 6
expect_rc 1 "atrm of a running job"
expect_err_has "atrm: job 6 is running and cannot be removed" "atrm of a running job"
run "$ATRM" 5
expect_rc 0 "atrm of the waiting job"

# Usage errors exit 1, as Debian's.
for args in "-Z" "-q" "-q 1 now" "-q ab now" "-c" "-r" "-l -f x" \
    "-b now" "--now 2030-01-01T00:00 now" "-l -c 1"; do
    run "$AT" $args
    expect_rc 1 "at $args"
    expect_err_has "Usage: at" "at $args"
done
run "$BIN/batch" now
expect_rc 1 "batch now"
expect_err_has "batch: a batch job takes no time" "batch now"
run "$ATRM"
expect_rc 1 "atrm without a job"
run "$AT" -V
expect_rc 0 "at -V"
expect_err_has "at version " "at -V"
# with anything else, -V still only prints the version (Debian's at -V now
# queues nothing). Compared by the highest job number: job 6 may end
# meanwhile, and a job queued now would have a higher one.
highest() { "$BIN/atq" | cut -f1 | sort -n | tail -n 1; }
before=$(highest)
run bash -c "echo true | '$AT' -V now + 1 hour"
expect_rc 0 "at -V now + 1 hour"
expect_err_has "at version " "at -V now + 1 hour"
[ "$("$BIN/atq" | awk -v b="${before:-0}" '$1 > b' | wc -l)" = 0 ] \
    || fail "at -V now + 1 hour queued a job: $("$BIN/atq")"
run "$BIN/atq" -V
expect_rc 0 "atq -V"
[ -z "$OUT" ] || fail "atq -V listed jobs: $OUT"
run "$AT" --help
expect_rc 0 "at --help"
case "$OUT" in "Usage: at"*) ;; *) fail "at --help" ;; esac
stop_crond
echo ok
