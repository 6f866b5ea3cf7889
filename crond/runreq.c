/* crond/runreq.c: building run requests (see runreq.h). */
#include "crond/runreq.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s, bool *oom)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static char **copy_env(const struct crontab *tab, const struct crontab_entry *e, bool *oom)
{
	char **env = calloc(e->env_count + 1, sizeof(*env));
	if (!env) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < e->env_count; i++) {
		const struct crontab_assignment *a = &tab->env[i];
		size_t n = strlen(a->name) + strlen(a->value) + 2;
		env[i] = malloc(n);
		if (!env[i]) {
			*oom = true;
			break;
		}
		memcpy(env[i], a->name, strlen(a->name));
		env[i][strlen(a->name)] = '=';
		memcpy(env[i] + strlen(a->name) + 1, a->value, strlen(a->value) + 1);
	}
	return env;
}

static void fill_cron(struct run_request *r, const struct due *d, bool *oom)
{
	const struct sched_source *src = d->source;
	const struct crontab_entry *e = d->entry;
	const struct crontab_options *o = &src->tab.options[e->options];
	r->source = dup_or_null(src->name, oom);
	r->user = dup_or_null(src->kind == SOURCE_USER ? src->owner : e->user, oom);
	r->command = dup_or_null(e->command, oom);
	r->input = dup_or_null(e->input, oom);
	r->env = copy_env(&src->tab, e, oom);
	r->n_env = e->env_count;
	r->shell = dup_or_null(crontab_getenv(&src->tab, e, "SHELL"), oom);
	r->mailto = dup_or_null(crontab_getenv(&src->tab, e, "MAILTO"), oom);
	r->mailfrom = dup_or_null(crontab_getenv(&src->tab, e, "MAILFROM"), oom);
	char key[SCHEDULER_KEY_MAX];
	scheduler_entry_key(src, e, key, sizeof(key));
	r->entry_key = dup_or_null(key, oom);
	r->timeout = o->timeout;
	r->overlap_skip = o->overlap_skip;
	r->keep_state = o->catchup;
	r->no_log = e->no_log;
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
	bool oom = false;
	if (due->kind == DUE_CRON) {
		fill_cron(r, due, &oom);
	} else {
		r->at_id = due->at_id;
		r->queue = due->queue;
	}
	if (oom) {
		runreq_free(r);
		return NULL;
	}
	return r;
}

struct run_request *runreq_stop(void)
{
	struct run_request *r = calloc(1, sizeof(*r));
	if (r)
		r->msg = SUPER_STOP;
	return r;
}

void runreq_free(struct run_request *r)
{
	if (!r)
		return;
	free(r->source);
	free(r->user);
	free(r->command);
	free(r->input);
	if (r->env)
		for (size_t i = 0; i < r->n_env; i++)
			free(r->env[i]);
	free(r->env);
	free(r->shell);
	free(r->mailto);
	free(r->mailfrom);
	free(r->entry_key);
	free(r);
}
