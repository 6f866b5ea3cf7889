/* crond/sched/startup.c: loading before the threads start (see startup.h). */
#include "crond/sched/startup.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crond/log.h"
#include "crond/run/runreq.h"
#include "crond/sched/scheduler.h"
#include "crond/sched/syscron.h"
#include "lib/parallel.h"
#include "lib/proto_msgs.h"
#include "lib/source_name.h"

#define LOAD_BATCH 256

_Static_assert(sizeof(((struct crond *)0)->random_secret) == CRONTAB_SECRET_LEN,
               "crond.h's random_secret is a crontab secret");
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* One batch of the spool's crontab changes, parsed on the machine's CPUs
 * (parse_change), then applied in order (apply_change). */
struct load_batch {
	struct crond *c;
	int64_t now;
	int64_t since;               /* the last change applied */
	const struct spool_crontab *v;
	struct parsed_crontab {
		int rc;                  /* crontab_parse_stored's */
		struct crontab tab;      /* rc 0: not yet scheduled */
		struct diag_list diags;
	} *parsed;
};

static void parse_change(size_t i, void *ctx)
{
	struct load_batch *b = ctx;
	const struct spool_crontab *ct = &b->v[i];
	struct parsed_crontab *p = &b->parsed[i];
	if (!ct->removed)
		p->rc = crontab_parse_stored(ct->text, ct->len, crontab_user_format(ct->uid), &p->tab,
		                             &p->diags);
}

static void load_user_crontab(struct crond *c, const struct spool_crontab *ct,
                              struct parsed_crontab *p, int64_t now)
{
	char name[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)], err[256];
	if (source_name_user(name, sizeof(name), ct->owner) < 0) {
		log_msg(LOG_ERR, "(%.64s) crontab not scheduled: owner name over %d bytes",
		        ct->owner, SPOOL_NAME_MAX);
		if (p->rc == 0)
			crontab_free(&p->tab);
		return;
	}
	if (p->rc < 0) {
		log_msg(LOG_ERR, "(%s) crontab in the spool does not parse (line %d: %s); skipped",
		        ct->owner, p->diags.count ? p->diags.items[0].line : 0,
		        p->diags.count ? p->diags.items[0].msg : "?");
		return;
	}
	char note[DIAG_MSG_MAX + 64];
	if (crontab_skipped_note(&p->tab, note, sizeof(note)))
		log_msg(LOG_WARNING, "(%s) crontab in the spool: %s", ct->owner, note);
	if (scheduler_set_source(c->sched, name, SOURCE_USER, ct->owner, &p->tab, now, err,
	                         sizeof(err)) < 0)
		log_msg(LOG_ERR, "(%s) crontab not scheduled: %s", ct->owner, err);
}

static void apply_change(size_t i, void *ctx)
{
	struct load_batch *b = ctx;
	const struct spool_crontab *ct = &b->v[i];
	struct parsed_crontab *p = &b->parsed[i];
	/* Changes come in generation order: a later tombstone or install of
	 * the same owner replaces an earlier one. */
	if (ct->removed) {
		char name[SOURCE_NAME_SIZE(SPOOL_NAME_MAX)];
		if (source_name_user(name, sizeof(name), ct->owner) == 0)
			scheduler_remove_source(b->c->sched, name);
	} else {
		load_user_crontab(b->c, ct, p, b->now);
	}
	diag_list_clear(&p->diags);
	b->since = ct->generation;
}

/* The threads to parse the texts of V (N changes) on (parallel_threads_for). */
static size_t parse_threads(const struct spool_crontab *v, size_t n)
{
	size_t bytes = 0, largest = 0;
	for (size_t i = 0; i < n; i++) {
		bytes += v[i].removed ? 0 : v[i].len;
		if (!v[i].removed && v[i].len > largest)
			largest = v[i].len;
	}
	return parallel_threads_for(bytes, largest);
}

