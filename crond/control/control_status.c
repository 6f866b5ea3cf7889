/* crond/control/control_status.c: MSG_STATUS, what `crontab --status` and
 * `crontab --timeline` show (lib/proto_msgs.h), on the control thread.
 *
 * One user's crontab (the caller's, or for root the one TAG_USER names), or
 * for root with TAG_STATUS_ALL every crontab: the system crontab, the files
 * of cron.d (the names and ownership rules of crond/sched/syscron.h) and every
 * user's crontab. Each comes with its text and its '~' seed, so the CLI
 * parses and previews exactly what crond runs, and with each entry's key
 * (scheduler_entry_key: the same parse, the same picks, the same hash) and
 * the entry's newest history records, so the CLI never has to match runs
 * to lines itself.
 *
 * The system crontabs are read from disk as they are now: a file that
 * crond refuses (ownership, mode, size) or cannot parse is sent with
 * TAG_STATUS_PROBLEM instead of its text (crond keeps running the last
 * good version of one that does not parse, and runs nothing of an unsafe
 * one: crond/sched/syscron.h; its log says why).
 *
 * Bounded: at most CONTROL_STATUS_RUNS_MAX records per entry; a reply
 * stops before CONTROL_REPLY_BUDGET and says which crontab it ended with
 * (TAG_STATUS_MORE), and the CLI asks again after it. A crontab too large
 * to fit with its records is sent with fewer records per entry, then none.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/control/control_handlers.h"
#include "crond/log.h"
#include "crond/sched/scheduler.h"
#include "crond/sched/syscron.h"
#include "lib/crontab.h"
#include "lib/history_rows.h"
#include "lib/proto_rows.h"
#include "lib/source_name.h"
#include "lib/tz.h"

#define CONTROL_STATUS_RUNS_DEFAULT 10
#define CONTROL_STATUS_RUNS_MAX 50
/* Crontabs listed in one request (users plus system files). */
#define CONTROL_STATUS_SOURCES_MAX 100000

/* The names of the crontabs a request covers, in reply order. */
struct names {
	char **v;
	size_t n, cap;
	size_t n_system;        /* the first n_system are system crontab paths */
};

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	*ns = (struct names){ 0 };
}

static int names_add(struct names *ns, const char *name)
{
	if (ns->n >= CONTROL_STATUS_SOURCES_MAX)
		return 0;                               /* silently bounded */
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		char **v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return -1;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n] = strdup(name);
	return ns->v[ns->n++] ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_name(const char *path, void *ctx)
{
	return names_add(ctx, path);
}

/* The system crontab (if it exists) and cron.d's files, sorted by name. */
static int list_system(const struct config *cfg, struct names *ns)
{
	if (access(cfg->system_crontab, F_OK) == 0 && names_add(ns, cfg->system_crontab) < 0)
		return -1;
	size_t first = ns->n;
	if (syscron_each_in_dir(cfg->system_crontab_dir, add_name, ns) < 0)
		return -1;
	qsort(ns->v + first, ns->n - first, sizeof(*ns->v), cmp_str);
	ns->n_system = ns->n;
	return 0;
}

