/* tests/unit/test_mail.c: the mail a job's output becomes: exact headers,
 * refused addresses, truncation note, and a real send through a fake
 * sendmail that records its uid, arguments, environment and input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/run/mail.h"
#include "tests/unit/support/fds.h"

#define COMMON_HEADERS                                                   \
	"MIME-Version: 1.0\n"                                            \
	"Content-Type: text/plain; charset=UTF-8\n"                      \
	"Content-Transfer-Encoding: 8bit\n"                              \
	"Auto-Submitted: auto-generated\n"                               \
	"Precedence: bulk\n"

#define ALICE_ENV                                                        \
	"X-Cron-Env: <SHELL=/bin/sh>\n"                                  \
	"X-Cron-Env: <HOME=/home/alice>\n"                               \
	"X-Cron-Env: <PATH=/usr/bin:/bin>\n"                             \
	"X-Cron-Env: <LOGNAME=alice>\n"                                  \
	"X-Cron-Env: <USER=alice>\n"

static struct jobenv alice_env(const char *const *a, size_t n)
{
	struct jobenv_base base = { "alice", "/home/alice", "/bin/sh", "/usr/bin:/bin" };
	struct jobenv env;
	char err[128];
	assert_int_equal(jobenv_build(&base, a, n, &env, err, sizeof(err)), 0);
	return env;
}

static struct mail_output text_output(const char *s)
{
	return (struct mail_output){ s, strlen(s), strlen(s) };
}

/* The composed message, NUL-terminated (caller frees). */
static char *read_back(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	assert_true(size >= 0);
	char *buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)size, 0), size);
	buf[size] = '\0';
	return buf;
}

static char *compose_cron(const struct mail_cron *m, const struct mail_output *out)
{
	int fd = memfd_create("test", MFD_CLOEXEC);
	assert_true(fd >= 0);
	char err[256];
	if (mail_compose_cron(fd, m, out, err, sizeof(err)) != 0)
		fail_msg("compose: %s", err);
	char *s = read_back(fd);
	close(fd);
	return s;
}

static void test_cron_mail_has_exactly_the_documented_headers(void **state)
{
	(void)state;
	const char *a[] = { "SECRET=hunter2", "MAILTO=alice" };
	struct jobenv env = alice_env(a, 2);
	struct mail_cron m = { .user = "alice", .host = "testhost",
		               .command = "/usr/bin/backup --all", .env = &env };
	struct mail_output out = text_output("hello\nworld\n");
	char *msg = compose_cron(&m, &out);
	assert_string_equal(msg, "From: root (Cron Daemon)\n"
	                         "To: alice\n"
	                         "Subject: Cron <alice@testhost> /usr/bin/backup --all\n"
	                         COMMON_HEADERS ALICE_ENV
	                         "\n"
	                         "hello\nworld\n");
	free(msg);
	jobenv_free(&env);
}

/* CONTENT_TYPE and CONTENT_TRANSFER_ENCODING name the body's type, as with
 * Debian's cron; flattened, so that no value starts a header of its own;
 * blank ones leave the defaults. */
static void test_content_type_and_encoding_come_from_the_crontab(void **state)
{
	(void)state;
	const char *a[] = { "CONTENT_TYPE=text/html; charset=ISO-8859-1",
		            "CONTENT_TRANSFER_ENCODING=quoted-printable\nBcc: mallory" };
	struct jobenv env = alice_env(a, 2);
	struct mail_cron m = { .user = "alice", .host = "h", .command = "report", .env = &env };
	struct mail_output out = text_output("<p>hi</p>\n");
	char *msg = compose_cron(&m, &out);
	assert_non_null(strstr(msg, "\nContent-Type: text/html; charset=ISO-8859-1\n"));
	assert_non_null(strstr(msg, "\nContent-Transfer-Encoding: quoted-printable Bcc: mallory\n"));
	assert_null(strstr(msg, "\nBcc:"));
	assert_null(strstr(msg, "charset=UTF-8"));
	free(msg);
	jobenv_free(&env);

	const char *blank[] = { "CONTENT_TYPE= ", "CONTENT_TRANSFER_ENCODING=" };
	env = alice_env(blank, 2);
	m.env = &env;
	msg = compose_cron(&m, &out);
	assert_non_null(strstr(msg, "\nContent-Type: text/plain; charset=UTF-8\n"
	                            "Content-Transfer-Encoding: 8bit\n"));
	free(msg);
	jobenv_free(&env);
}

