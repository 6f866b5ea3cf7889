/* atq/timespec_parse.c: the grammar of the at time language.
 *
 * Recursive descent over the language Debian's at 3.2.5 accepts (its yacc
 * grammar, parsetime.y; two tokens of lookahead suffice):
 *
 *   spec     := base [ ('+' | '-') NUMBER PERIOD ]
 *   base     := "now" | time [date] | date
 *   time     := clock ["utc"]
 *   clock    := HHMM | H[H] ("am"|"pm") | HOURMIN ["am"|"pm"]
 *             | "noon" | "midnight" | "teatime"
 *   date     := MONTH DAY [[","] YEAR] | DAY MONTH [YEAR]
 *             | MONTH-NUMBER "/" DAY "/" YEAR
 *             | YY[YY]-M[M]-D[D] | D[D].M[M].YY[YY] | MMDDYY[YY] | MDDYY[YY]
 *             | WEEKDAY | "next" WEEKDAY | "next" PERIOD | "today" | "tomorrow"
 *
 * DAY and MONTH-NUMBER are one or two digits, YEAR two or four, HHMM exactly
 * four digits, NUMBER any run of digits. The parse checks the values that do
 * not depend on "now" (hours, minutes, month numbers, days of dated forms);
 * timespec_eval.c does the arithmetic.
 */
#include "atq/timespec_int.h"

#include <string.h>

#include "lib/civil.h"

struct parser {
	struct ts_lexer lx;
	struct ts_token cur, next;   /* two tokens of lookahead */
	struct ts_fail *fail;
};

static void advance(struct parser *p)
{
	p->cur = p->next;
	ts_lex_next(&p->lx, &p->next);
}

static bool fail_at(struct parser *p, const struct ts_token *tok,
                    enum at_timespec_status status, const char *what)
{
	p->fail->status = status;
	p->fail->at.word = tok->word;
	p->fail->at.offset = tok->offset;
	p->fail->what = what;
	return false;
}

static bool garbled(struct parser *p, const struct ts_token *tok)
{
	return fail_at(p, tok, AT_TIMESPEC_GARBLED, "garbled time");
}

static bool is_num(const struct ts_token *t, int lo, int hi)
{
	return t->kind == TK_NUM && t->ndigits >= lo && t->ndigits <= hi;
}

/* The value of digits TEXT[FROM..FROM+N-1]. */
static int digits_value(const char *text, int from, int n)
{
	int v = 0;
	for (int i = from; i < from + n; i++)
		if (text[i] >= '0' && text[i] <= '9')
			v = v * 10 + (text[i] - '0');
	return v;
}

int64_t ts_year_from_digits(int64_t value, int ndigits)
{
	if (ndigits > 2)
		return value;
	return value < 70 ? 2000 + value : 1900 + value;
}

/* ----------------------------------------------------------------- times */

/* 24:00 is midnight at the end of the day; 24:01 and xx:60 do not exist. */
static bool check_clock(struct parser *p, const struct ts_token *tok, int h, int m)
{
	if (m > 59)
		return fail_at(p, tok, AT_TIMESPEC_GARBLED, "problem in minutes specification");
	if (h > 24 || (h == 24 && m != 0))
		return fail_at(p, tok, AT_TIMESPEC_GARBLED, "problem in hours specification");
	return true;
}

static bool apply_ampm(struct parser *p, const struct ts_token *hourtok,
                       struct ts_spec *spec)
{
	if (p->cur.kind != TK_AM && p->cur.kind != TK_PM)
		return true;
	if (spec->hour > 12)
		return fail_at(p, hourtok, AT_TIMESPEC_GARBLED,
		               p->cur.kind == TK_AM ? "hour too large for am"
		                                    : "hour too large for pm");
	if (p->cur.kind == TK_AM && spec->hour == 12)
		spec->hour = 0;
	else if (p->cur.kind == TK_PM && spec->hour < 12)
		spec->hour += 12;
	advance(p);
	return true;
}

static bool parse_clock(struct parser *p, struct ts_spec *spec)
{
	struct ts_token tok = p->cur;
	spec->has_time = true;
	spec->minute = 0;
	switch (tok.kind) {
	case TK_NOON: spec->hour = 12; advance(p); return true;
	case TK_MIDNIGHT: spec->hour = 0; advance(p); return true;
	case TK_TEATIME: spec->hour = 16; advance(p); return true;
	case TK_HOURMIN: {
		int hlen = tok.len == 5 ? 2 : 1;
		spec->hour = digits_value(tok.text, 0, hlen);
		spec->minute = digits_value(tok.text, hlen + 1, 2);
		if (!check_clock(p, &tok, spec->hour, spec->minute))
			return false;
		advance(p);
		return apply_ampm(p, &tok, spec);
	}
	default:
		break;
	}
	if (is_num(&tok, 4, 4)) {            /* HHMM, never with am/pm */
		spec->hour = digits_value(tok.text, 0, 2);
		spec->minute = digits_value(tok.text, 2, 2);
		advance(p);
		return check_clock(p, &tok, spec->hour, spec->minute);
	}
	spec->hour = (int)tok.num;            /* H or HH, am/pm follows */
	if (spec->hour > 24)
		return fail_at(p, &tok, AT_TIMESPEC_GARBLED, "problem in hours specification");
	advance(p);
	return apply_ampm(p, &tok, spec);
}

