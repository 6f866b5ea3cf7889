#!/bin/bash
# tests/deb/in-root.sh: the part of test-deb.sh that runs inside the
# throwaway Debian root, as root (see test-deb.sh).
set -eu
fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
step() { echo "test-deb: $*"; }
wait_for() {   # CONDITION-COMMAND... : up to 15 s
    local i
    for i in $(seq 1 150); do "$@" && return 0; sleep 0.1; done
    return 1
}

step "Debian's cron and at, with work queued"
useradd -m alice
printf 'MAILTO=""\n17 3 * * * echo nightly\nRANDOM_DELAY=soon\n@hourly echo hourly\n' >/tmp/alice.tab
crontab -u alice /tmp/alice.tab
: >/etc/at.deny
su alice -c 'echo "echo queued by alice" | at -t 203001011000' 2>/dev/null
su alice -c 'echo "echo second" | at -q c -t 203001011100' 2>/dev/null
jobs_before=$(ls /var/spool/cron/atjobs | grep -v '^\.' | sort)
[ "$(echo "$jobs_before" | wc -l)" = 2 ] || fail "Debian's at did not queue two jobs"
snapshot() { (cd /var/spool/cron && find crontabs atjobs -type f -printf '%p %u %m %s\n' | sort; cat crontabs/* atjobs/* | md5sum); }
debian_files=$(snapshot)

# No init system runs in the root: tell invoke-rc.d to act anyway, as on
# a machine booted with SysV init, so the maintainer scripts start and stop
# crond through its init script.
printf '#!/bin/sh\nexit 0\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
export RUNLEVEL=2

step "apt installs crond (removing cron, at and cron-daemon-common)"
apt-get install -y /tmp/crond.deb >/tmp/apt.log 2>&1 || { tail -n 30 /tmp/apt.log; fail "apt install"; }
for p in cron at cron-daemon-common; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' && fail "$p still installed"
done
grep -q '^crontab alice: imported: .* 1 refused line kept commented out$' /tmp/apt.log ||
    { cat /tmp/apt.log; fail "the postinst did not import alice's crontab"; }
grep -q '^at job 1: imported: queue a, due 2030-01-01 10:00 UTC$' /tmp/apt.log ||
    { grep -i "at job\|import" /tmp/apt.log; fail "at job 1 not imported"; }
grep -q '^at job 2: imported: queue c, due 2030-01-01 11:00 UTC$' /tmp/apt.log || fail "at job 2 not imported"
[ "$(stat -c '%U %a' /var/spool/cron/crond.db)" = "root 600" ] || fail "spool is not root's only"
wait_for test -s /run/crond.pid || fail "the postinst did not start crond"
pid=$(cat /run/crond.pid)
[ "$(cat /proc/"$pid"/comm)" = crond ] || fail "pid $pid is not crond"
[ "$(readlink /proc/"$pid"/exe)" = /usr/sbin/crond ] || fail "crond runs from $(readlink /proc/"$pid"/exe)"
suid=$(find /usr/bin/crontab /usr/bin/at /usr/sbin/crond -perm /6000)
[ -z "$suid" ] || fail "setuid/setgid programs: $suid ($(dpkg-statoverride --list))"

step "the imported work, and a job, under the installed crond"
crontab -l -u alice >/tmp/alice.now
grep -qx '#RANDOM_DELAY=soon' /tmp/alice.now || fail "refused line not kept: $(cat /tmp/alice.now)"
grep -qx '17 3 \* \* \* echo nightly' /tmp/alice.now || fail "alice's entry lost"
grep -q 'DO NOT EDIT' /tmp/alice.now && fail "Debian's header kept"
atq >/tmp/atq.now
grep -q $'^1\t.* a alice$' /tmp/atq.now && grep -q $'^2\t.* c alice$' /tmp/atq.now || fail "atq: $(cat /tmp/atq.now)"
# pam = yes (the package's crond.conf): /etc/environment reaches the job
# through /etc/pam.d/crond and crond-session.
echo 'CROND_DEB_PAM=from-etc-environment' >>/etc/environment
echo 'echo "$CROND_DEB_PAM" >/tmp/job.env; id -un >/tmp/job.ran' | su alice -s /bin/sh -c at\ now 2>/tmp/at.err || fail "at now: $(cat /tmp/at.err)"
grep -q '^job 3 at ' /tmp/at.err || fail "the new job is not numbered above the imported ones: $(cat /tmp/at.err)"
wait_for test -s /tmp/job.ran || fail "the at job did not run"
[ "$(cat /tmp/job.ran)" = alice ] || fail "the job ran as $(cat /tmp/job.ran)"
[ "$(cat /tmp/job.env)" = from-etc-environment ] || fail "the job did not go through PAM (pam_env): '$(cat /tmp/job.env)'"
grep -qx 'pam *= *yes' /etc/crond.conf || fail "the package's crond.conf does not turn PAM on"
crond -x || fail "crond -x on the installed /etc/crontab"
grep -q 'run-parts --report /etc/cron.daily' /etc/crontab || fail "/etc/crontab"

step "apt removes crond: stopped, spool and configuration kept"
apt-get remove -y crond >/tmp/remove.log 2>&1 || { tail /tmp/remove.log; fail "remove"; }
wait_for sh -c "! kill -0 $pid 2>/dev/null" || fail "crond still running after remove"
[ -e /run/crond.pid ] && fail "pidfile left"
[ -s /var/spool/cron/crond.db ] || fail "remove deleted the spool"
[ -e /etc/crond.conf ] && [ -e /etc/crontab ] || fail "remove deleted configuration"
[ -e /usr/sbin/crond ] && fail "remove left /usr/sbin/crond"

step "dpkg purges crond: spool and configuration gone, Debian's files untouched"
dpkg --purge crond >/tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "purge"; }
left=$(ls /var/spool/cron 2>/dev/null | grep '^crond\.db' || true)
[ -z "$left" ] || fail "purge left the spool's files: $left"
for f in /etc/crond.conf /etc/crontab /etc/init.d/crond /etc/cron.daily/.placeholder /etc/pam.d/crond; do
    [ -e "$f" ] && fail "purge left $f"
done
[ "$(snapshot)" = "$debian_files" ] || fail "Debian's crontabs or at jobs changed"
left=$(ls /etc/rc2.d | grep crond || true)
[ -z "$left" ] || fail "purge left $left"
step "all checks passed"
