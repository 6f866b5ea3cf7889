#!/bin/bash
# tests/whole/man_lint.sh: every man page lints clean (make man-lint: mandoc
# -Tlint and groff -wall, any message fails), and crond.conf(5) documents
# every key of the table in lib/config.c.
. "$ROOT/tests/whole/lib.sh"
command -v make >/dev/null || { echo "SKIP: no make"; exit 0; }
command -v mandoc >/dev/null && command -v groff >/dev/null \
    || { echo "SKIP: mandoc or groff is not installed (make man-lint installs them)"; exit 0; }
run make -s -C "$ROOT" man-lint
expect_rc 0 "make man-lint"
[ -z "$ERR" ] || { show_last; fail "make man-lint printed messages"; }

# The keys: PATHKEY(name) and { "name", K_... } lines of the table.
keys=$(sed -n -e 's/^[[:space:]]*PATHKEY(\([a-z_]*\)),.*/\1/p' \
              -e 's/^[[:space:]]*{ "\([a-z_]*\)", K_.*/\1/p' "$ROOT/lib/config.c")
[ "$(echo "$keys" | wc -l)" -ge 25 ] || fail "could not read the keys of lib/config.c: $keys"
# Documented = named in the tag of a tagged paragraph (.TP, then .B key or
# .BR key ", " other ...).
tags=$(awk 'prev == ".TP" { gsub(/[",]/, " "); print } { prev = $0 }' "$ROOT/man/crond.conf.5" \
       | tr ' ' '\n' | grep -v '^\.' | sort -u)
missing=""
for k in $keys; do
    printf '%s\n' "$tags" | grep -qx "$k" || missing="$missing $k"
done
[ -z "$missing" ] || fail "crond.conf(5) does not document:$missing"

# A deliberately broken page fails the lint (the check can fail).
mkdir -p "$TEST_TMP/man"
printf '.TH X 1\n.SH NAME\nx \\- y\n.SH BAD\n.PP\n.PP\ntext\t\there\n' >"$TEST_TMP/man/x.1"
run mandoc -Tlint "$TEST_TMP/man/x.1"
[ -n "$ERR$OUT" ] || fail "mandoc -Tlint found nothing wrong in a broken page"
echo "man_lint: ok"
