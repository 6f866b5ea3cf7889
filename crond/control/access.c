/* crond/control/access.c: allow/deny files (see access.h). */
#include "crond/control/access.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readall.h"

#define ACCESS_FILE_MAX (1024 * 1024)

int access_listed(const char *path, const char *name)
{
	char *text, err[256];
	size_t len;
	FILE *probe = fopen(path, "re");
	if (!probe)
		return errno == ENOENT ? -1 : -2;
	fclose(probe);
	if (readall(path, ACCESS_FILE_MAX, &text, &len, err, sizeof(err)) < 0)
		return -2;
	int found = 0;
	for (char *line = text, *next; line && !found; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n && line[0] != '#' && strcmp(line, name) == 0)
			found = 1;
	}
	free(text);
	return found;
}

bool access_allowed(const struct config *cfg, enum access_service service, const char *user,
                    uid_t uid, char *msg, size_t msglen)
{
	if (uid == 0)
		return true;
	const char *prog = service == ACCESS_CRON ? "crontab" : "at";
	const char *allow = service == ACCESS_CRON ? cfg->cron_allow : cfg->at_allow;
	const char *deny = service == ACCESS_CRON ? cfg->cron_deny : cfg->at_deny;
	int a = access_listed(allow, user);
	if (a == 1)
		return true;
	if (a == 0 || a == -2) {
		snprintf(msg, msglen, a == 0 ? "you (%s) are not allowed to use %s (not listed in %s)"
		                             : "you (%s) are not allowed to use %s (%s is unreadable)",
		         user, prog, allow);
		return false;
	}
	int d = access_listed(deny, user);
	if (d == 0)
		return true;
	if (d == 1 || d == -2) {
		snprintf(msg, msglen, d == 1 ? "you (%s) are not allowed to use %s (listed in %s)"
		                             : "you (%s) are not allowed to use %s (%s is unreadable)",
		         user, prog, deny);
		return false;
	}
	if (service == ACCESS_CRON)
		return true;
	snprintf(msg, msglen, "you (%s) are not allowed to use at (neither %s nor %s exists, "
	         "so only root may)", user, allow, deny);
	return false;
}
