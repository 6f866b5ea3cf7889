/* lib/timefmt.h: printing and reading instants in a zone, without $TZ.
 *
 * Formats used across the programs: RFC 3339 with seconds and UTC offset
 * ("2026-03-08T03:00:00-04:00") for machine-readable output and previews,
 * and the ctime-like form at and atq print ("Sat Mar  7 16:00:00 2026").
 */
#ifndef CROND_LIB_TIMEFMT_H
#define CROND_LIB_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/tz.h"

#define TIMEFMT_RFC3339_LEN 40   /* buffer size that always suffices */

/* "YYYY-MM-DDThh:mm:ss+hh:mm" for instant T in ZONE. Offsets with seconds
 * (pre-1900 local mean time) are shown to the minute, rounded toward zero. */
void timefmt_rfc3339(const struct tz *zone, int64_t t, char *buf, size_t len);

/* "Www Mmm dd hh:mm:ss YYYY" (asctime layout, day padded with a space). */
void timefmt_ctime(const struct tz *zone, int64_t t, char *buf, size_t len);

/* Reads "YYYY-MM-DDTHH:MM[:SS]" (also with a space for 'T') as a wall time.
 * Returns 0, or -1 when the text is not exactly that or a field is out of
 * range. */
int timefmt_parse_wall(const char *s, int64_t *wall);

/* The instant a wall time names in ZONE: the earlier one when the wall time
 * is repeated; for a wall time in a gap, the wall time read with the offset
 * in force before the gap (as mktime does: 02:30 in a 02:00-03:00 gap is
 * 03:30 after it). */
int64_t timefmt_wall_to_instant(const struct tz *zone, int64_t wall);

#endif
