# bench/deb_at.sh: sourced by the bench scripts that run Debian's at as an
# anchor (daemon_bench.sh, at_ab.sh).
#
#   deb_at_prepare DIR
#
# True when Debian's at is installed; then makes DIR/atjobs and DIR/atspool
# as the package has them (owner daemon, mode 1770, a .SEQ of 0, which at
# does not create), to be mounted over Debian's own.
#
#   deb_at_loop DIR ATLOOP C N JOB
#
# Runs ATLOOP with C submitters, N jobs in all, each `/usr/bin/at now + 1
# hour` with JOB on standard input, in a private mount namespace where
# DIR's atjobs and atspool stand over Debian's (and /run is a tmpfs), so
# Debian's spool keeps no job and no sequence change. Prints ATLOOP's
# line, "OK SECONDS CPU".
deb_at_prepare() {
    local d=$1
    [ -x /usr/bin/at ] && dpkg-query -W at >/dev/null 2>&1 || return 1
    mkdir -p "$d/atjobs" "$d/atspool" || return 1
    printf '00000\n' >"$d/atjobs/.SEQ"
    chmod 0600 "$d/atjobs/.SEQ"
    chown daemon:daemon "$d/atjobs" "$d/atspool" "$d/atjobs/.SEQ"
    chmod 1770 "$d/atjobs" "$d/atspool"
}

deb_at_loop() {
    unshare -m bash -c '
        set -e
        mount -t tmpfs -o mode=0755 tmpfs /run
        mount --bind "$1/atjobs" /var/spool/cron/atjobs
        mount --bind "$1/atspool" /var/spool/cron/atspool
        "$2" "$3" "$4" "$5" /usr/bin/at now + 1 hour' bash "$@"
}
