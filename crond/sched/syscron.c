/* crond/sched/syscron.c: system crontabs (see syscron.h). */
#include "crond/sched/syscron.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/log.h"
#include "crond/sched/syscron_load.h"
#include "lib/parallel.h"

struct known_file {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	struct timespec link_ctime;  /* the symbolic link's own, when LINK */
	bool stamped;       /* the fields above hold what was last read */
	bool seen;          /* found in the current scan */
	bool loaded;        /* a version is in the scheduler */
	bool link;          /* the name is a symbolic link */
	bool dangling;      /* ... to nothing (logged once) */
};

struct syscron {
	int ifd;
	int wd_crontab_parent;  /* the system crontab's directory (/etc) */
	int wd_dir;             /* cron.d itself, or -1 while it is missing */
	int wd_dir_parent;      /* cron.d's directory, when not /etc */
	struct known_file *files;
	size_t n_files;
	size_t cursor;          /* where known() looks first: after the last found */
	char watched_crontab_name[NAME_MAX + 1];
	char watched_dir_name[NAME_MAX + 1];
	char **ignored;         /* names in cron.d not read, as logged (once) */
	size_t n_ignored;
};

struct syscron *syscron_new(void)
{
	struct syscron *sc = calloc(1, sizeof(*sc));
	if (sc) {
		sc->ifd = -1;
		sc->wd_crontab_parent = sc->wd_dir = sc->wd_dir_parent = -1;
	}
	return sc;
}

void syscron_free(struct syscron *sc)
{
	if (!sc)
		return;
	if (sc->ifd >= 0)
		close(sc->ifd);
	for (size_t i = 0; i < sc->n_files; i++)
		free(sc->files[i].path);
	free(sc->files);
	for (size_t i = 0; i < sc->n_ignored; i++)
		free(sc->ignored[i]);
	free(sc->ignored);
	free(sc);
}

bool syscron_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

/* A name in cron.d that syscron_name_ok refuses and that is worth saying
 * so: not hidden (".", "..", ".swp" files and the like). */
static bool ignored_visibly(const char *name)
{
	return name[0] != '.' && !syscron_name_ok(name);
}

#define IGNORED_WHY "only names made of letters, digits, '_' and '-' are read, as by " \
	"Debian's cron and run-parts"

/* Splits PATH into its directory (into DIR) and its last name (into NAME,
 * "" when too long). */
static void split_path(const char *path, char *dir, size_t dirlen, char *name, size_t namelen)
{
	snprintf(dir, dirlen, "%s", path);
	char *slash = strrchr(dir, '/');
	int n = snprintf(name, namelen, "%s", slash ? slash + 1 : dir);
	if (n < 0 || (size_t)n >= namelen)
		name[0] = '\0';
	if (!slash)
		snprintf(dir, dirlen, ".");
	else
		*(slash == dir ? slash + 1 : slash) = '\0';
}

static int add_watch(int ifd, const char *dir)
{
	const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
	                      IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
	int wd = inotify_add_watch(ifd, dir, mask);
	if (wd < 0 && errno != ENOENT)
		log_msg(LOG_WARNING, "cannot watch %s: %s", dir, strerror(errno));
	return wd;
}

int syscron_watch(struct syscron *sc, const struct config *cfg)
{
	if (sc->ifd >= 0)
		close(sc->ifd);
	sc->wd_crontab_parent = sc->wd_dir = sc->wd_dir_parent = -1;
	sc->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sc->ifd < 0) {
		log_msg(LOG_WARNING, "inotify unavailable (%s): system crontabs reload on SIGHUP only",
		        strerror(errno));
		return -1;
	}
	char tab_parent[CONFIG_PATH_MAX], dir_parent[CONFIG_PATH_MAX];
	split_path(cfg->system_crontab, tab_parent, sizeof(tab_parent), sc->watched_crontab_name,
	           sizeof(sc->watched_crontab_name));
	split_path(cfg->system_crontab_dir, dir_parent, sizeof(dir_parent), sc->watched_dir_name,
	           sizeof(sc->watched_dir_name));
	/* The parents too: an editor renames its new /etc/crontab into place,
	 * and cron.d may be made, removed or replaced while crond runs (a
	 * watch on a directory ends with it). inotify gives the same watch for
	 * the same directory, so one parent of both is watched once. */
	sc->wd_crontab_parent = add_watch(sc->ifd, tab_parent);
	sc->wd_dir_parent = add_watch(sc->ifd, dir_parent);
	sc->wd_dir = add_watch(sc->ifd, cfg->system_crontab_dir);
	return sc->ifd;
}

