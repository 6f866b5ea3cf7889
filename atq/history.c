/* atq/history.c: `atq --history [N]`: the caller's newest N at job runs.
 *
 * Newest first, one line each, in the shape of `crontab --history`:
 *
 *   SCHEDULED         STARTED              DURATION  RESULT     FLAGS        JOB  OUTPUT
 *   2026-03-07 16:00  2026-03-07 16:00:00      1.2s  exit 0     -             12  done
 *
 * SCHEDULED is the job's run time, STARTED when it really started (later
 * for a batch job held back by the load, or a job due while crond was
 * down). FLAGS: interrupted (crond stopped or crashed while it ran: it is
 * not run again; its duration then runs until crond noticed), timed-out,
 * failed-to-start, truncated (output over the cap). A run with no exit
 * status (RUNF_NO_STATUS: interrupted by a crash, or never started) shows "-"
 * as RESULT.
 * Times are in the local zone; the first line of output is cut to fit one
 * line, control characters escaped (lib/safetext.h: \e, \x9b). A job
 * that is still running reads "running" (its record is written when it
 * starts).
 *
 * In a cluster (crond nodes sharing one PostgreSQL spool) a NODE column
 * after FLAGS names the node that ran each job ("-" for a run no node
 * recorded), as in `crontab --history`; it is left out when no run shown
 * names one, so a single machine's output is as it always was.
 *
 * One reply from crond carries at most 1000 runs: the rest are asked page
 * by page with the cursor a cut reply carries (lib/history_cursor.h), so
 * N up to 100000 are shown when the history has them.
 *
 * With --json: one document instead (schema "crond.at-history/1" in at(1)):
 * {"schema", "user", "runs": [...]}, newest first, each run with its job
 * number, its node (or null) and the fields every run has (lib/json_out.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atq/cli.h"
#include "lib/history_cursor.h"
#include "lib/json_out.h"
#include "lib/proto_msgs.h"
#include "lib/runfmt.h"

#define OUTPUT_WIDTH 60
#define FLAGS_WIDTH 11   /* at least: as wide as the widest flags shown */
#define NODE_WIDTH_MAX 64   /* SPOOL_NODE_MAX: longer is not a node name */

/* One run as crond reports it; the strings point into the reply. */
struct run {
	const uint8_t *key, *output, *node;   /* node: NULL when none recorded */
	size_t key_len, output_len, node_len;
	int64_t scheduled, start_ms, end_ms, output_size;
	uint32_t status, signal, flags;
};

static int decode_run(const struct proto_field *f, struct run *r)
{
	struct proto_msg row;
	memset(r, 0, sizeof(*r));
	if (proto_field_nested(f, &row, NULL) != PROTO_OK ||
	    proto_get_bytes(&row, TAG_ENTRY_KEY, &r->key, &r->key_len, NULL) != PROTO_OK ||
	    proto_get_i64(&row, TAG_START, &r->start_ms, NULL) != PROTO_OK)
		return -1;
	(void)proto_get_bytes(&row, TAG_OUTPUT, &r->output, &r->output_len, NULL);
	(void)proto_get_i64(&row, TAG_SCHEDULED, &r->scheduled, NULL);
	(void)proto_get_i64(&row, TAG_END, &r->end_ms, NULL);
	(void)proto_get_u32(&row, TAG_STATUS, &r->status, NULL);
	(void)proto_get_u32(&row, TAG_SIGNAL, &r->signal, NULL);
	(void)proto_get_u32(&row, TAG_FLAGS, &r->flags, NULL);
	(void)proto_get_i64(&row, TAG_OUTPUT_SIZE, &r->output_size, NULL);
	if (proto_get_bytes(&row, TAG_NODE, &r->node, &r->node_len, NULL) != PROTO_OK ||
	    r->node_len == 0 || r->node_len > NODE_WIDTH_MAX) {
		r->node = NULL;   /* none, or not a node name crond would send */
		r->node_len = 0;
	}
	return 0;
}

