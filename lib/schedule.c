/* lib/schedule.c: evaluating a schedule in wall time (see schedule.h).
 *
 * The next-run search moves field by field: skip to the next allowed month,
 * then the next allowed day in it (all candidate days of a month are one
 * 31-bit mask, so a day costs no loop), then hour, then minute. Any schedule,
 * even one that runs only on leap days, is found in at most a few hundred
 * cheap steps.
 */
#include "lib/schedule.h"

const char *schedule_field_name(unsigned field)
{
	static const char *const names[5] = {
		"minute", "hour", "day of month", "month", "day of week"
	};
	return field < 5 ? names[field] : "?";
}

/* Adds value V (already range-checked by the parser) to field FIELD. */
static void add_value(struct schedule *s, unsigned field, int v)
{
	switch (field) {
	case 0: s->minutes |= UINT64_C(1) << v; break;
	case 1: s->hours |= 1u << v; break;
	case 2: s->mdays |= 1u << v; break;
	case 3: s->months |= (uint16_t)(1u << v); break;
	default: s->wdays |= (uint8_t)(1u << (v % 7)); break;   /* 7 is Sunday, 0 */
	}
}

/* SplitMix64's output function: a good 64-bit mix of X (bijective). */
static uint64_t mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

void schedule_resolve(struct schedule *s, uint64_t seed)
{
	if (s->resolved || s->n_random == 0)
		return;
	for (unsigned k = 0; k < s->n_random && k < SCHEDULE_MAX_RANDOM; k++) {
		struct schedule_random *r = &s->random[k];
		/* One draw per element, from the seed and the element's place:
		 * the modulo bias over 64 bits is below 2^-57. */
		uint64_t draw = mix64(seed ^ mix64(k + 1));
		unsigned width = (unsigned)(r->hi - r->lo) + 1;
		if (r->step == 0) {
			r->chosen = (uint8_t)(r->lo + draw % width);
			add_value(s, r->field, r->chosen);
			continue;
		}
		unsigned offsets = r->step < width ? r->step : width;
		r->chosen = (uint8_t)(r->lo + draw % offsets);
		for (int v = r->chosen; v <= r->hi; v += r->step)
			add_value(s, r->field, v);
	}
	s->resolved = true;
}

void schedule_widen(const struct schedule *s, struct schedule *out)
{
	*out = *s;
	if (s->resolved)
		return;
	for (unsigned k = 0; k < s->n_random && k < SCHEDULE_MAX_RANDOM; k++)
		for (int v = s->random[k].lo; v <= s->random[k].hi; v++)
			add_value(out, s->random[k].field, v);
	out->resolved = true;
}

bool schedule_is_wildcard(const struct schedule *s)
{
	return (s->flags & (SCHED_MIN_STAR | SCHED_HOUR_STAR)) != 0;
}

static bool day_rule_is_and(const struct schedule *s)
{
	return (s->flags & (SCHED_MDAY_STAR | SCHED_WDAY_STAR)) != 0;
}

bool schedule_can_run(const struct schedule *s)
{
	if (s->flags & SCHED_REBOOT)
		return false;
	if (!s->minutes || !s->hours || !s->months || !s->mdays || !s->wdays)
		return false;
	if (!day_rule_is_and(s))
		return true; /* any weekday occurs in every month */
	/* Both must match: some allowed month must have an allowed day. Every
	 * valid date falls on every weekday somewhere in a 400-year cycle.
	 * Days 1-29 are in every month (February of a leap year), the 30th in
	 * all months but February, the 31st in the seven long ones. */
	const uint32_t days_1_to_29 = 0x3FFFFFFEu;
	const uint32_t not_february = 0x1FFAu;   /* months 1, 3..12 */
	const uint32_t long_months = 1u << 1 | 1u << 3 | 1u << 5 | 1u << 7 | 1u << 8 |
	                             1u << 10 | 1u << 12;
	return (s->mdays & days_1_to_29) != 0 ||
	       ((s->mdays & 1u << 30) && (s->months & not_february)) ||
	       ((s->mdays & 1u << 31) && (s->months & long_months));
}

