/* lib/diag.h: diagnostics (errors and warnings) with a place in the input.
 *
 * Parsers never print: they append diagnostics here and the caller decides
 * how to show them (the CLIs print "prog: FILE:LINE:COL: message", the daemon
 * logs them). A list holds at most DIAG_MAX items; later ones are counted in
 * `dropped` so a hostile input cannot make the list grow without bound.
 */
#ifndef CROND_LIB_DIAG_H
#define CROND_LIB_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#define DIAG_MAX 200
#define DIAG_MSG_MAX 240

struct diag {
	int line;      /* 1-based; 0 when the message is about the whole input */
	int column;    /* 1-based byte column; 0 when about the whole line */
	bool warning;  /* false: an error */
	char msg[DIAG_MSG_MAX];
};

struct diag_list {
	struct diag *items;
	size_t count;
	size_t cap;
	size_t errors;   /* errors seen, stored or dropped */
	size_t warnings; /* warnings seen, stored or dropped */
	size_t dropped;  /* diagnostics not stored because the list was full */
};

/* Appends a diagnostic (printf-style message). Never fails: on allocation
 * failure or a full list the item is counted in `dropped` instead. */
void diag_add(struct diag_list *list, int line, int column, bool warning,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Frees the items and resets the list to empty. */
void diag_list_clear(struct diag_list *list);

/* Formats one diagnostic as "NAME:LINE:COL: message" (warnings get
 * "warning: " before the message; LINE/COL omitted when 0) into BUF. */
void diag_format(const struct diag *d, const char *name, char *buf, size_t buflen);

#endif
