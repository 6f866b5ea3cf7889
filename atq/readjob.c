/* atq/readjob.c: the job's commands (see cli.h).
 *
 * A named file goes through lib/readall.h's readall_file (the caller's own
 * rights; anything but a directory, a FIFO or a device included, as
 * Debian's at reads them; size cap). A terminal gets Debian's prompt: "at> " when a line
 * may be typed, "<EOT>" when end of input arrives, both on standard error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atq/cli.h"
#include "lib/readall.h"
#include "spool/spool.h"

static int too_large(const struct at_cli *cli, char *b)
{
	free(b);
	fprintf(stderr, "%s: the job is larger than %d bytes\n", cli->prog, SPOOL_SCRIPT_MAX);
	return -1;
}

/* Grows *B (capacity *CAP) to hold at least NEED bytes plus a NUL. */
static int grow(char **b, size_t *cap, size_t need)
{
	if (need + 1 <= *cap)
		return 0;
	size_t ncap = *cap * 2 > need + 1 ? *cap * 2 : need + 1;
	char *nb = realloc(*b, ncap);
	if (nb == NULL)
		return -1;
	*b = nb;
	*cap = ncap;
	return 0;
}

static int read_terminal(const struct at_cli *cli, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	if (b == NULL) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		return -1;
	}
	fputs("at> ", stderr);
	for (;;) {
		char chunk[4096];
		ssize_t r = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "\n%s: standard input: %s\n", cli->prog, strerror(errno));
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		if (n + (size_t)r > SPOOL_SCRIPT_MAX) {
			fputc('\n', stderr);
			return too_large(cli, b);
		}
		if (grow(&b, &cap, n + (size_t)r) < 0) {
			fprintf(stderr, "\n%s: out of memory\n", cli->prog);
			free(b);
			return -1;
		}
		memcpy(b + n, chunk, (size_t)r);
		n += (size_t)r;
		for (ssize_t i = 0; i < r; i++)
			if (chunk[i] == '\n')
				fputs("at> ", stderr);
	}
	fputs("<EOT>\n", stderr);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int at_read_job(const struct at_cli *cli, char **buf, size_t *len)
{
	char err[CONFIG_PATH_MAX + 256];
	if (cli->file == NULL && isatty(STDIN_FILENO))
		return read_terminal(cli, buf, len);
	/* -f names a file, "-" too (Debian's at opens a file called "-"). */
	int rc = cli->file != NULL
	             ? readall_file(cli->file, SPOOL_SCRIPT_MAX, buf, len, err, sizeof(err))
	             : readall("-", SPOOL_SCRIPT_MAX, buf, len, err, sizeof(err));
	if (rc == 0)
		return 0;
	if (cli->file != NULL && rc == READALL_CANNOT_OPEN)
		fprintf(stderr, "Cannot open input file %s\n", err);   /* Debian's words */
	else
		fprintf(stderr, "%s: cannot read the job from %s\n", cli->prog, err);
	return -1;
}
