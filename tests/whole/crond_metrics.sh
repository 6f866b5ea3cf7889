# tests/whole/crond_metrics.sh: metrics_file: the Prometheus text file crond
# writes for node_exporter's textfile collector: per-entry last start, exit
# status, duration and runs by outcome (success, failure, timeout, skipped),
# the daemon's gauges and counters (late and skipped runs), label escaping,
# a removed entry's series disappearing, a user's command left out, a burst of 1,000 runs written once
# or twice and never seen half-written, and `promtool check metrics`.
# lane: background (tests/run: it mostly waits on crond's clock)
. "$ROOT/tests/whole/lib.sh"
need_crond

mdir=$TEST_TMP/textfile
mkdir "$mdir"
prom=$mdir/crond.prom
write_conf "metrics_file = $prom" "stop_grace = 2"

# promtool: from PATH, else from Debian's prometheus package, unpacked (not
# installed: the package would start a server) into a cache under build/.
PROMTOOL=$(command -v promtool || true)
if [ -z "$PROMTOOL" ]; then
    cache=$ROOT/build/.promtool
    if [ ! -x "$cache/usr/bin/promtool" ]; then
        mkdir -p "$cache"
        ( cd "$cache" && apt-get download prometheus >/dev/null 2>&1 \
            && dpkg-deb -x prometheus_*.deb . && rm -f prometheus_*.deb usr/bin/prometheus ) || true
    fi
    [ -x "$cache/usr/bin/promtool" ] && PROMTOOL=$cache/usr/bin/promtool
fi
[ -n "$PROMTOOL" ] || echo "NOTE: promtool not available (apt-get download prometheus failed): format not checked by promtool"

check_promtool() {
    [ -n "$PROMTOOL" ] || return 0
    "$PROMTOOL" check metrics <"$1" >"$TEST_TMP/promtool.out" 2>&1 \
        || fail "promtool check metrics: $(head -c 2000 "$TEST_TMP/promtool.out")"
}

# The value of the sample whose line starts with $1 (a name and labels).
sample() { awk -v p="$1" 'index($0, p) == 1 { print $NF; exit }' "$prom" 2>/dev/null; }

wait_shown() {   # wait_shown SECONDS TEXT: until the file has a line containing TEXT
    local i
    for i in $(seq 1 $(( $1 * 10 ))); do
        grep -qF -- "$2" "$prom" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "metrics never showed: $2"
}

cat >"$TEST_TMP/cron.d/jobs" <<'EOF'
MAILTO=""
* * * * * root true
HOME=/tmp
* * * * * nobody echo 'q"b\c' >/dev/null; exit 3
CRON_TIMEOUT=1s
* * * * * root sleep 30
EOF
chmod 0644 "$TEST_TMP/cron.d/jobs"
src=$TEST_TMP/cron.d/jobs

# A user's crontab is private: its command is not in the (world-readable) file.
printf 'HOME=/\n* * * * * echo private-token-4711 >/dev/null\n' >"$TEST_TMP/user.tab"
"$CRONTAB" -u nobody "$TEST_TMP/user.tab" 2>/dev/null || fail "installing nobody's crontab"

now=$(date +%s)
start=$(before_next_minute 2)
start_crond --test-clock "$start"

# Written at start: the gauges. (On a busy machine the first runs may have
# begun by the time it is read: the running gauge is 0 again once they end,
# checked below.)
wait_shown 20 "crond_entries 4"
grep -qE '^crond_jobs_running [0-9]+$' "$prom" || fail "no running gauge at start"
check_promtool "$prom"

ok="{user=\"root\",source=\"$src\",line=\"2\""
bad="{user=\"nobody\",source=\"$src\",line=\"4\""
slow="{user=\"root\",source=\"$src\",line=\"6\""
wait_shown 30 "crond_entry_runs_total$ok"
wait_shown 30 "crond_entry_runs_total$bad"
wait_shown 30 "crond_entry_last_exit_status$slow"
wait_shown 30 'crond_entry_runs_total{user="nobody",source="user:nobody",line="2",'
grep -F 'source="user:nobody"' "$prom" | grep -qvF 'command=""' && fail "a user's command is in the metrics"
grep -qF "private-token" "$prom" && fail "a user's command is in the metrics"
cp "$prom" "$TEST_TMP/first.prom"
check_promtool "$TEST_TMP/first.prom"
grep -qx 'crond_jobs_running 0' "$TEST_TMP/first.prom" || fail "the running gauge is not 0 once the runs ended"

