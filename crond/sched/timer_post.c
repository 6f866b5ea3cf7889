/* crond/sched/timer_post.c: how other threads tell the timer thread about
 * changes (the posting helpers declared in timer.h).
 *
 * Each helper allocates one struct timer_msg, fills it and posts it to
 * c->timer_box; the timer thread takes it and frees it (crontab_free,
 * free(owner), free). They run on any thread and never block beyond the
 * mailbox's short lock. On an allocation failure the message is dropped and
 * logged: the next reload (SIGHUP, or the daemon's restart) rebuilds the
 * schedule from the spool.
 */
#include "crond/sched/timer.h"

#include <stdlib.h>
#include <string.h>

#include "crond/log.h"
#include "crond/sched/timer_batch.h"
#include "crond/control/runclient.h"

static const char *const kind_names[] = {
	[TIMER_SET_CRONTAB] = "set crontab",
	[TIMER_REMOVE_CRONTAB] = "remove crontab",
	[TIMER_AT_ADD] = "add at job",
	[TIMER_AT_REMOVE] = "remove at job",
	[TIMER_RELOAD] = "reload",
	[TIMER_STATUS] = "status",
	[TIMER_STOP] = "stop",
	[TIMER_RUN] = "run an entry",
	[TIMER_AT_MARK] = "at job resync mark",
	[TIMER_AT_SYNC] = "at job resync",
};

/* A zeroed message of KIND, or NULL (logged). */
static struct timer_msg *msg_new(enum timer_msg_kind kind)
{
	struct timer_msg *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		log_msg(LOG_ERR, "out of memory: timer message '%s' dropped", kind_names[kind]);
		return NULL;
	}
	m->kind = kind;
	return m;
}

/* A message of KIND naming OWNER (copied), or NULL (logged). */
static struct timer_msg *msg_new_owner(enum timer_msg_kind kind, const char *owner)
{
	struct timer_msg *m = msg_new(kind);
	if (m == NULL)
		return NULL;
	m->owner = strdup(owner);
	if (m->owner == NULL) {
		log_msg(LOG_ERR, "(%s) out of memory: timer message '%s' dropped", owner,
		        kind_names[kind]);
		free(m);
		return NULL;
	}
	return m;
}

/* Posts crontab change M in the place of a waiting change of the same
 * owner, if there is one (timer_batch_relation), and frees that one. */
static void post_change(struct crond *c, struct timer_msg *m)
{
	struct mailbox_item *old = mailbox_post_replacing(&c->timer_box, &m->link,
	                                                  timer_batch_relation);
	if (old != NULL) {
		struct timer_msg *o = (struct timer_msg *)(void *)old;
		crontab_free(&o->tab);
		free(o->owner);
		free(o);
	}
}

/* TAB is moved in every case: into the message, or freed with it when the
 * message cannot be built; the caller's copy is left empty. */
void timer_post_crontab(struct crond *c, const char *owner, struct crontab *tab,
                        int64_t generation, bool by_root)
{
	struct timer_msg *m = msg_new_owner(TIMER_SET_CRONTAB, owner);
	if (m == NULL) {
		crontab_free(tab);
		return;
	}
	m->generation = generation;
	m->by_root = by_root;
	m->tab = *tab;
	memset(tab, 0, sizeof(*tab));
	post_change(c, m);
}

void timer_post_remove_crontab(struct crond *c, const char *owner, int64_t generation,
                               bool by_root)
{
	struct timer_msg *m = msg_new_owner(TIMER_REMOVE_CRONTAB, owner);
	if (m == NULL)
		return;
	m->generation = generation;
	m->by_root = by_root;
	post_change(c, m);
}

void timer_post_at_sync(struct crond *c, struct resync_at *list, size_t n)
{
	struct timer_msg *m = msg_new(TIMER_AT_SYNC);
	if (m == NULL) {
		free(list);
		return;
	}
	m->at_list = list;
	m->n_at = n;
	mailbox_post(&c->timer_box, &m->link);
}

void timer_post_at_add(struct crond *c, int64_t id, char queue, uint32_t uid, int64_t run_at)
{
	struct timer_msg *m = msg_new(TIMER_AT_ADD);
	if (m == NULL)
		return;
	m->at_id = id;
	m->queue = queue;
	m->at_uid = uid;
	m->run_at = run_at;
	mailbox_post(&c->timer_box, &m->link);
}

void timer_post_at_remove(struct crond *c, int64_t id)
{
	struct timer_msg *m = msg_new(TIMER_AT_REMOVE);
	if (m == NULL)
		return;
	m->at_id = id;
	mailbox_post(&c->timer_box, &m->link);
}

void timer_post(struct crond *c, enum timer_msg_kind kind)
{
	struct timer_msg *m = msg_new(kind);
	if (m != NULL)
		mailbox_post(&c->timer_box, &m->link);
}

void timer_post_run(struct crond *c, const char *source, uint32_t line,
                    struct run_client *client)
{
	struct timer_msg *m = msg_new(TIMER_RUN);
	if (m != NULL && (m->source = strdup(source)) == NULL) {
		log_msg(LOG_ERR, "out of memory: timer message '%s' dropped", kind_names[TIMER_RUN]);
		free(m);
		m = NULL;
	}
	if (m == NULL) {
		runclient_free(client);
		return;
	}
	m->line = line;
	m->client = client;
	mailbox_post(&c->timer_box, &m->link);
}
