/* lib/dynload.h: loading a shared library and a table of its functions
 * when a feature first needs them (libpq for a PostgreSQL spool, libsystemd
 * under systemd), instead of linking them into every start. */
#ifndef CROND_LIB_DYNLOAD_H
#define CROND_LIB_DYNLOAD_H

#include <stddef.h>

/* dlopens SONAME (RTLD_NOW | RTLD_LOCAL; the handle stays open for the
 * process's life) and resolves the N functions NAMES into OUT[0..N-1].
 * 0, or -1 with ERR saying what failed ("libpq.so.5: cannot open shared
 * object file...", "libpq.so.5 has no PQexec"); OUT is then not to be used. */
int dynload(const char *soname, const char *const *names, void **out, size_t n,
            char *err, size_t errlen);

#endif
