/* crontab-cli/edit_file.h: the private temp file `crontab -e` edits, and
 * the editor.
 *
 * The file lives alone in a fresh directory made by mkdtemp (mode 0700)
 * under $TMPDIR (if absolute) or /tmp: "/tmp/crontab.XXXXXX/crontab",
 * created O_EXCL|O_NOFOLLOW with mode 0600, so no other user can read it,
 * pre-create it or redirect it with a symbolic link. The directory stays
 * open; the file is reopened relative to it after each edit (editors often
 * replace the file by renaming a new one over it), and must still be a
 * regular file owned by the caller, in a directory that was not swapped.
 *
 * The editor is $VISUAL, else $EDITOR, else (as Debian's crontab)
 * EDIT_SENSIBLE_EDITOR, which honours select-editor; where that is not
 * executable, EDIT_SYSTEM_EDITOR, then EDIT_LAST_EDITOR from PATH. It runs
 * as /bin/sh -c 'EDITOR "$1"' sh FILE (so "emacs -nw" works), as the caller
 * (this program has no other rights), with descriptors 0-2 only.
 *
 * Every function prints its own errors ("crontab: ...").
 */
#ifndef CROND_CRONTAB_CLI_EDIT_FILE_H
#define CROND_CRONTAB_CLI_EDIT_FILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define EDIT_SENSIBLE_EDITOR "/usr/bin/sensible-editor"
#define EDIT_SYSTEM_EDITOR "/usr/bin/editor"
#define EDIT_LAST_EDITOR "vi"

struct edit_file {
	char dir[PATH_MAX];     /* the private directory */
	char path[PATH_MAX + 16];  /* the file in it */
	int dirfd;              /* the directory, open; -1 when closed */
	dev_t dev;              /* the directory's identity */
	ino_t ino;
};

/* Makes the private directory and the file holding TEXT[0..LEN). 0 or -1
 * (nothing left behind). */
int edit_file_create(struct edit_file *ef, const char *text, size_t len);

/* Runs the editor on the file and waits (ignoring SIGINT and SIGQUIT
 * meanwhile, as system() does, so Ctrl-C in the editor does not kill us).
 * 0 when it exited with status 0; -1 otherwise (printed). */
int edit_file_run_editor(const struct edit_file *ef);

/* Reads the file back (at most MAX bytes) into a new NUL-terminated
 * buffer. -1 (printed) if it is gone, is no longer a regular file owned by
 * the caller, is too large, or the directory was replaced. */
int edit_file_read(const struct edit_file *ef, size_t max, char **text, size_t *len);

/* Removes everything in the private directory, then the directory. */
void edit_file_remove(struct edit_file *ef);

/* Leaves the file in place (the user's edits) and closes the directory. */
void edit_file_keep(struct edit_file *ef);

#endif
