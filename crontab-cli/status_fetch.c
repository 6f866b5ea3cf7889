/* crontab-cli/status_fetch.c: MSG_STATUS through crond, and loading a
 * crontab it reported (see status.h).
 *
 * A reply that ends with TAG_STATUS_MORE is followed by another request
 * that continues after the named crontab, until crond says nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/status.h"
#include "lib/client.h"
#include "lib/tz.h"

/* Requests one --all listing may take (each reply is up to 4 MiB). */
#define FETCH_MAX_REPLIES 10000

static void free_source(struct status_source *s)
{
	for (size_t i = 0; i < s->n_entries; i++) {
		free(s->entries[i].key);
		free(s->entries[i].runs);
	}
	free(s->entries);
	free(s->name);
	free(s->user);
	free(s->text);
	free(s->problem);
}

void status_set_free(struct status_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free_source(&set->v[i]);
	free(set->v);
	free(set->zone_name);
	tz_free(set->entry_zone);
	*set = (struct status_set){ 0 };
}

/* A NUL-terminated copy of field TAG of M, or NULL (absent, or no memory:
 * *NOMEM tells). */
static char *copy_field(const struct proto_msg *m, uint16_t tag, size_t *len, bool *nomem)
{
	char *s;
	if (proto_get_bytes_copy(m, tag, &s, len) == PROTO_E_NOMEM)
		*nomem = true;
	return s;
}

static int decode_run(const struct proto_field *f, struct status_run *r)
{
	struct proto_msg m;
	memset(r, 0, sizeof(*r));
	if (proto_field_nested(f, &m, NULL) != PROTO_OK ||
	    proto_get_i64(&m, TAG_START, &r->start_ms, NULL) != PROTO_OK)
		return -1;
	(void)proto_get_i64(&m, TAG_SCHEDULED, &r->scheduled, NULL);
	(void)proto_get_i64(&m, TAG_END, &r->end_ms, NULL);
	(void)proto_get_u32(&m, TAG_STATUS, &r->status, NULL);
	(void)proto_get_u32(&m, TAG_SIGNAL, &r->signal, NULL);
	(void)proto_get_u32(&m, TAG_FLAGS, &r->flags, NULL);
	return 0;
}

static int decode_entry(const struct proto_field *f, struct status_entry *e)
{
	struct proto_msg m;
	bool nomem = false;
	memset(e, 0, sizeof(*e));
	if (proto_field_nested(f, &m, NULL) != PROTO_OK ||
	    proto_get_u32(&m, TAG_STATUS_LINE, &e->line, NULL) != PROTO_OK)
		return -1;
	e->key = copy_field(&m, TAG_ENTRY_KEY, NULL, &nomem);
	size_t n = proto_count(&m, TAG_STATUS_RUN);
	e->runs = calloc(n ? n : 1, sizeof(*e->runs));
	if (!e->key || !e->runs)
		return -1;
	struct proto_iter it;
	struct proto_field rf;
	proto_iter_init(&it, &m, TAG_STATUS_RUN);
	while (e->n_runs < n && proto_iter_next(&it, &rf))
		if (decode_run(&rf, &e->runs[e->n_runs++]) < 0)
			return -1;
	return 0;
}

static int decode_source(const struct proto_field *f, struct status_source *s)
{
	struct proto_msg m;
	bool nomem = false;
	memset(s, 0, sizeof(*s));
	if (proto_field_nested(f, &m, NULL) != PROTO_OK)
		return -1;
	s->name = copy_field(&m, TAG_STATUS_SOURCE, NULL, &nomem);
	s->user = copy_field(&m, TAG_USER, NULL, &nomem);
	s->text = copy_field(&m, TAG_TEXT, &s->len, &nomem);
	s->problem = copy_field(&m, TAG_STATUS_PROBLEM, NULL, &nomem);
	int64_t seed = 0;
	(void)proto_get_i64(&m, TAG_RANDOM_SEED, &seed, NULL);
	s->seed = (uint64_t)seed;
	(void)proto_get_u32(&m, TAG_UID, &s->uid, NULL);
	if (nomem || !s->name || (!s->text && !s->problem))
		return -1;
	size_t n = proto_count(&m, TAG_STATUS_ENTRY);
	s->entries = calloc(n ? n : 1, sizeof(*s->entries));
	if (!s->entries)
		return -1;
	struct proto_iter it;
	struct proto_field ef;
	proto_iter_init(&it, &m, TAG_STATUS_ENTRY);
	while (s->n_entries < n && proto_iter_next(&it, &ef))
		if (decode_entry(&ef, &s->entries[s->n_entries++]) < 0)
			return -1;
	return 0;
}

/* Appends the rows of REPLY to SET; *MORE gets TAG_STATUS_MORE (caller
 * frees) or NULL. -1 malformed or out of memory. */
