/* crond/sched/syscron_load.c: reading one system crontab (see syscron_load.h). */
#include "crond/sched/syscron_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/log.h"
#include "crond/sched/syscron.h"
#include "lib/config.h"

/* Why a symbolic link NAME (its own status LST) must not be followed
 * (Debian's cron: "WRONG SYMLINK OWNER"), or NULL. */
static const char *link_unsafe_reason(const struct stat *lst)
{
	return S_ISLNK(lst->st_mode) && lst->st_uid != geteuid()
	       ? "a symbolic link not owned by root" : NULL;
}

/* OUT's file is not read (or not used) for WHY, a static text; RESULT
 * says whether its last good version stays in force. */
static void ignored(struct syscron_loaded *out, enum syscron_load_result result,
                    const char *why)
{
	out->result = result;
	out->ignored = why;
}

/* Reads FD (of SIZE bytes, closed here) and parses it into OUT. */
static void read_and_parse(int fd, off_t size, bool strict, struct syscron_loaded *out)
{
	char *text = malloc((size_t)size + 1);
	ssize_t n = text ? read(fd, text, (size_t)size + 1) : -1;
	int e = errno;
	close(fd);
	/* A short read is a file cut while being read: its last line may be
	 * a command cut short, which must not run. */
	if (n < 0 || n != size) {
		if (!text)
			ignored(out, SYSCRON_LOAD_FAILED, "out of memory");
		else if (n >= 0)
			ignored(out, SYSCRON_LOAD_FAILED, "changed while being read");
		else
			out->ignored_errno = e;
		free(text);
		return;
	}
	/* crond -x (STRICT) is as strict as crontab -T --system; the daemon
	 * skips what only a newer rule refuses (crontab.h). */
	int rc = strict ? crontab_parse(text, (size_t)n, CRONTAB_SYSTEM, &out->tab, &out->diags)
	                : crontab_parse_stored(text, (size_t)n, CRONTAB_SYSTEM, &out->tab,
	                                       &out->diags);
	free(text);
	if (rc == 0 && crontab_check_zones(&out->tab, &out->diags) > 0) {
		crontab_free(&out->tab);
		rc = -1;
	}
	out->result = rc == 0 ? SYSCRON_LOAD_OK : SYSCRON_LOAD_FAILED;
}

void syscron_load(const char *path, bool strict, struct syscron_loaded *out)
{
	*out = (struct syscron_loaded){ .result = SYSCRON_LOAD_FAILED };
	struct stat lst, st;
	const char *link_why = lstat(path, &lst) == 0 ? link_unsafe_reason(&lst) : NULL;
	if (link_why) {
		ignored(out, SYSCRON_LOAD_UNSAFE, link_why);
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (e == ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
			out->ignored = SYSCRON_DANGLING_REASON;
		else
			out->open_errno = e;
		return;
	}
	const char *why = syscron_unsafe_reason(&st);
	if (why || st.st_size > CRONTAB_MAX_BYTES) {
		close(fd);
		if (why)
			ignored(out, SYSCRON_LOAD_UNSAFE, why);
		else
			ignored(out, SYSCRON_LOAD_FAILED, "larger than 1 MiB");
		return;
	}
	read_and_parse(fd, st.st_size, strict, out);
}

static void report(const char *path, const char *why, bool print)
{
	if (print)
		fprintf(stderr, "crond: %s: ignored: %s\n", path, why);
	else
		log_msg(LOG_ERR, "system crontab %s ignored: %s", path, why);
}

void syscron_load_report(const char *path, bool print, struct syscron_loaded *l)
{
	if (l->ignored)
		report(path, l->ignored, print);
	else if (l->ignored_errno)
		report(path, strerror(l->ignored_errno), print);
	else if (l->open_errno && print)
		fprintf(stderr, "crond: %s: %s\n", path, strerror(l->open_errno));
	else if (l->open_errno)
		log_msg(LOG_ERR, "system crontab %s: %s", path, strerror(l->open_errno));
	for (size_t i = 0; i < l->diags.count; i++) {
		char line[DIAG_MSG_MAX + CONFIG_PATH_MAX + 32];
		diag_format(&l->diags.items[i], path, line, sizeof(line));
		if (print)
			fprintf(stderr, "crond: %s\n", line);
		else
			log_msg(l->diags.items[i].warning ? LOG_WARNING : LOG_ERR, "%s", line);
	}
	diag_list_clear(&l->diags);
}
