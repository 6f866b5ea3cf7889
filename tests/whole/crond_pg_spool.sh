#!/bin/bash
# tests/whole/crond_pg_spool.sh: crond with its spool on PostgreSQL
# (`spool = postgresql://...` in crond.conf), one node: a crontab installed,
# listed and removed through it, a cron run and an at job run recorded and
# shown by `crontab --history` and `atq --history`, everything kept in the
# database across a restart of crond, and no SQLite file made. A fresh
# database on the run's private server (tests/run: CROND_TEST_PG); skipped
# without one.
. "$ROOT/tests/whole/lib.sh"
need_crond
if [ -z "${CROND_TEST_PG:-}" ]; then
    echo "SKIP: CROND_TEST_PG is not set: no PostgreSQL server to test against (tests/run starts one when Debian's postgresql package is installed: apt-get install postgresql)"
    exit 0
fi
PG=$ROOT/tests/tools/pg-private
pg_host=${CROND_TEST_PG##*host=}
pg_host=${pg_host%%&*}
db=crond_whole_$$
uri=$("$PG" createdb "$pg_host" "$db") || fail "could not make database $db on $CROND_TEST_PG"
cleanup() {
    cleanup_crond
    "$PG" dropdb "$pg_host" "$db" >/dev/null 2>&1
}
trap cleanup EXIT

write_conf
sed -i "s|^spool = .*|spool = $uri|" "$CONF"
grep -qxF "spool = $uri" "$CONF" || fail "crond.conf does not name the database"
: >"$TEST_TMP/at.deny"          # everyone may use at
export TZ=UTC
out=$TEST_TMP/out
mkdir -m 0777 "$out"

# The test clock starts 5 s before the next real minute: the crontab's
# minute comes 5 s after the start, and `at now` (the client's real clock)
# is already due on it.
start=$(( ($(date +%s) / 60 + 1) * 60 - 5 ))
start_crond --test-clock "$start"

cat >"$TEST_TMP/a.tab" <<EOF
MAILTO=""
* * * * * echo pg-smoke; id -un > $out/cron-ran
EOF
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "crontab FILE (install)"
run "$CRONTAB" -l
expect_rc 0 "crontab -l"
[ "$OUT" = "$(cat "$TEST_TMP/a.tab")" ] || { show_last; fail "crontab -l is not what was installed"; }

run bash -c "echo 'id -un > $out/at-ran' | '$BIN/at' now"
expect_rc 0 "at now"
run "$BIN/atq"
expect_rc 0 "atq"

for _ in $(seq 1 150); do [ -s "$out/at-ran" ] && [ -s "$out/cron-ran" ] && break; sleep 0.1; done
[ -s "$out/at-ran" ] || fail "the at job did not run within 15 s"
[ -s "$out/cron-ran" ] || fail "the crontab entry did not run within 15 s"
[ "$(cat "$out/at-ran")" = root ] || fail "the at job ran as $(cat "$out/at-ran")"

# Both runs are recorded (the record ends a moment after the job).
deadline=$((SECONDS + 10))
while :; do
    run "$CRONTAB" --history
    printf '%s\n' "$OUT" | grep -F "echo pg-smoke" | grep -q " exit 0 " && break
    [ $SECONDS -lt $deadline ] || { show_last; fail "crontab --history shows no ended run of the entry"; }
    sleep 0.3
done
deadline=$((SECONDS + 10))
while :; do
    run "$BIN/atq" --history
    [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q "exit 0" && break
    [ $SECONDS -lt $deadline ] || { show_last; fail "atq --history shows no ended run of the at job"; }
    sleep 0.3
done

# Everything is in the database: no SQLite spool beside the configuration,
# tables in the database, and the crontab still there after a restart.
[ -e "$TEST_TMP/spool/crond.db" ] && fail "crond made a SQLite spool too"
if command -v psql >/dev/null; then
    tables=$(psql -X -At -d "$uri" -c "SELECT count(*) FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema')") ||
        fail "psql could not read $uri"
    [ "$tables" -gt 0 ] || fail "no table in $uri"
fi
stop_crond
start_crond --test-clock "$((start + 60))"
run "$CRONTAB" -l
expect_rc 0 "crontab -l after a restart"
[ "$OUT" = "$(cat "$TEST_TMP/a.tab")" ] || { show_last; fail "the crontab changed across a restart"; }
run "$CRONTAB" --history
printf '%s\n' "$OUT" | grep -qF "echo pg-smoke" || { show_last; fail "the run's record is gone after a restart"; }

run "$CRONTAB" -r
expect_rc 0 "crontab -r"
run "$CRONTAB" -l
expect_rc 1 "crontab -l after -r"
expect_err_has "no crontab for root" "crontab -l after -r"

stop_crond
echo "ok"
