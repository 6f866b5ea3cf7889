/* atq/timespec.c: at_timespec_parse(), the public face of the time parser:
 * parse, evaluate, and turn a failure into a message with a position. */
#include "atq/timespec.h"

#include <stdio.h>
#include <string.h>

#include "atq/timespec_int.h"

/* Longest part of an offending word quoted in a message. */
#define QUOTE_MAX 40

static bool all_blank(const char *const *words, size_t nwords)
{
	for (size_t i = 0; i < nwords; i++)
		if (words[i][strspn(words[i], " \t\n")] != '\0')
			return false;
	return true;
}

static enum at_timespec_status report(const struct ts_fail *f,
                                      const char *const *words, size_t nwords,
                                      struct at_timespec_error *err)
{
	if (err == NULL)
		return f->status;
	err->word = f->at.word;
	err->offset = f->at.offset;
	if (f->at.word >= 0 && (size_t)f->at.word < nwords) {
		const char *text = words[f->at.word];
		snprintf(err->msg, sizeof err->msg, "%s at '%.*s%s'", f->what,
		         QUOTE_MAX, text, strlen(text) > QUOTE_MAX ? "..." : "");
	} else if (f->at.word >= 0 && (size_t)f->at.word == nwords) {
		snprintf(err->msg, sizeof err->msg, "%s: %s time specification",
		         f->what, all_blank(words, nwords) ? "empty" : "incomplete");
	} else {
		snprintf(err->msg, sizeof err->msg, "%s", f->what);
	}
	return f->status;
}

enum at_timespec_status at_timespec_parse(const char *const *words, size_t nwords,
                                          time_t now, time_t *out,
                                          struct at_timespec_error *err)
{
	struct ts_spec spec;
	struct ts_fail fail;
	time_t t;
	if (!ts_parse(words, nwords, &spec, &fail) || !ts_eval(&spec, now, &t, &fail))
		return report(&fail, words, nwords, err);
	*out = t;
	return AT_TIMESPEC_OK;
}
