#!/bin/bash
# tests/tools/debian-cron/dst-windows.sh: the entries over the small hours
# of DST days (Debian's cron started at 00:26 local, 120 times real time for
# 118 s: compared from about 00:28 to 04:10), one line of counts per day.
#
#   dst-windows.sh ENTRIES OUTBASE ZONE:DAY...
#   e.g. dst-windows.sh e.tsv /tmp/dst America/New_York:2027-03-14 Europe/London:2027-10-31
set -eu
here=$(cd "$(dirname "$0")" && pwd)
entries=$1 base=$2
shift 2
for zd in "$@"; do
    zone=${zd%%:*} day=${zd#*:}
    out=$base/$(echo "$zone" | tr / _)_$day
    mkdir -p "$out"
    cp "$entries" "$out/entries"
    "$here/run-debian.sh" "$zone" "$day 00:26:00" 120 118 "$out/entries" "$out"
    python3 "$here/compare.py" "$out" "$zone" 120 118 >"$out/cmp.json"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[2], r['window'], 'agree', r['agree'], 'disagree', len(r['disagree']), 'late', r['n_late'], 'debian-multi', r.get('agree_but_debian_multi'))" "$out/cmp.json" "$zd"
done