static int load_crontabs(struct crond *c, struct spool *sp, int64_t now, char *err,
                         size_t errlen)
{
	struct parsed_crontab *parsed = calloc(LOAD_BATCH, sizeof(*parsed));
	if (!parsed) {
		snprintf(err, errlen, "loading crontabs: out of memory");
		return -1;
	}
	int rc = 0;
	int64_t since = 0;
	for (;;) {
		struct spool_crontab *v;
		size_t n;
		struct spool_err e;
		if (spool_crontab_changes(sp, since, LOAD_BATCH, &v, &n, &e) != SPOOL_OK) {
			snprintf(err, errlen, "loading crontabs: %s", e.msg);
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		memset(parsed, 0, n * sizeof(*parsed));
		struct load_batch b = { c, now, since, v, parsed };
		parallel_for(n, parse_threads(v, n), parse_change, apply_change, &b);
		c->loaded_generation = since = b.since;
		spool_crontabs_free(v, n);
	}
	free(parsed);
	return rc;
}

static int load_at_jobs(struct crond *c, struct spool *sp, char *err, size_t errlen)
{
	struct spool_at_filter all = { .all_owners = true };
	struct spool_at_summary *v;
	size_t n;
	struct spool_err e;
	if (spool_at_list(sp, &all, &v, &n, &e) != SPOOL_OK) {
		snprintf(err, errlen, "loading at jobs: %s", e.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].state == SPOOL_AT_WAITING &&
		    scheduler_add_at(c->sched, v[i].id, v[i].queue, (uint32_t)v[i].uid, v[i].run_at) < 0)
			log_msg(LOG_ERR, "out of memory: at job %lld not scheduled", (long long)v[i].id);
	free(v);
	return 0;
}

/* Runs whose history records were still running when crond died (every
 * run is recorded from its start): the spool ends them as interrupted.
 * Returns them (to spare the at jobs among them a second record), or NULL. */
static struct spool_run *recover_runs(struct spool *sp, int64_t now, size_t *n)
{
	struct spool_run *v;
	struct spool_err e;
	if (spool_history_recover(sp, now * 1000, &v, n, &e) != SPOOL_OK) {
		log_msg(LOG_ERR, "cannot recover interrupted runs: %s", e.msg);
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		if (v[i].kind == SPOOL_RUN_CRON)
			log_event(v[i].owner, "INTERRUPTED", "%.200s was running when crond stopped;"
			          " not run again", v[i].command);
	return v;
}

static bool has_record(const struct spool_run *runs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (runs[i].kind == SPOOL_RUN_AT && strcmp(runs[i].entry_key, key) == 0)
			return true;
	return false;
}

/* Runs, then at jobs, that were running when crond died: record and
 * finish them. */
static void recover_interrupted(struct spool *sp, int64_t now)
{
	struct spool_at_job *v;
	size_t n, n_runs;
	struct spool_err e;
	struct spool_run *runs = recover_runs(sp, now, &n_runs);
	if (spool_at_recover(sp, now, &v, &n, &e) != SPOOL_OK) {
		log_msg(LOG_ERR, "cannot recover interrupted at jobs: %s", e.msg);
		spool_runs_free(runs, n_runs);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char key[64];
		snprintf(key, sizeof(key), "at:%lld", (long long)v[i].id);
		/* Its running record, if one was written, is ended already. */
		bool recorded = has_record(runs, n_runs, key);
		struct spool_run run = {
			.kind = SPOOL_RUN_AT, .owner = v[i].owner, .uid = v[i].uid, .entry_key = key,
			.command = "at job (interrupted)", .scheduled_ms = v[i].run_at * 1000,
			.start_ms = (v[i].started_at ? v[i].started_at : now) * 1000,
			.end_ms = now * 1000, .exit_code = -1, .flags = SPOOL_RUN_INTERRUPTED,
		};
		if (v[i].started_at)
			log_event(v[i].owner, "INTERRUPTED", "at job %lld was running when crond "
			          "stopped; not run again", (long long)v[i].id);
		else
			log_event(v[i].owner, "INTERRUPTED", "at job %lld was claimed when crond "
			          "stopped, its start not recorded; not run again, as it may have "
			          "started", (long long)v[i].id);
		if (spool_at_finish(sp, v[i].id, recorded ? NULL : &run, &e) != SPOOL_OK)
			log_msg(LOG_ERR, "at job %lld: %s", (long long)v[i].id, e.msg);
	}
	spool_at_jobs_free(v, n);
	spool_runs_free(runs, n_runs);
}

static void post_due(void *ctx, const struct due *d)
{
	struct crond *c = ctx;
	struct run_request *r = runreq_from_due(d);
	if (!r) {
		log_msg(LOG_ERR, "out of memory: a start-up run was lost");
		return;
	}
	mailbox_post(&c->super_box, &r->link);
}

static void run_reboot(struct crond *c, struct spool *sp, int64_t now)
{
	char last[128] = "", meta[SPOOL_NODE_MAX + 32];
	struct spool_err e;
	/* A shared spool holds every node's boot: each node keeps its own. */
	snprintf(meta, sizeof(meta), c->spool_shared ? "reboot_boot_id:%s" : "reboot_boot_id",
	         c->node);
	int rc = spool_meta_get(sp, meta, last, sizeof(last), &e);
	if (rc != SPOOL_OK && rc != SPOOL_NOT_FOUND)
		log_msg(LOG_WARNING, "cannot read the last boot id: %s", e.msg);
	if (c->boot_id[0] && strcmp(last, c->boot_id) == 0) {
		log_msg(LOG_INFO, "(*system*) REBOOT (not a new boot: @reboot entries not run)");
		return;
	}
	scheduler_run_reboot(c->sched, now, post_due, c);
	if (c->boot_id[0] && spool_meta_set(sp, meta, c->boot_id, &e) != SPOOL_OK)
		log_msg(LOG_WARNING, "cannot store the boot id: %s", e.msg);
}

/* The catch-up pass's reads. The states of one crontab at a time are held
 * (only catch-up entries keep one: runreq.c), read in one query of its
 * keys' range (spool_state_list of "NAME:") when its first entry asks:
 * a read transaction per entry cost 78 ms of a start with 10,000 catch-up
 * entries on SQLite, and three round trips each on PostgreSQL. */
struct catchup_ctx {
	struct crond *c;
	struct spool *sp;
	char prefix[SPOOL_KEY_MAX + 1];   /* whose states are held; "" none */
	bool listed;                      /* states holds them all */
	struct spool_entry_state *states; /* sorted by key */
	size_t n;
};

static int by_state_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct spool_entry_state *)elem)->key);
}

