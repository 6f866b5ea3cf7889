/* atq/submit.c: `at TIMESPEC...`, `at -t TIME`, `batch`: queue a job.
 *
 * In Debian's order: check that the user may use at (at.allow, at.deny),
 * resolve the time (errors end here), optionally show it (-v: the time and
 * an empty line), warn that /bin/sh runs the job, check that -u names a
 * user ("at: Cannot find username bob", as Debian: crond looks it up, as
 * at looks no user up itself), capture the directory,
 * umask and environment, read the job (on a terminal after "at TIME" and
 * with "at> " prompts), submit it and report "job N at TIME", all on
 * standard error. The check is crond's: it must be reachable and let the
 * user use at before anyone types a job, so nobody types one in vain.
 *
 * Nobody types when the job comes from -f FILE or from a standard input
 * that is not a terminal (scripts: `echo cmd | at now`): then that check
 * would cost a second connection and round trip to crond for nothing, as
 * crond checks the same on the submission. So it is skipped, and the lines
 * the user would have seen are the same: standard error is held in its
 * stdio buffer until crond answers, and when crond is not there or refuses
 * the user, what was held (the warning) is dropped and only the refusal is
 * printed, as the check would have. A local error on the way (a time that
 * cannot be read, no working directory, an unreadable FILE) is held too,
 * and crond is asked then (local_error): a user it refuses reads the
 * refusal instead, as Debian's at, which checks first, tells them. Only
 * -u USER is asked about before the job is read, also here (one more round
 * trip, for that option alone): Debian's at looks USER up first, so an
 * unknown one is what its user reads, not a missing FILE.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdio_ext.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atq/atenv.h"
#include "atq/cli.h"
#include "lib/client.h"
#include "lib/proto_msgs.h"

extern char **environ;

/* What the job carries from the caller besides its commands. */
struct capture {
	struct atenv env;
	char *cwd;
	mode_t umask;
};

static void capture_free(struct capture *cap)
{
	atenv_free(&cap->env);
	free(cap->cwd);
}

