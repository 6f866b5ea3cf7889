/* lib/cronmail.c: when a cron job's output is mailed (see cronmail.h). */
#include "lib/cronmail.h"

#include <string.h>

static const char *const names[] = {
	[CRON_MAIL_UNSET] = "unset",
	[CRON_MAIL_ALWAYS] = "always",
	[CRON_MAIL_FAILURE] = "failure",
	[CRON_MAIL_NEVER] = "never",
};

enum cron_mail cron_mail_parse(const char *name)
{
	for (int m = CRON_MAIL_ALWAYS; m <= CRON_MAIL_NEVER; m++)
		if (strcmp(name, names[m]) == 0)
			return (enum cron_mail)m;
	return CRON_MAIL_UNSET;
}

const char *cron_mail_name(enum cron_mail m)
{
	return m <= CRON_MAIL_NEVER ? names[m] : "unset";
}

bool cron_mail_wanted(enum cron_mail when, const char *mailto, bool failed,
                      uint64_t output_total)
{
	if (mailto != NULL && mailto[0] == '\0')
		return false;
	switch (when) {
	case CRON_MAIL_NEVER:
		return false;
	case CRON_MAIL_FAILURE:
		return failed;
	case CRON_MAIL_UNSET:
	case CRON_MAIL_ALWAYS:
		break;
	}
	return output_total > 0;
}