static int64_t last_scheduled(void *ctx, const char *key)
{
	struct catchup_ctx *cc = ctx;
	const char *colon = strrchr(key, ':');
	size_t plen = colon ? (size_t)(colon - key) + 1 : 0;
	if (plen > 0 && plen < sizeof(cc->prefix)) {
		if (strncmp(cc->prefix, key, plen) != 0 || cc->prefix[plen] != '\0') {
			spool_states_free(cc->states, cc->n);   /* the next crontab's */
			cc->states = NULL;
			cc->n = 0;
			memcpy(cc->prefix, key, plen);
			cc->prefix[plen] = '\0';
			struct spool_err e;
			cc->listed = spool_state_list(cc->sp, cc->prefix, &cc->states, &cc->n,
			                              &e) == SPOOL_OK;
		}
		if (cc->listed) {
			const struct spool_entry_state *st = cc->n == 0 ? NULL
				: bsearch(key, cc->states, cc->n, sizeof(*cc->states), by_state_key);
			return st ? st->last_scheduled : 0;
		}
	}
	int64_t last = 0;
	if (spool_state_get(cc->sp, key, &last, NULL, NULL) != SPOOL_OK)   /* one at a time */
		return 0;
	return last;
}

static void post_catchup(void *ctx, const struct due *d)
{
	struct catchup_ctx *cc = ctx;
	log_msg(LOG_INFO, "(%s) CATCHUP (%.200s missed its run; running it once now)",
	        d->source->owner ? d->source->owner : d->entry->user, d->entry->command);
	post_due(cc->c, d);
}

static void read_boot_id(struct crond *c)
{
	int fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, c->boot_id, sizeof(c->boot_id) - 1) : -1;
	if (fd >= 0)
		close(fd);
	c->boot_id[n > 0 ? n : 0] = '\0';
	c->boot_id[strcspn(c->boot_id, "\n")] = '\0';
}

int startup_load(struct crond *c, struct spool *sp, char *err, size_t errlen)
{
	int64_t now = clock_now_ns(&c->clock) / 1000000000;
	c->sched = scheduler_new(c->local_zone, c->random_factor);
	c->syscron = syscron_new();
	if (!c->sched || !c->syscron) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct spool_err e;
	if (spool_secret(sp, CRONTAB_SECRET_META, c->random_secret, sizeof(c->random_secret),
	                 &e) != SPOOL_OK) {
		snprintf(err, errlen, "the secret for random (~) values: %s", e.msg);
		return -1;
	}
	scheduler_set_secret(c->sched, c->random_secret);
	/* Recovery first: a job claimed but never started waits again
	 * (spool_at_recover), and is loaded with the other waiting ones. */
	recover_interrupted(sp, now);
	if (load_crontabs(c, sp, now, err, errlen) < 0 || load_at_jobs(c, sp, err, errlen) < 0)
		return -1;
	struct config cfg;
	crond_config_copy(c, &cfg);
	syscron_reload(c->syscron, &cfg, c->sched, now, true);
	read_boot_id(c);
	run_reboot(c, sp, now);
	struct catchup_ctx cc = { .c = c, .sp = sp };
	scheduler_run_catchup(c->sched, now, last_scheduled, post_catchup, &cc);
	spool_states_free(cc.states, cc.n);
	struct scheduler_stats st;
	scheduler_stats(c->sched, &st);
	log_msg(LOG_INFO, "(*system*) LOADED (%zu crontabs, %zu entries, %zu at jobs; spool %s, "
	        "schema version %d)", st.sources, st.entries, st.at_jobs, spool_backend_name(sp),
	        spool_schema_version(sp));
	return 0;
}
