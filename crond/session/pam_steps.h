/* crond/session/pam_steps.h: PAM's steps for one job, as Debian's cron
 * takes them.
 *
 * In order: pam_start(SERVICE, USER), PAM_TTY "cron", pam_acct_mgmt (an
 * expired or locked account, or any refusal of the account stack, stops
 * here), pam_open_session, pam_setcred(PAM_ESTABLISH_CRED); every call
 * PAM_SILENT. The session modules change the CALLING process (pam_limits
 * sets its limits, pam_loginuid writes /proc/self/loginuid): only the
 * session helper, a process of the job's own, calls this; never the daemon.
 *
 * The conversation answers no prompt (there is no one to ask) and keeps
 * the last error message a module sent, for the refusal's message.
 */
#ifndef CROND_SESSION_PAM_STEPS_H
#define CROND_SESSION_PAM_STEPS_H

#include <stddef.h>

#include "crond/run/runner_plan.h"

struct pam_steps {
	void *pamh;          /* pam_handle_t *, or NULL */
	int last;            /* the last PAM return code */
	bool session_open, cred_set;
	char conv_msg[160];  /* the last PAM_ERROR_MSG a module sent */
};

/* Runs the steps up to an open session with credentials. Returns 0, or -1
 * with *STEP (STEP_PAM_ACCOUNT or STEP_PAM_SESSION) and MSG saying what
 * PAM refused and why; whatever was opened is closed again in both cases
 * only by pam_steps_end. */
int pam_steps_begin(struct pam_steps *ps, const char *service, const char *user, int *step,
                    char *msg, size_t msglen);

/* PAM's environment for the job (pam_env: /etc/environment,
 * /etc/default/locale...): a NULL-terminated array of "NAME=VALUE"
 * strings the caller frees (each string, then the array), or NULL when
 * there is none or no memory. */
char **pam_steps_env(struct pam_steps *ps);

/* Deletes the credentials, closes the session and ends PAM. Returns 0, or
 * -1 with MSG when a step failed (the job has run by then: only worth a
 * log line). Safe after a failed pam_steps_begin. */
int pam_steps_end(struct pam_steps *ps, char *msg, size_t msglen);

#endif
