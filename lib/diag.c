/* lib/diag.c: diagnostic lists (see diag.h). */
#include "lib/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void diag_add(struct diag_list *list, int line, int column, bool warning,
              const char *fmt, ...)
{
	if (warning)
		list->warnings++;
	else
		list->errors++;
	if (list->count == list->cap) {
		size_t ncap = list->cap ? list->cap * 2 : 8;
		if (ncap > DIAG_MAX)
			ncap = DIAG_MAX;
		struct diag *n = ncap > list->cap
			? realloc(list->items, ncap * sizeof(*n)) : NULL;
		if (!n) {
			list->dropped++;
			return;
		}
		list->items = n;
		list->cap = ncap;
	}
	struct diag *d = &list->items[list->count++];
	d->line = line;
	d->column = column;
	d->warning = warning;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void diag_list_clear(struct diag_list *list)
{
	free(list->items);
	*list = (struct diag_list){ 0 };
}

void diag_format(const struct diag *d, const char *name, char *buf, size_t buflen)
{
	const char *kind = d->warning ? "warning: " : "";
	if (d->line > 0 && d->column > 0)
		snprintf(buf, buflen, "%s:%d:%d: %s%s", name, d->line, d->column, kind, d->msg);
	else if (d->line > 0)
		snprintf(buf, buflen, "%s:%d: %s%s", name, d->line, kind, d->msg);
	else
		snprintf(buf, buflen, "%s: %s%s", name, kind, d->msg);
}
