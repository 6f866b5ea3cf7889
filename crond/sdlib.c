/* crond/sdlib.c: loading libsystemd when systemd runs crond (see sdlib.h). */
#include "crond/sdlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct sdlib lib;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* written once, inside load_once */

static void *resolve(void *h, const char *name)
{
	void *f = dlsym(h, name);
	if (f == NULL && load_error[0] == '\0')
		snprintf(load_error, sizeof(load_error), "libsystemd.so.0 has no %s", name);
	return f;
}

static void load(void)
{
	void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(load_error, sizeof(load_error), "%s",
		         e != NULL ? e : "libsystemd.so.0: cannot load");
		return;
	}
	/* The handle stays open for the process's life. */
	*(void **)&lib.notify = resolve(h, "sd_notify");
	*(void **)&lib.listen_fds = resolve(h, "sd_listen_fds");
	*(void **)&lib.is_socket_unix = resolve(h, "sd_is_socket_unix");
}

const struct sdlib *sdlib_get(char *err, size_t errlen)
{
	if (pthread_once(&load_once, load) != 0) {
		snprintf(err, errlen, "libsystemd: pthread_once failed");
		return NULL;
	}
	if (load_error[0] != '\0') {
		snprintf(err, errlen, "cannot load libsystemd: %s", load_error);
		return NULL;
	}
	return &lib;
}
