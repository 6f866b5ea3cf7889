/* crontab-cli/run.c: `crontab [-u USER] --run LINE` and, for root,
 * `crontab --run /etc/cron.d/FILE:LINE`.
 *
 * Asks crond to run the entry on line LINE of the installed crontab now,
 * exactly as a scheduled run (same user, environment, directory, shell,
 * limits and job slots), and prints its output as it comes (stdout and
 * stderr of the job are one stream, as cron mails them). The exit status
 * is the job's: its exit status, 128+N when a signal N ended it (as a shell
 * says it), 126 when it could not start, 125 when it did not run at all
 * (refused, no such entry, crond not reachable). Interrupting crontab does
 * not stop the job: crond keeps it running and records it.
 *
 * Another user's job (root's -u USER, a system crontab's line) writes
 * what it likes: on a terminal its output is shown escaped (lib/safetext.h),
 * as crontab -l -u shows their crontab, so it cannot drive root's
 * terminal; crond's messages, which may quote a user's text (a SHELL that
 * cannot be executed), always are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/store.h"
#include "lib/client.h"
#include "lib/proto_client.h"
#include "lib/proto_msgs.h"
#include "lib/safetext.h"

/* What LINE names: a line of the user's crontab, or PATH:LINE of a system
 * crontab. 0, or prints a usage error and returns EXIT_RUN_NOT_RUN. */
