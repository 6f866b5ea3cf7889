/* tests/unit/support/tz_check.c: checking time zones (see tz_check.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/civil.h"
#include "tests/unit/support/tz_check.h"

int64_t utc(int64_t y, int mo, int d, int h, int mi, int s)
{
	struct civil_time ct = { y, mo, d, h, mi, s, 0, 0 };
	return civil_to_wall(&ct);
}

struct tz *must_load(const char *name)
{
	char err[300] = "";
	struct tz *z = tz_load(name, err, sizeof err);
	if (z == NULL)
		fail_msg("tz_load(%s): %s", name, err);
	return z;
}

void expect_load_error(const char *name, const char *needle)
{
	char err[400] = "";
	struct tz *z = tz_load(name, err, sizeof err);
	if (z != NULL) {
		tz_free(z);
		fail_msg("tz_load(%.80s) succeeded; expected an error with '%s'", name, needle);
	}
	if (strstr(err, needle) == NULL || strchr(err, '\n') != NULL)
		fail_msg("tz_load(%.80s): error '%s' lacks '%s'", name, err, needle);
}

void check_info(const struct tz *z, int64_t t, int32_t off, bool dst, const char *abbr)
{
	int32_t o;
	bool d;
	char a[16];
	tz_info_at(z, t, &o, &d, a, sizeof a);
	assert_int_equal(o, off);
	assert_int_equal(d, dst);
	assert_string_equal(a, abbr);
	assert_int_equal(tz_offset_at(z, t), off);
	int64_t wall;
	if (!__builtin_add_overflow(t, off, &wall))   /* else it saturates */
		assert_int_equal(tz_to_wall(z, t), wall);
}

void check_span(const struct tz *z, int64_t t)
{
	struct tz_span s;
	tz_span_at(z, t, &s);
	assert_true(s.start <= t && (t < s.end || t == INT64_MAX));
	assert_int_equal(tz_offset_at(z, t), s.offset);
	assert_int_equal(tz_offset_at(z, s.start), s.offset);
	if (s.start == INT64_MIN) {
		assert_int_equal(s.prev_offset, s.offset);
	} else {
		assert_int_equal(tz_offset_at(z, s.start - 1), s.prev_offset);
		assert_int_not_equal(s.prev_offset, s.offset);
	}
	if (s.end == INT64_MAX) {
		assert_int_equal(s.next_offset, s.offset);
		return;
	}
	assert_int_equal(tz_offset_at(z, s.end - 1), s.offset);
	assert_int_equal(tz_offset_at(z, s.end), s.next_offset);
	assert_int_not_equal(s.next_offset, s.offset);
	struct tz_span next;
	tz_span_at(z, s.end, &next);
	assert_int_equal(next.start, s.end);
	assert_int_equal(next.prev_offset, s.offset);
}
