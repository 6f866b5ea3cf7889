/* atq/timespec_lex.c: the at time language's tokens.
 *
 * Debian's at feeds its arguments to a flex scanner joined by single spaces,
 * and flex takes the longest match at each position (the earlier rule on a
 * tie). This scanner reproduces that choice by hand, because it decides what
 * users can type: "10am" is 10 AM, "now+2hours" is now + 2 hours,
 * "teatimetomorrow" is teatime tomorrow, "sept" is "sep" followed by a stray
 * "t" (an error), and "jul 1,2027" reads "1,20" as the time 1:20.
 *
 * A token never spans two words (the joining space ends every token), so the
 * words are scanned one after the other. Blanks, tabs and newlines inside a
 * word separate tokens, as in Debian. Every other byte that starts no token
 * is TK_BAD, including bytes >= 0x80 (Debian's scanner ends the whole
 * input at such a byte and ignores the rest: see TIMESPEC-DIFFERENCES.md).
 */
#include "atq/timespec_int.h"

#include <stdbool.h>
#include <string.h>

/* The keywords. A keyword matches as a whole literal, case-insensitively:
 * "sun" and "sunday" are both listed because flex's pattern is sun(day)?. */
static const struct keyword {
	const char *text;
	enum ts_tok kind;
	int value;
} keywords[] = {
	{"now", TK_NOW, 0}, {"am", TK_AM, 0}, {"pm", TK_PM, 0},
	{"noon", TK_NOON, 0}, {"midnight", TK_MIDNIGHT, 0},
	{"teatime", TK_TEATIME, 0},
	{"sun", TK_WEEKDAY, 0}, {"sunday", TK_WEEKDAY, 0},
	{"mon", TK_WEEKDAY, 1}, {"monday", TK_WEEKDAY, 1},
	{"tue", TK_WEEKDAY, 2}, {"tuesday", TK_WEEKDAY, 2},
	{"wed", TK_WEEKDAY, 3}, {"wednesday", TK_WEEKDAY, 3},
	{"thu", TK_WEEKDAY, 4}, {"thursday", TK_WEEKDAY, 4},
	{"fri", TK_WEEKDAY, 5}, {"friday", TK_WEEKDAY, 5},
	{"sat", TK_WEEKDAY, 6}, {"saturday", TK_WEEKDAY, 6},
	{"today", TK_TODAY, 0}, {"tomorrow", TK_TOMORROW, 0},
	{"next", TK_NEXT, 0},
	{"min", TK_PERIOD, TS_MINUTE}, {"minute", TK_PERIOD, TS_MINUTE},
	{"minutes", TK_PERIOD, TS_MINUTE},
	{"hour", TK_PERIOD, TS_HOUR}, {"hours", TK_PERIOD, TS_HOUR},
	{"day", TK_PERIOD, TS_DAY}, {"days", TK_PERIOD, TS_DAY},
	{"week", TK_PERIOD, TS_WEEK}, {"weeks", TK_PERIOD, TS_WEEK},
	{"month", TK_PERIOD, TS_MONTH}, {"months", TK_PERIOD, TS_MONTH},
	{"year", TK_PERIOD, TS_YEAR}, {"years", TK_PERIOD, TS_YEAR},
	{"jan", TK_MONTH, 0}, {"january", TK_MONTH, 0},
	{"feb", TK_MONTH, 1}, {"february", TK_MONTH, 1},
	{"mar", TK_MONTH, 2}, {"march", TK_MONTH, 2},
	{"apr", TK_MONTH, 3}, {"april", TK_MONTH, 3},
	{"may", TK_MONTH, 4},
	{"jun", TK_MONTH, 5}, {"june", TK_MONTH, 5},
	{"jul", TK_MONTH, 6}, {"july", TK_MONTH, 6},
	{"aug", TK_MONTH, 7}, {"august", TK_MONTH, 7},
	{"sep", TK_MONTH, 8}, {"september", TK_MONTH, 8},
	{"oct", TK_MONTH, 9}, {"october", TK_MONTH, 9},
	{"nov", TK_MONTH, 10}, {"november", TK_MONTH, 10},
	{"dec", TK_MONTH, 11}, {"december", TK_MONTH, 11},
	{"utc", TK_UTC, 0},
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

static size_t digit_run(const char *s)
{
	size_t n = 0;
	while (is_digit(s[n]))
		n++;
	return n;
}

/* [012]?[0-9][:'h,.][0-9]{2}: length of the longest match at S, or 0. */
static size_t match_hourmin(const char *s)
{
	static const char seps[] = ":'h,.H";
	if (s[0] >= '0' && s[0] <= '2' && is_digit(s[1]) && s[2] != '\0'
	    && strchr(seps, s[2]) && is_digit(s[3]) && is_digit(s[4]))
		return 5;
	if (is_digit(s[0]) && s[1] != '\0' && strchr(seps, s[1])
	    && is_digit(s[2]) && is_digit(s[3]))
		return 4;
	return 0;
}

/* [0-9]{1,2}\.[0-9]{1,2}\.[0-9]{2}([0-9]{2})? */
static size_t match_dotted(const char *s)
{
	size_t a = digit_run(s);
	if (a < 1 || a > 2 || s[a] != '.')
		return 0;
	const char *p = s + a + 1;
	size_t b = digit_run(p);
	if (b < 1 || b > 2 || p[b] != '.')
		return 0;
	p += b + 1;
	size_t c = digit_run(p);
	if (c < 2)
		return 0;
	return (size_t)(p - s) + (c >= 4 ? 4 : 2);
}

/* [0-9]{2}([0-9]{2})?-[0-9]{1,2}-[0-9]{1,2} */
static size_t match_hyphen(const char *s)
{
	size_t a = digit_run(s);
	if ((a != 2 && a != 4) || s[a] != '-')
		return 0;
	const char *p = s + a + 1;
	size_t b = digit_run(p);
	if (b < 1 || b > 2 || p[b] != '-')
		return 0;
	p += b + 1;
	size_t c = digit_run(p);
	if (c < 1)
		return 0;
	return (size_t)(p - s) + (c >= 2 ? 2 : 1);
}

/* A token starting with a digit: the digit run, or one of the three shapes
 * with separators if that is longer (flex's rule order breaks no ties here:
 * a shape with a separator is always longer than its leading digit run). */
static void lex_number(const char *s, struct ts_token *tok)
{
	size_t run = digit_run(s), n;
	tok->kind = TK_NUM;
	tok->len = (int)run;
	if ((n = match_dotted(s)) > (size_t)tok->len) {
		tok->kind = TK_DOTTED;
		tok->len = (int)n;
	}
	if ((n = match_hyphen(s)) > (size_t)tok->len) {
		tok->kind = TK_HYPHEN;
		tok->len = (int)n;
	}
	if ((n = match_hourmin(s)) > (size_t)tok->len) {
		tok->kind = TK_HOURMIN;
		tok->len = (int)n;
	}
	if (tok->kind != TK_NUM)
		return;
	tok->ndigits = (int)run;
	tok->num = 0;
	for (size_t i = 0; i < run; i++) {
		if (tok->num < INT64_MAX / 10 - 10)
			tok->num = tok->num * 10 + (s[i] - '0');
		else
			tok->num = INT64_MAX / 10;  /* saturate: far out of range */
	}
}

/* The longest keyword that S starts with, case-insensitively. */
static const struct keyword *match_keyword(const char *s, size_t *len)
{
	const struct keyword *best = NULL;
	size_t bestlen = 0;
	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
		const char *t = keywords[k].text;
		size_t i = 0;
		while (t[i] != '\0' && lower(s[i]) == t[i])
			i++;
		if (t[i] == '\0' && i > bestlen) {
			best = &keywords[k];
			bestlen = i;
		}
	}
	*len = bestlen;
	return best;
}

