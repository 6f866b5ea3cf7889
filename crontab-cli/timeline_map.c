/* crontab-cli/timeline_map.c: counting runs into the heat map and drawing
 * it (see timeline.h). Pure: the caller passes zones and the window. */
#include <stdlib.h>
#include <string.h>

#include "crontab-cli/timeline.h"
#include "lib/civil.h"
#include "lib/nextrun.h"
#include "lib/timefmt.h"

static const char glyphs[] = " .:-=+*#%@";

int timeline_init(struct timeline *tl, const struct tz *zone, int64_t first_day,
                  unsigned days, unsigned per_hour)
{
	memset(tl, 0, sizeof(*tl));
	if (days < 1 || days > 366 || (per_hour != 1 && per_hour != 4))
		return -1;
	tl->zone = zone;
	tl->first_day = first_day;
	tl->days = days;
	tl->per_hour = per_hour;
	tl->cells = 24 * per_hour;
	tl->from = timefmt_wall_to_instant(zone, first_day * SECS_PER_DAY);
	tl->to = timefmt_wall_to_instant(zone, (first_day + days) * SECS_PER_DAY);
	tl->count_from = tl->from;
	tl->count = calloc((size_t)days * tl->cells, sizeof(*tl->count));
	return tl->count ? 0 : -1;
}

void timeline_free(struct timeline *tl)
{
	free(tl->count);
	tl->count = NULL;
}

char timeline_glyph(uint32_t n)
{
	unsigned level = 0;
	if (n > 0) {
		level = 1;
		for (uint32_t top = 1; n > top && level < sizeof(glyphs) - 2; top *= 2)
			level++;
	}
	return glyphs[level];
}

/* The cell index (day * cells + cell) of instant T, or -1 outside. */
static long cell_of(const struct timeline *tl, int64_t t)
{
	int64_t wall = tz_to_wall(tl->zone, t);
	int64_t day = civil_floor_div(wall, SECS_PER_DAY) - tl->first_day;
	if (day < 0 || day >= tl->days)
		return -1;
	int64_t sec = civil_floor_mod(wall, SECS_PER_DAY);
	return (long)(day * tl->cells + sec / (SECS_PER_HOUR / tl->per_hour));
}

void timeline_add(struct timeline *tl, const struct schedule *s, const struct tz *zone)
{
	int64_t t = tl->count_from - 1, next;
	long last = -1;
	unsigned in_cell = 0;
	bool capped = false;
	tl->entries++;
	while (nextrun_after(s, zone, t, &next) && next < tl->to) {
		t = next;
		long c = cell_of(tl, t);
		if (c < 0)
			continue;
		in_cell = c == last ? in_cell + 1 : 1;
		last = c;
		if (in_cell <= TIMELINE_CELL_CAP) {
			tl->count[c]++;
			tl->runs++;
			continue;
		}
		capped = true;
		/* Jump to the end of the cell (never backwards: in a repeated
		 * hour the wall time's instant may lie behind). */
		int64_t cell_len = SECS_PER_HOUR / tl->per_hour;
		int64_t end_wall = (tl->first_day + c / tl->cells) * SECS_PER_DAY +
		                   (c % tl->cells + 1) * cell_len;
		int64_t end = timefmt_wall_to_instant(tl->zone, end_wall);
		if (end - 1 > t)
			t = end - 1;
	}
	tl->capped += capped;
}

static const char *colour_of(uint32_t n)
{
	if (n == 0)
		return NULL;
	return n <= 2 ? "\033[32m" : n <= 8 ? "\033[33m" : "\033[31m";
}

static void day_label(int64_t day, char *buf, size_t len)
{
	static const char *const names[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	int64_t y;
	int m, d;
	civil_date_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%s %04lld-%02d-%02d", names[civil_weekday(day)], (long long)y, m, d);
}

static void print_cell(FILE *out, uint32_t n, bool colour, int repeat)
{
	char g = timeline_glyph(n);
	const char *c = colour ? colour_of(n) : NULL;
	if (c)
		fputs(c, out);
	for (int i = 0; i < repeat; i++)
		fputc(g, out);
	if (c)
		fputs("\033[0m", out);
}

static void print_busiest(const struct timeline *tl, FILE *out)
{
	size_t total = (size_t)tl->days * tl->cells;
	size_t best[TIMELINE_BUSIEST];
	size_t nb = 0;
	for (size_t i = 0; i < total; i++) {
		if (tl->count[i] == 0)
			continue;
		size_t pos = nb;        /* insertion into the top list, earliest first on ties */
		while (pos > 0 && tl->count[best[pos - 1]] < tl->count[i])
			pos--;
		if (pos >= TIMELINE_BUSIEST)
			continue;
		if (nb < TIMELINE_BUSIEST)
			nb++;
		memmove(best + pos + 1, best + pos, (nb - 1 - pos) * sizeof(best[0]));
		best[pos] = i;
	}
	if (nb == 0) {
		fprintf(out, "no runs start in these days\n");
		return;
	}
	fprintf(out, "busiest:\n");
	unsigned len = 60 / tl->per_hour;
	for (size_t k = 0; k < nb; k++) {
		size_t i = best[k];
		char day[32];
		day_label(tl->first_day + (int64_t)(i / tl->cells), day, sizeof(day));
		unsigned minute = (unsigned)(i % tl->cells) * len;
		fprintf(out, "  %s %02u:%02u-%02u:%02u  %u run%s\n", day, minute / 60, minute % 60,
		        (minute + len - 1) / 60, (minute + len - 1) % 60, tl->count[i],
		        tl->count[i] == 1 ? "" : "s");
	}
}

void timeline_render(const struct timeline *tl, FILE *out, bool colour)
{
	const char *pad = "              ";     /* the width of a day label */
	fputs(pad, out);
	for (unsigned h = 0; h < 24; h++)
		fprintf(out, tl->per_hour == 1 ? " %02u" : " %02u  ", h);
	fputc('\n', out);
	for (unsigned d = 0; d < tl->days; d++) {
		char label[32];
		day_label(tl->first_day + d, label, sizeof(label));
		fputs(label, out);
		for (unsigned c = 0; c < tl->cells; c++) {
			if (c % tl->per_hour == 0)
				fputc(' ', out);
			print_cell(out, tl->count[(size_t)d * tl->cells + c], colour,
			           tl->per_hour == 1 ? 2 : 1);
		}
		fputc('\n', out);
	}
	char cap[32] = "once";
	if (TIMELINE_CELL_CAP > 1)
		snprintf(cap, sizeof(cap), "%d times", TIMELINE_CELL_CAP);
	fprintf(out, "\neach cell: the runs that start in that %s, an entry counted at most "
	        "%s per cell (times in %s)\n", tl->per_hour == 1 ? "hour" : "quarter-hour", cap,
	        tz_name(tl->zone));
	fprintf(out, "legend: ' ' none  . 1  : 2  - 3-4  = 5-8  + 9-16  * 17-32  # 33-64  "
	        "%% 65-128  @ more\n");
	fprintf(out, "%llu run%s counted, of %zu entr%s, in %u day%s\n",
	        (unsigned long long)tl->runs, tl->runs == 1 ? "" : "s", tl->entries,
	        tl->entries == 1 ? "y" : "ies",
	        tl->days, tl->days == 1 ? "" : "s");
	if (tl->capped)
		fprintf(out, "note: %zu entr%s more often than that in some cell: the rest of "
		        "those runs are not counted, so frequent jobs do not hide the pile-ups\n",
		        tl->capped, tl->capped == 1 ? "y runs" : "ies run");
	print_busiest(tl, out);
}
