/* lib/crontab_assign.h: assignment lines (NAME=VALUE) and the extension
 * settings they carry, for lib/crontab.c. Internal to the crontab parser. */
#ifndef CROND_LIB_CRONTAB_ASSIGN_H
#define CROND_LIB_CRONTAB_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/crontab.h"

/* Splits an assignment line into name and value (quotes removed from either).
 * Returns 0, or -1 with *ERR_COL (0-based) and MSG. On success NAME/VALUE
 * point into SCRATCH (at least LEN + 2 bytes) and are NUL-terminated. */
int assign_split(const char *line, size_t len, char *scratch, const char **name,
                 const char **value, size_t *value_col, size_t *err_col, char *msg,
                 size_t msglen);

/* True when the line looks like an assignment rather than an entry. */
bool assign_line_is_assignment(const char *line, size_t len);

/* If NAME is one of the extension settings (CRON_TZ, RANDOM_DELAY,
 * CRON_TIMEOUT, CRON_OVERLAP, CRON_CATCHUP, CRON_MAIL, CRON_NODES), applies VALUE to OPTS and
 * returns 1; returns 0 for any other name; -1 with MSG for a bad value.
 * OPTS->tz is set to VALUE itself (the caller keeps it alive) or NULL. */
int assign_apply_option(const char *name, const char *value, struct crontab_options *opts,
                        char *msg, size_t msglen);

#endif
