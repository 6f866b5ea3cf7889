/* crontab-cli/user.c: whose crontab an action is about (see cli.h).
 *
 * The check here is a courtesy that gives a clear message early; crond
 * enforces the same rule from the kernel's word (SO_PEERCRED), so a
 * modified client gains nothing.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/cli.h"
#include "lib/crontab.h"
#include "lib/tz.h"

static void set_user(struct cli_user *out, const struct passwd *pw, bool named)
{
	snprintf(out->name, sizeof(out->name), "%s", pw->pw_name);
	out->uid = pw->pw_uid;
	out->named = named;
}

int cli_user_resolve(const struct crontab_cli *cli, struct cli_user *out)
{
	memset(out, 0, sizeof(*out));
	uid_t me = getuid();
	errno = 0;
	struct passwd *pw = getpwuid(me);
	if (!pw) {
		fprintf(stderr, "crontab: your user id %u has no user name (%s)\n", (unsigned)me,
		        errno ? strerror(errno) : "not in the user database");
		return -1;
	}
	if (!cli->user) {
		set_user(out, pw, false);
		return 0;
	}
	if (strlen(cli->user) >= CLI_NAME_MAX || cli->user[0] == '\0') {
		fprintf(stderr, "crontab: invalid user name for -u\n");
		return -1;
	}
	if (strcmp(cli->user, pw->pw_name) == 0) {
		set_user(out, pw, true);
		return 0;
	}
	/* An unknown user first, then the privilege, as Debian's crontab */
	errno = 0;
	pw = getpwnam(cli->user);
	if (!pw) {
		/* getpwnam reports "no such user" as 0 or, with some NSS
		 * modules, one of these. */
		int e = errno;
		if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM)
			fprintf(stderr, "crontab: cannot look up user '%s': %s\n", cli->user,
			        strerror(e));
		else
			fprintf(stderr, "crontab:  user `%s' unknown\n", cli->user);   /* Debian's, two blanks */
		return -1;
	}
	if (me != 0) {
		fprintf(stderr, "must be privileged to use -u (only root may name another user)\n");
		return -1;
	}
	set_user(out, pw, true);
	return 0;
}

struct tz *cli_load_zone(const struct crontab_cli *cli)
{
	char err[512];
	struct tz *zone = tz_load(cli->zone, err, sizeof(err));
	if (!zone)
		fprintf(stderr, "crontab: --tz: %s\n", err);
	return zone;
}

struct tz *cli_daemon_zone(const char *name)
{
	char err[512];
	if (name != NULL && name[0] != '\0') {
		struct tz *zone = tz_load(name, err, sizeof(err));
		if (zone)
			return zone;
		fprintf(stderr, "crontab: warning: crond's zone: %s; entries without CRON_TZ are "
		        "computed in the local zone\n", err);
	}
	struct tz *local = tz_load(NULL, err, sizeof(err));
	if (!local)
		fprintf(stderr, "crontab: the local zone: %s\n", err);
	return local;
}

const struct tz *cli_entry_zone(const struct crontab *tab, uint32_t i, struct tz **zones,
                                const struct tz *default_zone)
{
	const char *name = tab->options[i].tz;
	if (!name || !*name)
		return default_zone;
	if (!zones[i]) {
		char err[512];
		zones[i] = tz_load(name, err, sizeof(err));
		if (!zones[i])
			fprintf(stderr, "crontab: CRON_TZ: %s\n", err);
	}
	return zones[i];
}
