/* crontab-cli/next_tab.c: `crontab [-u USER] --next N [--from T] [--tz Z]`
 * without a schedule: the next N runs of the installed crontab.
 *
 * Every entry that runs at a time (not @reboot, not one that can never run)
 * contributes its runs strictly after the from-instant, each computed in the
 * entry's CRON_TZ, else in --tz's zone, else in crond's (as crond runs it:
 * its $TZ or /etc/localtime, which it names in its reply; the local zone
 * when crond is not running), with the DST rules of lib/nextrun.h. The
 * streams are merged with a min-heap keyed by (instant, line), so N lines
 * cost O(N log entries) whatever the crontab's size. Output:
 * "RFC3339<TAB>command", instants shown in ZONE (--tz, else the local
 * zone), up to the end of year 9999 (then a message and exit status 1). The '~' values are
 * crond's own picks: the crontab comes with its seed. With --json, one
 * document instead (next_json_*, schema "crond.next/1" in crontab(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/store.h"
#include "lib/crontab.h"
#include "lib/json_out.h"
#include "lib/nextrun.h"
#include "lib/safetext.h"
#include "lib/timefmt.h"
#include "lib/tz.h"

struct cursor {
	int64_t next;                   /* the entry's next run */
	const struct crontab_entry *e;
	const struct tz *zone;
};

static bool before(const struct cursor *a, const struct cursor *b)
{
	return a->next < b->next || (a->next == b->next && a->e->line < b->e->line);
}

