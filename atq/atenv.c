/* atq/atenv.c: the caller's environment, filtered for an at job (see
 * atenv.h).
 *
 * Duplicates are found by sorting an index of the names, so a hostile
 * environment of many strings costs n log n, not n squared.
 */
#include "atq/atenv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atq/shquote.h"

static const char *const never_carried[] = {
	"TERM", "DISPLAY", "_", "SHELLOPTS", "BASH_VERSINFO", "EUID", "GROUPS", "PPID", "UID",
	"SHLVL", "BASHOPTS", "LOGNAME", "USER",
	"SHELL",   /* Debian's never carries it: the job runs with /bin/sh (crond sets it) */
};

enum atenv_verdict atenv_judge(const char *entry)
{
	const char *eq = strchr(entry, '=');
	if (eq == NULL)
		return ATENV_DROP;
	size_t name_len = (size_t)(eq - entry);
	if (!shquote_is_name(entry, name_len))
		return ATENV_DROP;
	for (size_t i = 0; i < sizeof(never_carried) / sizeof(never_carried[0]); i++)
		if (strlen(never_carried[i]) == name_len &&
		    memcmp(never_carried[i], entry, name_len) == 0)
			return ATENV_DROP;
	if (strlen(entry) + 1 > ATENV_VAR_MAX)
		return ATENV_TOO_LARGE;
	return ATENV_KEEP;
}

struct slot {
	const char *s;
	size_t name_len;
	size_t index;
};

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->s, y->s, n);
	if (c != 0)
		return c;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* DUP[i] = true for every string whose name a later string has: the job
 * sees the last, as with Debian's at, whose script exports them all in
 * order. */
static int mark_duplicates(const char *const *env, size_t n, bool *dup)
{
	struct slot *v = malloc((n ? n : 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		v[i] = (struct slot){ env[i], eq ? (size_t)(eq - env[i]) : strlen(env[i]), i };
	}
	qsort(v, n, sizeof(*v), slot_cmp);
	for (size_t i = 1; i < n; i++)
		if (v[i].name_len == v[i - 1].name_len &&
		    memcmp(v[i].s, v[i - 1].s, v[i].name_len) == 0)
			dup[v[i - 1].index] = true;
	free(v);
	return 0;
}

static int fail(struct atenv *out, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct atenv *out, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	atenv_free(out);
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int atenv_capture(const char *const *env, struct atenv *out, char *err, size_t errlen)
{
	*out = (struct atenv){ 0 };
	size_t n = 0;
	while (env != NULL && env[n] != NULL)
		n++;
	bool *dup = calloc(n ? n : 1, sizeof(*dup));
	out->keep = calloc(n + 1, sizeof(*out->keep));
	out->too_large = calloc(n ? n : 1, sizeof(*out->too_large));
	if (dup == NULL || out->keep == NULL || out->too_large == NULL ||
	    mark_duplicates(env, n, dup) < 0) {
		free(dup);
		return fail(out, err, errlen, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (dup[i])
			continue;
		switch (atenv_judge(env[i])) {
		case ATENV_KEEP:
			out->keep[out->n_keep++] = env[i];
			out->bytes += strlen(env[i]) + 1;
			break;
		case ATENV_TOO_LARGE:
			out->too_large[out->n_too_large++] = env[i];
			break;
		case ATENV_DROP:
			break;
		}
	}
	free(dup);
	if (out->bytes > ATENV_TOTAL_MAX)
		return fail(out, err, errlen, "the environment is too large to carry into a job "
		            "(%zu bytes, at most %zu)", out->bytes, (size_t)ATENV_TOTAL_MAX);
	if (out->n_keep > ATENV_COUNT_MAX)
		return fail(out, err, errlen, "the environment has too many variables to carry "
		            "into a job (%zu, at most %zu)", out->n_keep, (size_t)ATENV_COUNT_MAX);
	return 0;
}

void atenv_free(struct atenv *out)
{
	free(out->keep);
	free(out->too_large);
	*out = (struct atenv){ 0 };
}