static void test_mailto_list_and_mailfrom_are_honoured(void **state)
{
	(void)state;
	struct mail_cron m = { .user = "alice", .host = "h", .command = "true",
		               .mailto = " ops@example.com,bob ,  carol@x.org",
		               .mailfrom = "Backups <backup@example.com>" };
	struct mail_output out = text_output("x");
	char *msg = compose_cron(&m, &out);
	assert_string_equal(msg, "From: Backups <backup@example.com>\n"
	                         "To: ops@example.com, bob, carol@x.org\n"
	                         "Subject: Cron <alice@h> true\n"
	                         COMMON_HEADERS
	                         "\n"
	                         "x");
	free(msg);
}

/* Empty places in MAILTO name no one, and the others are mailed, as
 * sendmail reads Debian's cron's list ("cru2,cru3," mailed both there). */
static void test_empty_places_in_mailto_are_skipped(void **state)
{
	(void)state;
	static const char *const lists[] = { "a,,b", "a,b,", " , a, b", ",a,,, b ," };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct mail_cron m = { .user = "alice", .host = "h", .command = "true",
			               .mailto = lists[i] };
		struct mail_output out = text_output("x");
		char *msg = compose_cron(&m, &out);
		if (strstr(msg, "\nTo: a, b\n") == NULL)
			fail_msg("MAILTO '%s': %s", lists[i], msg);
		free(msg);
	}
}

/* A MAILTO of the most bytes allowed, its commas without blanks: written
 * with ", " the list is longer than a header line may be, so the To:
 * header is folded, every line within 998 bytes, no address lost. */
static void test_a_long_mailto_is_folded_within_the_line_limit(void **state)
{
	(void)state;
	char mailto[999];
	size_t len = 0;
	int n = 0;
	while (len + 8 < sizeof(mailto)) {
		len += (size_t)snprintf(mailto + len, sizeof(mailto) - len, "%su%05d", n ? "," : "", n);
		n++;
	}
	assert_true(len <= 998 && len > 990);
	struct mail_cron m = { .user = "alice", .host = "h", .command = "true", .mailto = mailto };
	struct mail_output out = text_output("x");
	char *msg = compose_cron(&m, &out);
	const char *to = strstr(msg, "\nTo: u00000, u00001, ");
	assert_non_null(to);
	to++;
	const char *end = strstr(to, "\nSubject: ");
	assert_non_null(end);
	int lines = 0, seen = 0;
	for (const char *p = to; p < end; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		assert_true(stop - p <= 998);
		if (lines > 0)
			assert_int_equal(*p, ' ');    /* a fold: the header goes on */
		for (const char *q = p; q + 6 <= stop; q++)
			if (*q == 'u' && q[-1] == ' ')
				seen++;
		p = nl ? nl + 1 : end;
	}
	assert_int_equal(lines, 2);
	assert_int_equal(seen, n);
	free(msg);
}

/* The line that ends just before a fold holds its ',' within the limit
 * too: 167 addresses of 4 bytes, "To: " + 166 * (4 + 2) would be 998
 * before the comma (the review's case, which made 999). */
static void test_a_folded_line_keeps_its_comma_within_the_limit(void **state)
{
	(void)state;
	char mailto[1000];
	size_t len = 0;
	for (int i = 0; i < 167; i++)
		len += (size_t)snprintf(mailto + len, sizeof(mailto) - len, "%sa%03d", i ? "," : "", i);
	struct mail_cron m = { .user = "alice", .host = "h", .command = "true", .mailto = mailto };
	struct mail_output out = text_output("x");
	char *msg = compose_cron(&m, &out);
	const char *to = strstr(msg, "\nTo: a000, ");
	assert_non_null(to);
	const char *end = strstr(to + 1, "\nSubject: ");
	assert_non_null(end);
	for (const char *p = to + 1; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		assert_true(stop - p <= 998);
		p = nl ? nl + 1 : end;
	}
	assert_non_null(strstr(to, ",\n a16"));   /* folded near the end */
	free(msg);
}

