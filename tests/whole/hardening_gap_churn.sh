#!/bin/bash
# tests/whole/hardening_gap_churn.sh: users re-installing the crontabs that
# cost the timer the most cannot hold back anyone's runs for long.
#
# Fault: eight users (nobody, daemon, bin, sys, games, man, lp, mail) each
# install, in a loop, a crontab of 5,000 entries whose every match falls in
# its zone's gap (CRON_TZ with a rule that skips 48 hours around 29
# February), the dearest kind for the timer to plan (about 0.1 s each here,
# more with the CPU the loops take). The timer applied a batch of changes
# (one per owner) whole before it handed on the runs due at that wake, so
# root's every-minute run waited for all eight: 22 and 24 s of the test
# clock (10 times fast) late in an ASan build, 55 s in a release build.
# Pass: once a batch has taken 20 ms, due runs go between its changes, and
# between the steps of 64 entries of each (a slow CI machine spent 2.7 s of
# wall time on one change, and root's run waited 58 s of the test clock
# for two). Root's median run starts within 16 s of the test clock (1.6 s)
# of its minute during the churn (0 to 6 s in the ASan build, with or
# without a busy core beside it; 2 s in a release build), or within that
# times the machine's slowness (scaled_bound), and its latest within 48 s
# (0-1 s now, with the test held to 0.4 of a CPU).
. "$ROOT/tests/whole/lib.sh"
need_crond
need_attackers "the users installing crontabs are system users"
export TZ=UTC
USERS="nobody daemon bin sys games man lp mail"

write_conf "max_conns_per_user = 32"
printf '* * * * * root true root-every-minute\n' >"$TEST_TMP/cron.d/root"
chmod 0644 "$TEST_TMP/cron.d/root"
{
    echo "HOME=/"
    echo "CRON_TZ=AAA+24BBB-24,J59/0,J300/0"
    for i in $(seq 1 5000); do echo "* * 29 2 * true $i"; done
} >"$TEST_TMP/big"
chmod 0644 "$TEST_TMP/big"

as_user() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"; }

start_crond --test-clock "$(before_next_minute 3):10"
for u in $USERS; do
    as_user "$u" "$CRONTAB" "$TEST_TMP/big" >"$TEST_TMP/install.out" 2>&1 \
        || fail "$u cannot install the crontab: $(head -c 500 "$TEST_TMP/install.out")"
done
churn() {
    local u=$1 end=$((SECONDS + 12)) n=0
    while [ $SECONDS -lt $end ]; do
        as_user "$u" "$CRONTAB" "$TEST_TMP/big" >/dev/null 2>&1
        n=$((n + 1))
    done
    echo "$n" >>"$TEST_TMP/installs"
}
pids=""
for u in $USERS; do churn "$u" & pids="$pids $!"; done
for p in $pids; do wait "$p"; done
stop_crond
installs=$(awk '{ s += $1 } END { print s + 0 }' "$TEST_TMP/installs")
root_late_during_churn root-every-minute
runs=$RUNS late=$LATE
# Under ThreadSanitizer one such change alone takes the timer 2 s and more
# (56 s of the test clock late in one run): the bound is not held there,
# only the churn itself is run.
# On a machine slower than a quiet one every change costs more, so the
# bound grows with it (scaled_bound), but never past 48 s: the whole batch
# held root's run 22 s and more on a quiet machine, five times that on one
# five times slower.
# On a later VM (fast forks, so a slowness of 1, but a CPU the eight loops
# keep busy) one of root's runs was 2-16 s late, with the code of that day
# as with the code before it (8 runs each, turn about), and 24 s once in
# CI, beside two other test lanes. So the bound holds root's median run:
# the batch held every run (each minute's waited for the eight changes),
# a spike only one; the latest run is held to the cap. The median's bound
# was 12 s until CI, beside two other lanes, measured 13 (thirty-third
# session; the build before that day's changes, beside two busy loops
# here: medians 4, 0 and 2 s against 0, 0 and 0 for the new one): 16
# still fails the batch that held every run 22 s and more.
# Under ThreadSanitizer an install is as slow as the change: 17-18 of them
# in 12 s, so there the churn is only one install of each user's at least.
# Elsewhere at least 12: the CLIs' installs are slow on a slow machine too
# (16-18 with the test held to 0.4 of a CPU by a cgroup quota, 24-32 at
# 0.8), and 12 such changes are still 1.2 s of the timer's time and more.
limit=$(scaled_bound 16 48) cap=48 least=12
if ldd "$BIN/crond" 2>/dev/null | grep -q libtsan; then
    limit=60 cap=60 least=8
    echo "(a ThreadSanitizer build: one change takes the timer seconds; lateness not checked)"
fi
echo "figure: $installs installs of 5,000 gap-only entries by 8 users in 12 s; root's $runs runs $LATE_MEDIAN (median) and at most $late test-clock seconds (x0.1 real) late"
[ "$LATE_MEDIAN" -le "$limit" ] || fail "root's median run started ${LATE_MEDIAN} s of the test clock late (bound $limit: 16 on a quiet machine, times ${CROND_TEST_SLOWNESS:-1} here) during the churn"
[ "$late" -le "$cap" ] || fail "root's latest run started ${late} s of the test clock late (bound $cap) during the churn"
[ "$installs" -ge "$least" ] || fail "only $installs installs: the churn did not happen"
