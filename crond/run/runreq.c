/* crond/run/runreq.c: building run requests (see runreq.h). */
#include "crond/run/runreq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/control/runclient.h"

static void fill_cron(struct run_request *r, const struct due *d)
{
	const struct sched_source *src = d->source;
	const struct crontab_entry *e = d->entry;
	const struct crontab *tab = src->tab;
	const struct crontab_options *o = &tab->options[e->options];
	r->snap = snapshot_ref_run(src->snap);
	r->entry_index = d->entry_index;
	r->source = src->name;
	r->user = src->kind == SOURCE_USER ? src->owner : e->user;
	r->command = e->command;
	r->input = e->input;
	r->env = r->snap->env;
	r->n_env = e->env_count;
	r->shell = snapshot_getenv(r->snap, e, SNAP_SHELL);
	r->mailto = snapshot_getenv(r->snap, e, SNAP_MAILTO);
	r->mailfrom = snapshot_getenv(r->snap, e, SNAP_MAILFROM);
	r->timeout = o->timeout;
	r->overlap_skip = o->overlap_skip;
	r->keep_state = o->catchup;
	r->no_log = e->no_log;
	r->mail_when = o->mail;
	r->mail_failure_only = e->mail_failure_only;
}

struct run_request *runreq_from_due(const struct due *due)
{
	struct run_request *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->msg = SUPER_RUN;
	r->kind = due->kind;
	r->scheduled = due->scheduled;
	r->catchup = due->catchup;
	if (due->kind == DUE_CRON) {
		char key[SCHEDULER_KEY_MAX];
		scheduler_entry_key(due->source, due->entry, key, sizeof(key));
		r->entry_key = strdup(key);
		if (!r->entry_key) {
			free(r);
			return NULL;
		}
		fill_cron(r, due);
	} else {
		r->at_id = due->at_id;
		r->queue = due->queue;
		r->at_uid = due->at_uid;
	}
	return r;
}

static struct run_request *message(enum super_msg_kind msg)
{
	struct run_request *r = calloc(1, sizeof(*r));
	if (r)
		r->msg = msg;
	return r;
}

void runreq_make_manual(struct run_request *r, struct run_client *client)
{
	r->manual = true;
	r->client = client;
	r->catchup = false;
	r->keep_state = false;   /* a run by hand is not the scheduled run */
	if (r->user)
		snprintf(client->user, sizeof(client->user), "%s", r->user);
}

struct run_request *runreq_client(struct run_client *client)
{
	struct run_request *r = message(SUPER_CLIENT);
	if (r)
		r->client = client;
	return r;
}

struct run_request *runreq_stop(void)
{
	return message(SUPER_STOP);
}

struct run_request *runreq_sweep(void)
{
	return message(SUPER_SWEEP);
}

bool runreq_cancelled(const struct run_request *r)
{
	return r->kind == DUE_CRON && r->snap && snapshot_cancelled(r->snap, r->entry_index);
}

size_t runreq_bytes(const struct run_request *r)
{
	return sizeof(*r) + (r->entry_key ? strlen(r->entry_key) + 1 : 0) +
	       (r->at_owner ? strlen(r->at_owner) + 1 : 0);
}

void runreq_free(struct run_request *r)
{
	if (!r)
		return;
	snapshot_unref_run(r->snap);
	if (r->client && !r->client->adopted)
		runclient_free(r->client);
	free(r->entry_key);
	free(r->at_owner);
	free(r);
}
