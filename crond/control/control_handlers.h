/* crond/control/control_handlers.h: the control thread's request handlers
 * (internal to crond/control*.c).
 *
 * Every function here runs on the control thread only. A handler reads one
 * request (a validated struct proto_msg) from a caller the kernel vouched
 * for (struct control_user from SO_PEERCRED and the passwd database) and
 * builds exactly one reply in REPLY: MSG_OK with the fields the catalogue
 * documents (lib/proto_msgs.h), or MSG_ERROR. A handler never closes the
 * connection and never fails without a reply; a reply that cannot be built
 * (sticky proto_buf error) is replaced by the caller with an MSGE_INTERNAL
 * error.
 *
 * Split by area: control_request.c (dispatch, replies, who the caller and
 * the target are, allow/deny), control_crontab.c (ping, crontabs),
 * control_history.c, control_at.c, control_run.c,
 * control_status.c.
 */
#ifndef CROND_CONTROL_HANDLERS_H
#define CROND_CONTROL_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "crond/control/access.h"
#include "crond/crond.h"
#include "crond/ownerlog.h"
#include "lib/config.h"
#include "lib/proto.h"
#include "lib/proto_msgs.h"
#include "spool/spool.h"

/* Rows of a listing stop before a reply passes this many payload bytes:
 * what is left of PROTO_MAX_PAYLOAD is room for the fixed fields. */
#define CONTROL_REPLY_BUDGET (PROTO_MAX_PAYLOAD - 64u * 1024)
/* MSG_HISTORY: rows by default, at most, and the output head per row. */
#define CONTROL_HISTORY_DEFAULT 20
#define CONTROL_HISTORY_MAX 1000
#define CONTROL_HISTORY_OUTPUT_MAX 4096
#define CONTROL_HISTORY_COMMAND_MAX 4096
/* MSG_AT_LIST: jobs read and sent per reply, at most (lib/at_cursor.h): a
 * listing of every job of a queue of 100,000 read them all for each reply
 * and sent the first 65,639 of them, with nothing to ask the rest with. */
#define CONTROL_AT_PAGE 10000
/* MSG_HISTORY with a kind filter reads up to this many records to find
 * enough of that kind (the spool filters by owner, not by kind). */
#define CONTROL_HISTORY_SCAN_MAX 4000
/* MSG_AT_REMOVE: ids per request (removed in one durable write). */
#define CONTROL_ATRM_MAX_IDS SPOOL_AT_REMOVE_MAX
/* A request that takes longer than this is logged as slow. */
#define CONTROL_SLOW_MS 1000
/* Replies up to this size are always sent; a larger reply to a request
 * that only reads is refused while the replies waiting to be read would
 * pass max_reply_bytes (root's are never refused). */
#define CONTROL_REPLY_SMALL (64u * 1024)
/* Log lines a client can cause at will (refusals, protocol errors, denied
 * access): at most CONTROL_LOG_BURST of a kind per window, for each user.
 * They must match ownerlog.h's, whose table they use. */
#define CONTROL_LOG_WINDOW_MS 10000
#define CONTROL_LOG_BURST 5

/* A user: the caller, or the target of a request. */
struct control_user {
	uid_t uid;
	gid_t gid;                          /* primary group, from passwd */
	char name[SPOOL_NAME_MAX + 1];
};

/* Who is calling, as learnt when the connection was accepted. */
struct control_peer {
	pid_t pid;
	gid_t gid;                          /* the kernel's word (SO_PEERCRED): the
	                                       caller's group then, as after `sg
	                                       GROUP` or newgrp; an at job's */
	bool known;                         /* the uid has a passwd entry */
	struct control_user user;           /* user.uid is the kernel's word
	                                       even when !known */
};

/* One kind of refusal's log lines, so a flood cannot flood the log. */
struct control_ratelimit {
	int64_t window_ms;                  /* start of the current window */
	unsigned lines;                     /* logged in this window */
	unsigned suppressed;                /* not logged since the last line */
};

/* at submissions waiting for their write (control_at.c). */
struct control_at_batch;
/* Submissions written in one transaction, at most. */
#define CONTROL_AT_BATCH_MAX 64

/* What the handlers work with: the thread's own spool connection and
 * configuration copy. */
