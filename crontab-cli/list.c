/* crontab-cli/list.c: `crontab [-u USER] -l`.
 *
 * Writes the installed crontab to stdout exactly as it was installed (no
 * header, no added newline), so `crontab -l > f; crontab f` is a no-op.
 * One exception: another user's crontab (root's -u) shown on a terminal has
 * its control characters escaped (lib/safetext.h; newlines and tabs kept),
 * so that bytes bob chose never command root's terminal. Into a file or a
 * pipe it is byte for byte, as Debian's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/store.h"
#include "lib/safetext.h"

int crontab_cmd_list(const struct crontab_cli *cli)
{
	struct cli_user who;
	struct store st;
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return EXIT_FAIL;
	char *text = NULL;
	size_t len = 0;
	int rc = store_get(&st, &text, &len);
	if (rc == STORE_NONE) {
		fprintf(stderr, "no crontab for %s\n", who.name);   /* Debian's words */
		return EXIT_FAIL;
	}
	if (rc != STORE_OK)
		return EXIT_FAIL;
	bool ok;
	if (who.uid != getuid() && isatty(STDOUT_FILENO))
		ok = safetext_fputs_lines(text, len, stdout) == 0;
	else
		ok = fwrite(text, 1, len, stdout) == len;
	free(text);
	if (!ok || fflush(stdout) != 0) {
		fprintf(stderr, "crontab: cannot write to standard output: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