static void test_subject_flattens_control_characters_and_cuts_long_commands(void **state)
{
	(void)state;
	struct mail_cron m = { .user = "alice", .host = "h\nBcc: x", .command = "a\nb\rc\td" };
	struct mail_output out = { NULL, 0, 0 };
	char *msg = compose_cron(&m, &out);
	assert_non_null(strstr(msg, "\nSubject: Cron <alice@h Bcc: x> a b c d\n"));
	free(msg);

	/* 119 ASCII bytes then a 2-byte character straddling the cut at 120. */
	char cmd[200];
	memset(cmd, 'x', 119);
	strcpy(cmd + 119, "\xc3\xa9tail");
	m.host = "h";
	m.command = cmd;
	msg = compose_cron(&m, &out);
	char want[300];
	snprintf(want, sizeof(want), "\nSubject: Cron <alice@h> %.119s...\n", cmd);
	assert_non_null(strstr(msg, want));
	free(msg);
}

/* Debian's cron: "Subject: Cron <user@host> command (failed)" when the job
 * exited with a status other than 0 or was killed; the host is the first
 * word of the host name. */
static void test_subject_says_failed_and_names_the_short_host(void **state)
{
	(void)state;
	assert_false(mail_job_failed(0));
	assert_true(mail_job_failed(3 << 8));
	assert_true(mail_job_failed(127 << 8));
	assert_true(mail_job_failed(SIGKILL));
	assert_true(mail_job_failed(SIGSEGV | 0x80));
	struct mail_cron m = { .user = "alice", .host = "db1.example.com", .command = "backup" };
	struct mail_output out = text_output("x");
	char *msg = compose_cron(&m, &out);
	assert_non_null(strstr(msg, "\nSubject: Cron <alice@db1> backup\n"));
	free(msg);
	m.failed = true;
	msg = compose_cron(&m, &out);
	assert_non_null(strstr(msg, "\nSubject: Cron <alice@db1> backup (failed)\n"));
	free(msg);
	/* a long command is cut first, then marked */
	char cmd[200];
	memset(cmd, 'x', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	m.command = cmd;
	msg = compose_cron(&m, &out);
	char want[300];
	snprintf(want, sizeof(want), "\nSubject: Cron <alice@db1> %.120s... (failed)\n", cmd);
	assert_non_null(strstr(msg, want));
	free(msg);
}

static void test_cron_env_shows_only_the_five_variables_flattened(void **state)
{
	(void)state;
	const char *a[] = { "PATH=/a\n/b", "HOME=/srv", "LOGNAME=mallory", "SECRET=x" };
	struct jobenv env = alice_env(a, 4);
	struct mail_cron m = { .user = "alice", .host = "h", .command = "c", .env = &env };
	struct mail_output out = text_output("");
	char *msg = compose_cron(&m, &out);
	assert_non_null(strstr(msg, "X-Cron-Env: <SHELL=/bin/sh>\n"
	                            "X-Cron-Env: <HOME=/srv>\n"
	                            "X-Cron-Env: <PATH=/a /b>\n"
	                            "X-Cron-Env: <LOGNAME=alice>\n"
	                            "X-Cron-Env: <USER=alice>\n\n"));
	assert_null(strstr(msg, "SECRET"));
	assert_null(strstr(msg, "mallory"));
	free(msg);
	jobenv_free(&env);
}

static void test_truncated_output_ends_with_a_note(void **state)
{
	(void)state;
	static const struct {
		const char *kept;
		uint64_t total;
		const char *tail;
	} cases[] = {
		{ "abc\n", 1000, "\n\nabc\n[output truncated: 1000 bytes in all, first 4 kept]\n" },
		{ "abc", 5000000000ULL,
		  "\n\nabc\n[output truncated: 5000000000 bytes in all, first 3 kept]\n" },
		{ "", 7, "\n\n[output truncated: 7 bytes in all, first 0 kept]\n" },
		{ "abc", 3, "\n\nabc" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_cron m = { .user = "alice", .host = "h", .command = "c" };
		struct mail_output out = { cases[i].kept, strlen(cases[i].kept), cases[i].total };
		char *msg = compose_cron(&m, &out);
		size_t n = strlen(msg), t = strlen(cases[i].tail);
		assert_true(n >= t);
		assert_string_equal(msg + n - t, cases[i].tail);
		free(msg);
	}
}

static void test_body_is_the_output_bytes_as_they_are(void **state)
{
	(void)state;
	const char raw[] = "a\0b\r\n.\n\xff\xfe";
	struct mail_cron m = { .user = "alice", .host = "h", .command = "c" };
	struct mail_output out = { raw, sizeof(raw) - 1, sizeof(raw) - 1 };
	int fd = memfd_create("test", MFD_CLOEXEC);
	char err[128];
	assert_int_equal(mail_compose_cron(fd, &m, &out, err, sizeof(err)), 0);
	off_t size = lseek(fd, 0, SEEK_END);
	char tail[sizeof(raw) - 1];
	assert_int_equal(pread(fd, tail, sizeof(tail), size - (off_t)sizeof(tail)), sizeof(tail));
	assert_memory_equal(tail, raw, sizeof(tail));
	close(fd);
}

static void test_at_mail_has_exactly_the_documented_headers(void **state)
{
	(void)state;
	struct mail_at m = { .user = "alice", .job_id = 42 };
	struct mail_output out = text_output("done\n");
	int fd = memfd_create("test", MFD_CLOEXEC);
	char err[128];
	assert_int_equal(mail_compose_at(fd, &m, &out, err, sizeof(err)), 0);
	char *msg = read_back(fd);
	assert_string_equal(msg, "To: alice\n"
	                         "Subject: Output from your job       42\n"
	                         COMMON_HEADERS
	                         "\n"
	                         "done\n");
	free(msg);
	close(fd);
}

/* A MAILFROM sendmail could not take: the mail goes from the default
 * sender, as Debian's cron sends it (checked against cron 3.0pl1-162 with
 * "" and "-x"; it also does so for "a b", which crond takes, like "Backup
 * Bot <bot@example.com>", as a sender with a name), and the bad value is
 * in no header. */
static void test_bad_sender_gives_the_default_one(void **state)
{
	(void)state;
	static const char *const senders[] = { "-froot", "x\nTo: eve", "a@b, c@d", "" };
	for (size_t i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		struct mail_cron m = { .user = "alice", .host = "h", .command = "c",
			               .mailto = "bob", .mailfrom = senders[i] };
		struct mail_output out = text_output("x");
		char *msg = compose_cron(&m, &out);
		if (strncmp(msg, "From: root (Cron Daemon)\nTo: bob\n", 33) != 0)
			fail_msg("sender %zu: %s", i, msg);
		assert_null(strstr(msg, "eve"));
		free(msg);
	}
}

static void test_bad_recipients_and_senders_are_refused(void **state)
{
	(void)state;
	static const struct {
		const char *mailto, *mailfrom, *fragment;
	} cases[] = {
		{ "-oQ/tmp/x", NULL, "starts with '-'" },
		{ "ok, -f", NULL, "starts with '-'" },
		{ "a@b\nBcc: eve@x", NULL, "control character" },
		{ "a@b\rBcc: eve@x", NULL, "control character" },
		{ "a\tb", NULL, "control character" },
		{ "a\x7f", NULL, "control character" },
		{ "", NULL, "MAILTO is empty" },
		{ ",", NULL, "MAILTO holds no address" },
		{ " , ,", NULL, "MAILTO holds no address" },
		{ "alice bob", NULL, "holds a blank" },
		{ "ok, alice bob", NULL, "holds a blank" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_cron m = { .user = "alice", .host = "h", .command = "c",
			               .mailto = cases[i].mailto, .mailfrom = cases[i].mailfrom };
		struct mail_output out = text_output("x");
		int fd = memfd_create("test", MFD_CLOEXEC);
		char err[256] = "";
		assert_int_equal(mail_compose_cron(fd, &m, &out, err, sizeof(err)), -1);
		if (strstr(err, cases[i].fragment) == NULL)
			fail_msg("case %zu: '%s' should mention '%s'", i, err, cases[i].fragment);
		assert_null(strchr(err, '\n'));
		close(fd);
	}
	char long_list[MAIL_MAX_LIST + 2];
	memset(long_list, 'a', sizeof(long_list) - 1);
	long_list[sizeof(long_list) - 1] = '\0';
	char err[128];
	assert_int_equal(mail_check_recipients("MAILTO", long_list, err, sizeof(err)), -1);
	long_list[MAIL_MAX_ADDRESS + 1] = '\0';
	assert_int_equal(mail_check_recipients("MAILTO", long_list, err, sizeof(err)), -1);
	long_list[MAIL_MAX_ADDRESS] = '\0';
	assert_int_equal(mail_check_recipients("MAILTO", long_list, err, sizeof(err)), 0);
}

static void test_owner_name_used_as_recipient_is_checked_too(void **state)
{
	(void)state;
	struct mail_at m = { .user = "-oi", .job_id = 1 };
	struct mail_output out = text_output("x");
	int fd = memfd_create("test", MFD_CLOEXEC);
	char err[128];
	assert_int_equal(mail_compose_at(fd, &m, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "starts with '-'"));
	close(fd);
}

static void test_when_mail_is_wanted(void **state)
{
	(void)state;
	assert_true(mail_wanted_cron(NULL, CRON_MAIL_UNSET, false, 1));
	assert_true(mail_wanted_cron("ops", CRON_MAIL_ALWAYS, false, 1));
	assert_false(mail_wanted_cron("", CRON_MAIL_ALWAYS, true, 1));
	assert_false(mail_wanted_cron(NULL, CRON_MAIL_ALWAYS, false, 0));
	assert_false(mail_wanted_cron(NULL, CRON_MAIL_FAILURE, false, 1));
	assert_true(mail_wanted_cron(NULL, CRON_MAIL_FAILURE, true, 0));
	assert_false(mail_wanted_cron(NULL, CRON_MAIL_NEVER, true, 1));
	assert_true(mail_wanted_at(MAIL_DEFAULT, 1));
	assert_false(mail_wanted_at(MAIL_DEFAULT, 0));
	assert_true(mail_wanted_at(MAIL_ALWAYS, 0));
	assert_false(mail_wanted_at(MAIL_NEVER, 100));
}

/* CRON_MAIL=failure: a failed run that wrote nothing is mailed a note;
 * a run with output is mailed its output, never the note. */
static void test_silent_failure_gets_the_note_as_body(void **state)
{
	(void)state;
	struct mail_cron m = { .user = "alice", .host = "h", .command = "false",
		               .failed = true, .silent_note = "no output; exit status 1\n" };
	struct mail_output none = { NULL, 0, 0 };
	char *msg = compose_cron(&m, &none);
	assert_non_null(strstr(msg, "Subject: Cron <alice@h> false (failed)\n"));
	assert_non_null(strstr(msg, "\n\nno output; exit status 1\n"));
	free(msg);
	char note[160];
	mail_silent_note(5 << 8, false, 0, note, sizeof(note));
	assert_string_equal(note, "crond: the job wrote no output and exited with status 5.\n");
	mail_silent_note(SIGKILL, false, 0, note, sizeof(note));
	assert_string_equal(note, "crond: the job wrote no output and was killed by signal 9.\n");
	mail_silent_note(SIGTERM, true, 30, note, sizeof(note));
	assert_string_equal(note, "crond: the job wrote no output; it ran past CRON_TIMEOUT (30s) "
	                          "and was stopped (signal 15).\n");
	struct mail_output out = text_output("oops\n");
	msg = compose_cron(&m, &out);
	assert_null(strstr(msg, "no output"));
	assert_non_null(strstr(msg, "\n\noops\n"));
	free(msg);
}

/* ---------------------------------------------------------------- sending */

struct fake_sendmail {
	char dir[64];
	char script[128];
	char out[128];
};

/* A sendmail that records its uid, arguments, directory, environment and
 * input in OUT. As root the owner is nobody, so both must be open to it. */
static void fake_setup(struct fake_sendmail *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/crond-mail-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(chmod(f->dir, 0755), 0);
	snprintf(f->script, sizeof(f->script), "%s/sendmail", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/mail.txt", f->dir);
	FILE *s = fopen(f->script, "w");
	assert_non_null(s);
	fprintf(s, "#!/bin/sh\n"
	           "{ echo \"uid=$(id -u)\"; for a in \"$@\"; do echo \"arg=$a\"; done\n"
	           "  echo \"cwd=$(pwd)\"; env | sort | sed 's/^/env=/'; echo ---; cat; } > %s\n",
	        f->out);
	assert_int_equal(fclose(s), 0);
	assert_int_equal(chmod(f->script, 0755), 0);
	int fd = open(f->out, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0666), 0);
	close(fd);
}

static void fake_cleanup(const struct fake_sendmail *f)
{
	unlink(f->script);
	unlink(f->out);
	rmdir(f->dir);
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	char *s = read_back(fd);
	close(fd);
	return s;
}


/* Waits for sendmail as the supervisor would; returns its start message. */
static void finish(struct job_proc *p, bool *started, char *msg, size_t msglen, int *status)
{
	bool out_eof = false, decided = false;
	while (!out_eof || !decided) {
		struct pollfd fds[2] = { { out_eof ? -1 : p->out_fd, POLLIN, 0 },
			                 { decided ? -1 : p->err_fd, POLLIN, 0 } };
		assert_true(poll(fds, 2, 20000) > 0);
		char buf[4096];
		if (fds[0].revents && read(p->out_fd, buf, sizeof(buf)) == 0)
			out_eof = true;
		/* err_fd is -1 when the outcome was known at once (runner.h) */
		if (!decided && (p->err_fd < 0 || fds[1].revents))
			decided = runner_check_started(p, false, started, msg, msglen) == 1;
	}
	assert_int_equal(waitpid(p->pid, status, 0), p->pid);
	runner_proc_close(p);
}

static void test_mail_is_sent_by_sendmail_running_as_the_owner(void **state)
{
	(void)state;
	struct fake_sendmail f;
	fake_setup(&f);
	const char *owner = geteuid() == 0 ? "nobody" : getpwuid(geteuid())->pw_name;
	struct passwd *pw = getpwnam(owner);
	assert_non_null(pw);
	struct mail_sender sender = { f.script, NULL, NULL };
	struct mail_cron m = { .user = owner, .host = "h", .command = "echo hi" };
	struct mail_output out = text_output("hi\n");
	struct job_proc p;
	char err[256];
	int before = count_fds();
	if (mail_send_cron(&sender, &m, &out, &p, err, sizeof(err)) != 0)
		fail_msg("mail_send_cron: %s", err);
	bool started = false;
	int status;
	finish(&p, &started, err, sizeof(err), &status);
	assert_true(started);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(count_fds(), before);

	char want[2048];
	snprintf(want, sizeof(want),
	         "uid=%u\narg=-FCronDaemon\narg=-i\narg=-oem\narg=-oi\narg=-t\n"
	         "cwd=/\nenv=HOME=%s\nenv=LOGNAME=%s\nenv=PATH=/usr/bin:/bin\nenv=PWD=/\n"
	         "env=SHELL=/bin/sh\nenv=USER=%s\n---\n"
	         "From: root (Cron Daemon)\nTo: %s\nSubject: Cron <%s@h> echo hi\n" COMMON_HEADERS
	         "\nhi\n",
	         pw->pw_uid, pw->pw_dir, owner, owner, owner, owner);
	char *got = slurp(f.out);
	assert_string_equal(got, want);
	free(got);
	fake_cleanup(&f);
}

static void test_at_mail_is_sent_to_the_owner(void **state)
{
	(void)state;
	struct fake_sendmail f;
	fake_setup(&f);
	const char *owner = getpwuid(geteuid())->pw_name;
	struct mail_sender sender = { f.script, "/bin:/usr/bin", NULL };
	struct mail_at m = { .user = owner, .job_id = 7 };
	struct mail_output out = text_output("");
	struct job_proc p;
	char err[256];
	assert_int_equal(mail_send_at(&sender, &m, &out, &p, err, sizeof(err)), 0);
	bool started = false;
	int status;
	finish(&p, &started, err, sizeof(err), &status);
	assert_true(started);
	char *got = slurp(f.out);
	assert_non_null(strstr(got, "env=PATH=/bin:/usr/bin\n"));
	/* As Debian's atd: no sender's name (-F), the mail system names the owner. */
	assert_non_null(strstr(got, "\narg=-i\narg=-oem\narg=-oi\narg=-t\n"));
	assert_null(strstr(got, "arg=-F"));
	char want[512];
	snprintf(want, sizeof(want),
	         "---\nTo: %s\nSubject: Output from your job        7\n"
	         COMMON_HEADERS "\n", owner);
	size_t n = strlen(got), w = strlen(want);
	assert_true(n >= w);
	assert_string_equal(got + n - w, want);
	free(got);
	fake_cleanup(&f);
}

static void test_refused_mail_starts_nothing_and_leaves_nothing_open(void **state)
{
	(void)state;
	struct mail_sender sender = { "/usr/sbin/sendmail", NULL, NULL };
	struct mail_cron m = { .user = "alice", .host = "h", .command = "c",
		               .mailto = "x\nBcc: eve" };
	struct mail_output out = text_output("secret");
	struct job_proc p;
	char err[256];
	int before = count_fds();
	assert_int_equal(mail_send_cron(&sender, &m, &out, &p, err, sizeof(err)), -1);
	assert_int_equal(p.pid, -1);
	assert_int_equal(count_fds(), before);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);

	struct mail_sender none = { "", NULL, NULL };
	m.mailto = NULL;
	assert_int_equal(mail_send_cron(&none, &m, &out, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "no sendmail configured");
	assert_int_equal(count_fds(), before);
}

static void test_missing_sendmail_is_reported_as_a_failed_start(void **state)
{
	(void)state;
	struct mail_sender sender = { "/nonexistent/sendmail", NULL, NULL };
	struct mail_cron m = { .user = getpwuid(geteuid())->pw_name, .host = "h", .command = "c" };
	struct mail_output out = text_output("x");
	struct job_proc p;
	char err[256];
	assert_int_equal(mail_send_cron(&sender, &m, &out, &p, err, sizeof(err)), 0);
	bool started = true;
	int status;
	finish(&p, &started, err, sizeof(err), &status);
	assert_false(started);
	assert_string_equal(err, "cannot execute /nonexistent/sendmail: No such file or directory");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 127);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cron_mail_has_exactly_the_documented_headers),
		cmocka_unit_test(test_content_type_and_encoding_come_from_the_crontab),
		cmocka_unit_test(test_mailto_list_and_mailfrom_are_honoured),
		cmocka_unit_test(test_empty_places_in_mailto_are_skipped),
		cmocka_unit_test(test_bad_sender_gives_the_default_one),
		cmocka_unit_test(test_a_long_mailto_is_folded_within_the_line_limit),
		cmocka_unit_test(test_a_folded_line_keeps_its_comma_within_the_limit),
		cmocka_unit_test(test_subject_flattens_control_characters_and_cuts_long_commands),
		cmocka_unit_test(test_subject_says_failed_and_names_the_short_host),
		cmocka_unit_test(test_cron_env_shows_only_the_five_variables_flattened),
		cmocka_unit_test(test_truncated_output_ends_with_a_note),
		cmocka_unit_test(test_body_is_the_output_bytes_as_they_are),
		cmocka_unit_test(test_at_mail_has_exactly_the_documented_headers),
		cmocka_unit_test(test_bad_recipients_and_senders_are_refused),
		cmocka_unit_test(test_owner_name_used_as_recipient_is_checked_too),
		cmocka_unit_test(test_when_mail_is_wanted),
		cmocka_unit_test(test_silent_failure_gets_the_note_as_body),
		cmocka_unit_test(test_mail_is_sent_by_sendmail_running_as_the_owner),
		cmocka_unit_test(test_at_mail_is_sent_to_the_owner),
		cmocka_unit_test(test_refused_mail_starts_nothing_and_leaves_nothing_open),
		cmocka_unit_test(test_missing_sendmail_is_reported_as_a_failed_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