enum syscron_news syscron_drain(struct syscron *sc)
{
	if (sc->ifd < 0)
		return SYSCRON_NONE;
	enum syscron_news news = SYSCRON_NONE;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(sc->ifd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			p += sizeof(*ev) + ev->len;
			bool in_dir = ev->wd == sc->wd_dir && sc->wd_dir >= 0;
			bool named = ev->len > 0;
			if (ev->mask & IN_Q_OVERFLOW) {
				news = SYSCRON_REWATCH;   /* events were lost: look again */
			} else if (in_dir && !named) {
				/* cron.d itself removed, moved or unmounted (IN_IGNORED
				 * ends every watch): watch what is there now. */
				if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
					news = SYSCRON_REWATCH;
			} else if (in_dir) {
				/* A new name that is not read is looked at too, to
				 * say so once (syscron_reload). */
				if ((syscron_name_ok(ev->name) ||
				     ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && ignored_visibly(ev->name))) &&
				    news == SYSCRON_NONE)
					news = SYSCRON_CHANGED;
			} else if (named && (ev->wd == sc->wd_dir_parent || ev->wd == sc->wd_crontab_parent)) {
				/* In /etc, only the two names count; the rest is noise. */
				if (ev->wd == sc->wd_dir_parent && sc->watched_dir_name[0] &&
				    strcmp(ev->name, sc->watched_dir_name) == 0)
					news = SYSCRON_REWATCH;
				else if (ev->wd == sc->wd_crontab_parent && sc->watched_crontab_name[0] &&
				         strcmp(ev->name, sc->watched_crontab_name) == 0 &&
				         news == SYSCRON_NONE)
					news = SYSCRON_CHANGED;
			}
		}
	}
	return news;
}

bool syscron_follows_links(const struct syscron *sc)
{
	for (size_t i = 0; i < sc->n_files; i++)
		if (sc->files[i].link)
			return true;
	return false;
}

/* Why a file must not be trusted (Debian's cron: "INSECURE MODE",
 * "WRONG FILE OWNER", "BAD LINK COUNT"), or NULL. A second hard link is a
 * name elsewhere, perhaps in a directory others may write, through which
 * the file may change or be kept after it is removed from here. */
const char *syscron_unsafe_reason(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != geteuid())
		return "not owned by root";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	if (st->st_nlink != 1)
		return "has more than one hard link";
	return NULL;
}

/* The record of PATH, made if new (NULL past SYSCRON_MAX_FILES or out of
 * memory). A scan meets the files in the directory's order, which holds
 * from one scan to the next, so the search starts after the last one found
 * and mostly ends at once: a scan of N files costs N, not N * N / 2 (at
 * 10,000 files, 60 ms of CPU a look against 680 ms on this VM, most of the
 * 60 in each file's lstat). */
