/* crontab-cli/edit_file.c: the private temp file and the editor (see
 * edit_file.h).
 */
#include "crontab-cli/edit_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EDIT_FILE_NAME "crontab"

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Whether no one but us and root can change REAL (a path with no link
 * in it): every directory from / down to it is ours or root's, and one
 * that others may write to is sticky. Else someone could move our private
 * directory away and put theirs in its place, with a link where the
 * editor writes (review: root's `crontab -u USER -e` with TMPDIR in the
 * user's home wrote through the user's link). */
static bool only_ours(char *real)
{
	uid_t me = geteuid();
	for (size_t i = 1;; i++) {
		if (real[i] != '/' && real[i] != '\0')
			continue;
		char c = real[i];
		real[i] = '\0';
		struct stat st;
		bool ok = stat(i == 1 && c == '\0' ? "/" : real, &st) == 0 && S_ISDIR(st.st_mode) &&
		          (st.st_uid == 0 || st.st_uid == me) &&
		          (!(st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_mode & S_ISVTX));
		real[i] = c;
		if (!ok)
			return false;
		if (c == '\0')
			return true;
	}
}

/* Where the private directory goes, into BUF (PATH_MAX bytes): $TMPDIR
 * with its links resolved, when it is an absolute path to a directory
 * that only we and root can change, else /tmp (with a warning when TMPDIR
 * was set). The resolved path is the one used from then on: a link in
 * TMPDIR is someone's to point elsewhere after the check. */
static const char *temp_base(char *buf)
{
	const char *t = getenv("TMPDIR");
	if (!t || t[0] != '/')
		return "/tmp";
	if (!realpath(t, buf)) {
		fprintf(stderr, "crontab: not using TMPDIR %s: %s; using /tmp\n", t, strerror(errno));
		return "/tmp";
	}
	if (!only_ours(buf)) {
		fprintf(stderr, "crontab: not using TMPDIR %s: someone other than you or root could"
		        " change it; using /tmp\n", t);
		return "/tmp";
	}
	return buf;
}

/* mkdtemp, then open the directory and check it is ours and private. */
static int make_dir(struct edit_file *ef)
{
	char resolved[PATH_MAX];
	const char *base = temp_base(resolved);
	int n = snprintf(ef->dir, sizeof(ef->dir), "%s/crontab.XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(ef->dir) - sizeof("/" EDIT_FILE_NAME)) {
		fprintf(stderr, "crontab: the temporary directory path (TMPDIR) is too long\n");
		return -1;
	}
	if (!mkdtemp(ef->dir)) {
		fprintf(stderr, "crontab: cannot create a private directory in %s: %s\n", base,
		        strerror(errno));
		return -1;
	}
	snprintf(ef->path, sizeof(ef->path), "%s/%s", ef->dir, EDIT_FILE_NAME);
	ef->dirfd = open(ef->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (ef->dirfd < 0 || fstat(ef->dirfd, &st) < 0) {
		fprintf(stderr, "crontab: %s: %s\n", ef->dir, strerror(errno));
		if (ef->dirfd >= 0)
			close(ef->dirfd);
		(void)rmdir(ef->dir);
		return -1;
	}
	ef->dev = st.st_dev;
	ef->ino = st.st_ino;
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		fprintf(stderr, "crontab: %s: not a private directory\n", ef->dir);
		close(ef->dirfd);
		ef->dirfd = -1;
		(void)rmdir(ef->dir);
		return -1;
	}
	return 0;
}

int edit_file_create(struct edit_file *ef, const char *text, size_t len)
{
	memset(ef, 0, sizeof(*ef));
	ef->dirfd = -1;
	if (make_dir(ef) < 0)
		return -1;
	int fd = openat(ef->dirfd, EDIT_FILE_NAME,
	                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, len) < 0) {
		fprintf(stderr, "crontab: %s: %s\n", ef->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		edit_file_remove(ef);
		return -1;
	}
	if (close(fd) < 0) {
		fprintf(stderr, "crontab: %s: %s\n", ef->path, strerror(errno));
		edit_file_remove(ef);
		return -1;
	}
	return 0;
}

/* The editors tried, in order, when neither VISUAL nor EDITOR is set:
 * Debian's crontab runs sensible-editor (which honours select-editor's
 * choice, then EDITOR, editor, nano, vi); where it is missing, the system's
 * default editor link, then vi from PATH. */
static const char *const default_editors[] = { EDIT_SENSIBLE_EDITOR, EDIT_SYSTEM_EDITOR };

/* $VISUAL, else $EDITOR (empty values count as unset), else the first of
 * default_editors that we may execute, else vi. */
static const char *editor_name(void)
{
	const char *e = getenv("VISUAL");
	if (!e || !*e)
		e = getenv("EDITOR");
	if (e && *e)
		return e;
	for (size_t i = 0; i < sizeof(default_editors) / sizeof(default_editors[0]); i++) {
		if (access(default_editors[i], X_OK) == 0)
			return default_editors[i];
	}
	return EDIT_LAST_EDITOR;
}

