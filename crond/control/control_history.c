/* crond/control/control_history.c: MSG_HISTORY, the run history of cron entries
 * and at jobs (see control_handlers.h), on the control thread.
 *
 * Who sees what: a user sees their own runs; root sees one user's (TAG_USER
 * or TAG_UID, named again in the reply) or everyone's. Allow/deny applies
 * per kind: cron runs need crontab access (cron.allow/cron.deny), at runs
 * at access; a user denied both is refused, a user denied one sees only
 * the other kind.
 *
 * The spool filters by owner but not by kind, so a kind filter over-fetches:
 * it reads four times the rows asked for, then four times more while that
 * was not enough and more history remains, up to CONTROL_HISTORY_SCAN_MAX.
 * Rows are cut to fit a reply: output heads and commands to 4 KiB each, and
 * no row is added past CONTROL_REPLY_BUDGET. At most CONTROL_HISTORY_MAX
 * rows are sent; when either limit leaves out rows the history has, the
 * reply carries TAG_COUNT (the rows sent), so a client never shows fewer
 * than asked without saying why.
 *
 * Paging: TAG_HISTORY_BEFORE (lib/history_cursor.h) limits the spool query
 * to the records older than a cursor. A cut reply carries the cursor of
 * the last record dealt with: the last one sent, or past it the last one
 * the kind filter skipped (all of them when the scan stopped short), so
 * the page after neither repeats a row nor misses one the filter wants.
 */
#include <string.h>

#include "crond/control/control_handlers.h"
#include "lib/history_cursor.h"
#include "lib/history_rows.h"
#include "lib/proto_rows.h"

enum { KIND_CRON = 1 << 0, KIND_AT = 1 << 1 };

static int kind_bit(enum spool_run_kind kind)
{
	return kind == SPOOL_RUN_AT ? KIND_AT : KIND_CRON;
}

/* The kinds TAG_KIND asks for: 0 with REPLY built if it names none. */
static int requested_kinds(const struct proto_msg *req, struct proto_buf *reply)
{
	struct proto_field f;
	if (proto_find(req, TAG_KIND, &f, NULL) != PROTO_OK)
		return KIND_CRON | KIND_AT;
	if (f.len == 4 && memcmp(f.data, "cron", 4) == 0)
		return KIND_CRON;
	if (f.len == 2 && memcmp(f.data, "at", 2) == 0)
		return KIND_AT;
	control_reply_error(reply, MSGE_INVALID, "unknown history kind (expected cron or at)");
	return 0;
}

/* The kinds TARGET may see of WANTED: 0 with REPLY built (denied). When
 * one of two is denied, the other is enough. */
static int allowed_kinds(struct control_ctx *ctx, const struct control_peer *peer,
                         const struct control_user *target, int wanted,
                         struct proto_buf *reply)
{
	int ok = 0;
	struct proto_buf denied[2] = { { 0 }, { 0 } };
	if ((wanted & KIND_CRON) && control_allowed(ctx, peer, target, ACCESS_CRON, &denied[0]))
		ok |= KIND_CRON;
	if ((wanted & KIND_AT) && control_allowed(ctx, peer, target, ACCESS_AT, &denied[1]))
		ok |= KIND_AT;
	if (ok == 0) {                             /* answer with the first refusal */
		int first = denied[0].data != NULL ? 0 : 1;
		proto_buf_free(reply);
		*reply = denied[first];
		proto_buf_free(&denied[1 - first]);
	} else {
		proto_buf_free(&denied[0]);
		proto_buf_free(&denied[1]);
	}
	return ok;
}

/* Rows asked for: TAG_COUNT (any from 1; more than CONTROL_HISTORY_MAX are
 * cut, and the reply says so), or the default; 0 with REPLY built when
 * invalid. */
static size_t requested_count(const struct proto_msg *req, struct proto_buf *reply)
{
	uint32_t n = CONTROL_HISTORY_DEFAULT;
	enum proto_code rc = proto_get_u32(req, TAG_COUNT, &n, NULL);
	if ((rc != PROTO_OK && rc != PROTO_E_MISSING) || n == 0) {
		control_reply_error(reply, MSGE_INVALID, "the history count must be a "
		                    "positive number");
		return 0;
	}
	return n;
}

/* TAG_HISTORY_BEFORE into FILTER: false with REPLY built when malformed. */
static bool requested_cursor(const struct proto_msg *req, struct spool_history_filter *filter,
                             struct proto_buf *reply)
{
	struct history_cursor c;
	enum proto_code rc = history_cursor_get(req, &c);
	if (rc == PROTO_E_MISSING)
		return true;
	if (rc != PROTO_OK) {
		control_reply_error(reply, MSGE_INVALID, "the history cursor must hold a start "
		                    "time of 0 or more and a record id of 1 or more");
		return false;
	}
	filter->before = true;
	filter->before_start_ms = c.start_ms;
	filter->before_id = c.id;
	return true;
}

static size_t count_kinds(const struct spool_run *runs, size_t n, int kinds)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += (kind_bit(runs[i].kind) & kinds) != 0;
	return k;
}

/* The newest records of FILTER's owner, enough to find WANT of KINDS when
 * the history has them (see the file comment). */