/* "user:NAME" for every installed crontab, sorted. */
static int list_users(struct control_ctx *ctx, struct names *ns, struct spool_err *err)
{
	/* The owners only: reading every crontab's text to learn the names,
	 * at every page of --status --all, made a page of 4,000 users' cost
	 * 310 ms of the control thread (a scale review). */
	char **owners = NULL;
	size_t n = 0;
	int rc = spool_crontab_owners(ctx->sp, &owners, &n, err);
	if (rc != SPOOL_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		/* An owner whose name does not fit is not scheduled either
		 * (timer.c): nothing to show. */
		char name[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
		if (source_name_user(name, sizeof(name), owners[i]) < 0)
			continue;
		if (names_add(ns, name) < 0) {
			spool_names_free(owners, n);
			return SPOOL_NOMEM;
		}
	}
	spool_names_free(owners, n);
	return SPOOL_OK;   /* sorted, once each: spool_crontab_owners' order */
}

/* A system crontab's text, by the rules crond reads it with (syscron.h).
 * NULL with *WHY set when it is not read. Caller frees. */
static char *read_system(const char *path, size_t *len, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	const char *bad = syscron_unsafe_reason(&st);
	if (!bad && st.st_size > CRONTAB_MAX_BYTES)
		bad = "larger than 1 MiB";
	char *text = bad ? NULL : malloc((size_t)st.st_size + 1);
	ssize_t n = text ? read(fd, text, (size_t)st.st_size + 1) : -1;
	int e = errno;
	close(fd);
	if (bad || !text || n < 0 || n != st.st_size) {
		snprintf(why, whylen, "ignored by crond: %s", bad ? bad : !text ? "out of memory"
		         : n < 0 ? strerror(e) : "changed while being read");
		free(text);
		return NULL;
	}
	text[n] = '\0';
	*len = (size_t)n;
	return text;
}

/* One entry: its line, KEY and its newest history records V (N of them). */
static void add_entry(struct proto_buf *row, const struct crontab_entry *e, const char *key,
                      const struct spool_run *v, size_t n)
{
	struct proto_buf ent;
	(void)proto_buf_init(&ent, 0);
	(void)proto_buf_add_u32(&ent, TAG_STATUS_LINE, e->line);
	(void)proto_buf_add_str(&ent, TAG_ENTRY_KEY, key);
	for (size_t i = 0; i < n; i++) {
		struct proto_buf r;
		(void)proto_buf_init(&r, 0);
		(void)proto_buf_add_i64(&r, TAG_SCHEDULED, v[i].scheduled_ms / 1000);
		(void)proto_buf_add_i64(&r, TAG_START, v[i].start_ms);
		(void)proto_buf_add_i64(&r, TAG_END, v[i].end_ms);
		(void)proto_buf_add_u32(&r, TAG_STATUS, history_row_status(&v[i]));
		(void)proto_buf_add_u32(&r, TAG_SIGNAL, history_row_signal(&v[i]));
		(void)proto_buf_add_u32(&r, TAG_FLAGS, history_row_flags(&v[i]));
		(void)proto_buf_add_nested(&ent, TAG_STATUS_RUN, &r);
		proto_buf_free(&r);
	}
	(void)proto_buf_add_nested(row, TAG_STATUS_ENTRY, &ent);
	proto_buf_free(&ent);
}

/* Records read in one transaction, at most: a crontab's entries are read
 * in groups of this many records (one transaction per entry cost the
 * control thread a fifth of a 10,000-entry status in locks alone), and
 * no more than this many are held at once. */
#define STATUS_RECORDS_PER_READ 1024

/* Every entry of TAB (crontab SOURCE) with its newest RUNS history
 * records, into ROW. 0, or a spool code with ERR filled. */
static int add_entries(struct control_ctx *ctx, struct proto_buf *row, const char *source,
                       const struct crontab *tab, uint32_t runs, struct spool_err *err)
{
	size_t group = STATUS_RECORDS_PER_READ / (runs > 0 ? runs : 1);
	if (group > tab->n_entries)
		group = tab->n_entries;
	if (group == 0)
		return SPOOL_OK;
	char (*keys)[SCHEDULER_KEY_MAX] = malloc(group * sizeof(*keys));
	const char **names = malloc(group * sizeof(*names));
	size_t *counts = malloc(group * sizeof(*counts));
	if (!keys || !names || !counts) {
		free(keys);
		free(names);
		free(counts);
		err->code = SPOOL_NOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return SPOOL_NOMEM;
	}
	struct sched_source src = { .name = source };   /* the key uses the name only */
	struct spool_history_filter f = { .limit = runs, .brief = true };   /* no output heads */
	int rc = SPOOL_OK;
	for (size_t first = 0; first < tab->n_entries && rc == SPOOL_OK; first += group) {
		size_t m = tab->n_entries - first < group ? tab->n_entries - first : group;
		for (size_t i = 0; i < m; i++) {
			scheduler_entry_key(&src, &tab->entries[first + i], keys[i], sizeof(keys[i]));
			names[i] = keys[i];
			counts[i] = 0;
		}
		struct spool_run *v = NULL;
		size_t n = 0;
		if (runs > 0)
			rc = spool_history_query_keys(ctx->sp, &f, names, m, &v, counts, &n, err);
		for (size_t i = 0, at = 0; rc == SPOOL_OK && i < m; at += counts[i], i++)
			add_entry(row, &tab->entries[first + i], keys[i], v + at, counts[i]);
		spool_runs_free(v, n);
	}
	free(keys);
	free(names);
	free(counts);
	return rc;
}

/* The bytes one entry adds to a status row (add_entry): its field, line
 * and key (NAME, a colon, 16 hex digits), and each of its history records
 * (three 64-bit and three 32-bit fields, nested). */
#define STATUS_FIELD PROTO_FIELD_HEADER_SIZE
#define STATUS_RUN_BYTES (STATUS_FIELD + 3 * (STATUS_FIELD + 8) + 3 * (STATUS_FIELD + 4))
#define STATUS_REPLY_SLACK 1024   /* the reply's own fields before its rows */

static size_t status_entry_bytes(const char *name)
{
	size_t key = strlen(name) + 1 + 16;
	if (key > SCHEDULER_KEY_MAX)
		key = SCHEDULER_KEY_MAX;
	return STATUS_FIELD + (STATUS_FIELD + 4) + (STATUS_FIELD + key);
}

/* At most RUNS records per entry: as many as let N_ENTRIES entries of
 * crontab NAME fit in a reply alone, after the LEN bytes the row has so
 * far. Asked for before any record is read: the handler used to read every
 * entry's RUNS records, find the row too large, and read them all again
 * with a quarter as many (a user's 10,000 entries with 10 records each
 * held the control thread twice as long as the reply needed). */
static uint32_t status_runs_that_fit(size_t len, const char *name, size_t n_entries,
                                     uint32_t runs)
{
	if (n_entries == 0)
		return runs;
	size_t fixed = STATUS_REPLY_SLACK + len + n_entries * status_entry_bytes(name);
	if (fixed >= CONTROL_REPLY_BUDGET)
		return 0;
	size_t fit = (CONTROL_REPLY_BUDGET - fixed) / (n_entries * STATUS_RUN_BYTES);
	return fit < runs ? (uint32_t)fit : runs;
}

/* The row of crontab NAME with RUNS records per entry (fewer when they
 * would not fit in a reply: status_runs_that_fit), into ROW (started
 * here). 0 built (perhaps with a problem instead of entries), 1 nothing
 * to show (the user's crontab went away meanwhile), -1 spool failure
 * (ERR). */
static int build_row(struct control_ctx *ctx, const char *name, bool system, uint32_t runs,
                     struct proto_buf *row, struct spool_err *err)
{
	char why[512] = "";
	char *owned = NULL;
	const char *text = NULL;
	size_t len = 0;
	uid_t uid = 0;
	struct spool_crontab ct = { 0 };
	bool have_ct = false;
	if (system) {
		text = owned = read_system(name, &len, why, sizeof(why));
	} else {
		int rc = spool_crontab_get(ctx->sp, name + 5, &ct, err);
		if (rc == SPOOL_NOT_FOUND)
			return 1;
		if (rc != SPOOL_OK)
			return -1;
		have_ct = true;
		text = ct.text;
		len = ct.len;
		uid = ct.uid;
	}
	(void)proto_buf_init(row, 0);
	(void)proto_buf_add_str(row, TAG_STATUS_SOURCE, name);
	if (!system) {
		(void)proto_buf_add_str(row, TAG_USER, name + 5);
		(void)proto_buf_add_u32(row, TAG_UID, (uint32_t)uid);
	}
	int result = 0;
	struct crontab tab;
	struct diag_list diags = { 0 };
	int parsed = text ? crontab_parse_stored(text, len, system ? CRONTAB_SYSTEM
	                                                            : crontab_user_format(uid),
	                                         &tab, &diags) : 0;
	if (text && parsed == 0 && system && crontab_check_zones(&tab, &diags) > 0) {
		crontab_free(&tab);   /* a zone that cannot be loaded: crond ignores the file */
		parsed = -1;
	}
	if (text && parsed < 0) {
		size_t k = 0;
		while (k + 1 < diags.count && diags.items[k].warning)
			k++;                            /* the first error, not a warning */
		if (diags.count > 0)
			diag_format(&diags.items[k], name, why, sizeof(why));
		text = NULL;
	} else if (text) {
		uint64_t seed = crontab_random_seed(ctx->c->random_secret, name);
		crontab_resolve_random(&tab, seed);
		(void)proto_buf_add_bytes(row, TAG_TEXT, text, len);
		(void)proto_buf_add_i64(row, TAG_RANDOM_SEED, (int64_t)seed);
		runs = status_runs_that_fit(row->len, name, tab.n_entries, runs);
		if (add_entries(ctx, row, name, &tab, runs, err) != SPOOL_OK)
			result = -1;
		crontab_free(&tab);
	}
	diag_list_clear(&diags);
	if (!text && result == 0)
		(void)proto_buf_add_str(row, TAG_STATUS_PROBLEM, why[0] ? why : "cannot be read");
	if (have_ct)
		spool_crontab_free(&ct);
	free(owned);
	if (result < 0)
		proto_buf_free(row);
	return result;
}

/* Records per entry asked for; false with REPLY built when invalid. */
static bool requested_runs(const struct proto_msg *req, uint32_t *runs, struct proto_buf *reply)
{
	*runs = CONTROL_STATUS_RUNS_DEFAULT;
	enum proto_code rc = proto_get_u32(req, TAG_COUNT, runs, NULL);
	if ((rc != PROTO_OK && rc != PROTO_E_MISSING) || *runs > CONTROL_STATUS_RUNS_MAX) {
		control_reply_error(reply, MSGE_INVALID, "the runs per entry must be a number "
		                    "from 0 to %d", CONTROL_STATUS_RUNS_MAX);
		return false;
	}
	return true;
}

/* Which crontabs: every one (root, TAG_STATUS_ALL) or the target's. False
 * with REPLY built when refused or on failure. */
static bool choose(struct control_ctx *ctx, const struct control_peer *peer,
                   const struct proto_msg *req, struct names *ns, struct proto_buf *reply)
{
	uint32_t all = 0;
	if (proto_get_u32(req, TAG_STATUS_ALL, &all, NULL) == PROTO_OK && all) {
		if (peer->user.uid != 0) {
			control_reply_error(reply, MSGE_PERM, "only root may see every crontab");
			return false;
		}
		struct spool_err err;
		int rc = list_system(&ctx->cfg, ns) < 0 ? SPOOL_NOMEM : list_users(ctx, ns, &err);
		if (rc == SPOOL_NOMEM) {
			control_reply_error(reply, MSGE_INTERNAL, "out of memory");
			return false;
		}
		if (rc != SPOOL_OK) {
			control_reply_spool_error(ctx, peer->user.name, reply, "list the crontabs", &err);
			return false;
		}
		return true;
	}
	struct control_user target;
	if (!control_target(peer, req, &target, NULL, reply) ||
	    !control_allowed(ctx, peer, &target, ACCESS_CRON, reply))
		return false;
	char name[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
	if (source_name_user(name, sizeof(name), target.name) < 0) {
		control_reply_error(reply, MSGE_INVALID, "user name over %d bytes", SPOOL_NAME_MAX);
		return false;
	}
	if (names_add(ns, name) < 0) {
		control_reply_error(reply, MSGE_INTERNAL, "out of memory");
		return false;
	}
	return true;
}

/* Where to start: after TAG_STATUS_AFTER's name, else at the start. */
static size_t start_at(const struct proto_msg *req, const struct names *ns)
{
	char after[CONFIG_PATH_MAX + NAME_MAX + 2];
	struct proto_field f;
	if (proto_find(req, TAG_STATUS_AFTER, &f, NULL) != PROTO_OK ||
	    proto_field_strcpy(&f, after, sizeof(after), NULL) != PROTO_OK)
		return 0;
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], after) == 0)
			return i + 1;
	return ns->n;                /* gone meanwhile: nothing after it is known */
}

