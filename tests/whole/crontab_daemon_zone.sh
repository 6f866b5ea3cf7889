#!/bin/bash
# Entries without CRON_TZ run in crond's zone, whatever the zone of whoever
# asks: crontab --next, --status and --timeline compute them there (crond
# names its zone in its replies) and only show times in the caller's zone
# (TZ or --tz). --next --tz still computes in the zone it names, as its
# page says. crond runs in UTC here, the caller in Tokyo (+09:00, no DST).
. "$ROOT/tests/whole/lib.sh"
need_crond
write_conf

cat >"$TEST_TMP/a.tab" <<'TAB'
0 9 * * * local-nine
CRON_TZ=Asia/Tokyo
0 9 * * * tokyo-nine
TAB
run "$CRONTAB" "$TEST_TMP/a.tab"
expect_rc 0 "install"
# crond's clock: 2026-01-01 10:00Z
TZ=UTC start_crond --test-clock=1767261600

T=$'\t'
# 19:00 in Tokyo is 10:00Z: local-nine next runs at 09:00Z, 18:00 in Tokyo
run env TZ=Asia/Tokyo "$CRONTAB" --next 2 --from 2026-01-01T19:00
expect_rc 0 "--next in Tokyo"
expect_out "2026-01-02T09:00:00+09:00${T}tokyo-nine
2026-01-02T18:00:00+09:00${T}local-nine"
# --tz names the zone to compute in as well (a preview for another zone)
run env TZ=UTC "$CRONTAB" --next 1 --from 2026-01-01T19:00 --tz Asia/Tokyo
expect_rc 0 "--next --tz"
expect_out "2026-01-02T09:00:00+09:00${T}local-nine"

# --status: the same next run whatever zone it is shown in
next_epoch() {   # next_epoch LINE: next_run_epoch of that line, from $OUT
    printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([e for e in d["crontabs"][0]["entries"] if e["line"] == int(sys.argv[1])][0]["next_run_epoch"])' "$1"
}
for how in "env TZ=Asia/Tokyo" "env TZ=UTC" "env TZ=America/New_York"; do
    run $how "$CRONTAB" --status --json
    expect_rc 0 "--status ($how)"
    [ "$(next_epoch 1)" = 1767344400 ] || fail "--status ($how): local-nine's next run: $OUT"
    [ "$(next_epoch 3)" = 1767312000 ] || fail "--status ($how): tokyo-nine's next run: $OUT"
done
run env TZ=UTC "$CRONTAB" --status --json --tz Asia/Tokyo
expect_rc 0 "--status --tz"
[ "$(next_epoch 1)" = 1767344400 ] || fail "--status --tz Asia/Tokyo: local-nine: $OUT"
printf '%s' "$OUT" | grep -qF '"2026-01-02T18:00:00+09:00"' || fail "--status --tz shows Tokyo times: $OUT"

# --timeline in Tokyo: local-nine in the 18:00 cell, tokyo-nine at 09:00
run env TZ=Asia/Tokyo "$CRONTAB" --timeline --days 1 --from 2026-01-02
expect_rc 0 "--timeline in Tokyo"
r=$(printf '%s\n' "$OUT" | grep '^Fri 2026-01-02')
[ "$r" = "Fri 2026-01-02                            ..                         ..               " ] ||
    fail "--timeline in Tokyo: '$r'"
stop_crond
echo "ok"
