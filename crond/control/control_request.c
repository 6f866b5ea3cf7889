/* crond/control/control_request.c: what every request goes through before its
 * handler: dispatch by type, who the caller is and whom the request is
 * about, allow/deny, and the shape of replies (see control_handlers.h).
 *
 * Runs on the control thread only. Who the caller is comes from
 * SO_PEERCRED (struct control_peer, filled when the connection was
 * accepted), never from the message: TAG_USER (or TAG_UID) only names a
 * target.
 */
#include "crond/control/control_handlers.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/log.h"

/* getpwnam_r buffers start here and grow (ERANGE) up to the limit. */
#define LOOKUP_BUF_START 1024
#define LOOKUP_BUF_MAX (1024 * 1024)
/* Longest error text we build (a reply carries at most this much). */
#define REPLY_TEXT_MAX 1024

typedef void handler_fn(struct control_ctx *ctx, const struct control_peer *peer,
                        const struct proto_msg *req, struct proto_buf *reply);

static const struct {
	uint16_t type;
	handler_fn *fn;
	bool needs_user;        /* the caller must have a passwd entry */
	bool reads_only;        /* changes nothing: a large reply may be refused */
} handlers[] = {
	{ MSG_PING, control_ping, false, true },
	{ MSG_ACCESS, control_access, true, true },
	{ MSG_CRONTAB_INSTALL, control_crontab_install, true, false },
	{ MSG_CRONTAB_GET, control_crontab_get, true, true },
	{ MSG_CRONTAB_REMOVE, control_crontab_remove, true, false },
	{ MSG_HISTORY, control_history, true, true },
	{ MSG_AT_SUBMIT, control_at_submit, true, false },
	{ MSG_AT_LIST, control_at_list, true, true },
	{ MSG_AT_GET, control_at_get, true, true },
	{ MSG_AT_REMOVE, control_at_remove, true, false },
	{ MSG_RUN, control_run, true, false },
	{ MSG_STATUS, control_status, true, true },
};

void control_config_refresh(struct control_ctx *ctx)
{
	unsigned gen = atomic_load(&ctx->c->cfg_gen);
	if (gen != ctx->cfg_gen)
		ctx->cfg_gen = crond_config_copy(ctx->c, &ctx->cfg);
}

/* A reply that does not fit the reply budget: refused, and said so. */
static void refuse_reply(struct control_ctx *ctx, const struct control_peer *peer,
                         const struct proto_msg *req, size_t room, struct proto_buf *reply)
{
	size_t len = reply->len;
	control_log_refusal(&ctx->rl_reply, peer->user.name, "reply: %zu bytes to request "
	                    "type %u, only %zu left of max_reply_bytes = %u (one user's share: "
	                    "a quarter) for replies clients have not read", len,
	                    (unsigned)req->type, room, (unsigned)ctx->cfg.max_reply_bytes);
	control_reply_error(reply, MSGE_BUSY, "refused: crond is busy: replies not yet read "
	                    "by their clients fill its reply budget (max_reply_bytes = %u, "
	                    "a quarter of it per user), and this one is %zu bytes; try again",
	                    (unsigned)ctx->cfg.max_reply_bytes, len);
}

void control_handle(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, size_t room, struct proto_buf *reply)
{
	*reply = (struct proto_buf){ 0 };
	ctx->deferred = false;
	control_config_refresh(ctx);
	size_t i = 0;
	while (i < sizeof(handlers) / sizeof(handlers[0]) && handlers[i].type != req->type)
		i++;
	if (i == sizeof(handlers) / sizeof(handlers[0]))
		control_reply_error(reply, MSGE_UNSUPPORTED, "unknown request type %u",
		                    (unsigned)req->type);
	else if (handlers[i].needs_user && !peer->known)
		control_reply_error(reply, MSGE_PERM, "your uid %u is not in the passwd file",
		                    (unsigned)peer->user.uid);
	else
		handlers[i].fn(ctx, peer, req, reply);
	if (ctx->handed_off) {
		proto_buf_free(reply);     /* another thread answers (control_run.c) */
		return;
	}
	if (ctx->deferred)
		return;                             /* answered later (group commit) */
	if (reply->data == NULL || reply->failed != PROTO_OK) {
		enum proto_code why = reply->data == NULL ? PROTO_E_INVALID : reply->failed;
		log_msg(LOG_ERR, "control: reply to request type %u from uid %u could not be "
		        "built (%s)", (unsigned)req->type, (unsigned)peer->user.uid,
		        proto_code_name(why));
		control_reply_error(reply, MSGE_INTERNAL, "crond could not build the reply (%s)",
		                    proto_code_name(why));
	} else if (i < sizeof(handlers) / sizeof(handlers[0]) && handlers[i].reads_only &&
	           reply->len > CONTROL_REPLY_SMALL && reply->len > room) {
		refuse_reply(ctx, peer, req, room, reply);
	}
}

