#!/bin/bash
# tests/tools/debian-cron/check-entries.sh: whether Debian's crontab and
# crond's `crontab -T` both accept every schedule of ENTRIES (one bad line
# makes Debian's cron drop a whole cron.d file without a word, so run this
# before run-debian.sh). Debian's is run as root in a private mount
# namespace over a scratch spool.
#
#   check-entries.sh ENTRIES
set -u
here=$(cd "$(dirname "$0")" && pwd)
crontab_bin=${CRONTAB:-$here/../../../build/bin/crontab}
d=$(mktemp -d /tmp/debian-cron-check.XXXXXX)
mkdir -p "$d/spool"
chmod 1730 "$d/spool"
chgrp crontab "$d/spool" 2>/dev/null
cut -f2 "$1" | sed 's|$| true|' >"$d/tab"
unshare -m --propagation private bash -c "mount --bind $d/spool /var/spool/cron/crontabs && crontab -u root $d/tab" 2>&1 | head -5
echo "Debian's crontab: exit ${PIPESTATUS[0]}"
"$crontab_bin" -T "$d/tab" 2>&1 | head -5
echo "crond's crontab -T: exit ${PIPESTATUS[0]}"
rm -rf "$d"
