# tests/whole/completion.sh: the bash completions in etc/bash-completion:
# options of crontab, at, atq, atrm, batch and crond (the new ones
# included), users for -u (every user for root, oneself otherwise), entry
# line numbers for `crontab --run` from `crontab -l`, job numbers for atrm
# and at -c/-d from `atq`, zones for --tz, files for --config. Each file is
# sourced in bash after bash-completion's own, and its function called with
# COMP_WORDS and COMP_CWORD set, as bash does.
. "$ROOT/tests/whole/lib.sh"
need_crond

BC=/usr/share/bash-completion/bash_completion
if [ ! -r "$BC" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q bash-completion >/dev/null 2>&1 || true
fi
[ -r "$BC" ] || echo "NOTE: bash-completion is not installed: the files are tested on their own"
cp -r "$ROOT/etc/bash-completion" "$TEST_TMP/bc"
chmod -R a+rX "$TEST_TMP/bc"

# candidates FILE FUNCTION WORD...: the sorted candidates, one line, for the
# last WORD being completed.
candidates() {
    local file=$1 fn=$2
    shift 2
    PATH="$BIN:$PATH" bash -c '
        [ -r "$0" ] && . "$0" >/dev/null 2>&1
        . "$1" || exit 1
        fn=$2
        shift 2
        COMP_WORDS=("$@")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        "$fn"
        (( ${#COMPREPLY[@]} )) && printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
        exit 0
    ' "$BC" "$TEST_TMP/bc/$file" "$fn" "$@"
}

expect_candidates() {   # expect_candidates "WANTED" FILE FUNCTION WORD...
    local want=$1 got
    shift
    got=$(candidates "$@")
    [ "$got" = "$want" ] || fail "completing '${*:3}': got '$got', wanted '$want'"
}

write_conf
start_crond

# crontab: options, old and new
expect_candidates "--run " crontab _crond_crontab crontab --ru
expect_candidates "--status --system " crontab _crond_crontab crontab --s
expect_candidates "--timeline --tz " crontab _crond_crontab crontab --t
expect_candidates "--json " crontab _crond_crontab crontab --j
got=$(candidates crontab _crond_crontab crontab -)
for o in -u -l -r -e -i -n --next --history --all --days --config --help; do
    case " $got " in *" $o "*) ;; *) fail "crontab - does not offer $o: $got" ;; esac
done

# crontab --run: the entry lines of the installed crontab, not comments,
# blanks or assignments
cat >"$TEST_TMP/tab" <<'EOF'
# comment
MAILTO=""
* * * * * true

@daily echo hi
X = 1
0 5 * * 1 backup
EOF
run "$BIN/crontab" "$TEST_TMP/tab"
expect_rc 0 "crontab install"
expect_candidates "3 5 7 " crontab _crond_crontab crontab --run ""
expect_candidates "5 " crontab _crond_crontab crontab --run 5
expect_candidates "3 5 7 " crontab _crond_crontab crontab --run = ""
# another crond's crontab, named by --config: that one is empty
sed -e "s|$SOCK|$TEST_TMP/none.sock|" -e "s|$TEST_TMP/spool|$TEST_TMP/spool2|" "$CONF" >"$TEST_TMP/other.conf"
expect_candidates "" crontab _crond_crontab crontab --config "$TEST_TMP/other.conf" --run ""
# root names the user: nobody has no crontab
expect_candidates "" crontab _crond_crontab crontab -u nobody --run ""

# users for -u: root gets every user, anyone else only themselves
got=$(candidates crontab _crond_crontab crontab -u "")
case " $got " in *" root "*) ;; *) fail "root's -u does not offer root: $got" ;; esac
case " $got " in *" nobody "*) ;; *) fail "root's -u does not offer nobody: $got" ;; esac
expect_candidates "root " crontab _crond_crontab crontab -u roo
got=$(as_nobody env PATH="$BIN:$PATH" bash -c '
    . "$0"; COMP_WORDS=(crontab -u ""); COMP_CWORD=2; _crond_crontab
    printf "%s " "${COMPREPLY[@]}"' "$TEST_TMP/bc/crontab")
[ "$got" = "nobody " ] || fail "nobody's -u offers '$got', not only nobody"

# --tz: zone names; --config: files
expect_candidates "Europe/Paris " crontab _crond_crontab crontab --next 3 --tz Europe/Pari
: >"$TEST_TMP/conf-a"
expect_candidates "$TEST_TMP/conf-a " crontab _crond_crontab crontab --config "$TEST_TMP/conf-"
# a file to install
expect_candidates "$TEST_TMP/tab " crontab _crond_crontab crontab "$TEST_TMP/ta"

# at jobs: numbers from atq for atrm, at -c, at -d, atq
echo 'echo one' | "$BIN/at" -t 203001020304 2>/dev/null || fail "at -t (job 1)"
echo 'echo two' | "$BIN/at" -q c -t 203007011200 2>/dev/null || fail "at -t (job 2)"
jobs=$("$BIN/atq" | cut -f1 | sort | tr '\n' ' ')
[ "$(echo "$jobs" | wc -w)" = 2 ] || fail "atq lists '$jobs', not two jobs"
expect_candidates "$jobs" at _crond_at atrm ""
expect_candidates "$jobs" at _crond_at at -c ""
expect_candidates "$jobs" at _crond_at at -d ""
expect_candidates "$jobs" at _crond_at atq ""
expect_candidates "$jobs" at _crond_at /usr/bin/atrm --config "$CONF" ""
expect_candidates "" at _crond_at atrm --config "$TEST_TMP/other.conf" ""
# options by name: at has -t and --dry-run, batch has neither, atq has -o
expect_candidates "--dry-run " at _crond_at at --d
expect_candidates "" at _crond_at batch --d
expect_candidates "-t " at _crond_at at -t
expect_candidates "" at _crond_at batch -t
expect_candidates "-o " at _crond_at atq -o
expect_candidates "--history " at _crond_at atq --hi
expect_candidates "--json " at _crond_at atq --j
expect_candidates "root " at _crond_at at -u roo
expect_candidates "noon now " at _crond_at at no
expect_candidates "c " at _crond_at at -q c
expect_candidates "$TEST_TMP/tab " at _crond_at batch -f "$TEST_TMP/ta"

# crond
expect_candidates "--test-clock " crond _crond_crond crond --te
expect_candidates "-n " crond _crond_crond crond -n
expect_candidates "$TEST_TMP/conf-a " crond _crond_crond crond --config = "$TEST_TMP/conf-"
stop_crond

# What `make install` puts where bash-completion looks.
make -s -C "$ROOT" install-completions DESTDIR="$TEST_TMP/dest" PREFIX=/usr/local >/dev/null \
    || fail "make install-completions failed"
d=$TEST_TMP/dest/usr/local/share/bash-completion/completions
for f in crontab at atq atrm batch crond; do
    [ -r "$d/$f" ] || fail "make install put no $f in $d"
done
[ "$(readlink "$d/atrm")" = at ] || fail "atrm's completion is not a link to at's"
make -s -C "$ROOT" uninstall-completions DESTDIR="$TEST_TMP/dest" PREFIX=/usr/local >/dev/null \
    || fail "make uninstall-completions failed"
[ -z "$(find "$TEST_TMP/dest" ! -type d)" ] || fail "uninstall left: $(find "$TEST_TMP/dest" ! -type d)"
# With PREFIX=/usr (the Debian package), crontab's completion must not take
# the path of bash-completion's own: it goes to the directory bash-completion
# sources at start-up, which wins over that file.
make -s -C "$ROOT" install-completions DESTDIR="$TEST_TMP/usr" PREFIX=/usr >/dev/null \
    || fail "make install-completions PREFIX=/usr failed"
got=$(cd "$TEST_TMP/usr" && find . ! -type d | sed 's|^\./||' | sort | tr '\n' ' ')
[ "$got" = "etc/bash_completion.d/crond-crontab usr/share/bash-completion/completions/at \
usr/share/bash-completion/completions/atq usr/share/bash-completion/completions/atrm \
usr/share/bash-completion/completions/batch usr/share/bash-completion/completions/crond " ] \
    || fail "PREFIX=/usr installs: $got"
if [ -r "$BC" ]; then
    # bash-completion, started as an interactive shell would, then asked for
    # crontab's completion: ours (from the start-up directory), not its own.
    got=$(BASH_COMPLETION_COMPAT_DIR="$TEST_TMP/usr/etc/bash_completion.d" bash -c '
        . "$0"; complete -p crontab' "$BC" 2>&1)
    [ "$got" = "complete -F _crond_crontab crontab" ] || fail "bash-completion uses: $got"
fi