static void sift_down(struct cursor *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && before(&h[l], &h[m]))
			m = l;
		if (r < n && before(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		struct cursor t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Fills H with one cursor per entry that has a run after FROM; *N gets
 * the count. -1 when a zone cannot be loaded (printed). */
static int start_cursors(const struct crontab *tab, struct tz **zones, const struct tz *zone,
                         int64_t from, struct cursor *h, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < tab->n_entries; i++) {
		const struct crontab_entry *e = &tab->entries[i];
		if ((e->sched.flags & SCHED_REBOOT) || !schedule_can_run(&e->sched))
			continue;
		const struct tz *z = cli_entry_zone(tab, e->options, zones, zone);
		if (!z)
			return -1;
		struct cursor c = { .e = e, .zone = z };
		if (nextrun_after(&e->sched, z, from, &c.next))
			h[(*n)++] = c;
	}
	for (size_t i = *n / 2; i-- > 0;)
		sift_down(h, *n, i);
	return 0;
}

/* Prints COUNT merged runs; returns the exit status. */
static int print_runs(const struct crontab *tab, const struct tz *zone,
                      const struct tz *entry_zone, int64_t from, long count, const char *user,
                      bool json)
{
	json_t *runs = NULL, *doc = json ? next_json_start(zone, user, &runs) : NULL;
	struct tz **zones = calloc(tab->n_options + 1, sizeof(*zones));
	struct cursor *h = calloc(tab->n_entries + 1, sizeof(*h));
	size_t n = 0;
	int status = EXIT_FAIL;
	if (!zones || !h || (json && !doc)) {
		fprintf(stderr, "crontab: out of memory\n");
		goto out;
	}
	if (start_cursors(tab, zones, entry_zone, from, h, &n) < 0)
		goto out;
	if (n == 0)
		fprintf(stderr, "crontab: %s's crontab has no entry that runs at a time\n", user);
	bool capped = false;
	for (long k = 0; k < count && n > 0; k++) {
		char buf[TIMEFMT_RFC3339_LEN];
		if (cli_format_run(zone, h[0].next, buf, sizeof(buf)) < 0) {
			capped = true;
			break;
		}
		if (json && next_json_add(runs, zone, h[0].next, h[0].e->line, h[0].e->command) < 0) {
			fprintf(stderr, "crontab: out of memory\n");
			goto out;
		} else if (!json) {
			printf("%s\t", buf);   /* the command escaped: root may be reading */
			(void)safetext_fputs(h[0].e->command, strlen(h[0].e->command), stdout);
			putchar('\n');   /* write errors: fflush below */
		}
		if (!nextrun_after(&h[0].e->sched, h[0].zone, h[0].next, &h[0].next))
			h[0] = h[--n];
		sift_down(h, n, 0);
	}
	if (json) {
		status = json_out_print(doc, stdout) == 0 ? EXIT_OK : EXIT_FAIL;
		doc = NULL;
	} else {
		status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (status != EXIT_OK)
		fprintf(stderr, "crontab: cannot write to standard output\n");
	if (capped)
		status = EXIT_FAIL;
out:
	json_decref(doc);
	for (size_t i = 0; zones && i < tab->n_options; i++)
		tz_free(zones[i]);
	free(zones);
	free(h);
	return status;
}

/* The from-instant: --from read as wall time in ZONE, else now. */
static int from_instant(const struct crontab_cli *cli, const struct tz *zone, int64_t *t)
{
	*t = (int64_t)time(NULL);
	if (!cli->from)
		return 0;
	int64_t wall;
	if (timefmt_parse_wall(cli->from, &wall) < 0) {
		fprintf(stderr, "crontab: --from '%s': expected YYYY-MM-DDTHH:MM[:SS], a valid "
		        "wall-clock time\n", cli->from);
		return -1;
	}
	*t = timefmt_wall_to_instant(zone, wall);
	return 0;
}

/* WHO's crontab, parsed; prints what goes wrong. */
static int load_crontab(struct store *st, const struct cli_user *who, struct crontab *tab)
{
	char *text = NULL;
	size_t len = 0;
	int rc = store_get(st, &text, &len);
	if (rc == STORE_NONE)
		fprintf(stderr, "no crontab for %s\n", who->name);
	if (rc != STORE_OK)
		return -1;
	struct diag_list diags = { 0 };
	rc = crontab_parse_stored(text, len, crontab_user_format(who->uid), tab, &diags);
	if (rc < 0) {
		char name[CLI_NAME_MAX + 32];
		snprintf(name, sizeof(name), "(%s's crontab)", who->name);
		crontab_print_diags(&diags, name);
	}
	char note[DIAG_MSG_MAX + 64];
	if (rc == 0 && crontab_skipped_note(tab, note, sizeof(note)))   /* crond skips them too */
		fprintf(stderr, "crontab: %s's crontab: %s\n", who->name, note);
	diag_list_clear(&diags);
	free(text);
	return rc;
}

/* Gives the '~' elements crond's picks (the seed came with the crontab) and
 * says on stderr what each picked, e.g. "line 3: minute 0~30 is 17". */
static void resolve_random(struct crontab *tab, const struct store *st)
{
	bool any = false;
	for (size_t i = 0; i < tab->n_entries; i++)
		any = any || tab->entries[i].sched.n_random > 0;
	if (!any)
		return;
	if (!st->have_seed) {
		fprintf(stderr, "crontab: crond did not say which values the random (~) elements "
		        "have: entries with one are left out\n");
		return;
	}
	crontab_resolve_random(tab, st->seed);
	for (size_t i = 0; i < tab->n_entries; i++) {
		const struct crontab_entry *e = &tab->entries[i];
		for (unsigned k = 0; k < e->sched.n_random; k++) {
			const struct schedule_random *r = &e->sched.random[k];
			char step[16] = "";
			if (r->step)
				snprintf(step, sizeof(step), "/%u", r->step);
			fprintf(stderr, "crontab: line %u: %s %u~%u%s %s %u\n", e->line,
			        schedule_field_name(r->field), r->lo, r->hi, step,
			        r->step ? "starts at" : "is", r->chosen);
		}
	}
}

int crontab_cmd_next_installed(const struct crontab_cli *cli)
{
	if (cli->count < 1 || cli->count > CLI_NEXT_MAX_COUNT) {
		fprintf(stderr, "crontab: --next takes a count from 1 to %d\n", CLI_NEXT_MAX_COUNT);
		return EXIT_USAGE;
	}
	struct cli_user who;
	struct store st;
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return EXIT_FAIL;
	struct tz *zone = cli_load_zone(cli);
	if (!zone)
		return EXIT_FAIL;
	int status = EXIT_FAIL;
	int64_t from;
	struct crontab tab;
	if (from_instant(cli, zone, &from) == 0 && load_crontab(&st, &who, &tab) == 0) {
		resolve_random(&tab, &st);
		/* --tz names the zone to compute in as well; else crond's. */
		struct tz *daemon_zone = cli->zone ? NULL : cli_daemon_zone(st.zone);
		const struct tz *entry_zone = cli->zone ? zone : daemon_zone;
		if (entry_zone)
			status = print_runs(&tab, zone, entry_zone, from, cli->count, who.name,
			                    cli->json);
		tz_free(daemon_zone);
		crontab_free(&tab);
	}
	tz_free(zone);
	return status;
}
