/* tests/fuzz/fuzz_crontab.c: libFuzzer target for the crontab language.
 *
 * Feeds arbitrary bytes to the whole-text parser in every format and, for
 * every entry that parses (its '~' values picked), asks for its next runs in
 * a zone with DST, so the evaluation code is fuzzed with every schedule the
 * parser accepts.
 * Build and run with `make fuzz` (clang, ASan+UBSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crontab.h"
#include "lib/nextrun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tz *fuzz_zone(void)
{
	static struct tz *zone;
	if (!zone) {
		char err[256];
		zone = tz_load("America/New_York", err, sizeof(err));
		if (!zone)
			abort();
	}
	return zone;
}

static void exercise(const struct crontab *tab)
{
	for (size_t i = 0; i < tab->n_entries && i < 64; i++) {
		const struct crontab_entry *e = &tab->entries[i];
		int64_t t = 1772900000;  /* the day before a DST change */
		for (int k = 0; k < 3; k++) {
			if (!nextrun_after(&e->sched, fuzz_zone(), t, &t))
				break;
		}
		(void)crontab_getenv(tab, e, "MAILTO");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	static const enum crontab_format formats[] = { CRONTAB_USER, CRONTAB_SYSTEM, CRONTAB_ROOT };
	for (int fmt = 0; fmt < 3; fmt++) {
		struct crontab tab;
		struct diag_list diags = { 0 };
		if (crontab_parse(text, size, formats[fmt], &tab, &diags) == 0) {
			crontab_resolve_random(&tab, (uint64_t)size * 0x9e3779b97f4a7c15ull);
			exercise(&tab);
			crontab_free(&tab);
		}
		char buf[512];
		for (size_t i = 0; i < diags.count; i++)
			diag_format(&diags.items[i], "fuzz", buf, sizeof(buf));
		diag_list_clear(&diags);
	}
	return 0;
}
