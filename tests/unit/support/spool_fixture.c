/* tests/unit/support/spool_fixture.c: the spool tests' fixture (see
 * spool_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/support/spool_fixture.h"
#include "tests/unit/support/tmpdir.h"

struct spool_fixture *spool_fixture_new(const char *name)
{
	struct spool_fixture *fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	assert_int_equal(tmpdir_make(fx->dir, sizeof fx->dir, name), 0);
	snprintf(fx->path, sizeof fx->path, "%s/crond.db", fx->dir);
	return fx;
}

void spool_fixture_open(struct spool_fixture *fx, int flags)
{
	struct spool_err err = { 0 };
	if (spool_open(fx->path, flags, &fx->sp, &err) != SPOOL_OK)
		fail_msg("open: %s", err.msg);
}

void spool_fixture_free(struct spool_fixture *fx)
{
	spool_close(fx->sp);
	(void)tmpdir_remove(fx->dir);   /* as much as it can */
	free(fx);
}

size_t spool_fixture_count_runs(struct spool *sp, const struct spool_history_filter *f)
{
	const struct spool_history_filter all = { .limit = SPOOL_QUERY_MAX };
	struct spool_err err = { 0 };
	struct spool_run *v;
	size_t n;
	if (spool_history_query(sp, f != NULL ? f : &all, &v, &n, &err) != SPOOL_OK)
		fail_msg("query: %s", err.msg);
	spool_runs_free(v, n);
	return n;
}