/* The job number in an at run's key ("at:12"), or -1. */
static int64_t job_number(const struct run *r)
{
	if (r->key_len < 4 || r->key_len > 24 || memcmp(r->key, "at:", 3) != 0)
		return -1;
	int64_t v = 0;
	for (size_t i = 3; i < r->key_len; i++) {
		if (r->key[i] < '0' || r->key[i] > '9')
			return -1;
		v = v * 10 + (r->key[i] - '0');
	}
	return v;
}

/* Appends R to the --json array RUNS; -1 when out of memory. */
static int json_run(json_t *runs, const struct run *r, const struct tz *zone)
{
	struct json_run jr = { r->scheduled, r->start_ms, r->end_ms, r->status, r->signal,
	                       r->flags };
	int64_t job = job_number(r);
	json_t *j = json_object();
	if (!j || json_object_set_new(j, "kind", json_string("at")) ||
	    json_object_set_new(j, "job", job >= 0 ? json_integer(job) : json_null()) ||
	    json_out_run_fields(j, &jr, zone) ||
	    json_object_set_new(j, "output", json_out_bytes(r->output, r->output_len)) ||
	    json_object_set_new(j, "output_size", json_integer(r->output_size)) ||
	    json_object_set_new(j, "node", r->node ? json_out_bytes(r->node, r->node_len)
	                                           : json_null()) ||
	    json_array_append_new(runs, j)) {
		json_decref(j);
		return -1;
	}
	return 0;
}

/* The replies of one history: every run of them, newest first. */
struct pages {
	struct proto_msg *v;
	size_t n, cap;
	size_t rows;            /* TAG_ROW fields in all */
	const char *cut_why;    /* NULL, or why fewer than asked came (see below) */
};

static void pages_free(struct pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		proto_msg_free(&p->v[i]);
	free(p->v);
}

/* The NODE column's width: 0 (no column) when no run of P names a node,
 * as on a single machine. */
static int node_width(const struct pages *p)
{
	size_t w = 0;
	struct proto_iter it;
	struct proto_field f;
	struct run r;
	for (size_t i = 0; i < p->n; i++) {
		proto_iter_init(&it, &p->v[i], TAG_ROW);
		while (proto_iter_next(&it, &f))
			if (decode_run(&f, &r) == 0 && r.node_len > w)
				w = r.node_len;
	}
	return w == 0 ? 0 : w < 4 ? 4 : (int)w;
}

/* The job a run shows: its at job's number, or the whole key ("quota:at"
 * for a refused submission), cut at JOB_CUT bytes. */
enum { JOB_WIDTH = 4, JOB_CUT = 20 };

static int job_shown(const struct run *r, const char **job)
{
	*job = (const char *)r->key;
	size_t len = r->key_len;
	if (len > 3 && memcmp(r->key, "at:", 3) == 0) {
		*job += 3;
		len -= 3;
	}
	return len > JOB_CUT ? JOB_CUT : (int)len;
}

/* The FLAGS and JOB columns are as wide as their widest value in P, at
 * least FLAGS_WIDTH and JOB_WIDTH, so long flags ("interrupted,node-lost")
 * and long jobs ("quota:at") keep the columns after in line. */
static void column_widths(const struct pages *p, int *flags_w, int *job_w)
{
	size_t fw = FLAGS_WIDTH;
	int jw = JOB_WIDTH;
	char flags[128];
	const char *job;
	struct proto_iter it;
	struct proto_field f;
	struct run r;
	for (size_t i = 0; i < p->n; i++) {
		proto_iter_init(&it, &p->v[i], TAG_ROW);
		while (proto_iter_next(&it, &f)) {
			if (decode_run(&f, &r) != 0)
				continue;
			runfmt_flags(r.flags, flags, sizeof(flags));
			if (strlen(flags) > fw)
				fw = strlen(flags);
			int w = job_shown(&r, &job);
			if (w > jw)
				jw = w;
		}
	}
	*flags_w = (int)fw;
	*job_w = jw;
}

