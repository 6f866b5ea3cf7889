/* crond/run/supervisor_helper.c: which helper another user's job starts
 * through while fs.suid_dumpable is 1 (runner.h: runner_kit_owner_may_trace),
 * and what the log says of it.
 *
 * DESIGN: the supervisor thread's, like the kit it sets: nothing shared,
 * no lock. The runner reads the sysctl at every start of another user's
 * job; this only keeps kit.clean_helper current (checked again before a
 * start once SUPER_HELPER_RECHECK_NS has passed, and at each new
 * configuration, so a helper installed, upgraded or removed later is seen)
 * and says, on each change, whether such jobs start through the helper or
 * with the window open, and why.
 */
#include "crond/run/supervisor_internal.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "crond/log.h"

enum said { SAID_NOTHING, SAID_THROUGH, SAID_OPEN };

/* Whether WHAT (the helper, or why none) is what the log last said (or
 * what it could not keep a copy of: then nothing new is said). */
static bool said_already(const struct super *s, const char *what)
{
	return s->helper.said_what == NULL || strcmp(s->helper.said_what, what) == 0;
}

void super_check_clean_helper(struct super *s, int64_t mono)
{
	if (s->kit.euid != 0)
		return;
	if (s->helper.checked && s->helper.cfg_gen == s->cfg_gen &&
	    mono - s->helper.mono < SUPER_HELPER_RECHECK_NS)
		return;
	s->helper.checked = true;
	s->helper.cfg_gen = s->cfg_gen;
	s->helper.mono = mono;
	char why[CONFIG_PATH_MAX + 128];
	/* a new file under the same name is not said: the log shows names */
	(void)runner_kit_set_clean_helper(&s->kit, s->cfg.session_helper, NULL, why, sizeof(why));
	const char *path = s->kit.clean_helper;
	int now = !runner_kit_owner_may_trace(&s->kit) ? SAID_NOTHING
	          : s->kit.clean_helper != NULL       ? SAID_THROUGH
	                                              : SAID_OPEN;
	const char *what = now == SAID_THROUGH ? path : now == SAID_OPEN ? why : "";
	if (now == s->helper.said && said_already(s, what))
		return;   /* a new reason the window is open is said: one fixed, the next shows */
	free(s->helper.said_what);
	s->helper.said_what = strdup(what);
	if (now == SAID_THROUGH)
		log_msg(LOG_NOTICE, "fs.suid_dumpable is 1: other users' jobs start through %s,"
		        " which changes user after its own exec, so that their owners cannot"
		        " trace a copy of crond's memory (set it to 0, the default, or 2, to"
		        " save that exec)", path);
	else if (now == SAID_OPEN)
		log_msg(LOG_WARNING, "fs.suid_dumpable is 1 and session_helper cannot be used (%s):"
		        " the owner of another user's job can trace or dump its process between"
		        " its change of user and its exec, while it still holds a copy of"
		        " crond's memory (other users' crontabs and output); set it to 0 (the"
		        " default) or 2", why);
	else
		log_msg(LOG_NOTICE, "fs.suid_dumpable is no longer 1: other users' jobs start as"
		        " before it was, in a fork of crond");
	s->helper.said = now;
}