struct control_ctx {
	struct crond *c;
	struct spool *sp;
	struct config cfg;                  /* refreshed when c->cfg_gen moves */
	unsigned cfg_gen;
	/* Lines a client can cause at will, limited per user of each kind
	 * (one user's flood never hides another's lines): */
	struct ownerlog rl_conn;            /* connections refused */
	struct ownerlog rl_reply;           /* replies refused (budget) */
	struct ownerlog rl_quota;           /* quota refusals */
	struct ownerlog rl_proto;           /* malformed or abandoned requests,
	                                       deadlines passed */
	struct ownerlog rl_auth;            /* allow/deny refusals */
	struct ownerlog rl_spool;           /* spool failures (a full disk: every
	                                       request fails, as fast as asked) */
	struct ownerlog rl_slow;            /* requests that took over
	                                       CONTROL_SLOW_MS (a slow disk) */
	struct control_ratelimit rl_accept; /* accept failures (out of descriptors:
	                                       no user to tell apart) */
	struct ownerlog change_log;         /* REPLACE, DELETE, AT and ATRM lines,
	                                       per owner (one limit: a loop of
	                                       changes is one flood) */
	bool reserve_missing;               /* the full-disk reserve is gone */
	int64_t reserve_retry_ms;           /* next try to make it (monotonic) */
	int reserve_every_ms;               /* limits.reserve_retry_ms */
	int conn_fd;                        /* the connection of the request being
	                                       handled */
	bool handed_off;                    /* set by a handler that took the
	                                       connection over (a duplicate of
	                                       conn_fd): no reply is sent, and the
	                                       control thread closes its copy */

	/* Group commit: with a batch, a handler may keep its request for a
	 * write shared with others (control_at_submit), setting DEFERRED and
	 * building no reply; the caller then must not answer it, and the
	 * reply comes from control_at_flush, tagged with TOKEN (the caller's
	 * name for the connection, set before each request). NULL: every
	 * request is answered at once. */
	struct control_at_batch *at_batch;
	uint64_t token;
	bool deferred;
};

/* ------------------------------------------------ control_request.c */

/* Answers REQ from PEER into REPLY (initialised here; the caller queues or
 * frees it). Refreshes CTX's configuration first if it changed. A reply of
 * more than CONTROL_REPLY_SMALL and more than ROOM bytes to a request that
 * only reads is replaced by an MSGE_BUSY error (logged, rate-limited);
 * ROOM is SIZE_MAX for no limit. */
void control_handle(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, size_t room, struct proto_buf *reply);

/* Copies the daemon's configuration into CTX if it changed since the last
 * copy. */
void control_config_refresh(struct control_ctx *ctx);

/* Looks a user up by uid or by name (getpwuid_r / getpwnam_r). Returns 0
 * (found), 1 (no such user) or -1 (lookup failed; errno set). */
int control_user_by_uid(uid_t uid, struct control_user *out);
int control_user_by_name(const char *name, struct control_user *out);

/* Starts REPLY as MSG_OK. */
void control_reply_ok(struct proto_buf *reply);
/* Starts REPLY over as MSG_ERROR with CODE and a formatted text (more
 * fields, e.g. TAG_DIAG, may follow). */