static bool parse_time(struct parser *p, struct ts_spec *spec)
{
	if (!parse_clock(p, spec))
		return false;
	if (p->cur.kind == TK_UTC) {
		spec->utc = true;
		advance(p);
	}
	return true;
}

/* ----------------------------------------------------------------- dates */

static bool month_number(struct parser *p, const struct ts_token *tok, int m,
                         struct ts_spec *spec)
{
	if (m < 1 || m > 12)
		return fail_at(p, tok, AT_TIMESPEC_GARBLED, "error in month number");
	spec->month = m - 1;
	return true;
}

/* A day, and if the year is known, that the month has it. */
static bool day_number(struct parser *p, const struct ts_token *tok, int d,
                       struct ts_spec *spec)
{
	int most = spec->has_year ? civil_days_in_month(spec->year, spec->month + 1) : 31;
	if (d < 1 || d > most)
		return fail_at(p, tok, AT_TIMESPEC_GARBLED, "error in day of month");
	spec->day = d;
	spec->day_at.word = tok->word;
	spec->day_at.offset = tok->offset;
	return true;
}

static void set_year(struct ts_spec *spec, int64_t value, int ndigits)
{
	spec->has_year = true;
	spec->year = ts_year_from_digits(value, ndigits);
}

/* YYYY-MM-DD, YY-M-D, DD.MM.YY, D.M.YYYY: split on the two separators. */
static bool parse_separated(struct parser *p, struct ts_spec *spec, bool ymd)
{
	struct ts_token tok = p->cur;
	int part[3], ndig[3], k = 0, start = 0;
	for (int i = 0; i <= tok.len && k < 3; i++) {
		if (i == tok.len || tok.text[i] == '-' || tok.text[i] == '.') {
			part[k] = digits_value(tok.text, start, i - start);
			ndig[k++] = i - start;
			start = i + 1;
		}
	}
	int y = ymd ? 0 : 2, d = ymd ? 2 : 0;
	spec->date = TSD_CALENDAR;
	if (!month_number(p, &tok, part[1], spec))
		return false;
	set_year(spec, part[y], ndig[y]);
	if (!day_number(p, &tok, part[d], spec))
		return false;
	advance(p);
	return true;
}

/* MMDDYY, MMDDYYYY, MDDYY, MDDYYYY. */
static bool parse_concatenated(struct parser *p, struct ts_spec *spec)
{
	struct ts_token tok = p->cur;
	int mlen = (tok.len == 5 || tok.len == 7) ? 1 : 2;
	int ylen = tok.len - mlen - 2;
	spec->date = TSD_CALENDAR;
	if (!month_number(p, &tok, digits_value(tok.text, 0, mlen), spec))
		return false;
	set_year(spec, digits_value(tok.text, mlen + 2, ylen), ylen);
	if (!day_number(p, &tok, digits_value(tok.text, mlen, 2), spec))
		return false;
	advance(p);
	return true;
}

/* An optional year after a named month: YEAR, or "," YEAR after MONTH DAY. */
static bool optional_year(struct parser *p, struct ts_spec *spec, bool comma_ok)
{
	if (comma_ok && p->cur.kind == TK_COMMA) {
		advance(p);
		if (!is_num(&p->cur, 2, 2) && !is_num(&p->cur, 4, 4))
			return garbled(p, &p->cur);
	} else if (!is_num(&p->cur, 2, 2) && !is_num(&p->cur, 4, 4)) {
		return true;
	}
	set_year(spec, p->cur.num, p->cur.ndigits);
	if (spec->day > civil_days_in_month(spec->year, spec->month + 1)) {
		struct ts_token daytok = { .word = spec->day_at.word,
		                           .offset = spec->day_at.offset };
		return fail_at(p, &daytok, AT_TIMESPEC_GARBLED, "error in day of month");
	}
	advance(p);
	return true;
}

/* MONTH DAY [[,] YEAR] and DAY MONTH [YEAR]. */
static bool parse_named_month(struct parser *p, struct ts_spec *spec, bool month_first)
{
	spec->date = TSD_CALENDAR;
	if (month_first) {
		spec->month = p->cur.value;
		advance(p);
		if (!is_num(&p->cur, 1, 2))
			return garbled(p, &p->cur);
	}
	if (!day_number(p, &p->cur, (int)p->cur.num, spec))
		return false;
	advance(p);
	if (!month_first) {
		spec->month = p->cur.value;   /* the caller saw the month */
		advance(p);
	}
	return optional_year(p, spec, month_first);
}

