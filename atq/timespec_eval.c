/* atq/timespec_eval.c: from a parsed at time specification to an instant.
 *
 * This follows the arithmetic of Debian's at 3.2.5 step for step, on a
 * struct tm and through glibc's mktime/localtime_r, because that is what
 * decides where a time lands on a DST day; matching its results means
 * making the same calls in the same order:
 *
 *   1. Start from now's local fields, seconds dropped, tm_isdst = -1.
 *   2. A time sets hour and minute; a calendar date sets month, day, year.
 *   3. Relative dates and increments move the fields: minutes, hours, days
 *      and weeks by adding seconds to mktime's instant and reading the
 *      fields back (for days and weeks, corrected by the change of UTC
 *      offset so the wall-clock time stays put); months and years by
 *      changing the field and letting mktime normalise (Jan 31 + 1 month
 *      is Mar 3, or Mar 2 in a leap year).
 *   4. A time alone (no date, no day-sized increment) that is not later
 *      than now's minute moves to tomorrow; a date without a year that is
 *      before today moves to next year.
 *   5. mktime gives the instant; before now's minute it is refused.
 *
 * mktime keeps a process-wide guess of the UTC offset, which picks the
 * instant for a wall time that occurs twice (the repeated hour when clocks
 * go back). Debian's at behaves as if that guess were now's offset when it
 * starts parsing (from January, 01:30 on the fall-back night is the second
 * one; from July, the first), so we set it so: one mktime of now's fields.
 *
 * Where this deliberately differs from Debian (each is marked "Dn" below and
 * explained in atq/TIMESPEC-DIFFERENCES.md):
 *   D2 a day the month does not have is an error, not a roll-over;
 *   D4 minutes and hours are elapsed time, never DST-corrected;
 *   D5 the day/week correction is the actual offset change, not 1 hour;
 *   D6 with "utc" the whole specification is read on the UTC clock;
 *   D7 a time moved to tomorrow (or a date to next year) is resolved afresh,
 *      not with the DST flag of the day it moved from;
 *   D8 results after the year 9999 are refused.
 */
#include "atq/timespec_int.h"

#include "lib/civil.h"

struct eval {
	bool utc;             /* D6: every step on the UTC clock */
	struct tm tm;         /* the fields being moved (Debian's exectm) */
	struct tm cur;        /* now's fields */
	time_t currtime;      /* now, rounded down to its minute */
	bool time_only;       /* a time alone: passed means tomorrow */
	bool yearspec;        /* a year is fixed: no next-year rule */
	struct ts_fail *fail;
};

static bool fail(struct eval *ev, enum at_timespec_status status, const char *what)
{
	ev->fail->status = status;
	ev->fail->at.word = -1;
	ev->fail->at.offset = 0;
	ev->fail->what = what;
	return false;
}

static bool past(struct eval *ev)
{
	return fail(ev, AT_TIMESPEC_PAST, "refusing to create job destined in the past");
}

/* Fields -> instant, normalising the fields (mktime, or timegm with "utc"). */
static time_t resolve(const struct eval *ev, struct tm *tm)
{
	return ev->utc ? timegm(tm) : mktime(tm);
}

static bool breakdown(const struct eval *ev, time_t t, struct tm *tm)
{
	return (ev->utc ? gmtime_r(&t, tm) : localtime_r(&t, tm)) != NULL;
}

/* D8, and a guard for the arithmetic: the fields stay within years 1-9999.
 * A year before 1 can only be in the past. */
static bool check_year(struct eval *ev, int64_t tm_year)
{
	if (tm_year + 1900 > TS_MAX_YEAR)
		return fail(ev, AT_TIMESPEC_RANGE, "time out of range");
	if (tm_year + 1900 < 1)
		return past(ev);
	return true;
}

/* Minutes, hours, days, weeks: N seconds on from the fields' instant. */
static bool add_seconds(struct eval *ev, int64_t n, enum ts_period period)
{
	struct tm base = ev->tm;
	time_t t = resolve(ev, &ev->tm) + (time_t)n;
	if (!breakdown(ev, t, &ev->tm))
		return fail(ev, AT_TIMESPEC_RANGE, "time out of range");
	if (!check_year(ev, ev->tm.tm_year))
		return false;
	if (ev->utc || daylight <= 0)
		return true;
	/* Debian's DST correction: both mktime calls also feed mktime's guess,
	 * so they are made whatever the period. */
	(void)resolve(ev, &base);
	(void)resolve(ev, &ev->tm);
	bool crossed = (base.tm_isdst > 0) != (ev->tm.tm_isdst > 0);
	if (crossed && (period == TS_DAY || period == TS_WEEK)) {   /* D4 */
		t += base.tm_gmtoff - ev->tm.tm_gmtoff;              /* D5 */
		if (!breakdown(ev, t, &ev->tm))
			return fail(ev, AT_TIMESPEC_RANGE, "time out of range");
	}
	return check_year(ev, ev->tm.tm_year);
}

static bool add_years(struct eval *ev, int64_t n)
{
	int64_t year = (int64_t)ev->tm.tm_year + n;
	if (!check_year(ev, year))
		return false;
	ev->tm.tm_year = (int)year;
	ev->tm.tm_isdst = -1;
	(void)resolve(ev, &ev->tm);
	return check_year(ev, ev->tm.tm_year);
}

