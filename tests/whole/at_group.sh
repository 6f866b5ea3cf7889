#!/bin/bash
# tests/whole/at_group.sh: an at job runs with the group its submitter had
# (as after `sg GROUP at ...` or newgrp), as Debian's atd runs it, when its
# owner may have that group when it runs: a member of it, or root; else
# with the owner's passwd group (a group held through a set-group-id
# program, or left since, is not given). `at -c` shows the group recorded.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
: >"$TEST_TMP/at.deny"          # everyone may use at
throwaway_user crondgrp
usermod -a -G mail "$EVIL" || fail "usermod -G mail $EVIL"
start_crond
out=$TEST_TMP/out
mkdir -m 0777 "$out"
mail=$(getent group mail | cut -d: -f3)
own=$(id -g "$EVIL")
nobody_group=$(id -g nobody)

submit() {   # NAME, then setpriv's options: how the submitter runs at
    local name=$1
    shift
    run setpriv "$@" bash -c "echo 'id -g >$out/$name; touch $out/$name.made' | '$BIN/at' now"
    expect_rc 0 "at now ($name)"
}
cd "$out" || fail "cd"
submit member --reuid="$EVIL" --regid=mail --init-groups       # sg mail at ...
submit stranger --reuid=nobody --regid=mail --clear-groups     # not nobody's
submit root --regid=mail --keep-groups
submit plain --reuid="$EVIL" --regid="$own" --init-groups
cd "$TEST_TMP" || fail "cd"
done_all() { for n in member stranger root plain; do [ -s "$out/$n" ] || return 1; done; }
wait_for 20 "the four at jobs" done_all
check() {   # NAME GID
    [ "$(cat "$out/$1")" = "$2" ] || fail "$1's job ran with group $(cat "$out/$1"), not $2"
    [ "$(stat -c %g "$out/$1.made")" = "$2" ] || fail "$1's job made a file of group $(stat -c %g "$out/$1.made")"
}
check member "$mail"
check stranger "$nobody_group"
check root "$mail"
check plain "$own"
echo "at jobs' groups: member of mail $(cat "$out/member"), nobody asking for mail $(cat "$out/stranger"), root $(cat "$out/root"), plain $(cat "$out/plain")"

# at -c says what was recorded: the submitter's group, as Debian's at does.
run setpriv --reuid="$EVIL" --regid=mail --init-groups bash -c "echo true | '$BIN/at' -t 203001010000"
expect_rc 0 "at -t (member, group mail)"
job=$(printf '%s\n' "$ERR" | sed -n 's/^job \([0-9]*\) at .*/\1/p')
[ -n "$job" ] || fail "no job number in: $ERR"
run "$BIN/at" -c "$job"
printf '%s\n' "$OUT" | grep -qx "# atrun uid=$(id -u "$EVIL") gid=$mail" ||
    { show_last; fail "at -c: not the submitter's group"; }
stop_crond
echo "at_group: ok"