static struct known_file *known(struct syscron *sc, const char *path)
{
	for (size_t k = 0; k < sc->n_files; k++) {
		size_t i = (sc->cursor + k) % sc->n_files;
		if (strcmp(sc->files[i].path, path) == 0) {
			sc->cursor = i + 1;
			return &sc->files[i];
		}
	}
	if (sc->n_files >= SYSCRON_MAX_FILES)
		return NULL;
	struct known_file *n = realloc(sc->files, (sc->n_files + 1) * sizeof(*n));
	if (!n)
		return NULL;
	sc->files = n;
	struct known_file *k = &sc->files[sc->n_files];
	*k = (struct known_file){ .path = strdup(path) };
	if (!k->path)
		return NULL;
	sc->n_files++;
	return k;
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Whether the file (ST, reached through LST, the name's own status) is not
 * as it was last read: another file, or written, or its mode or owner
 * changed; or, for a symbolic link, the link replaced or given away. */
static bool changed(const struct known_file *k, const struct stat *lst, const struct stat *st)
{
	return !k->stamped || k->dev != st->st_dev || k->ino != st->st_ino ||
	       k->size != st->st_size || !same_time(k->mtime, st->st_mtim) ||
	       !same_time(k->ctime, st->st_ctim) || k->link != S_ISLNK(lst->st_mode) ||
	       (k->link && !same_time(k->link_ctime, lst->st_ctim));
}

/* K's entries stop: its file is gone (or is a link to nothing now). */
static void forget(struct known_file *k, struct scheduler *sched)
{
	if (k->loaded && scheduler_remove_source(sched, k->path))
		log_msg(LOG_INFO, "(*system*) DELETE (%s)", k->path);
	k->loaded = false;
}

/* A file to read, and what reading it found. */
struct pending {
	size_t file;            /* its record: syscron.files[file] */
	const char *path;       /* the record's path */
	struct syscron_loaded loaded;
};

struct reload_ctx {
	struct syscron *sc;
	struct scheduler *sched;
	int64_t now;
	bool force;
	char **ignored;          /* this scan's ignored names (paths) */
	size_t n_ignored, cap_ignored;
	struct pending *pending; /* the window: files to read, in order */
	size_t n_pending, cap_pending;
	off_t pending_bytes;     /* their sizes */
	off_t pending_largest;   /* the largest of them */
};

/* How many bytes of files are read before what they hold is scheduled: a
 * bound on what a reload holds twice (the old and the new crontabs). */
#define RELOAD_WINDOW_BYTES (4 * 1024 * 1024)

/* Schedules what reading P found (its problems logged first). */
static void apply_one(struct reload_ctx *r, struct pending *p)
{
	struct known_file *k = &r->sc->files[p->file];
	struct syscron_loaded *l = &p->loaded;
	syscron_load_report(p->path, false, l);
	if (l->result == SYSCRON_LOAD_UNSAFE && k->loaded) {
		/* As Debian's cron: the file is dropped, not kept in its last
		 * version. A chmod or chown that makes it safe again is an inotify
		 * event (IN_ATTRIB) like any change: it is read again then. */
		k->loaded = false;
		if (scheduler_remove_source(r->sched, p->path))
			log_msg(LOG_ERR, "(*system*) DISABLE (%s, %s: its entries do not run until "
			        "it is fixed)", p->path, l->ignored);
		return;
	}
	if (l->result != SYSCRON_LOAD_OK) {
		if (k->loaded)
			log_msg(LOG_WARNING, "system crontab %s: keeping the last good version",
			        p->path);
		return;
	}
	size_t n = l->tab.n_entries;
	char err[256];
	if (scheduler_set_source(r->sched, p->path, SOURCE_SYSTEM, NULL, &l->tab, r->now, err,
	                         sizeof(err)) < 0) {
		log_msg(LOG_ERR, "system crontab %s: %s", p->path, err);
		return;
	}
	k->loaded = true;
	log_msg(LOG_INFO, "(*system*) RELOAD (%s, %zu entries)", p->path, n);
}

static void load_pending(size_t i, void *ctx)
{
	struct pending *p = &((struct reload_ctx *)ctx)->pending[i];
	syscron_load(p->path, false, &p->loaded);
}

static void apply_pending(size_t i, void *ctx)
{
	struct reload_ctx *r = ctx;
	apply_one(r, &r->pending[i]);
}

/* Reads the window's files (on the machine's CPUs, when they are large
 * enough to pay for it) and schedules each, in order, once it is read: the
 * files after it are read meanwhile. */
static void flush_window(struct reload_ctx *r)
{
	parallel_for(r->n_pending,
	             parallel_threads_for((size_t)r->pending_bytes, (size_t)r->pending_largest),
	             load_pending, apply_pending, r);
	r->n_pending = 0;
	r->pending_bytes = r->pending_largest = 0;
}

/* Queues file FILE (SIZE bytes) to be read in the window. */
static void queue_load(struct reload_ctx *r, size_t file, off_t size)
{
	if (r->n_pending == r->cap_pending) {
		size_t ncap = r->cap_pending ? 2 * r->cap_pending : 16;
		struct pending *n = realloc(r->pending, ncap * sizeof(*n));
		if (n) {
			r->pending = n;
			r->cap_pending = ncap;
		} else if (r->n_pending) {
			flush_window(r);      /* room again */
		} else {
			struct pending one = { file, r->sc->files[file].path, { 0 } };
			syscron_load(one.path, false, &one.loaded);
			apply_one(r, &one);
			return;
		}
	}
	r->pending[r->n_pending++] = (struct pending){ file, r->sc->files[file].path, { 0 } };
	r->pending_bytes += size;
	if (size > r->pending_largest)
		r->pending_largest = size;
	if (r->pending_bytes >= RELOAD_WINDOW_BYTES)
		flush_window(r);
}

/* Looks at PATH: forgets it if it is a link to nothing now, else queues
 * it to be read when it changed (or R->force). */
static void reload_one(struct reload_ctx *r, const char *path)
{
	struct stat lst, st;
	if (lstat(path, &lst) < 0)
		return;  /* vanished: removed in the sweep */
	struct known_file *k = known(r->sc, path);
	if (!k) {
		log_msg(LOG_ERR, "system crontab %s ignored: too many files", path);
		return;
	}
	k->seen = true;
	k->link = S_ISLNK(lst.st_mode);
	if (!k->link)
		st = lst;           /* no second look for what is not a link */
	else if (stat(path, &st) < 0) {
		/* Debian's cron: "CAN'T OPEN SYMLINK". Said once, not at every
		 * look; crond looks again each minute (syscron_follows_links). */
		if (!k->dangling)
			log_msg(LOG_ERR, "system crontab %s ignored: %s", path,
			        SYSCRON_DANGLING_REASON);
		k->dangling = true;
		k->stamped = false;
		forget(k, r->sched);
		return;
	}
	k->dangling = false;
	/* Read again only what changed: a file that did not parse is not read
	 * (and its errors logged) again until it does. */
	if (!r->force && !changed(k, &lst, &st))
		return;
	k->stamped = true;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	k->size = st.st_size;
	k->mtime = st.st_mtim;
	k->ctime = st.st_ctim;
	k->link_ctime = lst.st_ctim;
	queue_load(r, (size_t)(k - r->sc->files), st.st_size);
}

/* syscron_each_in_dir, also calling SKIPPED (when not NULL) with the path
 * of each name not read that ignored_visibly. */
static int each_in_dir(const char *dir, int (*fn)(const char *path, void *ctx),
                       void (*skipped)(const char *path, void *ctx), void *ctx)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		bool read = syscron_name_ok(de->d_name);
		if (!read && !(skipped && ignored_visibly(de->d_name)))
			continue;
		char path[CONFIG_PATH_MAX + NAME_MAX + 2];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (read)
			rc = fn(path, ctx);
		else
			skipped(path, ctx);
	}
	closedir(d);
	return rc;
}

