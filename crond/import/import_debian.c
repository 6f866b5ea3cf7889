/* crond/import/import_debian.c: the --import-debian command: lock, open, walk
 * Debian's two spool directories in name order, report.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crond/import/import_debian.h"
#include "crond/log.h"
#include "crond/pidfile.h"

#define IMPORT_DIR_MAX 1000000   /* names read from one directory */
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define REBOOT_META "reboot_boot_id"   /* as crond/sched/startup.c names it */

int import_read_file(int dirfd, const char *name, size_t max, char **buf, size_t *len,
                     struct stat *st, char *err, size_t errlen)
{
	*buf = NULL;
	*len = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", name, errno == ELOOP
		         ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	const char *why = NULL;
	if (fstat(fd, st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		why = "not a regular file";
	else if ((uint64_t)st->st_size > max)
		why = "too large";
	char *b = why ? NULL : malloc((size_t)st->st_size + 1);
	if (why == NULL && b == NULL)
		why = "out of memory";
	size_t got = 0;
	while (why == NULL && got < (size_t)st->st_size) {
		ssize_t n = read(fd, b + got, (size_t)st->st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			why = n < 0 ? strerror(errno) : "file shrank while read";
			break;
		}
		got += (size_t)n;
	}
	(void)close(fd);   /* read-only: nothing to lose */
	if (why != NULL) {
		snprintf(err, errlen, "cannot read %s: %s", name, why);
		free(b);
		return -1;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* atd's names by job number (the characters after the queue letter), so
 * that jobs keep their numbers: ids only grow. */
static int by_job_number(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = x[0] && y[0] ? strcmp(x + 1, y + 1) : 0;
	return c != 0 ? c : strcmp(x, y);
}

/* The entries of directory DIRFD, sorted by CMP, as a new array *OUT of *N.
 * Returns 0, or -1 with ERR. */
static int list_dir(int dirfd, int (*cmp)(const void *, const void *), char ***out,
                    size_t *n, char *err, size_t errlen)
{
	int fd = dup(dirfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	*n = 0;
	*out = NULL;
	if (d == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	char **v = NULL;
	size_t cap = 0;
	struct dirent *de;
	bool ok = true;
	while (ok && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n >= IMPORT_DIR_MAX) {
			snprintf(err, errlen, "more than %d entries", IMPORT_DIR_MAX);
			ok = false;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nv = realloc(v, cap * sizeof *nv);
			if (nv == NULL) {
				ok = false;
				snprintf(err, errlen, "out of memory");
				break;
			}
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL) {
			ok = false;
			snprintf(err, errlen, "out of memory");
			break;
		}
		(*n)++;
	}
	(void)closedir(d);
	if (!ok) {
		for (size_t i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp);
	*out = v;
	return 0;
}

typedef void (*import_fn)(struct spool *sp, int dirfd, const char *name, const char *where,
                          int64_t now, struct import_report *r);

/* Imports every entry of SPOOLDIR/SUB, in the import marks as WHERE; a
 * missing directory has nothing. With FILES_ONLY, a subdirectory is passed
 * over without a word (cronie's /var/spool/cron holds Debian's crontabs and
 * atjobs, Fedora's /var/spool/at its output directory spool). */
static void import_dir(struct spool *sp, int spoolfd, const char *sub, const char *where,
                       bool files_only, import_fn fn, int (*cmp)(const void *, const void *),
                       int64_t now, struct import_report *r)
{
	char err[256];
	int fd = openat(spoolfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			import_report_add(r, IMPORT_REFUSED, NULL, sub, "cannot open the"
			                  " directory: %s", strerror(errno));
		return;
	}
	size_t n = 0;
	char **names = NULL;
	if (list_dir(fd, cmp, &names, &n, err, sizeof err) < 0)
		import_report_add(r, IMPORT_REFUSED, NULL, sub, "cannot list the directory: %s", err);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (!files_only || fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			fn(sp, fd, names[i], where, now, r);
		free(names[i]);
	}
	free(names);
	(void)close(fd);
}

/* ROOT/REL (ROOT with or without its last '/') into BUF. */
static void under_root(char *buf, size_t len, const char *root, const char *rel)
{
	snprintf(buf, len, "%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", rel);
}

/* Debian's cron creates /run/crond.reboot when it runs the @reboot entries
 * of a boot (cronie /run/cron.reboot). If it did for this boot, crond must
 * not run them a second time when it takes over: it records this boot as
 * done, as its own start-up does after running them
 * (crond/sched/startup.c, meta "reboot_boot_id"). */
static void import_reboot_state(struct spool *sp, const char *root, struct import_report *r)
{
	char path[CONFIG_PATH_MAX + 32], id[64] = "", last[64] = "";
	struct stat st;
	const char *who = "Debian's cron";
	under_root(path, sizeof path, root, "run/crond.reboot");
	if (stat(path, &st) != 0) {
		who = "cronie";
		under_root(path, sizeof path, root, "run/cron.reboot");
		if (stat(path, &st) != 0)
			return;
	}
	int fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, id, sizeof id - 1) : -1;
	if (fd >= 0)
		(void)close(fd);
	id[n > 0 ? n : 0] = '\0';
	id[strcspn(id, "\n")] = '\0';
	struct spool_err e;
	if (id[0] == '\0' || (spool_meta_get(sp, REBOOT_META, last, sizeof last, &e) == SPOOL_OK &&
	                      strcmp(last, id) == 0))
		return;
	if (spool_meta_set(sp, REBOOT_META, id, &e) != SPOOL_OK)
		import_report_add(r, IMPORT_REFUSED, NULL, "@reboot", "%s", e.msg);
	else
		import_report_add(r, IMPORT_DONE, NULL, "@reboot", "%s ran this boot's @reboot"
		                  " entries (%s): crond runs them from the next boot on", who, path);
}

int import_debian_run(const struct config *cfg, const char *root, int64_t now)
{
	if (root == NULL || root[0] == '\0')
		root = "/";
	char source[CONFIG_PATH_MAX + 32];
	under_root(source, sizeof source, root, "var/spool/cron");
	int spoolfd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (spoolfd < 0) {
		fprintf(stderr, "crond: --import-debian: cannot open %s: %s\n", source,
		        strerror(errno));
		return 1;
	}
	char err[1024];
	pid_t other = 0;
	int lockfd = pidfile_acquire(cfg->pidfile, &other, err, sizeof err);
	if (lockfd < 0) {
		fprintf(stderr, "crond: --import-debian: %s%s\n", err,
		        other > 0 ? ": stop crond first, then import" : "");
		(void)close(spoolfd);
		return 1;
	}
	struct spool *sp = NULL;
	struct spool_err e;
	if (spool_open(cfg->spool, SPOOL_CREATE, &sp, &e) != SPOOL_OK) {
		fprintf(stderr, "crond: --import-debian: %s\n", e.msg);
		pidfile_release(cfg->pidfile, lockfd);
		(void)close(spoolfd);
		return 1;
	}
	struct import_report r = { 0 };
	import_dir(sp, spoolfd, "crontabs", "crontabs", false, import_crontab_file, by_name, now,
	           &r);
	import_dir(sp, spoolfd, ".", "cron", true, import_crontab_file, by_name, now, &r);
	if (r.count[IMPORT_DONE] > 0)
		import_reboot_state(sp, root, &r);
	import_dir(sp, spoolfd, "atjobs", "atjobs", false, import_at_file, by_job_number, now, &r);
	char at_spool[CONFIG_PATH_MAX + 32];
	under_root(at_spool, sizeof at_spool, root, "var/spool/at");
	int atfd = open(at_spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (atfd >= 0) {
		import_dir(sp, atfd, ".", "at", true, import_at_file, by_job_number, now, &r);
		(void)close(atfd);
	}
	import_report_finish(&r, source, stdout);
	int status = r.count[IMPORT_REFUSED] > 0 ? 1 : 0;
	import_report_free(&r);
	spool_close(sp);
	pidfile_release(cfg->pidfile, lockfd);
	(void)close(spoolfd);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
