#!/bin/bash
# etc/make-run.sh BIN: `make run`: a private crond in the foreground under ./run/.
#
# Everything lives in ./run/: the configuration, the spool, the socket, the
# pidfile, a system crontab directory, and a demo crontab whose job appends a
# line to ./run/demo.log every minute. The daemon's log (CMD/END lines) goes to
# the terminal. Ctrl-C stops it cleanly.
set -euo pipefail
bin=$(cd "$1" && pwd)
run=$PWD/run
mkdir -p "$run/cron.d"
chmod 0700 "$run"
. "$(dirname "$0")/../bench/private_conf.sh"   # private_conf_text
{ echo "# written by make run"; private_conf_text "$run"; } >"$run/crond.conf"
cat >"$run/demo.crontab" <<TAB
# The demo crontab, installed for $(id -un) by make run.
MAILTO=""
* * * * * echo "hello from crond, \$(date '+\%F \%T'), as \$(id -un)" >> $run/demo.log
TAB
"$bin/crond" -n --config "$run/crond.conf" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' INT TERM
for _ in $(seq 1 50); do [ -S "$run/crond.sock" ] && break; sleep 0.1; done
if ! "$bin/crontab" --config "$run/crond.conf" "$run/demo.crontab"; then
	kill -TERM $pid; wait $pid || true; exit 1
fi
cat <<MSG

crond is running in the foreground (pid $pid), configured by run/crond.conf.
The demo job appends a line to run/demo.log at the start of every minute;
its CMD and END lines appear below. Try, in another terminal:
    $bin/crontab --config $run/crond.conf -l
    $bin/crontab --config $run/crond.conf --next 3
    tail -f run/demo.log
Ctrl-C stops crond.

MSG
wait $pid
