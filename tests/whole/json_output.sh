#!/bin/bash
# --json on crontab --status, --history and --next, atq and atq --history:
# each output is one JSON document (parsed here by python3's json module)
# with the documented schema: field by field, times as RFC 3339 and epoch
# seconds that agree, durations in milliseconds, bytes that are not UTF-8
# as U+FFFD. crond runs on a test clock 5 s before 2030-01-02T03:04Z at
# 10x, so the minute's runs come about half a second after the start.
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf
: >"$TEST_TMP/at.deny"
export TZ=UTC
cd "$TEST_TMP" || fail "cd"

printf 'MAILTO=""\n* * * * * echo out-ok\n* * * * * echo failing; exit 4\n* * * * * printf '"'"'caf\\351'"'"'\n0 5 * * * echo later\n' >"$TEST_TMP/a.tab"
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"
start=$(date -u -d 2030-01-02T03:03:55Z +%s)
start_crond --test-clock=$start:10
echo 'echo at-out' | "$BIN/at" -t 203001020304 2>/dev/null || fail "at -t (job 1)"
echo 'echo later' | "$BIN/at" -q c -t 203107011200 2>/dev/null || fail "at -t (job 2)"

deadline=$((SECONDS + 40))
while :; do
    run "$CRONTAB" --history --json
    n=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["runs"] if r["state"] != "running"))' 2>/dev/null)
    [ "${n:-0}" -ge 6 ] && "$BIN/atq" --history 2>/dev/null | grep -q ' exit 0 ' && break
    [ $SECONDS -lt $deadline ] || { show_last; fail "two minutes of runs were not recorded within 40 s"; }
    sleep 0.5
done

check() {   # check WHAT PYTHON-CODE, with the document in d
    printf '%s' "$OUT" | python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)
def t(o, name):
    s, e = o[name], o[name + "_epoch"]
    assert isinstance(s, str) and isinstance(e, int), (name, s, e)
    assert datetime.datetime.fromisoformat(s).timestamp() == e, (name, s, e)
    assert s.endswith("+00:00"), s
    return e
'"$2" || { show_last; fail "$1: the JSON document is not as documented"; }
}

run "$CRONTAB" --status --json
expect_rc 0 "--status --json"
check "--status --json" '
assert d["schema"] == "crond.status/1"
now = t(d, "now")
assert len(d["crontabs"]) == 1
c = d["crontabs"][0]
assert c["source"] == "user:root" and c["user"] == "root" and c["problem"] is None
e = c["entries"]
assert [x["line"] for x in e] == [2, 3, 4, 5], e
ok, bad, latin, later = e
assert ok["schedule"] == "* * * * *" and ok["command"] == "echo out-ok" and ok["user"] is None
assert ok["key"].startswith("user:root:")
nxt = t(ok, "next_run")
assert nxt > now and nxt % 60 == 0 and nxt - now <= 60
lr = ok["last_run"]
assert lr["state"] == "ok" and lr["exit_status"] == 0 and lr["signal"] is None, lr
assert lr["flags"] == [] and isinstance(lr["duration_ms"], int) and lr["duration_ms"] >= 0
st, en, sc = t(lr, "start"), t(lr, "end"), t(lr, "scheduled")
assert sc % 60 == 0 and st >= sc and en >= st
r = ok["recent"]
assert r["runs"] >= 2 and r["failures"] == 0 and r["not_started"] == 0, r
assert 0 <= r["median_duration_ms"] <= r["max_duration_ms"], r
lr = bad["last_run"]
assert lr["state"] == "failed" and lr["exit_status"] == 4, lr
assert bad["recent"]["failures"] == bad["recent"]["runs"] >= 2, bad["recent"]
assert latin["command"] == "printf '"'"'caf\\351'"'"'", latin["command"]
assert later["last_run"] is None and later["recent"]["runs"] == 0
assert later["recent"]["median_duration_ms"] is None
assert t(later, "next_run") == 1893560400, later
'

