/* crontab-cli/store.h: where the crontab command reads and writes.
 *
 * Normally every operation is one request to crond over its socket (one
 * connection per operation, so `crontab -e` holds no connection while the
 * editor runs). When crond is not running (no socket, or nothing listening),
 * a non-root caller gets crond's "not running" message naming the socket;
 * root works on the spool database directly instead, with a note on stderr
 * ("crond is not running ...; changed the spool ... directly ..."), so the
 * administrator can still list, install and remove crontabs. The direct path
 * skips cron.allow/cron.deny (root decides) but validates every crontab with
 * the same parser before storing it.
 *
 * Every function prints its own errors ("crontab: ...") except where noted,
 * and returns one of enum store_result.
 */
#ifndef CROND_CRONTAB_CLI_STORE_H
#define CROND_CRONTAB_CLI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crontab-cli/cli.h"
#include "lib/config.h"
#include "lib/proto.h"

enum store_result {
	STORE_OK = 0,
	STORE_FAIL = -1,        /* printed */
	STORE_NONE = 1,         /* no crontab (not printed: the caller words it) */
	STORE_INVALID = 2,      /* install refused for its content: diagnostics printed */
};

struct store {
	struct config cfg;
	const struct cli_user *who;
	char why[PROTO_ERRMSG_SIZE + CONFIG_PATH_MAX];   /* why crond was not reached */
	bool noted_read;        /* the "crond is not running" notes were printed */
	bool noted_write;
	bool have_seed;         /* store_get learnt the crontab's '~' seed: */
	uint64_t seed;          /* crontab_random_seed, as crond uses it */
	char zone[256];         /* crond's zone (TAG_ZONE), "" when store_get
	                           did not hear it (crond not running) */
};

/* Loads the configuration (--config, $CROND_CONF, /etc/crond.conf) into ST
 * for WHO (kept by pointer). Prints the configuration's errors; -1 or 0. */
int store_init(struct store *st, const struct crontab_cli *cli, const struct cli_user *who);

/* WHO's installed crontab into *TEXT (NUL-terminated, *LEN bytes without
 * the NUL; caller frees). STORE_OK, STORE_NONE or STORE_FAIL. Also sets
 * ST->seed and ST->have_seed (from crond's reply, or on the direct path
 * from the spool's secret, made there if crond never ran), and ST->zone
 * from crond's reply. */
int store_get(struct store *st, char **text, size_t *len);

/* Installs TEXT[0..LEN) for WHO. The caller has already parsed it; its
 * WARNINGS are printed after crond answers, unless crond sent its own.
 * crond's diagnostics are printed as "crontab: NAME:LINE:COL: message".
 * STORE_OK, STORE_INVALID or STORE_FAIL. */
int store_install(struct store *st, const char *text, size_t len, const char *name,
                  const struct diag_list *warnings);

/* Removes WHO's crontab. STORE_OK, STORE_NONE or STORE_FAIL. */
int store_remove(struct store *st);

/* Prints crond's error MSG ("crontab: MSG"). When crond refused the caller
 * their own crontab (MSGE_DENIED: cron.allow/cron.deny), Debian's two lines
 * come first: "You (alice) are not allowed to use this program (crontab)"
 * and "See crontab(1) for more information"; when root asked for a refused
 * user, Debian's "The user bob cannot use this program (crontab)". */
void store_print_error(const struct store *st, uint32_t code, const char *msg);

/* After a direct operation succeeded: the note on stderr that crond is not
 * running and the spool was read (READS) or changed directly; once each. */
void store_note_direct(struct store *st, bool reads);

/* One run of the history, as crond reports it (lib/proto_msgs.h). */
struct store_run {
	char *command;          /* owned */
	char *output;           /* head of the output, owned, NUL-terminated */
	size_t output_len;
	int64_t output_total;
	int64_t scheduled;      /* seconds */
	int64_t start_ms, end_ms;   /* end 0: still running */
	uint32_t status, signal, flags;   /* flags: enum msg_run_flags */
	char *node;             /* the cluster node that ran it, owned; "" if none */
};

/* WHO's newest COUNT cron runs, newest first, as a new array (free with
 * store_runs_free). One reply carries at most 1000 runs (fewer when they
 * are big): the rest are asked page by page with the cursor each cut reply
 * carries (lib/history_cursor.h), at most COUNT requests. *CUT_WHY is NULL,
 * or why fewer than COUNT were got while the history has more (a crond
 * that does not page, one whose cursor did not move on). STORE_OK or
 * STORE_FAIL. */
int store_history(struct store *st, uint32_t count, struct store_run **runs, size_t *n,
                  const char **cut_why);

void store_runs_free(struct store_run *runs, size_t n);

#endif
