#!/bin/bash
# The mail of a cron job that failed (exit status not 0, or killed by a
# signal) says so at the end of its Subject, as Debian's cron does:
#   Subject: Cron <user@host> command (failed)
# and the mail of a job that succeeded does not. The host is the first word
# of the host name. cronie's "-n" before a command mails it only when it
# fails: "-n echo quiet" is not mailed, "-n echo loud; exit 4" is, as
# "echo loud; exit 4 (failed)" (was: "-n" went to /bin/sh, which refused it
# at every run, and every run was mailed as failed).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
cat >"$TEST_TMP/tab" <<'EOF'
* * * * * echo fine
* * * * * echo broken; exit 3
* * * * * echo killed; kill -9 $$
* * * * * -n echo quiet
* * * * *	-n	echo loud; exit 4
EOF
start_crond --test-clock "$(before_next_minute 2)"
run "$CRONTAB" "$TEST_TMP/tab"
expect_rc 0 "install the crontab"
for _ in $(seq 1 100); do
    [ "$(grep -c '^--- end' "$TEST_TMP/mail.log" 2>/dev/null)" = 4 ] && break
    sleep 0.1
done
sleep 0.5   # the quiet one ended with the others: its mail would be here
[ -e "$TEST_TMP/mail.log" ] || fail "no mail was sent"
me=$(id -un)
host=$(uname -n | cut -d. -f1)
subjects=$(grep '^Subject: ' "$TEST_TMP/mail.log" | sort)
want=$(printf 'Subject: Cron <%s@%s> %s\n' \
    "$me" "$host" 'echo broken; exit 3 (failed)' \
    "$me" "$host" 'echo fine' \
    "$me" "$host" 'echo killed; kill -9 $$ (failed)' \
    "$me" "$host" 'echo loud; exit 4 (failed)' | sort)
[ "$subjects" = "$want" ] || fail "mail subjects were:
$subjects
expected:
$want"
stop_crond
echo "ok"