run "$CRONTAB" --json --history 50
expect_rc 0 "--history --json"
check "--history --json" '
assert d["schema"] == "crond.history/1" and d["user"] == "root"
runs = d["runs"]
starts = [t(r, "start") for r in runs]
assert starts == sorted(starts, reverse=True), "newest first"
ended = [r for r in runs if r["state"] != "running"]
fail = [r for r in ended if r["command"] == "echo failing; exit 4"]
assert fail and all(r["state"] == "failed" and r["exit_status"] == 4 for r in fail), fail
assert all(r["output"] == "failing\n" and r["output_size"] == 8 for r in fail), fail
good = [r for r in ended if r["command"] == "echo out-ok"]
assert good and all(r["state"] == "ok" and r["output"] == "out-ok\n" for r in good), good
latin = [r for r in ended if r["command"].startswith("printf")]
assert latin and all(r["output"] == "caf\ufffd" and r["output_size"] == 4 for r in latin), latin
for r in runs:
    assert r["kind"] == "cron" and isinstance(r["flags"], list)
    for k in ("scheduled", "start", "end", "duration_ms", "state", "exit_status", "signal", "output", "output_size"):
        assert k in r, k
'

run "$CRONTAB" --next 3 --json --from 2030-01-02T03:10 --tz UTC '*/5 * * * *'
expect_rc 0 "--next SCHEDULE --json"
check "--next SCHEDULE --json" '
assert d["schema"] == "crond.next/1" and d["zone"] == "UTC" and d["user"] is None
assert [t(r, "time") for r in d["runs"]] == [1893554100, 1893554400, 1893554700], d
assert all(r["line"] is None and r["command"] is None for r in d["runs"])
'
run "$CRONTAB" --next 4 --json --from 2030-01-02T03:10 --tz UTC
expect_rc 0 "--next --json"
check "--next --json" '
assert d["schema"] == "crond.next/1" and d["user"] == "root"
r = d["runs"]
assert [(x["time"], x["line"], x["command"]) for x in r] == [
    ("2030-01-02T03:11:00+00:00", 2, "echo out-ok"),
    ("2030-01-02T03:11:00+00:00", 3, "echo failing; exit 4"),
    ("2030-01-02T03:11:00+00:00", 4, "printf '"'"'caf\\351'"'"'"),
    ("2030-01-02T03:12:00+00:00", 2, "echo out-ok")], r
'

run "$BIN/atq" --json
expect_rc 0 "atq --json"
check "atq --json" '
assert d["schema"] == "crond.atq/1"
assert len(d["jobs"]) == 1, d
j = d["jobs"][0]
assert j["job"] == 2 and j["queue"] == "c" and j["user"] == "root" and j["state"] == "waiting", j
assert t(j, "time") == 1940673600
'
run "$BIN/at" -l --json
expect_rc 0 "at -l --json"
run "$BIN/atq" --history --json
expect_rc 0 "atq --history --json"
check "atq --history --json" '
assert d["schema"] == "crond.at-history/1" and d["user"] == "root"
assert len(d["runs"]) == 1, d
r = d["runs"][0]
assert r["kind"] == "at" and r["job"] == 1 and r["state"] == "ok" and r["exit_status"] == 0, r
assert r["output"] == "at-out\n" and r["output_size"] == 7, r
assert t(r, "scheduled") == 1893553440 and t(r, "start") >= 1893553440
assert "node" in r and r["node"] is None, r   # one machine: no node
'

# Where --json does not go
run "$CRONTAB" -l --json
expect_rc 1 "-l --json"
expect_err_has "--json only goes with --status, --history or --next" "-l --json"
run "$BIN/atq" --json -o '%s'
expect_rc 1 "atq --json -o"
expect_err_has "--json and -o do not go together" "atq --json -o"
run "$BIN/at" --json now
expect_rc 1 "at --json now"
expect_err_has "--json only goes with listing jobs" "at --json now"
run "$BIN/atrm" --json 2
expect_rc 1 "atrm --json"
expect_err_has "unrecognized option '--json'" "atrm --json"
stop_crond
echo "ok"