static void print_run(const struct run *r, const struct tz *zone, int flags_w, int job_w,
                      int node_w)
{
	char sched[32] = "-", start[32], dur[32], result[32], flags[128];
	if (r->scheduled > 0)
		runfmt_time(zone, r->scheduled, false, sched, sizeof(sched));
	runfmt_time(zone, r->start_ms / 1000, true, start, sizeof(start));
	runfmt_duration(r->flags, r->start_ms, r->end_ms, dur, sizeof(dur));
	runfmt_result(r->flags, r->end_ms, r->status, r->signal, result, sizeof(result));
	runfmt_flags(r->flags, flags, sizeof(flags));
	const char *job;
	int job_len = job_shown(r, &job);
	printf("%-16s  %-19s  %8s  %-10s  %-*s  ", sched, start, dur, result, flags_w, flags);
	if (node_w) {
		/* A node name is letters, digits, '.', '-' and '_' (spool.h):
		 * printed through the escaping cut all the same. */
		if (r->node)
			runfmt_print_cut(r->node, r->node_len, (size_t)node_w, true);
		else
			printf("%-*s", node_w, "-");
		fputs("  ", stdout);
	}
	printf("%*.*s", job_w, job_len, job);
	if (r->output_len > 0 && r->output[0] != '\n' && r->output[0] != '\r') {
		fputs("  ", stdout);
		runfmt_print_cut(r->output, r->output_len, OUTPUT_WIDTH, false);
	}
	putchar('\n');
}

/* One MSG_HISTORY request for COUNT runs older than CUR (NULL: the
 * newest), its reply into REPLY. */
static int request_history(struct at_conn *conn, uint32_t count,
                           const struct history_cursor *cur, struct proto_msg *reply)
{
	struct proto_buf req;
	if (at_conn_request(conn, &req, MSG_HISTORY) < 0)
		return -1;
	/* Name the caller, by uid (at looks no one up: the Makefile links it
	 * statically): root naming no one would get everyone's runs. */
	(void)proto_buf_add_u32(&req, TAG_UID, (uint32_t)getuid());
	(void)proto_buf_add_u32(&req, TAG_COUNT, count);
	(void)proto_buf_add_str(&req, TAG_KIND, "at");
	if (cur)
		(void)history_cursor_add(&req, cur);
	return at_conn_call(conn, &req, reply);
}

/* The caller's newest COUNT at runs into P, page by page: one reply
 * carries at most 1000, and a cut one the cursor to ask the rest with
 * (lib/history_cursor.h). Each request but the last adds a row or moves
 * the cursor past a scan's worth of cron runs: COUNT requests are plenty.
 * Returns 0, or -1 (printed; P freed). */
static int fetch_history(struct at_conn *conn, const char *prog, uint32_t count,
                         struct pages *p)
{
	struct history_cursor cur;
	bool paging = false;
	memset(p, 0, sizeof(*p));
	for (uint32_t req = 0; p->rows < count; req++) {
		if (req == count) {
			p->cut_why = "crond needed more requests than the runs asked";
			break;
		}
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 4;
			struct proto_msg *v = realloc(p->v, cap * sizeof(*v));
			if (v == NULL) {
				fprintf(stderr, "%s: out of memory\n", prog);
				pages_free(p);
				return -1;
			}
			p->v = v;
			p->cap = cap;
		}
		struct proto_msg *reply = &p->v[p->n];
		if (request_history(conn, count - (uint32_t)p->rows, paging ? &cur : NULL,
		                    reply) < 0) {
			pages_free(p);
			return -1;
		}
		p->n++;
		p->rows += proto_count(reply, TAG_ROW);
		uint32_t sent;
		struct history_cursor next;
		if (proto_get_u32(reply, TAG_COUNT, &sent, NULL) != PROTO_OK)
			break;   /* all asked, or the history has no more */
		if (history_cursor_get(reply, &next) != PROTO_OK) {
			p->cut_why = "this crond sends no cursor to ask the rest with (one reply "
			             "carries at most 1000 runs)";
			break;
		}
		if (paging && !history_cursor_older(&next, &cur)) {
			p->cut_why = "crond's history cursor did not move on";
			break;
		}
		cur = next;
		paging = true;
	}
	return 0;
}

