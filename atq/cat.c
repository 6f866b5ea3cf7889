/* atq/cat.c: `at -c JOB...`: each job as a shell script (jobscript.h), one
 * after the other on standard output.
 *
 * A job that cannot be shown ("Cannot find jobid 12", "12: Not owner", as
 * Debian's) is reported and the others are still shown; the exit status is
 * 1 if any was not. Another user's job shown on a terminal has its
 * control characters escaped (write_job).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "atq/cli.h"
#include "atq/jobscript.h"
#include "lib/proto_msgs.h"
#include "lib/safetext.h"

/* What a MSG_AT_GET reply gives that must be copied out of it. */
struct owned {
	char *user;
	char *cwd;
	char **env;
};

static void owned_free(struct owned *o)
{
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++)
		free(o->env[i]);
	free(o->env);
	free(o->user);
	free(o->cwd);
}

/* The fields of a MSG_AT_GET reply into JOB: strings copied into O (free
 * with owned_free, also on failure), the script pointing into REPLY.
 * 0, or -1 when a field is missing or memory is short. */
static int decode(const struct proto_msg *reply, struct jobscript *job, struct owned *o)
{
	const uint8_t *script;
	if (proto_get_str(reply, TAG_USER, &o->user, NULL) != PROTO_OK ||
	    proto_get_str(reply, TAG_CWD, &o->cwd, NULL) != PROTO_OK ||
	    proto_get_u32(reply, TAG_UID, &job->uid, NULL) != PROTO_OK ||
	    proto_get_u32(reply, TAG_GID, &job->gid, NULL) != PROTO_OK ||
	    proto_get_u32(reply, TAG_UMASK, &job->umask, NULL) != PROTO_OK ||
	    proto_get_bytes(reply, TAG_SCRIPT, &script, &job->script_len, NULL) != PROTO_OK)
		return -1;
	job->user = o->user;
	/* "# mail USER": whom the mail goes to, as Debian's at -c shows it. */
	char *to = NULL;
	if (proto_get_str(reply, TAG_MAIL_TO, &to, NULL) == PROTO_OK) {
		free(o->user);
		job->user = o->user = to;
	}
	job->cwd = o->cwd;
	job->script = (const char *)script;
	if (proto_get_u32(reply, TAG_MAIL, &job->mail, NULL) != PROTO_OK)
		job->mail = MAIL_DEFAULT;
	size_t n = proto_count(reply, TAG_ENV);
	if ((o->env = calloc(n + 1, sizeof(*o->env))) == NULL)
		return -1;
	struct proto_iter it;
	struct proto_field f;
	proto_iter_init(&it, reply, TAG_ENV);
	job->n_env = 0;
	while (job->n_env < n && proto_iter_next(&it, &f))
		if (proto_field_strdup(&f, &o->env[job->n_env++], NULL) != PROTO_OK)
			return -1;
	job->env = (const char *const *)o->env;
	return 0;
}

/* Writes JOB's script to stdout: as it is, but for another user's job on
 * a terminal, whose control characters are escaped (lib/safetext.h) so
 * that bytes its owner chose never command root's terminal. 0 or -1. */
static int write_job(const struct jobscript *job)
{
	if (job->uid == getuid() || !isatty(STDOUT_FILENO))
		return jobscript_write(stdout, job);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem == NULL)
		return -1;
	int rc = jobscript_write(mem, job);
	if (fclose(mem) != 0)
		rc = -1;
	if (rc == 0)
		rc = safetext_fputs_lines(text, len, stdout);
	free(text);
	return rc;
}

/* Shows job ID, given as OPERAND: 0, or -1 (printed). */
static int cat_one(struct at_conn *conn, const struct at_cli *cli, int64_t id,
                   const char *operand)
{
	struct proto_buf req;
	struct proto_msg reply;
	if (at_conn_request(conn, &req, MSG_AT_GET) < 0)
		return -1;
	(void)proto_buf_add_i64(&req, TAG_JOB_ID, id);
	if (at_conn_call_job(conn, &req, &reply, operand[0] == '\0' ? AT_EMPTY_JOB : id) < 0)
		return -1;
	struct jobscript job = { 0 };
	struct owned o = { 0 };
	int rc = decode(&reply, &job, &o);
	if (rc < 0)
		fprintf(stderr, "%s: crond's reply for job %lld is incomplete\n", cli->prog,
		        (long long)id);
	else if ((rc = write_job(&job)) < 0 || (rc = fflush(stdout)) != 0)
		fprintf(stderr, "%s: cannot write to standard output\n", cli->prog);
	owned_free(&o);
	proto_msg_free(&reply);
	return rc < 0 || rc == EOF ? -1 : 0;
}

int at_cmd_cat(const struct at_cli *cli)
{
	int64_t *ids;
	struct at_conn conn;
	if (at_conn_for_jobs(&conn, cli, "unknown jobid", &ids) < 0)
		return AT_EXIT_FAIL;
	int rc = AT_EXIT_OK;
	for (int i = 0; i < cli->nargs; i++)
		if (cat_one(&conn, cli, ids[i], cli->args[i]) < 0)
			rc = AT_EXIT_FAIL;
	free(ids);
	return rc;
}
