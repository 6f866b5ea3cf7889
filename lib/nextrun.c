/* lib/nextrun.c: next run in a zone with the Vixie DST rules (see nextrun.h).
 *
 * The zone's timeline is a sequence of spans of constant UTC offset. Within a
 * span, wall time is instant + offset, a straight line, so the next matching
 * wall minute (schedule_next_wall) maps to exactly one instant. The walk goes
 * span by span:
 *   - search the current span from max(T, span start);
 *   - a fixed-time entry skips, at the start of a span entered by setting
 *     clocks back, the wall minutes it already passed in the previous span
 *     (the repeated interval's second pass);
 *   - when the match lies past the span's end and the next span begins with
 *     clocks set forward, a match inside the skipped wall interval makes a
 *     fixed-time entry run at the instant the gap ends.
 * Spans that end well before the next matching wall minute are skipped
 * whole, so even a schedule that runs once in 28 years visits a handful.
 */
#include "lib/nextrun.h"

/* Enough spans for SCHEDULE_SEARCH_YEARS of twice-yearly DST changes, plus
 * the historical transitions some zones have. */
#define NEXTRUN_MAX_SPANS (4 * SCHEDULE_SEARCH_YEARS + 2000)

/* More than any UTC offset change (Samoa skipped a whole day in 2011). */
#define NEXTRUN_SKIP_MARGIN (2 * 86400)

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

bool nextrun_after(const struct schedule *s, const struct tz *zone, int64_t t, int64_t *out)
{
	if (!schedule_can_run(s))
		return false;
	bool fixed = !schedule_is_wildcard(s);
	/* No run within the search's years is no run at all (nextrun.h):
	 * without this bound, an entry whose every match fell in a zone's
	 * gap walked all NEXTRUN_MAX_SPANS spans, 7,000 years of them, 0.36 ms
	 * a call, and a user's 10,000 such entries held the timer 3.5 s a
	 * crontab install. */
	int64_t horizon = t + (int64_t)SCHEDULE_SEARCH_YEARS * 366 * 86400;
	struct tz_span span;
	tz_span_at(zone, t, &span);

	for (int i = 0; i < NEXTRUN_MAX_SPANS; i++) {
		int64_t off = span.offset;
		int64_t from = span.start == INT64_MIN ? t : max64(t, span.start - 1);
		int64_t after = from + off;
		if (fixed && span.start != INT64_MIN && span.prev_offset > off)
			after = max64(after, span.start + span.prev_offset - 1);

		int64_t wall;
		if (!schedule_next_wall(s, after, &wall))
			return false;
		if (span.end == INT64_MAX || wall - off < span.end) {
			*out = wall - off;
			return true;
		}
		if (fixed && span.next_offset > off && wall < span.end + span.next_offset) {
			*out = span.end;
			return true;
		}
		if (wall - off > horizon)
			return false;
		/* No wall minute between AFTER and WALL matches, so spans that end
		 * well before WALL can be skipped whole (their wall ranges, gaps
		 * included, hold no match); the margin covers any change of offset. */
		int64_t skip_to = wall - off - NEXTRUN_SKIP_MARGIN;
		tz_span_at(zone, skip_to > span.end ? skip_to : span.end, &span);
	}
	return false;
}