/* ------------------------------------------------------------ replies */

void control_reply_ok(struct proto_buf *reply)
{
	proto_buf_free(reply);
	(void)proto_buf_init(reply, MSG_OK);         /* a failure is sticky */
}

void control_reply_error(struct proto_buf *reply, enum msg_error code, const char *fmt, ...)
{
	char text[REPLY_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	proto_buf_free(reply);
	(void)proto_buf_init(reply, MSG_ERROR);
	(void)proto_buf_add_u32(reply, TAG_ERROR_CODE, code);
	(void)proto_buf_add_str(reply, TAG_ERROR_TEXT, text);
}

void control_reply_spool_error(struct control_ctx *ctx, const char *who, struct proto_buf *reply,
                               const char *what, const struct spool_err *err)
{
	control_log_user(&ctx->rl_spool, who, LOG_ERR, "control: cannot %s (asked by %s): %s", what,
	                 who, err->msg);
	if (err->code == SPOOL_IO && err->unknown)
		/* The database's connection went with the answer to the commit:
		 * it may have been made. Saying "cannot" would have the user
		 * ask again, and queue an at job twice. */
		control_reply_error(reply, MSGE_INTERNAL, "cannot tell whether crond could %s: the "
		                    "database's connection was lost as the change was committed; it "
		                    "may have been made: look before asking again", what);
	else
		control_reply_error(reply, MSGE_INTERNAL, "cannot %s: %s (see crond's log)", what,
		                    spool_code_name(err->code));
}

int64_t control_now(const struct control_ctx *ctx)
{
	int64_t ns = clock_now_ns(&ctx->c->clock);
	return ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
}

/* ------------------------------------------------------------ users */

static int fill_user(const struct passwd *pw, struct control_user *out)
{
	size_t len = strlen(pw->pw_name);
	if (len == 0 || len > SPOOL_NAME_MAX)
		return 1;                           /* a name the spool cannot hold */
	memcpy(out->name, pw->pw_name, len + 1);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	return 0;
}

/* By NAME if not NULL, else by UID. */
static int lookup(const char *name, uid_t uid, struct control_user *out)
{
	for (size_t size = LOOKUP_BUF_START;; size *= 4) {
		char *buf = malloc(size);
		if (buf == NULL)
			return -1;
		struct passwd pw, *res = NULL;
		int rc = name != NULL ? getpwnam_r(name, &pw, buf, size, &res)
		                      : getpwuid_r(uid, &pw, buf, size, &res);
		if (rc == ERANGE && size < LOOKUP_BUF_MAX) {
			free(buf);
			continue;
		}
		int found = rc == 0 && res != NULL ? fill_user(&pw, out) : 1;
		free(buf);
		if (rc != 0 && rc != ENOENT && rc != ESRCH) {
			errno = rc;
			return -1;
		}
		return found;
	}
}

int control_user_by_uid(uid_t uid, struct control_user *out)
{
	return lookup(NULL, uid, out);
}

int control_user_by_name(const char *name, struct control_user *out)
{
	return lookup(name, 0, out);
}

/* The user a lookup (control_user_by_name or _by_uid) found: true, or
 * false with REPLY built (MSGE_NOT_FOUND, MSGE_INTERNAL). WHO names the
 * user asked for, as given. */
static bool looked_up(int rc, const char *who, struct proto_buf *reply)
{
	if (rc == 1)
		control_reply_error(reply, MSGE_NOT_FOUND, "no such user %s", who);
	else if (rc < 0) {
		log_msg(LOG_ERR, "control: cannot look up user %s: %s", who, strerror(errno));
		control_reply_error(reply, MSGE_INTERNAL, "cannot look up user %s: %s", who,
		                    strerror(errno));
	}
	return rc == 0;
}

bool control_target(const struct control_peer *peer, const struct proto_msg *req,
                    struct control_user *out, bool *named, struct proto_buf *reply)
{
	struct proto_field f;
	uint32_t uid = 0;
	bool by_name = proto_find(req, TAG_USER, &f, NULL) == PROTO_OK;
	enum proto_code by_uid = proto_get_u32(req, TAG_UID, &uid, NULL);
	if (named != NULL)
		*named = false;
	if (!by_name && by_uid == PROTO_E_MISSING) {
		*out = peer->user;
		return true;
	}
	if (by_name && by_uid != PROTO_E_MISSING) {
		control_reply_error(reply, MSGE_INVALID, "name the user by name or by uid, not both");
		return false;
	}
	if (named != NULL)
		*named = true;
	char name[SPOOL_NAME_MAX + 1];
	char who[SPOOL_NAME_MAX + 32];
	if (!by_name) {   /* TAG_UID: a client that looks no one up (atq) */
		if (by_uid != PROTO_OK || uid == (uint32_t)-1) {
			control_reply_error(reply, MSGE_INVALID, "invalid user id");
			return false;
		}
		if (uid == (uint32_t)peer->user.uid) {
			*out = peer->user;
			return true;
		}
	} else if (proto_field_strcpy(&f, name, sizeof(name), NULL) != PROTO_OK ||
	           name[0] == '\0') {
		control_reply_error(reply, MSGE_INVALID, "invalid user name");
		return false;
	} else if (strcmp(name, peer->user.name) == 0) {
		*out = peer->user;
		return true;
	}
	if (peer->user.uid != 0) {
		control_reply_error(reply, MSGE_PERM, "only root may name another user");
		return false;
	}
	if (!by_name) {
		snprintf(who, sizeof(who), "with uid %" PRIu32, uid);
		return looked_up(control_user_by_uid((uid_t)uid, out), who, reply);
	}
	snprintf(who, sizeof(who), "'%s'", name);
	return looked_up(control_user_by_name(name, out), who, reply);
}

/* ------------------------------------------------------------ allow/deny */

bool control_allowed(struct control_ctx *ctx, const struct control_peer *peer,
                     const struct control_user *target, enum access_service service,
                     struct proto_buf *reply)
{
	char msg[512] = "";
	if (access_allowed(&ctx->cfg, service, target->name, target->uid, msg, sizeof(msg)))
		return true;
	const char *prog = service == ACCESS_CRON ? "crontab" : "at";
	/* A denied user may ask again at will: through the rate limit. */
	unsigned held;
	bool shared;
	if (control_log_user_allowed(&ctx->rl_auth, peer->user.name, &held, &shared)) {
		char more[96];
		ownerlog_held_note(more, sizeof(more), held, shared, "line");
		log_event(target->name, "AUTH", "%s not allowed%s%s%s%s", prog,
		          peer->user.uid != target->uid ? ", asked by " : "",
		          peer->user.uid != target->uid ? peer->user.name : "", held > 0 ? "; " : "",
		          more);
	}
	/* access_allowed speaks to the user ("you (bob) are not allowed to use
	 * crontab (...)"); root asking about bob is told about bob instead. */
	static const char verb[] = " are not allowed to use ";
	const char *rest = strstr(msg, verb);
	if (peer->user.uid != target->uid && rest != NULL)
		control_reply_error(reply, MSGE_DENIED, "the user %s is not allowed to use %s",
		                    target->name, rest + strlen(verb));
	else
		control_reply_error(reply, MSGE_DENIED, "%s",
		                    msg[0] != '\0' ? msg : "not allowed");
	return false;
}
