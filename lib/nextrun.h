/* lib/nextrun.h: when does an entry run next, in a time zone, across DST.
 *
 * The rules are Vixie cron's, as the daemon applies them, so that a preview
 * shows exactly what will happen:
 *   - a wildcard entry (minute or hour field starting with '*', and @hourly)
 *     follows the wall clock: nothing runs in a skipped interval, and it runs
 *     in both passes of a repeated one;
 *   - a fixed-time entry whose wall time falls in a skipped interval runs
 *     once, at the first instant after the gap (in America/New_York on
 *     2026-03-08, "30 2 * * *" runs at 03:00 EDT); in a repeated interval it
 *     runs only in the first pass.
 * Pure functions of their arguments: the caller passes the instant.
 */
#ifndef CROND_LIB_NEXTRUN_H
#define CROND_LIB_NEXTRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/schedule.h"
#include "lib/tz.h"

/* The first instant strictly after T (seconds since the epoch) at which the
 * schedule runs in ZONE. Returns false for @reboot, for schedules that can
 * never run, and when no run exists within SCHEDULE_SEARCH_YEARS. */
bool nextrun_after(const struct schedule *s, const struct tz *zone, int64_t t, int64_t *out);

#endif
