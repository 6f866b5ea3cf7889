/* crontab-cli/timeline.h: the heat map of `crontab --timeline` (pure).
 *
 * Days down, wall-clock hours (or quarter-hours) across, in one display
 * zone: each cell counts the runs that start in it, each computed with
 * lib/nextrun.h in its entry's own zone. A run belongs to the cell of its
 * wall time in the display zone, so both passes of a repeated hour land in
 * the same cell and a skipped hour stays empty.
 *
 * Bounded: an entry counts at most TIMELINE_CELL_CAP runs in one cell;
 * past the cap the walk jumps to the next cell, so the work per entry is
 * at most (cap + 1) nextrun steps per cell, whatever its schedule. With
 * the cap at one, a cell shows how many entries start a run in it: an
 * every-minute job reads as 1 in every cell rather than 60 an hour, which
 * would hide the pile-ups the map is for (three jobs at 00:00 among three
 * every-minute ones show as 6 against 3, not 183 against 180); --quarter
 * gives the finer picture. The map says how many entries were capped.
 */
#ifndef CROND_CRONTAB_CLI_TIMELINE_H
#define CROND_CRONTAB_CLI_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/schedule.h"
#include "lib/tz.h"

#define TIMELINE_CELL_CAP 1
#define TIMELINE_BUSIEST 5      /* busiest cells listed under the map */

struct timeline {
	const struct tz *zone;      /* display zone (not owned) */
	int64_t first_day;          /* the first row: days since 1970-01-01 (wall) */
	unsigned days;              /* rows */
	unsigned per_hour;          /* 1 (hour cells) or 4 (quarter-hours) */
	unsigned cells;             /* per row: 24 * per_hour */
	int64_t from, to;           /* the window: first row's 00:00 to the end */
	int64_t count_from;         /* runs before it are not counted: FROM,
	                               or later (the caller may raise it) */
	uint32_t *count;            /* days * cells */
	uint64_t runs;              /* runs counted in all */
	size_t entries;             /* entries added */
	size_t capped;              /* of which met the cap in some cell */
};

/* An empty map of DAYS (1 - 366) rows from wall day FIRST_DAY in ZONE,
 * PER_HOUR (1 or 4) cells an hour. -1 on a bad argument or no memory. */
int timeline_init(struct timeline *tl, const struct tz *zone, int64_t first_day,
                  unsigned days, unsigned per_hour);
void timeline_free(struct timeline *tl);

/* Counts the runs of schedule S, evaluated in ZONE, that start in the
 * window, not before COUNT_FROM (at most TIMELINE_CELL_CAP per cell). */
void timeline_add(struct timeline *tl, const struct schedule *s, const struct tz *zone);

/* The glyph for a cell of N runs: ' ' for none, then ". : - = + * # % @"
 * for 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65-128 and more. */
char timeline_glyph(uint32_t n);

/* Writes the map to OUT: a header of hours, one row per day ("Thu
 * 2026-12-03"), the legend, a note on capped entries, and the
 * TIMELINE_BUSIEST busiest cells. COLOUR: ANSI colours on the glyphs. */
void timeline_render(const struct timeline *tl, FILE *out, bool colour);

#endif
