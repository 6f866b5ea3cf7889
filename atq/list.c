/* atq/list.c: `atq [-q Q] [JOB...]`, `at -l`: the queued jobs.
 *
 * One line per job, as Debian's atq prints it:
 *
 *   12<TAB>Sat Mar  7 16:00:00 2026 a alice
 *
 * number, run time in the local zone (with -o FORMAT: strftime(3) with
 * FORMAT, as Debian's atq -o), queue ('=' while it runs), owner; sorted by
 * run time (crond sends them so). A user sees their own jobs,
 * root everyone's. Job numbers given as operands select those jobs; a
 * number that matches nothing is not an error (as Debian).
 */
#include <stdio.h>
#include <stdlib.h>

#include "atq/cli.h"
#include "lib/proto_msgs.h"

static bool selected(const int64_t *ids, int n, int64_t id)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Prints one TAG_ROW; -1 when crond sent something malformed, -2 when the
 * time does not fit AT_TIME_FORMAT_OUT_MAX with FORMAT. */
static int print_row(const struct proto_field *f, const struct tz *zone, const char *format,
                     const int64_t *ids, int n)
{
	struct proto_msg row;
	int64_t id, at;
	char queue[2], user[CONFIG_PATH_MAX];
	if (proto_field_nested(f, &row, NULL) != PROTO_OK ||
	    proto_get_i64(&row, TAG_JOB_ID, &id, NULL) != PROTO_OK ||
	    proto_get_i64(&row, TAG_TIME, &at, NULL) != PROTO_OK)
		return -1;
	struct proto_field q, u;
	if (proto_find(&row, TAG_QUEUE, &q, NULL) != PROTO_OK ||
	    proto_field_strcpy(&q, queue, sizeof(queue), NULL) != PROTO_OK ||
	    proto_find(&row, TAG_USER, &u, NULL) != PROTO_OK ||
	    proto_field_strcpy(&u, user, sizeof(user), NULL) != PROTO_OK)
		return -1;
	if (!selected(ids, n, id))
		return 0;
	char when[AT_TIME_FORMAT_OUT_MAX];
	if (format == NULL)
		at_ctime(zone, at, when, sizeof(when));
	else if (at_strftime(zone, at, format, when, sizeof(when)) < 0)
		return -2;
	printf("%lld\t%s %s %s\n", (long long)id, when, queue, user);
	return 0;
}

static int request_list(struct at_conn *conn, const struct at_cli *cli,
                        struct proto_msg *reply)
{
	struct proto_buf req;
	if (at_conn_request(conn, &req, MSG_AT_LIST) < 0)
		return -1;
	if (cli->queue != 0) {
		char queue[2] = { cli->queue, '\0' };
		(void)proto_buf_add_str(&req, TAG_QUEUE, queue);
	}
	return at_conn_call(conn, &req, reply);
}

int at_cmd_list(const struct at_cli *cli)
{
	int64_t *ids = NULL;
	struct at_conn conn;
	if (at_job_ids(cli, "invalid job number", &ids) < 0)
		return AT_EXIT_FAIL;
	struct tz *zone = at_zone_load(cli->prog);
	struct proto_msg reply;
	if (zone == NULL || at_conn_init(&conn, cli) < 0 ||
	    request_list(&conn, cli, &reply) < 0) {
		tz_free(zone);
		free(ids);
		return AT_EXIT_FAIL;
	}
	int rc = AT_EXIT_OK;
	struct proto_iter it;
	struct proto_field f;
	proto_iter_init(&it, &reply, TAG_ROW);
	while (rc == AT_EXIT_OK && proto_iter_next(&it, &f)) {
		int r = print_row(&f, zone, cli->time_format, ids, cli->nargs);
		if (r == -1)
			fprintf(stderr, "%s: crond sent a malformed job row\n", cli->prog);
		else if (r < 0)
			fprintf(stderr, "%s: -o FORMAT makes a time longer than %d bytes\n",
			        cli->prog, AT_TIME_FORMAT_OUT_MAX - 1);
		if (r < 0)
			rc = AT_EXIT_FAIL;
	}
	proto_msg_free(&reply);
	tz_free(zone);
	free(ids);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write to standard output\n", cli->prog);
		rc = AT_EXIT_FAIL;
	}
	return rc;
}
