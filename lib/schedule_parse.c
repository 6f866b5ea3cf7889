/* lib/schedule_parse.c: parsing the five time fields and @keywords.
 *
 * Grammar of one field (Vixie cron's, made strict):
 *     field   := element { ',' element }
 *     element := '*' [ '/' step ] | value [ '-' value [ '/' step ] ]
 *              | [ value ] '~' [ value ] [ '/' step ]
 *     value   := digits | name          (names: months and weekdays only)
 * A '~' element (cronie, OpenBSD) is a value picked at random in the range
 * (an omitted end is the field's own), or with a step, OpenBSD's random
 * start; the parser only records it (struct schedule_random): the pick is
 * schedule_resolve's, from a seed the caller owns.
 * Everything Vixie cron would silently accept but that cannot mean what the
 * writer wanted is refused here with a message: reversed ranges (5-3 selects
 * nothing there), steps larger than the field, a step on a single value.
 * One reversed range is accepted, as cronie (since 2025) accepts it:
 * in the day of week, a range ending in 0 or sun ends on Sunday 7, so
 * fri-sun is Friday to Sunday (and fri-sun/2 is fri-7/2: Friday, Sunday).
 */
#include "lib/schedule.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct field_spec {
	const char *name;
	int low, high;   /* accepted values (day of week: 0-7) */
	int span;        /* largest useful step */
	const char *const *names;
	int name_base;   /* value of names[0] */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec", NULL
};
static const char *const day_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

static const struct field_spec fields[5] = {
	{ "minute", 0, 59, 60, NULL, 0 },
	{ "hour", 0, 23, 24, NULL, 0 },
	{ "day of month", 1, 31, 31, NULL, 0 },
	{ "month", 1, 12, 12, month_names, 1 },
	{ "day of week", 0, 7, 7, day_names, 0 },
};

/* Cursor over the line being parsed; errors record the first failure only. */
struct cursor {
	const char *s;
	size_t len, pos;
	size_t err_col;
	char *msg;
	size_t msglen;
	struct schedule_random random[SCHEDULE_MAX_RANDOM];   /* '~' elements so far */
	uint8_t n_random;
	bool wday_to_sunday;     /* a fri-sun range was read (SCHED_WDAY_TO_SUNDAY) */
};

static int fail(struct cursor *c, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cursor *c, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, c->msglen, fmt, ap);
	va_end(ap);
	c->err_col = col;
	return -1;
}

