/* crond/import/import_debian_at.c: one of atd's job files into crond's spool.
 *
 * What atd does with a file, and so what the import keeps: the name gives
 * the queue, the job number and the due minute; the file must be a regular
 * file with its user-execute bit set (at sets it once the file is complete;
 * atd clears it after the run); the file's owner is the user the job runs
 * as, and must match the "# atrun uid=" line; "# mail USER N" says whom to
 * mail and when. atd then runs /bin/sh with the whole file on stdin, from
 * "/", with an empty environment: the script sets its own umask,
 * environment and directory. crond runs an imported job the same way (its
 * script is the whole file).
 */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crond/import/import_debian.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* atd reads names with sscanf("%c%5lx%8lx"); at writes exactly 14
 * characters, zero-padded, so only that form is taken. */
bool import_at_name(const char *name, char *queue, int64_t *jobno, int64_t *run_at)
{
	if (strlen(name) != 14)
		return false;
	char q = name[0];
	if (!((q >= 'a' && q <= 'z') || (q >= 'A' && q <= 'Z')))
		return false;
	int64_t v[2] = { 0, 0 };
	for (int i = 1; i < 14; i++) {
		int h = hexval(name[i]);
		if (h < 0)
			return false;
		v[i >= 6] = v[i >= 6] * 16 + h;
	}
	*queue = q;
	*jobno = v[0];
	*run_at = v[1] * 60;
	return true;
}

/* Parses a decimal number (optional '-') at *P, ending at a byte in STOPS. */
static bool number(const char **p, const char *end, const char *stops, long *out)
{
	const char *s = *p;
	bool neg = s < end && *s == '-';
	if (neg)
		s++;
	long v = 0;
	const char *digits = s;
	while (s < end && *s >= '0' && *s <= '9' && v < 100000000L)
		v = v * 10 + (*s++ - '0');
	if (s == digits || s >= end || strchr(stops, *s) == NULL)
		return false;
	*out = neg ? -v : v;
	*p = s;
	return true;
}

