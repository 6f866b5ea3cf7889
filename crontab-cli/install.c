/* crontab-cli/install.c: `crontab [-u USER] FILE` and `crontab [-u USER] -`.
 *
 * The file is read by this process, with the caller's own rights (there is
 * no setuid bit), so a user can install only what they can read. Named
 * files must be regular files (a FIFO or a device is refused at once);
 * standard input is read up to one byte past the crontab size limit. The
 * text is checked here first, so errors come back with no round trip and
 * nothing is sent when there is one; crond checks again before storing.
 * Silent on success, as Debian and cronie are. Messages start with
 * Debian's words: "FILE: No such file or directory", "errors in crontab
 * file, can't install.".
 *
 * Without an operand, standard input is read (main.c allows that only when
 * it is not a terminal).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crontab-cli/cli.h"
#include "crontab-cli/install.h"
#include "lib/crontab.h"
#include "lib/readall.h"

int cli_check_and_install(struct store *st, const char *text, size_t len, const char *name)
{
	struct crontab tab;
	struct diag_list diags = { 0 }, never = { 0 };
	if (crontab_parse(text, len, crontab_user_format(st->who->uid), &tab, &diags) == 0) {
		/* crond does not look for these (it would cost its control
		 * thread): said here, once the crontab is in */
		if (crontab_check_zones(&tab, &diags) == 0)
			crontab_check_never(&tab, (int64_t)time(NULL), &never);
		crontab_free(&tab);
	}
	int rc;
	if (diags.errors) {
		crontab_print_diags(&diags, name);
		rc = STORE_INVALID;
	} else {
		rc = store_install(st, text, len, name, &diags);
		if (rc == STORE_OK)
			crontab_print_diags(&never, name);
	}
	diag_list_clear(&diags);
	diag_list_clear(&never);
	return rc;
}

int crontab_cmd_install(const struct crontab_cli *cli)
{
	const char *path = cli->nargs ? cli->args[0] : "-";
	const char *name = strcmp(path, "-") == 0 ? "(standard input)" : path;
	struct cli_user who;
	struct store st;
	if (cli_user_resolve(cli, &who) < 0 || store_init(&st, cli, &who) < 0)
		return EXIT_FAIL;
	char *text;
	size_t len;
	char err[CONFIG_PATH_MAX + 256];
	if (readall(path, CRONTAB_MAX_BYTES, &text, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);   /* "FILE: why", as Debian's */
		return EXIT_FAIL;
	}
	int rc = cli_check_and_install(&st, text, len, name);
	free(text);
	if (rc == STORE_INVALID)
		fprintf(stderr, "errors in crontab file, can't install.\n");
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}
