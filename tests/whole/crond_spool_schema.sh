#!/bin/bash
# The schema version crond reports is the one of the spool in use (crond(8),
# LOG): its start-up line "(*system*) LOADED (...; spool BACKEND, schema
# version N)" names the backend and the version that backend's schema is
# at, read back from the spool itself: SQLite's PRAGMA user_version, and
# (with CROND_TEST_PG) the row of PostgreSQL's schema_version table. Before,
# the only schema version the program knew was SQLite's (5), also for a
# PostgreSQL spool, whose schema is at version 1.
. "$ROOT/tests/whole/lib.sh"
need_crond
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 is not installed"; exit 0; }
write_conf
log=$TEST_TMP/crond.log
loaded() { grep -o "LOADED (.*)" "$log" | tail -n 1; }

start_crond
stop_crond
want=$(sqlite3 "$TEST_TMP/spool/crond.db" "PRAGMA user_version")
[ -n "$want" ] && [ "$want" -gt 0 ] || fail "cannot read the SQLite spool's user_version"
loaded | grep -qF "; spool sqlite, schema version $want)" ||
    fail "SQLite spool at version $want; crond said: $(loaded)"
echo "figure: sqlite spool: $(loaded)"

[ -n "${CROND_TEST_PG:-}" ] || { echo "# PostgreSQL part skipped: CROND_TEST_PG is not set"; exit 0; }
command -v psql >/dev/null || { echo "# PostgreSQL part skipped: psql is not installed"; exit 0; }
. "$ROOT/tests/tools/cluster-lib.sh"
trap 'cluster_cleanup; cleanup_crond' EXIT
pg_newdb
node_conf a
node_start a
node_stop a
want=$(pg_sql "SELECT version FROM schema_version")
[ -n "$want" ] || fail "cannot read the PostgreSQL spool's schema_version"
log=$(node_log a)
loaded | grep -qF "; spool postgresql, schema version $want)" ||
    fail "PostgreSQL spool at version $want; crond said: $(loaded)"
echo "figure: postgresql spool: $(loaded)"