static int peek(const struct cursor *c)
{
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

/* An ASCII digit (isdigit() would look up the locale for each one). */
static bool is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

static bool at_field_end(const struct cursor *c)
{
	int ch = peek(c);
	return ch < 0 || is_blank(ch);
}

/* Describes the character at the cursor for messages. */
static void describe(const struct cursor *c, char *buf, size_t len)
{
	int ch = peek(c);
	if (ch < 0)
		snprintf(buf, len, "end of line");
	else if (isprint(ch))
		snprintf(buf, len, "'%c'", ch);
	else
		snprintf(buf, len, "byte 0x%02x", (unsigned)ch);
}

static int parse_name(struct cursor *c, const struct field_spec *f, int *val)
{
	size_t start = c->pos;
	while (c->pos < c->len && isalnum((unsigned char)c->s[c->pos]))
		c->pos++;
	size_t n = c->pos - start;
	const char *word = c->s + start;
	if (!f->names)
		return fail(c, start, "names are not allowed in the %s field (found '%.*s')",
		            f->name, (int)(n > 32 ? 32 : n), word);
	for (int i = 0; f->names[i]; i++) {
		if (n == 3 && strncasecmp(word, f->names[i], 3) == 0) {
			*val = f->name_base + i;
			return 0;
		}
	}
	for (int i = 0; f->names[i]; i++) {
		if (n > 3 && strncasecmp(word, f->names[i], 3) == 0)
			return fail(c, start, "unknown %s name '%.*s' (use the three-letter form '%s')",
			            f == &fields[3] ? "month" : "day", (int)(n > 32 ? 32 : n), word,
			            f->names[i]);
	}
	return fail(c, start, "unknown %s name '%.*s'", f == &fields[3] ? "month" : "day",
	            (int)(n > 32 ? 32 : n), word);
}

/* Reads decimal digits; refuses values past 2^31 - 1 and fractions. */
static int parse_number(struct cursor *c, const char *what, long long *val)
{
	size_t start = c->pos;
	long long v = 0;
	bool big = false;
	while (c->pos < c->len && is_digit(c->s[c->pos])) {
		if (!big) {
			v = v * 10 + (c->s[c->pos] - '0');
			if (v > 2147483647LL)
				big = true;
		}
		c->pos++;
	}
	if (big)
		return fail(c, start, "%s %.*s is too large", what,
		            (int)(c->pos - start > 24 ? 24 : c->pos - start), c->s + start);
	if (peek(c) == '.' && c->pos + 1 < c->len && is_digit(c->s[c->pos + 1]))
		return fail(c, start, "fractions are not allowed (%s %.*s.%c...)", what,
		            (int)(c->pos - start), c->s + start, c->s[c->pos + 1]);
	*val = v;
	return 0;
}

static int parse_value(struct cursor *c, const struct field_spec *f, int *val)
{
	int ch = peek(c);
	size_t start = c->pos;
	if (ch >= 0 && is_digit(ch)) {
		long long v;
		if (parse_number(c, f->name, &v) < 0)
			return -1;
		if (v < f->low || v > f->high)
			return fail(c, start, "%s %lld is out of range %d-%d", f->name, v,
			            f->low, f->high);
		*val = (int)v;
		return 0;
	}
	if (ch >= 0 && isalpha(ch))
		return parse_name(c, f, val);
	if (ch == '-')
		return fail(c, start, "negative numbers are not allowed in the %s field", f->name);
	char what[24];
	describe(c, what, sizeof(what));
	return fail(c, start, "expected a number%s in the %s field, found %s",
	            f->names ? " or name" : "", f->name, what);
}

static int parse_step(struct cursor *c, const struct field_spec *f, int *step)
{
	size_t start = c->pos;
	int ch = peek(c);
	if (ch < 0 || !is_digit(ch)) {
		if (ch == '-')
			return fail(c, start, "negative steps are not allowed in the %s field", f->name);
		char what[24];
		describe(c, what, sizeof(what));
		return fail(c, start, "expected a step number after '/' in the %s field, found %s",
		            f->name, what);
	}
	long long v;
	if (parse_number(c, "step", &v) < 0)
		return -1;
	if (v == 0)
		return fail(c, start, "step 0 is not allowed in the %s field (steps start at 1)",
		            f->name);
	if (v > f->span)
		return fail(c, start, "step %lld is larger than the %s field's span of %d",
		            v, f->name, f->span);
	*step = (int)v;
	return 0;
}

static void set_range(uint64_t *bits, const struct field_spec *f, int lo, int hi, int step)
{
	/* All bits LO..HI at once (a '*' or a range), unless weekday 7 (bit 0)
	 * is among them. */
	if (step == 1 && !(f == &fields[4] && hi == 7)) {
		*bits |= ((UINT64_C(2) << hi) - 1) & ~((UINT64_C(1) << lo) - 1);
		return;
	}
	for (int v = lo; v <= hi; v += step) {
		int b = (f == &fields[4] && v == 7) ? 0 : v;
		*bits |= UINT64_C(1) << b;
	}
}

/* Writes the value V of field F as the writer did: a name if NAMED. */
static int show_value(char *buf, size_t len, const struct field_spec *f, int v, bool named)
{
	if (named && f->names)
		return snprintf(buf, len, "%s", f->names[(v % 7 == 0 && f == &fields[4] ? 0 : v) -
		                                         f->name_base]);
	return snprintf(buf, len, "%d", v);
}

/* Writes "A-B", or "A" when they are equal. */
static void show_range(char *buf, size_t len, const struct field_spec *f, int a, int b,
                       bool named)
{
	char x[16], y[16];
	show_value(x, sizeof(x), f, a, named);
	show_value(y, sizeof(y), f, b, named);
	if (a == b)
		snprintf(buf, len, "%s", x);
	else
		snprintf(buf, len, "%s-%s", x, y);
}

/* A range LO-HI with HI < LO: ranges do not wrap around. The advice spells
 * the wrapped range as two, in the writer's own notation (numbers or names). */
static int reversed(struct cursor *c, const struct field_spec *f, size_t start, size_t hi_pos,
                    int lo, int hi)
{
	bool named = isalpha((unsigned char)c->s[start]) != 0;
	bool dow = f == &fields[4];
	int top = dow ? 7 : f->high, bottom = dow ? 1 : f->low;
	char first[40], second[40];
	show_range(first, sizeof(first), f, lo, top, named);
	show_range(second, sizeof(second), f, bottom, hi, named);
	return fail(c, hi_pos, "range %.*s in the %s field is reversed (ranges do not wrap "
	            "around: Vixie cron would select nothing); write %s,%s",
	            (int)(c->pos - start), c->s + start, f->name, first, second);
}

static bool starts_value(int ch)
{
	return ch >= 0 && isalnum(ch);
}

/* The rest of a '~' element: C is at the '~'; LO is its low end, or -1
 * when omitted. Records it in C->random; the bits come at resolution. */
static int parse_random(struct cursor *c, const struct field_spec *f, size_t start, int lo)
{
	bool dow = f == &fields[4];
	c->pos++;
	int hi = -1, step = 0;
	size_t hi_pos = c->pos;
	if (starts_value(peek(c)) && parse_value(c, f, &hi) < 0)
		return -1;
	if (lo < 0)
		lo = dow && hi == 7 ? 1 : f->low;       /* ~sun (7): Monday to Sunday */
	if (hi < 0)
		hi = dow ? (lo == 0 ? 6 : 7) : f->high; /* each weekday once */
	if (dow && hi == 0 && lo > 0)
		hi = 7;                                 /* fri~sun, as fri-sun */
	if (dow && lo == 0 && hi == 7)
		hi = 6;                                 /* 0~7: Sunday not twice as likely */
	if (hi < lo)
		return fail(c, hi_pos, "random range %.*s in the %s field is reversed (write the "
		            "low end first: ranges do not wrap around)", (int)(c->pos - start),
		            c->s + start, f->name);
	if (peek(c) == '/') {
		c->pos++;
		if (parse_step(c, f, &step) < 0)
			return -1;
	}
	if (c->n_random == SCHEDULE_MAX_RANDOM)
		return fail(c, start, "more than %d random (~) elements in one entry",
		            SCHEDULE_MAX_RANDOM);
	c->random[c->n_random++] = (struct schedule_random){
		.field = (uint8_t)(f - fields), .lo = (uint8_t)lo, .hi = (uint8_t)hi,
		.step = (uint8_t)step,
	};
	return 0;
}

static int parse_element(struct cursor *c, const struct field_spec *f, uint64_t *bits)
{
	int lo, hi, step = 1;
	size_t start = c->pos;
	if (peek(c) == '~')
		return parse_random(c, f, start, -1);
	if (peek(c) == '*') {
		c->pos++;
		lo = f->low;
		hi = f == &fields[4] ? 6 : f->high;
	} else {
		if (parse_value(c, f, &lo) < 0)
			return -1;
		hi = lo;
		if (peek(c) == '~')
			return parse_random(c, f, start, lo);
		if (peek(c) == '-') {
			c->pos++;
			size_t hi_pos = c->pos;
			if (parse_value(c, f, &hi) < 0)
				return -1;
			if (hi < lo && hi == 0 && f == &fields[4]) {
				hi = 7;   /* fri-sun, 5-0: Sunday as 7, as cronie reads it */
				c->wday_to_sunday = true;
			}
			else if (hi < lo)
				return reversed(c, f, start, hi_pos, lo, hi);
		} else if (peek(c) == '/') {
			return fail(c, c->pos, "a step needs a range: write %d-%d/N or */N, not %.*s/N",
			            lo, f == &fields[4] ? 7 : f->high, (int)(c->pos - start),
			            c->s + start);
		}
	}
	if (peek(c) == '/') {
		c->pos++;
		if (parse_step(c, f, &step) < 0)
			return -1;
	}
	set_range(bits, f, lo, hi, step);
	return 0;
}

static int parse_field(struct cursor *c, const struct field_spec *f, uint64_t *bits, bool *star)
{
	*bits = 0;
	*star = peek(c) == '*';
	/* The common forms first, a lone '*' or a lone number of one or two
	 * digits within the field's range, each ending the field: the bits the
	 * general parse below would set, without it (half of loading a large
	 * crontab went to that parse). Anything else takes the general parse. */
	const char *s = c->s;
	size_t p = c->pos, end = c->len;
	if (*star && (p + 1 == end || is_blank(s[p + 1]))) {
		c->pos = p + 1;
		set_range(bits, f, f->low, f == &fields[4] ? 6 : f->high, 1);
		return 0;
	}
	if (p < end && is_digit(s[p])) {
		int v = s[p] - '0';
		size_t q = p + 1;
		if (q < end && is_digit(s[q]))
			v = v * 10 + (s[q++] - '0');
		if ((q == end || is_blank(s[q])) && v >= f->low && v <= f->high) {
			c->pos = q;
			set_range(bits, f, v, v, 1);
			return 0;
		}
	}
	for (;;) {
		int ch = peek(c);
		if (ch < 0 || is_blank(ch) || ch == ',')
			return fail(c, c->pos, "empty element in the %s field", f->name);
		if (parse_element(c, f, bits) < 0)
			return -1;
		if (peek(c) == ',') {
			c->pos++;
			continue;
		}
		if (at_field_end(c))
			return 0;
		char what[24];
		describe(c, what, sizeof(what));
		return fail(c, c->pos, "unexpected %s in the %s field", what, f->name);
	}
}

struct macro {
	const char *name;
	const char *fields;
};

static const struct macro macros[] = {
	{ "yearly", "0 0 1 1 *" },  { "annually", "0 0 1 1 *" },
	{ "monthly", "0 0 1 * *" }, { "weekly", "0 0 * * 0" },
	{ "daily", "0 0 * * *" },   { "midnight", "0 0 * * *" },
	{ "hourly", "0 * * * *" },  { "reboot", NULL },
};

static int parse_fields(struct cursor *c, struct schedule *out);

static int parse_macro(struct cursor *c, struct schedule *out)
{
	size_t start = c->pos++;
	while (c->pos < c->len && !is_blank(c->s[c->pos]))
		c->pos++;
	const char *word = c->s + start + 1;
	size_t n = c->pos - start - 1;
	for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		const struct macro *m = &macros[i];
		bool exact = strlen(m->name) == n && strncmp(word, m->name, n) == 0;
		bool caseless = strlen(m->name) == n && strncasecmp(word, m->name, n) == 0;
		if (caseless && !exact)
			return fail(c, start, "@-keywords are lower case: write @%s, not @%.*s",
			            m->name, (int)n, word);
		if (!exact)
			continue;
		*out = (struct schedule){ 0 };
		if (!m->fields) {
			out->flags = SCHED_REBOOT;
			return 0;
		}
		struct cursor sub = { .s = m->fields, .len = strlen(m->fields), .msg = c->msg,
			              .msglen = c->msglen };
		return parse_fields(&sub, out);
	}
	return fail(c, start, "unknown keyword '@%.*s' (expected @reboot, @yearly, @annually, "
	            "@monthly, @weekly, @daily, @midnight or @hourly)", (int)(n > 32 ? 32 : n), word);
}

