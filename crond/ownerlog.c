/* crond/ownerlog.c: a per-owner rate limit of log lines (the contract is
 * in ownerlog.h). Each table belongs to one thread.
 *
 * The table is small and scanned linearly: a line costs at most
 * OWNERLOG_OWNERS name comparisons, which is nothing next to the syslog
 * write it may save, and the state never grows with the number of users.
 */
#include "crond/ownerlog.h"

#include "crond/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool window_over(const struct ownerlog_owner *o, int64_t now_ns)
{
	return now_ns < o->window_ns || now_ns - o->window_ns >= OWNERLOG_WINDOW_NS;
}

/* USER's place in the table: found, new, or taken from an owner whose
 * window is over (reported in *V when it had lines held back); NULL when
 * every place is in use within its window. */
static struct ownerlog_owner *place_of(struct ownerlog *l, const char *user, int64_t now_ns,
                                      struct ownerlog_verdict *v)
{
	struct ownerlog_owner *idle = NULL;
	for (size_t i = 0; i < l->n; i++) {
		struct ownerlog_owner *o = &l->owner[i];
		if (strncmp(o->name, user, OWNERLOG_NAME_MAX) == 0)
			return o;
		/* Prefer a place that owes no held-back count. */
		if (window_over(o, now_ns) && (!idle || (idle->held > 0 && o->held == 0)))
			idle = o;
	}
	struct ownerlog_owner *o;
	if (l->n < OWNERLOG_OWNERS) {
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

void ownerlog_allow(struct ownerlog *l, const char *user, int64_t now_ns,
                    struct ownerlog_verdict *v)
{
	memset(v, 0, sizeof(*v));
	struct ownerlog_owner *o = place_of(l, user, now_ns, v);
	if (!o) {
		o = &l->others;
		v->shared = true;
	}
	if (window_over(o, now_ns)) {
		o->window_ns = now_ns;
		o->lines = 0;
	}
	if (o->lines >= OWNERLOG_BURST) {
		o->held++;
		v->shared = false;
		return;
	}
	o->lines++;
	v->log = true;
	v->held = o->held;
	o->held = 0;
}

void ownerlog_held_note(char *buf, size_t len, unsigned held, bool shared, const char *what)
{
	if (held == 0 && len > 0)
		buf[0] = '\0';
	else if (held > 0)
		snprintf(buf, len, "%u similar %s%s not logged%s", held, what, held == 1 ? "" : "s",
		         shared ? " (of several users)" : "");
}

void ownerlog_event(struct ownerlog *l, const char *user, const char *event, int64_t now_ns,
                    const char *fmt, ...)
{
	struct ownerlog_verdict v;
	ownerlog_allow(l, user, now_ns, &v);
	char more[96];
	if (v.evicted_held > 0) {
		ownerlog_held_note(more, sizeof(more), v.evicted_held, false, "line");
		log_event(v.evicted, event, "%s", more);
	}
	if (!v.log)
		return;
	char detail[LOG_DETAIL_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ownerlog_held_note(more, sizeof(more), v.held, v.shared, "line");
	log_event(user, event, "%s%s%s", detail, v.held > 0 ? "; " : "", more);
}
