/* tests/unit/support/due_reqs.c: the run requests a scheduler tick makes
 * (see due_reqs.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tests/unit/support/due_reqs.h"

void due_reqs_keep(void *ctx, const struct due *d)
{
	struct due_reqs *q = ctx;
	if (q->n == DUE_REQS_MAX)
		fail_msg("more than %d runs due", DUE_REQS_MAX);
	q->r[q->n] = runreq_from_due(d);
	assert_non_null(q->r[q->n]);
	q->n++;
}

void due_reqs_free(struct due_reqs *q)
{
	for (size_t i = 0; i < q->n; i++)
		runreq_free(q->r[i]);
	q->n = 0;
}

struct run_request *due_reqs_find(const struct due_reqs *q, const char *command)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->r[i]->command != NULL && strcmp(q->r[i]->command, command) == 0)
			return q->r[i];
	return NULL;
}
