/* crontab-cli/store_history.c: the run history through crond (see store.h).
 *
 * Kept apart from store.c because reading rows is its own small decoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/store.h"
#include "crontab-cli/store_spool.h"
#include "lib/client.h"

void store_runs_free(struct store_run *runs, size_t n)
{
	for (size_t i = 0; runs && i < n; i++) {
		free(runs[i].command);
		free(runs[i].output);
		free(runs[i].node);
	}
	free(runs);
}

/* A copy of field TAG of ROW as a NUL-terminated string (empty if absent). */
static char *get_text(const struct proto_msg *row, uint16_t tag, size_t *len)
{
	char *s;
	enum proto_code rc = proto_get_bytes_copy(row, tag, &s, len);
	if (rc == PROTO_E_NOMEM || rc == PROTO_OK)
		return s;
	if (len)
		*len = 0;
	return strdup("");   /* absent: empty (NULL only when out of memory) */
}

/* Decodes one TAG_ROW field into OUT: 0, or -1 (malformed or no memory). */
static int decode_row(const struct proto_field *f, struct store_run *out)
{
	struct proto_msg row;
	memset(out, 0, sizeof(*out));
	if (proto_field_nested(f, &row, NULL) != PROTO_OK)
		return -1;
	out->command = get_text(&row, TAG_COMMAND, NULL);
	out->output = get_text(&row, TAG_OUTPUT, &out->output_len);
	out->node = get_text(&row, TAG_NODE, NULL);
	if (!out->command || !out->output || !out->node)
		return -1;
	(void)proto_get_i64(&row, TAG_SCHEDULED, &out->scheduled, NULL);
	(void)proto_get_i64(&row, TAG_START, &out->start_ms, NULL);
	(void)proto_get_i64(&row, TAG_END, &out->end_ms, NULL);
	(void)proto_get_u32(&row, TAG_STATUS, &out->status, NULL);
	(void)proto_get_u32(&row, TAG_SIGNAL, &out->signal, NULL);
	(void)proto_get_u32(&row, TAG_FLAGS, &out->flags, NULL);
	(void)proto_get_i64(&row, TAG_OUTPUT_SIZE, &out->output_total, NULL);
	return 0;
}

static int decode_rows(const struct proto_msg *reply, struct store_run **runs, size_t *n)
{
	size_t rows = proto_count(reply, TAG_ROW);
	struct store_run *v = calloc(rows ? rows : 1, sizeof(*v));
	if (!v) {
		fprintf(stderr, "crontab: out of memory\n");
		return STORE_FAIL;
	}
	struct proto_iter it;
	struct proto_field f;
	size_t k = 0;
	proto_iter_init(&it, reply, TAG_ROW);
	while (k < rows && proto_iter_next(&it, &f)) {
		if (decode_row(&f, &v[k++]) < 0) {
			store_runs_free(v, k);
			fprintf(stderr, "crontab: crond sent a malformed history row\n");
			return STORE_FAIL;
		}
	}
	*runs = v;
	*n = k;
	return STORE_OK;
}

int store_history(struct store *st, uint32_t count, struct store_run **runs, size_t *n)
{
	*runs = NULL;
	*n = 0;
	char err[1100];
	int no_daemon = 0;
	struct client c;
	if (client_open(&st->cfg, &c, &no_daemon, st->why, sizeof(st->why)) < 0) {
		if (!no_daemon || getuid() != 0) {
			fprintf(stderr, "crontab: %s\n", st->why);
			return STORE_FAIL;
		}
		int rc = store_spool_history(st, count, runs, n);
		if (rc == STORE_OK)
			store_note_direct(st, true);
		return rc;
	}
	struct proto_buf req;
	if (proto_buf_init(&req, MSG_HISTORY) != PROTO_OK) {
		client_close(&c);
		fprintf(stderr, "crontab: out of memory\n");
		return STORE_FAIL;
	}
	/* Always name the user: root without TAG_USER would get everyone's. */
	(void)proto_buf_add_str(&req, TAG_USER, st->who->name);
	(void)proto_buf_add_u32(&req, TAG_COUNT, count);
	(void)proto_buf_add_str(&req, TAG_KIND, "cron");
	struct proto_msg reply;
	uint32_t code;
	int rc = client_call(&c, &req, &reply, &code, err, sizeof(err));
	client_close(&c);
	if (rc < 0) {
		store_print_error(st, code, err);
		proto_msg_free(&reply);
		return STORE_FAIL;
	}
	rc = decode_rows(&reply, runs, n);
	proto_msg_free(&reply);
	return rc;
}
