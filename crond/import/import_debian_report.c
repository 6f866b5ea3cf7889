/* crond/import/import_debian_report.c: what --import-debian did, item by item, on
 * stdout and in the log. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/import/import_debian.h"
#include "crond/log.h"
#include "lib/safetext.h"

void import_report_add(struct import_report *r, enum import_outcome outcome,
                       const char *user, const char *what, const char *fmt, ...)
{
	r->count[outcome]++;
	if (r->n >= IMPORT_REPORT_MAX)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct import_item *v = realloc(r->items, cap * sizeof *v);
		if (v == NULL)
			return;
		r->items = v;
		r->cap = cap;
	}
	struct import_item *it = &r->items[r->n++];
	it->outcome = outcome;
	snprintf(it->user, sizeof it->user, "%s", user ? user : "");
	snprintf(it->what, sizeof it->what, "%s", what);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof it->detail, fmt, ap);
	va_end(ap);
}

static const char *const outcome_words[] = {
	[IMPORT_DONE] = "imported",
	[IMPORT_BEFORE] = "already imported",
	[IMPORT_SKIPPED] = "skipped",
	[IMPORT_LINE] = "line kept commented out",
	[IMPORT_WARNING] = "line imported, with a warning",
	[IMPORT_REFUSED] = "NOT IMPORTED",
};

static const char *const log_events[] = {
	[IMPORT_DONE] = "IMPORT",
	[IMPORT_BEFORE] = "IMPORT-BEFORE",
	[IMPORT_SKIPPED] = "IMPORT-SKIP",
	[IMPORT_LINE] = "IMPORT-LINE-REFUSED",
	[IMPORT_WARNING] = "IMPORT-LINE-WARNING",
	[IMPORT_REFUSED] = "IMPORT-REFUSED",
};

void import_report_finish(const struct import_report *r, const char *source, FILE *out)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct import_item *it = &r->items[i];
		/* File names and their contents are anyone's bytes: escaped for
		 * root's terminal as the log escapes them. */
		(void)safetext_fputs(it->what, strlen(it->what), out);
		fprintf(out, ": %s%s", outcome_words[it->outcome], it->detail[0] ? ": " : "");
		(void)safetext_fputs(it->detail, strlen(it->detail), out);
		fputc('\n', out);
		log_event(it->user[0] ? it->user : "*system*", log_events[it->outcome],
		          "%s%s%s", it->what, it->detail[0] ? ": " : "", it->detail);
	}
	size_t listed = 0;
	for (int o = 0; o <= IMPORT_REFUSED; o++)
		listed += r->count[o];
	if (listed > r->n)
		fprintf(out, "(%zu more items not listed)\n", listed - r->n);
	char warned[64] = "";
	if (r->count[IMPORT_WARNING] > 0)
		snprintf(warned, sizeof warned, ", %zu line%s imported with a warning",
		         r->count[IMPORT_WARNING], r->count[IMPORT_WARNING] == 1 ? "" : "s");
	fprintf(out, "import from %s: %zu imported, %zu already imported, %zu skipped,"
	        " %zu refused lines kept commented out, %zu not imported%s\n", source,
	        r->count[IMPORT_DONE], r->count[IMPORT_BEFORE], r->count[IMPORT_SKIPPED],
	        r->count[IMPORT_LINE], r->count[IMPORT_REFUSED], warned);
	log_msg(LOG_NOTICE, "(*system*) IMPORT-DONE (from %s: %zu imported, %zu already,"
	        " %zu skipped, %zu lines commented out, %zu not imported)", source,
	        r->count[IMPORT_DONE], r->count[IMPORT_BEFORE], r->count[IMPORT_SKIPPED],
	        r->count[IMPORT_LINE], r->count[IMPORT_REFUSED]);
}

void import_report_free(struct import_report *r)
{
	free(r->items);
	*r = (struct import_report){ 0 };
}
