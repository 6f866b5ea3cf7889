# bench/private_conf.sh: sourced by the bench scripts that run crond
# privately.
#
#   private_conf DIR [LINE...]
#
# Makes DIR/cron.d, DIR/spool and an empty DIR/crontab, and writes DIR/conf:
# a crond configuration naming every path inside DIR (pidfile, socket,
# spool, system crontabs, allow and deny files), no sendmail, the log on
# standard error, then each LINE (more settings). Run crond with
# `crond -n --config DIR/conf`: nothing outside DIR is touched.
private_conf() {
    local d=$1 line
    shift
    mkdir -p "$d/cron.d" "$d/spool" || return 1
    : >"$d/crontab"
    {
        cat <<EOT
pidfile = $d/crond.pid
socket = $d/crond.sock
spool = $d/spool/crond.db
system_crontab = $d/crontab
system_crontab_dir = $d/cron.d
cron_allow = $d/cron.allow
cron_deny = $d/cron.deny
at_allow = $d/at.allow
at_deny = $d/at.deny
sendmail =
log = stderr
EOT
        for line in "$@"; do echo "$line"; done
    } >"$d/conf"
}
