#!/bin/bash
# bench/connect_flood.sh: how long root's `crontab -l` takes while one user
# floods the control socket with connects, against the same while as many
# of that user's processes only burn CPU. Not part of `make bench` (no
# anchor has a control socket); for ARCHITECTURE.md's figure.
#
#   bench/connect_flood.sh BIN_DIR [PROCESSES] [SECONDS]
#
# Runs a private crond from BIN_DIR (bench/private_conf.sh) as root; the
# attackers are nobody, at nice 19 like the measuring loop, so that both
# rounds share the CPU the same way. Prints one line per round: samples,
# mean and worst milliseconds.
set -eu
bin=${1:?usage: bench/connect_flood.sh BIN_DIR [PROCESSES] [SECONDS]}
procs=${2:-16}
secs=${3:-15}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/private_conf.sh"
dir=$(mktemp -d /tmp/crond-flood.XXXXXX)
chmod 0755 "$dir"
private_conf "$dir" >/dev/null
export ASAN_OPTIONS=detect_leaks=0 CROND_CONF=$dir/conf
"$bin/crond" -n --config "$dir/conf" 2>"$dir/crond.log" &
crond=$!
trap 'kill $crond 2>/dev/null; wait $crond 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 50); do [ -S "$dir/crond.sock" ] && break; sleep 0.1; done

flood='import socket, sys, time
end = time.time() + float(sys.argv[2])
while time.time() < end:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    try:
        c.connect(sys.argv[1])
    except OSError:
        pass
    c.close()'
burn='import sys, time
end = time.time() + float(sys.argv[2])
while time.time() < end:
    pass'

round() {
    local name=$1 code=$2 pids="" n=0 sum=0 worst=0 t0 ms end
    for _ in $(seq 1 "$procs"); do
        setpriv --reuid=nobody --regid=nogroup --clear-groups nice -n 19 \
            python3 -c "$code" "$dir/crond.sock" "$((secs + 3))" &
        pids="$pids $!"
    done
    sleep 2
    end=$((SECONDS + secs))
    while [ $SECONDS -lt $end ]; do
        t0=$(date +%s%N)
        nice -n 19 "$bin/crontab" -l >/dev/null 2>&1 || true
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        n=$((n + 1)); sum=$((sum + ms))
        [ "$ms" -gt "$worst" ] && worst=$ms
        sleep 0.3
    done
    wait $pids
    echo "$name: root's crontab -l, $n samples: mean $((sum / n)) ms, worst $worst ms"
}

round "connect flood by $procs processes of nobody" "$flood"
round "$procs processes of nobody burning CPU" "$burn"