/* Debian normalises the month (in the current year) before adding years. */
static bool add_months(struct eval *ev, int64_t n)
{
	int64_t month = (int64_t)ev->tm.tm_mon + n;
	int64_t years = civil_floor_div(month, 12);
	ev->tm.tm_mon = (int)civil_floor_mod(month, 12);
	ev->tm.tm_isdst = -1;
	(void)resolve(ev, &ev->tm);
	if (years == 0)
		return check_year(ev, ev->tm.tm_year);
	return add_years(ev, years);
}

static bool add_period(struct eval *ev, int64_t n, enum ts_period period)
{
	static const int64_t secs[] = {
		[TS_MINUTE] = 60, [TS_HOUR] = 3600, [TS_DAY] = 86400, [TS_WEEK] = 604800,
	};
	switch (period) {
	case TS_MONTH: return add_months(ev, n);
	case TS_YEAR: return add_years(ev, n);
	default: return add_seconds(ev, n * secs[period], period);
	}
}

/* D2: a named month without a year means this year, or next year once the
 * day has passed; that year's month must have the day. */
static bool check_yearless_day(struct eval *ev, const struct ts_spec *spec)
{
	int64_t year = ev->cur.tm_year + 1900;
	if (spec->month < ev->cur.tm_mon
	    || (spec->month == ev->cur.tm_mon && spec->day < ev->cur.tm_mday))
		year++;
	if (spec->day <= civil_days_in_month(year, spec->month + 1))
		return true;
	fail(ev, AT_TIMESPEC_GARBLED, "error in day of month");
	ev->fail->at = spec->day_at;
	return false;
}

static bool apply_date(struct eval *ev, const struct ts_spec *spec)
{
	switch (spec->date) {
	case TSD_NONE:
	case TSD_TODAY:
		return true;
	case TSD_CALENDAR:
		if (!spec->has_year && !check_yearless_day(ev, spec))
			return false;
		ev->tm.tm_mon = spec->month;
		ev->tm.tm_mday = spec->day;
		if (spec->has_year)
			ev->tm.tm_year = (int)(spec->year - 1900);
		return true;
	case TSD_WEEKDAY:
		return add_period(ev, (6 + spec->weekday - ev->tm.tm_wday) % 7 + 1, TS_DAY);
	case TSD_TOMORROW:
		return add_period(ev, 1, TS_DAY);
	case TSD_NEXT:
		return add_period(ev, 1, spec->next);
	}
	return true;
}

/* Step 4 and 5. */
static bool finish(struct eval *ev, time_t *out)
{
	struct tm *tm = &ev->tm;
	const struct tm *cur = &ev->cur;
	if (ev->time_only) {
		if (tm->tm_mday == cur->tm_mday
		    && (tm->tm_hour < cur->tm_hour
		        || (tm->tm_hour == cur->tm_hour && tm->tm_min <= cur->tm_min))) {
			tm->tm_mday++;
			tm->tm_isdst = -1;                       /* D7 */
		}
	} else if (!ev->yearspec) {
		if (tm->tm_year == cur->tm_year
		    && (tm->tm_mon < cur->tm_mon
		        || (tm->tm_mon == cur->tm_mon && tm->tm_mday < cur->tm_mday))) {
			tm->tm_year++;
			tm->tm_isdst = -1;                       /* D7 */
		}
	}
	time_t t = resolve(ev, tm);
	if (!check_year(ev, tm->tm_year))
		return false;
	if (t < ev->currtime)
		return past(ev);
	*out = t;
	return true;
}

bool ts_eval(const struct ts_spec *spec, time_t now, time_t *out,
             struct ts_fail *failure)
{
	struct eval ev = { .utc = spec->utc, .fail = failure };
	if (!ev.utc) {
		struct tm prime;
		tzset();
		if (localtime_r(&now, &prime) == NULL)
			return fail(&ev, AT_TIMESPEC_RANGE, "time out of range");
		(void)mktime(&prime);        /* mktime's offset guess := now's */
	}
	if (!breakdown(&ev, now, &ev.tm))
		return fail(&ev, AT_TIMESPEC_RANGE, "time out of range");
	if (!check_year(&ev, ev.tm.tm_year))
		return false;
	ev.currtime = now - ev.tm.tm_sec;
	ev.tm.tm_sec = 0;
	ev.tm.tm_isdst = -1;
	ev.cur = ev.tm;
	ev.time_only = spec->has_time && spec->date == TSD_NONE;
	ev.yearspec = spec->now || (spec->date == TSD_CALENDAR && spec->has_year);
	if (spec->has_time) {
		ev.tm.tm_hour = spec->hour;
		ev.tm.tm_min = spec->minute;
	}
	if (!apply_date(&ev, spec))
		return false;
	if (spec->has_incr) {
		if (spec->incr_period >= TS_DAY)
			ev.time_only = false;
		if (!add_period(&ev, spec->incr, spec->incr_period))
			return false;
	}
	return finish(&ev, out);
}
