/* crontab-cli/install.h: check a crontab text, then install it.
 *
 * Shared by `crontab FILE` and `crontab -e`.
 */
#ifndef CROND_CRONTAB_CLI_INSTALL_H
#define CROND_CRONTAB_CLI_INSTALL_H

#include <stddef.h>

#include "crontab-cli/store.h"

/* Parses TEXT[0..LEN) as a user crontab and checks its CRON_TZ zones;
 * on errors prints them all as "crontab: NAME:LINE:COL: message" and
 * returns STORE_INVALID without sending anything. Otherwise installs it
 * (store_install: crond validates again; its diagnostics are printed the
 * same way) and returns what store_install returned. */
int cli_check_and_install(struct store *st, const char *text, size_t len, const char *name);

#endif
