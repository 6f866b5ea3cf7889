/* lib/crontab_never.c: warnings for entries that can never run in their
 * CRON_TZ zone (see crontab.h). */
#include <stdlib.h>
#include <string.h>

#include "lib/crontab.h"
#include "lib/nextrun.h"
#include "lib/tz.h"

/* The zones loaded so far, one per distinct CRON_TZ value: options blocks
 * are many (every assignment starts one), zones few (CRONTAB_MAX_ZONES
 * named, and room for an empty value, which crontab_check_zones does not
 * count). */
#define ZONE_CACHE_MAX (CRONTAB_MAX_ZONES + 1)
struct zone_cache {
	const char *names[ZONE_CACHE_MAX];
	struct tz *zones[ZONE_CACHE_MAX];
	size_t n;
};

/* Zone NAME, loaded once; NULL when it cannot be (crontab_check_zones
 * says why) or the cache is full (it cannot be once the zones were
 * counted: the entry then goes without the warning). */
static struct tz *zone_of(struct zone_cache *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->names[i], name) == 0)
			return c->zones[i];
	if (c->n == ZONE_CACHE_MAX)
		return NULL;
	char err[256];
	c->names[c->n] = name;
	c->zones[c->n] = tz_load(name, err, sizeof(err));
	return c->zones[c->n++];
}

size_t crontab_check_never(const struct crontab *tab, int64_t now, struct diag_list *diags)
{
	size_t warned = 0;
	struct zone_cache cache = { .n = 0 };
	for (size_t i = 0; i < tab->n_entries; i++) {
		const struct crontab_entry *e = &tab->entries[i];
		const char *name = tab->options[e->options].tz;
		if (!name || !schedule_can_run(&e->sched))
			continue;   /* the daemon's zone; @reboot; a calendar error said */
		const struct tz *zone = zone_of(&cache, name);
		if (!zone)
			continue;
		int64_t next;
		if (nextrun_after(&e->sched, zone, now, &next))
			continue;
		diag_add(diags, (int)e->line, 1, true,
		         "this entry never runs in CRON_TZ=%s: every time it names falls in a"
		         " skipped hour there", name);
		warned++;
	}
	for (size_t z = 0; z < cache.n; z++)
		tz_free(cache.zones[z]);
	return warned;
}
