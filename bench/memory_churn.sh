#!/bin/bash
# bench/memory_churn.sh: crond's memory while its crontabs keep changing
# (as root; a private crond in a scratch directory, nothing else touched).
#
#   bench/memory_churn.sh user BIN N
#       As nobody, N times: install a crontab of 240 assignments of 1,000
#       bytes and one entry whose command changes each time (a new entry
#       key), then run it by hand (`crontab --run 241`). The daemon's
#       anonymous memory (RssAnon, kB) every 10 cycles and at the end.
#       This is a hostile user's cheapest way to make crond allocate.
#
#   bench/memory_churn.sh reload BIN ENTRIES
#       ENTRIES system entries in 200 files of /etc/cron.d form, spread
#       over the day's minutes (so some run at every boundary); then four
#       SIGHUPs, each 5 s after a boundary's runs, and RssAnon 10 s after
#       each, and 100 s after the last.
#
# BIN is a directory of built programs (build/bin). Prints one line per
# sample: "LABEL RSSANON_KB".
set -eu
mode=${1:?user or reload}; bin=${2:?BIN}; n=${3:?N}
bin=$(cd "$bin" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/private_conf.sh"
[ "$(id -u)" = 0 ] || { echo "memory_churn: run as root" >&2; exit 1; }

d=$(mktemp -d /tmp/churn.XXXXXX)
chmod 755 "$d"
private_conf "$d" >/dev/null
chmod 755 "$d/spool"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT
rss() { awk '/^RssAnon/ { print $2 }' "/proc/$pid/status"; }

if [ "$mode" = reload ]; then
	per=$(( (n + 199) / 200 ))
	for f in $(seq 0 199); do
		awk -v f="$f" -v per="$per" -v n="$n" 'BEGIN {
			for (i = f * per; i < (f + 1) * per && i < n; i++)
				printf "%d %d * * * root /bin/true j%d\n",
				       i % 60, int(i / 60) % 24, i
		}' > "$d/cron.d/f$f"
	done
fi

"$bin/crond" -n --config "$d/conf" 2>"$d/log" &
pid=$!
for _ in $(seq 1 600); do
	[ -S "$d/crond.sock" ] && break
	sleep 0.1
done
sleep 2
echo "start $(rss)"

case $mode in
user)
	for i in $(seq 1 "$n"); do
		{
			for k in $(seq 1 240); do printf 'V%d=%01000d\n' "$k" "$i"; done
			echo "0 0 1 1 * echo run$i"
		} > "$d/tab"
		chmod 644 "$d/tab"
		runuser -u nobody -- env CROND_CONF="$d/conf" "$bin/crontab" "$d/tab" >/dev/null
		runuser -u nobody -- env CROND_CONF="$d/conf" "$bin/crontab" --run 241 >/dev/null ||
			echo "memory_churn: run $i refused" >&2
		[ $((i % 10)) = 0 ] && echo "cycle-$i $(rss)"
	done
	sleep 5
	echo "end $(rss)"
	;;
reload)
	for i in 1 2 3 4; do
		s=$(date +%S)
		sleep $((60 - 10#$s + 5))
		kill -HUP "$pid"
		sleep 10
		echo "sighup-$i $(rss)"
	done
	sleep 90
	echo "100s-later $(rss)"
	;;
*)
	echo "memory_churn: mode is user or reload, not '$mode'" >&2
	exit 2
	;;
esac
