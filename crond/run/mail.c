/* crond/run/mail.c: mailing a job's output through sendmail (see mail.h).
 *
 * Headers are built in memory (they are small and bounded), then written to
 * the memfd followed by the output bytes, untouched, and the truncation
 * note. sendmail reads the memfd as stdin, started by runner_start as the
 * owner, so a recipient address can never make the daemon itself run or
 * write anything, and LOGNAME/USER (which MTAs use for the envelope sender)
 * always name the owner.
 */
#include "crond/run/mail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A growing header buffer; a failed append sets FAILED and is then a no-op. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Appends S with control characters made spaces, cut to MAX bytes at a
 * UTF-8 character boundary with "..." when longer. */
static void sb_clean(struct sbuf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	bool cut = n > max;
	if (cut) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		char c = is_control((unsigned char)s[i]) ? ' ' : s[i];
		sb_add(b, &c, 1);
	}
	if (cut)
		sb_str(b, "...");
}

static const char *errstr(int e, char *buf, size_t len)
{
	return strerror_r(e, buf, len);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---------------------------------------------------------------- addresses */

/* A header line's most, CRLF left out (RFC 5322, 2.1.1). */
#define HEADER_LINE_MAX 998

/* The To: header's list as it is written: ", " between addresses, and a
 * fold (",\n ") before one that would take the line past HEADER_LINE_MAX
 * with the ',' that may follow it.
 * MAILTO itself is at most that long, but the blanks added after its
 * commas, and "To: ", could make it longer. */
struct to_list {
	struct sbuf b;
	size_t line;        /* bytes on the header's last line */
};

static void add_normalized(void *arg, const char *a, size_t n)
{
	struct to_list *to = arg;
	if (to->b.len > 0) {
		bool fold = to->line + 2 + n + 1 > HEADER_LINE_MAX;
		sb_str(&to->b, fold ? ",\n " : ", ");
		to->line = fold ? 1 : to->line + 2;
	}
	sb_add(&to->b, a, n);
	to->line += n;
}

int mail_check_recipients(const char *what, const char *list, char *err, size_t errlen)
{
	return mailaddr_check_list(what, list, NULL, NULL, err, errlen);
}

int mail_check_sender(const char *what, const char *from, char *err, size_t errlen)
{
	return mailaddr_check_sender(what, from, err, errlen);
}

bool mail_wanted_cron(const char *mailto, enum cron_mail when, bool failed,
                      uint64_t output_total)
{
	return cron_mail_wanted(when, mailto, failed, output_total);
}

bool mail_wanted_at(enum msg_mail mode, uint64_t output_total)
{
	if (mode == MAIL_ALWAYS)
		return true;
	if (mode == MAIL_NEVER)
		return false;
	return output_total > 0;
}

/* ---------------------------------------------------------------- the message */

/* From: and To: after checking both. */
static int add_from_to(struct sbuf *b, const char *from, const char *to, const char *to_what,
                       char *err, size_t errlen)
{
	struct to_list list = { .line = strlen("To: ") };
	if ((from != NULL && mailaddr_check_sender("MAILFROM", from, err, errlen) < 0) ||
	    mailaddr_check_list(to_what, to, add_normalized, &list, err, errlen) < 0) {
		free(list.b.p);
		return -1;
	}
	if (from != NULL) {
		sb_str(b, "From: ");
		sb_str(b, from);
		sb_str(b, "\n");
	}
	sb_str(b, "To: ");
	sb_add(b, list.b.p, list.b.len);
	sb_str(b, "\n");
	b->failed |= list.b.failed;
	free(list.b.p);
	return 0;
}

/* VALUE, or DEFAULT_VALUE when VALUE is unset or blank. */
static const char *value_or(const char *value, const char *default_value)
{
	if (value == NULL || value[strspn(value, " \t")] == '\0')
		return default_value;
	return value;
}

/* The MIME headers, and ours. ENV (a cron job's, or NULL) may name the
 * body's type and encoding in CONTENT_TYPE and CONTENT_TRANSFER_ENCODING,
 * as with Debian's cron (text/html reports); control characters are
 * flattened, so a value cannot start a header of its own. */
static void add_common(struct sbuf *b, const struct jobenv *env)
{
	sb_str(b, "MIME-Version: 1.0\nContent-Type: ");
	sb_clean(b,
	         value_or(env ? jobenv_get(env, "CONTENT_TYPE") : NULL,
	                  "text/plain; charset=UTF-8"),
	         MAIL_MAX_ENV_VALUE);
	sb_str(b, "\nContent-Transfer-Encoding: ");
	sb_clean(b, value_or(env ? jobenv_get(env, "CONTENT_TRANSFER_ENCODING") : NULL, "8bit"),
	         MAIL_MAX_ENV_VALUE);
	sb_str(b, "\nAuto-Submitted: auto-generated\n"
	          "Precedence: bulk\n");
}

static void add_cron_env(struct sbuf *b, const struct jobenv *env)
{
	static const char *const names[] = { "SHELL", "HOME", "PATH", "LOGNAME", "USER" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = jobenv_get(env, names[i]);
		if (v == NULL)
			continue;
		sb_str(b, "X-Cron-Env: <");
		sb_str(b, names[i]);
		sb_str(b, "=");
		sb_clean(b, v, MAIL_MAX_ENV_VALUE);
		sb_str(b, ">\n");
	}
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Headers (B, which ends with the blank line), body, truncation note. */
static int write_message(int fd, const struct sbuf *b, const struct mail_output *out,
                         char *err, size_t errlen)
{
	char eb[128];
	if (b->failed)
		return fail(err, errlen, "out of memory composing mail");
	size_t kept = out && out->data ? out->kept : 0;
	uint64_t total = out && out->total > kept ? out->total : kept;
	char note[128] = "";
	if (total > kept) {
		const char *body = out->data;
		bool nl = kept == 0 || body[kept - 1] == '\n';
		snprintf(note, sizeof(note), "%s[output truncated: %llu bytes in all, first %zu kept]\n",
		         nl ? "" : "\n", (unsigned long long)total, kept);
	}
	if (write_all(fd, b->p, b->len) < 0 || (kept > 0 && write_all(fd, out->data, kept) < 0) ||
	    write_all(fd, note, strlen(note)) < 0)
		return fail(err, errlen, "cannot write mail: %s", errstr(errno, eb, sizeof(eb)));
	return 0;
}

/* Starts the headers in B for OWNER with From: FROM (none when NULL) and
 * To: TO (TO_WHAT names TO in errors). -1 with ERR, and B freed, when
 * refused. */
static int start_headers(struct sbuf *b, const char *owner, const char *from, const char *to,
                         const char *to_what, char *err, size_t errlen)
{
	if (owner == NULL || owner[0] == '\0')
		return fail(err, errlen, "mail: no owner");
	if (add_from_to(b, from, to, to_what, err, errlen) < 0) {
		free(b->p);
		return -1;
	}
	return 0;
}

/* Ends the headers in B with the blank line, writes the message to FD and
 * frees B. */
static int end_message(int fd, struct sbuf *b, const struct mail_output *out, char *err,
                       size_t errlen)
{
	sb_str(b, "\n");
	int rc = write_message(fd, b, out, err, errlen);
	free(b->p);
	return rc;
}

bool mail_job_failed(int wstatus)
{
	return !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0;
}

void mail_silent_note(int wstatus, bool timed_out, uint32_t timeout, char *buf, size_t len)
{
	bool sig = WIFSIGNALED(wstatus);
	int n = sig ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
	if (timed_out)
		snprintf(buf, len, "crond: the job wrote no output; it ran past CRON_TIMEOUT (%us) "
		         "and was stopped (%s %d).\n", timeout, sig ? "signal" : "exit status", n);
	else if (sig)
		snprintf(buf, len, "crond: the job wrote no output and was killed by signal %d.\n", n);
	else
		snprintf(buf, len, "crond: the job wrote no output and exited with status %d.\n", n);
}

int mail_compose_cron(int fd, const struct mail_cron *m, const struct mail_output *out,
                      char *err, size_t errlen)
{
	/* The host as Debian's cron names it: the first word of the host name
	 * ("db1", not "db1.example.com"). */
	char host[256];
	snprintf(host, sizeof(host), "%s", m->host ? m->host : "");
	if (m->host == NULL && gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	const char *h = host;
	struct sbuf b = { 0 };
	/* A MAILFROM sendmail could not take (empty, a list, a leading '-')
	 * gives the default sender, as Debian's cron does: the mail still
	 * goes (crontab warned at install). */
	const char *from = m->mailfrom;
	char why[160];
	if (from != NULL && mailaddr_check_sender("MAILFROM", from, why, sizeof(why)) < 0)
		from = NULL;
	if (start_headers(&b, m->user, from ? from : MAIL_DEFAULT_FROM,
	                  m->mailto ? m->mailto : m->user, "MAILTO", err, errlen) < 0)
		return -1;
	sb_str(&b, "Subject: Cron <");
	sb_clean(&b, m->user, MAIL_MAX_ADDRESS);
	sb_str(&b, "@");
	sb_clean(&b, h, sizeof(host));
	sb_str(&b, "> ");
	sb_clean(&b, m->command ? m->command : "", MAIL_SUBJECT_COMMAND);
	/* Debian's cron marks a failed job's mail so (when it logs failed
	 * jobs, -L 4; crond always logs them). */
	sb_str(&b, m->failed ? " (failed)\n" : "\n");
	add_common(&b, m->env);
	add_cron_env(&b, m->env);
	if ((out == NULL || out->total == 0) && m->silent_note != NULL) {
		struct mail_output note = { m->silent_note, strlen(m->silent_note),
			                    strlen(m->silent_note) };
		return end_message(fd, &b, &note, err, errlen);
	}
	return end_message(fd, &b, out, err, errlen);
}

int mail_compose_at(int fd, const struct mail_at *m, const struct mail_output *out,
                    char *err, size_t errlen)
{
	/* As Debian's atd: no From: (the mail system names the owner, as whom
	 * sendmail runs), the job number right-aligned in 8 columns. */
	struct sbuf b = { 0 };
	if (start_headers(&b, m->user, NULL, m->to != NULL ? m->to : m->user, "recipient", err,
	                  errlen) < 0)
		return -1;
	char subject[64];
	snprintf(subject, sizeof(subject), "Subject: Output from your job %8lld\n",
	         (long long)m->job_id);
	sb_str(&b, subject);
	add_common(&b, NULL);
	return end_message(fd, &b, out, err, errlen);
}

/* ---------------------------------------------------------------- sending */

/* Starts sendmail as USER on the message in FD (read from its start).
 * CRON: a cron job's mail, whose sender's name is "CronDaemon" (-F, as
 * Debian's cron says it); an at job's has none, as Debian's atd's, so the
 * mail system names the owner. */
static int start_sendmail(const struct mail_sender *s, const char *user, int fd, bool cron,
                          struct job_proc *proc, char *err, size_t errlen)
{
	static const char *const cron_argv[] = { "sendmail", "-FCronDaemon", "-i", "-oem", "-oi",
		                                 "-t", NULL };
	static const char *const at_argv[] = { "sendmail", "-i", "-oem", "-oi", "-t", NULL };
	const char *const *argv = cron ? cron_argv : at_argv;
	char eb[128];
	if (lseek(fd, 0, SEEK_SET) < 0)
		return fail(err, errlen, "cannot rewind the mail: %s", errstr(errno, eb, sizeof(eb)));
	struct job_spec spec = JOB_SPEC_INIT;
	spec.user = user;
	spec.exec_path = s->sendmail;
	spec.exec_argv = argv;
	spec.input_is_fd = true;
	spec.input_fd = fd;
	spec.default_path = s->path;
	spec.cwd = "/";
	spec.kit = s->kit;
	return runner_start(&spec, proc, err, errlen);
}

/* Readies PROC (nothing started) and returns a new memfd for the message,
 * or -1 with ERR: no sendmail configured, or no memfd. */
static int open_message(const struct mail_sender *s, struct job_proc *proc, char *err,
                        size_t errlen)
{
	char eb[128];
	*proc = JOB_PROC_NONE;
	if (s == NULL || s->sendmail == NULL || s->sendmail[0] != '/')
		return fail(err, errlen, "no sendmail configured");
	int fd = memfd_create("crond-mail", MFD_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "cannot create the mail buffer: %s",
		            errstr(errno, eb, sizeof(eb)));
	return fd;
}

/* Starts sendmail as USER on the message in FD if composing it succeeded
 * (COMPOSED is 0), and closes FD either way. */
static int send_message(const struct mail_sender *s, const char *user, int fd, int composed,
                        bool cron, struct job_proc *proc, char *err, size_t errlen)
{
	int rc = composed;
	if (rc == 0)
		rc = start_sendmail(s, user, fd, cron, proc, err, errlen);
	close(fd);
	return rc;
}

int mail_send_cron(const struct mail_sender *s, const struct mail_cron *m,
                   const struct mail_output *out, struct job_proc *proc, char *err,
                   size_t errlen)
{
	int fd = open_message(s, proc, err, errlen);
	if (fd < 0)
		return -1;
	int rc = mail_compose_cron(fd, m, out, err, errlen);
	return send_message(s, m->user, fd, rc, true, proc, err, errlen);
}

int mail_send_at(const struct mail_sender *s, const struct mail_at *m,
                 const struct mail_output *out, struct job_proc *proc, char *err,
                 size_t errlen)
{
	int fd = open_message(s, proc, err, errlen);
	if (fd < 0)
		return -1;
	int rc = mail_compose_at(fd, m, out, err, errlen);
	return send_message(s, m->user, fd, rc, false, proc, err, errlen);
}
