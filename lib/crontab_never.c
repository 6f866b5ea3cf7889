/* lib/crontab_never.c: warnings for entries that can never run in their
 * CRON_TZ zone (see crontab.h). */
#include <stdlib.h>
#include <string.h>

#include "lib/crontab.h"
#include "lib/nextrun.h"
#include "lib/tz.h"

size_t crontab_check_never(const struct crontab *tab, int64_t now, struct diag_list *diags)
{
	size_t warned = 0;
	struct tz **zones = tab->n_options ? calloc(tab->n_options, sizeof(*zones)) : NULL;
	if (!zones)
		return 0;   /* nothing to say without memory: warnings only */
	for (size_t i = 0; i < tab->n_entries; i++) {
		const struct crontab_entry *e = &tab->entries[i];
		const char *name = tab->options[e->options].tz;
		if (!name || !schedule_can_run(&e->sched))
			continue;   /* the daemon's zone; @reboot; a calendar error said */
		if (!zones[e->options]) {
			char err[256];
			zones[e->options] = tz_load(name, err, sizeof(err));
			if (!zones[e->options])
				continue;   /* crontab_check_zones says why */
		}
		int64_t next;
		if (nextrun_after(&e->sched, zones[e->options], now, &next))
			continue;
		diag_add(diags, (int)e->line, 1, true,
		         "this entry never runs in CRON_TZ=%s: every time it names falls in a"
		         " skipped hour there", name);
		warned++;
	}
	for (size_t b = 0; b < tab->n_options; b++)
		tz_free(zones[b]);
	free(zones);
	return warned;
}