int syscron_each_in_dir(const char *dir, int (*fn)(const char *path, void *ctx), void *ctx)
{
	return each_in_dir(dir, fn, NULL, ctx);
}

/* Calls FN for the system crontab and for every file of cron.d whose name
 * run-parts would accept, and SKIPPED (or not, when NULL) for the others
 * (each_in_dir). */
static void each_file(const struct config *cfg, int (*fn)(const char *path, void *ctx),
                      void (*skipped)(const char *path, void *ctx), void *ctx)
{
	(void)fn(cfg->system_crontab, ctx);
	(void)each_in_dir(cfg->system_crontab_dir, fn, skipped, ctx);
}

static int reload_path(const char *path, void *ctx)
{
	reload_one(ctx, path);
	return 0;
}

/* PATH is in cron.d but not read: logged unless the last scan logged it. */
static void reload_skipped(const char *path, void *ctx)
{
	struct reload_ctx *r = ctx;
	bool said = false;
	for (size_t i = 0; i < r->sc->n_ignored && !said; i++)
		said = strcmp(r->sc->ignored[i], path) == 0;
	if (!said)
		log_msg(LOG_NOTICE, "system crontab %s ignored: " IGNORED_WHY, path);
	if (r->n_ignored == r->cap_ignored) {
		size_t ncap = r->cap_ignored ? 2 * r->cap_ignored : 8;
		char **n = realloc(r->ignored, ncap * sizeof(*n));
		if (!n)
			return;   /* said again at the next scan: no harm */
		r->ignored = n;
		r->cap_ignored = ncap;
	}
	char *copy = strdup(path);
	if (copy)
		r->ignored[r->n_ignored++] = copy;
}

