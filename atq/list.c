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
 *
 * With --json: one document instead (schema "crond.atq/1" in at(1)):
 * {"schema", "jobs": [{"job", "time", "time_epoch", "queue", "user",
 * "state"}]}, the queue null while the job runs (crond sends "=" then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atq/cli.h"
#include "lib/at_cursor.h"
#include "lib/json_out.h"
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

/* Appends one job to the --json array JOBS; -1 when out of memory. */
static int json_job(json_t *jobs, const struct tz *zone, int64_t id, int64_t at,
                    const struct proto_msg *row, const char *user)
{
	char state[32] = "";
	struct proto_field f;
	if (proto_find(row, TAG_STATE, &f, NULL) == PROTO_OK)
		(void)proto_field_strcpy(&f, state, sizeof(state), NULL);
	bool running = strcmp(state, "running") == 0;
	char queue[2] = { 0 };
	if (proto_find(row, TAG_QUEUE, &f, NULL) == PROTO_OK)
		(void)proto_field_strcpy(&f, queue, sizeof(queue), NULL);
	json_t *j = json_object();
	if (!j || json_object_set_new(j, "job", json_integer(id)) ||
	    json_out_set_time(j, "time", zone, at, true) ||
	    json_object_set_new(j, "queue", running || !queue[0] ? json_null()
	                                                      : json_string(queue)) ||
	    json_object_set_new(j, "user", json_out_bytes(user, strlen(user))) ||
	    json_object_set_new(j, "state", state[0] ? json_string(state) : json_null()) ||
	    json_array_append_new(jobs, j)) {
		json_decref(j);
		return -1;
	}
	return 0;
}

/* Prints one TAG_ROW (or with JOBS, adds it there) when it is among IDS
 * (N of them; none: all) and, with RUNNING_ONLY, running; -1 when crond
 * sent something malformed, -2 when the time does not fit
 * AT_TIME_FORMAT_OUT_MAX with FORMAT, -3 out of memory. */
static int print_row(const struct proto_field *f, const struct tz *zone, const char *format,
                     const int64_t *ids, int n, bool running_only, json_t *jobs)
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
	if (!selected(ids, n, id) || (running_only && strcmp(queue, "=") != 0))
		return 0;
	if (jobs)
		return json_job(jobs, zone, id, at, &row, user) < 0 ? -3 : 0;
	char when[AT_TIME_FORMAT_OUT_MAX];
	if (format == NULL)
		at_ctime(zone, at, when, sizeof(when));
	else if (at_strftime(zone, at, format, when, sizeof(when)) < 0)
		return -2;
	printf("%lld\t%s %s %s\n", (long long)id, when, queue, user);
	return 0;
}

/* One page of the list: the first, or the one after AFTER. */
static int request_list(struct at_conn *conn, const struct at_cli *cli,
                        const struct at_cursor *after, struct proto_msg *reply)
{
	struct proto_buf req;
	if (at_conn_request(conn, &req, MSG_AT_LIST) < 0)
		return -1;
	if (cli->queue != 0 && cli->queue != '=') {   /* '=': print_row picks */
		char queue[2] = { cli->queue, '\0' };
		(void)proto_buf_add_str(&req, TAG_QUEUE, queue);
	}
	if (after)
		(void)at_cursor_add(&req, after);
	return at_conn_call(conn, &req, reply);
}

/* Whether cursor A is strictly after B in the queue's order. */
static bool cursor_after(const struct at_cursor *a, const struct at_cursor *b)
{
	return a->run_at > b->run_at || (a->run_at == b->run_at && a->id > b->id);
}

int at_cmd_list(const struct at_cli *cli)
{
	int64_t *ids = NULL;
	struct at_conn conn;
	int bad;
	if (at_listed_ids(cli, &ids, &bad) < 0) {
		/* a user at.deny refuses is told so first, as by Debian's atq */
		if (bad >= 0 && (at_conn_init(&conn, cli) < 0 || !at_conn_denied(&conn, NULL)))
			at_job_id_error(cli, "invalid job number", bad);
		return AT_EXIT_FAIL;
	}
	struct tz *zone = at_zone_load(cli->prog);
	struct proto_msg reply;
	if (zone == NULL || at_conn_init(&conn, cli) < 0 ||
	    request_list(&conn, cli, NULL, &reply) < 0) {
		tz_free(zone);
		free(ids);
		return AT_EXIT_FAIL;
	}
	int rc = AT_EXIT_OK;
	struct proto_iter it;
	struct proto_field f;
	json_t *jobs = NULL, *doc = NULL;
	if (cli->json) {
		doc = json_object();
		jobs = json_array();
		if (!doc || !jobs || json_object_set_new(doc, "schema", json_string("crond.atq/1")) ||
		    json_object_set_new(doc, "jobs", jobs)) {
			fprintf(stderr, "%s: out of memory\n", cli->prog);
			rc = AT_EXIT_FAIL;
		}
	}
	/* Page by page: a reply that stops before the end carries the cursor
	 * to ask the rest with (lib/at_cursor.h). */
	struct at_cursor cur;
	bool paging = false;
	for (;;) {
		proto_iter_init(&it, &reply, TAG_ROW);
		while (rc == AT_EXIT_OK && proto_iter_next(&it, &f)) {
			int r = print_row(&f, zone, cli->time_format, ids, cli->nargs,
			                  cli->queue == '=', jobs);
			if (r == -1)
				fprintf(stderr, "%s: crond sent a malformed job row\n", cli->prog);
			else if (r == -3)
				fprintf(stderr, "%s: out of memory\n", cli->prog);
			else if (r < 0)
				fprintf(stderr, "%s: -o FORMAT makes a time longer than %d bytes\n",
				        cli->prog, AT_TIME_FORMAT_OUT_MAX - 1);
			if (r < 0)
				rc = AT_EXIT_FAIL;
		}
		struct at_cursor next;
		bool more = rc == AT_EXIT_OK && at_cursor_get(&reply, &next) == PROTO_OK;
		proto_msg_free(&reply);
		if (!more)
			break;
		if (paging && !cursor_after(&next, &cur)) {
			fprintf(stderr, "%s: crond's list cursor did not move on\n", cli->prog);
			rc = AT_EXIT_FAIL;
			break;
		}
		cur = next;
		paging = true;
		if (request_list(&conn, cli, &cur, &reply) < 0) {
			rc = AT_EXIT_FAIL;
			break;
		}
	}
	tz_free(zone);
	free(ids);
	if (doc && rc == AT_EXIT_OK && json_out_print(doc, stdout) < 0) {
		fprintf(stderr, "%s: cannot write to standard output\n", cli->prog);
		return AT_EXIT_FAIL;
	}
	if (doc && rc != AT_EXIT_OK)
		json_decref(doc);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write to standard output\n", cli->prog);
		rc = AT_EXIT_FAIL;
	}
	return rc;
}