void control_reply_error(struct proto_buf *reply, enum msg_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A spool failure met for WHO (the user who asked): logged at LOG_ERR
 * with WHAT, WHO and the spool's message, through rl_spool's limit for
 * WHO; answered MSGE_INTERNAL "cannot WHAT: <reason>". */
void control_reply_spool_error(struct control_ctx *ctx, const char *who, struct proto_buf *reply,
                               const char *what, const struct spool_err *err);

/* The user a request acts on: the caller, or the user TAG_USER names by
 * name or TAG_UID by uid (one of them: root may name anyone, others only
 * themselves). False with REPLY built (MSGE_PERM, MSGE_NOT_FOUND,
 * MSGE_INVALID, MSGE_INTERNAL) when refused. *NAMED tells whether either
 * was there (may be NULL). */
bool control_target(const struct control_peer *peer, const struct proto_msg *req,
                    struct control_user *out, bool *named, struct proto_buf *reply);

/* Whether TARGET may use SERVICE (crond/control/access.h). False with REPLY built
 * (MSGE_DENIED with the access message, worded for root when root acts on
 * someone else). */
bool control_allowed(struct control_ctx *ctx, const struct control_peer *peer,
                     const struct control_user *target, enum access_service service,
                     struct proto_buf *reply);

/* Now, in seconds, on the daemon's clock. */
int64_t control_now(const struct control_ctx *ctx);

/* ------------------------------------------------ control_limits.c */

/* CLOCK_MONOTONIC in milliseconds: deadlines never follow the wall clock. */
int64_t control_mono_ms(void);

/* Whether a line of RL's kind may be logged now (at most
 * CONTROL_LOG_BURST per CONTROL_LOG_WINDOW_MS). When true, *SUPPRESSED gets
 * how many were held back since the last line logged (say so in the line). */
bool control_log_allowed(struct control_ratelimit *rl, int64_t now_ms, unsigned *suppressed);

/* Logs the line FMT at PRIORITY through RL, saying how many similar lines
 * were held back before it; false when the rate limit held it back. */
bool control_log_limited(struct control_ratelimit *rl, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether WHO's line of L's kind may be logged now: at most
 * CONTROL_LOG_BURST per CONTROL_LOG_WINDOW_MS for each user (ownerlog.h,
 * on the monotonic clock). When true, *HELD gets how many of WHO's were
 * held back since their last line, and *SHARED whether that count is of
 * several users' lines (the table of users was full). */
bool control_log_user_allowed(struct ownerlog *l, const char *who, unsigned *held,
                              bool *shared);

/* Logs the line FMT at PRIORITY through L's limit for WHO, saying how many
 * similar lines of WHO's were held back before it; false when held back. */
bool control_log_user(struct ownerlog *l, const char *who, int priority, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Logs "(WHO) REFUSED (DETAIL)" at LOG_WARNING through L's limit for WHO;
 * false when the line was held back. */
bool control_log_refusal(struct ownerlog *l, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A quota refusal in the run history of WHO (UID): a record of KIND flagged
 * refused:quota, keyed "quota:at" or "quota:crontab", whose command is WHAT
 * and whose output is MSG, so `crontab --history` / `atq --history` show
 * it. Call it only when control_log_refusal logged (the same rate limit
 * bounds the writes); a failure to record is logged, never fatal. */
void control_record_quota(struct control_ctx *ctx, const char *who, uid_t uid,
                          enum spool_run_kind kind, const char *what, const char *msg);

/* A removal failed with SPOOL_FULL: releases a full-disk reserve so that a
 * retry has room (the shared one, or when it is spent and BY_ROOT, root's:
 * spool.h), and logs that it did (WHAT names the removal). True when there
 * was a reserve to release: retry once. */
bool control_use_reserve(struct control_ctx *ctx, bool by_root, const char *who,
                         const char *what);

/* Makes the full-disk reserve again if it is gone, at most once per
 * reserve_every_ms (logged when it is back, and when it cannot be
 * made at start-up). Called at start-up and after each request. */
void control_keep_reserve(struct control_ctx *ctx);

/* ------------------------------------------------ control_crontab.c */

void control_ping(struct control_ctx *ctx, const struct control_peer *peer,
                  const struct proto_msg *req, struct proto_buf *reply);
/* MSG_ACCESS: may the caller use crontab or at? */
void control_access(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, struct proto_buf *reply);
void control_crontab_install(struct control_ctx *ctx, const struct control_peer *peer,
                             const struct proto_msg *req, struct proto_buf *reply);
void control_crontab_get(struct control_ctx *ctx, const struct control_peer *peer,
                         const struct proto_msg *req, struct proto_buf *reply);
void control_crontab_remove(struct control_ctx *ctx, const struct control_peer *peer,
                            const struct proto_msg *req, struct proto_buf *reply);

/* ------------------------------------------------ control_history.c */

void control_history(struct control_ctx *ctx, const struct control_peer *peer,
                     const struct proto_msg *req, struct proto_buf *reply);

/* ------------------------------------------------ control_run.c */

/* MSG_RUN (crontab --run): checks who may run what, then hands the
 * connection over (the supervisor streams the run's output on it). */
void control_run(struct control_ctx *ctx, const struct control_peer *peer,
                 const struct proto_msg *req, struct proto_buf *reply);

/* ------------------------------------------------ control_status.c */

/* MSG_STATUS: crontabs with their entries' keys and newest runs. */
void control_status(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, struct proto_buf *reply);

/* ------------------------------------------------ control_at.c */

/* MSG_AT_SUBMIT: checked at once (refusals are answered at once); with
 * CTX->at_batch, a valid job is kept there (CTX->deferred) until
 * control_at_flush writes the batch, else written at once. */
void control_at_submit(struct control_ctx *ctx, const struct control_peer *peer,
                       const struct proto_msg *req, struct proto_buf *reply);
/* A batch for control_ctx.at_batch (NULL when out of memory); freeing one
 * drops what it holds unanswered. */
struct control_at_batch *control_at_batch_new(void);
void control_at_batch_free(struct control_at_batch *b);
/* Gets the REPLY (consumed) to the request kept under TOKEN. */
typedef void control_answer_fn(void *arg, uint64_t token, struct proto_buf *reply);
/* Writes the kept submissions in one transaction (one fsync for all) and
 * only then answers each through ANSWER: a job is acknowledged once it is
 * durable. Nothing kept: nothing done. */
void control_at_flush(struct control_ctx *ctx, control_answer_fn *answer, void *arg);
void control_at_list(struct control_ctx *ctx, const struct control_peer *peer,
                     const struct proto_msg *req, struct proto_buf *reply);
void control_at_get(struct control_ctx *ctx, const struct control_peer *peer,
                    const struct proto_msg *req, struct proto_buf *reply);
void control_at_remove(struct control_ctx *ctx, const struct control_peer *peer,
                       const struct proto_msg *req, struct proto_buf *reply);
/* Whether REQ's TAG_MAIL_TO (at -u), when there, names an existing user:
 * true, or false with REPLY built as a submission's refusal would be
 * (MSGE_INVALID "Cannot find username NAME", Debian's words). MSG_ACCESS
 * asks it before the user types a job. */
bool control_at_mail_to_ok(const struct proto_msg *req, struct proto_buf *reply);

#endif