static bool literal(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

int import_at_header(const char *text, size_t len, struct import_at_header *h,
                     char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	*h = (struct import_at_header){ 0 };
	if (!literal(&p, end, "#!/bin/sh\n# atrun uid=") || !number(&p, end, " ", &h->uid) ||
	    !literal(&p, end, " gid=") || !number(&p, end, "\n", &h->gid) ||
	    !literal(&p, end, "\n# mail ")) {
		snprintf(err, errlen, "not in atd's format (no '#!/bin/sh', '# atrun uid=U gid=G'"
		         " and '# mail USER N' lines)");
		return -1;
	}
	const char *user = p;
	while (p < end && *p != ' ' && *p != '\n')
		p++;
	size_t ulen = (size_t)(p - user);
	long mail = 0;
	if (ulen == 0 || ulen > SPOOL_NAME_MAX || !literal(&p, end, " ") ||
	    !number(&p, end, "\n", &mail)) {
		snprintf(err, errlen, "bad '# mail USER N' line");
		return -1;
	}
	if (user[0] == '-') {
		snprintf(err, errlen, "illegal mail name '%.*s' (atd refuses it too)", (int)ulen, user);
		return -1;
	}
	if (mail < -1 || mail > 1) {
		snprintf(err, errlen, "mail setting %ld is not -1, 0 or 1", mail);
		return -1;
	}
	memcpy(h->mailto, user, ulen);
	h->mailto[ulen] = '\0';
	h->mail = (int)mail;
	return 0;
}

static enum spool_at_mail mail_of(int n)
{
	return n == 1 ? SPOOL_MAIL_ALWAYS : n == -1 ? SPOOL_MAIL_NEVER : SPOOL_MAIL_DEFAULT;
}

void import_at_file(struct spool *sp, int dirfd, const char *name, const char *where,
                    int64_t now, struct import_report *r)
{
	char what[64], err[512] = "";
	char queue;
	int64_t jobno, run_at;
	if (name[0] == '.')
		return;   /* .SEQ, at's job counter */
	if (name[0] == '=')
		return;   /* atd's lock link of a job it is running */
	snprintf(what, sizeof what, "%.10s/%.40s", where, name);
	if (!import_at_name(name, &queue, &jobno, &run_at)) {
		import_report_add(r, IMPORT_SKIPPED, NULL, what, "not an atd job file name"
		                  " (atd ignores it too)");
		return;
	}
	snprintf(what, sizeof what, "at job %lld", (long long)jobno);
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	if (import_read_file(dirfd, name, SPOOL_SCRIPT_MAX, &text, &len, &st, err,
	                     sizeof err) < 0) {
		import_report_add(r, IMPORT_REFUSED, NULL, what, "%s", err);
		return;
	}
	if (!(st.st_mode & S_IXUSR)) {
		import_report_add(r, IMPORT_SKIPPED, NULL, what, "%s is not executable: atd has"
		                  " run it already, or at was still writing it", name);
		free(text);
		return;
	}
	/* As atd, which takes a job with a second link for one being worked
	 * on and runs none: the import runs as root, and a hard link (to a
	 * file of root's) or a file others may write is not its owner's job. */
	if (st.st_nlink != 1 || (st.st_mode & 022)) {
		if (st.st_nlink != 1)
			import_report_add(r, IMPORT_REFUSED, NULL, what, "%s has %ju hard links, not 1",
			                  name, (uintmax_t)st.st_nlink);
		else
			import_report_add(r, IMPORT_REFUSED, NULL, what, "others may write %s (mode %03o)",
			                  name, (unsigned)(st.st_mode & 07777));
		free(text);
		return;
	}
	struct passwd pwbuf, *pw = NULL;
	char strbuf[4096];
	if (getpwuid_r(st.st_uid, &pwbuf, strbuf, sizeof strbuf, &pw) != 0 || pw == NULL) {
		import_report_add(r, IMPORT_REFUSED, NULL, what, "%s is owned by uid %u, who is"
		                  " not a user", name, (unsigned)st.st_uid);
		free(text);
		return;
	}
	struct import_at_header h;
	if (import_at_header(text, len, &h, err, sizeof err) < 0) {
		import_report_add(r, IMPORT_REFUSED, pw->pw_name, what, "%s: %s", name, err);
		free(text);
		return;
	}
	if (h.uid != (long)st.st_uid) {
		import_report_add(r, IMPORT_REFUSED, pw->pw_name, what, "%s: '# atrun uid=%ld'"
		                  " does not match the file's owner %s (uid %u)", name, h.uid,
		                  pw->pw_name, (unsigned)st.st_uid);
		free(text);
		return;
	}
	struct spool_at_job job = {
		.queue = queue, .owner = pw->pw_name, .uid = st.st_uid, .gid = (gid_t)h.gid,
		.run_at = run_at, .created_at = st.st_mtime, .script = text, .script_len = len,
		.env = NULL, .cwd = "/", .umask = 022, .mail = mail_of(h.mail),
	};
	/* at mailed the name in "# mail USER": when that is another local
	 * user (at -u, or su), crond mails that user too (the job's mail_to);
	 * a name that is no user here falls back to the owner. */
	struct passwd mpwbuf, *mpw = NULL;
	char mstrbuf[4096];
	bool mail_other = strcmp(h.mailto, pw->pw_name) != 0;
	if (mail_other && getpwnam_r(h.mailto, &mpwbuf, mstrbuf, sizeof mstrbuf, &mpw) == 0 &&
	    mpw != NULL)
		job.mail_to = h.mailto;
	char mark[SPOOL_NAME_MAX + 1];
	snprintf(mark, sizeof mark, IMPORT_MARK_PREFIX "%s/%s", where, name);
	int64_t id = 0;
	enum spool_import_result res;
	struct spool_err e;
	int code = spool_at_import(sp, &job, jobno, mark, &id, &res, &e);
	char due[64] = "?";
	struct tm tm;
	time_t t = (time_t)run_at;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(due, sizeof due, "%Y-%m-%d %H:%M UTC", &tm);
	if (code != SPOOL_OK)
		import_report_add(r, IMPORT_REFUSED, pw->pw_name, what, "%s", e.msg);
	else if (res == SPOOL_IMPORTED_BEFORE)
		import_report_add(r, IMPORT_BEFORE, pw->pw_name, what, "as job %lld", (long long)id);
	else {
		char renumbered[64] = "", mail[SPOOL_NAME_MAX + 64] = "";
		if (id != jobno)
			snprintf(renumbered, sizeof renumbered, "as job %lld (number %lld was"
			         " taken), ", (long long)id, (long long)jobno);
		if (job.mail_to != NULL)
			snprintf(mail, sizeof mail, ", mail to %s (as at -u)", job.mail_to);
		else if (mail_other)
			snprintf(mail, sizeof mail, ", mail to %s, not %s (no such user)", pw->pw_name,
			         h.mailto);
		import_report_add(r, IMPORT_DONE, pw->pw_name, what, "%squeue %c, due %s%s%s",
		                  renumbered, queue, due, run_at <= now ? " (past due: runs at"
		                  " once)" : "", mail);
	}
	free(text);
}
