#!/bin/bash
# tests/tools/gen-debian-spool.sh: regenerates tests/data/debian-spool/, the
# fixtures of `crond --import-debian`, with Debian's own `at`, `batch` and
# `crontab` (packages at and cron; run as root on Debian 12).
#
#   tests/tools/gen-debian-spool.sh [OUTDIR]   (default tests/data/debian-spool)
#
# Debian's programs write to the fixed /var/spool/cron, so they run in a
# private mount namespace where a temporary directory is mounted over it (and
# over /etc/at.deny, which denies nobody): the machine's own spool is never
# touched. The result is OUTDIR/var/spool/cron/{crontabs,atjobs}/ and
# OUTDIR/OWNERS ("PATH USER" lines, since git keeps no file owners; the tests
# chown the copies they import). Each file keeps its mode in git only as far
# as git can (the tests set the modes from OWNERS too).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/tests/data/debian-spool}
[ "$(id -u)" = 0 ] || { echo "$0: run as root" >&2; exit 1; }
for p in /usr/bin/at /usr/bin/crontab; do
    [ -x "$p" ] || { echo "$0: $p missing (apt-get install at cron)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/spool/atjobs" "$work/spool/atspool" "$work/spool/crontabs"
: >"$work/at.deny"
# The layout Debian's packages create.
chown daemon:daemon "$work/spool/atjobs" "$work/spool/atspool"
chmod 1770 "$work/spool/atjobs" "$work/spool/atspool"
printf '0\n' >"$work/spool/atjobs/.SEQ"
chown daemon:daemon "$work/spool/atjobs/.SEQ"; chmod 0600 "$work/spool/atjobs/.SEQ"
chown root:crontab "$work/spool/crontabs"; chmod 1730 "$work/spool/crontabs"

cat >"$work/root.crontab" <<'TAB'
# root's jobs, as Debian's crontab took them
MAILTO=""
SHELL=/bin/sh
*/5 * * * * echo five >/dev/null
30 2 * * 1-5 /usr/local/bin/backup --quiet
# Debian cron takes any assignment; crond checks its own extensions' values.
RANDOM_DELAY=soon
0 4 * * * echo after the bad assignment
@reboot echo rebooted
TAB
cat >"$work/nobody.crontab" <<'TAB'
# nobody's jobs
15 10 * * * echo ten fifteen
0 0 1 1 * echo happy new year % with input
TAB

# Everything Debian's programs see: a fixed, small environment.
in_ns() {
    unshare -m /bin/bash -euc '
        mount --bind "$1/spool" /var/spool/cron
        mount --bind "$1/at.deny" /etc/at.deny
        shift; "$@"' ns "$work" "$@"
}
clean_env=(env -i PATH=/usr/bin:/bin LANG=C TZ=UTC)
in_ns "${clean_env[@]}" HOME=/root LOGNAME=root USER=root SHELL=/bin/bash \
    crontab "$work/root.crontab"
in_ns "${clean_env[@]}" HOME=/root LOGNAME=root USER=root \
    crontab -u nobody "$work/nobody.crontab"
# at jobs: fixed due times (UTC), each queue and mail setting.
submit() {   # user cwd at-args... (script on stdin)
    local user=$1 cwd=$2; shift 2
    local home; home=$(getent passwd "$user" | cut -d: -f6)
    in_ns /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" \
        setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
        "${clean_env[@]}" HOME="$home" LOGNAME="$user" USER="$user" SHELL=/bin/sh "$@"
}
echo 'echo "at job one ran as $(id -un) in $(pwd)"' | submit root / at -t 203001011000 2>/dev/null
printf 'echo mailed always\n' | submit root /tmp at -m -q c -t 203001011005 2>/dev/null
printf 'echo never mailed\nexit 3\n' | submit root / at -M -t 203001011010 2>/dev/null
printf 'echo batch job\n' | submit root / batch 2>/dev/null || true
printf 'echo nobody job\n' | submit nobody /tmp at -t 203001020930 2>/dev/null

rm -rf "$out"
mkdir -p "$out/var/spool/cron"
cp -a "$work/spool/crontabs" "$work/spool/atjobs" "$out/var/spool/cron/"
(
    cd "$out"
    find var -type f | sort | while read -r f; do
        printf '%s %s %s\n' "$f" "$(stat -c %U "$f")" "$(stat -c %a "$f")"
    done >OWNERS
)
chown -R --reference="$root" "$out"
echo "wrote $out"
