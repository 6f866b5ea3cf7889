#!/bin/bash
# tests/deb/test-deb.sh DEB: installs the built package into a throwaway
# Debian 12 root (debootstrap, minbase, with Debian's cron and at holding a
# user's crontab and queued at jobs), the way a machine would: apt installs
# it, which removes cron and at and runs the maintainer scripts for real
# (the postinst imports the spools and starts crond through the SysV
# script, as there is no systemd in a chroot). Then a job runs under the
# installed crond, and the package is removed and purged, checking what is
# left each time.
#
# Needs root, debootstrap and (the first time) Debian's mirror: the base
# root is cached as build/deb-base.tar (about 2 minutes to make; later runs
# take about 30 s). Everything runs in private mount and pid namespaces, so
# no mount and no process outlives the test.
set -eu
deb=$(realpath "${1:?usage: test-deb.sh build/crond_VERSION_ARCH.deb}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
base=$repo/build/deb-base.tar
mirror=${DEB_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" = 0 ] || { echo "test-deb: run as root" >&2; exit 1; }
start=$(date +%s)

if [ ! -s "$base" ]; then
    echo "test-deb: making the base root with debootstrap (once)"
    tmp=$(mktemp -d "$repo/build/deb-base.XXXXXX")
    debootstrap --variant=minbase --include=cron,at,libsqlite3-0,procps,passwd \
        bookworm "$tmp" "$mirror" >"$repo/build/deb-base.log" 2>&1 ||
        { tail -n 20 "$repo/build/deb-base.log"; rm -rf "$tmp"; exit 1; }
    tar -C "$tmp" -cf "$base.part" . && mv "$base.part" "$base"
    rm -rf "$tmp"
fi

root=$(mktemp -d "$repo/build/deb-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
tar -C "$root" -xf "$base"
chmod 0755 "$root"   # tar gave it the mode of debootstrap's temporary directory
cp "$deb" "$root/tmp/crond.deb"
cp "$repo/tests/deb/in-root.sh" "$root/tmp/in-root.sh"

# A private pid namespace: every process started in the root dies with it.
unshare --mount --pid --fork --propagation private /bin/bash -euc '
    root=$1
    mount -t proc proc "$root/proc"
    mount -t tmpfs tmpfs "$root/run"
    mount --bind /dev "$root/dev"
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 TZ=UTC DEBIAN_FRONTEND=noninteractive /bin/bash ${TEST_DEB_TRACE:+-x} /tmp/in-root.sh
' unshare "$root"
echo "test-deb: ok ($(( $(date +%s) - start )) s)"