void syscron_reload(struct syscron *sc, const struct config *cfg, struct scheduler *sched,
                    int64_t now, bool force)
{
	for (size_t i = 0; i < sc->n_files; i++)
		sc->files[i].seen = false;
	struct reload_ctx ctx = { .sc = sc, .sched = sched, .now = now, .force = force };
	each_file(cfg, reload_path, reload_skipped, &ctx);
	flush_window(&ctx);
	free(ctx.pending);
	for (size_t i = 0; i < sc->n_ignored; i++)
		free(sc->ignored[i]);
	free(sc->ignored);
	sc->ignored = ctx.ignored;   /* a name gone is said again if it comes back */
	sc->n_ignored = ctx.n_ignored;
	for (size_t i = 0; i < sc->n_files;) {
		struct known_file *k = &sc->files[i];
		if (k->seen) {
			i++;
			continue;
		}
		forget(k, sched);
		free(k->path);
		sc->files[i] = sc->files[--sc->n_files];
	}
}

/* Whether an entry before I of TAB names USER. */
static bool named_before(const struct crontab *tab, size_t i, const char *user)
{
	for (size_t k = 0; k < i; k++)
		if (tab->entries[k].user && strcmp(tab->entries[k].user, user) == 0)
			return true;
	return false;
}

/* crond -x: a line whose user does not exist is loaded (its runs FAIL), so
 * it is a warning, not an error; Debian's cron would have dropped the whole
 * file. Each such user is named once per file. A user is looked up when it
 * differs from the line before's (a file's lines are mostly one user's);
 * only an unknown one is searched for among the lines before. */
static void warn_unknown_users(const char *path, const struct crontab *tab)
{
	const char *prev = NULL;
	for (size_t i = 0; i < tab->n_entries; i++) {
		const char *user = tab->entries[i].user;
		if (!user || (prev && strcmp(prev, user) == 0))
			continue;
		prev = user;
		struct passwd pw, *found = NULL;
		char buf[4096];
		if (getpwnam_r(user, &pw, buf, sizeof(buf), &found) != 0 || found != NULL ||
		    named_before(tab, i, user))
			continue;
		fprintf(stderr, "crond: %s:%u: warning: no user '%s': its lines fail each time they "
		        "are due\n", path, tab->entries[i].line, user);
	}
}

static int check_path(const char *path, void *ctx)
{
	struct stat lst;
	if (lstat(path, &lst) < 0 && errno == ENOENT)
		return 0;   /* no /etc/crontab is fine (a link to nothing is not) */
	struct syscron_loaded l;
	syscron_load(path, true, &l);
	syscron_load_report(path, true, &l);
	if (l.result != SYSCRON_LOAD_OK) {
		(*(int *)ctx)++;
	} else {
		warn_unknown_users(path, &l.tab);
		crontab_free(&l.tab);
	}
	return 0;
}

static void check_skipped(const char *path, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "crond: %s: warning: ignored: " IGNORED_WHY "\n", path);
}

int syscron_check(const struct config *cfg)
{
	int errors = 0;
	each_file(cfg, check_path, check_skipped, &errors);
	return errors;
}
