/* crond/session/pam_steps.c: PAM's steps for one job (see pam_steps.h). */
#include "crond/session/pam_steps.h"

#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No prompt can be answered; error messages are kept for the report. */
static int conv(int n, const struct pam_message **msgs, struct pam_response **resp, void *data)
{
	struct pam_steps *ps = data;
	*resp = NULL;
	for (int i = 0; i < n; i++) {
		int style = msgs[i]->msg_style;
		if (style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON)
			return PAM_CONV_ERR;
		if (style == PAM_ERROR_MSG && msgs[i]->msg)
			snprintf(ps->conv_msg, sizeof(ps->conv_msg), "%s", msgs[i]->msg);
	}
	return PAM_SUCCESS;
}

static void say(const struct pam_steps *ps, const char *what, const char *service,
                const char *user, char *msg, size_t msglen)
{
	const char *why = ps->pamh ? pam_strerror(ps->pamh, ps->last) : "cannot start PAM";
	snprintf(msg, msglen, "%s by PAM (service %s) for %s: %s%s%s", what, service, user, why,
	         ps->conv_msg[0] ? ": " : "", ps->conv_msg);
}

int pam_steps_begin(struct pam_steps *ps, const char *service, const char *user, int *step,
                    char *msg, size_t msglen)
{
	*ps = (struct pam_steps){ 0 };
	/* Linux-PAM keeps a copy of the conversation: a local one will do. */
	struct pam_conv local = { conv, ps };
	pam_handle_t *h = NULL;
	*step = STEP_PAM_ACCOUNT;
	ps->last = pam_start(service, user, &local, &h);
	ps->pamh = h;
	if (ps->last != PAM_SUCCESS) {
		say(ps, "refused", service, user, msg, msglen);
		return -1;
	}
	ps->last = pam_set_item(h, PAM_TTY, "cron");
	if (ps->last == PAM_SUCCESS)
		ps->last = pam_acct_mgmt(h, PAM_SILENT);
	if (ps->last != PAM_SUCCESS) {
		say(ps, "account refused", service, user, msg, msglen);
		return -1;
	}
	*step = STEP_PAM_SESSION;
	ps->last = pam_open_session(h, PAM_SILENT);
	if (ps->last != PAM_SUCCESS) {
		say(ps, "session refused", service, user, msg, msglen);
		return -1;
	}
	ps->session_open = true;
	ps->last = pam_setcred(h, PAM_ESTABLISH_CRED | PAM_SILENT);
	if (ps->last != PAM_SUCCESS) {
		say(ps, "credentials refused", service, user, msg, msglen);
		return -1;
	}
	ps->cred_set = true;
	return 0;
}

char **pam_steps_env(struct pam_steps *ps)
{
	return ps->pamh ? pam_getenvlist(ps->pamh) : NULL;
}

int pam_steps_end(struct pam_steps *ps, char *msg, size_t msglen)
{
	pam_handle_t *h = ps->pamh;
	if (h == NULL)
		return 0;
	int rc = PAM_SUCCESS, r;
	const char *what = "";
	if (ps->cred_set && (r = pam_setcred(h, PAM_DELETE_CRED | PAM_SILENT)) != PAM_SUCCESS) {
		rc = r;
		what = "pam_setcred(PAM_DELETE_CRED)";
	}
	if (ps->session_open && (r = pam_close_session(h, PAM_SILENT)) != PAM_SUCCESS &&
	    rc == PAM_SUCCESS) {
		rc = r;
		what = "pam_close_session";
	}
	if (rc != PAM_SUCCESS)
		snprintf(msg, msglen, "%s: %s", what, pam_strerror(h, rc));
	pam_end(h, rc == PAM_SUCCESS ? ps->last : rc);
	ps->pamh = NULL;
	return rc == PAM_SUCCESS ? 0 : -1;
}
