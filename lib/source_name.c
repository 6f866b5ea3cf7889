/* lib/source_name.c: a user's crontab's source name (see source_name.h). */
#include "lib/source_name.h"

#include <string.h>

#define PREFIX_LEN (sizeof(SOURCE_USER_PREFIX) - 1)

int source_name_user(char *buf, size_t len, const char *owner)
{
	size_t n = strlen(owner);
	if (n == 0 || len < PREFIX_LEN + n + 1) {
		if (len > 0)
			buf[0] = '\0';
		return -1;
	}
	memcpy(buf, SOURCE_USER_PREFIX, PREFIX_LEN);
	memcpy(buf + PREFIX_LEN, owner, n + 1);
	return 0;
}

const char *source_name_owner(const char *name)
{
	if (strncmp(name, SOURCE_USER_PREFIX, PREFIX_LEN) != 0 || name[PREFIX_LEN] == '\0')
		return NULL;
	return name + PREFIX_LEN;
}
