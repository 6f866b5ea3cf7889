/* lib/tz_rule.c: POSIX TZ rule strings (see tz_rule.h).
 *
 * Parsing is a small recursive-descent reader over the string; evaluation
 * uses the 400-year period described in the header: all state changes in
 * one period are computed at parse time from the yearly start and end
 * events of the years that can reach into it, so a query never loops over
 * years, for 1900 as for 9999 or year 1,000,000.
 */
#include "lib/tz_rule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One of the two yearly dates of a rule. */
struct rule_date {
	char form;        /* 'J' (Jn), 'n' (zero-based n), 'M' (Mm.w.d) */
	int n;            /* day for 'J' and 'n' */
	int month, week, wday;
	int32_t secs;     /* local time of day of the change */
};

struct cursor {
	const char *s;    /* the whole string, for error offsets */
	const char *p;
	char *err;
	size_t errlen;
};

/* The years whose events can fall into [0, TZ_RULE_CYCLE) or just before
 * it: an event of year Y lies within Y's days +- 167 h +- 25 h. */
#define FIRST_YEAR 1968
#define LAST_YEAR 2371

int64_t tz_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

void tz_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int fail(struct cursor *c, const char *what)
{
	tz_errf(c->err, c->errlen, "%s at offset %td", what, c->p - c->s);
	return -1;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* An unsigned number of 1..MAXDIGITS digits within MIN..MAX. */
static int read_num(struct cursor *c, int maxdigits, int min, int max, const char *what,
                    int *out)
{
	const char *start = c->p;
	int v = 0, digits = 0;
	while (is_digit(*c->p) && ++digits <= maxdigits)
		v = v * 10 + (*c->p++ - '0');
	if (digits == 0 || digits > maxdigits || v < min || v > max) {
		c->p = start;   /* point the message at the number */
		return fail(c, what);
	}
	*out = v;
	return 0;
}

static int expect(struct cursor *c, char ch, const char *what)
{
	if (*c->p != ch)
		return fail(c, what);
	c->p++;
	return 0;
}

/* "EST" or "<+0530>"; 3..TZ_ABBR_MAX characters. */
static int read_name(struct cursor *c, char out[TZ_ABBR_MAX + 1])
{
	size_t len = 0;
	bool quoted = *c->p == '<';
	if (quoted)
		c->p++;
	for (;;) {
		char ch = *c->p;
		bool ok = is_alpha(ch) || (quoted && (is_digit(ch) || ch == '+' || ch == '-'));
		if (!ok)
			break;
		if (len == TZ_ABBR_MAX)
			return fail(c, "time zone abbreviation too long");
		out[len++] = ch;
		c->p++;
	}
	out[len] = '\0';
	if (quoted && *c->p != '>')
		return fail(c, "expected '>' closing a quoted abbreviation");
	if (len < 3)
		return fail(c, "time zone abbreviation needs at least 3 characters");
	if (quoted)
		c->p++;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh at most MAXH; returns seconds, sign applied. */
static int read_hms(struct cursor *c, int maxh, int hdigits, const char *what, int32_t *out)
{
	int h, m = 0, s = 0, sign = 1;
	if (*c->p == '+' || *c->p == '-')
		sign = *c->p++ == '-' ? -1 : 1;
	if (read_num(c, hdigits, 0, maxh, what, &h) < 0)
		return -1;
	if (*c->p == ':') {
		c->p++;
		if (read_num(c, 2, 0, 59, "minutes must be 00-59", &m) < 0)
			return -1;
		if (*c->p == ':') {
			c->p++;
			if (read_num(c, 2, 0, 59, "seconds must be 00-59", &s) < 0)
				return -1;
		}
	}
	*out = sign * (h * SECS_PER_HOUR + m * SECS_PER_MIN + s);
	return 0;
}

static int read_date(struct cursor *c, struct rule_date *d)
{
	int rc;
	if (*c->p == 'J') {
		c->p++;
		d->form = 'J';
		rc = read_num(c, 3, 1, 365, "Julian day must be 1-365", &d->n);
	} else if (*c->p == 'M') {
		c->p++;
		d->form = 'M';
		rc = read_num(c, 2, 1, 12, "month must be 1-12", &d->month);
		if (rc == 0)
			rc = expect(c, '.', "expected '.' after the month");
		if (rc == 0)
			rc = read_num(c, 1, 1, 5, "week must be 1-5", &d->week);
		if (rc == 0)
			rc = expect(c, '.', "expected '.' after the week");
		if (rc == 0)
			rc = read_num(c, 1, 0, 6, "weekday must be 0-6", &d->wday);
	} else if (is_digit(*c->p)) {
		d->form = 'n';
		rc = read_num(c, 3, 0, 365, "day must be 0-365", &d->n);
	} else {
		rc = fail(c, "expected a date (Jn, n or Mm.w.d)");
	}
	if (rc < 0)
		return -1;
	d->secs = 2 * SECS_PER_HOUR;
	if (*c->p == '/') {
		c->p++;
		return read_hms(c, 167, 3, "hour of a change must be -167..167", &d->secs);
	}
	return 0;
}

/* Days since 1970-01-01 of date D in YEAR. */
static int64_t date_days(const struct rule_date *d, int64_t year)
{
	int64_t jan1 = civil_days_from_date(year, 1, 1);
	if (d->form == 'J')
		return jan1 + d->n - 1 + (civil_is_leap(year) && d->n >= 60);
	if (d->form == 'n')
		return jan1 + d->n;
	int64_t first = civil_days_from_date(year, d->month, 1);
	int64_t day = first + (d->wday - civil_weekday(first) + 7) % 7 + (d->week - 1) * 7;
	int64_t dim = civil_days_in_month(year, d->month);
	while (day >= first + dim)
		day -= 7;
	return day;
}

/* A yearly event: DST starts (to_dst) or ends. */
struct event {
	int64_t at;
	int32_t year;
	bool to_dst;
};

/* Order of events; at equal instants the earlier year's event comes first
 * (an end meeting next year's start leaves DST on: DST all year), and within
 * a year the start comes first (a start meeting its own end leaves DST off). */
static int event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	return (int)y->to_dst - (int)x->to_dst;
}

static int build_buckets(struct tz_rule *r, char *err, size_t errlen)
{
	r->bucket = malloc((TZ_RULE_BUCKETS + 1) * sizeof *r->bucket);
	if (r->bucket == NULL) {
		tz_rule_free(r);
		tz_errf(err, errlen, "out of memory");
		return -1;
	}
	size_t i = 0;
	for (size_t k = 0; k <= TZ_RULE_BUCKETS; k++) {
		while (i < r->nchange && r->change[i] < (int64_t)k * TZ_RULE_BUCKET_SECS)
			i++;
		r->bucket[k] = (uint16_t)i;
	}
	return 0;
}

/* Fills R's change table from the two dates (see the file comment). */
static int build_changes(struct tz_rule *r, const struct rule_date *start,
                         const struct rule_date *end, char *err, size_t errlen)
{
	size_t nev = 2 * (size_t)(LAST_YEAR - FIRST_YEAR + 1), n = 0;
	struct event *ev = malloc(nev * sizeof *ev);
	int64_t *chg = malloc(nev * sizeof *chg);
	if (ev == NULL || chg == NULL) {
		free(ev);
		free(chg);
		tz_errf(err, errlen, "out of memory");
		return -1;
	}
	for (int32_t y = FIRST_YEAR; y <= LAST_YEAR; y++) {
		int64_t s = date_days(start, y) * SECS_PER_DAY + start->secs - r->std_off;
		int64_t e = date_days(end, y) * SECS_PER_DAY + end->secs - r->dst_off;
		ev[2 * (y - FIRST_YEAR)] = (struct event){ s, y, true };
		ev[2 * (y - FIRST_YEAR) + 1] = (struct event){ e, y, false };
	}
	qsort(ev, nev, sizeof *ev, event_cmp);
	bool state = false, first = true;
	for (size_t i = 0; i < nev && ev[i].at < TZ_RULE_CYCLE; i++) {
		if (i + 1 < nev && ev[i + 1].at == ev[i].at)
			continue;   /* the last event at an instant decides */
		if (!first && ev[i].to_dst != state && ev[i].at >= 0) {
			if (n == 0)
				r->first_to_dst = ev[i].to_dst;
			chg[n++] = ev[i].at;
		}
		state = ev[i].to_dst;
		first = false;
	}
	free(ev);
	if (n == 0) {   /* no DST, or DST all year */
		free(chg);
		chg = NULL;
	}
	r->const_dst = state;
	r->nchange = n;
	r->change = chg;
	if (n % 2 != 0) {   /* impossible for a periodic rule; fail closed */
		tz_rule_free(r);
		tz_errf(err, errlen, "internal error: odd number of changes per cycle");
		return -1;
	}
	return n == 0 ? 0 : build_buckets(r, err, errlen);
}

static int parse_dst_part(struct cursor *c, struct tz_rule *r, struct rule_date *start,
                          struct rule_date *end)
{
	int32_t off;
	if (read_name(c, r->dst_abbr) < 0)
		return -1;
	r->dst_off = r->std_off + SECS_PER_HOUR;
	if (is_digit(*c->p) || *c->p == '+' || *c->p == '-') {
		if (read_hms(c, 24, 2, "offset hours must be 0-24", &off) < 0)
			return -1;
		r->dst_off = -off;
	}
	if (*c->p == '\0') {   /* no dates: the US rules */
		*start = (struct rule_date){ 'M', 0, 3, 2, 0, 2 * SECS_PER_HOUR };
		*end = (struct rule_date){ 'M', 0, 11, 1, 0, 2 * SECS_PER_HOUR };
		return 0;
	}
	if (expect(c, ',', "expected ',' before the start date") < 0 || read_date(c, start) < 0)
		return -1;
	if (expect(c, ',', "expected ',' before the end date") < 0)
		return -1;
	return read_date(c, end);
}

int tz_rule_parse(const char *s, struct tz_rule *r, char *err, size_t errlen)
{
	struct cursor c = { s, s, err, errlen };
	struct rule_date start, end;
	int32_t off;
	memset(r, 0, sizeof *r);
	if (read_name(&c, r->std_abbr) < 0)
		return -1;
	if (read_hms(&c, 24, 2, "expected a UTC offset (hours 0-24)", &off) < 0)
		return -1;
	r->std_off = r->dst_off = -off;
	if (*c.p == '\0')
		return 0;
	if (parse_dst_part(&c, r, &start, &end) < 0)
		return -1;
	if (*c.p != '\0')
		return fail(&c, "unexpected text after the rule");
	return build_changes(r, &start, &end, err, errlen);
}

void tz_rule_free(struct tz_rule *r)
{
	free(r->change);
	free(r->bucket);
	r->change = NULL;
	r->bucket = NULL;
	r->nchange = 0;
}

/* Number of changes at or before U (0 <= U < TZ_RULE_CYCLE). */
static size_t changes_upto(const struct tz_rule *r, int64_t u)
{
	size_t k = (size_t)(u / TZ_RULE_BUCKET_SECS);
	size_t i = r->bucket[k], end = r->bucket[k + 1];
	while (i < end && r->change[i] <= u)
		i++;
	return i;
}

static int64_t cycle_mod(int64_t t)
{
	int64_t u = t % TZ_RULE_CYCLE;
	return u < 0 ? u + TZ_RULE_CYCLE : u;
}

/* The state after the I-th change of a cycle, I == 0 meaning before the
 * first: then the last change of the previous cycle, of odd index since
 * NCHANGE is even, is in force. */
static bool state_after(const struct tz_rule *r, size_t i)
{
	size_t last = i == 0 ? r->nchange - 1 : i - 1;
	return r->first_to_dst ^ (last & 1);
}

bool tz_rule_isdst(const struct tz_rule *r, int64_t t)
{
	if (r->nchange == 0)
		return r->const_dst;
	return state_after(r, changes_upto(r, cycle_mod(t)));
}

int32_t tz_rule_offset(const struct tz_rule *r, int64_t t)
{
	if (r->std_off == r->dst_off)
		return r->std_off;
	return tz_rule_isdst(r, t) ? r->dst_off : r->std_off;
}

int32_t tz_rule_offset_changes(const struct tz_rule *r, int64_t t, int64_t *prev, int64_t *next)
{
	*prev = INT64_MIN;
	*next = INT64_MAX;
	if (r->std_off == r->dst_off || r->nchange == 0)
		return r->const_dst ? r->dst_off : r->std_off;
	/* Work relative to T so that nothing overflows near the int64 ends. */
	int64_t u = cycle_mod(t);
	size_t i = changes_upto(r, u), n = r->nchange;
	int64_t before = i > 0 ? r->change[i - 1] - u : r->change[n - 1] - u - TZ_RULE_CYCLE;
	int64_t after = i < n ? r->change[i] - u : r->change[0] - u + TZ_RULE_CYCLE;
	*prev = tz_sat_add(t, before);
	*next = tz_sat_add(t, after);
	return state_after(r, i) ? r->dst_off : r->std_off;
}
