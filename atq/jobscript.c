/* atq/jobscript.c: `at -c` output (see jobscript.h). */
#include "atq/jobscript.h"

#include <string.h>

#include "atq/shquote.h"
#include "lib/proto_msgs.h"

/* Debian's numbers for its mail flag. */
static int mail_number(uint32_t mail)
{
	return mail == MAIL_ALWAYS ? 1 : mail == MAIL_NEVER ? -1 : 0;
}

static int write_env(FILE *out, const char *entry)
{
	const char *eq = strchr(entry, '=');
	if (eq == NULL || !shquote_is_name(entry, (size_t)(eq - entry)))
		return 0;
	int name_len = (int)(eq - entry);
	if (fprintf(out, "%.*s=", name_len, entry) < 0 ||
	    shquote_write(out, eq + 1, strlen(eq + 1)) < 0 ||
	    fprintf(out, "; export %.*s\n", name_len, entry) < 0)
		return -1;
	return 0;
}

int jobscript_write(FILE *out, const struct jobscript *job)
{
	if (fprintf(out, "#!/bin/sh\n# atrun uid=%u gid=%u\n# mail %s %d\numask %o\n",
	            (unsigned)job->uid, (unsigned)job->gid, job->user, mail_number(job->mail),
	            (unsigned)job->umask) < 0)
		return -1;
	for (size_t i = 0; i < job->n_env; i++)
		if (write_env(out, job->env[i]) < 0)
			return -1;
	if (fputs("cd ", out) == EOF || shquote_write(out, job->cwd, strlen(job->cwd)) < 0 ||
	    fputs(" || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n", out) ==
	            EOF)
		return -1;
	if (fwrite(job->script, 1, job->script_len, out) != job->script_len)
		return -1;
	/* Debian's at ends the file with a newline of its own, so a script
	 * that has one is followed by a blank line. */
	if (putc('\n', out) == EOF)
		return -1;
	return ferror(out) ? -1 : 0;
}
