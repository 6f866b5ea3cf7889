/* tests/unit/support/tz_check.h: what the time zone tests (test_tz.c,
 * test_tzif.c, test_tz_rule.c) check zones with.
 *
 * Every check fails the running test (cmocka) with a message naming what
 * was expected.
 */
#ifndef CROND_TESTS_SUPPORT_TZ_CHECK_H
#define CROND_TESTS_SUPPORT_TZ_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/tz.h"

/* A zone or rule string and what it says at instant T. */
struct rule_case {
	const char *rule;
	int64_t t;
	int32_t off;
	bool dst;
	const char *abbr;
};

/* The instant of the UTC civil time Y-MO-D H:MI:S. */
int64_t utc(int64_t y, int mo, int d, int h, int mi, int s);

/* Zone NAME (tz_load); the caller frees it with tz_free. */
struct tz *must_load(const char *name);

/* tz_load(NAME) fails with a one-line error that contains NEEDLE. */
void expect_load_error(const char *name, const char *needle);

/* At T, Z gives offset OFF, DST flag DST and abbreviation ABBR, through
 * tz_info_at, tz_offset_at and tz_to_wall alike. */
void check_info(const struct tz *z, int64_t t, int32_t off, bool dst, const char *abbr);

/* The span of Z at T contains T, is maximal (the offset changes at both
 * ends, unless unbounded) and agrees with tz_offset_at and the next span. */
void check_span(const struct tz *z, int64_t t);

#endif
