#!/bin/bash
# bench/burst_ab.sh: two crond builds against each other on the same burst,
# turn about, for a change that should move the burst figure (`make bench`
# takes one burst of 1,000 per run, a minute apart from the loop's, which
# is too few to see 10 %).
#
#   burst_ab.sh OLD_CROND NEW_CROND [N] [ROUNDS]
#
# Each round runs N (default 1,000) root entries due at one minute, in a
# system crontab directory of a private configuration, under the test clock
# (started 3 s before the minute, so no round waits for a real one), first
# with OLD_CROND, then with NEW_CROND, then bench/forkloop, the limit, on
# the same N; ROUNDS rounds (default 3). Every job is bench/stamp (taken
# from BUILD, default build/bench: `make -C bench` builds it). Prints per
# round the spread of each crond's starts (last start - first, ms) and the
# loop's (last start - its own start), then the medians. The default
# max_jobs (256) holds, as in `make bench`. Scratch directories go under
# BUILD, on the disk the build is on (a tmpfs would make the spool's
# fsyncs free). Needs root (the jobs are root's, as in `make bench`).
set -u
[ $# -ge 2 ] || { echo "usage: burst_ab.sh OLD_CROND NEW_CROND [N] [ROUNDS]" >&2; exit 2; }
OLD=$(realpath "$1") NEW=$(realpath "$2") N=${3:-1000} ROUNDS=${4:-3}
BUILD=$(realpath "${BUILD:-$(dirname "$0")/../build/bench}")
STAMP=$BUILD/stamp FORKLOOP=$BUILD/forkloop
for p in "$OLD" "$NEW" "$STAMP" "$FORKLOOP"; do
    [ -x "$p" ] || { echo "burst_ab.sh: $p is not there (make -C bench builds the helpers)" >&2; exit 2; }
done

. "$(dirname "$0")/private_conf.sh"

# spread_of FILE: the last stamp minus the first, in ms
spread_of() { sort -g "$1" | awk 'NR == 1 { f = $1 } { l = $1 } END { printf "%.1f", (l - f) * 1000 }'; }

# one_burst CROND: prints its spread, or "-" when not all N started in 60 s
one_burst() {
    local w t p i
    w=$(mktemp -d "$BUILD/burst_ab.XXXXXX") || exit 1
    chmod 0755 "$w"
    private_conf "$w" || exit 1
    t=$(( ($(date +%s) / 60 + 5) * 60 ))
    # in files of 2,000 lines: a crontab file holds at most 1 MiB
    awk -v n="$N" -v s="$STAMP" -v f="$w/stamps" -v mm="$(date -d @$t +%-M)" -v hh="$(date -d @$t +%-H)" \
        'BEGIN { for (i = 0; i < n; i++) printf "%d %d * * * root %s %s j%d\n", mm, hh, s, f, i }' |
        split -l 2000 - "$w/cron.d/burst"
    chmod 0644 "$w"/cron.d/*
    "$1" -n --config "$w/conf" --test-clock $(( t - 3 )) 2>>"$w/log" & p=$!
    for i in $(seq 1 600); do
        [ -e "$w/stamps" ] && [ "$(wc -l <"$w/stamps")" -ge "$N" ] && break
        sleep 0.1
    done
    kill "$p"; wait "$p"
    if [ -e "$w/stamps" ] && [ "$(wc -l <"$w/stamps")" -ge "$N" ]; then spread_of "$w/stamps"; else printf -- -; fi
    rm -rf "$w"
}

one_loop() {
    local f t0 t1
    f=$(mktemp "$BUILD/burst_ab.loop.XXXXXX")
    read -r t0 t1 < <("$FORKLOOP" "$N" "$STAMP $f")
    sort -g "$f" | awk -v t0="$t0" '{ l = $1 } END { printf "%.1f", (l - t0) * 1000 }'
    rm -f "$f"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

olds="" news="" loops=""
echo "burst of $N, $ROUNDS rounds; ms from the first start to the last (the loop: from its start)"
for r in $(seq 1 "$ROUNDS"); do
    o=$(one_burst "$OLD"); n=$(one_burst "$NEW"); l=$(one_loop)
    echo "  round $r: old $o  new $n  fork+exec loop $l"
    olds+="$o"$'\n' news+="$n"$'\n' loops+="$l"$'\n'
    sleep 1
done
echo "medians: old $(printf '%s' "$olds" | grep -v '^-' | median)  new $(printf '%s' "$news" | grep -v '^-' | median)  loop $(printf '%s' "$loops" | median)"
