/* atq/zone.c: the local zone for display, matched to the time parser, and
 * the two ways atq shows a time (the ctime layout, or -o FORMAT).
 *
 * The parser (atq/timespec.h) resolves wall times through glibc's
 * localtime/mktime, so times are shown in the zone glibc uses: $TZ, where
 * an empty TZ means UTC (lib/tz.h would read it as unset) and a name glibc
 * cannot find also means UTC (with a warning here, so the user learns why
 * times look odd).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atq/cli.h"
#include "lib/civil.h"
#include "lib/timefmt.h"

struct tz *at_zone_load(const char *prog)
{
	const char *name = getenv("TZ");
	char err[512];
	struct tz *zone = tz_load(name != NULL && name[0] == '\0' ? "UTC" : NULL, err, sizeof(err));
	if (zone != NULL)
		return zone;
	fprintf(stderr, "%s: warning: %s; showing times in UTC\n", prog, err);
	zone = tz_load("UTC", err, sizeof(err));
	if (zone == NULL)
		fprintf(stderr, "%s: %s\n", prog, err);
	return zone;
}

void at_ctime(const struct tz *zone, int64_t t, char *buf, size_t len)
{
	timefmt_ctime(zone, t, buf, len);
}

int at_strftime(const struct tz *zone, int64_t t, const char *format, char *buf, size_t len)
{
	struct civil_time c;
	civil_from_wall(tz_to_wall(zone, t), &c);
	int32_t offset;
	bool isdst;
	char abbr[64];
	tz_info_at(zone, t, &offset, &isdst, abbr, sizeof(abbr));
	if (len > 0)
		buf[0] = '\0';
	if (c.year < (int64_t)INT_MIN + 1900 || c.year > (int64_t)INT_MAX)
		return -1;   /* struct tm cannot hold the year */
	struct tm tm = {
		.tm_year = (int)(c.year - 1900),
		.tm_mon = c.month - 1,
		.tm_mday = c.day,
		.tm_hour = c.hour,
		.tm_min = c.minute,
		.tm_sec = c.second,
		.tm_wday = c.wday,
		.tm_yday = c.yday,
		.tm_isdst = isdst ? 1 : 0,
		.tm_gmtoff = offset,
		.tm_zone = abbr,
	};
	/* strftime returns 0 both for an empty result and one that does not
	 * fit: a marker before the format tells them apart. */
	size_t n = strlen(format);
	char *marked = malloc(n + 2), *out = malloc(len + 1);
	size_t got = 0;
	if (marked != NULL && out != NULL && len > 0) {
		marked[0] = '.';
		memcpy(marked + 1, format, n + 1);
		/* The format is the user's by design (-o): strftime only writes
		 * within the bounds given, whatever the format says. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		got = strftime(out, len + 1, marked, &tm);
#pragma GCC diagnostic pop
	}
	if (got > 0)
		memcpy(buf, out + 1, got);   /* got - 1 bytes and the NUL */
	free(marked);
	free(out);
	return got > 0 ? 0 : -1;
}
