/* atq/conn.c: the at family's requests to crond (see cli.h).
 *
 * One connection per request: `at` may sit at its "at> " prompt for an
 * hour between checking that crond runs and submitting, and crond drops
 * idle clients. There is no fallback to the spool when crond is down: at
 * jobs only run when crond does, so submitting them directly would only
 * hide the problem.
 *
 * crond's refusals are printed with Debian's words first, as scripts grep
 * them (at_print_refusal): "You do not have permission to use at.",
 * "Cannot find jobid 12", "12: Not owner", then crond's own detail.
 */
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "atq/cli.h"
#include "lib/client.h"
#include "lib/proto_msgs.h"

int at_conn_init(struct at_conn *c, const struct at_cli *cli)
{
	memset(c, 0, sizeof(*c));
	c->prog = cli->prog;
	struct diag_list diags = { 0 };
	bool named;
	const char *path = config_choose_path(cli->config, &named);
	if (config_load(cli->config, &c->cfg, &diags) == 0) {
		diag_list_clear(&diags);
		return 0;
	}
	for (size_t i = 0; i < diags.count; i++) {
		const struct diag *d = &diags.items[i];
		char line[DIAG_MSG_MAX + CONFIG_PATH_MAX + 64];
		/* A file that cannot be read is reported with its name already. */
		if (d->line == 0 && strncmp(d->msg, path, strlen(path)) == 0)
			snprintf(line, sizeof(line), "%s", d->msg);
		else
			diag_format(d, path, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", c->prog, line);
	}
	if (diags.dropped)
		fprintf(stderr, "%s: %s: %zu more errors not shown\n", c->prog, path, diags.dropped);
	diag_list_clear(&diags);
	return -1;
}

int at_conn_for_jobs(struct at_conn *c, const struct at_cli *cli, const char *what,
                     int64_t **ids)
{
	int bad;
	int rc = at_job_ids(cli, ids, &bad);
	if (rc < 0 && bad < 0)
		return -1;   /* out of memory, said */
	if (at_conn_init(c, cli) < 0) {
		free(*ids);
		*ids = NULL;
		return -1;
	}
	if (rc < 0 && !at_conn_denied(c, NULL))
		at_job_id_error(cli, what, bad);
	return rc;
}

int at_conn_check(struct at_conn *c, const char *mail_to, uint32_t *code, char *err,
                  size_t errlen)
{
	struct proto_buf req;
	struct client cl;
	struct proto_msg reply;
	int no_daemon;
	*code = 0;
	if (client_open(&c->cfg, &cl, &no_daemon, err, errlen) < 0)
		return -1;
	if (proto_buf_init(&req, MSG_ACCESS) != PROTO_OK) {
		snprintf(err, errlen, "out of memory");
		client_close(&cl);
		return -1;
	}
	(void)proto_buf_add_str(&req, TAG_KIND, "at");
	if (mail_to != NULL)
		(void)proto_buf_add_str(&req, TAG_MAIL_TO, mail_to);
	int rc = client_call(&cl, &req, &reply, code, err, errlen);
	client_close(&cl);
	proto_msg_free(&reply);
	return rc < 0 ? -1 : 0;
}

int at_conn_probe(struct at_conn *c, const char *mail_to)
{
	uint32_t code;
	char err[PROTO_ERRMSG_SIZE + CONFIG_PATH_MAX];
	if (at_conn_check(c, mail_to, &code, err, sizeof(err)) == 0)
		return 0;
	if (code == 0)
		fprintf(stderr, "%s: %s\n", c->prog, err);
	else
		at_print_refusal(c->prog, code, err, AT_NO_JOB);
	return -1;
}

bool at_conn_denied(struct at_conn *c, const char *mail_to)
{
	uint32_t code;
	char err[PROTO_ERRMSG_SIZE + CONFIG_PATH_MAX];
	if (at_conn_check(c, mail_to, &code, err, sizeof(err)) == 0 || code == 0 ||
	    (code != MSGE_DENIED && mail_to == NULL))
		return false;
	if (code == MSGE_DENIED)
		__fpurge(stderr);   /* an error held there (atq/submit.c) is not said */
	at_print_refusal(c->prog, code, err, AT_NO_JOB);
	return true;
}

void at_print_refusal(const char *prog, uint32_t code, const char *text, int64_t job)
{
	if (code == MSGE_DENIED)
		fprintf(stderr, "You do not have permission to use %s. crond: %s\n", prog, text);
	else if (code == MSGE_NOT_FOUND && job == AT_EMPTY_JOB)
		fprintf(stderr, "Cannot find jobid \n");
	else if (code == MSGE_NOT_FOUND && job != AT_NO_JOB)
		fprintf(stderr, "Cannot find jobid %lld\n", (long long)job);
	else if (code == MSGE_PERM && job >= 0)
		fprintf(stderr, "%lld: Not owner\n", (long long)job);
	else
		fprintf(stderr, "%s: %s\n", prog, text);
}

int at_conn_request(struct at_conn *c, struct proto_buf *req, uint16_t type)
{
	if (proto_buf_init(req, type) == PROTO_OK)
		return 0;
	fprintf(stderr, "%s: out of memory\n", c->prog);
	return -1;
}

int at_conn_call(struct at_conn *c, struct proto_buf *req, struct proto_msg *reply)
{
	return at_conn_call_job(c, req, reply, AT_NO_JOB);
}

int at_conn_call_job(struct at_conn *c, struct proto_buf *req, struct proto_msg *reply,
                     int64_t job)
{
	struct client cl;
	int no_daemon;
	char err[PROTO_ERRMSG_SIZE + CONFIG_PATH_MAX];
	*reply = (struct proto_msg){ 0 };
	if (req->failed != PROTO_OK) {
		fprintf(stderr, "%s: cannot build the request: %s\n", c->prog,
		        proto_code_name(req->failed));
		proto_buf_free(req);
		return -1;
	}
	if (client_open(&c->cfg, &cl, &no_daemon, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		proto_buf_free(req);
		return -1;
	}
	uint32_t code;
	int rc = client_call(&cl, req, reply, &code, err, sizeof(err));
	client_close(&cl);
	if (rc == 0)
		return 0;
	proto_msg_free(reply);
	at_print_refusal(c->prog, code, err, job);
	return -1;
}