static int decode_reply(const struct proto_msg *reply, struct status_set *set, char **more)
{
	bool nomem = false;
	*more = copy_field(reply, TAG_STATUS_MORE, NULL, &nomem);
	if (set->n == 0 && proto_get_i64(reply, TAG_TIME, &set->now, NULL) != PROTO_OK)
		return -1;
	if (set->zone_name == NULL)
		set->zone_name = copy_field(reply, TAG_ZONE, NULL, &nomem);
	size_t rows = proto_count(reply, TAG_ROW);
	struct status_source *v = realloc(set->v, (set->n + rows + 1) * sizeof(*v));
	if (!v || nomem)
		return -1;
	set->v = v;
	struct proto_iter it;
	struct proto_field f;
	proto_iter_init(&it, reply, TAG_ROW);
	for (size_t k = 0; k < rows && proto_iter_next(&it, &f); k++)
		if (decode_source(&f, &set->v[set->n++]) < 0)
			return -1;
	return 0;
}

/* One request (continuing after AFTER, if not NULL). STORE_* as
 * status_fetch. */
static int fetch_one(struct store *st, bool all, uint32_t runs, const char *after,
                     struct status_set *set, char **more)
{
	struct client c;
	int no_daemon = 0;
	*more = NULL;
	if (client_open(&st->cfg, &c, &no_daemon, st->why, sizeof(st->why)) < 0) {
		fprintf(stderr, "crontab: %s\n", st->why);
		return STORE_FAIL;
	}
	struct proto_buf req;
	if (proto_buf_init(&req, MSG_STATUS) != PROTO_OK) {
		client_close(&c);
		fprintf(stderr, "crontab: out of memory\n");
		return STORE_FAIL;
	}
	if (all)
		(void)proto_buf_add_u32(&req, TAG_STATUS_ALL, 1);
	else if (st->who->named)
		(void)proto_buf_add_str(&req, TAG_USER, st->who->name);
	(void)proto_buf_add_u32(&req, TAG_COUNT, runs);
	if (after)
		(void)proto_buf_add_str(&req, TAG_STATUS_AFTER, after);
	struct proto_msg reply;
	uint32_t code;
	char err[1100];
	int rc = client_call(&c, &req, &reply, &code, err, sizeof(err));
	client_close(&c);
	if (rc < 0) {
		proto_msg_free(&reply);
		if (code == MSGE_NOT_FOUND && !all)
			return STORE_NONE;
		store_print_error(st, code, err);
		return STORE_FAIL;
	}
	rc = decode_reply(&reply, set, more);
	proto_msg_free(&reply);
	if (rc < 0) {
		free(*more);   /* copied before the part that failed */
		*more = NULL;
		fprintf(stderr, "crontab: crond sent a malformed status reply (or out of memory)\n");
		return STORE_FAIL;
	}
	return STORE_OK;
}

int status_fetch(struct store *st, bool all, uint32_t runs, struct status_set *out)
{
	*out = (struct status_set){ 0 };
	char *after = NULL;
	for (int i = 0; i < FETCH_MAX_REPLIES; i++) {
		char *more;
		int rc = fetch_one(st, all, runs, after, out, &more);
		free(after);
		if (rc != STORE_OK) {
			status_set_free(out);
			return rc;
		}
		if (!more)
			return STORE_OK;
		after = more;
	}
	free(after);
	fprintf(stderr, "crontab: crond's status listing did not end after %d replies\n",
	        FETCH_MAX_REPLIES);
	status_set_free(out);
	return STORE_FAIL;
}

int status_load(const struct status_source *src, struct crontab *tab)
{
	struct diag_list diags = { 0 };
	enum crontab_format format = src->user ? crontab_user_format((uid_t)src->uid)
	                                       : CRONTAB_SYSTEM;
	int rc = crontab_parse_stored(src->text, src->len, format, tab, &diags);
	if (rc < 0) {
		char name[CLI_NAME_MAX + 64];
		snprintf(name, sizeof(name), "(%s)", src->name);
		crontab_print_diags(&diags, name);
	} else {
		crontab_resolve_random(tab, src->seed);
		char note[DIAG_MSG_MAX + 64];
		if (crontab_skipped_note(tab, note, sizeof(note)))   /* crond skips them too */
			fprintf(stderr, "crontab: %s: %s\n", src->name, note);
	}
	diag_list_clear(&diags);
	return rc;
}

const struct status_entry *status_find_entry(const struct status_source *src, uint32_t line)
{
	for (size_t i = 0; i < src->n_entries; i++)
		if (src->entries[i].line == line)
			return &src->entries[i];
	return NULL;
}

int status_fetch_for(const struct crontab_cli *cli, uint32_t runs, struct status_set *out,
                     struct tz **zone)
{
	struct cli_user who;
	struct store st;
	*out = (struct status_set){ 0 };
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return -1;
	if ((*zone = cli_load_zone(cli)) == NULL)
		return -1;
	int rc = status_fetch(&st, cli->all, runs, out);
	if (rc == STORE_NONE)
		fprintf(stderr, "no crontab for %s\n", who.name);
	if (rc == STORE_OK && (out->entry_zone = cli_daemon_zone(out->zone_name)) == NULL) {
		status_set_free(out);
		rc = STORE_FAIL;
	}
	if (rc != STORE_OK) {
		tz_free(*zone);
		*zone = NULL;
		return -1;
	}
	return 0;
}
