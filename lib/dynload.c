/* lib/dynload.c: a shared library's functions, loaded on first use (see
 * dynload.h). */
#include "lib/dynload.h"

#include <dlfcn.h>
#include <stdio.h>

int dynload(const char *soname, const char *const *names, void **out, size_t n,
            char *err, size_t errlen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(err, errlen, "%s", e != NULL ? e : "cannot load the library");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((out[i] = dlsym(h, names[i])) == NULL) {
			snprintf(err, errlen, "%s has no %s", soname, names[i]);
			return -1;
		}
	}
	return 0;
}
