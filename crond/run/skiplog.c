/* crond/run/skiplog.c: the per-owner rate limit of SKIP log lines (the
 * contract is in skiplog.h). Runs in the supervisor thread only.
 *
 * The table is small and scanned linearly: a SKIP line costs at most
 * SKIPLOG_OWNERS name comparisons, which is nothing next to the syslog
 * write it may save, and the state never grows with the number of users.
 */
#include "crond/run/skiplog.h"

#include <stdio.h>
#include <string.h>

static bool window_over(const struct skiplog_owner *o, int64_t now_ns)
{
	return now_ns < o->window_ns || now_ns - o->window_ns >= SKIPLOG_WINDOW_NS;
}

/* USER's place in the table: found, new, or taken from an owner whose
 * window is over (reported in *V when it had lines held back); NULL when
 * every place is in use within its window. */
static struct skiplog_owner *place_of(struct skiplog *l, const char *user, int64_t now_ns,
                                      struct skiplog_verdict *v)
{
	struct skiplog_owner *idle = NULL;
	for (size_t i = 0; i < l->n; i++) {
		struct skiplog_owner *o = &l->owner[i];
		if (strncmp(o->name, user, SKIPLOG_NAME_MAX) == 0)
			return o;
		/* Prefer a place that owes no held-back count. */
		if (window_over(o, now_ns) && (!idle || (idle->held > 0 && o->held == 0)))
			idle = o;
	}
	struct skiplog_owner *o;
	if (l->n < SKIPLOG_OWNERS) {
		o = &l->owner[l->n++];
	} else if (idle) {
		o = idle;
		if (o->held > 0) {
			snprintf(v->evicted, sizeof(v->evicted), "%s", o->name);
			v->evicted_held = o->held;
		}
	} else {
		return NULL;
	}
	snprintf(o->name, sizeof(o->name), "%s", user);
	o->window_ns = now_ns;
	o->lines = 0;
	o->held = 0;
	return o;
}

void skiplog_allow(struct skiplog *l, const char *user, int64_t now_ns,
                   struct skiplog_verdict *v)
{
	memset(v, 0, sizeof(*v));
	struct skiplog_owner *o = place_of(l, user, now_ns, v);
	if (!o) {
		o = &l->others;
		v->shared = true;
	}
	if (window_over(o, now_ns)) {
		o->window_ns = now_ns;
		o->lines = 0;
	}
	if (o->lines >= SKIPLOG_BURST) {
		o->held++;
		v->shared = false;
		return;
	}
	o->lines++;
	v->log = true;
	v->held = o->held;
	o->held = 0;
}
