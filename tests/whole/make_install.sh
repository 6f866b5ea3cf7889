#!/bin/bash
# tests/whole/make_install.sh: `make install` with DESTDIR puts every file of
# the package in place (no setuid or setgid bit, the unit and the SysV script
# naming the installed crond), never overwrites an existing configuration,
# and `make uninstall` removes everything but a configuration that was
# changed.
. "$ROOT/tests/whole/lib.sh"
command -v make >/dev/null || { echo "SKIP: no make"; exit 0; }
dest=$TEST_TMP/dest
build=$(dirname "$BIN")
inst() { run make -s -C "$ROOT" BUILD="$build" NO_BUILD=1 DESTDIR="$dest" PREFIX=/usr SYSCONFDIR=/etc "$@"; }
inst install
expect_rc 0 "make install"
expected="etc/bash_completion.d/crond-crontab
etc/cron.d/.placeholder
etc/cron.daily/.placeholder
etc/cron.hourly/.placeholder
etc/cron.monthly/.placeholder
etc/cron.weekly/.placeholder
etc/cron.yearly/.placeholder
etc/crond.conf
etc/crontab
etc/init.d/crond
etc/pam.d/crond
usr/bin/at
usr/bin/atq
usr/bin/atrm
usr/bin/batch
usr/bin/crontab
usr/lib/crond/crond-session
usr/lib/systemd/system/crond.service
usr/lib/systemd/system/crond.socket
usr/sbin/crond
usr/share/bash-completion/completions/at
usr/share/bash-completion/completions/atq
usr/share/bash-completion/completions/atrm
usr/share/bash-completion/completions/batch
usr/share/bash-completion/completions/crond
usr/share/doc/crond/README.md"
got=$(cd "$dest" && find . \( -type f -o -type l \) ! -path './usr/share/man/*' ! -path './usr/share/doc/crond/examples/*' | sed 's|^\./||' | sort)
[ "$got" = "$expected" ] || fail "installed files differ: $(diff <(echo "$expected") <(echo "$got"))"
for m in "$ROOT"/man/*.[158]; do
    cmp -s "$m" "$dest/usr/share/man/man${m##*.}/$(basename "$m")" || fail "man page $(basename "$m") not installed"
done
[ "$(readlink "$dest/usr/share/man/man1/atq.1")" = at.1 ] || fail "no atq(1)"
[ "$(readlink "$dest/usr/bin/batch")" = at ] || fail "batch is not a link to at"
[ -z "$(find "$dest" -perm /6000)" ] || fail "setuid or setgid files: $(find "$dest" -perm /6000)"
[ "$(stat -c %a "$dest/usr/sbin/crond")" = 755 ] || fail "crond mode"
[ "$(stat -c %a "$dest/usr/lib/crond/crond-session")" = 755 ] || fail "crond-session mode"
cmp -s "$ROOT/etc/pam.d/crond" "$dest/etc/pam.d/crond" || fail "etc/pam.d/crond not installed as is"
grep -q '^ExecStart=/usr/sbin/crond' "$dest/usr/lib/systemd/system/crond.service" || fail "unit names the wrong crond"
grep -q '^DAEMON=/usr/sbin/crond' "$dest/etc/init.d/crond" || fail "init script names the wrong crond"
cmp -s "$ROOT/etc/crontab" "$dest/etc/crontab" || fail "etc/crontab not installed as is"

# A changed configuration survives install and uninstall.
echo "max_jobs = 7" >>"$dest/etc/crond.conf"
cp "$dest/etc/crond.conf" "$TEST_TMP/mine"
inst install
expect_rc 0 "make install again"
case "$OUT" in *"make: keeping $dest/etc/crond.conf"*) ;; *) show_last; fail "no note that crond.conf was kept" ;; esac
cmp -s "$TEST_TMP/mine" "$dest/etc/crond.conf" || fail "install overwrote a changed crond.conf"
echo "# a local job" >"$dest/etc/cron.daily/local"
inst uninstall
expect_rc 0 "make uninstall"
cmp -s "$TEST_TMP/mine" "$dest/etc/crond.conf" || fail "uninstall removed a changed crond.conf"
left=$(cd "$dest" && find . -type f -o -type l | sed 's|^\./||' | sort | tr '\n' ' ')
[ "$left" = "etc/cron.daily/local etc/crond.conf " ] || fail "uninstall left: $left"
echo "make_install: ok"
