/* crond/sched/syscron.h: the system crontabs: /etc/crontab and /etc/cron.d/\*.
 *
 * DESIGN: used by one thread: the main thread while crond starts, then the
 * timer thread (and `crond -x` before any thread exists). A reload reads
 * the files it must read in windows of 4 MiB; when a window holds more
 * than 256 KiB besides its largest file, short-lived helper threads read
 * and parse files of it beside the caller (lib/parallel.h; they run only
 * syscron_load, which touches nothing shared), and the caller schedules
 * and logs each file in the directory's order as soon as it is read.
 * Watches both places with inotify (the directory of the system
 * crontab, so an editor's rename is seen; the cron.d directory; and cron.d's
 * own directory, so that a cron.d made, removed or replaced while crond
 * runs is watched again), and on a change re-reads what changed. A file in
 * cron.d counts when its name is one run-parts accepts (letters, digits, '_'
 * and '-': so dotfiles, editor backups "x~", "x.bak" and package leftovers
 * "x.dpkg-old" are ignored), it is a regular file (a symbolic link to one is
 * followed when the link, too, is root's, as Debian's cron requires),
 * owned by the daemon's user (root) and not writable by group or others. A
 * link's target may change where no watch sees it, so while one is read
 * the timer looks again each minute (syscron_follows_links). A file that fails to
 * parse (or cannot be read, or is over 1 MiB) is logged with every error,
 * file:line:col, and its last good version stays in force. A file that
 * becomes unsafe (type, owner, mode: checked on the open file before a byte
 * is read) is dropped instead, as Debian's cron drops it: its entries stop
 * (scheduler_remove_source; "(*system*) DISABLE (PATH, why: ...)" logged),
 * and it is read again when a change (a chmod or chown is one: IN_ATTRIB)
 * finds it safe.
 */
#ifndef CROND_SYSCRON_H
#define CROND_SYSCRON_H

#include <stdbool.h>
#include <stdint.h>

#include "crond/sched/scheduler.h"
#include "lib/config.h"

#define SYSCRON_MAX_FILES 10000

struct syscron;

struct syscron *syscron_new(void);
void syscron_free(struct syscron *sc);

/* (Re)starts watching the places CFG names. Returns the inotify descriptor
 * to poll (non-blocking, close-on-exec), or -1 if inotify is unavailable
 * (then only SIGHUP reloads: logged). */
int syscron_watch(struct syscron *sc, const struct config *cfg);

/* What the pending inotify events say. */
enum syscron_news {
	SYSCRON_NONE,      /* nothing about the system crontabs */
	SYSCRON_CHANGED,   /* a system crontab changed: reload */
	SYSCRON_REWATCH,   /* cron.d was made, removed or replaced, or events were
	                      lost: syscron_watch again, then reload */
};

/* Reads the pending inotify events and says what they mean. */
enum syscron_news syscron_drain(struct syscron *sc);

/* Whether a system crontab is read through a symbolic link (dangling ones
 * included). inotify sees a change to a link's target only when the target
 * lies in a watched directory, so while this is true the caller reloads
 * (not forced) once a minute, as Debian's cron looks at every file each
 * minute; otherwise crond never wakes for the system crontabs. */
bool syscron_follows_links(const struct syscron *sc);

/* Re-reads the system crontabs (all when FORCE, else only files whose size,
 * mtime, inode or ctime changed, or whose symbolic link was replaced) and
 * updates the scheduler's sources; vanished files are removed. Problems are
 * logged; a file that did not parse is read again only when it changes. */
void syscron_reload(struct syscron *sc, const struct config *cfg, struct scheduler *sched,
                    int64_t now, bool force);

/* For `crond -x`: checks every system crontab and prints each problem to
 * stderr as "crond: FILE:LINE:COL: message". Returns the number of errors. */
int syscron_check(const struct config *cfg);

/* Is NAME a file name crond reads in cron.d? */
bool syscron_name_ok(const char *name);

struct stat;
/* Why a system crontab with the status ST must not be trusted (not a
 * regular file, not root's, writable by group or others, more than one
 * hard link: Debian's cron's rules), or NULL. */
const char *syscron_unsafe_reason(const struct stat *st);

/* Calls FN with the path of each file of DIR (cron.d) whose name
 * syscron_name_ok accepts, in directory order, until FN returns nonzero;
 * returns that value, or 0 (also when DIR cannot be opened). */
int syscron_each_in_dir(const char *dir, int (*fn)(const char *path, void *ctx), void *ctx);

#endif