/* In the child: only async-signal-safe calls, then exec. */
static void exec_editor(const char *cmd, const char *path, int max_fd)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	(void)sigaction(SIGINT, &dfl, NULL);
	(void)sigaction(SIGQUIT, &dfl, NULL);
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < max_fd; fd++)
			(void)close(fd);
	execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
	_exit(127);
}

/* Waits for PID, retrying on EINTR. */
static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int edit_file_run_editor(const struct edit_file *ef)
{
	const char *editor = editor_name();
	size_t n = strlen(editor) + sizeof(" \"$1\"");
	char *cmd = malloc(n);
	if (!cmd) {
		fprintf(stderr, "crontab: out of memory\n");
		return -1;
	}
	snprintf(cmd, n, "%s \"$1\"", editor);
	long open_max = sysconf(_SC_OPEN_MAX);
	int max_fd = open_max > 0 && open_max < 65536 ? (int)open_max : 65536;
	struct sigaction ign, old_int, old_quit;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigaction(SIGINT, &ign, &old_int);
	(void)sigaction(SIGQUIT, &ign, &old_quit);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		exec_editor(cmd, ef->path, max_fd);
	int status = 0, rc = -1;
	if (pid < 0)
		fprintf(stderr, "crontab: cannot start the editor: %s\n", strerror(errno));
	else if (wait_child(pid, &status) < 0)
		fprintf(stderr, "crontab: waiting for the editor: %s\n", strerror(errno));
	else if (WIFSIGNALED(status))   /* Debian's words */
		fprintf(stderr, "crontab: \"%s\" killed; signal %d%s\n", editor, WTERMSIG(status),
		        WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WEXITSTATUS(status) != 0)
		fprintf(stderr, "crontab: \"%s\" exited with status %d\n", editor,
		        WEXITSTATUS(status));
	else
		rc = 0;
	(void)sigaction(SIGINT, &old_int, NULL);
	(void)sigaction(SIGQUIT, &old_quit, NULL);
	free(cmd);
	return rc;
}

/* Reads FD (at most MAX bytes, else EFBIG) into a new buffer. */
static int read_fd(int fd, size_t max, char **text, size_t *len)
{
	char *b = malloc(max + 2);
	size_t n = 0;
	if (!b)
		return -1;
	for (;;) {
		ssize_t r = read(fd, b + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -1;
		}
		if (r == 0 || (n += (size_t)r) > max)
			break;
	}
	if (n > max) {
		free(b);
		errno = EFBIG;
		return -1;
	}
	b[n] = '\0';
	*text = b;
	*len = n;
	return 0;
}

/* Is the private directory still the one we made (not renamed away and
 * replaced)? */
static bool same_dir(const struct edit_file *ef)
{
	struct stat st;
	return lstat(ef->dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == ef->dev &&
	       st.st_ino == ef->ino;
}

int edit_file_read(const struct edit_file *ef, size_t max, char **text, size_t *len)
{
	if (!same_dir(ef)) {
		fprintf(stderr, "crontab: %s: the private directory was moved or replaced\n",
		        ef->dir);
		return -1;
	}
	int fd = openat(ef->dirfd, EDIT_FILE_NAME,
	                O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 && errno == ELOOP) {
		fprintf(stderr, "crontab: %s: now a symbolic link; not following it\n", ef->path);
		return -1;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "crontab: %s: %s\n", ef->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	const char *bad = !S_ISREG(st.st_mode) ? "no longer a regular file"
	                  : st.st_uid != geteuid() ? "no longer owned by you"
	                  : (uintmax_t)st.st_size > max ? "larger than a crontab may be"
	                  : NULL;
	if (bad) {
		fprintf(stderr, "crontab: %s: %s\n", ef->path, bad);
		close(fd);
		return -1;
	}
	int rc = read_fd(fd, max, text, len);
	if (rc < 0)
		fprintf(stderr, "crontab: %s: %s\n", ef->path,
		        errno == EFBIG ? "larger than a crontab may be" : strerror(errno));
	close(fd);
	return rc;
}

void edit_file_remove(struct edit_file *ef)
{
	if (ef->dirfd < 0)
		return;
	/* Editors leave backups and swap files next to the file: remove them
	 * all (the directory is ours alone), then the directory. */
	int fd = fcntl(ef->dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				(void)unlinkat(ef->dirfd, e->d_name, 0);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	if (same_dir(ef) && rmdir(ef->dir) < 0)
		fprintf(stderr, "crontab: cannot remove %s: %s\n", ef->dir, strerror(errno));
	close(ef->dirfd);
	ef->dirfd = -1;
}

void edit_file_keep(struct edit_file *ef)
{
	if (ef->dirfd >= 0)
		close(ef->dirfd);
	ef->dirfd = -1;
}
