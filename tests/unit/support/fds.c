/* tests/unit/support/fds.c: how many descriptors are open (see fds.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>

#include "tests/unit/support/fds.h"

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	int n = 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n - 3;  /* ".", "..", the directory's own descriptor */
}
