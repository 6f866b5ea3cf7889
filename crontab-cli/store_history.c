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
#include "lib/history_cursor.h"

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

/* Appends REPLY's rows to *RUNS (*N of *CAP). */
static int decode_rows(const struct proto_msg *reply, struct store_run **runs, size_t *n,
                       size_t *cap)
{
	size_t rows = proto_count(reply, TAG_ROW);
	if (*n + rows > *cap) {
		size_t want = *cap * 2 > *n + rows ? *cap * 2 : *n + rows;
		struct store_run *v = realloc(*runs, (want ? want : 1) * sizeof(*v));
		if (!v) {
			fprintf(stderr, "crontab: out of memory\n");
			return STORE_FAIL;
		}
		*runs = v;
		*cap = want;
	}
	struct proto_iter it;
	struct proto_field f;
	size_t k = 0;
	proto_iter_init(&it, reply, TAG_ROW);
	while (k < rows && proto_iter_next(&it, &f)) {
		if (decode_row(&f, &(*runs)[*n]) < 0) {
			struct store_run *r = &(*runs)[*n];   /* its parts; the array stays */
			free(r->command);
			free(r->output);
			free(r->node);
			fprintf(stderr, "crontab: crond sent a malformed history row\n");
			return STORE_FAIL;
		}
		++*n;
		k++;
	}
	return STORE_OK;
}

/* One MSG_HISTORY request for COUNT runs older than CUR (NULL: the
 * newest), its rows appended to *RUNS (*N of *CAP); *CUT and *NEXT (with
 * *HAS_NEXT) say whether crond cut the reply and where to go on. */
static int history_page(struct store *st, struct client *c, uint32_t count,
                        const struct history_cursor *cur, struct store_run **runs, size_t *n,
                        size_t *cap, bool *cut, struct history_cursor *next, bool *has_next)
{
	char err[1100];
	struct proto_buf req;
	if (proto_buf_init(&req, MSG_HISTORY) != PROTO_OK) {
		fprintf(stderr, "crontab: out of memory\n");
		return STORE_FAIL;
	}
	/* Always name the user: root without TAG_USER would get everyone's. */
	(void)proto_buf_add_str(&req, TAG_USER, st->who->name);
	(void)proto_buf_add_u32(&req, TAG_COUNT, count);
	(void)proto_buf_add_str(&req, TAG_KIND, "cron");
	if (cur)
		(void)history_cursor_add(&req, cur);
	struct proto_msg reply;
	uint32_t code;
	int rc = client_call(c, &req, &reply, &code, err, sizeof(err));
	if (rc < 0) {
		store_print_error(st, code, err);
		proto_msg_free(&reply);
		return STORE_FAIL;
	}
	rc = decode_rows(&reply, runs, n, cap);
	uint32_t sent;
	*cut = proto_get_u32(&reply, TAG_COUNT, &sent, NULL) == PROTO_OK;
	*has_next = history_cursor_get(&reply, next) == PROTO_OK;
	proto_msg_free(&reply);
	return rc;
}

int store_history(struct store *st, uint32_t count, struct store_run **runs, size_t *n,
                  const char **cut_why)
{
	*runs = NULL;
	*n = 0;
	*cut_why = NULL;
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
	size_t cap = 0;
	struct history_cursor cur;
	bool paging = false;
	/* Each request but the last adds a row or moves the cursor past a
	 * scan's worth of other runs: COUNT requests are plenty. */
	for (uint32_t req = 0; *n < count; req++) {
		if (req == count) {
			*cut_why = "crond needed more requests than the runs asked";
			break;
		}
		if (req > 0 && client_open(&st->cfg, &c, &no_daemon, st->why,
		                           sizeof(st->why)) < 0) {
			fprintf(stderr, "crontab: %s\n", st->why);
			store_runs_free(*runs, *n);
			*runs = NULL;
			*n = 0;
			return STORE_FAIL;
		}
		bool cut, has_next;
		struct history_cursor next;
		int rc = history_page(st, &c, count - (uint32_t)*n, paging ? &cur : NULL, runs, n,
		                      &cap, &cut, &next, &has_next);
		client_close(&c);
		if (rc != STORE_OK) {
			store_runs_free(*runs, *n);
			*runs = NULL;
			*n = 0;
			return rc;
		}
		if (!cut)
			break;   /* all asked, or the history has no more */
		if (!has_next) {
			*cut_why = "this crond sends no cursor to ask the rest with (one reply "
			           "carries at most 1000 runs)";
			break;
		}
		if (paging && !history_cursor_older(&next, &cur)) {
			*cut_why = "crond's history cursor did not move on";
			break;
		}
		cur = next;
		paging = true;
	}
	return STORE_OK;
}
