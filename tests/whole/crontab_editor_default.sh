#!/bin/bash
# crontab -e with neither VISUAL nor EDITOR set runs /usr/bin/sensible-editor,
# as Debian's crontab does (it honours select-editor's choice); where that
# is not executable, /usr/bin/editor, then vi from PATH. VISUAL and EDITOR,
# when set and not empty, still come first.
#
# The real paths are replaced by scripts with bind mounts in a private mount
# namespace (unshare -m), so nothing outside this test sees them.
. "$ROOT/tests/whole/lib.sh"
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    echo "SKIP: needs root and unshare -m to stand in for /usr/bin/sensible-editor"
    exit 0
fi
for p in /usr/bin/sensible-editor /usr/bin/editor; do
    [ -e "$p" ] || { echo "SKIP: $p does not exist to stand in for"; exit 0; }
done
need_crond
write_conf
start_crond
export TMPDIR=$TEST_TMP/tmp
mkdir -m 1777 "$TMPDIR"
mkdir "$TEST_TMP/bin"

fake() {   # path, name: an editor that writes a crontab naming itself
    cat >"$1" <<ED
#!/bin/sh
for f; do :; done
printf '0 1 * * * echo by-$2\n' >"\$f"
ED
    chmod 0755 "$1"
}
fake "$TEST_TMP/sensible" sensible
fake "$TEST_TMP/editor" editor
fake "$TEST_TMP/bin/vi" vi
fake "$TEST_TMP/mine" mine
printf 'not an editor\n' >"$TEST_TMP/noexec"
chmod 0644 "$TEST_TMP/noexec"

# Runs crontab -e in a namespace where /usr/bin/sensible-editor is $1 and
# /usr/bin/editor is $2 (bind mounts need both paths to exist), with the
# environment changed by the remaining arguments (env(1) syntax).
edit_with() {   # sensible-file editor-file [env assignments...]
    local s=$1 e=$2; shift 2
    run unshare -m sh -c '
        mount --bind "$1" /usr/bin/sensible-editor && mount --bind "$2" /usr/bin/editor &&
        shift 2 && exec env "$@"' sh "$s" "$e" "$@" PATH="$TEST_TMP/bin:/usr/bin:/bin" "$CRONTAB" -e
}
check() {   # who, what
    expect_rc 0 "$2"
    run "$CRONTAB" -l
    expect_out "0 1 * * * echo by-$1" "$2: the editor that ran"
}
edit_with "$TEST_TMP/sensible" "$TEST_TMP/editor" -u VISUAL -u EDITOR
check sensible "no VISUAL or EDITOR: sensible-editor"
edit_with "$TEST_TMP/noexec" "$TEST_TMP/editor" -u VISUAL -u EDITOR
check editor "sensible-editor not executable: /usr/bin/editor"
edit_with "$TEST_TMP/noexec" "$TEST_TMP/noexec" -u VISUAL -u EDITOR
check vi "neither: vi from PATH"
edit_with "$TEST_TMP/sensible" "$TEST_TMP/editor" VISUAL= EDITOR=
check sensible "empty VISUAL and EDITOR count as unset"
edit_with "$TEST_TMP/sensible" "$TEST_TMP/editor" -u VISUAL EDITOR="$TEST_TMP/mine"
check mine "EDITOR comes before sensible-editor"
edit_with "$TEST_TMP/sensible" "$TEST_TMP/editor" VISUAL="$TEST_TMP/mine" EDITOR="$TEST_TMP/editor"
check mine "VISUAL comes before EDITOR"
stop_crond
echo "ok"
