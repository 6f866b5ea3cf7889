/* lib/timefmt.c: formatting and reading instants (see timefmt.h). */
#include "lib/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/civil.h"

void timefmt_rfc3339(const struct tz *zone, int64_t t, char *buf, size_t len)
{
	int32_t off = tz_offset_at(zone, t);
	struct civil_time c;
	civil_from_wall(tz_to_wall(zone, t), &c);   /* saturates at the ends */
	char sign = off < 0 ? '-' : '+';
	int32_t a = off < 0 ? -off : off;
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (long long)c.year,
	         c.month, c.day, c.hour, c.minute, c.second, sign, (int)(a / 3600),
	         (int)(a / 60 % 60));
}

void timefmt_ctime(const struct tz *zone, int64_t t, char *buf, size_t len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct civil_time c;
	civil_from_wall(tz_to_wall(zone, t), &c);
	snprintf(buf, len, "%s %s %2d %02d:%02d:%02d %lld", days[c.wday], months[c.month - 1],
	         c.day, c.hour, c.minute, c.second, (long long)c.year);
}

/* Reads exactly N digits at *P. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int timefmt_parse_wall(const char *s, int64_t *wall)
{
	struct civil_time c = { 0 };
	int year;
	const char *p = s;
	if (digits(&p, 4, &year) < 0 || *p++ != '-' || digits(&p, 2, &c.month) < 0 ||
	    *p++ != '-' || digits(&p, 2, &c.day) < 0 || (*p != 'T' && *p != ' ') ||
	    (p++, digits(&p, 2, &c.hour) < 0) || *p++ != ':' || digits(&p, 2, &c.minute) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &c.second) < 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	c.year = year;
	if (c.month < 1 || c.month > 12 || c.day < 1 ||
	    c.day > civil_days_in_month(c.year, c.month) || c.hour > 23 || c.minute > 59 ||
	    c.second > 59)
		return -1;
	*wall = civil_to_wall(&c);
	return 0;
}

int64_t timefmt_wall_to_instant(const struct tz *zone, int64_t wall)
{
	int64_t inst[2], gap_end = 0;
	int n = tz_from_wall(zone, wall, inst, &gap_end);
	if (n > 0)
		return inst[0];
	/* In a gap: the offset before the gap applies. */
	return wall - tz_offset_at(zone, gap_end - 1);
}
