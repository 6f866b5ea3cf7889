/* crond/notify.c: sd_notify for the service manager (see notify.h). */
#include "crond/notify.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "crond/log.h"
#include "lib/timefmt.h"

bool notify_wanted(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	return s != NULL && s[0] != '\0';
}

void notify_state(const char *state)
{
	if (!notify_wanted())
		return;
	int rc = sd_notify(0, state);
	if (rc < 0)
		log_msg(LOG_DEBUG, "sd_notify(%s): %s", state, strerror(-rc));
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void notify_status_text(struct crond *c, char *buf, size_t len)
{
	size_t tabs = atomic_load(&c->crontabs), at = atomic_load(&c->at_jobs);
	size_t running = atomic_load(&c->jobs_running);
	long long due = atomic_load(&c->next_due);
	char next[TIMEFMT_RFC3339_LEN] = "none";
	if (due != INT64_MAX)
		timefmt_rfc3339(c->local_zone, (int64_t)due, next, sizeof(next));
	/* A cluster node that claims nothing says so first. */
	char trouble[96] = "";
	if (atomic_load(&c->spool_down))
		snprintf(trouble, sizeof(trouble), "SPOOL DOWN, claiming nothing; ");
	else if (atomic_load(&c->claims_refused))
		snprintf(trouble, sizeof(trouble), "CLOCK SKEW %+lld ms, claiming nothing; ",
		         (long long)atomic_load(&c->clock_skew_ms));
	snprintf(buf, len, "%s%zu crontab%s, %zu at job%s, %zu running, next run %s", trouble, tabs,
	         plural(tabs), at, plural(at), running, next);
}

void notify_status_update(struct crond *c, char *last)
{
	if (!notify_wanted())
		return;
	char text[NOTIFY_STATUS_MAX], msg[NOTIFY_STATUS_MAX + 8];
	notify_status_text(c, text, sizeof(text));
	if (strcmp(text, last) == 0)
		return;
	snprintf(last, NOTIFY_STATUS_MAX, "%s", text);
	snprintf(msg, sizeof(msg), "STATUS=%s", text);
	notify_state(msg);
}