bool schedule_matches(const struct schedule *s, const struct civil_time *ct)
{
	if (s->flags & SCHED_REBOOT)
		return false;
	if (!(s->minutes & (UINT64_C(1) << ct->minute)) || !(s->hours & (1u << ct->hour)) ||
	    !(s->months & (1u << ct->month)))
		return false;
	int wday = civil_weekday(civil_days_from_date(ct->year, ct->month, ct->day));
	bool mday_ok = (s->mdays & (1u << ct->day)) != 0;
	bool wday_ok = (s->wdays & (1u << wday)) != 0;
	return day_rule_is_and(s) ? (mday_ok && wday_ok) : (mday_ok || wday_ok);
}

/* Days 1..31 of a month (bit d) that fall on an allowed weekday, given the
 * weekday of the 1st. */
static uint32_t weekday_mask(uint8_t wdays, int wday_of_first)
{
	/* Days 1, 8, 15, 22 and 29; shifted by K, the days K+1, K+8, ...
	 * (those past 31 fall off the 32 bits). */
	const uint32_t weekly = 1u << 1 | 1u << 8 | 1u << 15 | 1u << 22 | 1u << 29;
	uint32_t mask = 0;
	for (int w = 0; w < 7; w++)
		if (wdays & (1u << w))
			mask |= weekly << ((w - wday_of_first + 7) % 7);
	return mask;
}

/* Allowed days of YEAR-MONTH as a bit mask (bit d = day d); FIRST is the
 * day number (since 1970-01-01) of the month's first day. */
static uint32_t day_mask(const struct schedule *s, int64_t year, int month, int64_t first)
{
	int dim = civil_days_in_month(year, month);
	uint32_t in_month = (uint32_t)((UINT64_C(1) << (dim + 1)) - 2);
	uint32_t wmask = weekday_mask(s->wdays, civil_weekday(first));
	uint32_t days = day_rule_is_and(s) ? (s->mdays & wmask) : (s->mdays | wmask);
	return days & in_month;
}

/* Lowest set bit at or above FROM in BITS, or -1. */
static int next_bit(uint64_t bits, int from)
{
	if (from >= 64)
		return -1;
	uint64_t rest = bits & (~UINT64_C(0) << from);
	return rest ? __builtin_ctzll(rest) : -1;
}

bool schedule_next_wall(const struct schedule *s, int64_t after, int64_t *out)
{
	if (!schedule_can_run(s))
		return false;
	/* The minute after AFTER, as a date and a time of day (not through
	 * civil_from_wall: its weekday and day of the year are not needed, and
	 * this runs once per entry at every load). */
	int64_t start = civil_floor_div(after, SECS_PER_MIN) * SECS_PER_MIN + SECS_PER_MIN;
	int64_t days = civil_floor_div(start, SECS_PER_DAY), rem = start - days * SECS_PER_DAY;
	int64_t year;
	int month, day;
	civil_date_from_days(days, &year, &month, &day);
	int64_t limit = year + SCHEDULE_SEARCH_YEARS;
	int hour = (int)(rem / SECS_PER_HOUR), minute = (int)(rem / SECS_PER_MIN % 60);
	int64_t first = days - (day - 1);   /* day number of the 1st of YEAR-MONTH, when known */

	while (year <= limit) {
		int m = next_bit(s->months, month);
		if (m < 0 || m > 12) {
			year++;
			month = 1;
			day = 1;
			hour = minute = 0;
			first = INT64_MIN;
			continue;
		}
		if (m != month) {
			month = m;
			day = 1;
			hour = minute = 0;
			first = INT64_MIN;
		}
		if (first == INT64_MIN)
			first = civil_days_from_date(year, month, 1);
		int d = next_bit(day_mask(s, year, month, first), day);
		if (d < 0) {
			month++;
			day = 1;
			hour = minute = 0;
			first = INT64_MIN;
			continue;
		}
		if (d != day) {
			day = d;
			hour = minute = 0;
		}
		int h = next_bit(s->hours, hour);
		if (h < 0 || h > 23) {
			day++;
			hour = minute = 0;
			continue;
		}
		if (h != hour) {
			hour = h;
			minute = 0;
		}
		int mi = next_bit(s->minutes, minute);
		if (mi < 0 || mi > 59) {
			hour++;
			minute = 0;
			continue;
		}
		*out = (first + day - 1) * SECS_PER_DAY + hour * SECS_PER_HOUR + mi * SECS_PER_MIN;
		return true;
	}
	return false;
}
