/* crontab-cli/store_spool.c: root's direct path to the spool when crond is
 * not running (see store_spool.h).
 */
#include "crontab-cli/store_spool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/crontab.h"
#include "lib/history_rows.h"
#include "lib/source_name.h"
#include "spool/spool.h"

/* Opens the spool; 1 when it does not exist (and FLAGS do not create it),
 * -1 on failure (printed), 0. */
static int open_spool(struct store *st, int flags, struct spool **sp)
{
	struct spool_err err;
	int rc = spool_open(st->cfg.spool, flags, sp, &err);
	if (rc == SPOOL_NOT_FOUND && !(flags & SPOOL_CREATE))
		return 1;
	if (rc != SPOOL_OK) {
		fprintf(stderr, "crontab: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* The store result for a spool call's RC: SPOOL_NOT_FOUND is STORE_NONE,
 * and a failure is printed with ERR's message. */
static int store_result(int rc, const struct spool_err *err)
{
	if (rc == SPOOL_NOT_FOUND)
		return STORE_NONE;
	if (rc != SPOOL_OK) {
		fprintf(stderr, "crontab: %s\n", err->msg);
		return STORE_FAIL;
	}
	return STORE_OK;
}

int store_spool_get(struct store *st, char **text, size_t *len)
{
	struct spool *sp;
	int rc = open_spool(st, 0, &sp);
	if (rc != 0)
		return rc > 0 ? STORE_NONE : STORE_FAIL;
	struct spool_crontab tab;
	struct spool_err err;
	rc = spool_crontab_get(sp, st->who->name, &tab, &err);
	uint8_t secret[CRONTAB_SECRET_LEN];
	char name[SOURCE_NAME_SIZE(CLI_NAME_MAX)];
	if (rc == SPOOL_OK && source_name_user(name, sizeof(name), st->who->name) == 0 &&
	    spool_secret(sp, CRONTAB_SECRET_META, secret, sizeof(secret), &err) == SPOOL_OK) {
		st->seed = crontab_random_seed(secret, name);
		st->have_seed = true;
	}
	spool_close(sp);
	if (rc != SPOOL_OK)
		return store_result(rc, &err);
	*text = malloc(tab.len + 1);
	if (*text) {
		memcpy(*text, tab.text, tab.len);
		(*text)[tab.len] = '\0';
		*len = tab.len;
	}
	spool_crontab_free(&tab);
	if (!*text) {
		fprintf(stderr, "crontab: out of memory\n");
		return STORE_FAIL;
	}
	return STORE_OK;
}

int store_spool_install(struct store *st, const char *text, size_t len)
{
	struct spool *sp;
	if (open_spool(st, SPOOL_CREATE, &sp) != 0)
		return STORE_FAIL;
	struct spool_err err;
	int rc = spool_crontab_install(sp, st->who->name, st->who->uid, text, len, getuid(),
	                               (int64_t)time(NULL), NULL, &err);
	spool_close(sp);
	if (rc != SPOOL_OK) {
		fprintf(stderr, "crontab: %s\n", err.msg);
		return STORE_FAIL;
	}
	return STORE_OK;
}

int store_spool_remove(struct store *st)
{
	struct spool *sp;
	int rc = open_spool(st, 0, &sp);
	if (rc != 0)
		return rc > 0 ? STORE_NONE : STORE_FAIL;
	struct spool_err err;
	rc = spool_crontab_remove(sp, st->who->name, getuid(), (int64_t)time(NULL), NULL, &err);
	spool_close(sp);
	return store_result(rc, &err);
}

/* Copies spool record R into OUT; -1 when out of memory. */
static int copy_run(const struct spool_run *r, struct store_run *out)
{
	memset(out, 0, sizeof(*out));
	out->command = strdup(r->command ? r->command : "");
	out->output = malloc(r->output_len + 1);
	out->node = strdup(r->node ? r->node : "");
	if (!out->command || !out->output || !out->node)
		return -1;
	if (r->output_len)
		memcpy(out->output, r->output, r->output_len);
	out->output[r->output_len] = '\0';
	out->output_len = r->output_len;
	out->output_total = r->output_total;
	out->scheduled = r->scheduled_ms / 1000;
	out->start_ms = r->start_ms;
	out->end_ms = r->end_ms;
	out->status = history_row_status(r);
	out->signal = history_row_signal(r);
	out->flags = history_row_flags(r);
	return 0;
}

/* The spool cannot filter by kind: read more rows than asked for, and more
 * again while at-job rows crowd out the cron ones. */
static int query(struct spool *sp, uid_t uid, uint32_t count, struct spool_run **v, size_t *n)
{
	size_t limit = (size_t)count * 4;
	for (;;) {
		if (limit > SPOOL_QUERY_MAX)
			limit = SPOOL_QUERY_MAX;
		struct spool_history_filter filter = { .by_uid = true, .uid = uid, .limit = limit };
		struct spool_err err;
		if (spool_history_query(sp, &filter, v, n, &err) != SPOOL_OK) {
			fprintf(stderr, "crontab: %s\n", err.msg);
			return -1;
		}
		size_t cron = 0;
		for (size_t i = 0; i < *n; i++)
			cron += (*v)[i].kind == SPOOL_RUN_CRON;
		if (cron >= count || *n < limit || limit == SPOOL_QUERY_MAX)
			return 0;
		spool_runs_free(*v, *n);
		limit *= 4;
	}
}

int store_spool_history(struct store *st, uint32_t count, struct store_run **runs, size_t *n)
{
	*runs = NULL;
	*n = 0;
	struct spool *sp;
	int rc = open_spool(st, 0, &sp);
	if (rc != 0)
		return rc > 0 ? STORE_OK : STORE_FAIL;
	struct spool_run *v = NULL;
	size_t nv = 0;
	rc = query(sp, st->who->uid, count, &v, &nv);
	spool_close(sp);
	if (rc < 0)
		return STORE_FAIL;
	struct store_run *out = calloc(nv ? nv : 1, sizeof(*out));
	size_t k = 0;
	for (size_t i = 0; out && i < nv && k < count; i++) {
		if (v[i].kind != SPOOL_RUN_CRON)
			continue;
		if (copy_run(&v[i], &out[k++]) < 0) {
			store_runs_free(out, k);
			out = NULL;
		}
	}
	spool_runs_free(v, nv);
	if (!out) {
		fprintf(stderr, "crontab: out of memory\n");
		return STORE_FAIL;
	}
	*runs = out;
	*n = k;
	return STORE_OK;
}
