/* tests/unit/support/spool_fixture.h: the spool tests' fixture, a spool
 * database file in a private temporary directory, and the checks they share.
 *
 * Typical use, as a cmocka setup and teardown:
 *
 *   struct spool_fixture *fx = spool_fixture_new("spool-at");
 *   spool_fixture_open(fx, SPOOL_CREATE);
 *   ...
 *   spool_fixture_free(fx);
 *
 * Failures fail the running test (cmocka), with the spool's message.
 */
#ifndef CROND_TESTS_SUPPORT_SPOOL_FIXTURE_H
#define CROND_TESTS_SUPPORT_SPOOL_FIXTURE_H

#include <stddef.h>

#include "spool/spool.h"

struct spool_fixture {
	char dir[64];       /* the private directory, /tmp/NAME.XXXXXX */
	char path[128];     /* DIR/crond.db: the spool's file */
	struct spool *sp;   /* the open spool, or NULL */
};

/* A new fixture: the directory is made, the spool is neither created nor
 * opened (SP is NULL). Free with spool_fixture_free. */
struct spool_fixture *spool_fixture_new(const char *name);

/* Opens PATH with FLAGS (enum spool_open_flags) into FX->sp. */
void spool_fixture_open(struct spool_fixture *fx, int flags);

/* Closes FX->sp if it is open, removes the directory with everything in
 * it, and frees FX. */
void spool_fixture_free(struct spool_fixture *fx);

/* How many history records of SP the filter F selects (NULL: all of them,
 * up to SPOOL_QUERY_MAX). */
size_t spool_fixture_count_runs(struct spool *sp, const struct spool_history_filter *f);

#endif
