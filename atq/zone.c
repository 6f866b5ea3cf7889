/* atq/zone.c: the local zone for display, matched to the time parser.
 *
 * The parser (atq/timespec.h) resolves wall times through glibc's
 * localtime/mktime, so times are shown in the zone glibc uses: $TZ, where
 * an empty TZ means UTC (lib/tz.h would read it as unset) and a name glibc
 * cannot find also means UTC (with a warning here, so the user learns why
 * times look odd).
 */
#include <stdio.h>
#include <stdlib.h>

#include "atq/cli.h"
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