void control_status(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, struct proto_buf *reply)
{
	uint32_t runs;
	struct names ns = { 0 };
	if (!requested_runs(req, &runs, reply) || !choose(ctx, peer, req, &ns, reply)) {
		names_free(&ns);
		return;
	}
	bool single = ns.n == 1 && ns.n_system == 0;
	control_reply_ok(reply);
	(void)proto_buf_add_i64(reply, TAG_TIME, control_now(ctx));
	(void)proto_buf_add_str(reply, TAG_ZONE, tz_name(ctx->c->local_zone));
	size_t sent = 0;
	for (size_t i = start_at(req, &ns); i < ns.n; i++) {
		struct proto_buf row;
		struct spool_err err;
		bool fitted = false;
		/* Fewer records per entry when a crontab would not fit even alone
		 * (build_row asks for no more than fit: this is in case its
		 * count of the bytes falls short). */
		for (uint32_t r = runs;; r = r > 1 ? r / 4 : 0) {
			int rc = build_row(ctx, ns.v[i], i < ns.n_system, r, &row, &err);
			if (rc < 0) {
				control_reply_spool_error(ctx, peer->user.name, reply, "read the crontabs and their history",
				                          &err);
				names_free(&ns);
				return;
			}
			if (rc > 0 || proto_rows_add(reply, &row, CONTROL_REPLY_BUDGET)) {
				fitted = true;
				sent += rc == 0;
				break;
			}
			if (sent > 0 || r == 0)
				break;
		}
		if (!fitted) {
			if (sent > 0)
				(void)proto_buf_add_str(reply, TAG_STATUS_MORE, ns.v[i - 1]);
			else
				log_msg(LOG_ERR, "control: the status of %s does not fit in a reply",
				        ns.v[i]);
			break;
		}
	}
	if (single && sent == 0 && reply->failed == PROTO_OK)
		control_reply_error(reply, MSGE_NOT_FOUND, "no crontab for %s", ns.v[0] + 5);
	names_free(&ns);
}
