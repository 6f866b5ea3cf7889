#!/bin/bash
# bench/status_bench.sh: what one `crontab --status` of a large crontab
# costs crond (as root; a private crond in a scratch directory, nothing
# else touched).
#
#   bench/status_bench.sh sqlite|postgresql BIN [BIN...]
#
# For each BIN (a directory of built programs, build/bin), in turn: nobody
# installs a crontab of 10,000 entries and the history is given 10 records
# of each entry (written straight into the spool, as
# tests/whole/hardening_status_dos.sh does; 4 KiB output heads on SQLite,
# none on PostgreSQL), then nobody asks for the status five times (after
# one unmeasured). Prints one line per request: "BIN: wall MS ms, crond
# cpu MS ms" (crond's user and system time, in clock ticks of 10 ms).
# postgresql runs a private server (tests/tools/pg-private) in a scratch
# directory, a new database for each BIN. crond runs on a test clock far
# from the entries' hour, so nothing runs meanwhile.
set -eu
backend=${1:?sqlite or postgresql}; shift
[ $# -ge 1 ] || { echo "usage: status_bench.sh sqlite|postgresql BIN [BIN...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/private_conf.sh"
[ "$(id -u)" = 0 ] || { echo "status_bench: run as root" >&2; exit 1; }
case $backend in sqlite|postgresql) ;; *) echo "status_bench: $backend: sqlite or postgresql" >&2; exit 2 ;; esac

pg=$here/../tests/tools/pg-private
pgdir= d= pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$d" ] && rm -rf "$d"
	[ -n "$pgdir" ] && "$pg" stop "$pgdir" >/dev/null 2>&1 && rm -rf "$pgdir"
}
trap cleanup EXIT
if [ "$backend" = postgresql ]; then
	pgdir=$(mktemp -d /tmp/status_pg.XXXXXX)
	"$pg" start "$pgdir" >/dev/null
fi
uid=$(id -u nobody)
as_nobody() { runuser -u nobody -- env CROND_CONF="$d/conf" "$bin/crontab" "$@"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

# The history rows (SQL on standard output) for the keys in file $1.
history_sql() {
	local text="'%s'" head="zeroblob(4096), 4096" node=""
	if [ "$backend" = postgresql ]; then
		text="convert_to('%s', 'UTF8')" head="'\\x'::bytea, 0" node=", NULL"
	fi
	echo "BEGIN;"
	echo "CREATE TEMP TABLE k (key $([ "$backend" = postgresql ] && echo bytea || echo TEXT));"
	# shellcheck disable=SC2059
	while read -r key; do printf "INSERT INTO k VALUES ($text);\n" "$key"; done <"$1"
	echo "INSERT INTO run (kind, owner, uid, entry_key, command, scheduled_ms, start_ms,"
	echo "  end_ms, exit_code, signal, flags, output_head, output_total$([ -n "$node" ] && echo ", node"))"
	if [ "$backend" = postgresql ]; then
		echo "SELECT 'cron', convert_to('nobody', 'UTF8'), $uid, key, convert_to(':', 'UTF8'),"
		echo "  i * 60000, i * 60000, i * 60000 + 5, 0, 0, 0, $head$node FROM k, generate_series(1, 10) i;"
		echo "COMMIT; ANALYZE run;"
	else
		echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)"
		echo "SELECT 'cron', 'nobody', $uid, key, ':', i * 60000, i * 60000, i * 60000 + 5,"
		echo "  0, 0, 0, $head FROM k, n;"
		echo "COMMIT;"
	fi
}

for bin in "$@"; do
	bin=$(cd "$bin" && pwd)
	d=$(mktemp -d /tmp/status_bench.XXXXXX)
	chmod 755 "$d"
	private_conf "$d" >/dev/null
	chmod 755 "$d/spool"
	spool=$d/spool/crond.db
	if [ "$backend" = postgresql ]; then
		spool=$("$pg" createdb "$pgdir" "s$RANDOM$RANDOM")
		sed -i "s|^spool = .*|spool = $spool|" "$d/conf"
	fi
	awk 'BEGIN { print "MAILTO=\"\""; for (i = 0; i < 10000; i++) printf "%d 4 * * * : %d\n", i % 60, i }' \
		>"$d/big.tab"
	chmod 644 "$d/big.tab"
	"$bin/crond" -n --config "$d/conf" --test-clock 1893499200 2>"$d/log" &
	pid=$!
	for _ in $(seq 1 100); do
		[ -S "$d/crond.sock" ] && break
		sleep 0.1
	done
	as_nobody "$d/big.tab"
	as_nobody --status --json | grep -o '"key": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' >"$d/keys"
	if [ "$backend" = postgresql ]; then
		history_sql "$d/keys" | psql -X -q -v ON_ERROR_STOP=1 "$spool" >/dev/null
	else
		history_sql "$d/keys" | sqlite3 "$spool"
	fi
	as_nobody --status >/dev/null
	for _ in 1 2 3 4 5; do
		a=$(cpu_ticks) t0=$(date +%s%N)
		as_nobody --status >/dev/null
		t1=$(date +%s%N) b=$(cpu_ticks)
		echo "$bin: wall $(( (t1 - t0) / 1000000 )) ms, crond cpu $(( (b - a) * 10 )) ms"
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	rm -rf "$d"
	d=
done
