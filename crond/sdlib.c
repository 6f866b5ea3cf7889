/* crond/sdlib.c: loading libsystemd when systemd runs crond (see sdlib.h). */
#include "crond/sdlib.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/dynload.h"

static struct sdlib lib;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];   /* written once, inside load_once */

static void load(void)
{
	static const char *const names[] = { "sd_notify", "sd_listen_fds", "sd_is_socket_unix" };
	void *fns[3];
	if (dynload("libsystemd.so.0", names, fns, 3, load_error, sizeof(load_error)) < 0)
		return;
	memcpy(&lib.notify, &fns[0], sizeof(void *));
	memcpy(&lib.listen_fds, &fns[1], sizeof(void *));
	memcpy(&lib.is_socket_unix, &fns[2], sizeof(void *));
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