/* M[M] / D[D] / YY[YY] */
static bool parse_slashed(struct parser *p, struct ts_spec *spec)
{
	spec->date = TSD_CALENDAR;
	if (!month_number(p, &p->cur, (int)p->cur.num, spec))
		return false;
	advance(p);                                 /* the month; '/' is next */
	advance(p);
	struct ts_token daytok = p->cur;
	if (!is_num(&daytok, 1, 2))
		return garbled(p, &daytok);
	if (!day_number(p, &daytok, (int)daytok.num, spec))   /* 1-31 */
		return false;
	advance(p);
	if (p->cur.kind != TK_SLASH)
		return garbled(p, &p->cur);
	advance(p);
	if (!is_num(&p->cur, 2, 2) && !is_num(&p->cur, 4, 4))
		return garbled(p, &p->cur);
	set_year(spec, p->cur.num, p->cur.ndigits);
	if (!day_number(p, &daytok, (int)daytok.num, spec))   /* in that month */
		return false;
	advance(p);
	return true;
}

static bool parse_date(struct parser *p, struct ts_spec *spec)
{
	switch (p->cur.kind) {
	case TK_MONTH: return parse_named_month(p, spec, true);
	case TK_WEEKDAY:
		spec->date = TSD_WEEKDAY;
		spec->weekday = p->cur.value;
		advance(p);
		return true;
	case TK_TODAY: spec->date = TSD_TODAY; advance(p); return true;
	case TK_TOMORROW: spec->date = TSD_TOMORROW; advance(p); return true;
	case TK_HYPHEN: return parse_separated(p, spec, true);
	case TK_DOTTED: return parse_separated(p, spec, false);
	case TK_NEXT:
		advance(p);
		if (p->cur.kind == TK_WEEKDAY) {
			spec->date = TSD_WEEKDAY;
			spec->weekday = p->cur.value;
		} else if (p->cur.kind == TK_PERIOD) {
			spec->date = TSD_NEXT;
			spec->next = (enum ts_period)p->cur.value;
		} else {
			return garbled(p, &p->cur);
		}
		advance(p);
		return true;
	default:
		break;
	}
	if (is_num(&p->cur, 5, 8))
		return parse_concatenated(p, spec);
	if (p->next.kind == TK_MONTH)
		return parse_named_month(p, spec, false);
	return parse_slashed(p, spec);
}

/* ------------------------------------------------------------ the spec */

static bool starts_time(const struct parser *p)
{
	switch (p->cur.kind) {
	case TK_HOURMIN: case TK_NOON: case TK_MIDNIGHT: case TK_TEATIME:
		return true;
	default:
		return is_num(&p->cur, 4, 4)
		    || (is_num(&p->cur, 1, 2)
		        && (p->next.kind == TK_AM || p->next.kind == TK_PM));
	}
}

static bool starts_date(const struct parser *p)
{
	switch (p->cur.kind) {
	case TK_MONTH: case TK_WEEKDAY: case TK_TODAY: case TK_TOMORROW:
	case TK_HYPHEN: case TK_DOTTED: case TK_NEXT:
		return true;
	default:
		return is_num(&p->cur, 5, 8)
		    || (is_num(&p->cur, 1, 2)
		        && (p->next.kind == TK_MONTH || p->next.kind == TK_SLASH));
	}
}

static bool parse_increment(struct parser *p, struct ts_spec *spec)
{
	int sign = p->cur.kind == TK_MINUS ? -1 : 1;
	advance(p);
	struct ts_token count = p->cur;
	if (count.kind != TK_NUM)
		return garbled(p, &count);
	advance(p);
	if (p->cur.kind != TK_PERIOD)
		return garbled(p, &p->cur);
	if (count.num > INT32_MAX)
		return fail_at(p, &count, AT_TIMESPEC_RANGE, "increment out of range");
	spec->has_incr = true;
	spec->incr = sign * count.num;
	spec->incr_period = (enum ts_period)p->cur.value;
	advance(p);
	return true;
}

bool ts_parse(const char *const *words, size_t nwords, struct ts_spec *spec,
              struct ts_fail *fail)
{
	struct parser p = { .fail = fail };
	memset(spec, 0, sizeof *spec);
	ts_lex_init(&p.lx, words, nwords);
	ts_lex_next(&p.lx, &p.cur);
	ts_lex_next(&p.lx, &p.next);
	if (p.cur.kind == TK_NOW) {
		spec->now = true;
		advance(&p);
	} else if (starts_time(&p)) {
		if (!parse_time(&p, spec))
			return false;
		if (starts_date(&p) && !parse_date(&p, spec))
			return false;
	} else if (starts_date(&p)) {
		if (!parse_date(&p, spec))
			return false;
	} else {
		return garbled(&p, &p.cur);
	}
	if ((p.cur.kind == TK_PLUS || p.cur.kind == TK_MINUS)
	    && !parse_increment(&p, spec))
		return false;
	if (p.cur.kind != TK_END)
		return garbled(&p, &p.cur);
	return true;
}