static int capture(const struct at_cli *cli, struct capture *cap)
{
	char err[256];
	memset(cap, 0, sizeof(*cap));
	cap->cwd = getcwd(NULL, 0);
	if (cap->cwd == NULL || cap->cwd[0] != '/') {
		/* Debian's words, without a program name as Debian prints them. */
		fprintf(stderr, "Cannot get current working directory: %s\n",
		        cap->cwd == NULL ? strerror(errno) : "not reachable from the root");
		free(cap->cwd);
		return -1;
	}
	if (strlen(cap->cwd) > SPOOL_PATH_MAX) {
		fprintf(stderr, "%s: the current working directory's name is longer than %d "
		        "bytes\n", cli->prog, SPOOL_PATH_MAX);
		free(cap->cwd);
		return -1;
	}
	cap->umask = umask(022);
	umask(cap->umask);
	if (atenv_capture((const char *const *)environ, &cap->env, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		free(cap->cwd);
		return -1;
	}
	for (size_t i = 0; i < cap->env.n_too_large; i++) {
		const char *s = cap->env.too_large[i];
		fprintf(stderr, "%s: warning: not carrying %.*s into the job: it is over %d KiB\n",
		        cli->prog, (int)strcspn(s, "="), s, ATENV_VAR_MAX / 1024);
	}
	return 0;
}

static char job_queue(const struct at_cli *cli)
{
	if (cli->queue == 0)
		return cli->batch ? 'b' : 'a';
	/* A batch job given a queue goes into its uppercase letter, a batch
	 * queue, as Debian's `at -q c -b` puts it in C. */
	return cli->batch ? (char)toupper((unsigned char)cli->queue) : cli->queue;
}

/* Sends REQ (consumed) and reads the reply, as at_conn_call. HELD: standard
 * error is being held (the access check was skipped); when crond is not
 * there or refuses the user (MSGE_DENIED), what it holds is dropped before
 * the error is printed, so the user reads what the check would have said. */
static int call(struct at_conn *conn, struct proto_buf *req, struct proto_msg *reply,
                bool held)
{
	if (!held)
		return at_conn_call(conn, req, reply);
	struct client cl;
	int no_daemon;
	uint32_t code;
	char err[PROTO_ERRMSG_SIZE + CONFIG_PATH_MAX];
	*reply = (struct proto_msg){ 0 };
	if (req->failed != PROTO_OK) {
		fprintf(stderr, "%s: cannot build the request: %s\n", conn->prog,
		        proto_code_name(req->failed));
		proto_buf_free(req);
		return -1;
	}
	if (client_open(&conn->cfg, &cl, &no_daemon, err, sizeof(err)) < 0) {
		__fpurge(stderr);
		fprintf(stderr, "%s: %s\n", conn->prog, err);
		proto_buf_free(req);
		return -1;
	}
	int rc = client_call(&cl, req, reply, &code, err, sizeof(err));
	client_close(&cl);
	if (rc == 0)
		return 0;
	proto_msg_free(reply);
	if (code == MSGE_DENIED)
		__fpurge(stderr);
	at_print_refusal(conn->prog, code, err, AT_NO_JOB);
	return -1;
}

/* Submits the job; *ID and *WHEN get crond's answer. 0 or -1 (printed). */
static int submit(struct at_conn *conn, const struct at_cli *cli, time_t when,
                  const char *script, size_t len, const struct capture *cap, int64_t *id,
                  int64_t *at, bool held)
{
	struct proto_buf req;
	struct proto_msg reply;
	char queue[2] = { job_queue(cli), '\0' };
	if (at_conn_request(conn, &req, MSG_AT_SUBMIT) < 0)
		return -1;
	(void)proto_buf_add_str(&req, TAG_QUEUE, queue);
	(void)proto_buf_add_i64(&req, TAG_TIME, (int64_t)when);
	(void)proto_buf_add_bytes(&req, TAG_SCRIPT, script, len);
	for (size_t i = 0; i < cap->env.n_keep; i++)
		(void)proto_buf_add_str(&req, TAG_ENV, cap->env.keep[i]);
	(void)proto_buf_add_str(&req, TAG_CWD, cap->cwd);
	(void)proto_buf_add_u32(&req, TAG_UMASK, (uint32_t)cap->umask);
	(void)proto_buf_add_u32(&req, TAG_MAIL, cli->mail);
	if (cli->mail_to != NULL)
		(void)proto_buf_add_str(&req, TAG_MAIL_TO, cli->mail_to);
	if (call(conn, &req, &reply, held) < 0)
		return -1;
	int rc = 0;
	if (proto_get_i64(&reply, TAG_JOB_ID, id, NULL) != PROTO_OK ||
	    proto_get_i64(&reply, TAG_TIME, at, NULL) != PROTO_OK) {
		fprintf(stderr, "%s: crond's reply has no job number or time\n", cli->prog);
		rc = -1;
	}
	proto_msg_free(&reply);
	return rc;
}

/* A local error, its message written: when standard error is HELD (the
 * access check skipped), ask crond now; a user it refuses reads only the
 * refusal, as the check would have told them first. AT_EXIT_FAIL. */
static int local_error(struct at_conn *conn, bool held)
{
	if (held)
		(void)at_conn_denied(conn, NULL);
	return AT_EXIT_FAIL;
}

/* Standard error's buffer while it is held (see the top of this file): the
 * lines before the submission's answer fit many times over; more would
 * only be written out early. */
static char held_stderr[8192];

/* Ctrl-C at the at> prompt: nothing is queued yet; exit 1, as Debian's at
 * does, rather than die of the signal. */
static void interrupted(int sig)
{
	(void)sig;
	_exit(AT_EXIT_FAIL);
}

int at_cmd_submit(const struct at_cli *cli)
{
	bool typed = cli->file == NULL && isatty(STDIN_FILENO);
	if (typed) {
		struct sigaction sa = { .sa_handler = interrupted };
		(void)sigaction(SIGINT, &sa, NULL);   /* the default otherwise: no harm */
	}
	bool held = !typed && setvbuf(stderr, held_stderr, _IOFBF, sizeof(held_stderr)) == 0;
	struct tz *zone = at_zone_load(cli->prog);
	struct at_conn conn;
	time_t when;
	if (zone == NULL || at_conn_init(&conn, cli) < 0 || (!held && at_conn_probe(&conn, NULL) < 0)) {
		tz_free(zone);
		return AT_EXIT_FAIL;
	}
	time_t started = time(NULL);   /* "now", once: both lines say it */
	if (at_when(cli, started, &when) < 0) {
		tz_free(zone);
		return local_error(&conn, held);
	}
	/* at -b is `at now` to the second, the same on both lines however
	 * long the job takes to type, as Debian shows it (with -t, the time
	 * given). */
	bool to_second = cli->dash_b && cli->posix_time == NULL;
	char shown[64];
	at_ctime(zone, to_second ? started : when, shown, sizeof(shown));
	if (cli->verbose)
		fprintf(stderr, "%s\n\n", shown);
	if (!cli->dash_b)
		fputs("warning: commands will be executed using /bin/sh\n", stderr);
	struct capture cap;
	/* -u USER: crond looks USER up, here before the job is read (Debian's
	 * words: "at: Cannot find username USER"). A name no user can have
	 * (empty, or longer than crond keeps) is said without asking. */
	if (cli->mail_to != NULL &&
	    (cli->mail_to[0] == '\0' || strlen(cli->mail_to) > SPOOL_NAME_MAX)) {
		fprintf(stderr, "%s: Cannot find username %s\n", cli->prog, cli->mail_to);
		tz_free(zone);
		return local_error(&conn, held);
	}
	if (cli->mail_to != NULL &&
	    (held ? at_conn_denied(&conn, cli->mail_to) : at_conn_probe(&conn, cli->mail_to) < 0)) {
		tz_free(zone);
		return AT_EXIT_FAIL;
	}
	if (capture(cli, &cap) < 0) {
		tz_free(zone);
		return local_error(&conn, held);
	}
	if (typed)
		fprintf(stderr, "at %s\n", shown);
	char *script = NULL;
	size_t len = 0;
	int64_t id = 0, at = 0;
	int rc = AT_EXIT_FAIL;
	if (at_read_job(cli, &script, &len) < 0)
		rc = local_error(&conn, held);
	else if (submit(&conn, cli, when, script, len, &cap, &id, &at, held) == 0) {
		at_ctime(zone, to_second ? started : at, shown, sizeof(shown));
		fprintf(stderr, "job %lld at %s\n", (long long)id, shown);
		rc = AT_EXIT_OK;
	}
	free(script);
	capture_free(&cap);
	tz_free(zone);
	return rc;
}
