#!/bin/bash
# crontab -e: a private temp file (0600 in a 0700 directory, removed
# afterwards), the editor from VISUAL/EDITOR with arguments, nothing but
# descriptors 0-2 inherited; an error leads to "Do you want to retry the
# same edit?", y reruns the editor on the same file; an unchanged file
# installs nothing; n keeps the edits and exits 1.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
start_crond
export TMPDIR=$TEST_TMP/tmp
mkdir -m 1777 "$TMPDIR"   # like /tmp: nobody edits here too

# The scripted editor: run 1 writes an invalid line, later runs a valid
# crontab. It records what it saw.
cat >"$TEST_TMP/editor" <<'ED'
#!/bin/sh
state=$STATE
for f; do :; done   # the file is the last argument
n=$(cat "$state/count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"$state/count"
echo "$*" >"$state/args.$n"
stat -c '%a %U %F' "$(dirname "$f")" "$f" >"$state/stat.$n"
if [ "$n" = 1 ]; then
    printf '61 * * * * echo bad\n' >"$f"
else
    printf '# edited\n15 4 * * * echo good\n' >"$f"
fi
ED
chmod 0755 "$TEST_TMP/editor"
export STATE=$TEST_TMP/state
mkdir "$STATE"

# No crontab yet: an empty one is edited; error, retry (y), success.
EDITOR="$TEST_TMP/editor --flag" run "$CRONTAB" -e <<<"y"
expect_rc 0 "edit with one retry"
expect_err_has "no crontab for root - using an empty one" "empty start"
expect_err_has "minute 61 is out of range" "the error of the first edit"
expect_err_has "Do you want to retry the same edit? (y/n)" "retry prompt"
[ "$(cat "$STATE/count")" = 2 ] || fail "the editor ran $(cat "$STATE/count") times, not 2"
run "$CRONTAB" -l
expect_out $'# edited\n15 4 * * * echo good' "installed after the retry"
grep -q -- "--flag $TMPDIR/crontab\.[A-Za-z0-9]*/crontab" "$STATE/args.1" ||
    fail "editor arguments: $(cat "$STATE/args.1")"
[ "$(sed -n 1p "$STATE/stat.1")" = "700 root directory" ] || fail "directory: $(cat "$STATE/stat.1")"
[ "$(sed -n 2p "$STATE/stat.1")" = "600 root regular empty file" ] || fail "file: $(cat "$STATE/stat.1")"
[ "$(cat "$STATE/args.1")" = "$(cat "$STATE/args.2")" ] || fail "the retry edited another file"
[ -z "$(ls -A "$TMPDIR")" ] || fail "temp files left: $(ls -A "$TMPDIR")"

# The editor inherits descriptors 0-2 only, even when crontab itself was
# given more (9 here): ls sees 0-2 and the directory it lists.
EDITOR="ls -l /proc/self/fd >$STATE/fds 2>&1; :" run "$CRONTAB" -e 9<"$CONF"
expect_rc 0 "editor that lists its descriptors"
extra=$(sed -n 's/.* \([0-9][0-9]*\) -> \(.*\)$/\1 \2/p' "$STATE/fds" |
        grep -v -E '^[012] |^3 /proc/[0-9]+/fd$' || true)
[ -z "$extra" ] || fail "the editor inherited descriptors: $extra"
grep -q ' 2 -> ' "$STATE/fds" || fail "cannot read the editor's descriptors: $(cat "$STATE/fds")"

# VISUAL wins over EDITOR; an unchanged file installs nothing.
VISUAL=true EDITOR=false run "$CRONTAB" -e
expect_rc 0 "unchanged edit"
expect_err_has "No modification made" "unchanged edit"
run "$CRONTAB" -l
expect_out $'# edited\n15 4 * * * echo good' "unchanged after a no-change edit"

# An editor that fails changes nothing.
EDITOR=false run "$CRONTAB" -e
expect_rc 1 "failing editor"
expect_err_has "exited with status 1" "failing editor"
[ -z "$(ls -A "$TMPDIR")" ] || fail "temp files left after a failing editor"

# An editor that writes a new file and renames it over the old one (as vim
# and emacs may) is followed; one that leaves a symbolic link is not.
EDITOR='f() { printf "1 1 * * * renamed\n" >"$1.new" && mv "$1.new" "$1"; }; f' run "$CRONTAB" -e
expect_rc 0 "editor that renames"
run "$CRONTAB" -l
expect_out "1 1 * * * renamed" "installed after a rename"
EDITOR='f() { rm "$1" && ln -s /etc/passwd "$1"; }; f' run "$CRONTAB" -e
expect_rc 1 "editor that leaves a symbolic link"
expect_err_has "symbolic link" "editor that leaves a symbolic link"
run "$CRONTAB" -l
expect_out "1 1 * * * renamed" "unchanged after the symbolic link"
[ -z "$(ls -A "$TMPDIR")" ] || fail "temp files left after the symbolic link"
printf '# edited\n15 4 * * * echo good\n' | "$CRONTAB" - || fail "reinstall"

# Answering n keeps the edits and exits 1.
rm -f "$STATE/count"
EDITOR="$TEST_TMP/editor" run "$CRONTAB" -e <<<"n"
expect_rc 1 "retry answered n"
expect_err_has "crontab: edits left in $TMPDIR/crontab." "edits left"
left=$(ls "$TMPDIR"/crontab.*/crontab)
grep -q "61 \* \* \* \* echo bad" "$left" || fail "the edits were not kept in $left"
rm -rf "$TMPDIR"/crontab.*
run "$CRONTAB" -l
expect_out $'# edited\n15 4 * * * echo good' "unchanged after answering n"

# Root edits another user's crontab with -u.
rm -f "$STATE/count"; echo 1 >"$STATE/count"
EDITOR="$TEST_TMP/editor" run "$CRONTAB" -u nobody -e
expect_rc 0 "edit nobody's crontab"
run "$CRONTAB" -u nobody -l
expect_out $'# edited\n15 4 * * * echo good' "nobody's crontab after -u -e"

# A user edits their own crontab (no -u), as themselves.
rm -f "$STATE/count"; echo 1 >"$STATE/count"; chmod 0777 "$STATE" "$STATE"/*
EDITOR="$TEST_TMP/editor" run as_nobody "$CRONTAB" -e
expect_rc 0 "nobody edits their own crontab"
[ "$(sed -n 2p "$STATE/stat.2")" = "600 nobody regular file" ] || fail "nobody's temp file: $(cat "$STATE/stat.2")"

# Root's TMPDIR in a directory nobody owns: nobody could move the private
# directory away and put a link where the editor writes (review). crontab
# says so and edits in /tmp instead.
mkdir -m 0755 "$TEST_TMP/nobodys"
chown nobody "$TEST_TMP/nobodys"
rm -f "$STATE/count"; echo 1 >"$STATE/count"
TMPDIR=$TEST_TMP/nobodys EDITOR="$TEST_TMP/editor" run "$CRONTAB" -u nobody -e
expect_rc 0 "root edits with an unsafe TMPDIR"
expect_err_has "crontab: not using TMPDIR $TEST_TMP/nobodys: someone other than you or root could change it; using /tmp" \
    "the unsafe TMPDIR"
grep -q -- "^/tmp/crontab\.[A-Za-z0-9]*/crontab$" "$STATE/args.2" ||
    fail "the editor did not get a file in /tmp: $(cat "$STATE/args.2")"
[ -z "$(ls -A "$TEST_TMP/nobodys")" ] || fail "crontab wrote in the unsafe TMPDIR"

# A TMPDIR through nobody's link to a safe directory: the directory is
# used by its real path, not through the link, which nobody could point
# elsewhere while the editor runs (review).
mkdir -m 0700 "$TEST_TMP/rootsafe"
as_nobody ln -s "$TEST_TMP/rootsafe" "$TMPDIR/link" || fail "nobody's link"
rm -f "$STATE/count"; echo 1 >"$STATE/count"
TMPDIR=$TMPDIR/link EDITOR="$TEST_TMP/editor" run "$CRONTAB" -u nobody -e
expect_rc 0 "root edits with TMPDIR through a link"
grep -q -- "^$TEST_TMP/rootsafe/crontab\.[A-Za-z0-9]*/crontab$" "$STATE/args.2" ||
    fail "the editor's file is not under the real path: $(cat "$STATE/args.2")"
rm -f "$TMPDIR/link"

stop_crond
echo "ok"