int at_cmd_history(const struct at_cli *cli)
{
	struct at_conn conn;
	struct pages pages;
	long asked = cli->count ? cli->count : AT_HISTORY_DEFAULT;
	struct tz *zone = at_zone_load(cli->prog);
	if (zone == NULL || at_conn_init(&conn, cli) < 0 ||
	    fetch_history(&conn, cli->prog, (uint32_t)asked, &pages) < 0) {
		tz_free(zone);
		return AT_EXIT_FAIL;
	}
	size_t n = pages.rows;
	if (pages.cut_why && (size_t)asked > n)
		fprintf(stderr, "%s: showing the newest %zu of the %ld runs asked: %s\n",
		        cli->prog, n, asked, pages.cut_why);
	json_t *doc = NULL, *runs = NULL;
	int node_w = 0, flags_w = FLAGS_WIDTH, job_w = JOB_WIDTH;
	if (cli->json) {
		/* crond names the user the request named (TAG_UID) */
		const uint8_t *me = (const uint8_t *)"";
		size_t me_len = 0;
		struct proto_field f;
		if (pages.n > 0 && proto_find(&pages.v[0], TAG_USER, &f, NULL) == PROTO_OK) {
			me = f.data;
			me_len = f.len;
		}
		doc = json_object();
		runs = json_array();
		if (!doc || !runs ||
		    json_object_set_new(doc, "schema", json_string("crond.at-history/1")) ||
		    json_object_set_new(doc, "user", json_out_bytes(me, me_len)) ||
		    json_object_set_new(doc, "runs", runs)) {
			fprintf(stderr, "%s: out of memory\n", cli->prog);
			json_decref(doc);
			pages_free(&pages);
			tz_free(zone);
			return AT_EXIT_FAIL;
		}
	} else if (n == 0) {
		fprintf(stderr, "%s: no at job runs recorded\n", cli->prog);
	} else {
		node_w = node_width(&pages);
		column_widths(&pages, &flags_w, &job_w);
		printf("%-16s  %-19s  %8s  %-10s  %-*s  ", "SCHEDULED", "STARTED", "DURATION",
		       "RESULT", flags_w, "FLAGS");
		if (node_w)
			printf("%-*s  ", node_w, "NODE");
		printf("%*s  %s\n", job_w, "JOB", "OUTPUT");
	}
	int rc = AT_EXIT_OK;
	struct proto_iter it;
	struct proto_field f;
	struct run r;
	for (size_t i = 0; rc == AT_EXIT_OK && i < pages.n; i++) {
		proto_iter_init(&it, &pages.v[i], TAG_ROW);
		while (rc == AT_EXIT_OK && proto_iter_next(&it, &f)) {
			if (decode_run(&f, &r) == 0 && doc && json_run(runs, &r, zone) < 0) {
				fprintf(stderr, "%s: out of memory\n", cli->prog);
				rc = AT_EXIT_FAIL;
				continue;
			}
			if (decode_run(&f, &r) == 0) {
				if (!doc)
					print_run(&r, zone, flags_w, job_w, node_w);
				continue;
			}
			fprintf(stderr, "%s: crond sent a malformed history row\n", cli->prog);
			rc = AT_EXIT_FAIL;
		}
	}
	pages_free(&pages);
	tz_free(zone);
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
