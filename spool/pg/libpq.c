/* spool/pg/libpq.c: loading libpq on first use (see libpq.h). */
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include "lib/dynload.h"
#include "spool/common.h"
#include "spool/pg/libpq.h"

struct pg_libpq pg_libpq;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* written once, inside load_once */

#define PG_LIBPQ_NAME(name) #name,
static const char *const names[] = { PG_LIBPQ_FUNCTIONS(PG_LIBPQ_NAME) };
#undef PG_LIBPQ_NAME
#define PG_LIBPQ_COUNT (sizeof names / sizeof *names)

static void load(void)
{
	void *fns[PG_LIBPQ_COUNT];
	char e[200];
	if (dynload("libpq.so.5", names, fns, PG_LIBPQ_COUNT, e, sizeof e) < 0) {
		snprintf(load_error, sizeof load_error, "%s (install Debian's libpq5)", e);
		return;
	}
	size_t i = 0;
#define PG_LIBPQ_SET(name) memcpy(&pg_libpq.fn_##name, &fns[i++], sizeof(void *));
	PG_LIBPQ_FUNCTIONS(PG_LIBPQ_SET)
#undef PG_LIBPQ_SET
}

int pg_libpq_load(struct spool_err *err)
{
	if (pthread_once(&load_once, load) != 0)
		return spool_seterr(err, SPOOL_IO, "libpq: pthread_once failed");
	if (load_error[0] != '\0')
		return spool_seterr(err, SPOOL_IO, "cannot load libpq: %s", load_error);
	return SPOOL_OK;
}
