/* atq/remove.c: `atrm JOB...`, `at -r JOB...`, `at -d JOB...`.
 *
 * Every number is checked first (a malformed one removes nothing), then
 * crond removes each job it may and explains each it may not, one line per
 * job: "Cannot find jobid 12", "12: Not owner" (Debian's words), "atrm: job
 * 12 is running and cannot be removed". The others are still removed; the
 * exit status is 1 if any was not. Nothing is printed for a removed job.
 * crond takes at most ATRM_BATCH numbers per request; more go in several.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "atq/cli.h"
#include "lib/proto_msgs.h"

#define ATRM_BATCH 1000

/* Prints the failures among the rows of REPLY, one per operand of OPS in
 * order; returns how many. */
static size_t report(const struct at_cli *cli, const struct proto_msg *reply,
                     char *const *ops, size_t n)
{
	size_t failed = 0, k = 0;
	struct proto_iter it;
	struct proto_field f;
	proto_iter_init(&it, reply, TAG_ROW);
	while (proto_iter_next(&it, &f)) {
		struct proto_msg row;
		uint32_t code = MSGE_INTERNAL;
		int64_t id = AT_NO_JOB;
		const uint8_t *text = NULL;
		size_t len = 0;
		if (proto_field_nested(&f, &row, NULL) == PROTO_OK) {
			(void)proto_get_u32(&row, TAG_ERROR_CODE, &code, NULL);
			(void)proto_get_i64(&row, TAG_JOB_ID, &id, NULL);
			(void)proto_get_bytes(&row, TAG_ERROR_TEXT, &text, &len, NULL);
		}
		bool empty = k < n && ops[k][0] == '\0';
		k++;
		if (code == MSGE_NONE)
			continue;
		failed++;
		char msg[512];
		if (len > 0)
			snprintf(msg, sizeof(msg), "%.*s", (int)(len > 500 ? 500 : len),
			         (const char *)text);
		else
			snprintf(msg, sizeof(msg), "cannot remove job %lld", (long long)id);
		at_print_refusal(cli->prog, code, msg, empty ? AT_EMPTY_JOB : id);
	}
	return failed;
}

/* Removes IDS[0..N), the operands OPS[0..N); -1 if crond could not be
 * asked, else the failures. */
static long remove_batch(struct at_conn *conn, const struct at_cli *cli, const int64_t *ids,
                         char *const *ops, size_t n)
{
	struct proto_buf req;
	struct proto_msg reply;
	if (at_conn_request(conn, &req, MSG_AT_REMOVE) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		(void)proto_buf_add_i64(&req, TAG_JOB_ID, ids[i]);
	if (at_conn_call(conn, &req, &reply) < 0)
		return -1;
	size_t rows = proto_count(&reply, TAG_ROW);
	long failed = (long)report(cli, &reply, ops, n);
	proto_msg_free(&reply);
	if (rows != n) {
		fprintf(stderr, "%s: crond answered for %zu of %zu jobs\n", cli->prog, rows, n);
		failed++;
	}
	return failed;
}

int at_cmd_remove(const struct at_cli *cli)
{
	int64_t *ids;
	struct at_conn conn;
	if (at_conn_for_jobs(&conn, cli, "unknown jobid", &ids) < 0)
		return AT_EXIT_FAIL;
	int rc = AT_EXIT_OK;
	for (size_t done = 0; done < (size_t)cli->nargs;) {
		size_t n = (size_t)cli->nargs - done;
		if (n > ATRM_BATCH)
			n = ATRM_BATCH;
		long failed = remove_batch(&conn, cli, ids + done, cli->args + done, n);
		if (failed != 0)
			rc = AT_EXIT_FAIL;
		if (failed < 0)
			break;
		done += n;
	}
	free(ids);
	return rc;
}
