/* crontab-cli/store_spool.h: the direct path of crontab-cli/store.h.
 *
 * Used only by store.c, only for root, only when crond is not running: the
 * same operations on the spool database named by the configuration, with
 * the same results and messages. The spool is opened for one operation and
 * closed again (it is created, 0700 directory and 0600 file, by an install
 * only).
 */
#ifndef CROND_CRONTAB_CLI_STORE_SPOOL_H
#define CROND_CRONTAB_CLI_STORE_SPOOL_H

#include "crontab-cli/store.h"

int store_spool_get(struct store *st, char **text, size_t *len);
int store_spool_install(struct store *st, const char *text, size_t len);
int store_spool_remove(struct store *st);
int store_spool_history(struct store *st, uint32_t count, struct store_run **runs,
                        size_t *n);

#endif
