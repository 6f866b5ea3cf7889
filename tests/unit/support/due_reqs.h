/* tests/unit/support/due_reqs.h: the run requests a scheduler tick makes,
 * kept for a test to look at (test_claim.c, test_snapshot.c).
 *
 *   struct due_reqs q = { 0 };
 *   scheduler_run_due(s, now, JUMP_NONE, due_reqs_keep, &q);
 *   struct run_request *r = due_reqs_find(&q, "echo hi");
 *   due_reqs_free(&q);
 *
 * Failures fail the running test (cmocka).
 */
#ifndef CROND_TESTS_SUPPORT_DUE_REQS_H
#define CROND_TESTS_SUPPORT_DUE_REQS_H

#include <stddef.h>

#include "crond/run/runreq.h"
#include "crond/sched/scheduler.h"

#define DUE_REQS_MAX 64

struct due_reqs {
	struct run_request *r[DUE_REQS_MAX];
	size_t n;
};

/* A scheduler's due callback: keeps the run request of D in CTX (a struct
 * due_reqs); more than DUE_REQS_MAX fail the test. */
void due_reqs_keep(void *ctx, const struct due *d);

/* Frees the requests Q keeps; Q is empty again. */
void due_reqs_free(struct due_reqs *q);

/* The first request of Q whose command is COMMAND, or NULL. */
struct run_request *due_reqs_find(const struct due_reqs *q, const char *command);

#endif