static int parse_target(const char *arg, const char **path, size_t *path_len, uint32_t *line)
{
	const char *colon = strrchr(arg, ':');
	const char *num = arg;
	*path = NULL;
	*path_len = 0;
	if (colon != NULL) {
		if (arg[0] != '/' || colon == arg + 1) {
			fprintf(stderr, "crontab: --run takes a line number, or the absolute path of a "
			        "system crontab, ':' and a line number; not '%s'\n", arg);
			return -1;
		}
		*path = arg;
		*path_len = (size_t)(colon - arg);
		num = colon + 1;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(num, &end, 10);
	if (num[0] < '0' || num[0] > '9' || *end != '\0' || errno != 0 || v < 1 || v > 1000000) {
		fprintf(stderr, "crontab: --run: '%s' is not a line number (1 or more)\n", num);
		return -1;
	}
	*line = (uint32_t)v;
	return 0;
}

/* crond's text in field F of M, escaped, into BUF of SIZE bytes. */
static void message_text(const struct proto_field *f, char *buf, size_t size)
{
	(void)safetext_escape(f->data, f->len > 500 ? 500 : f->len, buf, size);
}

static int write_all(const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The last frame: what the run came to, and crontab's exit status. */
static int run_ended(const struct proto_msg *m, uint32_t line)
{
	uint32_t status = 0, sig = 0, flags = 0;
	int64_t dropped = 0;
	(void)proto_get_u32(m, TAG_STATUS, &status, NULL);
	(void)proto_get_u32(m, TAG_SIGNAL, &sig, NULL);
	(void)proto_get_u32(m, TAG_FLAGS, &flags, NULL);
	(void)proto_get_i64(m, TAG_RUN_DROPPED, &dropped, NULL);
	char why[2048] = "";
	struct proto_field f;
	if (proto_find(m, TAG_ERROR_TEXT, &f, NULL) == PROTO_OK)
		message_text(&f, why, sizeof(why));
	if (dropped > 0)
		fprintf(stderr, "crontab: %lld bytes of output were not shown (crontab did not read "
		        "them fast enough); crontab --history keeps the first ones\n",
		        (long long)dropped);
	if (flags & RUNF_START_FAILED) {
		fprintf(stderr, "crontab: line %u could not start: %s\n", line,
		        why[0] ? why : "see crond's log");
		return EXIT_RUN_NO_START;
	}
	if (flags & (RUNF_SKIPPED | RUNF_QUEUE_FULL | RUNF_COALESCED | RUNF_CANCELLED)) {
		const char *reason = why[0] ? why
			: flags & RUNF_CANCELLED ? "the entry was removed or replaced"
			: flags & RUNF_SKIPPED ? "its previous run is still going (CRON_OVERLAP=skip)"
			: "too many runs are waiting for a job slot";
		fprintf(stderr, "crontab: line %u did not run: %s\n", line, reason);
		return EXIT_RUN_NOT_RUN;
	}
	if (flags & RUNF_INTERRUPTED)
		fprintf(stderr, "crontab: crond stopped while line %u ran\n", line);
	if (flags & RUNF_TIMED_OUT)
		fprintf(stderr, "crontab: line %u ran past its CRON_TIMEOUT and was stopped\n", line);
	if (sig != 0) {
		fprintf(stderr, "crontab: line %u was killed by signal %u (%s)\n", line, sig,
		        strsignal((int)sig));
		return 128 + (int)(sig & 0x7f);
	}
	return (int)(status & 0xff);
}

/* Reads the stream until its last frame; ESCAPE: the output is another
 * user's, shown on a terminal. */
static int follow(struct store *st, int fd, uint32_t line, bool escape)
{
	for (;;) {
		struct proto_msg m = { 0 };
		struct proto_error pe = { 0 };
		if (proto_client_recv(fd, &m, CLIENT_MAX_REPLY, -1, &pe) != PROTO_OK) {
			if (pe.code == PROTO_E_EOF)
				fprintf(stderr, "crontab: crond closed the connection before the run "
				        "ended (crontab --history shows how it went)\n");
			else
				fprintf(stderr, "crontab: %s\n", pe.msg);
			return EXIT_RUN_NOT_RUN;
		}
		const uint8_t *data;
		size_t n;
		uint32_t state = 0, code = MSGE_INTERNAL;
		int rc = -1;
		switch (m.type) {
		case MSG_RUN_OUTPUT:
			if (proto_get_bytes(&m, TAG_RUN_DATA, &data, &n, NULL) == PROTO_OK &&
			    (escape ? safetext_fputs_lines(data, n, stdout) != 0 || fflush(stdout) != 0
			            : write_all(data, n) < 0)) {
				fprintf(stderr, "crontab: cannot write the output: %s (the run goes on)\n",
				        strerror(errno));
				rc = EXIT_RUN_NOT_RUN;
			}
			break;
		case MSG_RUN_STATE:
			if (proto_get_u32(&m, TAG_RUN_STATE, &state, NULL) == PROTO_OK &&
			    state == RUN_STATE_WAITING)
				fprintf(stderr, "crontab: waiting for a free job slot...\n");
			break;
		case MSG_RUN_END:
			rc = run_ended(&m, line);
			break;
		case MSG_ERROR: {
			char text[2048] = "crond refused to run it";
			struct proto_field f;
			(void)proto_get_u32(&m, TAG_ERROR_CODE, &code, NULL);
			if (proto_find(&m, TAG_ERROR_TEXT, &f, NULL) == PROTO_OK)
				message_text(&f, text, sizeof(text));
			store_print_error(st, code, text);
			rc = EXIT_RUN_NOT_RUN;
			break;
		}
		default:
			fprintf(stderr, "crontab: unexpected message type %u from crond\n", m.type);
			rc = EXIT_RUN_NOT_RUN;
		}
		proto_msg_free(&m);
		if (rc >= 0)
			return rc;
	}
}

int crontab_cmd_run(const struct crontab_cli *cli)
{
	const char *path;
	size_t path_len;
	uint32_t line;
	if (parse_target(cli->run, &path, &path_len, &line) < 0)
		return EXIT_RUN_NOT_RUN;
	if (path != NULL && cli->user != NULL) {
		fprintf(stderr, "crontab: -u does not go with a system crontab's line\n");
		return EXIT_RUN_NOT_RUN;
	}
	struct cli_user who;
	struct store st;
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return EXIT_RUN_NOT_RUN;
	struct client c;
	int no_daemon;
	char err[PROTO_ERRMSG_SIZE + CONFIG_PATH_MAX];
	if (client_open(&st.cfg, &c, &no_daemon, err, sizeof(err)) < 0) {
		fprintf(stderr, "crontab: %s; --run needs crond\n", err);
		return EXIT_RUN_NOT_RUN;
	}
	struct proto_buf req = { 0 };
	(void)proto_buf_init(&req, MSG_RUN);
	(void)proto_buf_add_u32(&req, TAG_RUN_LINE, line);
	if (who.named)
		(void)proto_buf_add_str(&req, TAG_USER, who.name);
	if (path != NULL)
		(void)proto_buf_add_bytes(&req, TAG_RUN_SOURCE, path, path_len);
	struct proto_error pe = { 0 };
	int rc;
	if (proto_client_send(c.fd, &req, CLIENT_CALL_TIMEOUT_MS, &pe) != PROTO_OK &&
	    pe.code != PROTO_E_EOF) {
		fprintf(stderr, "crontab: %s\n", pe.msg);
		rc = EXIT_RUN_NOT_RUN;
	} else {
		bool theirs = path != NULL || who.uid != getuid();
		/* an early close comes with crond's reason */
		rc = follow(&st, c.fd, line, theirs && isatty(STDOUT_FILENO));
	}
	proto_buf_free(&req);
	client_close(&c);
	return rc;
}