static enum ts_tok punctuation(char c)
{
	switch (c) {
	case ',': return TK_COMMA;
	case '/': return TK_SLASH;
	case '+': return TK_PLUS;
	case '-': return TK_MINUS;
	default: return TK_BAD;
	}
}

void ts_lex_init(struct ts_lexer *lx, const char *const *words, size_t nwords)
{
	lx->words = words;
	lx->nwords = nwords;
	lx->word = 0;
	lx->pos = 0;
}

void ts_lex_next(struct ts_lexer *lx, struct ts_token *tok)
{
	memset(tok, 0, sizeof *tok);
	for (;;) {
		if (lx->word >= lx->nwords) {
			tok->kind = TK_END;
			tok->word = (int)lx->nwords;
			tok->text = "";
			return;
		}
		const char *w = lx->words[lx->word];
		while (is_blank(w[lx->pos]))
			lx->pos++;
		if (w[lx->pos] != '\0')
			break;
		lx->word++;
		lx->pos = 0;
	}
	const char *s = lx->words[lx->word] + lx->pos;
	tok->word = (int)lx->word;
	tok->offset = (int)lx->pos;
	tok->text = s;
	size_t kwlen;
	const struct keyword *kw;
	if (is_digit(s[0])) {
		lex_number(s, tok);
	} else if ((kw = match_keyword(s, &kwlen)) != NULL) {
		tok->kind = kw->kind;
		tok->value = kw->value;
		tok->len = (int)kwlen;
	} else {
		tok->kind = punctuation(s[0]);
		tok->len = 1;
	}
	lx->pos += (size_t)tok->len;
}
