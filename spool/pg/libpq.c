/* spool/pg/libpq.c: loading libpq on first use (see libpq.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include "spool/common.h"
#include "spool/pg/libpq.h"

struct pg_libpq pg_libpq;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* written once, inside load_once */

static void load(void)
{
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(load_error, sizeof load_error, "%s (install Debian's libpq5)",
			 e != NULL ? e : "libpq.so.5: cannot load");
		return;
	}
	struct pg_libpq t;
	memset(&t, 0, sizeof t);
#define PG_LIBPQ_RESOLVE(name) \
	if (load_error[0] == '\0' && \
	    (*(void **)&t.fn_##name = dlsym(h, #name)) == NULL) \
		snprintf(load_error, sizeof load_error, "libpq.so.5 has no %s", #name);
	PG_LIBPQ_FUNCTIONS(PG_LIBPQ_RESOLVE)
#undef PG_LIBPQ_RESOLVE
	if (load_error[0] == '\0')
		pg_libpq = t;   /* the handle stays open for the process's life */
}

int pg_libpq_load(struct spool_err *err)
{
	if (pthread_once(&load_once, load) != 0)
		return spool_seterr(err, SPOOL_IO, "libpq: pthread_once failed");
	if (load_error[0] != '\0')
		return spool_seterr(err, SPOOL_IO, "cannot load libpq: %s", load_error);
	return SPOOL_OK;
}
