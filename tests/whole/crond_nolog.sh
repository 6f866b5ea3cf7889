#!/bin/bash
# tests/whole/crond_nolog.sh: an entry written with a leading '-' (Vixie and
# cronie: do not log its runs). Allowed in root's crontab and the system
# crontabs: the run happens and is in the history, but crond's log has no
# CMD or END line for it. In another user's crontab it is refused, at
# install and by -T, with a message that says why.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
out=$TEST_TMP/out
mkdir -m 0777 "$out"

cat >"$TEST_TMP/user.tab" <<EOF
-*/5 * * * * echo hidden
EOF
chmod 0644 "$TEST_TMP/user.tab"
run as_nobody "$CRONTAB" -T "$TEST_TMP/user.tab"
expect_rc 1 "-T of a user's crontab with '-'"
expect_err_has "user.tab:1:1: a leading '-' (do not log this entry's runs) is allowed only in root's crontab and the system crontabs" "-T of a user's crontab with '-'"
run "$CRONTAB" -T "$TEST_TMP/user.tab"
expect_rc 0 "-T of root's crontab with '-'"
run "$CRONTAB" -T - <<'EOF'
- * * * * * echo detached
EOF
expect_rc 1 "'-' followed by a blank"
expect_err_has "must be followed directly by the first time field" "'-' followed by a blank"

# Root's own crontab (installed before crond starts: the direct path) and a
# system crontab, each with one quiet and one logged entry.
cat >"$TEST_TMP/root.tab" <<EOF
MAILTO=""
-* * * * * echo quiet-root > $out/quiet-root
* * * * * echo loud-root > $out/loud-root
EOF
run "$CRONTAB" "$TEST_TMP/root.tab"
expect_rc 0 "install root's crontab with '-'"
cat >"$TEST_TMP/cron.d/nolog" <<EOF
MAILTO=""
-* * * * * root echo quiet-sys > $out/quiet-sys
HOME=$out
* * * * * nobody echo loud-sys > $out/loud-sys
EOF
chmod 0644 "$TEST_TMP/cron.d/nolog"

start_crond --test-clock "$(before_next_minute 2)"

# Through crond: a user may not install it, root may.
run as_nobody "$CRONTAB" "$TEST_TMP/user.tab"
expect_rc 1 "nobody installs a crontab with '-'"
expect_err_has "allowed only in root's crontab and the system crontabs" "nobody installs '-'"
run "$CRONTAB" -u nobody "$TEST_TMP/user.tab"
expect_rc 1 "root installs '-' into nobody's crontab"
expect_err_has "allowed only in root's crontab" "root installs '-' into nobody's crontab"

for _ in $(seq 1 100); do
    [ -s "$out/quiet-root" ] && [ -s "$out/loud-root" ] && [ -s "$out/quiet-sys" ] &&
        [ -s "$out/loud-sys" ] && break
    sleep 0.1
done
for f in quiet-root loud-root quiet-sys loud-sys; do
    [ -s "$out/$f" ] || fail "the $f job did not run"
done
# wait for the END lines of the logged jobs (and time for any stray one)
for _ in $(seq 1 300); do
    [ "$(grep -c ') END (' "$TEST_TMP/crond.log")" -ge 2 ] && break
    sleep 0.1
done
sleep 0.5
log=$TEST_TMP/crond.log
grep -q '(root) CMD (pid=[0-9]* echo loud-root' "$log" || fail "no CMD line for root's logged entry"
grep -q '(nobody) CMD (pid=[0-9]* echo loud-sys' "$log" || fail "no CMD line for the system entry"
[ "$(grep -c ') CMD (' "$log")" -eq 2 ] || fail "CMD lines for '-' entries: $(grep ') CMD (' "$log")"
[ "$(grep -c ') END (' "$log")" -eq 2 ] || fail "END lines for '-' entries: $(grep ') END (' "$log")"
grep -q 'quiet' "$log" && fail "a '-' entry appears in the log: $(grep quiet "$log")"

# ... but its runs are in the history
deadline=$((SECONDS + 10))
while :; do
    run "$CRONTAB" --history
    case "$OUT" in *"echo quiet-root"*) break ;; esac
    [ $SECONDS -lt $deadline ] || { show_last; fail "the '-' entry's run is not in the history"; }
    sleep 0.3
done
stop_crond
echo "ok"
