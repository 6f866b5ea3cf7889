#!/bin/bash
# tests/tools/debian-cron/run-debian.sh: Debian's cron on a faked clock, in
# a private mount namespace, running a set of entries and logging when each
# one ran.
#
#   run-debian.sh ZONE "YYYY-MM-DD HH:MM:SS" SPEED REAL_SECONDS ENTRIES OUTDIR
#
# ENTRIES: lines "ID<TAB>SCHEDULE" (the five fields or an @keyword). Runs
# /usr/sbin/cron -f with TZ=ZONE under libfaketime (faketime -f "@START
# xSPEED": cron's sleep() is scaled too) for REAL_SECONDS, with its own
# /etc/cron.d, /etc/crontab and crontab spool bind-mounted from OUTDIR, so
# the machine's cron configuration is never touched (the namespace and its
# mounts end with cron). Each entry appends "ID EPOCH" to OUTDIR/log (its
# date runs on the same faked clock); the first line is "start EPOCH".
# OUTDIR must be an absolute path. Needs root, cron, faketime, unshare.
set -eu
[ $# -eq 6 ] || { sed -n '4,5p' "$0" >&2; exit 2; }
ZONE=$1 START=$2 SPEED=$3 REAL=$4 ENTRIES=$5 OUT=$6
case $OUT in /*) ;; *) echo "run-debian.sh: OUTDIR must be absolute" >&2; exit 2 ;; esac
mkdir -p "$OUT/cron.d" "$OUT/spool"
rm -f "$OUT/log" "$OUT/pid"
: >"$OUT/crontab"
chmod 644 "$OUT/crontab"; chmod 755 "$OUT/cron.d"; chmod 730 "$OUT/spool"
touch "$OUT/log"; chmod 666 "$OUT/log"
export OUT ENTRIES ZONE START SPEED
unshare -m --propagation private bash -c '
  set -e
  mount --bind "$OUT/cron.d" /etc/cron.d
  mount --bind "$OUT/crontab" /etc/crontab
  mount --bind "$OUT/spool" /var/spool/cron/crontabs
  export TZ="$ZONE" FAKETIME_DONT_RESET=1
  # cron gives its jobs an environment of their own: the file sets what
  # keeps their date on the faked clock
  exec faketime -f "@$START x$SPEED" bash -c "
    f=\$OUT/cron.d/entries
    {
      echo SHELL=/bin/sh
      echo PATH=/usr/bin:/bin
      echo MAILTO=\"\\\"\\\"\"
      echo LD_PRELOAD=\$LD_PRELOAD
      echo FAKETIME=\$FAKETIME
      echo FAKETIME_SHARED=\$FAKETIME_SHARED
      echo FAKETIME_DONT_RESET=1
      echo TZ=\$TZ
      while IFS=\$(printf \"\\t\") read -r id sched; do
        echo \"\$sched root echo \$id \\\$(date +\\\\%s) >> \$OUT/log\"
      done < \$ENTRIES
    } > \$f.tmp
    chmod 644 \$f.tmp; mv \$f.tmp \$f
    echo start \$(date +%s) >> \$OUT/log
    echo \$\$ > \$OUT/pid
    exec /usr/sbin/cron -f -L 15
  "
' >"$OUT/cron.out" 2>&1 &
upid=$!
sleep "$REAL"
kill "$(cat "$OUT/pid")" 2>/dev/null || true
wait "$upid" || true
