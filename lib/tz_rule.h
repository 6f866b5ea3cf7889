/* lib/tz_rule.h: POSIX TZ rule strings, the part of lib/tz.c that knows them.
 *
 * A rule string ("EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30", "IST-1GMT0,
 * M10.5.0,M3.5.0/1") describes a zone by a standard offset and, optionally, a
 * daylight-saving offset with the yearly dates and local times at which it
 * starts and ends. It is the footer of a TZif file (RFC 8536 section 3.3) and
 * a possible value of $TZ. Accepted grammar (POSIX plus the RFC 8536
 * extensions):
 *
 *   std offset [dst [offset] [,start[/time],end[/time]]]
 *   std, dst: 3+ letters, or <...> with 3+ of [A-Za-z0-9+-]
 *   offset:   [+-]hh[:mm[:ss]], hh 0-24, positive WEST of Greenwich;
 *             the DST offset defaults to one hour ahead of standard time
 *   start, end: Jn (1-365, February 29 never counted), n (0-365, counted),
 *             Mm.w.d (month 1-12, week 1-5 where 5 is the last, day 0-6 Sunday)
 *   time:     [+-]hhh[:mm[:ss]], hhh 0-167, local time then in force;
 *             default 02:00:00
 *   a DST name without dates means ",M3.2.0,M11.1.0" (the US rules since
 *   2007; glibc would use the whole history of a "posixrules" file instead).
 *
 * Evaluation without loops over years: the Gregorian calendar repeats every
 * 400 years, which is exactly 146,097 days (a whole number of weeks), so the
 * rule's transitions repeat with that period. Parsing computes, once, the
 * state changes within one period [0, TZ_RULE_CYCLE) (at most ~800 instants)
 * and a bucket index over them; a query reduces its instant modulo the
 * period and finds its place in O(1) (about 10-20 ns). Events at one
 * instant cancel out: a year's end meeting the next year's start (DST all
 * year, "EST5EDT,0/0,J365/25") leaves DST on, so such a rule simply has no
 * changes; a start meeting its own year's end leaves it off.
 *
 * A parsed rule is immutable; every function here is thread-safe.
 */
#ifndef CROND_LIB_TZ_RULE_H
#define CROND_LIB_TZ_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/civil.h"

/* Longest accepted abbreviation in a rule string (bytes, without the NUL). */
#define TZ_ABBR_MAX 63

/* 400 Gregorian years, in seconds: the period of every rule. */
#define TZ_RULE_CYCLE ((int64_t)146097 * SECS_PER_DAY)

/* The period is cut into buckets of ~143 days, each indexing the changes it
 * holds (0-2 for real rules), so that a lookup is O(1) rather than a binary
 * search of ~800 changes. */
#define TZ_RULE_BUCKETS 1024
#define TZ_RULE_BUCKET_SECS ((TZ_RULE_CYCLE + TZ_RULE_BUCKETS - 1) / TZ_RULE_BUCKETS)

struct tz_rule {
	int32_t std_off;                  /* seconds east of UTC */
	int32_t dst_off;                  /* == std_off when there is no DST */
	char std_abbr[TZ_ABBR_MAX + 1];
	char dst_abbr[TZ_ABBR_MAX + 1];   /* "" when there is no DST */
	bool const_dst;                   /* the state all along if nchange == 0 */
	bool first_to_dst;                /* change[0] starts DST; then alternate */
	size_t nchange;                   /* always even */
	int64_t *change;                  /* state changes in [0, TZ_RULE_CYCLE),
	                                     strictly increasing; owned */
	uint16_t *bucket;                 /* TZ_RULE_BUCKETS + 1 entries: bucket[k]
	                                     = changes before k * TZ_RULE_BUCKET_SECS;
	                                     owned, NULL when nchange == 0 */
};

/* Parses the whole of S into R. Returns 0, or -1 with a one-line reason in
 * ERR (e.g. "month must be 1-12 at offset 9"); R then owns nothing. */
int tz_rule_parse(const char *s, struct tz_rule *r, char *err, size_t errlen);

/* Releases what R owns; R may then be parsed into again. */
void tz_rule_free(struct tz_rule *r);

/* Whether daylight-saving time is in force at instant T. */
bool tz_rule_isdst(const struct tz_rule *r, int64_t t);

/* UTC offset (seconds east) at instant T. */
int32_t tz_rule_offset(const struct tz_rule *r, int64_t t);

/* The UTC offset at T, and the instants around T at which it changes:
 * *PREV is the last one at or before T (INT64_MIN if none), *NEXT the first
 * after T (INT64_MAX if none). Changes of the DST flag alone are not offset
 * changes. */
int32_t tz_rule_offset_changes(const struct tz_rule *r, int64_t t, int64_t *prev,
                               int64_t *next);

/* Shared with lib/tz.c: saturating addition, and a printf-style one-line
 * message into ERR (nothing when ERR is NULL or ERRLEN 0; truncates). */
int64_t tz_sat_add(int64_t a, int64_t b);
void tz_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
