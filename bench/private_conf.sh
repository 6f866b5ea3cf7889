# bench/private_conf.sh: sourced by the bench scripts that run crond
# privately, and by etc/make-run.sh (`make run`).
#
#   private_conf DIR [LINE...]
#
# Makes DIR/cron.d, DIR/spool and an empty DIR/crontab, and writes DIR/conf:
# private_conf_text DIR, then each LINE (more settings). Run crond with
# `crond -n --config DIR/conf`: nothing outside DIR is touched.
#
#   private_conf_text DIR [CRONDIR]
#
# Prints a crond configuration naming every path inside DIR (pidfile,
# socket, spool, system crontabs, allow and deny files), with CRONDIR
# (default DIR/cron.d) as the system crontab directory, no sendmail, and
# the log on standard error.
private_conf_text() {
    local d=$1 crondir=${2:-$1/cron.d}
    cat <<EOT
pidfile = $d/crond.pid
socket = $d/crond.sock
spool = $d/spool/crond.db
system_crontab = $d/crontab
system_crontab_dir = $crondir
cron_allow = $d/cron.allow
cron_deny = $d/cron.deny
at_allow = $d/at.allow
at_deny = $d/at.deny
sendmail =
log = stderr
EOT
}

private_conf() {
    local d=$1 line
    shift
    mkdir -p "$d/cron.d" "$d/spool" || return 1
    : >"$d/crontab"
    {
        private_conf_text "$d"
        for line in "$@"; do echo "$line"; done
    } >"$d/conf"
}
