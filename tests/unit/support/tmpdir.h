/* tests/unit/support/tmpdir.h: private temporary directories for tests.
 *
 * Plain libc: no cmocka here, so a group setup can fail with -1 as cmocka
 * expects and a test can assert on the result itself.
 */
#ifndef CROND_TESTS_SUPPORT_TMPDIR_H
#define CROND_TESTS_SUPPORT_TMPDIR_H

#include <stddef.h>

/* Makes a new directory /tmp/NAME.XXXXXX (mode 0700) and puts its path in
 * DIR (SIZE bytes). 0, or -1 with errno set (DIR is then unspecified). */
int tmpdir_make(char *dir, size_t size, const char *name);

/* Removes DIR and everything below it, depth first and never following a
 * symbolic link. 0, or -1 when something could not be removed. */
int tmpdir_remove(const char *dir);

#endif
