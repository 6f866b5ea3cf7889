/* atq/timespec_int.h: what the pieces of the at time parser share.
 * Not a public interface; include atq/timespec.h instead.
 *
 *   timespec_lex.c    words -> tokens, with flex's longest-match rules
 *   timespec_parse.c  tokens -> struct ts_spec (the grammar, value checks)
 *   timespec_eval.c   struct ts_spec + now -> instant (Debian's arithmetic)
 *   timespec.c        the public entry point, error messages
 *   timespec_posix.c  the -t form
 */
#ifndef CROND_ATQ_TIMESPEC_INT_H
#define CROND_ATQ_TIMESPEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "atq/timespec.h"

/* ------------------------------------------------------------------ tokens */

enum ts_tok {
	TK_END,                  /* no more input */
	TK_NUM,                  /* a run of digits; ndigits tells its class */
	TK_DOTTED,               /* D[D].M[M].YY[YY] */
	TK_HYPHEN,               /* YY[YY]-M[M]-D[D] */
	TK_HOURMIN,              /* [H]H:MM, also with ' h , . as the separator */
	TK_NOW, TK_AM, TK_PM, TK_NOON, TK_MIDNIGHT, TK_TEATIME,
	TK_WEEKDAY,              /* value: 0 = Sunday .. 6 */
	TK_TODAY, TK_TOMORROW, TK_NEXT,
	TK_PERIOD,               /* value: enum ts_period */
	TK_MONTH,                /* value: 0 = January .. 11 */
	TK_UTC,
	TK_COMMA, TK_SLASH, TK_PLUS, TK_MINUS,
	TK_BAD,                  /* any other byte: never valid */
};

enum ts_period { TS_MINUTE, TS_HOUR, TS_DAY, TS_WEEK, TS_MONTH, TS_YEAR };

struct ts_token {
	enum ts_tok kind;
	int value;           /* TK_WEEKDAY, TK_MONTH, TK_PERIOD */
	int ndigits;         /* TK_NUM */
	int64_t num;         /* TK_NUM, saturated at INT64_MAX / 10 */
	int word;            /* index of the word holding the token */
	int offset;          /* byte offset in that word */
	int len;             /* bytes */
	const char *text;    /* WORDS[word] + offset; not NUL-terminated */
};

struct ts_lexer {
	const char *const *words;
	size_t nwords;
	size_t word;         /* current word */
	size_t pos;          /* byte offset in it */
};

void ts_lex_init(struct ts_lexer *lx, const char *const *words, size_t nwords);

/* Reads the next token into *TOK (TK_END once the words are used up, with
 * word = NWORDS and offset 0). */
void ts_lex_next(struct ts_lexer *lx, struct ts_token *tok);

/* -------------------------------------------------------------- the parse */

enum ts_date_kind {
	TSD_NONE,
	TSD_CALENDAR,   /* month and day, maybe a year: every numeric and named form */
	TSD_WEEKDAY,    /* "fri", "next fri" */
	TSD_TODAY,
	TSD_TOMORROW,
	TSD_NEXT,       /* "next week": one PERIOD on */
};

/* A token's place, for error messages. */
struct ts_where {
	int word;
	int offset;
};

struct ts_spec {
	bool now;                   /* "now" */
	bool has_time;
	int hour, minute;           /* 0-24 (24 only as 24:00), 0-59 */
	bool utc;                   /* "utc" after the time */
	enum ts_date_kind date;
	int month;                  /* TSD_CALENDAR: 0-11 */
	int day;                    /* TSD_CALENDAR: 1-31 */
	bool has_year;              /* TSD_CALENDAR: year given (checked already) */
	int64_t year;               /* calendar year, e.g. 2026 */
	struct ts_where day_at;     /* TSD_CALENDAR without year: where the day is */
	int weekday;                /* TSD_WEEKDAY */
	enum ts_period next;        /* TSD_NEXT */
	bool has_incr;
	int64_t incr;               /* signed count, |incr| <= INT32_MAX */
	enum ts_period incr_period;
};

/* A failure: status, place, message (the caller formats the message). */
struct ts_fail {
	enum at_timespec_status status;
	struct ts_where at;         /* word -1 when no word is to blame */
	const char *what;           /* e.g. "garbled time", "error in day of month" */
};

/* Parses WORDS into *SPEC. Returns true, or false with *FAIL filled. */
bool ts_parse(const char *const *words, size_t nwords, struct ts_spec *spec,
              struct ts_fail *fail);

/* ------------------------------------------------------------ evaluation */

/* Resolves SPEC against NOW in the local zone (or in UTC with "utc").
 * Returns true with *OUT, or false with *FAIL filled (past, range, a day
 * that does not exist in the year it falls in). */
bool ts_eval(const struct ts_spec *spec, time_t now, time_t *out,
             struct ts_fail *fail);

/* ------------------------------------------------------------ calendar */

/* Years written with two digits: 00-69 are 2000-2069, 70-99 are 1970-1999
 * (Debian's rule). Four digits are the year itself. */
int64_t ts_year_from_digits(int64_t value, int ndigits);

/* Latest calendar year a result may fall in. */
#define TS_MAX_YEAR 9999

#endif