[ "$(grep -F "crond_entry_runs_total$ok" "$prom" | grep -F 'outcome="success"' | awk '{print $NF}')" = 1 ] \
    || fail "the succeeding entry has no success"
[ "$(sample "crond_entry_last_exit_status$ok")" = 0 ] || fail "last exit of 'true' is not 0"
[ "$(sample "crond_entry_last_exit_status$bad")" = 3 ] || fail "last exit of 'exit 3' is not 3"
[ "$(grep -F "crond_entry_runs_total$bad" "$prom" | grep -F 'outcome="failure"' | awk '{print $NF}')" = 1 ] \
    || fail "the failing entry has no failure"
# killed by SIGTERM after its 1 s timeout: 128 + 15, about a second long
[ "$(sample "crond_entry_last_exit_status$slow")" = 143 ] || fail "timed-out exit status"
[ "$(grep -F "crond_entry_runs_total$slow" "$prom" | grep -F 'outcome="timeout"' | awk '{print $NF}')" = 1 ] \
    || fail "the timed-out entry has no timeout"
d=$(sample "crond_entry_last_duration_seconds$slow")
awk -v d="$d" 'BEGIN { exit !(d >= 0.9 && d < 5) }' || fail "timed-out duration $d is not about 1 s"
# the start is the scheduled minute (crond's clock), to the second
s=$(sample "crond_entry_last_start_timestamp_seconds$ok")
awk -v s="$s" -v m="$(( start + 2 ))" 'BEGIN { exit !(s >= m && s < m + 2) }' \
    || fail "last start $s is not the minute $(( start + 2 ))"
# the command label: quote and backslash escaped as the format says
grep -qF 'command="echo '"'"'q\"b\\c'"'"' >/dev/null; exit 3"' "$prom" \
    || fail "command label not escaped: $(grep -F "$bad" "$prom" | head -1)"
# root's true and nobody's echo
[ "$(sample 'crond_runs_total{outcome="success"}')" = 2 ] || fail "daemon success total"
[ "$(sample 'crond_runs_total{outcome="failure"}')" = 1 ] || fail "daemon failure total"
[ "$(sample 'crond_runs_total{outcome="timeout"}')" = 1 ] || fail "daemon timeout total"
grep -q '^# TYPE crond_entry_runs_total counter$' "$prom" || fail "no TYPE line for the runs counter"
grep -q '^# HELP crond_runs_late_total ' "$prom" || fail "no HELP line for late runs"

# Removing an entry removes its series (at the next write: the entries
# gauge changes).
sed -i '/exit 3/d' "$src"
wait_shown 30 "crond_entries 3"
grep -qF "$bad" "$prom" && fail "the removed entry's series is still there"
stop_crond
"$CRONTAB" -u nobody -r 2>/dev/null || fail "removing nobody's crontab"
# No temporary file is left beside it (checked once crond has stopped: a
# write may be under way at any moment while it runs).
[ "$(ls "$mdir")" = crond.prom ] || fail "left in the textfile directory: $(ls "$mdir")"

# Late and skipped runs: one slot, a clock where a minute lasts a second, a
# job holding the slot for 3 s: the other entry's run waits (late) and its
# next runs are coalesced (skipped).
rm -f "$src" "$prom"
write_conf "metrics_file = $prom" "stop_grace = 2" "max_jobs = 1"
cat >"$TEST_TMP/cron.d/late" <<'EOF'
MAILTO=""
CRON_OVERLAP=skip
* * * * * root sleep 3
* * * * * root true
EOF
chmod 0644 "$TEST_TMP/cron.d/late"
start_crond --test-clock "$(( (now / 60 + 10) * 60 - 1 )):60"
for _ in $(seq 1 100); do
    l=$(sample 'crond_runs_late_total ')
    k=$(sample 'crond_runs_skipped_total ')
    [ "${l:-0}" -ge 1 ] && [ "${k:-0}" -ge 1 ] && break
    sleep 0.1
