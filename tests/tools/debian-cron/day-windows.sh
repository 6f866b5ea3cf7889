#!/bin/bash
# tests/tools/debian-cron/day-windows.sh: the entries around midnight of
# each DAY (Debian's cron started at 23:57 the day before, 60 times real
# time, compared from 23:59 to 00:03), one line of counts per day.
#
#   day-windows.sh ZONE ENTRIES OUTBASE DAY...      (DAY: YYYY-MM-DD)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
zone=$1 entries=$2 base=$3
shift 3
for day in "$@"; do
    before=$(date -d "$day -1 day" +%F)
    out=$base/$day
    mkdir -p "$out"
    cp "$entries" "$out/entries"
    "$here/run-debian.sh" "$zone" "$before 23:57:00" 60 9 "$out/entries" "$out"
    python3 "$here/compare.py" "$out" "$zone" 60 9 >"$out/cmp.json"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[2], r['window'], 'agree', r['agree'], 'disagree', len(r['disagree']), 'late', r['n_late'])" "$out/cmp.json" "$day"
done