static int fetch(struct control_ctx *ctx, struct spool_history_filter *filter, size_t want,
                 int kinds, struct spool_run **runs, size_t *n, struct spool_err *err)
{
	bool all = kinds == (KIND_CRON | KIND_AT);
	size_t limit = all ? want : want * 4;
	for (;;) {
		if (limit > CONTROL_HISTORY_SCAN_MAX)
			limit = CONTROL_HISTORY_SCAN_MAX;
		if (limit < want)
			limit = want;
		filter->limit = limit;
		int rc = spool_history_query(ctx->sp, filter, runs, n, err);
		if (rc != SPOOL_OK || all || *n < limit || limit >= CONTROL_HISTORY_SCAN_MAX ||
		    count_kinds(*runs, *n, kinds) >= want)
			return rc;
		spool_runs_free(*runs, *n);
		*runs = NULL;
		*n = 0;
		limit *= 4;
	}
}

/* Appends R as one TAG_ROW unless that would pass the reply budget:
 * returns false (and adds nothing) then. */
static bool add_row(struct proto_buf *reply, const struct spool_run *r)
{
	struct proto_buf row;
	(void)proto_buf_init(&row, 0);
	size_t cmd_len = strlen(r->command);
	size_t out_len = r->output_len;
	(void)proto_buf_add_str(&row, TAG_KIND, r->kind == SPOOL_RUN_AT ? "at" : "cron");
	(void)proto_buf_add_str(&row, TAG_USER, r->owner);
	(void)proto_buf_add_str(&row, TAG_ENTRY_KEY, r->entry_key);
	(void)proto_buf_add_bytes(&row, TAG_COMMAND, r->command,
	                          cmd_len < CONTROL_HISTORY_COMMAND_MAX ? cmd_len
	                                                                : CONTROL_HISTORY_COMMAND_MAX);
	(void)proto_buf_add_i64(&row, TAG_SCHEDULED, r->scheduled_ms / 1000);
	(void)proto_buf_add_i64(&row, TAG_START, r->start_ms);
	(void)proto_buf_add_i64(&row, TAG_END, r->end_ms);
	(void)proto_buf_add_u32(&row, TAG_STATUS, history_row_status(r));
	(void)proto_buf_add_u32(&row, TAG_SIGNAL, history_row_signal(r));
	(void)proto_buf_add_u32(&row, TAG_FLAGS, history_row_flags(r));
	(void)proto_buf_add_bytes(&row, TAG_OUTPUT, r->output,
	                          out_len < CONTROL_HISTORY_OUTPUT_MAX ? out_len
	                                                               : CONTROL_HISTORY_OUTPUT_MAX);
	(void)proto_buf_add_i64(&row, TAG_OUTPUT_SIZE, r->output_total);
	(void)proto_buf_add_i64(&row, TAG_RUN_ID, r->id);
	if (r->node && r->node[0])
		(void)proto_buf_add_str(&row, TAG_NODE, r->node);
	return proto_rows_add(reply, &row, CONTROL_REPLY_BUDGET);
}

void control_history(struct control_ctx *ctx, const struct control_peer *peer,
                     const struct proto_msg *req, struct proto_buf *reply)
{
	struct control_user target;
	bool named = false;
	if (!control_target(peer, req, &target, &named, reply))
		return;
	int kinds = requested_kinds(req, reply);
	size_t asked = kinds != 0 ? requested_count(req, reply) : 0;
	if (asked == 0)
		return;
	size_t want = asked > CONTROL_HISTORY_MAX ? CONTROL_HISTORY_MAX : asked;
	kinds = allowed_kinds(ctx, peer, &target, kinds, reply);
	if (kinds == 0)
		return;
	/* Root without TAG_USER: everyone's runs. */
	struct spool_history_filter filter = {
		.by_uid = peer->user.uid != 0 || named,
		.uid = target.uid,
	};
	if (!requested_cursor(req, &filter, reply))
		return;
	struct spool_run *runs = NULL;
	size_t n = 0;
	struct spool_err err;
	/* One more than sent, when cut, to tell whether the cut left any out. */
	if (fetch(ctx, &filter, want < asked ? want + 1 : want, kinds, &runs, &n, &err) !=
	    SPOOL_OK) {
		control_reply_spool_error(ctx, peer->user.name, reply, "read the run history", &err);
		return;
	}
	control_reply_ok(reply);
	if (named)   /* whose runs these are, for a client that looks no one up */
		(void)proto_buf_add_str(reply, TAG_USER, target.name);
	size_t rows = 0, done = 0;   /* DONE: records dealt with, sent or skipped */
	bool cut = false;
	for (; done < n; done++) {
		if (!(kind_bit(runs[done].kind) & kinds))
			continue;
		/* A row the history has left out: past the cap or the budget. */
		if (rows == want || !add_row(reply, &runs[done])) {
			cut = rows < asked;
			break;
		}
		rows++;
	}
	/* The kind filter's scan stopped short: older runs may match. */
	if (rows < want && n >= CONTROL_HISTORY_SCAN_MAX)
		cut = true;
	if (cut)
		(void)proto_buf_add_u32(reply, TAG_COUNT, (uint32_t)rows);
	if (cut && done > 0) {
		struct history_cursor next = { runs[done - 1].start_ms, runs[done - 1].id };
		(void)history_cursor_add(reply, &next);
	}
	spool_runs_free(runs, n);
}