static int parse_fields(struct cursor *c, struct schedule *out)
{
	uint64_t bits[5];
	bool star[5];
	for (int i = 0; i < 5; i++) {
		while (is_blank(peek(c)))
			c->pos++;
		if (peek(c) < 0)
			return fail(c, c->pos, "missing %s field (an entry needs five time fields, "
			            "then the command)", fields[i].name);
		if (parse_field(c, &fields[i], &bits[i], &star[i]) < 0)
			return -1;
	}
	*out = (struct schedule){
		.n_random = c->n_random,
		.minutes = bits[0],
		.hours = (uint32_t)bits[1],
		.mdays = (uint32_t)bits[2],
		.months = (uint16_t)bits[3],
		.wdays = (uint8_t)bits[4],
		.flags = (uint8_t)((star[0] ? SCHED_MIN_STAR : 0) | (star[1] ? SCHED_HOUR_STAR : 0) |
		                   (star[2] ? SCHED_MDAY_STAR : 0) |
		                   (star[4] ? SCHED_WDAY_STAR : 0) |
		                   (c->wday_to_sunday ? SCHED_WDAY_TO_SUNDAY : 0)),
	};
	memcpy(out->random, c->random, sizeof(out->random));
	return 0;
}

int schedule_parse(const char *line, size_t len, struct schedule *out, size_t *end,
                   size_t *err_col, char *msg, size_t msglen)
{
	struct cursor c = { .s = line, .len = len, .msg = msg, .msglen = msglen };
	while (is_blank(peek(&c)))
		c.pos++;
	int rc = peek(&c) == '@' ? parse_macro(&c, out) : parse_fields(&c, out);
	if (rc < 0) {
		*err_col = c.err_col;
		return -1;
	}
	*end = c.pos;
	return 0;
}