done
[ "${l:-0}" -ge 1 ] || fail "no late run counted"
[ "${k:-0}" -ge 1 ] || fail "no skipped run counted"
grep -F 'outcome="skipped"' "$prom" | grep -v ' 0$' | grep -q . || fail "no entry shows a skipped run"
check_promtool "$prom"
stop_crond

# A burst of 1,000 runs: written once or twice (on a slow machine, where the
# burst lasts longer, once per 3 s at most), and a reader polling the file
# never sees a partial one.
rm -f "$TEST_TMP/cron.d/late" "$prom"
write_conf "metrics_file = $prom" "stop_grace = 2"
for i in $(seq 1 1000); do echo "* * * * * root true $i"; done >"$TEST_TMP/cron.d/burst"
chmod 0644 "$TEST_TMP/cron.d/burst"
# The reader starts first, so that a slow machine's start of python does
# not eat the burst; it notes when it read, in ms.
python3 - "$prom" "$TEST_TMP/reads" "$TEST_TMP/stop-reading" "$TEST_TMP/reader-up" <<'EOF' &
import os, sys, time
path, out, stop, up = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
reads = bad = 0
when = []
open(up, 'w').close()
end = time.time() + 180
while time.time() < end and not os.path.exists(stop):
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        continue
    reads += 1
    when.append(int(time.time() * 1000))
    if not data.endswith(b'\n') or not data.splitlines()[-1].startswith(b'crond_metrics_writes_total '):
        bad += 1
open(out, 'w').write('%d %d\n' % (reads, bad) + ''.join('%d\n' % t for t in when))
EOF
poller=$!
reader_up() { [ -e "$TEST_TMP/reader-up" ]; }
wait_for 30 "the metrics reader" reader_up
start_crond --test-clock "$(before_next_minute 3)"
t_begin=$(( $(date +%s%N) / 1000000 + 3000 ))   # ms: the burst's minute, about
wait_shown 20 "crond_entries 1000"
w0=$(sample 'crond_metrics_writes_total ')
for _ in $(seq 1 900); do
    [ "$(sample 'crond_runs_total{outcome="success"}')" = 1000 ] && break
    sleep 0.1
done
t_end=$(( $(date +%s%N) / 1000000 ))
[ "$(sample 'crond_runs_total{outcome="success"}')" = 1000 ] || fail "the burst's 1,000 runs are not all counted"
w1=$(sample 'crond_metrics_writes_total ')
: >"$TEST_TMP/stop-reading"
wait "$poller"
read -r reads bad <"$TEST_TMP/reads"
during=$(tail -n +2 "$TEST_TMP/reads" | awk -v a="$t_begin" -v b="$t_end" '$1 >= a && $1 <= b' | wc -l)
took=$(( t_end > t_begin ? t_end - t_begin : 0 ))
allowed=$(( took / 3000 + 2 ))
echo "burst: $(( w1 - w0 )) writes for 1000 run ends in about ${took} ms; reader: $reads reads, $during during the burst, $bad partial"
[ "$bad" = 0 ] || fail "a reader saw $bad partial files out of $reads"
# that it read through the burst at all: 1,000 jobs on two cores leave it
# little (94 reads in 3.6 s in one CI run, against thousands when quiet;
# 3 in all on a CI machine where a fork+exec took 3.5 ms, when the reader
# was started only once crond was up)
[ "$during" -ge 1 ] || fail "the reader did not read during the burst ($reads reads in all)"
[ $(( w1 - w0 )) -ge 1 ] && [ $(( w1 - w0 )) -le $allowed ] \
    || fail "$(( w1 - w0 )) writes for one burst of about $took ms (at most $allowed)"
[ "$(grep -c '^crond_entry_last_start_timestamp_seconds{' "$prom")" = 1000 ] || fail "not 1000 entry series"
check_promtool "$prom"
stop_crond
